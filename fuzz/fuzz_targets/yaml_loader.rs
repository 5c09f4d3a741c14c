#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certgate_fuzz::yaml_loader(data));
