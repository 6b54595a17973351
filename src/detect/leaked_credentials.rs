//! `leaked_credentials`: the account is in a credential leak (`--leaked`);
//! high unless the password was changed after the leak.

use super::{account_name, Context, Detector, Finding, Severity};
use crate::account::{AccountId, Normalizer};
use crate::aggregate::{Aggregate, AliasMap, Ref};
use crate::parse::time::{parse_user_time, Zone};
use anyhow::{Context as _, Result};
use std::path::Path;

/// One account of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeakedEntry {
    /// The account.
    pub id: AccountId,
    /// The leak date (UTC seconds), when given.
    pub date: Option<i64>,
    /// 1-based line in the list.
    pub line: u64,
}

/// The `--leaked` list.
#[derive(Clone, Debug, Default)]
pub struct Leaked {
    /// Entries, in file order.
    pub entries: Vec<LeakedEntry>,
    /// When the list file was written (UTC seconds): the time of findings
    /// without a date, so their ids stay the same from run to run.
    pub file_time: i64,
}

impl Leaked {
    /// Read a list: one account per line, or CSV `account,date` (a header
    /// line is skipped), `#` comments.
    pub fn load(
        path: &Path,
        norm: &mut Normalizer,
        aliases: &AliasMap,
        zone: Zone,
    ) -> Result<Leaked> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let file_time = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        let mut out = Leaked {
            entries: Vec::new(),
            file_time,
        };
        for (i, line) in text.lines().enumerate() {
            let l = line.trim().trim_start_matches('\u{feff}');
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let mut cols = l.splitn(2, [',', ';', '\t']);
            let acct = cols.next().unwrap_or("").trim().trim_matches('"');
            let date = cols.next().map(|d| d.trim().trim_matches('"'));
            if i == 0 && acct.eq_ignore_ascii_case("account") {
                continue;
            }
            let date = match date.filter(|d| !d.is_empty()) {
                None => None,
                Some(d) => Some(parse_user_time(d, zone).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}:{}: {d:?} is not a date (YYYY-MM-DD or RFC 3339)",
                        path.display(),
                        i + 1
                    )
                })?),
            };
            let Some(key) = norm.key(acct.as_bytes()) else {
                continue;
            };
            let mut id = crate::account::account_id(key);
            if let Some((target, _)) = aliases.get(&id) {
                id = *target;
            }
            out.entries.push(LeakedEntry {
                id,
                date,
                line: i as u64 + 1,
            });
        }
        Ok(out)
    }
}

/// The account is on the `--leaked` list: high when no password change is
/// known after the leak date (or no date is given), low otherwise.
pub struct LeakedCredentials;

impl Detector for LeakedCredentials {
    fn code(&self) -> &'static str {
        "leaked_credentials"
    }

    /// Whole: it reads the list, not the aggregate's accounts.
    fn divisible(&self) -> bool {
        false
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let Some(list) = ctx.leaked else { return };
        let mut seen: Vec<AccountId> = Vec::new();
        for e in &list.entries {
            if seen.contains(&e.id) || account_name(ctx, agg, e.id).is_none() {
                continue;
            }
            seen.push(e.id);
            let a = agg.accounts.get(&e.id);
            let log_change = a.and_then(|a| a.password_changed);
            let roster_change = ctx
                .roster
                .and_then(|r| r.entries.get(&e.id))
                .and_then(|r| r.password_changed);
            let changed = log_change.map(|r| r.ts).max(roster_change);
            let after = match (e.date, changed) {
                (Some(d), Some(c)) => c > d,
                _ => false,
            };
            let ts = e.date.unwrap_or(list.file_time);
            let at = Ref { ts, loc: 0 };
            let mut evidence = Vec::new();
            if after {
                if let Some(r) = log_change.filter(|r| Some(r.ts) == changed) {
                    evidence.push(r);
                }
            }
            let day = |t: i64| {
                crate::parse::time::format_rfc3339(t, 0)
                    .get(..10)
                    .unwrap_or("")
                    .to_string()
            };
            out.push(Finding {
                detector: self.code(),
                severity: if after { Severity::Low } else { Severity::High },
                account: Some(e.id),
                ip: None,
                first: at,
                last: at,
                count: 1,
                summary: match (e.date, changed) {
                    (Some(d), Some(c)) if after => format!(
                        "in the leaked credentials list (leak of {}); password changed since, on {}",
                        day(d),
                        day(c)
                    ),
                    (Some(d), _) => format!(
                        "in the leaked credentials list (leak of {}); no password change known since",
                        day(d)
                    ),
                    (None, _) => format!(
                        "in the leaked credentials list (line {}, no leak date)",
                        e.line
                    ),
                },
                evidence,
            });
        }
    }
}
