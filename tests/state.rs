//! Incremental and sharded runs through the binary: `--state` across
//! simulated log rotations equals one full scan and reads only new bytes;
//! `--save-state`, `merge` and `report` equal a scan of everything; broken
//! states are refused and left as they were.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("authsweep").expect("binary built")
}

const COMMON: [&str; 6] = [
    "--format",
    "json",
    "--tz",
    "UTC",
    "--default-domain",
    "example.gov",
];

/// One day's worth of a mail host's syslog, as Dovecot, sshd and Postfix
/// write it: logins of three people, some deliveries, and (from `from` to
/// `to` minutes after 23:50 of day `day`) one failed SSH password for bob
/// per minute.
fn day(day: u32, tag: u32, failures: std::ops::Range<u32>) -> String {
    let mut s = String::new();
    let d = format!("Mar {day:>2}");
    for (i, user) in ["alice", "carol", "erin"].iter().enumerate() {
        let h = 8 + i as u32 + tag % 3;
        s += &format!(
            "{d} {h:02}:0{i}:1{tag} mx1 dovecot: imap-login: Login: user=<{user}@example.gov>, method=PLAIN, rip=192.0.2.{}, lip=198.51.100.5, mpid={}, TLS, session=<Ab{tag}Cd{i}Ef>\n",
            10 + i,
            3000 + tag * 10 + i as u32
        );
        s += &format!(
            "{d} {h:02}:1{i}:0{tag} mx1 postfix/smtp[{}]: 4F{tag}A{i}: to=<someone@example.org>, relay=mx.example.org[198.51.100.77]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n",
            900 + tag
        );
    }
    s += &format!(
        "{d} 12:00:0{} mx1 sshd[{}]: Accepted password for bob from 192.0.2.50 port 50{tag}22 ssh2\n",
        tag % 10,
        4000 + tag
    );
    s + &night(day, failures)
}

/// One failed SSH password for bob per minute, from `from` to `to` minutes
/// after 23:50 of day `day`.
fn night(day: u32, failures: std::ops::Range<u32>) -> String {
    let mut s = String::new();
    for m in failures {
        let (dd, hh, mm) = if m < 10 {
            (day, 23, 50 + m)
        } else {
            (day + 1, 0, m - 10)
        };
        s += &format!(
            "Mar {dd:>2} {hh:02}:{mm:02}:30 mx1 sshd[{}]: Failed password for bob from 203.0.113.9 port {} ssh2\n",
            5000 + m,
            41000 + m
        );
    }
    s
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn run(args: &[&str]) -> Value {
    let out = bin().args(args).args(COMMON).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn full(dir: &Path) -> Value {
    run(&["scan", dir.to_str().unwrap(), "-q"])
}

fn incremental(dir: &Path, state: &Path) -> Value {
    run(&[
        "scan",
        dir.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
        "-q",
    ])
}

/// The report without what only describes this run.
fn same_data(mut v: Value) -> Value {
    let input = v["input"].as_object_mut().unwrap();
    input.remove("this_run");
    v
}

fn read_now(v: &Value) -> (u64, u64) {
    let r = &v["input"]["this_run"];
    (r["files"].as_u64().unwrap(), r["bytes"].as_u64().unwrap())
}

fn gzip(from: &Path, to: &Path) {
    let data = std::fs::read(from).unwrap();
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(to).unwrap(),
        flate2::Compression::default(),
    );
    e.write_all(&data).unwrap();
    e.finish().unwrap();
    std::fs::remove_file(from).unwrap();
}

/// A temporary log directory and the path of a state beside it (the
/// directory lives as long as the first value).
fn rotation_dir() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    std::fs::create_dir(&logs).unwrap();
    let state = tmp.path().join("nightly.state");
    (tmp, logs, state)
}

