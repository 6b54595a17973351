//! The commands: wiring input, pipeline, detectors and report together.

use crate::account::{account_id, Normalizer};
use crate::cli::{Args, Command, EventFormat, EventsArgs, ReportFormat, ScanArgs};
use crate::config::{self, InputConfig, UsageError};
use crate::detect::leaked_credentials::Leaked;
use crate::detect::{self};
use crate::input::{self, Skipped};
use crate::net::CidrSet;
use crate::pipeline::{self, EventFilter};
use crate::report::{self, model, Format};
use crate::roster::Roster;
use crate::settings;
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
        Command::Config(a) => config_cmd(a),
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

fn config_cmd(a: crate::cli::ConfigArgs) -> Result<u8> {
    let mut out = std::io::stdout().lock();
    if a.print_default {
        out.write_all(settings::DEFAULT_TOML.as_bytes())?;
        return Ok(exit::OK);
    }
    let (c, path) = settings::load(a.check.as_deref())?;
    let text = toml::to_string(&c).context("writing the settings")?;
    match path {
        Some(p) => writeln!(out, "# {}: valid; the settings in effect:", p.display())?,
        None => writeln!(
            out,
            "# no {} here: the defaults (authsweep config --print-default shows them with comments)",
            settings::FILE_NAME
        )?,
    }
    out.write_all(text.as_bytes())?;
    Ok(exit::OK)
}

fn scan(a: ScanArgs) -> Result<u8> {
    let now = now();
    let (file_cfg, _) = settings::load(a.config.as_deref())?;
    let mut cfg = config::input(&a.input, now)?;
    let zone = cfg.read.zone;
    let trusted = Arc::new(CidrSet::new(&file_cfg.trusted_networks));
    let proxies = Arc::new(CidrSet::new(&file_cfg.proxies));
    cfg.read.fold.trusted = trusted.clone();
    cfg.read.fold.proxies = proxies;
    let inactive_days = a.inactive_days.unwrap_or(file_cfg.inactive_days);
    let grace_days = a
        .grace_days
        .or(file_cfg.grace_days)
        .unwrap_or(inactive_days);
    let geo = if a.geoip.is_empty() {
        None
    } else {
        Some(Arc::new(
            crate::geo::Geo::open(&a.geoip).map_err(|e| UsageError(format!("--geoip: {e:#}")))?,
        ))
    };
    let bad_ips = match &a.bad_ips {
        Some(p) => Some(CidrSet::load(p).map_err(|e| UsageError(format!("--bad-ips: {e:#}")))?),
        None => None,
    };
    if let Some(t) = &a.ticket_template {
        // Checked before hours of reading.
        let text = std::fs::read_to_string(t)
            .map_err(|e| UsageError(format!("--ticket-template {}: {e}", t.display())))?;
        report::tickets::check_template(&text)
            .map_err(|e| UsageError(format!("--ticket-template {}: {e:#}", t.display())))?;
    }
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
    let leaked = match &a.leaked {
        Some(p) => Some(
            Leaked::load(p, &mut norm, &cfg.read.fold.aliases, zone)
                .map_err(|e| UsageError(format!("--leaked: {e:#}")))?,
        ),
        None => None,
    };
    let service_accounts = file_cfg
        .service_accounts
        .iter()
        .filter_map(|s| {
            let id = account_id(norm.key(s.as_bytes())?);
            Some(
                cfg.read
                    .fold
                    .aliases
                    .get(&id)
                    .map_or(id, |(target, _)| *target),
            )
        })
        .collect();
    let mut out = open_output(&a.output)?;
    let pool = pool(cfg.threads)?;
    let inputs = gather(&cfg);
    let total: u64 = inputs.files.iter().map(|f| f.size).sum();
    let bar = crate::progress::bar(cfg.progress, cfg.quiet, total);
    let checkpoints = Mutex::new(pipeline::Checkpoints::new());
    let agg = pool.install(|| {
        pipeline::scan_files(
            &inputs.files,
            &cfg.read,
            &bar,
            &inputs.skipped,
            &checkpoints,
        )
    });
    bar.finish_and_clear();
    let thresholds = file_cfg.thresholds();
    let ctx = detect::Context {
        t: &thresholds,
        roster: roster.as_ref(),
        trusted: &trusted,
        as_of: as_of.or(agg.last_event.map(|e| e.0)).unwrap_or(0),
        prior: &[],
        leaked: leaked.as_ref(),
        bad_ips: bad_ips.as_ref(),
        geo: geo.as_deref(),
    };
    let findings = pool.install(|| detect::run_all(&ctx, &agg));
    let wanted = model::wanted_lines(&findings, &agg, cfg.verbose);
    let checkpoints = checkpoints.into_inner().unwrap_or_default();
    let texts = input::lines::fetch(&inputs.files, &wanted, &checkpoints);
    let skipped = inputs.skipped.into_inner().unwrap_or_default();
    let settings = model::ReportSettings {
        as_of,
        inactive_days: inactive_days as i64,
        grace_days: grace_days as i64,
        zone,
        verbose: cfg.verbose,
        service_accounts,
        geo: geo.clone(),
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
    if let Some(dir) = &a.tickets {
        let template = match &a.ticket_template {
            Some(p) => Some(
                std::fs::read_to_string(p)
                    .with_context(|| format!("--ticket-template {}", p.display()))?,
            ),
            None => None,
        };
        let n = report::tickets::write(&rep, dir, template.as_deref())?;
        if !cfg.quiet {
            eprintln!("authsweep: {n} tickets in {}", dir.display());
        }
    }
    if let Some(dir) = &a.review_sheets {
        let files = report::review::write(&rep, dir)?;
        if !cfg.quiet {
            eprintln!(
                "authsweep: {} review sheets in {}",
                files.len(),
                dir.display()
            );
        }
    }
    report_skipped(&skipped, cfg.quiet);
    // At risk: a finding of medium or above (low findings such as
    // stale_password are context, and would make every nightly run fail).
    let at_risk = rep.findings.iter().any(|f| f.severity != "low");
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
