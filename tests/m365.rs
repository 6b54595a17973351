//! End-to-end tests of Microsoft 365 / Entra ID sign-in exports: a JSON
//! array (the portal's "Download JSON", Graph `signIn` objects), NDJSON (one
//! object per line, as Graph or PowerShell dumps write) and the portal CSV,
//! through `events` and `scan`; and a CSV from a portal in another language,
//! which fails with the missing columns named while the other files are read.
//!
//! Shapes: the Graph `signIn` and `signInStatus` resources
//! (learn.microsoft.com) and the English column titles of the portal's CSV
//! download. Names and addresses are made up (documentation ranges).

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("authsweep").expect("binary built")
}

/// A pretty-printed JSON array: each object starts on the line given in
/// `EXPECTED` (2, 13, 24).
const ARRAY: &str = r#"[
  {
    "id": "6a1c3a1e-0000-4000-8000-000000000001",
    "createdDateTime": "2025-11-20T08:00:00Z",
    "userDisplayName": "Rosa Ortiz",
    "userPrincipalName": "rosa@example.gov",
    "appDisplayName": "Office 365 Exchange Online",
    "ipAddress": "203.0.113.20",
    "clientAppUsed": "IMAP4",
    "isInteractive": false,
    "status": { "errorCode": 50126, "failureReason": "Error validating credentials due to invalid username or password.", "additionalDetails": null }
  },
  {
    "id": "6a1c3a1e-0000-4000-8000-000000000002",
    "createdDateTime": "2025-11-20T08:01:00.1234567Z",
    "userDisplayName": "Rosa Ortiz",
    "userPrincipalName": "Rosa@Example.gov",
    "appDisplayName": "OfficeHome",
    "ipAddress": "192.0.2.20",
    "clientAppUsed": "Browser",
    "isInteractive": true,
    "status": { "errorCode": 0, "failureReason": "Other.", "additionalDetails": null }
  },
  {
    "id": "6a1c3a1e-0000-4000-8000-000000000003",
    "createdDateTime": "2025-11-20T08:02:00Z",
    "userDisplayName": "Sam Lee",
    "userPrincipalName": "sam@example.gov",
    "appDisplayName": "Office 365 Exchange Online",
    "ipAddress": "2001:db8::20",
    "clientAppUsed": "Exchange ActiveSync",
    "isInteractive": true,
    "status": { "errorCode": 50053, "failureReason": "Account is locked because user tried to sign in too many times with an incorrect user ID or password." }
  }
]
"#;

/// One object per line; the third line is a service principal (no user):
/// no event.
const NDJSON: &str = concat!(
    r#"{"createdDateTime":"2025-11-20T09:00:00Z","userPrincipalName":"tara@example.gov","ipAddress":"198.51.100.30","clientAppUsed":"Authenticated SMTP","isInteractive":false,"status":{"errorCode":50057,"failureReason":"User account is disabled."}}"#,
    "\n",
    r#"{"createdDateTime":"2025-11-20T09:01:00Z","userPrincipalName":"tara@example.gov","ipAddress":"192.0.2.30","clientAppUsed":"Mobile Apps and Desktop clients","isInteractive":true,"status":{"errorCode":0}}"#,
    "\n",
    r#"{"createdDateTime":"2025-11-20T09:02:00Z","userPrincipalName":null,"ipAddress":"192.0.2.31","clientAppUsed":null,"status":{"errorCode":0}}"#,
    "\n",
    r#"{"createdDateTime":"2025-11-20T09:03:00Z","userPrincipalName":"uma@example.gov","ipAddress":"203.0.113.31","clientAppUsed":"POP3","isInteractive":false,"status":{"errorCode":50055,"failureReason":"The password is expired."}}"#,
    "\n",
);

