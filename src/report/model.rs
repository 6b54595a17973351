//! The report as data (PRODUCT.md §5): accounts with their status, risk and
//! recommended action, findings with evidence, and the coverage of the
//! input. Every format renders this one model.

use super::text::{lossy, redact};
use crate::account::AccountId;
use crate::aggregate::{key_ip, Aggregate, Ref};
use crate::detect::{Finding, Severity};
use crate::event::Service;
use crate::input::{InputFile, Skipped};
use crate::parse::time::{format_rfc3339, Zone};
use crate::roster::Roster;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Settings that shape the report.
#[derive(Clone, Debug)]
pub struct ReportSettings {
    /// `--as-of` (UTC seconds); `None`: the latest event.
    pub as_of: Option<i64>,
    /// `--inactive-days`.
    pub inactive_days: i64,
    /// `--grace-days`.
    pub grace_days: i64,
    /// Zone for printed times.
    pub zone: Zone,
    /// Keep samples of unrecognized lines (`-v`).
    pub verbose: bool,
    /// Accounts never listed as inactive (config `service_accounts`).
    pub service_accounts: FxHashSet<AccountId>,
    /// `--geoip`: places of the addresses of findings.
    pub geo: Option<std::sync::Arc<crate::geo::Geo>>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Version of authsweep that wrote it.
    pub authsweep: &'static str,
    /// The "now" inactivity is measured from.
    pub as_of: Option<String>,
    /// `--inactive-days`.
    pub inactive_days: i64,
    /// The period the input covers.
    pub period: Period,
    /// What was read.
    pub input: InputSummary,
    /// Every account.
    pub accounts: Vec<AccountOut>,
    /// Every finding.
    pub findings: Vec<FindingOut>,
}

/// First and last event.
#[derive(Clone, Debug, Serialize)]
pub struct Period {
    /// First event.
    pub first_event: Option<String>,
    /// Last event.
    pub last_event: Option<String>,
}

/// Coverage of the input.
#[derive(Clone, Debug, Serialize)]
pub struct InputSummary {
    /// Files read (or tried).
    pub files: usize,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Events.
    pub events: u64,
    /// Lines of an authentication program that were not understood.
    pub unrecognized_auth_lines: u64,
    /// Events outside `--since`/`--until`.
    pub filtered_out: u64,
    /// Lines whose timestamp could not be decoded.
    pub bad_timestamps: u64,
    /// Inputs skipped (wholly or partly), and why.
    pub skipped: Vec<Skipped>,
    /// Per file.
    pub per_file: Vec<FileOut>,
    /// Per source (software).
    pub per_source: BTreeMap<String, SourceOut>,
    /// What this run read, when it went on from a saved state (`--state`);
    /// the other counts cover everything the state holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub this_run: Option<RunOut>,
}

/// What one incremental run read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunOut {
    /// Files with something new (read from where the last run stopped).
    pub files: usize,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Events.
    pub events: u64,
}

/// Coverage of one file.
#[derive(Clone, Debug, Serialize)]
pub struct FileOut {
    /// The file.
    pub file: String,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Events.
    pub events: u64,
    /// Unrecognized authentication lines.
    pub unrecognized_auth_lines: u64,
}

/// Coverage of one source.
#[derive(Clone, Debug, Serialize)]
pub struct SourceOut {
    /// Lines of this software.
    pub lines: u64,
    /// Events.
    pub events: u64,
    /// Unrecognized authentication lines.
    pub unrecognized_auth_lines: u64,
    /// Samples of them (`-v`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<Evidence>,
}

/// A line to check.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Evidence {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// The text (passwords redacted), or `null` when it could not be read back.
    pub text: Option<String>,
}

/// An account's risk.
#[derive(Clone, Debug, Serialize)]
pub struct Risk {
    /// Highest finding severity, or `none`.
    pub level: &'static str,
    /// 0-100 (see README).
    pub score: u32,
    /// Ids of its findings.
    pub findings: Vec<String>,
}

