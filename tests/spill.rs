//! Evidence read back through the spill: the lines of compressed (and other
//! streamed) files that a scan may quote are kept while they are read, and
//! the report is byte-identical to the one read back from the files, with
//! the spill, without it (no usable temporary directory), and when part of
//! the lines predate it (an incremental run).
//!
//! `AUTHSWEEP_TIMINGS=1` makes the binary say where the evidence came from
//! (`evidence: N lines, S from the spill, F read from their files`).

use assert_cmd::Command;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

/// The time the gzip header of `mail.log.1.gz` carries (the year of its
/// yearless lines): its copies get it as their modification time.
const ROTATED_AT: u64 = 1_735_691_520;

/// A later time, old enough for a large plain file to be mapped.
const LATER: u64 = 1_737_374_400;

fn set_mtime(p: &Path, secs: u64) {
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

/// The text of `mail.log.1.gz`.
fn rotated_text() -> Vec<u8> {
    let mut text = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::MultiGzDecoder::new(
            std::fs::File::open(sample_dir().join("mail.log.1.gz")).unwrap(),
        ),
        &mut text,
    )
    .unwrap();
    text
}

/// What a scan printed: the report, and the counts of where its evidence
/// came from, `(lines, from the spill, read from their files)`.
struct Scan {
    report: Vec<u8>,
    evidence: (u64, u64, u64),
}

