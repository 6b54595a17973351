//! The roster of issued accounts (`--roster`): a CSV with a header, one
//! account per line, an LDIF export of a directory, or the output of
//! Zimbra's `zmprov -l gaa -v`. The format is told from the content.

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
    /// The directory's own last logon time (Zimbra
    /// `zimbraLastLogonTimestamp`), UTC seconds, when the roster gives it.
    pub last_logon: Option<i64>,
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
        if let Some(kind) = directory_kind(text) {
            let mut r = Roster::default();
            for e in directory_entries(text, kind) {
                r.add(e, norm);
            }
            return Ok(r);
        }
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
                last_logon: None,
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

/// The two directory dump formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DirectoryKind {
    /// RFC 2849 LDIF (`dn:` records separated by blank lines).
    Ldif,
    /// `zmprov -l gaa -v`: `# name ADDRESS` then `attr: value` lines.
    Zmprov,
}

/// Whether the text is an LDIF export or a `zmprov` dump: decided by its
/// first lines that are not blank.
fn directory_kind(text: &str) -> Option<DirectoryKind> {
    for line in text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .take(50)
    {
        if line.starts_with("# name ") {
            return Some(DirectoryKind::Zmprov);
        }
        if line.starts_with('#') {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("dn:") || lower.starts_with("version:") {
            return Some(DirectoryKind::Ldif);
        }
        return None;
    }
    None
}

/// Decode standard base64 (`attr:: value` in LDIF), ignoring whitespace.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut pad = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (pad <= 2).then_some(out)
}

/// One record of a directory dump: attribute names lower-cased, options
/// (`;lang-en`) dropped, values decoded.
#[derive(Debug, Default)]
struct Record {
    /// `# name` of a zmprov block.
    name: Option<String>,
    attrs: Vec<(String, String)>,
}

impl Record {
    fn all<'a>(&'a self, attr: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attrs
            .iter()
            .filter(move |(k, _)| k == attr)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn first(&self, attr: &str) -> Option<&str> {
        self.attrs
            .iter()
            .filter(|(k, _)| k == attr)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    }

    fn first_of(&self, attrs: &[&str]) -> Option<&str> {
        attrs.iter().find_map(|a| self.first(a))
    }
}

/// Split a dump into records. LDIF: records end at a blank line, a line
/// starting with a space continues the previous one, `attr:: ` values are
/// base64. zmprov: a record starts at each `# name` line.
fn records(text: &str, kind: DirectoryKind) -> Vec<Record> {
    // Unfold continuation lines first (LDIF; zmprov does not fold).
    let mut logical: Vec<String> = Vec::new();
    for raw in text.lines() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if kind == DirectoryKind::Ldif {
            if let Some(cont) = line.strip_prefix(' ') {
                if let Some(last) = logical.last_mut() {
                    if !last.is_empty() {
                        last.push_str(cont);
                        continue;
                    }
                }
            }
        }
        logical.push(line.to_string());
    }
    let mut out = Vec::new();
    let mut cur = Record::default();
    let flush = |cur: &mut Record, out: &mut Vec<Record>| {
        if cur.name.is_some() || !cur.attrs.is_empty() {
            out.push(std::mem::take(cur));
        }
    };
    for line in &logical {
        if line.trim().is_empty() {
            if kind == DirectoryKind::Ldif {
                flush(&mut cur, &mut out);
            }
            continue;
        }
        if let Some(name) = line.strip_prefix("# name ") {
            if kind == DirectoryKind::Zmprov {
                flush(&mut cur, &mut out);
                cur.name = Some(name.trim().to_string());
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let Some(colon) = line.find(':') else {
            // A zmprov value spanning lines (a signature): not an attribute.
            continue;
        };
        let name = &line[..colon];
        if name.is_empty() || name.contains(' ') {
            continue;
        }
        let name = name.split(';').next().unwrap_or(name).to_ascii_lowercase();
        let rest = &line[colon + 1..];
        let value = if let Some(b64) = rest.strip_prefix(':') {
            match base64_decode(b64.trim()) {
                Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                None => continue,
            }
        } else if rest.starts_with('<') {
            // `attr:< file://...`: not read.
            continue;
        } else {
            rest.strip_prefix(' ').unwrap_or(rest).to_string()
        };
        cur.attrs.push((name, value));
    }
    flush(&mut cur, &mut out);
    out
}

/// An LDAP GeneralizedTime (`20190304120000Z`, `20190304120000.0Z`,
/// `201903041200Z`, `20190304120000+0100`) as UTC seconds.
pub fn generalized_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits < 10 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> { s.get(r)?.parse().ok() };
    let year = num(0..4)? as i32;
    let month = num(4..6)?;
    let day = num(6..8)?;
    let hour = num(8..10)?;
    let min = if digits >= 12 { num(10..12)? } else { 0 };
    let sec = if digits >= 14 { num(12..14)? } else { 0 };
    if !(1..=12).contains(&month) || day == 0 || day > 31 || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[digits..];
    if let Some(r) = rest.strip_prefix(['.', ',']) {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest.as_bytes() {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if rest.len() == 5 => {
            let h: i64 = rest[1..3].parse().ok()?;
            let m: i64 = rest[3..5].parse().ok()?;
            let o = h * 3600 + m * 60;
            if *sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    let days = crate::parse::time::days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(hour * 3600 + min * 60 + sec.min(59)) - offset)
}

/// A time attribute: GeneralizedTime, or Active Directory's FILETIME
/// (`pwdLastSet`: 100 ns since 1601; 0 means "must change"), or days since
/// 1970 (`shadowLastChange`).
fn directory_time(attr: &str, v: &str) -> Option<i64> {
    if attr == "shadowlastchange" {
        return v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| *d > 0)
            .map(|d| d * 86_400);
    }
    if attr == "pwdlastset" {
        let ft: i64 = v.trim().parse().ok()?;
        if ft <= 0 {
            return None;
        }
        return Some(ft / 10_000_000 - 11_644_473_600);
    }
    generalized_time(v)
}

fn truthy_attr(v: &str) -> bool {
    matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "1")
}

