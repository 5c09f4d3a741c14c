#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certgate_fuzz::rule_and_config(data));
