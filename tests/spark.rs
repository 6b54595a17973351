//! The Spark job (`integrations/spark/authsweep_spark.py`) in local mode:
//! its report must be the report of a plain `authsweep scan` of the same
//! files, and a shard that cannot be read must fail the job.
//!
//! Needs PySpark and Java: `scripts/test` installs PySpark
//! (`scripts/setup/pyspark.sh`) and exports `AUTHSWEEP_SPARK_PYTHON`. Without
//! it these tests fail rather than pass; plain `cargo test` leaves them out.

use flate2::{Compression, GzBuilder};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

const BIN: &str = env!("CARGO_BIN_EXE_authsweep");

/// One Spark at a time: each wants both cores of a small machine.
static SPARK: Mutex<()> = Mutex::new(());

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> PathBuf {
    repo().join("sample-logs")
}

/// A fresh directory under cargo's scratch space for integration tests.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("spark")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A generated mail log of ~24 MB (2,000 accounts, 30 days, planted
/// attacks) cut at line ends into 40 files of uneven sizes, every seventh
/// one gzipped, all with the original's modification time (the year of
/// its syslog lines is inferred from it). Made once per test run.
fn generated() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = scratch("generated");
        let src = root.join("src");
        let out = Command::new(env!("CARGO_BIN_EXE_authsweep-gen"))
            .args([
                "--size",
                "24M",
                "--accounts",
                "2000",
                "--seed",
                "9",
                "--out",
            ])
            .arg(&src)
            .output()
            .unwrap();
        assert!(out.status.success(), "authsweep-gen: {out:?}");
        let log = src.join("mail.log");
        let mtime = std::fs::metadata(&log).unwrap().modified().unwrap();
        let total = std::fs::metadata(&log).unwrap().len();
        let logs = root.join("logs");
        std::fs::create_dir(&logs).unwrap();
        let weights: Vec<u64> = (0..40).map(|i| 1 + (i * 7) % 5).collect();
        let sum: u64 = weights.iter().sum();
        let mut lines = std::io::BufReader::new(std::fs::File::open(&log).unwrap()).split(b'\n');
        for (i, w) in weights.iter().enumerate() {
            let target = total * w / sum;
            let mut chunk = Vec::new();
            while (chunk.len() as u64) < target || i == weights.len() - 1 {
                match lines.next() {
                    Some(l) => {
                        chunk.extend_from_slice(&l.unwrap());
                        chunk.push(b'\n');
                    }
                    None => break,
                }
            }
            write_piece(&logs, i, &chunk, mtime);
        }
        logs
    })
}

fn write_piece(dir: &Path, i: usize, chunk: &[u8], mtime: SystemTime) {
    let secs = mtime
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (name, bytes) = if i % 7 == 3 {
        let mut gz = GzBuilder::new()
            .mtime(secs as u32)
            .write(Vec::new(), Compression::fast());
        gz.write_all(chunk).unwrap();
        (format!("mail.log.{i:02}.gz"), gz.finish().unwrap())
    } else {
        (format!("mail.log.{i:02}"), chunk.to_vec())
    };
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
}

/// `spark-submit` of the PySpark that `scripts/setup/pyspark.sh` installed,
/// in local mode on two cores, bound to the loopback interface, up to the
/// job's file: the binary is the caller's to ship (`--files` goes before
/// the job, `--authsweep` after it).
fn spark_submit() -> Command {
    let python = std::env::var_os("AUTHSWEEP_SPARK_PYTHON").unwrap_or_else(|| {
        panic!(
            "AUTHSWEEP_SPARK_PYTHON is not set: run scripts/test, which installs PySpark \
             (scripts/setup/pyspark.sh) and sets it"
        )
    });
    let submit = Path::new(&python).parent().unwrap().join("spark-submit");
    assert!(
        submit.exists(),
        "{} missing: AUTHSWEEP_SPARK_PYTHON must be the python of a venv with pyspark",
        submit.display()
    );
    let mut c = Command::new(submit);
    c.env_remove("SPARK_HOME")
        .env("PYSPARK_PYTHON", &python)
        .env("PYSPARK_DRIVER_PYTHON", &python)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .args(["--master", "local[2]"])
        .args(["--conf", "spark.ui.enabled=false"])
        .args(["--conf", "spark.log.level=WARN"])
        .args(["--conf", "spark.driver.bindAddress=127.0.0.1"])
        .args(["--conf", "spark.driver.host=127.0.0.1"]);
    c
}