/// Daily rotation with delaycompress: the live file grows, is renamed to
/// `.1` (and still written a little), then compressed to `.2.gz` a day
/// later. After every run the report equals a full scan of the same files,
/// and the run read only the bytes that were new.
#[test]
fn daily_rotation_with_delaycompress() {
    let (_tmp, logs, state) = rotation_dir();
    let live = logs.join("mail.log");

    let d1a = day(1, 1, 0..0);
    append(&live, &d1a);
    let r = incremental(&logs, &state);
    assert!(r["input"].get("this_run").is_none(), "no state before");
    assert_eq!(same_data(r), full(&logs));

    // The evening: bob's password is tried from 23:55.
    let d1b = day(1, 2, 5..10);
    append(&live, &d1b);
    let r = incremental(&logs, &state);
    assert_eq!(read_now(&r), (1, d1b.len() as u64));
    assert_eq!(same_data(r), full(&logs));

    // Rotation just after midnight; the attack goes on into the new file.
    std::fs::rename(&live, logs.join("mail.log.1")).unwrap();
    let d2a = night(1, 10..15) + &day(2, 3, 0..0);
    append(&live, &d2a);
    let r = incremental(&logs, &state);
    assert_eq!(read_now(&r), (1, d2a.len() as u64));
    let brute: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["detector"] == "brute_force")
        .collect();
    assert_eq!(brute.len(), 1, "one attack across midnight and two runs");
    assert_eq!(brute[0]["count"], 10);
    assert_eq!(brute[0]["account"], "bob@example.gov");
    assert_eq!(same_data(r), full(&logs));

    // The daemon wrote a last line to the old file before reopening.
    let late = day(1, 4, 0..0);
    append(&logs.join("mail.log.1"), &late);
    let d2b = day(2, 5, 0..0);
    append(&live, &d2b);
    let r = incremental(&logs, &state);
    assert_eq!(read_now(&r), (2, (late.len() + d2b.len()) as u64));
    assert_eq!(same_data(r), full(&logs));

    // Next night: .1 is compressed to .2.gz, the live file becomes .1.
    gzip(&logs.join("mail.log.1"), &logs.join("mail.log.2.gz"));
    std::fs::rename(&live, logs.join("mail.log.1")).unwrap();
    let d3 = day(3, 6, 0..0);
    append(&live, &d3);
    let r = incremental(&logs, &state);
    assert_eq!(read_now(&r), (1, d3.len() as u64));
    assert_eq!(same_data(r), full(&logs));

    // Nothing new: nothing read, the same report.
    let r = incremental(&logs, &state);
    assert_eq!(read_now(&r), (0, 0));
    assert_eq!(same_data(r), full(&logs));
}

/// `copytruncate`: the live file is copied to `.1` and truncated in place.
/// The copy is recognized (only its unread end is read), the truncated file
/// is read from its start.
#[test]
fn copytruncate() {
    let (_tmp, logs, state) = rotation_dir();
    let live = logs.join("mail.log");
    append(&live, &day(1, 1, 0..0));
    incremental(&logs, &state);
    let d1b = day(1, 2, 0..10);
    append(&live, &d1b);
    std::fs::copy(&live, logs.join("mail.log.1")).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&live)
        .unwrap()
        .set_len(0)
        .unwrap();
    let d2 = day(2, 3, 10..14);
    append(&live, &d2);
    let r = incremental(&logs, &state);
    assert_eq!(read_now(&r), (2, (d1b.len() + d2.len()) as u64));
    assert_eq!(same_data(r), full(&logs));
}

