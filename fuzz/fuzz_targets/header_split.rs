#![no_main]
//! The envelope split (timestamp, host, program tag, message).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(h) = authsweep::parse::header::split(data) {
        assert!(h.msg.len() <= data.len());
    }
});