fn job() -> PathBuf {
    repo().join("integrations/spark/authsweep_spark.py")
}

fn run(c: &mut Command) -> Output {
    let out = c.output().unwrap();
    eprintln!(
        "{c:?}: {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The report without its input section (files, bytes, per-file counts),
/// which is where a sharded run may legitimately differ.
fn outside_input(json: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in json.lines() {
        if line == "  \"input\": {" {
            skipping = true;
        } else if skipping && (line == "  }," || line == "  }") {
            skipping = false;
        } else if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!skipping, "no end to the input section");
    out
}

/// Every file of a directory, by name, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
#[ignore = "needs pyspark: run scripts/test"]
fn spark_job_report_equals_scan() {
    let logs = generated();
    let dir = scratch("equals-scan");
    let sample = sample();
    let roster = sample.join("roster.csv");
    let inputs = [path_str(&sample), path_str(logs)];
    // The flags that shape the aggregate go to every shard's scan, and the
    // report flags to the driver's report, as the job's README says.
    let read_flags = ["--tz=UTC", "--default-domain=example.gov"];
    let report_flags = ["--roster", path_str(&roster), "--inactive-days", "60"];

    let expected = dir.join("scan");
    std::fs::create_dir(&expected).unwrap();
    let out = run(Command::new(BIN)
        .arg("scan")
        .args(inputs)
        .args(read_flags)
        .args(report_flags)
        .args(["--format", "json", "-o"])
        .arg(expected.join("report.json"))
        .arg("--tickets")
        .arg(expected.join("tickets")));
    assert_eq!(out.status.code(), Some(0));
    let out = run(Command::new(BIN)
        .arg("scan")
        .args(inputs)
        .args(read_flags)
        .args(report_flags)
        .args(["--format", "csv", "-o"])
        .arg(expected.join("report.csv")));
    assert_eq!(out.status.code(), Some(0));

    let got = dir.join("spark");
    std::fs::create_dir(&got).unwrap();
    let state = got.join("final.state");
    let _spark = SPARK.lock().unwrap_or_else(|e| e.into_inner());
    // Six shards merged two at a time: three levels of merges.
    let out = run(spark_submit()
        .args(["--files", BIN])
        .arg(job())
        .args(inputs)
        .args(["--shards", "6", "--fan-in", "2", "--state-out"])
        .arg(&state)
        .args(read_flags.map(|f| format!("--scan-flag={f}")))
        .arg("--")
        .args(read_flags)
        .args(report_flags)
        .args(["--format", "json", "-o"])
        .arg(got.join("report.json"))
        .arg("--tickets")
        .arg(got.join("tickets")));
    assert_eq!(out.status.code(), Some(0), "the Spark job failed");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("6 shards"), "{log}");

    let (want, have) = (
        text(&expected.join("report.json")),
        text(&got.join("report.json")),
    );
    assert!(
        outside_input(&want) == outside_input(&have),
        "the job's JSON report differs from scan's (outside the input section)"
    );
    let (want_v, have_v): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&want).unwrap(),
        serde_json::from_str(&have).unwrap(),
    );
    for k in ["files", "bytes", "lines", "events", "per_file", "skipped"] {
        assert_eq!(want_v["input"][k], have_v["input"][k], "input.{k}");
    }
    assert!(
        want_v["accounts"].as_array().unwrap().len() > 1000,
        "too few accounts for a meaningful comparison"
    );
    assert!(tree(&expected.join("tickets")) == tree(&got.join("tickets")));

    // The state the job wrote reports like the scan in another format too.
    let out = run(Command::new(BIN)
        .arg("report")
        .arg(&state)
        .args(read_flags)
        .args(report_flags)
        .args(["--format", "csv", "-o"])
        .arg(got.join("report.csv")));
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&expected.join("report.csv")) == text(&got.join("report.csv")));
}

