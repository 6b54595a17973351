//! The report as one HTML file (`--format html`) for the people who decide:
//! the period covered, who is at risk and why, who is inactive, and charts
//! of what happened. It can be opened offline, attached to a ticket or
//! printed.
//!
//! The file is self-contained: the stylesheet and the script are inline,
//! the charts are inline SVG, and a Content-Security-Policy
//! ([`csp::policy`]) forbids every load. Every piece of log text and every
//! user name goes through one escaping function ([`esc`]); none is ever
//! put in a URL, an id, a class, a script or a style. Links are fragments
//! of ids made from positions (`#a12`), never from names.
//!
//! Everything is readable with scripts disabled: full tables in report
//! order, account details in `<details>`. The script (`report.js`) only
//! adds sorting, filtering and the account search.

pub mod charts;
pub mod csp;
pub mod data;
pub mod svg;

use super::model::{AccountOut, FindingOut, Report};
use super::text::html as esc;
use data::{at_risk, Extra};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub use data::gather;

/// Severities from the highest, with their sort rank.
fn rank(level: &str) -> u8 {
    match level {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// The recommended step in words.
fn action_words(action: &str) -> &'static str {
    match action {
        "revoke" => "Revoke (close) the account: it is not in use.",
        "reset_password" => {
            "Reset the password, end the open sessions, and check the forwarding and recent mail."
        }
        "review" => "Review the account's activity with its owner.",
        _ => "None.",
    }
}

/// `2025-01-20` of an RFC 3339 time.
fn day(t: &Option<String>) -> &str {
    t.as_deref().map_or("", |s| s.get(..10).unwrap_or(s))
}

/// `2025-01-20 13:38:00+01:00` of an RFC 3339 time.
fn when(t: &str) -> String {
    t.replacen('T', " ", 1)
}

fn opt_when(t: &Option<String>) -> String {
    t.as_deref().map(when).unwrap_or_else(|| "-".into())
}

struct Page<'r> {
    r: &'r Report,
    x: &'r Extra,
    by_id: FxHashMap<&'r str, &'r FindingOut>,
}

/// Write the report as HTML; `x` is what [`gather`] found in the
/// aggregate.
pub fn write(r: &Report, x: &Extra, w: &mut dyn Write) -> io::Result<()> {
    let p = Page {
        r,
        x,
        by_id: r.findings.iter().map(|f| (f.id.as_str(), f)).collect(),
    };
    p.head(w)?;
    p.summary(w)?;
    p.charts(w)?;
    p.at_risk(w)?;
    p.low(w)?;
    p.addresses(w)?;
    p.idle(w)?;
    p.accounts(w)?;
    p.coverage(w)?;
    writeln!(
        w,
        "</main><footer>Written by authsweep {}. This file is self-contained: it loads nothing, \
         and works offline and printed.</footer><script>{}</script></body></html>",
        esc(r.authsweep),
        csp::JS
    )
}

