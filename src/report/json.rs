//! JSON and NDJSON reports.

use super::model::Report;
use std::io::Write;

/// The whole report as one pretty-printed JSON document.
pub fn write(report: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    w.write_all(b"\n")
}

/// The accounts one per line, then the findings one per line.
pub fn write_ndjson(report: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    for a in &report.accounts {
        serde_json::to_writer(&mut *w, a)?;
        w.write_all(b"\n")?;
    }
    for f in &report.findings {
        serde_json::to_writer(&mut *w, f)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
