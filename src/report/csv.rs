//! The CSV report: one row per account, ready for a spreadsheet or a
//! revocation script. Cells from log text cannot become formulas.

use super::model::Report;
use super::text::csv_cell;
use std::io::Write;

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "account",
    "status",
    "in_roster",
    "last_login",
    "last_login_ip",
    "last_login_service",
    "days_since_login",
    "logins",
    "failures",
    "distinct_ips",
    "risk_level",
    "risk_score",
    "detectors",
    "action",
    "ticket_key",
];

/// Write the report.
pub fn write(report: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(COLUMNS)?;
    let by_id: rustc_hash::FxHashMap<&str, &str> = report
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.detector))
        .collect();
    let detectors_of = |ids: &[String]| {
        let mut d: Vec<&str> = ids
            .iter()
            .filter_map(|i| by_id.get(i.as_str()).copied())
            .collect();
        d.sort_unstable();
        d.dedup();
        d.join(";")
    };
    for a in &report.accounts {
        let row = [
            csv_cell(&a.account).into_owned(),
            a.status.to_string(),
            a.in_roster.map(|b| b.to_string()).unwrap_or_default(),
            a.last_login.clone().unwrap_or_default(),
            a.last_login_ip.clone().unwrap_or_default(),
            a.last_login_service.unwrap_or_default().to_string(),
            a.days_since_login
                .map(|d| d.to_string())
                .unwrap_or_default(),
            a.logins.to_string(),
            a.failures.to_string(),
            a.distinct_ips.to_string(),
            a.risk.level.to_string(),
            a.risk.score.to_string(),
            detectors_of(&a.risk.findings),
            a.action.to_string(),
            a.ticket_key.clone().unwrap_or_default(),
        ];
        out.write_record(&row)?;
    }
    out.flush()?;
    Ok(())
}
