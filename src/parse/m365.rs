//! Microsoft 365 / Entra ID sign-in log exports.
//!
//! Not line logs: the portal's "Download" gives a JSON array of Graph
//! `signIn` objects (pretty-printed, one object over many lines) or a CSV
//! with a header row; Graph and PowerShell dumps are often one object per
//! line (NDJSON). A download holds at most 100 000 rows, so the whole file
//! is read into memory and parsed with `serde_json` / `csv` into owned
//! [`Record`]s (the only family that allocates); each record then lends a
//! [`Parsed`] to the same sinks as the line path. The file is recognized
//! from its first bytes ([`detect`]), once per file, never per line.
//!
//! Graph `signIn` fields (learn.microsoft.com, "signIn resource type" and
//! "signInStatus resource type"): `createdDateTime` (ISO 8601 UTC),
//! `userPrincipalName` (the account), `ipAddress`, `clientAppUsed`,
//! `isInteractive`, `appDisplayName`, `status { errorCode, failureReason,
//! additionalDetails }`. Keys are matched without regard to case, so the
//! PascalCase of PowerShell's `Get-MgAuditLogSignIn | ConvertTo-Json`
//! reads too. A Graph response envelope (`{"value": [ ... ]}`) is read as
//! its records.
//!
//! Portal CSV columns (English titles): `Date (UTC)`, `Username` (the UPN;
//! `User` is the display name, used only when there is no `Username`),
//! `IP address`, `Status` (`Success`, `Failure`, `Interrupted`),
//! `Sign-in error code`, `Failure reason`, `Client app`. Portals in other
//! languages translate the titles: such a file fails with the missing
//! columns named, the columns are never guessed by position.
//!
//! Outcome: error code 0 (or `Status` `Success` when there is no code
//! column) is a success. Failure reasons from the code: 50126 invalid user
//! name or password → `bad_password`, 50053 locked (smart lockout) →
//! `locked`, 50057 disabled → `disabled`, 50055 password expired →
//! `expired`, 50034 no such user → `unknown_user`, others → `other`.
//!
//! Service from `clientAppUsed` / `Client app`: `IMAP4` → imap, `POP3` →
//! pop3, `Authenticated SMTP` → smtp, `Exchange ActiveSync` → activesync,
//! `Browser` → webmail (a person at a browser; but a non-interactive
//! browser sign-in, `isInteractive: false`, is a token refresh, not a person:
//! http), `Mobile Apps and Desktop clients` (Outlook, Teams with modern
//! authentication) and the other HTTP protocols (`Exchange Web Services`,
//! `MAPI Over HTTP`, `Outlook Anywhere (RPC over HTTP)`, `AutoDiscover`,
//! `Offline Address Book`, `Exchange Online PowerShell`, ...) → http,
//! `Other clients` and anything else → other. Sign-ins that name no user
//! (service principals, managed identities) produce no event.

use crate::event::{parse_ip, Kind, Outcome, Parsed, Reason, Service, Source};
use serde_json::{Map, Value};
use std::net::IpAddr;

/// How an export is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A JSON array, NDJSON, or concatenated objects.
    Json,
    /// The portal CSV.
    Csv,
}

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Keys that make a JSON object a sign-in record.
const JSON_KEYS: &[&str] = &["createdDateTime", "userPrincipalName"];

/// CSV column titles of the portal download (English), for recognizing a
/// header (two of them, or a first column `... (UTC)`, which translated
/// portals keep).
const CSV_TITLES: &[&str] = &[
    "Date (UTC)",
    "Request ID",
    "User agent",
    "Correlation ID",
    "User ID",
    "User",
    "Username",
    "User type",
    "Application",
    "Application ID",
    "Resource",
    "IP address",
    "Location",
    "Status",
    "Sign-in error code",
    "Failure reason",
    "Client app",
    "Device ID",
    "Browser",
    "Operating System",
];