/// `scan` in `dir` (so that file names in the report do not depend on
/// it) with `args`, timings on; `tmp` as the temporary directory.
fn scan(dir: &Path, tmp: &Path, args: &[&str]) -> Scan {
    let out = Command::cargo_bin("authsweep")
        .unwrap()
        .current_dir(dir)
        .env("AUTHSWEEP_TIMINGS", "1")
        .env("TMPDIR", tmp)
        .args(["scan", "--format", "json", "--tz", "UTC", "-v", "--roster"])
        .arg(sample_dir().join("roster.csv"))
        .args(["--default-domain", "example.gov"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("authsweep: timing: evidence: "))
        .unwrap_or_else(|| panic!("no evidence count: {stderr}"));
    // "N lines, S from the spill, F read from their files"
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(n.len(), 3, "{line}");
    Scan {
        report: out.stdout,
        evidence: (n[0], n[1], n[2]),
    }
}

/// The evidence of a JSON report: `(file, line, text)`.
fn evidence(report: &[u8]) -> Vec<(String, u64, Option<String>)> {
    let r: serde_json::Value = serde_json::from_slice(report).unwrap();
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["evidence"].as_array().unwrap().clone())
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["text"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Line `no` (1-based) of `text`.
fn line_of(text: &[u8], no: u64) -> String {
    let line = text.split(|&b| b == b'\n').nth(no as usize - 1).unwrap();
    String::from_utf8(line.to_vec()).unwrap()
}

/// The sample logs plain, gzip and zstd, under the same names: the JSON
/// reports are byte-identical. The compressed copies' evidence all comes
/// from the spill; the large plain file (mapped) is read back by seeking;
/// without a usable temporary directory there is no spill, and the same
/// report.
#[test]
fn compressed_copies_report_like_the_plain_files() {
    let root = tempfile::tempdir().unwrap();
    let tmp = root.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let names = ["auth.log", "mail.log", "userlogins.log", "mail.log.1"];
    let texts: Vec<Vec<u8>> = names
        .iter()
        .map(|n| match *n {
            "mail.log.1" => rotated_text(),
            n => std::fs::read(sample_dir().join(n)).unwrap(),
        })
        .collect();
    for kind in ["plain", "gz", "zst"] {
        let dir = root.path().join(kind);
        std::fs::create_dir(&dir).unwrap();
        for (name, text) in names.iter().zip(&texts) {
            let p = dir.join(name);
            let data = match kind {
                "plain" => text.clone(),
                "gz" if *name == "mail.log.1" => {
                    std::fs::read(sample_dir().join("mail.log.1.gz")).unwrap()
                }
                "gz" => {
                    let mut e =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                    e.write_all(text).unwrap();
                    e.finish().unwrap()
                }
                _ => zstd::encode_all(&text[..], 3).unwrap(),
            };
            std::fs::write(&p, data).unwrap();
            let at = if *name == "mail.log.1" {
                ROTATED_AT
            } else {
                LATER
            };
            set_mtime(&p, at);
        }
    }
    let plain = scan(&root.path().join("plain"), &tmp, &names);
    let (n, spilled, read) = plain.evidence;
    assert!(n >= 8, "{n} evidence lines");
    // The small plain files are streamed too (not mapped): their lines
    // are in the spill.
    assert!(spilled > 0 && read > 0, "{:?}", plain.evidence);
    for kind in ["gz", "zst"] {
        let got = scan(&root.path().join(kind), &tmp, &names);
        assert!(got.report == plain.report, "{kind}: the report differs");
        assert_eq!(got.evidence, (n, n, 0), "{kind}");
    }
    // No temporary file can be made: no spill, the same report.
    let nowhere = root.path().join("no such directory");
    let got = scan(&root.path().join("zst"), &nowhere, &names);
    assert!(
        got.report == plain.report,
        "without a spill: the report differs"
    );
    assert_eq!(got.evidence, (n, 0, n));
    // Every text is the line's (a line may be the evidence of two
    // findings).
    let ev = evidence(&plain.report);
    let distinct: std::collections::BTreeSet<_> = ev.iter().map(|e| (&e.0, e.1)).collect();
    assert_eq!(distinct.len() as u64, n);
    for (file, no, text) in ev {
        let i = names.iter().position(|&f| f == file).unwrap();
        assert_eq!(text, Some(line_of(&texts[i], no)), "{file}:{no}");
    }
}

/// An incremental run after log rotation: the first half of the log was
/// read by an earlier run (as `mail.log`, then rotated and compressed to
/// `mail.log.1.gz`) into a state that keeps no evidence text (it made no
/// report); this run reads only the second half, which is all the spill
/// holds. Evidence lines of the first half are read from the archive, the
/// others come from the spill: the same report as without a spill, every
/// text right. The first read streamed the file, or mapped it (its
/// checkpoints are offsets in the plain text, of no use in the archive).
#[test]
fn lines_the_spill_lacks_are_read_from_the_file() {
    let text = rotated_text();
    // Past the evidence lines near line 28,700 and before those near
    // 43,500; large enough to be mapped.
    let cut = text
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(29_999)
        .unwrap()
        .0
        + 1;
    assert!(cut > 4 << 20);
    for first_read in [&["--no-mmap"][..], &[]] {
        let root = tempfile::tempdir().unwrap();
        let tmp = root.path().join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        let dir = root.path().join("logs");
        std::fs::create_dir(&dir).unwrap();
        let live = dir.join("mail.log");
        std::fs::write(&live, &text[..cut]).unwrap();
        set_mtime(&live, ROTATED_AT);
        let out = Command::cargo_bin("authsweep")
            .unwrap()
            .current_dir(&dir)
            .args(["scan", "--tz", "UTC", "--default-domain", "example.gov"])
            .args(["--save-state", "-", "mail.log"])
            .args(first_read)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        std::fs::write(root.path().join("first.state"), out.stdout).unwrap();
        std::fs::remove_file(&live).unwrap();
        let archive = dir.join("mail.log.1.gz");
        std::fs::copy(sample_dir().join("mail.log.1.gz"), &archive).unwrap();
        set_mtime(&archive, LATER);
        let run = |tmp: &Path| {
            let state = root.path().join("run.state");
            std::fs::copy(root.path().join("first.state"), &state).unwrap();
            scan(&dir, tmp, &["--state", "../run.state", "mail.log.1.gz"])
        };
        let with = run(&tmp);
        let (n, spilled, read) = with.evidence;
        assert!(
            spilled > 0 && read > 0,
            "{first_read:?}: {:?}",
            with.evidence
        );
        assert_eq!(spilled + read, n, "{first_read:?}");
        let without = run(&root.path().join("no such directory"));
        assert!(
            with.report == without.report,
            "{first_read:?}: the report differs"
        );
        assert_eq!(without.evidence, (n, 0, n), "{first_read:?}");
        for (file, no, got) in evidence(&with.report) {
            assert_eq!(file, "mail.log.1.gz");
            assert_eq!(got, Some(line_of(&text, no)), "{first_read:?}: line {no}");
        }
    }
}