/// Turn a directory record into a roster entry, or `None` for records that
/// are not accounts (groups, units, entries without an address or uid).
fn record_entry(r: &Record, kind: DirectoryKind) -> Option<RosterEntry> {
    let classes: Vec<String> = r.all("objectclass").map(str::to_ascii_lowercase).collect();
    if classes.iter().any(|c| {
        c.contains("group") || c == "organizationalunit" || c == "domain" || c == "dcobject"
    }) {
        return None;
    }
    let mut addresses: Vec<&str> = Vec::new();
    let primary = match kind {
        DirectoryKind::Zmprov => r
            .first("zimbramaildeliveryaddress")
            .or(r.name.as_deref())
            .or_else(|| r.first("mail")),
        DirectoryKind::Ldif => r.first_of(&["mail", "userprincipalname", "uid", "samaccountname"]),
    }?;
    for attr in [
        "mail",
        "mailalternateaddress",
        "maillocaladdress",
        "zimbramailalias",
    ] {
        addresses.extend(r.all(attr));
    }
    for p in r.all("proxyaddresses") {
        // Active Directory: `SMTP:primary`, `smtp:alias`, `X500:...`.
        if let Some(a) = p.strip_prefix("smtp:").or_else(|| p.strip_prefix("SMTP:")) {
            addresses.push(a);
        }
    }
    let key = primary.to_ascii_lowercase();
    let mut aliases: Vec<String> = Vec::new();
    for a in addresses {
        let l = a.to_ascii_lowercase();
        if l != key && !aliases.contains(&l) {
            aliases.push(l);
        }
    }
    let created = ["createtimestamp", "zimbracreatetimestamp", "whencreated"]
        .iter()
        .find_map(|a| r.first(a).and_then(generalized_time));
    let password_changed = [
        "zimbrapasswordmodifiedtime",
        "pwdchangedtime",
        "pwdlastset",
        "shadowlastchange",
    ]
    .iter()
    .find_map(|a| r.first(a).and_then(|v| directory_time(a, v)));
    let status = r
        .first_of(&["zimbraaccountstatus", "accountstatus"])
        .map(str::to_ascii_lowercase);
    let disabled = matches!(
        status.as_deref(),
        Some("closed" | "locked" | "lockout" | "maintenance" | "disabled" | "inactive")
    ) || r.first("nsaccountlock").is_some_and(truthy_attr)
        || r.first("logindisabled").is_some_and(truthy_attr)
        || r.first("pwdaccountlockedtime").is_some()
        || r.first("useraccountcontrol")
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|uac| uac & 2 != 0);
    let service = r.first("zimbraissystemaccount").is_some_and(truthy_attr)
        || r.first("zimbraissystemresource").is_some_and(truthy_attr)
        || r.first("zimbracalrestype").is_some();
    let unit = r
        .first_of(&["ou", "department", "departmentnumber"])
        .map(String::from)
        .or_else(|| {
            let dn = r.first("dn")?;
            dn.split(',')
                .map(str::trim)
                .find_map(|c| c.strip_prefix("ou=").or_else(|| c.strip_prefix("OU=")))
                .map(String::from)
        });
    Some(RosterEntry {
        account: primary.to_string(),
        name: r.first_of(&["displayname", "cn"]).map(String::from),
        unit,
        aliases,
        created,
        disabled,
        password_changed,
        service,
        last_logon: r
            .first_of(&["zimbralastlogontimestamp", "lastlogontimestamp"])
            .and_then(|v| match v.parse::<i64>() {
                // AD's lastLogonTimestamp is a FILETIME.
                Ok(ft) if ft > 0 => Some(ft / 10_000_000 - 11_644_473_600),
                Ok(_) => None,
                Err(_) => generalized_time(v),
            }),
    })
}