/// Whether `head` (the first bytes of a file, decompressed) is a sign-in
/// export, and in which shape.
pub fn detect(head: &[u8]) -> Option<Shape> {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let body = &head[start..];
    let has_key = |b: &[u8]| {
        JSON_KEYS.iter().any(|k| {
            let mut upper = k.to_string();
            upper[..1].make_ascii_uppercase();
            contains(b, format!("\"{k}\"").as_bytes())
                || contains(b, format!("\"{upper}\"").as_bytes())
        })
    };
    match body[0] {
        b'[' => has_key(body).then_some(Shape::Json),
        b'{' => {
            let first = match memchr::memchr(b'\n', body) {
                Some(i) => &body[..i],
                None => body,
            };
            match serde_json::from_slice::<Value>(first) {
                Ok(Value::Object(o)) => is_record(&o).then_some(Shape::Json),
                // Pretty-printed, or longer than the head: the keys must be
                // there, and it must not be a journald export.
                _ => (has_key(body) && !contains(body, b"\"__REALTIME_TIMESTAMP\""))
                    .then_some(Shape::Json),
            }
        }
        _ => {
            let line = match memchr::memchr(b'\n', body) {
                Some(i) => &body[..i],
                None => body,
            };
            let fields = csv_fields(line)?;
            if fields.len() < 4 {
                return None;
            }
            let known = fields
                .iter()
                .filter(|f| CSV_TITLES.iter().any(|t| t.eq_ignore_ascii_case(f)))
                .count();
            (known >= 2 || fields[0].ends_with("(UTC)")).then_some(Shape::Csv)
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn csv_fields(line: &[u8]) -> Option<Vec<String>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line);
    let rec = r.byte_records().next()?.ok()?;
    Some(
        rec.iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect(),
    )
}

fn field<'v>(o: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    o.get(name).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn is_record(o: &Map<String, Value>) -> bool {
    JSON_KEYS.iter().any(|k| field(o, k).is_some())
}

/// One sign-in, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the record (where its object or row starts).
    pub line: u64,
    /// UTC seconds, `None` when the time could not be read.
    pub ts: Option<i64>,
    /// The user principal name as exported.
    pub user: String,
    /// The client address.
    pub ip: Option<IpAddr>,
    /// From the client app.
    pub service: Service,
    /// From the error code or status.
    pub outcome: Outcome,
    /// Of a failure.
    pub reason: Option<Reason>,
}

impl Record {
    /// The event (borrowing the user name).
    pub fn parsed(&self) -> Parsed<'_> {
        Parsed {
            kind: Kind::Login,
            user: Some(self.user.as_bytes()),
            ip: self.ip,
            reason: self.reason,
            ..Parsed::login(self.outcome, Source::M365, self.service)
        }
    }
}

/// What reading an export found.
#[derive(Clone, Debug, Default)]
pub struct Export {
    /// The sign-ins, in file order.
    pub records: Vec<Record>,
    /// Records not understood (no status, no time field, not an object):
    /// their lines.
    pub unrecognized: Vec<u64>,
    /// Records understood that are no user's sign-in (no user name).
    pub ignored: u64,
    /// An error that stopped the read (the records before it are kept).
    pub error: Option<String>,
}

impl Export {
    /// Records read (understood or not).
    pub fn entries(&self) -> u64 {
        self.records.len() as u64 + self.unrecognized.len() as u64 + self.ignored
    }
}

/// Why an export could not be read at all.
#[derive(Debug, PartialEq, Eq)]
pub struct ExportError(pub String);

/// Read a whole export.
pub fn read(data: &[u8], shape: Shape) -> Result<Export, ExportError> {
    match shape {
        Shape::Json => Ok(read_json(data)),
        Shape::Csv => read_csv(data),
    }
}

/// The failure reason of an Entra error code.
pub fn reason_of_code(code: i64) -> Reason {
    match code {
        50126 => Reason::BadPassword,
        50053 => Reason::Locked,
        50057 => Reason::Disabled,
        50055 => Reason::Expired,
        50034 => Reason::UnknownUser,
        _ => Reason::Other,
    }
}