/// The portal CSV (with its byte order mark and CRLF line ends); the
/// second data row holds a quoted field over two lines.
const CSV: &str = "\u{feff}Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,Application,IP address,Location,Status,Sign-in error code,Failure reason,Client app,Browser\r\n\
2025-11-20T10:00:00Z,req-1,Mozilla/5.0,corr-1,uid-1,Vic Park,vic@example.gov,Member,Office 365 Exchange Online,203.0.113.40,\"Springfield, XX, ZZ\",Failure,50126,Error validating credentials due to invalid username or password.,Other clients,\r\n\
2025-11-20T10:01:00Z,req-2,\"Mozilla/5.0\r\n(line two)\",corr-2,uid-1,Vic Park,vic@example.gov,Member,OfficeHome,192.0.2.40,\"Springfield, XX, ZZ\",Success,0,,Browser,Edge 120\r\n\
2025-11-20T10:02:00Z,req-3,,corr-3,uid-2,Wen Hu,wen@example.gov,Member,Office 365 Exchange Online,198.51.100.41,,Failure,50034,The user account does not exist in the tenant directory.,IMAP4,\r\n";

/// The same export from a portal in German: translated column titles.
const CSV_DE: &str = "Datum (UTC),Anforderungs-ID,Benutzer,Benutzername,Benutzertyp,Anwendung,IP-Adresse,Standort,Status,Anmeldefehlercode,Fehlerursache,Client-App\n\
2025-11-20T11:00:00Z,req-9,Xia Bo,xia@example.gov,Mitglied,OfficeHome,192.0.2.50,,Erfolg,0,,Browser\n";

