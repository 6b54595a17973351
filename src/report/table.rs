//! The report for a person at a terminal: the period covered, the at-risk
//! accounts with their reasons, the inactive and never-used accounts, then
//! the counts. Log text is shown with control characters escaped.

use super::model::{AccountOut, Report};
use super::text::terminal;
use std::io::Write;

/// Rows shown per list before cutting.
const MAX_ROWS: usize = 50;

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

fn day(s: &Option<String>) -> String {
    s.as_deref()
        .map_or("never".to_string(), |x| x.chars().take(10).collect())
}

fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// Write the report.
pub fn write(r: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        w,
        "authsweep {} | period {} to {} | as of {} | inactive after {} days",
        r.authsweep,
        opt(&r.period.first_event),
        opt(&r.period.last_event),
        opt(&r.as_of),
        r.inactive_days
    )?;
    writeln!(
        w,
        "read {} files, {} lines, {} events",
        r.input.files, r.input.lines, r.input.events
    )?;
    if let Some(t) = &r.input.this_run {
        writeln!(
            w,
            "this run (--state): {} files with new lines, {} bytes, {} lines, {} events",
            t.files, t.bytes, t.lines, t.events
        )?;
    }

    let by_id: rustc_hash::FxHashMap<&str, &super::model::FindingOut> =
        r.findings.iter().map(|f| (f.id.as_str(), f)).collect();
    let serious = |a: &&AccountOut| matches!(a.risk.level, "medium" | "high" | "critical");
    let at_risk: Vec<&AccountOut> = r.accounts.iter().filter(serious).collect();
    writeln!(w)?;
    writeln!(w, "AT RISK ({})", at_risk.len())?;
    if at_risk.is_empty() {
        writeln!(w, "  none")?;
    } else {
        writeln!(
            w,
            "  {} {} {} {} LAST LOGIN",
            pad("ACCOUNT", 32),
            pad("RISK", 9),
            pad("SCORE", 6),
            pad("ACTION", 15),
        )?;
    }
    for a in at_risk.iter().take(MAX_ROWS) {
        writeln!(
            w,
            "  {} {} {} {} {}",
            pad(&terminal(&a.account), 32),
            pad(a.risk.level, 9),
            pad(&a.risk.score.to_string(), 6),
            pad(a.action, 15),
            opt(&a.last_login)
        )?;
        let mut low = Vec::new();
        for f in a
            .risk
            .findings
            .iter()
            .filter_map(|id| by_id.get(id.as_str()))
        {
            if f.severity == "low" {
                low.push(f.detector);
                continue;
            }
            writeln!(
                w,
                "      {} [{}]: {}",
                f.detector,
                f.severity,
                terminal(&f.summary)
            )?;
            if let Some(e) = f.evidence.last() {
                let text = e.text.as_deref().map(terminal).unwrap_or_default();
                let text: String = text.chars().take(160).collect();
                writeln!(w, "        {}:{}  {}", terminal(&e.file), e.line, text)?;
            }
        }
        if !low.is_empty() {
            writeln!(w, "      also low: {}", low.join(", "))?;
        }
    }
    cut(w, at_risk.len())?;

    // Accounts whose findings are all low (stale passwords, cleartext
    // logins, a new country): one line each, for the password campaign.
    let low_only: Vec<&AccountOut> = r
        .accounts
        .iter()
        .filter(|a| a.risk.level == "low")
        .collect();
    if !low_only.is_empty() {
        writeln!(w)?;
        writeln!(w, "LOW-RISK FINDINGS ({} accounts)", low_only.len())?;
        for a in low_only.iter().take(MAX_ROWS) {
            let summaries: Vec<String> = a
                .risk
                .findings
                .iter()
                .filter_map(|id| by_id.get(id.as_str()))
                .map(|f| format!("{}: {}", f.detector, terminal(&f.summary)))
                .collect();
            writeln!(
                w,
                "  {} {}",
                pad(&terminal(&a.account), 32),
                summaries.join("; ")
            )?;
        }
        cut(w, low_only.len())?;
    }

    let ip_findings: Vec<_> = r.findings.iter().filter(|f| f.account.is_none()).collect();
    if !ip_findings.is_empty() {
        writeln!(w)?;
        writeln!(w, "ADDRESSES ({})", ip_findings.len())?;
        for f in ip_findings.iter().take(MAX_ROWS) {
            writeln!(
                w,
                "  {} {} [{}]: {}",
                pad(opt(&f.ip), 32),
                f.detector,
                f.severity,
                terminal(&f.summary)
            )?;
        }
        cut(w, ip_findings.len())?;
    }

    let mut idle: Vec<&AccountOut> = r
        .accounts
        .iter()
        .filter(|a| super::model::is_idle(a))
        .collect();
    idle.sort_by(|x, y| {
        y.sort_days
            .cmp(&x.sort_days)
            .then(x.account.cmp(&y.account))
    });
    writeln!(w)?;
    writeln!(w, "INACTIVE AND NEVER LOGGED IN ({})", idle.len())?;
    if idle.is_empty() {
        writeln!(w, "  none")?;
    } else {
        writeln!(
            w,
            "  {} {} {} {} {} UNIT",
            pad("ACCOUNT", 32),
            pad("STATUS", 9),
            pad("LAST LOGIN", 11),
            pad("DAYS", 5),
            pad("SERVICE", 8),
        )?;
    }
    for a in idle.iter().take(MAX_ROWS) {
        writeln!(
            w,
            "  {} {} {} {} {} {}",
            pad(&terminal(&a.account), 32),
            pad(a.status, 9),
            pad(&day(&a.last_login), 11),
            pad(&a.days_since_login.map_or("-".into(), |d| d.to_string()), 5),
            pad(a.last_login_service.unwrap_or("-"), 8),
            terminal(a.unit.as_deref().unwrap_or("-"))
        )?;
    }
    cut(w, idle.len())?;

    writeln!(w)?;
    let count = |s: &str| r.accounts.iter().filter(|a| a.status == s).count();
    writeln!(
        w,
        "accounts: {} (active {}, inactive {}, never {}, new {}, disabled {}); findings: {}",
        r.accounts.len(),
        count("active"),
        count("inactive"),
        count("never"),
        count("new"),
        count("disabled"),
        r.findings.len()
    )?;
    if r.input.unrecognized_auth_lines > 0 {
        writeln!(
            w,
            "unrecognized authentication lines: {} (run with -v for samples)",
            r.input.unrecognized_auth_lines
        )?;
    }
    for s in &r.input.skipped {
        writeln!(w, "skipped: {}: {}", terminal(&s.file), terminal(&s.why))?;
    }
    Ok(())
}

fn cut(w: &mut dyn Write, n: usize) -> std::io::Result<()> {
    if n > MAX_ROWS {
        writeln!(
            w,
            "  ... and {} more (all of them with --format csv or --format json)",
            n - MAX_ROWS
        )?;
    }
    Ok(())
}
