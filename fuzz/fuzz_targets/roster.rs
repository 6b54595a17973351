#![no_main]
//! The roster loader (CSV, plain list, LDIF, zmprov), format told from the
//! content.
use authsweep::account::Normalizer;
use authsweep::parse::time::Zone;
use authsweep::roster::Roster;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(data).unwrap();
    let mut norm = Normalizer::new(Some("example.gov"));
    let zone = Zone::parse("UTC").unwrap();
    if let Ok(r) = Roster::load(f.path(), &mut norm, zone) {
        let _ = r.alias_map();
    }
});