/// (file, line, account, ip, outcome, reason, service)
type Expect = (
    &'static str,
    u64,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

const EXPECTED: &[Expect] = &[
    (
        "signins.json",
        2,
        "rosa@example.gov",
        "203.0.113.20",
        "failure",
        Some("bad_password"),
        "imap",
    ),
    (
        "signins.json",
        13,
        "rosa@example.gov",
        "192.0.2.20",
        "success",
        None,
        "webmail",
    ),
    (
        "signins.json",
        24,
        "sam@example.gov",
        "2001:db8::20",
        "failure",
        Some("locked"),
        "activesync",
    ),
    (
        "signins.ndjson",
        1,
        "tara@example.gov",
        "198.51.100.30",
        "failure",
        Some("disabled"),
        "smtp",
    ),
    (
        "signins.ndjson",
        2,
        "tara@example.gov",
        "192.0.2.30",
        "success",
        None,
        "http",
    ),
    (
        "signins.ndjson",
        4,
        "uma@example.gov",
        "203.0.113.31",
        "failure",
        Some("expired"),
        "pop3",
    ),
    (
        "signins.csv",
        2,
        "vic@example.gov",
        "203.0.113.40",
        "failure",
        Some("bad_password"),
        "other",
    ),
    (
        "signins.csv",
        3,
        "vic@example.gov",
        "192.0.2.40",
        "success",
        None,
        "webmail",
    ),
    (
        "signins.csv",
        5,
        "wen@example.gov",
        "198.51.100.41",
        "failure",
        Some("unknown_user"),
        "imap",
    ),
];

/// The exports in a directory (names that say nothing of the format: it is
/// told from the content), and a syslog line beside them.
fn setup(with_german: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    w("signins.json", ARRAY);
    w("signins.ndjson", NDJSON);
    w("signins.csv", CSV);
    w(
        "mail.log",
        "2025-11-20T12:00:00+00:00 mx1 dovecot[241]: imap-login: Login: user=<rosa@example.gov>, method=PLAIN, rip=192.0.2.60, lip=198.51.100.5, mpid=1, TLS, session=<AAAAAAAAAAAAAAAA>\n",
    );
    if with_german {
        w("anmeldungen.csv", CSV_DE);
    }
    dir
}

fn base(v: &Value) -> String {
    Path::new(v.as_str().unwrap())
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn events_of_each_export_shape() {
    let dir = setup(false);
    let out = bin()
        .args(["events", "--tz", "UTC", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let evs: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let m365: Vec<&Value> = evs.iter().filter(|e| e["source"] == "m365").collect();
    assert_eq!(m365.len(), EXPECTED.len(), "{m365:#?}");
    // In file order, and in line order within each file.
    let mut want: Vec<&Expect> = EXPECTED.iter().collect();
    want.sort_by_key(|e| (e.0, e.1));
    for (e, w) in m365.iter().zip(want) {
        let (file, line, account, ip, outcome, reason, service) = *w;
        assert_eq!(base(&e["file"]), file, "{e}");
        assert_eq!(e["line"], line, "{e}");
        assert_eq!(e["account"], account, "{e}");
        assert_eq!(e["ip"], ip, "{e}");
        assert_eq!(e["outcome"], outcome, "{e}");
        assert_eq!(e["reason"].as_str(), reason, "{e}");
        assert_eq!(e["service"], service, "{e}");
        assert_eq!(e["kind"], "login", "{e}");
        assert_eq!(e["count"], 1, "{e}");
    }
    // The user as exported, the time in UTC (a 7-digit fraction dropped).
    let rosa_ok = m365.iter().find(|e| e["line"] == 13).unwrap();
    assert_eq!(rosa_ok["user"], "Rosa@Example.gov");
    assert_eq!(rosa_ok["ts"], "2025-11-20T08:01:00+00:00");
    let vic = m365
        .iter()
        .find(|e| base(&e["file"]) == "signins.csv")
        .unwrap();
    assert_eq!(vic["ts"], "2025-11-20T10:00:00+00:00");
    // The log beside them is still read by the line path.
    assert!(evs
        .iter()
        .any(|e| e["source"] == "dovecot" && e["ip"] == "192.0.2.60"));
    // CSV output works too.
    let out = bin()
        .args(["events", "--format", "csv", "--account", "wen@example.gov"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("unknown_user"), "{text}");
}

#[test]
fn scan_counts_exports_per_file_and_source() {
    let dir = setup(false);
    let out = bin()
        .args(["scan", "--format", "json", "--tz", "UTC"])
        .args(["--as-of", "2025-11-21"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &r["input"]["per_source"]["m365"];
    // 3 + 4 + 3 records; the service principal is read but gives no event.
    assert_eq!(m["lines"], 10, "{m}");
    assert_eq!(m["events"], 9, "{m}");
    assert_eq!(m["unrecognized_auth_lines"], 0);
    let file = |name: &str| {
        r["input"]["per_file"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| base(&f["file"]) == name)
            .unwrap()
            .clone()
    };
    assert_eq!(file("signins.json")["events"], 3);
    assert_eq!(file("signins.json")["lines"], 35);
    assert_eq!(file("signins.ndjson")["events"], 3);
    assert_eq!(file("signins.ndjson")["lines"], 4);
    assert_eq!(file("signins.csv")["events"], 3);
    assert_eq!(file("signins.csv")["lines"], 5);
    let acct = |n: &str| {
        r["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["account"] == n)
            .unwrap_or_else(|| panic!("no account {n}: {r}"))
            .clone()
    };
    // Rosa: one successful web login from the export, one IMAP one from
    // the mail log; the export's failure counted.
    let rosa = acct("rosa@example.gov");
    assert_eq!(rosa["logins"], 2, "{rosa}");
    assert!(
        rosa["last_interactive_login"]
            .as_str()
            .unwrap()
            .starts_with("2025-11-20T08:01:00"),
        "{rosa}"
    );
    assert_eq!(acct("tara@example.gov")["logins"], 1);
    assert_eq!(acct("uma@example.gov")["logins"], 0);
}

#[test]
fn translated_csv_fails_clearly_and_the_rest_is_read() {
    let dir = setup(true);
    for cmd in ["events", "scan"] {
        let out = bin()
            .arg(cmd)
            .args(["--tz", "UTC"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("anmeldungen.csv"), "{cmd}: {err}");
        for col in [
            "\"Date (UTC)\"",
            "\"Username\" or \"User\"",
            "\"IP address\"",
        ] {
            assert!(err.contains(col), "{cmd}: {col} not named: {err}");
        }
        // `Status` is there (same word in German): not named as missing.
        assert!(!err.contains("\"Status\""), "{cmd}: {err}");
        if cmd == "events" {
            let n = String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| l.contains("\"source\":\"m365\""))
                .count();
            assert_eq!(n, EXPECTED.len());
        }
    }
    let out = bin()
        .args(["scan", "--format", "json", "--tz", "UTC"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = r["input"]["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(base(&skipped[0]["file"]), "anmeldungen.csv");
    assert!(skipped[0]["why"]
        .as_str()
        .unwrap()
        .contains("\"IP address\""));
    assert_eq!(r["input"]["per_source"]["m365"]["events"], 9);
}