/// The failure reason from the text alone (no code column).
fn reason_of_text(text: &str) -> Reason {
    let t = text.to_ascii_lowercase();
    if t.contains("password") && (t.contains("invalid") || t.contains("incorrect")) {
        Reason::BadPassword
    } else if t.contains("locked") {
        Reason::Locked
    } else if t.contains("disabled") {
        Reason::Disabled
    } else if t.contains("expired") {
        Reason::Expired
    } else {
        Reason::Other
    }
}

/// The service of a `clientAppUsed` value.
pub fn service_of(client: &str, interactive: Option<bool>) -> Service {
    let c = client.trim().to_ascii_lowercase();
    match c.as_str() {
        "imap4" | "imap" => Service::Imap,
        "pop3" | "pop" => Service::Pop3,
        "authenticated smtp" | "smtp" => Service::Smtp,
        "exchange activesync" => Service::Activesync,
        "browser" if interactive == Some(false) => Service::Http,
        "browser" => Service::Webmail,
        "mobile apps and desktop clients"
        | "exchange web services"
        | "mapi over http"
        | "mapi"
        | "outlook anywhere (rpc over http)"
        | "autodiscover"
        | "offline address book"
        | "reporting web services"
        | "exchange online powershell"
        | "universal outlook" => Service::Http,
        _ => Service::Other,
    }
}

/// An ISO 8601 time in UTC: `2025-11-20T08:00:00Z`, with a fraction, an
/// offset, or none (taken as UTC, the exports' zone).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().timestamp());
        }
    }
    None
}

/// Line numbers of byte offsets, counted forward.
struct Lines<'d> {
    data: &'d [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, off: usize) -> u64 {
        if off > self.pos {
            self.line += memchr::memchr_iter(b'\n', &self.data[self.pos..off]).count() as u64;
            self.pos = off;
        }
        self.line
    }
}

fn skip_ws(data: &[u8], mut p: usize) -> usize {
    while p < data.len() && data[p].is_ascii_whitespace() {
        p += 1;
    }
    p
}

/// One JSON value at the start of `data`, and the bytes it took.
fn one_value(data: &[u8]) -> Result<(Value, usize), serde_json::Error> {
    let mut it = serde_json::Deserializer::from_slice(data).into_iter::<Value>();
    match it.next() {
        Some(Ok(v)) => Ok((v, it.byte_offset())),
        Some(Err(e)) => Err(e),
        None => Err(serde::de::Error::custom("no value")),
    }
}

fn read_json(data: &[u8]) -> Export {
    let mut ex = Export::default();
    let body = data.strip_prefix(BOM).unwrap_or(data);
    let mut lines = Lines {
        data: body,
        pos: 0,
        line: 1,
    };
    let mut p = skip_ws(body, 0);
    while p < body.len() {
        if body[p] == b'[' {
            // An array of records: each element at the line it starts on.
            p += 1;
            loop {
                p = skip_ws(body, p);
                while p < body.len() && body[p] == b',' {
                    p = skip_ws(body, p + 1);
                }
                if p >= body.len() {
                    ex.error = Some("the JSON array is not closed (file truncated?)".into());
                    return ex;
                }
                if body[p] == b']' {
                    p += 1;
                    break;
                }
                let line = lines.at(p);
                match one_value(&body[p..]) {
                    Ok((v, n)) => {
                        json_entry(&mut ex, v, line);
                        p += n;
                    }
                    Err(e) => {
                        ex.error = Some(format!(
                            "JSON error in the record at line {line}: {e}; the records before were used"
                        ));
                        return ex;
                    }
                }
            }
        } else {
            // NDJSON or concatenated objects.
            let line = lines.at(p);
            match one_value(&body[p..]) {
                Ok((v, n)) => {
                    json_entry(&mut ex, v, line);
                    p += n;
                }
                Err(_) => {
                    // A damaged record: counted, and reading goes on on the
                    // next line.
                    ex.unrecognized.push(line);
                    p = match memchr::memchr(b'\n', &body[p..]) {
                        Some(i) => p + i + 1,
                        None => body.len(),
                    };
                }
            }
        }
        p = skip_ws(body, p);
    }
    ex
}