/// One account.
#[derive(Clone, Debug, Serialize)]
pub struct AccountOut {
    /// The account key.
    pub account: String,
    /// `active`, `inactive`, `never`, `new`, `disabled`.
    pub status: &'static str,
    /// In the roster (`null` without one).
    pub in_roster: Option<bool>,
    /// Roster display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Roster unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Service or role account.
    pub service_account: bool,
    /// Last successful login.
    pub last_login: Option<String>,
    /// Its address.
    pub last_login_ip: Option<String>,
    /// Its service.
    pub last_login_service: Option<&'static str>,
    /// Last attempt of any outcome.
    pub last_attempt: Option<String>,
    /// Last webmail (interactive) login.
    pub last_interactive_login: Option<String>,
    /// Last successful login per service.
    pub last_login_by_service: BTreeMap<&'static str, String>,
    /// Whole days from the last login to `as_of`.
    pub days_since_login: Option<i64>,
    /// Successful logins.
    pub logins: u64,
    /// Failed logins.
    pub failures: u64,
    /// Distinct addresses.
    pub distinct_ips: usize,
    /// First event.
    pub first_seen: Option<String>,
    /// Last password change (logs or roster).
    pub password_changed: Option<String>,
    /// Risk.
    pub risk: Risk,
    /// `revoke`, `reset_password`, `review`, `none`.
    pub action: &'static str,
    /// Stable key for a ticket (`null` when the action is `none`).
    pub ticket_key: Option<String>,
    #[serde(skip)]
    /// Risk score for sorting.
    pub sort_days: i64,
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
pub struct FindingOut {
    /// Stable id.
    pub id: String,
    /// Detector code.
    pub detector: &'static str,
    /// Severity.
    pub severity: &'static str,
    /// The account, or `null` for a finding about an address.
    pub account: Option<String>,
    /// The address most involved.
    pub ip: Option<String>,
    /// Where the address is (city, country, AS), with `--geoip`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_place: Option<String>,
    /// First line involved.
    pub first: String,
    /// Last line involved.
    pub last: String,
    /// Attempts, messages or logins.
    pub count: u64,
    /// One sentence.
    pub summary: String,
    /// Lines to check.
    pub evidence: Vec<Evidence>,
}

/// The refs whose text the report needs.
pub fn wanted_lines(findings: &[Finding], agg: &Aggregate, verbose: bool) -> BTreeSet<(u32, u64)> {
    let mut w = BTreeSet::new();
    for f in findings {
        for r in &f.evidence {
            if r.loc == 0 {
                continue;
            }
            w.insert((r.file(), r.line()));
        }
    }
    if verbose {
        for c in agg.sources.values() {
            for r in c.samples.iter() {
                w.insert((r.file(), r.line()));
            }
        }
    }
    w
}

fn finding_id(f: &Finding, name: Option<&str>) -> String {
    let key = format!(
        "{}|{}|{}|{}",
        f.detector,
        name.unwrap_or(""),
        f.ip.and_then(key_ip)
            .map(|i| i.to_string())
            .unwrap_or_default(),
        f.first.ts
    );
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}

/// Build the report.
#[allow(clippy::too_many_arguments)]
pub fn build(
    agg: &Aggregate,
    findings: &[Finding],
    roster: Option<&Roster>,
    files: &[InputFile],
    skipped: &[Skipped],
    texts: &BTreeMap<(u32, u64), Vec<u8>>,
    s: &ReportSettings,
) -> Report {
    let t = |ts: i64| format_rfc3339(ts, s.zone.offset_at_utc(ts));
    let file_name = |id: u32| {
        files
            .iter()
            .find(|f| f.id == id)
            .map_or_else(|| format!("#{id}"), |f| f.name.clone())
    };
    let evidence = |r: &Ref| Evidence {
        file: file_name(r.file()),
        line: r.line(),
        text: texts
            .get(&(r.file(), r.line()))
            .map(|b| lossy(&redact(b)).into_owned()),
    };
    let as_of = s.as_of.or(agg.last_event.map(|e| e.0));

    // Findings, with ids (rendered in parallel, kept in order).
    let fouts: Vec<FindingOut> = findings
        .par_iter()
        .map(|f| {
            let name = f.account.and_then(|id| {
                agg.accounts
                    .get(&id)
                    .map(|a| lossy(&a.name).into_owned())
                    .or_else(|| roster?.entries.get(&id).map(|e| e.account.clone()))
            });
            FindingOut {
                id: finding_id(f, name.as_deref()),
                detector: f.detector,
                severity: f.severity.as_str(),
                account: name,
                ip: f.ip.and_then(key_ip).map(|i| i.to_string()),
                ip_place: match (&s.geo, f.ip) {
                    (Some(g), Some(ip)) => g.place(ip).describe(),
                    _ => None,
                },
                first: t(f.first.ts),
                last: t(f.last.ts),
                count: f.count,
                summary: f.summary.clone(),
                evidence: f
                    .evidence
                    .iter()
                    .filter(|r| r.loc != 0)
                    .take(5)
                    .map(evidence)
                    .collect(),
            }
        })
        .collect();
    let mut by_account: FxHashMap<AccountId, Vec<(Severity, &str, i64)>> = FxHashMap::default();
    for (f, out) in findings.iter().zip(&fouts) {
        if let Some(acc) = f.account {
            by_account
                .entry(acc)
                .or_default()
                .push((f.severity, &out.id, f.first.ts));
        }
    }

    // Accounts: every one seen in the logs, and every roster account
    // (built in parallel, in id order).
    let mut ids: Vec<AccountId> = agg.accounts.keys().copied().collect();
    if let Some(r) = roster {
        ids.extend(r.entries.keys().copied());
    }
    ids.par_sort_unstable();
    ids.dedup();
    let mut accounts: Vec<AccountOut> = ids
        .par_iter()
        .filter_map(|&id| {
            let a = agg.accounts.get(&id);
            let entry = roster.and_then(|r| r.entries.get(&id));
            let name = match (a, entry) {
                (_, Some(e)) => e.account.clone(),
                (Some(a), None) => lossy(&a.name).into_owned(),
                (None, None) => return None,
            };
            let last_login = a.and_then(|a| a.last_login);
            let days = match (last_login, as_of) {
                (Some(l), Some(now)) => Some((now - l.at.ts).div_euclid(86_400)),
                _ => None,
            };
            let in_roster = roster.map(|_| entry.is_some());
            let service = entry.is_some_and(|e| e.service) || s.service_accounts.contains(&id);
            let status = if entry.is_some_and(|e| e.disabled) {
                "disabled"
            } else if let Some(l) = last_login {
                match as_of {
                    Some(now) if now - l.at.ts > s.inactive_days * 86_400 => "inactive",
                    _ => "active",
                }
            } else {
                match (entry.and_then(|e| e.created), as_of) {
                    (Some(c), Some(now)) if now - c < s.grace_days * 86_400 => "new",
                    _ => "never",
                }
            };
            let mut fs = by_account.get(&id).cloned().unwrap_or_default();
            fs.sort_by(|x, y| y.0.cmp(&x.0).then(x.2.cmp(&y.2)).then(x.1.cmp(y.1)));
            let level = fs.first().map(|f| f.0);
            let score = level.map_or(0, |l| (l.weight() + 5 * (fs.len() as u32 - 1)).min(100));
            let eligible_revoke = !service
                && (in_roster == Some(true) || (in_roster.is_none() && last_login.is_some()));
            let action = match (status, level) {
                ("inactive" | "never", _) if eligible_revoke => "revoke",
                ("disabled", _) => "none",
                (_, Some(Severity::High | Severity::Critical)) => "reset_password",
                (_, Some(Severity::Medium)) => "review",
                _ => "none",
            };
            // The finding window (PRODUCT.md §6): the UTC day the findings
            // that call for the action start (for `revoke`, the day of the last
            // login), so the next night's run gives the same key, whatever
            // --tz, and a new incident on another day a new one.
            let utc_day = |ts: i64| format_rfc3339(ts, 0)[..10].to_string();
            let window = match action {
                "none" => String::new(),
                "revoke" => last_login.map(|l| utc_day(l.at.ts)).unwrap_or_default(),
                _ => {
                    let need = if action == "review" {
                        Severity::Medium
                    } else {
                        Severity::High
                    };
                    fs.iter()
                        .filter(|f| f.0 >= need)
                        .map(|f| f.2)
                        .min()
                        .map(utc_day)
                        .unwrap_or_default()
                }
            };
            let ticket_key = (action != "none").then(|| {
                let k = format!("{name}|{action}|{window}");
                format!("AS-{:010x}", xxhash_rust::xxh3::xxh3_64(k.as_bytes()) >> 24)
            });
            let pwd = a
                .and_then(|a| a.password_changed.map(|r| r.ts))
                .max(entry.and_then(|e| e.password_changed));
            let by_service: BTreeMap<&'static str, String> = a
                .map(|a| {
                    Service::ALL
                        .iter()
                        .filter_map(|s| a.by_service[s.index()].map(|ts| (s.as_str(), t(ts))))
                        .collect()
                })
                .unwrap_or_default();
            Some(AccountOut {
                account: name,
                status,
                in_roster,
                name: entry.and_then(|e| e.name.clone()),
                unit: entry.and_then(|e| e.unit.clone()),
                service_account: service,
                last_login: last_login.map(|l| t(l.at.ts)),
                last_login_ip: last_login.and_then(|l| key_ip(l.ip)).map(|i| i.to_string()),
                last_login_service: last_login.map(|l| l.service.as_str()),
                last_attempt: a.and_then(|a| a.last_attempt).map(|r| t(r.ts)),
                last_interactive_login: a.and_then(|a| a.last_interactive).map(t),
                last_login_by_service: by_service,
                days_since_login: days,
                logins: a.map_or(0, |a| a.logins),
                failures: a.map_or(0, |a| a.failures),
                distinct_ips: a.map_or(0, |a| a.distinct_ips()),
                first_seen: a.and_then(|a| a.first_seen).map(|r| t(r.ts)),
                password_changed: pwd.map(t),
                risk: Risk {
                    level: level.map_or("none", |l| l.as_str()),
                    score,
                    findings: fs.into_iter().map(|f| f.1.to_string()).collect(),
                },
                action,
                ticket_key,
                sort_days: days.unwrap_or(i64::MAX),
            })
        })
        .collect();
    accounts.par_sort_by(|x, y| {
        y.risk
            .score
            .cmp(&x.risk.score)
            .then(y.sort_days.cmp(&x.sort_days))
            .then(x.account.cmp(&y.account))
    });

    // Coverage.
    let mut per_file = Vec::new();
    let (mut bytes, mut lines, mut events, mut unrec) = (0, 0, 0, 0);
    for f in files {
        let c = agg.files.get(&f.id).cloned().unwrap_or_default();
        bytes += c.bytes;
        lines += c.lines;
        events += c.events;
        unrec += c.unrecognized;
        per_file.push(FileOut {
            file: f.name.clone(),
            bytes: c.bytes,
            lines: c.lines,
            events: c.events,
            unrecognized_auth_lines: c.unrecognized,
        });
    }
    let per_source = agg
        .sources
        .iter()
        .map(|(k, c)| {
            (
                k.clone(),
                SourceOut {
                    lines: c.lines,
                    events: c.events,
                    unrecognized_auth_lines: c.unrecognized,
                    samples: if s.verbose {
                        c.samples.iter().map(evidence).collect()
                    } else {
                        Vec::new()
                    },
                },
            )
        })
        .collect();
    per_file.sort_by(|a, b| a.file.cmp(&b.file));
    let mut skipped = skipped.to_vec();
    skipped.sort_by(|a, b| a.file.cmp(&b.file).then(a.why.cmp(&b.why)));

    Report {
        authsweep: env!("CARGO_PKG_VERSION"),
        as_of: as_of.map(t),
        inactive_days: s.inactive_days,
        period: Period {
            first_event: agg.first_event.map(|e| t(e.0)),
            last_event: agg.last_event.map(|e| t(e.0)),
        },
        input: InputSummary {
            files: files.len(),
            bytes,
            lines,
            events,
            unrecognized_auth_lines: unrec,
            filtered_out: agg.filtered_out,
            bad_timestamps: agg.bad_timestamps,
            skipped,
            per_file,
            per_source,
            this_run: None,
        },
        accounts,
        findings: fouts,
    }
}

/// Whether the account belongs on the inactive list: inactive, or never
/// logged in while issued (in the roster, or no roster given); service
/// accounts never do. Names seen only in failed attempts and not in the
/// roster (an attacker's guesses) are not accounts to revoke.
pub fn is_idle(a: &AccountOut) -> bool {
    !a.service_account
        && match a.status {
            "inactive" => true,
            "never" => a.in_roster == Some(true),
            _ => false,
        }
}
