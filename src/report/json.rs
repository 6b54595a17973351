//! JSON and NDJSON reports.

use super::model::Report;
use std::io::Write;

/// The whole report as one pretty-printed JSON document.
pub fn write(report: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    // Through a buffer: serde writes many tiny pieces, and each through
    // `dyn Write` costs a call. Not the whole document in memory: on 20,000
    // accounts that is 25 MB (and as much again while the vector grows).
    let mut buf = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(&mut buf, report)?;
    buf.write_all(b"\n")?;
    buf.flush()
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
