//! The report as Markdown, for a wiki page or a ticket. Log text is escaped.

use super::model::Report;
use super::text::markdown as md;
use std::io::Write;

fn opt(s: &Option<String>) -> String {
    s.as_deref().map_or("-".to_string(), md)
}

/// Write the report.
pub fn write(r: &Report, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "# authsweep report\n")?;
    writeln!(
        w,
        "Period: {} to {}. As of {}; inactive after {} days. Read {} files, {} lines, {} events.\n",
        opt(&r.period.first_event),
        opt(&r.period.last_event),
        opt(&r.as_of),
        r.inactive_days,
        r.input.files,
        r.input.lines,
        r.input.events
    )?;
    if let Some(t) = &r.input.this_run {
        writeln!(
            w,
            "This run (`--state`) read {} files with new lines: {} bytes, {} lines, {} events.\n",
            t.files, t.bytes, t.lines, t.events
        )?;
    }
    writeln!(w, "## At risk\n")?;
    writeln!(
        w,
        "| account | risk | score | action | last login | findings |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|")?;
    for a in r.accounts.iter().filter(|a| a.risk.level != "none") {
        let dets: Vec<String> = a
            .risk
            .findings
            .iter()
            .filter_map(|id| r.findings.iter().find(|f| &f.id == id))
            .map(|f| format!("{}: {}", f.detector, md(&f.summary)))
            .collect();
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            md(&a.account),
            a.risk.level,
            a.risk.score,
            a.action,
            opt(&a.last_login),
            dets.join("<br>")
        )?;
    }
    writeln!(w, "\n## Inactive and never logged in\n")?;
    writeln!(
        w,
        "| account | status | last login | days | unit | action |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|")?;
    for a in r.accounts.iter().filter(|a| super::model::is_idle(a)) {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            md(&a.account),
            a.status,
            opt(&a.last_login),
            a.days_since_login.map_or("-".into(), |d| d.to_string()),
            opt(&a.unit),
            a.action
        )?;
    }
    writeln!(w, "\n## Findings\n")?;
    for f in &r.findings {
        writeln!(
            w,
            "### {} ({}) {}\n",
            f.detector,
            f.severity,
            opt(&f.account.clone().or(f.ip.clone()))
        )?;
        writeln!(w, "{}\n", md(&f.summary))?;
        for e in &f.evidence {
            writeln!(
                w,
                "- `{}:{}` {}",
                md(&e.file).replace('`', "'"),
                e.line,
                e.text.as_deref().map(md).unwrap_or_default()
            )?;
        }
        writeln!(w)?;
    }
    if !r.input.skipped.is_empty() {
        writeln!(w, "## Skipped input\n")?;
        for s in &r.input.skipped {
            writeln!(w, "- {}: {}", md(&s.file), md(&s.why))?;
        }
    }
    Ok(())
}
