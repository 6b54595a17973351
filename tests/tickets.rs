//! End-to-end: `authsweep.toml`, tickets and review sheets.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("authsweep").expect("binary built")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

fn fail(ts: &str, user: &str, ip: &str) -> String {
    format!("{ts} mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 4 secs): user=<{user}>, method=PLAIN, rip={ip}, lip=192.0.2.25, TLS, session=<a{}>\n", ts.len())
}

fn ok(ts: &str, user: &str, ip: &str) -> String {
    format!("{ts} mx1 dovecot: imap-login: Login: user=<{user}>, method=PLAIN, rip={ip}, lip=192.0.2.25, mpid=1, TLS, session=<b{}>\n", ts.len())
}

/// Six failures then a success, on `day` (YYYY-MM-DD), plus a quiet user.
fn attack_log(day: &str) -> String {
    let mut s = String::new();
    s += &ok(
        "2025-01-01T08:00:00.000000+00:00",
        "bob@example.gov",
        "198.51.100.9",
    );
    for m in 0..6 {
        s += &fail(
            &format!("{day}T02:1{m}:00.000000+00:00"),
            "alice@example.gov",
            "203.0.113.7",
        );
    }
    s += &ok(
        &format!("{day}T02:30:00.000000+00:00"),
        "alice@example.gov",
        "203.0.113.7",
    );
    s += &ok(
        "2025-01-20T08:00:00.000000+00:00",
        "bob@example.gov",
        "198.51.100.9",
    );
    s
}