/// A file replaced at the same path (new content) is read from its start;
/// what was read of the old one stays in the state.
#[test]
fn replaced_file_is_read_from_its_start() {
    let (_tmp, logs, state) = rotation_dir();
    let live = logs.join("auth.log");
    let old = day(1, 1, 0..10);
    append(&live, &old);
    incremental(&logs, &state);
    std::fs::remove_file(&live).unwrap();
    let new = day(4, 7, 0..3);
    append(&live, &new);
    let r = incremental(&logs, &state);
    assert_eq!(read_now(&r), (1, new.len() as u64));
    assert_eq!(
        r["input"]["this_run"]["lines"].as_u64().unwrap(),
        new.lines().count() as u64
    );
    // Both days are in the report: the old one from the state.
    let bob = r["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == "bob@example.gov")
        .unwrap();
    assert_eq!(bob["failures"], 13);
    assert_eq!(bob["logins"], 2);
    // The old file's lines are no longer on disk: its evidence is never
    // read from the new file that took its name, but shown as the state
    // kept it from the last report.
    let mut from_old = 0;
    for f in r["findings"].as_array().unwrap() {
        for e in f["evidence"].as_array().unwrap() {
            let t = e["text"]
                .as_str()
                .expect("every evidence line has its text");
            let line = e["line"].as_u64().unwrap() as usize;
            let in_old = old.lines().nth(line - 1) == Some(t);
            let in_new = new.lines().nth(line - 1) == Some(t);
            assert!(in_old || in_new, "evidence {t:?} at line {line}");
            from_old += usize::from(in_old && !in_new);
        }
    }
    assert!(from_old > 0, "the old attack's evidence is still shown");
}

/// Log rotation deletes old files: the findings stay (the state holds the
/// data) and so does their evidence text, kept by the state from the
/// report of an earlier run.
#[test]
fn evidence_outlives_deleted_files() {
    let (_tmp, logs, state) = rotation_dir();
    let live = logs.join("mail.log");
    append(&live, &day(1, 1, 0..12));
    let first = incremental(&logs, &state);
    std::fs::rename(&live, logs.join("mail.log.1")).unwrap();
    append(&live, &day(2, 2, 0..0));
    incremental(&logs, &state);
    std::fs::remove_file(logs.join("mail.log.1")).unwrap();
    append(&live, &day(2, 3, 0..0));
    let last = incremental(&logs, &state);
    let brute = |r: &Value| -> Value {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["detector"] == "brute_force")
            .cloned()
            .expect("the brute force is reported")
    };
    let (a, b) = (brute(&first), brute(&last));
    assert_eq!(a["count"], b["count"]);
    let texts = |f: &Value| -> Vec<Value> {
        f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].clone())
            .collect()
    };
    assert!(texts(&b).iter().all(|t| t.is_string()));
    assert_eq!(texts(&a), texts(&b));
    assert!(b["evidence"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("mail.log.1"));
}

/// Shards saved apart, merged in either order (also through stdin), and
/// reported: the same report as one scan of all the files, byte for byte.
#[test]
fn shards_merge_in_any_order_and_report_like_one_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let hosts = ["mx1.log", "mx2.log", "auth.log"];
    for (i, h) in hosts.iter().enumerate() {
        append(&d.join(h), &day(1 + i as u32, 1 + i as u32, 0..12));
    }
    let path = |n: &str| d.join(n).to_str().unwrap().to_string();
    let roster = d.join("roster.csv");
    std::fs::write(
        &roster,
        "account,name,unit,aliases\nalice@example.gov,Alice,IT,\nbob@example.gov,Bob,IT,\ndave@example.gov,Dave,HR,\n",
    )
    .unwrap();
    let r = roster.to_str().unwrap();
    let whole = bin()
        .args([
            "scan",
            &path("mx1.log"),
            &path("mx2.log"),
            &path("auth.log"),
        ])
        .args(COMMON)
        .args(["--roster", r, "-q"])
        .output()
        .unwrap();
    assert!(whole.status.success());
    // Shard 1 on its own; shards 2 and 3 through stdout.
    bin()
        .args(["scan", &path("mx1.log"), "--save-state", &path("a.state")])
        .args(COMMON)
        .args(["-q", "-o", &path("a.json")])
        .assert()
        .success();
    let b = bin()
        .args([
            "scan",
            &path("mx2.log"),
            &path("auth.log"),
            "--save-state",
            "-",
        ])
        .args(COMMON)
        .arg("-q")
        .output()
        .unwrap();
    assert!(b.status.success());
    std::fs::write(d.join("b.state"), &b.stdout).unwrap();
    for order in [["a.state", "b.state"], ["b.state", "a.state"]] {
        bin()
            .args([
                "merge",
                &path(order[0]),
                &path(order[1]),
                "-o",
                &path("m.state"),
            ])
            .assert()
            .success();
        let rep = bin()
            .args(["report", &path("m.state"), "--roster", r])
            .args(COMMON)
            .output()
            .unwrap();
        assert!(
            rep.status.success(),
            "{}",
            String::from_utf8_lossy(&rep.stderr)
        );
        assert_eq!(
            String::from_utf8(rep.stdout).unwrap(),
            String::from_utf8(whole.stdout.clone()).unwrap()
        );
    }
    // Both states back to back on stdin, merged to stdout, reported.
    let mut both = std::fs::read(d.join("b.state")).unwrap();
    both.extend(std::fs::read(d.join("a.state")).unwrap());
    let merged = bin()
        .args(["merge", "-", "-o", "-"])
        .write_stdin(both)
        .output()
        .unwrap();
    assert!(merged.status.success());
    let rep = bin()
        .args(["report", "-", "--roster", r])
        .args(COMMON)
        .write_stdin(merged.stdout)
        .output()
        .unwrap();
    assert_eq!(rep.stdout, whole.stdout);
    // The same shard twice would count its lines twice: refused.
    bin()
        .args([
            "merge",
            &path("a.state"),
            &path("a.state"),
            "-o",
            &path("x.state"),
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("twice"));
}

