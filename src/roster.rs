//! The roster of issued accounts (`--roster`): a CSV with a header, or one
//! account per line.

use crate::account::{account_id, AccountId, Normalizer};
use crate::parse::time::{parse_user_time, Zone};
use anyhow::{bail, Context, Result};
use rustc_hash::FxHashMap;
use std::path::Path;

/// One issued account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterEntry {
    /// The account key.
    pub account: String,
    /// Display name.
    pub name: Option<String>,
    /// Organisational unit.
    pub unit: Option<String>,
    /// Other names that are the same account.
    pub aliases: Vec<String>,
    /// Creation time (UTC seconds).
    pub created: Option<i64>,
    /// Marked disabled.
    pub disabled: bool,
    /// Last password change (UTC seconds).
    pub password_changed: Option<i64>,
    /// A service or role account (never listed as inactive).
    pub service: bool,
}

/// The roster, by account id.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    /// Entries by account id.
    pub entries: FxHashMap<AccountId, RosterEntry>,
}

fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "yes" | "y" | "true" | "1" | "x" | "disabled" | "locked" | "closed"
    )
}

impl Roster {
    /// Load a roster file; the format is told from its content.
    pub fn load(path: &Path, norm: &mut Normalizer, zone: Zone) -> Result<Roster> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("{}: cannot read roster", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        let looks_csv = first.contains(',')
            || first
                .split([',', ';', '\t'])
                .any(|c| c.trim().eq_ignore_ascii_case("account"));
        if looks_csv {
            Self::load_csv(path, text, norm, zone)
        } else {
            let mut r = Roster::default();
            for line in text.lines() {
                let l = line.trim();
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                r.add(
                    RosterEntry {
                        account: l.to_string(),
                        ..RosterEntry::default()
                    },
                    norm,
                );
            }
            Ok(r)
        }
    }

    fn load_csv(path: &Path, text: &str, norm: &mut Normalizer, zone: Zone) -> Result<Roster> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let headers: Vec<String> = rdr
            .headers()
            .with_context(|| format!("{}: cannot read the CSV header", path.display()))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let Some(acc) = col("account") else {
            bail!(
                "{}: the roster's header has no `account` column (found: {})",
                path.display(),
                headers.join(", ")
            );
        };
        let (name, unit, aliases, created, disabled, pwd, service) = (
            col("name"),
            col("unit"),
            col("aliases"),
            col("created"),
            col("disabled"),
            col("password_changed"),
            col("service"),
        );
        let mut r = Roster::default();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.with_context(|| format!("{}: line {}", path.display(), i + 2))?;
            let get = |c: Option<usize>| {
                c.and_then(|c| rec.get(c))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let Some(account) = get(Some(acc)) else {
                continue;
            };
            let date = |c: Option<usize>, what: &str| -> Result<Option<i64>> {
                match get(c) {
                    None => Ok(None),
                    Some(s) => parse_user_time(s, zone).map(Some).with_context(|| {
                        format!(
                            "{}: line {}: `{what}` is not a date (YYYY-MM-DD or RFC 3339): {s:?}",
                            path.display(),
                            i + 2
                        )
                    }),
                }
            };
            let entry = RosterEntry {
                account: account.to_string(),
                name: get(name).map(String::from),
                unit: get(unit).map(String::from),
                aliases: get(aliases)
                    .map(|a| {
                        a.split(';')
                            .map(|x| x.trim().to_string())
                            .filter(|x| !x.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                created: date(created, "created")?,
                disabled: get(disabled).is_some_and(truthy),
                password_changed: date(pwd, "password_changed")?,
                service: get(service).is_some_and(truthy),
            };
            r.add(entry, norm);
        }
        Ok(r)
    }

    fn add(&mut self, mut e: RosterEntry, norm: &mut Normalizer) {
        let Some(key) = norm.key(e.account.as_bytes()) else {
            return;
        };
        e.account = String::from_utf8_lossy(key).into_owned();
        let mut aliases = Vec::new();
        for a in &e.aliases {
            if let Some(k) = norm.key(a.as_bytes()) {
                aliases.push(String::from_utf8_lossy(k).into_owned());
            }
        }
        e.aliases = aliases;
        self.entries.insert(account_id(e.account.as_bytes()), e);
    }

    /// Alias id → (account id, account key), for the fold.
    pub fn alias_map(&self) -> crate::aggregate::AliasMap {
        let mut m = FxHashMap::default();
        for (id, e) in &self.entries {
            for a in &e.aliases {
                let aid = account_id(a.as_bytes());
                if aid != *id {
                    m.insert(aid, (*id, e.account.as_bytes().into()));
                }
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn csv_roster_with_aliases_and_flags() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            f,
            "account,name,unit,aliases,created,disabled,password_changed,service\n\
             Alice@Example.gov,Alice A,Finance,a.a@example.gov;alice.old@example.gov,2020-01-05,,2024-06-01,\n\
             noreply@example.gov,,IT,,,,,yes\n\
             bob@example.gov,Bob,,,,yes,,"
        )
        .unwrap();
        let mut n = Normalizer::new(None);
        let r = Roster::load(f.path(), &mut n, Zone::Utc).unwrap();
        assert_eq!(r.entries.len(), 3);
        let a = &r.entries[&account_id(b"alice@example.gov")];
        assert_eq!(a.unit.as_deref(), Some("Finance"));
        assert_eq!(a.aliases, vec!["a.a@example.gov", "alice.old@example.gov"]);
        assert!(r.entries[&account_id(b"noreply@example.gov")].service);
        assert!(r.entries[&account_id(b"bob@example.gov")].disabled);
        let m = r.alias_map();
        assert_eq!(
            m[&account_id(b"a.a@example.gov")].0,
            account_id(b"alice@example.gov")
        );
    }

    #[test]
    fn plain_list_and_bad_header() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "# issued\nalice\nbob\n").unwrap();
        let mut n = Normalizer::new(Some("example.gov"));
        let r = Roster::load(f.path(), &mut n, Zone::Utc).unwrap();
        assert!(r.entries.contains_key(&account_id(b"bob@example.gov")));
        let mut g = tempfile::NamedTempFile::new().unwrap();
        writeln!(g, "user,unit\nalice,x").unwrap();
        let e = Roster::load(g.path(), &mut n, Zone::Utc).unwrap_err();
        assert!(format!("{e:#}").contains("no `account` column"));
    }
}