fn scan(dir: &Path, log: &str, extra: &[&str]) -> (Value, std::process::Output) {
    let p = dir.join("mail.log");
    std::fs::write(&p, log).unwrap();
    let out = bin()
        .current_dir(dir)
        .args(["scan", "--format", "json", "--tz", "UTC", "-q"])
        .args(extra)
        .arg(&p)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (v, out)
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn print_default_parses_back_to_the_defaults() {
    let out = bin().args(["config", "--print-default"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let c = authsweep::settings::parse(&text, "printed").unwrap();
    assert_eq!(c, authsweep::settings::FileConfig::default());
    // Every key has a comment above it or on its table.
    assert!(text.lines().filter(|l| l.starts_with('#')).count() > 40);
}

#[test]
fn config_file_is_read_and_errors_name_the_line() {
    let d = tempfile::tempdir().unwrap();
    // Found in the working directory: brute force needs only 3 failures.
    std::fs::write(
        d.path().join("authsweep.toml"),
        "[detectors.brute_force]\nfailures = 3\n[detectors.success_after_failures]\nenabled = false\n",
    )
    .unwrap();
    let (r, out) = scan(d.path(), &attack_log("2025-01-10"), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dets: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["detector"].as_str().unwrap())
        .collect();
    assert!(dets.contains(&"brute_force"), "{dets:?}");
    assert!(!dets.contains(&"success_after_failures"), "{dets:?}");
    // Flags win over the file.
    std::fs::write(d.path().join("authsweep.toml"), "inactive_days = 1\n").unwrap();
    let (r, _) = scan(
        d.path(),
        &attack_log("2025-01-10"),
        &["--inactive-days", "90"],
    );
    assert_eq!(r["inactive_days"], 90);
    let (r, _) = scan(d.path(), &attack_log("2025-01-10"), &[]);
    assert_eq!(r["inactive_days"], 1);
    // An unknown key: exit 2, the file, line and key named.
    let bad = d.path().join("bad.toml");
    std::fs::write(
        &bad,
        "dormant_days = 30\n\n[detectors.many_ips]\nnetwork = 4\n",
    )
    .unwrap();
    let (_, out) = scan(
        d.path(),
        &attack_log("2025-01-10"),
        &["--config", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:4:") && err.contains("network"),
        "{err}"
    );
    // A bad value.
    std::fs::write(&bad, "trusted_networks = [\"10.0.0.0/8\", \"nonsense\"]\n").unwrap();
    let (_, out) = scan(
        d.path(),
        &attack_log("2025-01-10"),
        &["--config", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:1:") && err.contains("nonsense"),
        "{err}"
    );
}

#[test]
fn ticket_keys_are_stable_and_change_with_the_finding() {
    let d = tempfile::tempdir().unwrap();
    let t1 = d.path().join("t1");
    let t2 = d.path().join("t2");
    let t3 = d.path().join("t3");
    let log = attack_log("2025-01-10");
    let (r1, out) = scan(d.path(), &log, &["--tickets", t1.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, _) = scan(d.path(), &log, &["--tickets", t2.to_str().unwrap()]);
    let alice = r1["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == "alice@example.gov")
        .unwrap();
    assert_eq!(alice["action"], "reset_password");
    let key = alice["ticket_key"].as_str().unwrap().to_string();
    assert_eq!(files(&t1), files(&t2));
    assert!(files(&t1).contains(&format!("{key}.md")));
    assert!(files(&t1).contains(&format!("{key}.json")));
    // Only keys make file names.
    for f in files(&t1) {
        assert!(f.starts_with("AS-"), "{f}");
    }
    let md = std::fs::read_to_string(t1.join(format!("{key}.md"))).unwrap();
    assert!(
        md.starts_with("# Reset password: alice@example.gov"),
        "{md}"
    );
    assert!(md.contains("success_after_failures"), "{md}");
    assert!(md.contains("203.0.113.7"), "{md}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(t1.join(format!("{key}.json"))).unwrap())
            .unwrap();
    assert_eq!(json["ticket_key"], key.as_str());
    assert_eq!(json["account"], "alice@example.gov");
    assert!(!json["findings"].as_array().unwrap().is_empty());
    // The same attack on another day: another key.
    let (_, _) = scan(
        d.path(),
        &attack_log("2025-01-12"),
        &["--tickets", t3.to_str().unwrap()],
    );
    assert!(!files(&t3).contains(&format!("{key}.md")));
    // A custom template renders.
    let tpl = d.path().join("t.j2");
    std::fs::write(
        &tpl,
        "TICKET {{ ticket_key }} for {{ account }}: {{ action }}{% for f in findings %} [{{ f.detector }}]{% endfor %}\n",
    )
    .unwrap();
    let t4 = d.path().join("t4");
    let (_, out) = scan(
        d.path(),
        &log,
        &[
            "--tickets",
            t4.to_str().unwrap(),
            "--ticket-template",
            tpl.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(t4.join(format!("{key}.md"))).unwrap();
    assert_eq!(
        md,
        format!("TICKET {key} for alice@example.gov: reset_password [success_after_failures]\n")
    );
    // A template that does not parse is a usage error before reading.
    std::fs::write(&tpl, "{% for %}").unwrap();
    let (_, out) = scan(
        d.path(),
        &log,
        &[
            "--tickets",
            t4.to_str().unwrap(),
            "--ticket-template",
            tpl.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn review_sheets_one_per_unit() {
    let d = tempfile::tempdir().unwrap();
    let sheets = d.path().join("sheets");
    let out = bin()
        .args([
            "scan",
            "--format",
            "json",
            "--tz",
            "UTC",
            "-q",
            "--default-domain",
            "example.gov",
        ])
        .arg("--roster")
        .arg(sample().join("roster.csv"))
        .arg("--review-sheets")
        .arg(&sheets)
        .arg(sample())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let roster: Vec<&Value> = r["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["in_roster"] == true)
        .collect();
    let mut seen: Vec<String> = Vec::new();
    let names = files(&sheets);
    assert!(names.contains(&"no-unit.csv".to_string()));
    for f in &names {
        let mut rdr = csv::Reader::from_path(sheets.join(f)).unwrap();
        let h = rdr.headers().unwrap().clone();
        assert_eq!(&h[h.len() - 2], "decision");
        assert_eq!(&h[h.len() - 1], "comment");
        assert!(h.iter().any(|c| c == "last_login_by_service"));
        for row in rdr.records() {
            seen.push(row.unwrap()[0].to_string());
        }
    }
    seen.sort();
    let mut want: Vec<String> = roster
        .iter()
        .map(|a| a["account"].as_str().unwrap().to_string())
        .collect();
    want.sort();
    assert_eq!(seen, want, "every roster account in exactly one sheet");
    // Hostile unit names make safe file names.
    let roster = d.path().join("roster.csv");
    std::fs::write(
        &roster,
        "account,unit\nalice@example.gov,../../etc\nbob@example.gov,A/B\ncarol@example.gov,..\ndan@example.gov,\neve@example.gov,=cmd|' /C calc'!A0\n",
    )
    .unwrap();
    let s2 = d.path().join("s2");
    let p = d.path().join("mail.log");
    std::fs::write(&p, attack_log("2025-01-10")).unwrap();
    let out = bin()
        .args(["scan", "--tz", "UTC", "-q", "--roster"])
        .arg(&roster)
        .arg("--review-sheets")
        .arg(&s2)
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = files(&s2);
    assert_eq!(names.len(), 5, "{names:?}");
    for n in &names {
        assert!(
            !n.starts_with('.') && !n.contains('/') && n.ends_with(".csv"),
            "{n}"
        );
    }
    assert!(!d.path().join("etc.csv").exists());
    let all: String = names
        .iter()
        .map(|n| std::fs::read_to_string(s2.join(n)).unwrap())
        .collect();
    assert!(all.contains("'=cmd"), "{all}");
}

#[test]
fn geoip_end_to_end() {
    let geo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/geoip");
    let d = tempfile::tempdir().unwrap();
    let mut log = String::new();
    log += &ok(
        "2025-01-10T08:00:00.000000+00:00",
        "alice@example.gov",
        "81.2.69.142",
    );
    log += &ok(
        "2025-01-10T08:10:00.000000+00:00",
        "alice@example.gov",
        "175.16.199.5",
    );
    let city = geo.join("GeoLite2-City-Test.mmdb");
    let asn = geo.join("GeoLite2-ASN-Test.mmdb");
    let (r, out) = scan(
        d.path(),
        &log,
        &[
            "--geoip",
            city.to_str().unwrap(),
            "--geoip",
            asn.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["detector"] == "impossible_travel")
        .expect("London then Changchun ten minutes later");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["ip"], "175.16.199.5");
    assert!(f["ip_place"].as_str().unwrap().contains("CN"), "{f}");
    // Not a MaxMind DB: a usage error.
    let (_, out) = scan(d.path(), &log, &["--geoip", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fail_on_at_risk_ignores_low_findings() {
    let d = tempfile::tempdir().unwrap();
    // A password login without TLS from outside: cleartext_auth, low.
    let log = "2025-01-10T08:00:00.000000+00:00 mx1 dovecot: imap-login: Login: user=<bob@example.gov>, method=PLAIN, rip=198.51.100.9, lip=192.0.2.25, mpid=1, session=<abc>\n";
    let (r, out) = scan(d.path(), log, &["--fail-on", "at-risk"]);
    assert_eq!(r["findings"][0]["detector"], "cleartext_auth");
    assert_eq!(out.status.code(), Some(0));
    // From the trusted network: nothing at all.
    std::fs::write(
        d.path().join("authsweep.toml"),
        "trusted_networks = [\"198.51.100.0/24\"]\n",
    )
    .unwrap();
    let (r, _) = scan(d.path(), log, &[]);
    assert!(r["findings"].as_array().unwrap().is_empty(), "{r}");
    std::fs::remove_file(d.path().join("authsweep.toml")).unwrap();
    let (_, out) = scan(
        d.path(),
        &attack_log("2025-01-10"),
        &["--fail-on", "at-risk"],
    );
    assert_eq!(out.status.code(), Some(1));
}
