#![no_main]
//! Timestamp decoding: every stamp form the envelope split finds, with
//! yearless stamps resolved against an anchor and a zone from the input.
use authsweep::parse::time::{TimeResolver, Zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 9 {
        return;
    }
    let anchor = i64::from_le_bytes(data[..8].try_into().unwrap()) >> 20;
    let zone = match data[8] % 3 {
        0 => Zone::parse("UTC"),
        1 => Zone::parse("Europe/Paris"),
        _ => Zone::parse("America/St_Johns"),
    };
    let line = &data[9..];
    if let (Some(zone), Some(h)) = (zone, authsweep::parse::header::split(line)) {
        let mut r = TimeResolver::new(zone, anchor, None);
        let _ = r.resolve(h.stamp);
        let mut r = TimeResolver::new(zone, anchor, Some(2024));
        let _ = r.resolve(h.stamp);
    }
    let _ = authsweep::parse::time::tai64n_unix(line);
    let _ = authsweep::parse::time::journal_unix(line);
    if let Ok(s) = std::str::from_utf8(line) {
        if let Some(zone) = Zone::parse("UTC") {
            let _ = authsweep::parse::time::parse_user_time(s, zone);
        }
    }
});
