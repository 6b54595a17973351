//! The commands: wiring input, pipeline, detectors and report together.

use crate::account::{account_id, Normalizer};
use crate::cli::{Args, Command, EventFormat, EventsArgs, ReportFormat, ScanArgs};
use crate::config::{self, InputConfig, UsageError};
use crate::detect::{self, Thresholds};
use crate::input::{self, Skipped};
use crate::pipeline::{self, EventFilter};
use crate::report::{self, model, Format};
use crate::roster::Roster;
use anyhow::{Context, Result};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Exit codes (PRODUCT.md §2).
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// Findings under `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Usage error.
    pub const USAGE: u8 = 2;
    /// Some input could not be read (the report is still written).
    pub const INPUT: u8 = 3;
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Run a parsed command line; returns the exit code.
pub fn run(args: Args) -> Result<u8> {
    match args.command {
        Command::Scan(a) => scan(a),
        Command::Events(a) => events(a),
        Command::Formats => {
            crate::formats::print(&mut std::io::stdout().lock())?;
            Ok(exit::OK)
        }
    }
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(n);
    }
    b.build().context("starting worker threads")
}

/// Open the output early, so a path that cannot be written fails before
/// hours of reading.
fn open_output(path: &Option<std::path::PathBuf>) -> Result<Box<dyn Write + Send>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p).map_err(
            |e| UsageError(format!("{}: cannot write the output: {e}", p.display())),
        )?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    })
}

struct Inputs {
    files: Vec<input::InputFile>,
    skipped: Mutex<Vec<Skipped>>,
    _spool: Option<tempfile::NamedTempFile>,
}

fn gather(cfg: &InputConfig) -> Inputs {
    let mut spool = None;
    let (files, skipped) = input::discover(&cfg.paths, &mut spool);
    if cfg.defaulted && !cfg.quiet {
        eprintln!("authsweep: reading the standard log locations:");
        for f in &files {
            eprintln!("  {}", f.name);
        }
    }
    Inputs {
        files,
        skipped: Mutex::new(skipped),
        _spool: spool,
    }
}

fn report_skipped(skipped: &[Skipped], quiet: bool) {
    if quiet {
        return;
    }
    for s in skipped {
        eprintln!(
            "authsweep: skipped {}: {}",
            report::text::terminal(&s.file),
            report::text::terminal(&s.why)
        );
    }
}

fn scan(a: ScanArgs) -> Result<u8> {
    let now = now();
    let mut cfg = config::input(&a.input, now)?;
    let zone = cfg.read.zone;
    let as_of = config::time_flag("--as-of", &a.as_of, zone)?;
    let mut norm = Normalizer::new(cfg.read.fold.default_domain.as_deref());
    let roster = match &a.roster {
        Some(p) => Some(
            Roster::load(p, &mut norm, zone).map_err(|e| UsageError(format!("--roster: {e:#}")))?,
        ),
        None => None,
    };
    if let Some(r) = &roster {
        cfg.read.fold.aliases = Arc::new(r.alias_map());
    }
    let mut out = open_output(&a.output)?;
    let pool = pool(cfg.threads)?;
    let inputs = gather(&cfg);
    let total: u64 = inputs.files.iter().map(|f| f.size).sum();
    let bar = crate::progress::bar(cfg.progress, cfg.quiet, total);
    let agg =
        pool.install(|| pipeline::scan_files(&inputs.files, &cfg.read, &bar, &inputs.skipped));
    bar.finish_and_clear();
    let thresholds = Thresholds::default();
    let trusted = vec![
        crate::net::Cidr::parse("127.0.0.0/8").expect("valid"),
        crate::net::Cidr::parse("::1/128").expect("valid"),
    ];
    let ctx = detect::Context {
        t: &thresholds,
        roster: roster.as_ref(),
        trusted: &trusted,
    };
    let findings = pool.install(|| detect::run_all(&ctx, &agg, &|_| true));
    let wanted = model::wanted_lines(&findings, &agg, cfg.verbose);
    let texts = input::lines::fetch(&inputs.files, &wanted);
    let skipped = inputs.skipped.into_inner().unwrap_or_default();
    let settings = model::ReportSettings {
        as_of,
        inactive_days: a.inactive_days as i64,
        grace_days: a.grace_days.unwrap_or(a.inactive_days) as i64,
        zone,
        verbose: cfg.verbose,
        service_accounts: Default::default(),
    };
    let rep = model::build(
        &agg,
        &findings,
        roster.as_ref(),
        &inputs.files,
        &skipped,
        &texts,
        &settings,
    );
    let format = match a.format {
        ReportFormat::Table => Format::Table,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Json => Format::Json,
        ReportFormat::Ndjson => Format::Ndjson,
        ReportFormat::Markdown => Format::Markdown,
    };
    report::write(&rep, format, &mut out)?;
    out.flush()?;
    report_skipped(&skipped, cfg.quiet);
    let at_risk = !rep.findings.is_empty();
    let inactive = rep
        .accounts
        .iter()
        .any(|x| matches!(x.status, "inactive" | "never") && x.action == "revoke");
    // The process ends next: freeing millions of small allocations one by
    // one would only add time the operating system saves at exit.
    std::mem::forget(agg);
    std::mem::forget(rep);
    if config::fails(a.fail_on, at_risk, inactive) {
        return Ok(exit::FINDINGS);
    }
    Ok(if skipped.is_empty() {
        exit::OK
    } else {
        exit::INPUT
    })
}

fn events(a: EventsArgs) -> Result<u8> {
    let now = now();
    let cfg = config::input(&a.input, now)?;
    let ip = match &a.ip {
        Some(s) => Some(crate::net::Cidr::parse(s).ok_or_else(|| {
            UsageError(format!(
                "--ip {s:?}: expected an address or a network (CIDR)"
            ))
        })?),
        None => None,
    };
    let account = match &a.account {
        Some(s) => {
            let mut n = Normalizer::new(cfg.read.fold.default_domain.as_deref());
            Some(account_id(n.key(s.as_bytes()).ok_or_else(|| {
                UsageError(format!("--account {s:?}: not an account name"))
            })?))
        }
        None => None,
    };
    let filter = EventFilter {
        account,
        ip,
        details: a.details,
        csv: a.format == EventFormat::Csv,
    };
    let mut out = open_output(&a.output)?;
    if filter.csv {
        out.write_all(report::events::CSV_HEADER.as_bytes())?;
    }
    let pool = pool(cfg.threads)?;
    let inputs = gather(&cfg);
    let total: u64 = inputs.files.iter().map(|f| f.size).sum();
    let bar = crate::progress::bar(cfg.progress, cfg.quiet, total);
    pool.install(|| {
        pipeline::print_events(
            &inputs.files,
            &cfg.read,
            &filter,
            &mut out,
            &bar,
            &inputs.skipped,
        )
    })?;
    bar.finish_and_clear();
    out.flush()?;
    let skipped = inputs.skipped.into_inner().unwrap_or_default();
    report_skipped(&skipped, cfg.quiet);
    Ok(if skipped.is_empty() {
        exit::OK
    } else {
        exit::INPUT
    })
}