/// The roster entries of a directory dump.
fn directory_entries(text: &str, kind: DirectoryKind) -> Vec<RosterEntry> {
    records(text, kind)
        .iter()
        .filter_map(|r| record_entry(r, kind))
        .collect()
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

    fn load_text(text: &str, domain: Option<&str>) -> Roster {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        let mut n = Normalizer::new(domain);
        Roster::load(f.path(), &mut n, Zone::Utc).unwrap()
    }

    fn utc(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn base64_and_generalized_time() {
        assert_eq!(
            base64_decode("YWxpY2VAZXhhbXBsZS5nb3Y=").unwrap(),
            b"alice@example.gov"
        );
        assert_eq!(base64_decode("w6lsaWU=").unwrap(), "\u{e9}lie".as_bytes());
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert!(base64_decode("a$b").is_none());
        assert!(base64_decode("YQ==YQ").is_none());
        assert_eq!(
            generalized_time("20190304120000Z"),
            Some(utc("2019-03-04T12:00:00Z"))
        );
        assert_eq!(
            generalized_time("20190304120000.0Z"),
            Some(utc("2019-03-04T12:00:00Z"))
        );
        assert_eq!(
            generalized_time("20190304120000+0100"),
            Some(utc("2019-03-04T11:00:00Z"))
        );
        assert_eq!(
            generalized_time("201903041200Z"),
            Some(utc("2019-03-04T12:00:00Z"))
        );
        assert_eq!(generalized_time("20191304120000Z"), None);
        assert_eq!(generalized_time("yesterday"), None);
    }

    // RFC 2849 LDIF as `ldapsearch -LLL` / `slapcat` write it: folded
    // lines, base64 values, operational attributes, entries that are not
    // accounts.
    #[test]
    fn ldif_export() {
        let ldif = "version: 1\n\
\n\
dn: ou=Finance,dc=example,dc=gov\n\
objectClass: organizationalUnit\n\
ou: Finance\n\
\n\
# alice\n\
dn: uid=alice,ou=Finance,dc=example,dc=gov\n\
objectClass: inetOrgPerson\n\
uid: alice\n\
cn: Alice Example\n\
mail: Alice@Example.gov\n\
mailAlternateAddress: a.example@example.gov\n\
mailAlternateAddress: alice.old@exam\n ple.gov\n\
createTimestamp: 20190304120000Z\n\
pwdChangedTime: 20240601080000Z\n\
\n\
dn:: dWlkPWJvYixvdT1JVCxkYz1leGFtcGxlLGRjPWdvdg==\n\
objectClass: inetOrgPerson\n\
uid: bob\n\
mail:: Ym9iQGV4YW1wbGUuZ292\n\
displayName:: QsO2YiBCdWlsZGVy\n\
nsAccountLock: TRUE\n\
\n\
dn: uid=carol,ou=IT,dc=example,dc=gov\n\
objectClass: person\n\
uid: carol\n\
mail: carol@example.gov\n\
pwdAccountLockedTime: 000001010000Z\n\
\n\
dn: cn=staff,dc=example,dc=gov\n\
objectClass: groupOfNames\n\
mail: staff@example.gov\n\
\n\
dn: CN=Dave,OU=Sales,DC=example,DC=gov\n\
objectClass: user\n\
sAMAccountName: dave\n\
mail: dave@example.gov\n\
proxyAddresses: SMTP:dave@example.gov\n\
proxyAddresses: smtp:d@example.gov\n\
userAccountControl: 514\n\
whenCreated: 20200101000000.0Z\n\
pwdLastSet: 132223104000000000\n\
";
        let r = load_text(ldif, None);
        assert_eq!(r.entries.len(), 4, "{:?}", r.entries);
        let a = &r.entries[&account_id(b"alice@example.gov")];
        assert_eq!(a.name.as_deref(), Some("Alice Example"));
        assert_eq!(a.unit.as_deref(), Some("Finance"));
        assert_eq!(
            a.aliases,
            vec!["a.example@example.gov", "alice.old@example.gov"]
        );
        assert_eq!(a.created, Some(utc("2019-03-04T12:00:00Z")));
        assert_eq!(a.password_changed, Some(utc("2024-06-01T08:00:00Z")));
        assert!(!a.disabled);
        let b = &r.entries[&account_id(b"bob@example.gov")];
        assert!(b.disabled);
        assert_eq!(b.name.as_deref(), Some("B\u{f6}b Builder"));
        assert_eq!(b.unit.as_deref(), Some("IT"));
        assert!(r.entries[&account_id(b"carol@example.gov")].disabled);
        let d = &r.entries[&account_id(b"dave@example.gov")];
        assert!(d.disabled);
        assert_eq!(d.aliases, vec!["d@example.gov"]);
        assert_eq!(d.unit.as_deref(), Some("Sales"));
        assert_eq!(d.created, Some(utc("2020-01-01T00:00:00Z")));
        // 132223104000000000 (FILETIME) = 2020-01-01T00:00:00Z.
        assert_eq!(d.password_changed, Some(utc("2020-01-01T00:00:00Z")));
        assert!(!r.entries.contains_key(&account_id(b"staff@example.gov")));
    }

    // `zmprov -l gaa -v`: a `# name` line, then `attr: value` lines.
    #[test]
    fn zmprov_dump() {
        let dump = "# name alice@example.gov\n\
cn: Alice Example\n\
displayName: Alice Example\n\
mail: alice@example.gov\n\
mail: a.example@example.gov\n\
objectClass: inetOrgPerson\n\
objectClass: zimbraAccount\n\
ou: Finance\n\
zimbraAccountStatus: active\n\
zimbraCreateTimestamp: 20190304120000Z\n\
zimbraId: 3b7c1a6e-0000-4000-8000-000000000001\n\
zimbraLastLogonTimestamp: 20251120093000Z\n\
zimbraMailAlias: a.example@example.gov\n\
zimbraMailDeliveryAddress: alice@example.gov\n\
zimbraPasswordModifiedTime: 20250101000000Z\n\
zimbraPrefMailSignature: Alice\n\
Finance: room 12\n\
\n\
# name bob@example.gov\n\
mail: bob@example.gov\n\
zimbraAccountStatus: closed\n\
zimbraMailDeliveryAddress: bob@example.gov\n\
# name carol@example.gov\n\
zimbraAccountStatus: lockout\n\
zimbraMailDeliveryAddress: carol@example.gov\n\
\n\
# name galsync.x1@example.gov\n\
zimbraAccountStatus: active\n\
zimbraIsSystemAccount: TRUE\n\
zimbraMailDeliveryAddress: galsync.x1@example.gov\n\
\n\
# name maint@example.gov\n\
zimbraAccountStatus: maintenance\n\
";
        let r = load_text(dump, None);
        assert_eq!(r.entries.len(), 5);
        let a = &r.entries[&account_id(b"alice@example.gov")];
        assert_eq!(a.aliases, vec!["a.example@example.gov"]);
        assert_eq!(a.created, Some(utc("2019-03-04T12:00:00Z")));
        assert_eq!(a.password_changed, Some(utc("2025-01-01T00:00:00Z")));
        assert_eq!(a.last_logon, Some(utc("2025-11-20T09:30:00Z")));
        assert_eq!(a.unit.as_deref(), Some("Finance"));
        assert!(!a.disabled);
        assert!(r.entries[&account_id(b"bob@example.gov")].disabled);
        assert!(r.entries[&account_id(b"carol@example.gov")].disabled);
        assert!(r.entries[&account_id(b"maint@example.gov")].disabled);
        assert!(r.entries[&account_id(b"galsync.x1@example.gov")].service);
        let m = r.alias_map();
        assert_eq!(
            m[&account_id(b"a.example@example.gov")].0,
            account_id(b"alice@example.gov")
        );
    }

    #[test]
    fn detection() {
        assert_eq!(
            directory_kind("# comment\ndn: uid=a\n"),
            Some(DirectoryKind::Ldif)
        );
        assert_eq!(directory_kind("version: 1\n"), Some(DirectoryKind::Ldif));
        assert_eq!(
            directory_kind("\n# name a@b\n"),
            Some(DirectoryKind::Zmprov)
        );
        assert_eq!(directory_kind("account,unit\n"), None);
        assert_eq!(directory_kind("# issued\nalice\n"), None);
    }
}
