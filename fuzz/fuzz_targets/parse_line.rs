#![no_main]
//! The line dispatcher and every family parser behind it.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    let _ = authsweep::parse::parse_line(data, &mut out);
});
