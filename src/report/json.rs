//! JSON and NDJSON reports.

use super::model::Report;
use std::io::Write;

/// The whole report as one pretty-printed JSON document.
pub fn write(report: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    // Serialize into memory first: serde writes many tiny pieces, and each
    // through `dyn Write` costs a call.
    let mut buf = serde_json::to_vec_pretty(report)?;
    buf.push(b'\n');
    w.write_all(&buf)
}

/// The accounts one per line, then the findings one per line.
pub fn write_ndjson(report: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 16);
    for a in &report.accounts {
        serde_json::to_writer(&mut buf, a)?;
        buf.push(b'\n');
        if buf.len() > 1 << 20 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    for f in &report.findings {
        serde_json::to_writer(&mut buf, f)?;
        buf.push(b'\n');
    }
    w.write_all(&buf)
}
