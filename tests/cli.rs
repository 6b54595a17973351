//! End-to-end tests: the `authsweep` binary on small logs written in the
//! exact shapes the software writes, and on the bundled `sample-logs/`.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn bin() -> Command {
    Command::cargo_bin("authsweep").expect("binary built")
}

/// Write `text` to `dir/name` with the given modification time (UTC seconds).
fn write_log(dir: &Path, name: &str, text: &str, mtime: i64) -> PathBuf {
    let p = dir.join(name);
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f.set_modified(UNIX_EPOCH + Duration::from_secs(mtime as u64))
        .unwrap();
    p
}

fn utc(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

fn events(args: &[&str]) -> Vec<Value> {
    let out = bin().arg("events").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "events failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn scan_json(args: &[&str]) -> Value {
    let out = bin()
        .args(["scan", "--format", "json", "--tz", "UTC"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0),
        "scan failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn account<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == name)
        .unwrap_or_else(|| panic!("no account {name}"))
}

#[test]
fn year_crossing_log_gets_the_right_years() {
    let dir = tempfile::tempdir().unwrap();
    // A log from November to February, last written on 9 February 2025.
    let log = "Nov 28 09:00:01 mx1 dovecot: imap-login: Login: user=<ann@example.gov>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=101, TLS, session=<AAAAAAAAAAAAAAAA>\n\
               Dec 31 23:59:58 mx1 dovecot: imap-login: Login: user=<ann@example.gov>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=102, TLS, session=<AAAAAAAAAAAAAAAB>\n\
               Jan  1 00:00:03 mx1 dovecot: imap-login: Login: user=<ann@example.gov>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=103, TLS, session=<AAAAAAAAAAAAAAAC>\n\
               Feb  9 10:00:00 mx1 dovecot: imap-login: Login: user=<ann@example.gov>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=104, TLS, session=<AAAAAAAAAAAAAAAD>\n";
    let p = write_log(dir.path(), "mail.log", log, utc("2025-02-09T10:05:00Z"));
    let evs = events(&["--tz", "UTC", p.to_str().unwrap()]);
    let ts: Vec<&str> = evs.iter().map(|e| e["ts"].as_str().unwrap()).collect();
    assert_eq!(
        ts,
        vec![
            "2024-11-28T09:00:01+00:00",
            "2024-12-31T23:59:58+00:00",
            "2025-01-01T00:00:03+00:00",
            "2025-02-09T10:00:00+00:00"
        ]
    );
    assert_eq!(evs[2]["line"], 3);
    assert_eq!(evs[0]["service"], "imap");
    assert_eq!(evs[0]["account"], "ann@example.gov");
}

#[test]
fn one_attempt_logged_on_several_lines_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Dovecot with auth_verbose: the auth process line, then the login
    // summary of the same session. sshd: Invalid user, PAM, then Failed.
    let log = "2025-03-03T10:00:01+00:00 mx1 dovecot: auth: passwd-file(bob@example.gov,203.0.113.7,<Zm9vYmFyYmF6cXV4>): Password mismatch\n\
               2025-03-03T10:00:03+00:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<bob@example.gov>, method=PLAIN, rip=203.0.113.7, lip=198.51.100.5, TLS, session=<Zm9vYmFyYmF6cXV4>\n\
               2025-03-03T10:01:00+00:00 gw1 sshd[811]: Invalid user bob from 203.0.113.8 port 40100\n\
               2025-03-03T10:01:02+00:00 gw1 sshd[811]: pam_unix(sshd:auth): check pass; user unknown\n\
               2025-03-03T10:01:02+00:00 gw1 sshd[811]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.8\n\
               2025-03-03T10:01:04+00:00 gw1 sshd[811]: Failed password for invalid user bob from 203.0.113.8 port 40100 ssh2\n\
               2025-03-03T10:02:00+00:00 gw1 sshd[812]: Failed password for carol from 203.0.113.9 port 40200 ssh2\n\
               2025-03-03T10:02:00+00:00 gw1 sshd[812]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=carol\n";
    let p = write_log(dir.path(), "mixed.log", log, now);
    let r = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(account(&r, "bob@example.gov")["failures"], 1);
    assert_eq!(account(&r, "bob")["failures"], 1);
    assert_eq!(account(&r, "carol")["failures"], 1);
    // `events` prints one event per attempt.
    let evs = events(&[p.to_str().unwrap()]);
    assert_eq!(evs.len(), 3, "{evs:?}");
    assert_eq!(evs[0]["line"], 2);
    assert_eq!(evs[1]["reason"], "unknown_user");
}

/// Every way of cutting and ordering the work gives byte-identical JSON.
#[test]
fn threads_block_sizes_and_compression_do_not_change_the_report() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let roster = sample.join("roster.csv");
    let run = |extra: &[&str]| {
        let out = bin()
            .args(["scan", "--format", "json", "--tz", "UTC", "--roster"])
            .arg(&roster)
            .arg(&sample)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let base = run(&["--threads", "1"]);
    for extra in [
        &["--threads", "2"][..],
        &["--threads", "8"],
        &["--threads", "2", "--block-size", "1"],
        &["--threads", "2", "--block-size", "7"],
        &["--threads", "2", "--block-size", "64"],
        &["--threads", "1", "--no-mmap"],
    ] {
        assert!(run(extra) == base, "report differs with {extra:?}");
    }
}

/// The same log plain, gzip (in two members), zstd, bzip2 and xz gives the
/// same accounts and findings.
#[test]
fn compressed_input_reads_like_plain() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for i in 0..40 {
        log.push_str(&format!(
            "2025-03-03T10:{:02}:{:02}+00:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<erin@example.gov>, method=PLAIN, rip=203.0.113.{}, lip=198.51.100.5, TLS, session=<Zm9vYmFyYmF6cXV{i:02}>\n",
            i / 4,
            i % 60,
            i % 3 + 1
        ));
    }
    log.push_str("2025-03-03T10:20:00+00:00 mx1 dovecot: imap-login: Login: user=<erin@example.gov>, method=PLAIN, rip=203.0.113.1, lip=198.51.100.5, mpid=9, TLS, session=<Zm9vYmFyYmF6cXZZ>\n");
    let plain = dir.path().join("plain.log");
    std::fs::write(&plain, &log).unwrap();
    let half = log.len() / 2;
    let cut = half + log[half..].find('\n').unwrap() + 1;
    let mut gz = Vec::new();
    for part in [&log[..cut], &log[cut..]] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(part.as_bytes()).unwrap();
        gz.extend(e.finish().unwrap());
    }
    std::fs::write(dir.path().join("log.gz"), &gz).unwrap();
    std::fs::write(
        dir.path().join("log.zst"),
        zstd::encode_all(log.as_bytes(), 3).unwrap(),
    )
    .unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(log.as_bytes()).unwrap();
    std::fs::write(dir.path().join("log.bz2"), bz.finish().unwrap()).unwrap();
    let mut xz = xz2::write::XzEncoder::new(Vec::new(), 6);
    xz.write_all(log.as_bytes()).unwrap();
    std::fs::write(dir.path().join("log.xz"), xz.finish().unwrap()).unwrap();

    let strip = |mut r: Value| {
        for f in r["findings"].as_array_mut().unwrap() {
            for e in f["evidence"].as_array_mut().unwrap() {
                e["file"] = Value::Null;
            }
        }
        (
            r["accounts"].take(),
            r["findings"].take(),
            r["input"]["lines"].take(),
        )
    };
    let base = strip(scan_json(&[plain.to_str().unwrap()]));
    assert_eq!(base.2, 41);
    assert_eq!(base.1.as_array().unwrap().len(), 2, "{:?}", base.1);
    for name in ["log.gz", "log.zst", "log.bz2", "log.xz"] {
        let p = dir.path().join(name);
        assert_eq!(strip(scan_json(&[p.to_str().unwrap()])), base, "{name}");
    }
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(sample_dir().join("EXPECTED.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Scan the bundled sample with the arguments its known answer assumes.
fn scan_sample() -> Value {
    let dir = sample_dir();
    let exp = expected();
    let mut args: Vec<String> = Vec::new();
    let scan_args = exp["scan_args"].as_array().unwrap();
    let mut i = 0;
    while i < scan_args.len() {
        let a = scan_args[i].as_str().unwrap();
        if a == "--tz" {
            // scan_json passes --tz UTC already.
            assert_eq!(scan_args[i + 1], "UTC");
            i += 2;
            continue;
        }
        if a == "--roster" {
            i += 1;
            let file = dir.join(scan_args[i].as_str().unwrap());
            args.push(a.into());
            args.push(file.to_str().unwrap().into());
        } else {
            args.push(a.into());
        }
        i += 1;
    }
    args.push(dir.to_str().unwrap().into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    scan_json(&refs)
}

fn short(file: &str) -> &str {
    file.rsplit('/').next().unwrap()
}

/// Every planted case of the sample is found by the right detector, on the
/// right account or address, with the right time span and evidence lines.
#[test]
fn sample_logs_planted_cases_are_found() {
    let exp = expected();
    let r = scan_sample();
    let implemented = [
        "brute_force",
        "success_after_failures",
        "password_spray",
        "user_enumeration",
        "many_ips",
        "dormant_reactivated",
        "send_burst",
        "not_in_roster",
    ];
    let findings = r["findings"].as_array().unwrap();
    let mut checked = 0;
    for p in exp["planted"].as_array().unwrap() {
        let det = p["detector"].as_str().unwrap();
        if !implemented.contains(&det) {
            continue;
        }
        let f = findings
            .iter()
            .find(|f| {
                f["detector"] == det
                    && if p["account"].is_null() {
                        f["ip"] == p["ip"]
                    } else {
                        f["account"] == p["account"]
                    }
            })
            .unwrap_or_else(|| panic!("planted {det} on {} not found", p["account"]));
        assert_eq!(f["severity"], p["severity"], "{det}");
        assert_eq!(f["first"], p["first"], "{det}");
        assert_eq!(f["last"], p["last"], "{det}");
        if det != "many_ips" {
            assert_eq!(f["count"], p["count"], "{det}");
        }
        // The evidence points at the real lines, with their text.
        let ours: Vec<(String, u64, String)> = f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    short(e["file"].as_str().unwrap()).to_string(),
                    e["line"].as_u64().unwrap(),
                    e["text"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        for e in p["evidence"].as_array().unwrap() {
            let want = (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["text"].as_str().unwrap().to_string(),
            );
            assert!(
                ours.contains(&want),
                "{det}: evidence {want:?} not in {ours:?}"
            );
        }
        // A detector that may fire on the same case too must count the
        // whole of it (its sets are not cut short by bucket caps).
        for also in p["may_also_fire"].as_array().into_iter().flatten() {
            if let Some(f2) = findings
                .iter()
                .find(|f2| f2["detector"] == *also && f2["ip"] == p["ip"] && !p["ip"].is_null())
            {
                assert_eq!(f2["count"], p["count"], "{also} on {}", p["ip"]);
                assert_eq!(f2["first"], p["first"], "{also} on {}", p["ip"]);
            }
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        implemented.len(),
        "a planted case is missing from EXPECTED.json"
    );
    // Nothing else of medium or above on a roster account.
    let planted_accounts: Vec<&Value> = exp["planted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["account"])
        .collect();
    for f in findings {
        if f["account"].is_null() || planted_accounts.contains(&&f["account"]) {
            continue;
        }
        let a = account(&r, f["account"].as_str().unwrap());
        assert!(
            a["in_roster"] != true || f["severity"] == "low",
            "unexpected finding on a background account: {f}"
        );
    }
}

/// Statuses and last logins of the sample, to the second.
#[test]
fn sample_logs_statuses_and_last_logins() {
    let exp = expected();
    let r = scan_sample();
    for (list, status) in [
        ("inactive", "inactive"),
        ("never", "never"),
        ("new", "new"),
        ("disabled", "disabled"),
    ] {
        for name in exp[list].as_array().unwrap() {
            let a = account(&r, name.as_str().unwrap());
            assert_eq!(a["status"], status, "{name}");
        }
    }
    for name in exp["inactive"]
        .as_array()
        .unwrap()
        .iter()
        .chain(exp["never"].as_array().unwrap())
    {
        assert_eq!(
            account(&r, name.as_str().unwrap())["action"],
            "revoke",
            "{name}"
        );
    }
    for name in exp["service"].as_array().unwrap() {
        let a = account(&r, name.as_str().unwrap());
        assert_eq!(a["service_account"], true);
        assert_ne!(a["action"], "revoke");
    }
    for l in exp["last_login"].as_array().unwrap() {
        let a = account(&r, l["account"].as_str().unwrap());
        assert_eq!(a["last_login"], l["last_login"], "{}", l["account"]);
        assert_eq!(a["last_login_service"], l["service"], "{}", l["account"]);
        assert_eq!(a["last_login_ip"], l["ip"], "{}", l["account"]);
    }
    // The only accounts on the inactive list are the expected ones.
    let idle: Vec<&str> = r["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "revoke")
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    let mut want: Vec<&str> = exp["inactive"]
        .as_array()
        .unwrap()
        .iter()
        .chain(exp["never"].as_array().unwrap())
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut idle_sorted = idle.clone();
    idle_sorted.sort();
    want.sort();
    assert_eq!(idle_sorted, want);
    assert_eq!(r["input"]["files"], 7);
    assert_eq!(r["input"]["skipped"].as_array().unwrap().len(), 0);
}

/// Lines in special shapes of the sample become the right events.
#[test]
fn sample_logs_special_lines() {
    let exp = expected();
    let evs = events(&[
        "--tz",
        "UTC",
        "--default-domain",
        "example.gov",
        sample_dir().to_str().unwrap(),
    ]);
    let at = |file: &str, line: u64| {
        evs.iter()
            .find(|e| short(e["file"].as_str().unwrap()) == file && e["line"] == line)
            .unwrap_or_else(|| panic!("no event at {file}:{line}"))
    };
    for s in exp["special_lines"].as_array().unwrap() {
        let e = at(s["file"].as_str().unwrap(), s["line"].as_u64().unwrap());
        match s["what"].as_str().unwrap() {
            "mixed_case_user" => {
                assert_eq!(e["user"], "Jan.Novak@example.gov");
                assert_eq!(e["account"], "jan.novak@example.gov");
            }
            "rsyslog_message_repeated" => {
                assert_eq!(e["count"], 3);
                assert_eq!(e["outcome"], "failure");
            }
            "ipv4_mapped_address" => assert_eq!(e["ip"], "198.18.160.243"),
            "dovecot_2_4_logged_in" => assert_eq!(e["outcome"], "success"),
            "dovecot_2_4_login_aborted" => {
                assert_eq!(e["outcome"], "failure");
                assert_eq!(e["count"], 2);
            }
            "roundcube_user_with_from" => {
                assert_eq!(e["user"], "admin from 10.20.0.1");
                assert_eq!(e["ip"], "198.51.100.77");
                assert_eq!(e["service"], "webmail");
            }
            other => panic!("unknown special line {other}"),
        }
    }
    // Events come in input order within each file, with their line numbers.
    let lines: Vec<u64> = evs
        .iter()
        .filter(|e| short(e["file"].as_str().unwrap()) == "auth.log")
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]));
}

/// The README's command: the table shows the at-risk accounts with their
/// reasons, then the inactive and never-logged-in ones.
#[test]
fn readme_command_prints_the_lists() {
    let dir = sample_dir();
    let out = bin()
        .args(["scan", "--default-domain", "example.gov", "--roster"])
        .arg(dir.join("roster.csv"))
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let risk = text.find("AT RISK (").expect("at-risk section");
    let idle = text
        .find("INACTIVE AND NEVER LOGGED IN (3)")
        .expect("inactive section");
    assert!(risk < idle);
    assert!(text[risk..idle].contains("success_after_failures"));
    assert!(text[idle..].contains("walter.hoffmann@example.gov"));
    assert!(text[idle..].contains("yusuf.demir@example.gov"));
}

/// `events` filters: account, address or network, time window; and stdin.
#[test]
fn events_filters_and_stdin() {
    let dir = sample_dir();
    let all = events(&["--tz", "UTC", dir.to_str().unwrap()]);
    let one = events(&[
        "--tz",
        "UTC",
        "--account",
        "Ingrid.Larsen@example.gov",
        dir.to_str().unwrap(),
    ]);
    assert!(!one.is_empty());
    assert!(one
        .iter()
        .all(|e| e["account"] == "ingrid.larsen@example.gov"));
    assert_eq!(
        one.len(),
        all.iter()
            .filter(|e| e["account"] == "ingrid.larsen@example.gov")
            .count()
    );
    let net = events(&[
        "--tz",
        "UTC",
        "--ip",
        "203.0.113.0/24",
        dir.to_str().unwrap(),
    ]);
    assert!(!net.is_empty());
    assert!(net
        .iter()
        .all(|e| e["ip"].as_str().unwrap().starts_with("203.0.113.")));
    let day = events(&[
        "--tz",
        "UTC",
        "--since",
        "2025-01-09",
        "--until",
        "2025-01-09T23:59:59+00:00",
        dir.to_str().unwrap(),
    ]);
    assert!(!day.is_empty());
    assert!(day
        .iter()
        .all(|e| e["ts"].as_str().unwrap().starts_with("2025-01-09")));
    // The same file through stdin is named `-`.
    let text = std::fs::read(dir.join("userlogins.log")).unwrap();
    let out = bin()
        .args(["events", "--tz", "UTC", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(out.status.success());
    let evs: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!evs.is_empty());
    assert!(evs
        .iter()
        .all(|e| e["file"] == "-" && e["service"] == "webmail"));
    // CSV has the same columns, with a header.
    let out = bin()
        .args(["events", "--format", "csv", "--tz", "UTC"])
        .arg(dir.join("userlogins.log"))
        .output()
        .unwrap();
    let csv_text = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv_text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "ts,kind,outcome,account,user,ip,service,source,method,tls,reason,count,file,line"
    );
    assert_eq!(lines.count(), evs.len());
}

/// The other report formats carry the same accounts and findings.
#[test]
fn report_formats_and_fail_on() {
    let dir = sample_dir();
    let run = |extra: &[&str]| {
        bin()
            .args([
                "scan",
                "--tz",
                "UTC",
                "--default-domain",
                "example.gov",
                "--roster",
            ])
            .arg(dir.join("roster.csv"))
            .arg(&dir)
            .args(extra)
            .output()
            .unwrap()
    };
    let json: Value = serde_json::from_slice(&run(&["--format", "json"]).stdout).unwrap();
    let n_accounts = json["accounts"].as_array().unwrap().len();
    let n_findings = json["findings"].as_array().unwrap().len();
    let csv_out = String::from_utf8(run(&["--format", "csv"]).stdout).unwrap();
    assert!(csv_out.starts_with("account,status,in_roster,last_login,last_login_ip,last_login_service,days_since_login,logins,failures,distinct_ips,risk_level,risk_score,detectors,action,ticket_key\n"));
    assert_eq!(csv_out.lines().count(), n_accounts + 1);
    let ingrid = csv_out
        .lines()
        .find(|l| l.starts_with("ingrid.larsen@example.gov,"))
        .unwrap();
    assert!(
        ingrid.contains("success_after_failures") && ingrid.contains(",reset_password,AS-"),
        "{ingrid}"
    );
    let nd = String::from_utf8(run(&["--format", "ndjson"]).stdout).unwrap();
    assert_eq!(nd.lines().count(), n_accounts + n_findings);
    let md = String::from_utf8(run(&["--format", "markdown"]).stdout).unwrap();
    assert!(md.contains("## At risk") && md.contains("## Inactive and never logged in"));
    assert!(md.contains("walter.hoffmann@example.gov"));
    // --fail-on: exit 1 when there are findings of that kind.
    assert_eq!(
        run(&["--fail-on", "at-risk", "-o", "/dev/null"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&["--fail-on", "inactive", "-o", "/dev/null"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&["--fail-on", "never", "-o", "/dev/null"])
            .status
            .code(),
        Some(0)
    );
}

/// Usage errors exit 2 with a message; unreadable input exits 3 with the
/// report still written and the file named.
#[test]
fn exit_codes_for_usage_and_unreadable_input() {
    let out = bin()
        .args(["scan", "--as-of", "last tuesday", "x.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of"));
    let out = bin()
        .args(["scan", "--tz", "Mars/Olympus", "x.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("userlogins.log");
    std::fs::copy(sample_dir().join("userlogins.log"), &good).unwrap();
    let missing = dir.path().join("nope.log");
    let out = bin()
        .args(["scan", "--format", "json", "--tz", "UTC"])
        .arg(&good)
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["input"]["events"].as_u64().unwrap() > 0);
    let skipped = r["input"]["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0]["file"].as_str().unwrap().ends_with("nope.log"));
    assert!(skipped[0]["why"].as_str().unwrap().contains("no such file"));
    let out = bin()
        .args(["scan", "-o", "/nonexistent-dir/report.json"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the output"));
}

/// A file given whole or split in two gives the same accounts and findings
/// (only the evidence's file names and line numbers differ).
#[test]
fn a_file_split_in_two_reads_like_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(sample_dir().join("mail.log")).unwrap();
    let whole = dir.path().join("whole");
    let parts = dir.path().join("parts");
    std::fs::create_dir_all(&whole).unwrap();
    std::fs::create_dir_all(&parts).unwrap();
    std::fs::write(whole.join("mail.log"), &text).unwrap();
    let mid = text.len() / 2;
    let cut = mid + text[mid..].find('\n').unwrap() + 1;
    std::fs::write(parts.join("mail.log.a"), &text[..cut]).unwrap();
    std::fs::write(parts.join("mail.log.b"), &text[cut..]).unwrap();
    let strip = |mut r: Value| {
        for f in r["findings"].as_array_mut().unwrap() {
            f["evidence"] = Value::Null;
        }
        (
            r["accounts"].take(),
            r["findings"].take(),
            r["input"]["lines"].take(),
            r["input"]["events"].take(),
        )
    };
    let a = strip(scan_json(&[whole.to_str().unwrap()]));
    let b = strip(scan_json(&[parts.to_str().unwrap()]));
    assert!(a.1.as_array().unwrap().len() >= 2, "{:?}", a.1);
    assert_eq!(a, b);
}

/// Evidence read back from a large mapped file (by seeking to the block
/// that holds each line) is the same as from the compressed original
/// (read from its start), whatever the block size.
#[test]
fn evidence_from_a_mapped_file_matches_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let gz = sample_dir().join("mail.log.1.gz");
    let mut text = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::MultiGzDecoder::new(std::fs::File::open(&gz).unwrap()),
        &mut text,
    )
    .unwrap();
    assert!(text.len() > 4 << 20, "large enough to be mapped");
    // The time the gzip header carries: the same years for yearless lines.
    let plain = write_log(
        dir.path(),
        "mail.log.1",
        std::str::from_utf8(&text).unwrap(),
        utc("2025-01-01T00:32:00Z"),
    );
    let evidence = |p: &Path, bs: &str| {
        let r = scan_json(&["--block-size", bs, p.to_str().unwrap()]);
        let ev: Vec<(u64, String)> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["evidence"].as_array().unwrap().clone())
            .map(|e| {
                (
                    e["line"].as_u64().unwrap(),
                    e["text"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        ev
    };
    let from_gz = evidence(&gz, "65536");
    assert!(from_gz.len() >= 4, "{from_gz:?}");
    // Block-local line numbers (and checkpoints) fixed up after the read,
    // whatever the block size: one line per block, a few, many.
    for bs in ["1", "7", "65536", "4194304"] {
        assert_eq!(evidence(&plain, bs), from_gz, "block size {bs}");
    }
}