fn json_entry(ex: &mut Export, v: Value, line: u64) {
    let Value::Object(o) = v else {
        ex.unrecognized.push(line);
        return;
    };
    if !is_record(&o) {
        // A Graph response envelope: `{"@odata.context": ..., "value": [...]}`.
        if let Some(Value::Array(items)) = field(&o, "value") {
            for item in items {
                match item {
                    Value::Object(r) if is_record(r) => json_record(ex, r, line),
                    _ => ex.unrecognized.push(line),
                }
            }
            return;
        }
        ex.unrecognized.push(line);
        return;
    }
    json_record(ex, &o, line);
}

fn text(v: Option<&Value>) -> &str {
    v.and_then(Value::as_str).map(str::trim).unwrap_or("")
}

fn json_record(ex: &mut Export, o: &Map<String, Value>, line: u64) {
    let user = text(field(o, "userPrincipalName"));
    let Some(Value::Object(status)) = field(o, "status") else {
        ex.unrecognized.push(line);
        return;
    };
    let code = match field(status, "errorCode") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let Some(code) = code else {
        ex.unrecognized.push(line);
        return;
    };
    if field(o, "createdDateTime").is_none() {
        ex.unrecognized.push(line);
        return;
    }
    if user.is_empty() {
        ex.ignored += 1;
        return;
    }
    let interactive = field(o, "isInteractive").and_then(Value::as_bool);
    let (outcome, reason) = if code == 0 {
        (Outcome::Success, None)
    } else {
        (Outcome::Failure, Some(reason_of_code(code)))
    };
    ex.records.push(Record {
        line,
        ts: parse_time(text(field(o, "createdDateTime"))),
        user: user.to_string(),
        ip: parse_ip(text(field(o, "ipAddress")).as_bytes()),
        service: service_of(text(field(o, "clientAppUsed")), interactive),
        outcome,
        reason,
    });
}

/// Required CSV columns: each is one of the titles listed.
const CSV_REQUIRED: &[&[&str]] = &[
    &["Date (UTC)"],
    &["Username", "User"],
    &["IP address"],
    &["Sign-in error code", "Status"],
];

