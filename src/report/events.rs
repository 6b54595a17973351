//! Formatting normalized events (`authsweep events`) as NDJSON or CSV.

use super::text::{base64, csv_cell, lossy};
use crate::aggregate::Placed;
use crate::parse::time::format_rfc3339;
use serde::Serialize;

/// The event as printed (PRODUCT.md §3).
#[derive(Serialize)]
struct EventOut<'a> {
    ts: String,
    kind: &'static str,
    outcome: &'static str,
    account: Option<std::borrow::Cow<'a, str>>,
    user: Option<std::borrow::Cow<'a, str>>,
    /// The exact bytes of `user` (base64), only when they are not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_bytes: Option<String>,
    ip: Option<String>,
    service: &'static str,
    source: &'static str,
    method: Option<std::borrow::Cow<'a, str>>,
    tls: Option<bool>,
    reason: Option<&'static str>,
    count: u32,
    file: &'a str,
    line: u64,
}

/// The CSV header line.
pub const CSV_HEADER: &str =
    "ts,kind,outcome,account,user,ip,service,source,method,tls,reason,count,file,line\n";

fn build<'a>(p: &Placed<'_, 'a>, account: Option<&'a [u8]>, file: &'a str) -> EventOut<'a> {
    let ev = p.ev;
    EventOut {
        ts: format_rfc3339(p.ts, p.offset),
        kind: ev.kind.as_str(),
        outcome: ev.outcome.as_str(),
        account: account.map(lossy),
        user: ev.user.map(lossy),
        user_bytes: ev
            .user
            .filter(|u| std::str::from_utf8(u).is_err())
            .map(base64),
        ip: ev.ip.map(|i| i.to_string()),
        service: ev.service.as_str(),
        source: ev.source.as_str(),
        method: ev.method.map(lossy),
        tls: ev.tls,
        reason: ev.reason.map(|r| r.as_str()),
        count: ev.count,
        file,
        line: p.line,
    }
}

/// Append one event as a JSON line.
pub fn write_ndjson(out: &mut Vec<u8>, p: &Placed<'_, '_>, account: Option<&[u8]>, file: &str) {
    let e = build(p, account, file);
    if serde_json::to_writer(&mut *out, &e).is_ok() {
        out.push(b'\n');
    }
}

/// Append one event as a CSV row.
pub fn write_csv(out: &mut Vec<u8>, p: &Placed<'_, '_>, account: Option<&[u8]>, file: &str) {
    let e = build(p, account, file);
    let opt = |o: &Option<std::borrow::Cow<'_, str>>| {
        o.as_deref()
            .map(|s| csv_cell(s).into_owned())
            .unwrap_or_default()
    };
    let row = [
        e.ts,
        e.kind.into(),
        e.outcome.into(),
        opt(&e.account),
        opt(&e.user),
        e.ip.unwrap_or_default(),
        e.service.into(),
        e.source.into(),
        opt(&e.method),
        e.tls.map(|t| t.to_string()).unwrap_or_default(),
        e.reason.unwrap_or_default().into(),
        e.count.to_string(),
        csv_cell(e.file).into_owned(),
        e.line.to_string(),
    ];
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(&mut *out);
    let _ = w.write_record(&row);
    let _ = w.flush();
}