#[test]
#[ignore = "needs pyspark: run scripts/test"]
fn spark_job_fetched_files_keep_their_uri() {
    // --fetch copies even local files to the executors' scratch space, as
    // it does for hdfs:// or s3a:// inputs: the counts must not change, and
    // the state names each file by its URI.
    let logs = generated();
    let dir = scratch("fetch");
    let flags = ["--tz", "UTC"];
    let out = run(Command::new(BIN)
        .arg("scan")
        .arg(logs)
        .args(flags)
        .args(["--format", "csv", "-o"])
        .arg(dir.join("scan.csv")));
    assert_eq!(out.status.code(), Some(0));

    let _spark = SPARK.lock().unwrap_or_else(|e| e.into_inner());
    let state = dir.join("final.state");
    let out = run(spark_submit()
        .arg(job())
        .args(["--authsweep", BIN])
        .arg(format!("file://{}", logs.display()))
        .args([
            "--fetch",
            "--shards",
            "3",
            "--scan-flag=--tz=UTC",
            "--state-out",
        ])
        .arg(&state)
        .arg("--")
        .args(flags)
        .args(["--format", "csv", "-o"])
        .arg(dir.join("spark.csv")));
    assert_eq!(out.status.code(), Some(0), "the Spark job failed");
    assert!(text(&dir.join("scan.csv")) == text(&dir.join("spark.csv")));

    let out = run(Command::new(BIN)
        .arg("report")
        .arg(&state)
        .args(flags)
        .args(["--format", "json"]));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = report["input"]["per_file"].as_array().unwrap();
    assert_eq!(files.len(), 40);
    let want = format!("file:{}/mail.log.00", logs.display());
    assert_eq!(files[0]["file"], want.as_str());
}

#[test]
#[ignore = "needs pyspark: run scripts/test"]
fn spark_job_fails_when_a_shard_cannot_be_read() {
    let dir = scratch("unreadable");
    let bad = dir.join("archive");
    std::fs::create_dir(&bad).unwrap();
    // A gzip archive cut short: authsweep reads what it can and exits 3.
    let gz = std::fs::read(sample().join("mail.log.1.gz")).unwrap();
    std::fs::write(bad.join("mail.log.2.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::copy(sample().join("auth.log"), bad.join("auth.log")).unwrap();

    let _spark = SPARK.lock().unwrap_or_else(|e| e.into_inner());
    let state = dir.join("final.state");
    let report = dir.join("report.json");
    let out = run(spark_submit()
        .args(["--files", BIN])
        .arg(job())
        .arg(sample())
        .arg(&bad)
        .args(["--shards", "2", "--state-out"])
        .arg(&state)
        .args(["--", "--format", "json", "-o"])
        .arg(&report));
    assert_eq!(out.status.code(), Some(4), "the job must fail");
    // spark-submit passes the driver's standard error on its output.
    let said = String::from_utf8_lossy(&out.stdout);
    let bad_gz = bad.join("mail.log.2.gz");
    for needle in [
        "job failed, no state or report written",
        "could not read some of its input",
        &format!("  {}\n", bad_gz.display()),
        &format!("authsweep: skipped {}: gzip data damaged", bad_gz.display()),
    ] {
        assert!(said.contains(needle), "no {needle:?} in:\n{said}");
    }
    assert!(
        !state.exists() && !report.exists(),
        "a partial result was written"
    );

    // --allow-skipped: the report is written, the skipped file named in it
    // (the shard's state carries it) and on stderr, and the job exits 3 as
    // scan does.
    let out = run(spark_submit()
        .arg(job())
        .args(["--authsweep", BIN])
        .arg(&bad)
        .args(["--allow-skipped", "--", "--format", "json", "-o"])
        .arg(&report));
    assert_eq!(out.status.code(), Some(3));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "authsweep: skipped {}: gzip data damaged",
            bad_gz.display()
        )),
        "{said}"
    );
    let r: serde_json::Value = serde_json::from_str(&text(&report)).unwrap();
    let skipped = r["input"]["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0]["why"]
        .as_str()
        .unwrap()
        .contains("gzip data damaged"));
}