impl Page<'_> {
    fn findings_of<'a>(&'a self, a: &'a AccountOut) -> impl Iterator<Item = &'a FindingOut> + 'a {
        a.risk
            .findings
            .iter()
            .filter_map(|id| self.by_id.get(id.as_str()).copied())
    }

    fn head(&self, w: &mut dyn Write) -> io::Result<()> {
        let r = self.r;
        let period = format!(
            "{} to {}",
            opt_when(&r.period.first_event),
            opt_when(&r.period.last_event)
        );
        write!(
            w,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
             <meta name=\"referrer\" content=\"no-referrer\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"generator\" content=\"authsweep {}\">\
             <title>authsweep report, {}</title><style>{}</style></head><body>",
            esc(&csp::policy()),
            esc(r.authsweep),
            esc(&period),
            csp::CSS
        )?;
        let n_risk = r.accounts.iter().filter(|a| at_risk(a.risk.level)).count();
        let n_low = r.accounts.iter().filter(|a| a.risk.level == "low").count();
        let n_ip = r.findings.iter().filter(|f| f.account.is_none()).count();
        let n_idle = r.accounts.iter().filter(|a| listed_idle(a)).count();
        write!(
            w,
            "<header><h1>authsweep report</h1><p class=\"period\">Period covered: <b>{}</b> to <b>{}</b>. \
             As of {}; inactive after {} days without a successful login.</p>\
             <nav><a href=\"#summary\">Summary</a><a href=\"#charts\">Charts</a>\
             <a href=\"#at-risk\">At risk ({n_risk})</a><a href=\"#low\">Low risk ({n_low})</a>\
             <a href=\"#addresses\">Addresses ({n_ip})</a><a href=\"#idle\">Inactive and never ({n_idle})</a>\
             <a href=\"#accounts\">All accounts ({})</a><a href=\"#coverage\">Coverage</a></nav>\
             <div id=\"tools\"></div></header><main>",
            esc(&opt_when(&r.period.first_event)),
            esc(&opt_when(&r.period.last_event)),
            esc(&opt_when(&r.as_of)),
            r.inactive_days,
            r.accounts.len()
        )
    }

    fn summary(&self, w: &mut dyn Write) -> io::Result<()> {
        let r = self.r;
        let i = &r.input;
        write!(
            w,
            "<section id=\"summary\"><h2>Summary</h2><div class=\"stats\">\
             <dl><dt>Files read</dt><dd>{}</dd><dt>Lines</dt><dd>{}</dd><dt>Events</dt><dd>{}</dd>\
             <dt>Unrecognized authentication lines</dt><dd>{}</dd></dl>",
            i.files, i.lines, i.events, i.unrecognized_auth_lines
        )?;
        if let Some(run) = &i.this_run {
            write!(
                w,
                "<dl><dt>Read in this run (--state)</dt><dd></dd><dt>Files with new lines</dt>\
                 <dd>{}</dd><dt>Lines</dt><dd>{}</dd><dt>Events</dt><dd>{}</dd></dl>",
                run.files, run.lines, run.events
            )?;
        }
        let mut status: BTreeMap<&str, usize> = BTreeMap::new();
        let mut risk: BTreeMap<u8, usize> = BTreeMap::new();
        for a in &r.accounts {
            *status.entry(a.status).or_default() += 1;
            *risk.entry(rank(a.risk.level)).or_default() += 1;
        }
        write!(w, "<dl><dt>Accounts</dt><dd>{}</dd>", r.accounts.len())?;
        for s in ["active", "inactive", "never", "new", "disabled"] {
            write!(
                w,
                "<dt>{s}</dt><dd class=\"st-{s}\">{}</dd>",
                status.get(s).unwrap_or(&0)
            )?;
        }
        write!(w, "</dl><dl><dt>Findings</dt><dd>{}</dd>", r.findings.len())?;
        for l in ["critical", "high", "medium", "low", "none"] {
            write!(
                w,
                "<dt>risk {l}</dt><dd class=\"sev-{l}\">{}</dd>",
                risk.get(&rank(l)).unwrap_or(&0)
            )?;
        }
        write!(w, "</dl></div>")?;
        if !i.skipped.is_empty() {
            write!(
                w,
                "<div class=\"warn\"><p>Some input could not be read; the report covers the rest:</p><ul>"
            )?;
            for s in &i.skipped {
                write!(w, "<li><code>{}</code>: {}</li>", esc(&s.file), esc(&s.why))?;
            }
            write!(w, "</ul></div>")?;
        }
        write!(w, "</section>")
    }

    fn charts(&self, w: &mut dyn Write) -> io::Result<()> {
        let x = self.x;
        write!(w, "<section id=\"charts\"><h2>What happened</h2>")?;
        write!(
            w,
            "<figure>{}<figcaption>Successful (upper) and failed (lower) logins per {}, \
             over the whole period{}.</figcaption></figure>",
            charts::daily(
                &x.days,
                &x.succ,
                &x.fail,
                &[],
                charts::BIG,
                "Successful and failed logins per day"
            ),
            if x.days.per_bin == 1 {
                "day".to_string()
            } else {
                format!("{} days", x.days.per_bin)
            },
            if x.days.bins == 0 { " (no events)" } else { "" }
        )?;
        write!(
            w,
            "<figure>{}<figcaption>Failed logins by day of week and hour of day (the report's \
             time zone): when the attacks came.</figcaption></figure>",
            charts::heatmap(&x.hour_weekday, "Failed logins by hour and weekday")
        )?;
        let ips: Vec<charts::Item> = x
            .top_ips
            .iter()
            .map(|t| {
                let label = match &t.place {
                    Some(p) => format!("{} ({p})", t.ip),
                    None => t.ip.clone(),
                };
                charts::Item {
                    tip: format!("{label}: {} failed logins", t.failures),
                    label,
                    value: t.failures,
                }
            })
            .collect();
        write!(
            w,
            "<figure>{}<figcaption>The {} addresses with the most failed logins: where the \
             attacks came from.</figcaption></figure>",
            charts::hbars(&ips, "bad", "Addresses with the most failed logins"),
            ips.len()
        )?;
        let mut targeted: Vec<&AccountOut> =
            self.r.accounts.iter().filter(|a| a.failures > 0).collect();
        targeted.sort_by(|a, b| b.failures.cmp(&a.failures).then(a.account.cmp(&b.account)));
        let accts: Vec<charts::Item> = targeted
            .iter()
            .take(data::TOP)
            .map(|a| charts::Item {
                label: a.account.clone(),
                value: a.failures,
                tip: format!(
                    "{}: {} failed logins ({}{})",
                    a.account,
                    a.failures,
                    a.status,
                    match a.in_roster {
                        Some(false) => ", not in the roster",
                        _ => "",
                    }
                ),
            })
            .collect();
        write!(
            w,
            "<figure>{}<figcaption>The {} user names with the most failed logins: against whom \
             (names not in the roster are guesses).</figcaption></figure></section>",
            charts::hbars(&accts, "tgt", "Accounts with the most failed logins"),
            accts.len()
        )
    }

    fn at_risk(&self, w: &mut dyn Write) -> io::Result<()> {
        let list: Vec<(usize, &AccountOut)> = self
            .r
            .accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| at_risk(a.risk.level))
            .collect();
        write!(
            w,
            "<section id=\"at-risk\"><h2>At risk ({})</h2><p class=\"note\">Accounts with a \
             finding of medium severity or above, highest score first. Each card below gives \
             the findings, the log lines to check and the recommended action.</p>",
            list.len()
        )?;
        if list.is_empty() {
            return write!(w, "<p>None.</p></section>");
        }
        write!(
            w,
            "<table class=\"data\" id=\"t-risk\"><thead><tr><th>Account</th><th data-f>Risk</th>\
             <th>Score</th><th data-f>Action</th><th>Findings</th><th>Last login</th>\
             <th data-f>Unit</th></tr></thead><tbody>"
        )?;
        for (i, a) in &list {
            let dets: Vec<&str> = self.findings_of(a).map(|f| f.detector).collect();
            write!(
                w,
                "<tr><td><a href=\"#r{i}\">{}</a></td><td data-v=\"{}\"><span class=\"badge sev-{}\">{}</span></td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&a.account),
                rank(a.risk.level),
                a.risk.level,
                a.risk.level,
                a.risk.score,
                a.action,
                dets.join(", "),
                day(&a.last_login),
                esc(a.unit.as_deref().unwrap_or(""))
            )?;
        }
        write!(w, "</tbody></table><div class=\"cards\">")?;
        for (i, a) in &list {
            self.card(w, *i, a)?;
        }
        write!(w, "</div></section>")
    }

    fn card(&self, w: &mut dyn Write, i: usize, a: &AccountOut) -> io::Result<()> {
        write!(
            w,
            "<article class=\"card sev-{}\" id=\"r{i}\"><h3><a href=\"#a{i}\">{}</a> \
             <span class=\"badge sev-{}\">{}</span> <span class=\"score\">score {}</span></h3>",
            a.risk.level,
            esc(&a.account),
            a.risk.level,
            a.risk.level,
            a.risk.score
        )?;
        write!(
            w,
            "<p class=\"action\"><b>Recommended action ({}):</b> {}",
            a.action,
            action_words(a.action)
        )?;
        if let Some(k) = &a.ticket_key {
            write!(w, " <span class=\"ticket\">Ticket {}</span>", esc(k))?;
        }
        write!(w, "</p><p class=\"meta\">")?;
        let mut meta = Vec::new();
        if let Some(n) = &a.name {
            meta.push(esc(n).into_owned());
        }
        if let Some(u) = &a.unit {
            meta.push(format!("unit {}", esc(u)));
        }
        meta.push(format!("status {}", a.status));
        if a.in_roster == Some(false) {
            meta.push("not in the roster".into());
        }
        meta.push(match &a.last_login {
            Some(t) => format!(
                "last login {} from {} ({})",
                esc(&when(t)),
                esc(a.last_login_ip.as_deref().unwrap_or("-")),
                a.last_login_service.unwrap_or("-")
            ),
            None => "no successful login".into(),
        });
        meta.push(format!("{} logins, {} failures", a.logins, a.failures));
        write!(w, "{}</p>", meta.join(" · "))?;
        if let Some(t) = self.x.account(&a.account).and_then(|e| e.timeline.as_ref()) {
            write!(
                w,
                "<figure>{}<figcaption>This account's successful (upper) and failed (lower) \
                 logins per day; shaded: its findings.</figcaption></figure>",
                charts::daily(
                    &self.x.days,
                    &t.succ,
                    &t.fail,
                    &t.windows,
                    charts::SMALL,
                    &format!("Timeline of {}", a.account)
                )
            )?;
        }
        write!(w, "<ol class=\"findings\">")?;
        for f in self.findings_of(a) {
            self.finding(w, f)?;
        }
        write!(w, "</ol></article>")
    }

    fn finding(&self, w: &mut dyn Write, f: &FindingOut) -> io::Result<()> {
        write!(
            w,
            "<li><span class=\"badge sev-{}\">{}</span> <b>{}</b>: {}<br><span class=\"meta\">{} to {}",
            f.severity,
            f.severity,
            f.detector,
            esc(&f.summary),
            esc(&when(&f.first)),
            esc(&when(&f.last))
        )?;
        if let Some(ip) = &f.ip {
            write!(w, " · {}", esc(ip))?;
            if let Some(p) = &f.ip_place {
                write!(w, " ({})", esc(p))?;
            }
        }
        write!(w, " · count {}</span>", f.count)?;
        evidence(w, f)?;
        write!(w, "</li>")
    }

    /// Accounts whose findings are all low, by detector: a count, one
    /// example, and the accounts (links to their details). On a large
    /// directory this is most accounts (stale passwords), so it is not a
    /// table of them.
    fn low(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut by: BTreeMap<&str, Vec<(usize, &AccountOut, &FindingOut)>> = BTreeMap::new();
        let mut n = 0;
        for (i, a) in self.r.accounts.iter().enumerate() {
            if a.risk.level != "low" {
                continue;
            }
            n += 1;
            for f in self.findings_of(a) {
                by.entry(f.detector).or_default().push((i, a, f));
            }
        }
        write!(
            w,
            "<section id=\"low\"><h2>Low-risk findings ({n} accounts)</h2><p class=\"note\">\
             Accounts whose findings are all low (stale passwords, cleartext logins, a new \
             country): context, and work for a password campaign.</p>"
        )?;
        if by.is_empty() {
            return write!(w, "<p>None.</p></section>");
        }
        write!(
            w,
            "<table class=\"data\" id=\"t-low\"><thead><tr><th>Detector</th><th>Accounts</th>\
             <th>For example</th></tr></thead><tbody>"
        )?;
        for (det, list) in &by {
            let (_, a, f) = list[0];
            write!(
                w,
                "<tr><td>{det}</td><td>{}</td><td>{}: {}<details><summary>All {} accounts</summary><p class=\"names\">",
                list.len(),
                esc(&a.account),
                esc(&f.summary),
                list.len()
            )?;
            for (k, (i, a, _)) in list.iter().enumerate() {
                if k > 0 {
                    write!(w, ", ")?;
                }
                write!(w, "<a href=\"#a{i}\">{}</a>", esc(&a.account))?;
            }
            write!(w, "</p></details></td></tr>")?;
        }
        write!(w, "</tbody></table></section>")
    }

    fn addresses(&self, w: &mut dyn Write) -> io::Result<()> {
        let list: Vec<&FindingOut> = self
            .r
            .findings
            .iter()
            .filter(|f| f.account.is_none())
            .collect();
        write!(
            w,
            "<section id=\"addresses\"><h2>Address findings ({})</h2><p class=\"note\">Addresses \
             that attacked many accounts or failed many times; a success from one of them on an \
             account is a finding of its own.</p>",
            list.len()
        )?;
        if list.is_empty() {
            return write!(w, "<p>None.</p></section>");
        }
        write!(
            w,
            "<table class=\"data\" id=\"t-ip\"><thead><tr><th>Address</th><th>Place</th>\
             <th data-f>Detector</th><th data-f>Severity</th><th>First</th><th>Last</th>\
             <th>Count</th><th>What happened</th></tr></thead><tbody>"
        )?;
        for f in list {
            write!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td data-v=\"{}\">{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}",
                esc(f.ip.as_deref().unwrap_or("-")),
                esc(f.ip_place.as_deref().unwrap_or("")),
                f.detector,
                rank(f.severity),
                f.severity,
                esc(&when(&f.first)),
                esc(&when(&f.last)),
                f.count,
                esc(&f.summary)
            )?;
            if !f.evidence.is_empty() {
                write!(
                    w,
                    "<details><summary>{} log lines</summary>",
                    f.evidence.len()
                )?;
                evidence(w, f)?;
                write!(w, "</details>")?;
            }
            write!(w, "</td></tr>")?;
        }
        write!(w, "</tbody></table></section>")
    }

    fn idle(&self, w: &mut dyn Write) -> io::Result<()> {
        let list: Vec<(usize, &AccountOut)> = self
            .r
            .accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| listed_idle(a))
            .collect();
        write!(
            w,
            "<section id=\"idle\"><h2>Inactive, never logged in and new ({})</h2>\
             <p class=\"note\"><i>never</i>: no successful login in these logs, which cover {} \
             to {}. <i>new</i>: created within the grace period, not to revoke yet.</p>",
            list.len(),
            esc(day(&self.r.period.first_event)),
            esc(day(&self.r.period.last_event))
        )?;
        if list.is_empty() {
            return write!(w, "<p>None.</p></section>");
        }
        let mut units: BTreeMap<Option<&str>, Vec<(usize, &AccountOut)>> = BTreeMap::new();
        for (i, a) in list {
            units.entry(a.unit.as_deref()).or_default().push((i, a));
        }
        // Accounts without a unit last.
        let mut groups: Vec<_> = units.into_iter().collect();
        groups.sort_by_key(|(u, _)| (u.is_none(), *u));
        let by_unit = groups.iter().any(|(u, _)| u.is_some());
        for (k, (unit, rows)) in groups.iter().enumerate() {
            if by_unit {
                write!(
                    w,
                    "<h3>{} ({})</h3>",
                    esc(unit.unwrap_or("No unit")),
                    rows.len()
                )?;
            }
            write!(
                w,
                "<table class=\"data\" id=\"t-idle{k}\"><thead><tr><th>Account</th><th>Name</th>\
                 <th data-f>Status</th><th>Last login</th><th>Days</th><th data-f>Service</th>\
                 <th data-f>Action</th></tr></thead><tbody>"
            )?;
            for (i, a) in rows {
                write!(
                    w,
                    "<tr><td><a href=\"#a{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
                     <td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&a.account),
                    esc(a.name.as_deref().unwrap_or("")),
                    a.status,
                    day(&a.last_login),
                    a.days_since_login
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    a.last_login_service.unwrap_or(""),
                    a.action
                )?;
            }
            write!(w, "</tbody></table>")?;
        }
        write!(w, "</section>")
    }

    /// Every account, as a list of `<details>` rows (a summary line laid
    /// out as a grid, the detail view under it) rather than a table: the
    /// rows lay out each on its own, so the browser renders only those on
    /// screen (`content-visibility`), and 20,000 accounts load in seconds
    /// where a table of them takes far longer.
    fn accounts(&self, w: &mut dyn Write) -> io::Result<()> {
        write!(
            w,
            "<section id=\"accounts\"><h2>All accounts ({})</h2><p class=\"note\">Every \
             account in the logs or the roster, in report order (risk score, then days since the \
             last login, then name). Open an account for its details.</p>\
             <div class=\"rows\" id=\"t-acc\"><div class=\"hd\"><span>Account</span>\
             <span data-f>Status</span><span data-f>Risk</span><span>Score</span>\
             <span data-f>Action</span><span>Last login</span><span data-f>Service</span>\
             <span>Days</span><span>Logins</span><span>Failures</span><span>Addresses</span>\
             <span data-f>Unit</span></div>",
            self.r.accounts.len()
        )?;
        for (i, a) in self.r.accounts.iter().enumerate() {
            write!(
                w,
                "<details id=\"a{i}\"><summary><span>{}</span><span>{}</span><span data-v=\"{}\">{}</span>\
                 <span>{}</span><span>{}</span><span>{}</span><span>{}</span><span>{}</span>\
                 <span>{}</span><span>{}</span><span>{}</span><span>{}</span></summary>",
                esc(&a.account),
                a.status,
                rank(a.risk.level),
                a.risk.level,
                a.risk.score,
                a.action,
                day(&a.last_login),
                a.last_login_service.unwrap_or(""),
                a.days_since_login.map(|d| d.to_string()).unwrap_or_default(),
                a.logins,
                a.failures,
                a.distinct_ips,
                esc(a.unit.as_deref().unwrap_or(""))
            )?;
            self.detail(w, a)?;
            write!(w, "</details>")?;
        }
        write!(w, "</div></section>")
    }

    /// The detail view of one account: who, last logins per service,
    /// client addresses and countries, findings, action.
    fn detail(&self, w: &mut dyn Write, a: &AccountOut) -> io::Result<()> {
        write!(w, "<dl class=\"det\">")?;
        let row = |w: &mut dyn Write, k: &str, v: &str| write!(w, "<dt>{k}</dt><dd>{v}</dd>");
        if let Some(n) = &a.name {
            row(w, "Name", &esc(n))?;
        }
        let mut notes = Vec::new();
        if a.in_roster == Some(false) {
            notes.push("not in the roster");
        }
        if a.service_account {
            notes.push("service account");
        }
        if a.status == "never" {
            notes.push("no successful login in these logs");
        }
        if !notes.is_empty() {
            row(w, "Note", &notes.join("; "))?;
        }
        if let Some(t) = &a.last_login {
            row(
                w,
                "Last login",
                &format!(
                    "{} from {} ({})",
                    esc(&when(t)),
                    esc(a.last_login_ip.as_deref().unwrap_or("-")),
                    a.last_login_service.unwrap_or("-")
                ),
            )?;
        }
        // Per service, when there is more than the last login says.
        if a.last_login_by_service.len() > 1 {
            let v: Vec<String> = a
                .last_login_by_service
                .iter()
                .map(|(s, t)| format!("{s} {}", esc(&when(t))))
                .collect();
            row(w, "Last per service", &v.join("<br>"))?;
        }
        for (k, v) in [
            ("Last webmail login", &a.last_interactive_login),
            ("Last attempt", &a.last_attempt),
            ("First seen", &a.first_seen),
            ("Password changed", &a.password_changed),
        ] {
            match v {
                // The last attempt only when it is not the last login.
                Some(t) if k != "Last attempt" || a.last_login.as_ref() != Some(t) => {
                    row(w, k, &esc(&when(t)))?
                }
                _ => {}
            }
        }
        if let Some(e) = self.x.account(&a.account) {
            if !e.addrs.is_empty() {
                let mut v: Vec<String> = e
                    .addrs
                    .iter()
                    .map(|d| {
                        let mut s = format!("{} ×{}, last {}", esc(&d.ip), d.logins, esc(&d.last));
                        if let Some(p) = &d.place {
                            s.push_str(&format!(" ({})", esc(p)));
                        }
                        s
                    })
                    .collect();
                if e.addr_count > e.addrs.len() {
                    v.push(format!("and {} more", e.addr_count - e.addrs.len()));
                }
                row(w, "Client addresses", &v.join("<br>"))?;
            }
            if !e.countries.is_empty() {
                let v: Vec<String> = e
                    .countries
                    .iter()
                    .map(|(c, n)| format!("{} ×{n}", esc(c)))
                    .collect();
                row(w, "Countries", &v.join(", "))?;
            }
        }
        let fs: Vec<String> = self
            .findings_of(a)
            .map(|f| {
                format!(
                    "<span class=\"badge sev-{}\">{}</span> {}: {}",
                    f.severity,
                    f.severity,
                    f.detector,
                    esc(&f.summary)
                )
            })
            .collect();
        if !fs.is_empty() {
            row(w, "Findings", &fs.join("<br>"))?;
        }
        if a.action != "none" {
            let mut v = format!("{}: {}", a.action, action_words(a.action));
            if let Some(k) = &a.ticket_key {
                v.push_str(&format!(" Ticket {}.", esc(k)));
            }
            row(w, "Action", &v)?;
        }
        write!(w, "</dl>")
    }

    fn coverage(&self, w: &mut dyn Write) -> io::Result<()> {
        let i = &self.r.input;
        write!(
            w,
            "<section id=\"coverage\"><h2>Coverage</h2><p class=\"note\">What was read, per \
             software and per file. Unrecognized authentication lines are lines of an \
             authentication program that were not understood (a changed wording after an \
             upgrade shows here).</p><table class=\"data\" id=\"t-src\"><thead><tr>\
             <th>Software</th><th>Lines</th><th>Events</th><th>Unrecognized</th></tr></thead><tbody>"
        )?;
        for (k, s) in &i.per_source {
            write!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(k),
                s.lines,
                s.events,
                s.unrecognized_auth_lines
            )?;
        }
        write!(
            w,
            "</tbody></table><table class=\"data\" id=\"t-files\"><thead><tr><th>File</th>\
             <th>Bytes</th><th>Lines</th><th>Events</th><th>Unrecognized</th></tr></thead><tbody>"
        )?;
        for f in &i.per_file {
            write!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.file),
                f.bytes,
                f.lines,
                f.events,
                f.unrecognized_auth_lines
            )?;
        }
        write!(w, "</tbody></table></section>")
    }
}

/// The inactive list of the report (inactive, never logged in), and the
/// new accounts beside it.
fn listed_idle(a: &AccountOut) -> bool {
    super::model::is_idle(a) || a.status == "new"
}

fn evidence(w: &mut dyn Write, f: &FindingOut) -> io::Result<()> {
    if f.evidence.is_empty() {
        return Ok(());
    }
    write!(w, "<ul class=\"evidence\">")?;
    for e in &f.evidence {
        write!(
            w,
            "<li><code class=\"loc\">{}:{}</code> <code>{}</code></li>",
            esc(&e.file),
            e.line,
            esc(e
                .text
                .as_deref()
                .unwrap_or("(the line could not be read back)"))
        )?;
    }
    write!(w, "</ul>")
}