fn read_csv(data: &[u8]) -> Result<Export, ExportError> {
    let body = data.strip_prefix(BOM).unwrap_or(data);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut rows = r.byte_records();
    let header: Vec<String> = match rows.next() {
        Some(Ok(h)) => h
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect(),
        Some(Err(e)) => return Err(ExportError(format!("CSV header: {e}"))),
        None => return Ok(Export::default()),
    };
    let col = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)))
    };
    let missing: Vec<String> = CSV_REQUIRED
        .iter()
        .filter(|names| col(names).is_none())
        .map(|names| {
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = header.iter().take(6).map(String::as_str).collect();
        return Err(ExportError(format!(
            "Microsoft 365 sign-in CSV export without the column(s) {} (its header starts: {}); \
             the columns are found by their English titles (exports from a portal in another \
             language rename them): download the export with the portal in English, or as JSON",
            missing.join(", "),
            shown.join(", ")
        )));
    }
    let date = col(&["Date (UTC)"]).unwrap_or(0);
    let user = col(&["Username"]).or_else(|| col(&["User"])).unwrap_or(0);
    let ip = col(&["IP address"]).unwrap_or(0);
    let code = col(&["Sign-in error code"]);
    let status = col(&["Status"]);
    let failure = col(&["Failure reason"]);
    let client = col(&["Client app"]);
    let mut ex = Export::default();
    let mut lines = Lines {
        data: body,
        pos: 0,
        line: 1,
    };
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                ex.error = Some(format!(
                    "CSV error at line {line}: {e}; the rows before were used"
                ));
                break;
            }
        };
        // The csv crate's line of a record that follows a CRLF is one
        // short (it counts the LF as the next record's start): count from
        // the first byte of the row instead.
        let mut start = row.position().map_or(0, |p| p.byte() as usize);
        while start < body.len() && matches!(body[start], b'\r' | b'\n') {
            start += 1;
        }
        let line = lines.at(start);
        let get = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(|f| String::from_utf8_lossy(f).trim().to_string())
                .unwrap_or_default()
        };
        if row.len() == 1 && row.get(0).is_some_and(|f| f.is_empty()) {
            continue;
        }
        let code_val: Option<i64> = get(code).parse().ok();
        let status_val = get(status);
        let (outcome, reason) = match code_val {
            Some(0) => (Outcome::Success, None),
            Some(c) => (Outcome::Failure, Some(reason_of_code(c))),
            None if status_val.eq_ignore_ascii_case("success") => (Outcome::Success, None),
            None if status_val.eq_ignore_ascii_case("failure")
                || status_val.eq_ignore_ascii_case("interrupted") =>
            {
                (Outcome::Failure, Some(reason_of_text(&get(failure))))
            }
            None => {
                ex.unrecognized.push(line);
                continue;
            }
        };
        let name = get(Some(user));
        if name.is_empty() {
            ex.ignored += 1;
            continue;
        }
        ex.records.push(Record {
            line,
            ts: parse_time(&get(Some(date))),
            user: name,
            ip: parse_ip(get(Some(ip)).as_bytes()),
            service: service_of(&get(client), None),
            outcome,
            reason,
        });
    }
    Ok(ex)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shapes from the Graph `signIn` resource (learn.microsoft.com) and the
    // portal's CSV download column titles.
    const ARRAY: &str = r#"[
  {
    "id": "00000000-0000-0000-0000-000000000001",
    "createdDateTime": "2025-11-20T08:00:00Z",
    "userDisplayName": "Quinn",
    "userPrincipalName": "quinn@example.gov",
    "appDisplayName": "Office 365 Exchange Online",
    "ipAddress": "203.0.113.10",
    "clientAppUsed": "IMAP4",
    "isInteractive": false,
    "status": { "errorCode": 50126, "failureReason": "Error validating credentials due to invalid username or password." }
  },
  {
    "id": "00000000-0000-0000-0000-000000000002",
    "createdDateTime": "2025-11-20T08:05:00.1234567Z",
    "userPrincipalName": "Quinn@Example.gov",
    "ipAddress": "192.0.2.10",
    "clientAppUsed": "Browser",
    "isInteractive": true,
    "status": { "errorCode": 0 }
  }
]
"#;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(ARRAY.as_bytes()), Some(Shape::Json));
        assert_eq!(
            detect(b"{\"createdDateTime\":\"2025-11-20T08:00:00Z\",\"status\":{}}\n"),
            Some(Shape::Json)
        );
        assert_eq!(
            detect(b"\xef\xbb\xbfDate (UTC),Request ID,User,Username,IP address,Status\n"),
            Some(Shape::Csv)
        );
        assert_eq!(
            detect(b"Datum (UTC),Anforderungs-ID,Benutzer,Benutzername\n"),
            Some(Shape::Csv)
        );
        // journald JSON and syslog are not exports.
        assert_eq!(
            detect(b"{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"createdDateTime\"}\n"),
            None
        );
        assert_eq!(
            detect(b"Nov 20 08:00:00 mx1 sshd[1]: Failed password for a, b, c, d\n"),
            None
        );
        assert_eq!(detect(b"a,b,c,d\n1,2,3,4\n"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn json_array_records_and_lines() {
        let ex = read(ARRAY.as_bytes(), Shape::Json).unwrap();
        assert_eq!(ex.error, None);
        assert_eq!(ex.records.len(), 2);
        let a = &ex.records[0];
        assert_eq!(a.line, 2);
        assert_eq!(a.user, "quinn@example.gov");
        assert_eq!(a.outcome, Outcome::Failure);
        assert_eq!(a.reason, Some(Reason::BadPassword));
        assert_eq!(a.service, Service::Imap);
        assert_eq!(a.ts, Some(1763625600));
        let b = &ex.records[1];
        assert_eq!(b.line, 13);
        assert_eq!(b.service, Service::Webmail);
        assert_eq!(b.outcome, Outcome::Success);
        assert_eq!(b.ts, Some(1763625900));
    }

    #[test]
    fn ndjson_with_a_damaged_line_and_service_principals() {
        let text = "{\"createdDateTime\":\"2025-11-20T08:00:00Z\",\"userPrincipalName\":\"a@example.gov\",\"ipAddress\":\"2001:db8::5\",\"clientAppUsed\":\"Browser\",\"isInteractive\":false,\"status\":{\"errorCode\":50053}}\n\
                    {\"createdDateTime\":\"2025-11-20T08:00:01Z\",\"userPrincipalName\":\n\
                    {\"createdDateTime\":\"2025-11-20T08:00:02Z\",\"userPrincipalName\":\"\",\"status\":{\"errorCode\":0}}\n\
                    {\"CreatedDateTime\":\"2025-11-20T08:00:03Z\",\"UserPrincipalName\":\"b@example.gov\",\"IpAddress\":\"192.0.2.1\",\"ClientAppUsed\":\"Authenticated SMTP\",\"Status\":{\"ErrorCode\":\"50057\"}}\n";
        let ex = read(text.as_bytes(), Shape::Json).unwrap();
        assert_eq!(ex.records.len(), 2);
        assert_eq!(ex.records[0].service, Service::Http);
        assert_eq!(ex.records[0].reason, Some(Reason::Locked));
        assert_eq!(ex.records[1].line, 4);
        assert_eq!(ex.records[1].reason, Some(Reason::Disabled));
        assert_eq!(ex.records[1].service, Service::Smtp);
        assert_eq!(ex.unrecognized, vec![2]);
        assert_eq!(ex.ignored, 1);
        assert_eq!(ex.entries(), 4);
    }

    #[test]
    fn csv_missing_columns_are_named() {
        let text = "Datum (UTC),Anforderungs-ID,Benutzer,Benutzername,IP-Adresse,Status,Anmeldefehlercode\n";
        let e = read(text.as_bytes(), Shape::Csv).unwrap_err();
        assert!(e.0.contains("\"Date (UTC)\""), "{}", e.0);
        assert!(e.0.contains("\"Username\" or \"User\""), "{}", e.0);
        assert!(e.0.contains("\"IP address\""), "{}", e.0);
        assert!(!e.0.contains("Sign-in error code"), "{}", e.0);
    }

    #[test]
    fn csv_rows() {
        let text = "Date (UTC),Request ID,User,Username,IP address,Status,Sign-in error code,Failure reason,Client app\r\n\
                    2025-11-20T08:00:00Z,r1,Rae,rae@example.gov,192.0.2.5,Success,0,,Mobile Apps and Desktop clients\r\n\
                    2025-11-20T08:01:00Z,r2,Rae,rae@example.gov,203.0.113.5,Failure,50055,\"The password is expired.\",POP3\r\n";
        let ex = read(text.as_bytes(), Shape::Csv).unwrap();
        assert_eq!(ex.records.len(), 2);
        assert_eq!(ex.records[0].line, 2);
        assert_eq!(ex.records[0].service, Service::Http);
        assert_eq!(ex.records[1].line, 3);
        assert_eq!(ex.records[1].reason, Some(Reason::Expired));
        assert_eq!(ex.records[1].service, Service::Pop3);
    }

    #[test]
    fn services() {
        assert_eq!(service_of("Exchange ActiveSync", None), Service::Activesync);
        assert_eq!(service_of("Other clients", None), Service::Other);
        assert_eq!(service_of("Browser", Some(true)), Service::Webmail);
        assert_eq!(service_of("", None), Service::Other);
    }
}