/// A damaged, truncated or foreign state is refused with a clear message
/// (exit 2) and left as it was; no log is read.
#[test]
fn broken_states_are_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let log = d.join("mail.log");
    append(&log, &day(1, 1, 0..3));
    let state = d.join("s.state");
    incremental(d.join("mail.log").parent().unwrap(), &state);
    let good = std::fs::read(&state).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", good[..good.len() / 2].to_vec(), "truncated"),
        (
            "damaged",
            {
                let mut b = good.clone();
                let n = b.len();
                b[n / 2] ^= 1;
                b
            },
            "damaged",
        ),
        (
            "foreign version",
            {
                let mut b = good.clone();
                b[16] = 7;
                b
            },
            "format version 7",
        ),
        (
            "not a state",
            b"Mar  1 10:00:00 mx1 sshd[1]: x\n".to_vec(),
            "not an authsweep state",
        ),
    ];
    for (what, bytes, msg) in cases {
        std::fs::write(&state, &bytes).unwrap();
        bin()
            .args([
                "scan",
                log.to_str().unwrap(),
                "--state",
                state.to_str().unwrap(),
            ])
            .args(COMMON)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(msg));
        assert_eq!(
            std::fs::read(&state).unwrap(),
            bytes,
            "{what}: the state was changed"
        );
        bin()
            .args(["report", state.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(msg));
    }
    // Another run's settings: refused, naming the difference.
    std::fs::write(&state, &good).unwrap();
    bin()
        .args([
            "scan",
            log.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ])
        .args([
            "--format",
            "json",
            "--tz",
            "Europe/Paris",
            "--default-domain",
            "example.gov",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--tz UTC / Europe/Paris"));
    assert_eq!(std::fs::read(&state).unwrap(), good);
    // A state that cannot be written is refused before any reading.
    bin()
        .args(["scan", log.to_str().unwrap(), "--save-state"])
        .arg(d.join("no-such-dir").join("s.state"))
        .args(COMMON)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot write the state"));
}

/// What a shard could not read reaches the report of the merged states.
#[test]
fn skipped_input_travels_with_the_state() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    append(&d.join("mx1.log"), &day(1, 1, 0..3));
    let missing = d.join("gone.log");
    let st = d.join("a.state");
    bin()
        .args([
            "scan",
            d.join("mx1.log").to_str().unwrap(),
            missing.to_str().unwrap(),
        ])
        .args(["--save-state", st.to_str().unwrap(), "-o", "/dev/null"])
        .args(COMMON)
        .assert()
        .code(3);
    let out = bin()
        .args(["report", st.to_str().unwrap()])
        .args(COMMON)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = r["input"]["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["file"], missing.to_str().unwrap());
    assert!(skipped[0]["why"].as_str().unwrap().contains("no such file"));
}
