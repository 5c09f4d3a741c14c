#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certgate_fuzz::key_leak(data));
