//! The commands: wiring input, pipeline, detectors and report together.

use crate::account::{account_id, Normalizer};
use crate::aggregate::AliasMap;
use crate::cli::{
    Args, Command, EventFormat, EventsArgs, MergeArgs, ReportArgs, ReportCmdArgs, ReportFormat,
    ScanArgs,
};
use crate::config::{self, InputConfig, UsageError};
use crate::detect::leaked_credentials::Leaked;
use crate::detect::{self};
use crate::input::{self, InputFile, Skipped};
use crate::net::CidrSet;
use crate::parse::time::Zone;
use crate::pipeline::{self, EventFilter};
use crate::report::{self, model, Format};
use crate::roster::Roster;
use crate::settings;
use crate::state;
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
        Command::Report(a) => report_cmd(a),
        Command::Merge(a) => merge_cmd(a),
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

/// Everything a report needs besides the data, loaded and checked before
/// hours of reading.
struct Prepared {
    file_cfg: settings::FileConfig,
    trusted: Arc<CidrSet>,
    geo: Option<Arc<crate::geo::Geo>>,
    bad_ips: Option<CidrSet>,
    template: Option<String>,
    as_of: Option<i64>,
    inactive_days: u32,
    grace_days: u32,
    roster: Option<Roster>,
    aliases: AliasMap,
    leaked: Option<Leaked>,
    service_accounts: rustc_hash::FxHashSet<crate::account::AccountId>,
    zone: Zone,
    verbose: bool,
    quiet: bool,
}

fn prepare(
    a: &ReportArgs,
    file_cfg: settings::FileConfig,
    zone: Zone,
    default_domain: Option<&str>,
    verbose: bool,
    quiet: bool,
) -> Result<Prepared> {
    let trusted = Arc::new(CidrSet::new(&file_cfg.trusted_networks));
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
    let template = match &a.ticket_template {
        Some(t) => {
            let text = std::fs::read_to_string(t)
                .map_err(|e| UsageError(format!("--ticket-template {}: {e}", t.display())))?;
            report::tickets::check_template(&text)
                .map_err(|e| UsageError(format!("--ticket-template {}: {e:#}", t.display())))?;
            Some(text)
        }
        None => None,
    };
    let as_of = config::time_flag("--as-of", &a.as_of, zone)?;
    let mut norm = Normalizer::new(default_domain);
    let roster = match &a.roster {
        Some(p) => Some(
            Roster::load(p, &mut norm, zone).map_err(|e| UsageError(format!("--roster: {e:#}")))?,
        ),
        None => None,
    };
    let aliases = roster.as_ref().map(|r| r.alias_map()).unwrap_or_default();
    let leaked = match &a.leaked {
        Some(p) => Some(
            Leaked::load(p, &mut norm, &aliases, zone)
                .map_err(|e| UsageError(format!("--leaked: {e:#}")))?,
        ),
        None => None,
    };
    let service_accounts = file_cfg
        .service_accounts
        .iter()
        .filter_map(|s| {
            let id = account_id(norm.key(s.as_bytes())?);
            Some(aliases.get(&id).map_or(id, |(target, _)| *target))
        })
        .collect();
    Ok(Prepared {
        file_cfg,
        trusted,
        geo,
        bad_ips,
        template,
        as_of,
        inactive_days,
        grace_days,
        roster,
        aliases,
        leaked,
        service_accounts,
        zone,
        verbose,
        quiet,
    })
}

/// The settings recorded in a state.
fn recorded(read: &pipeline::ReadSettings) -> state::Recorded {
    state::Recorded {
        default_domain: read.fold.default_domain.clone(),
        zone: read.zone.name(),
        year: read.year,
        since: read.fold.since,
        until: read.fold.until,
        trusted: read
            .fold
            .trusted
            .list()
            .iter()
            .map(|c| c.to_string())
            .collect(),
        proxies: read
            .fold
            .proxies
            .list()
            .iter()
            .map(|c| c.to_string())
            .collect(),
    }
}

/// One state from several (states on one stream, or given together).
fn merge_states(loaded: Vec<(String, state::State)>) -> Result<state::State> {
    let mut it = loaded.into_iter();
    let Some((first_name, mut st)) = it.next() else {
        return Err(UsageError("no state given".into()).into());
    };
    for (name, other) in it {
        st.merge(other, (&first_name, &name))
            .map_err(|e| UsageError(e.to_string()))?;
    }
    Ok(st)
}

/// Load the states named on the command line (`-`: stdin).
fn load_states(names: &[String]) -> Result<Vec<(String, state::State)>> {
    let mut out = Vec::new();
    let mut stdin_used = false;
    for n in names {
        let states = if n == "-" {
            if std::mem::replace(&mut stdin_used, true) {
                return Err(UsageError("- given twice: stdin can be read once".into()).into());
            }
            let mut r = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
            state::read_all(&mut r, "stdin").map_err(|e| UsageError(e.to_string()))?
        } else {
            match state::read_path(std::path::Path::new(n)) {
                Ok(Some(v)) => v,
                Ok(None) => return Err(UsageError(format!("{n}: no such state file")).into()),
                Err(e) => return Err(UsageError(e.to_string()).into()),
            }
        };
        let many = states.len() > 1;
        for (i, s) in states.into_iter().enumerate() {
            let name = if many {
                format!("{n} (state {})", i + 1)
            } else {
                n.clone()
            };
            out.push((name, s));
        }
    }
    Ok(out)
}

/// A state being saved: its aggregate is written before the report (which
/// applies roster aliases to it), its evidence texts after.
enum Saving {
    File(state::Pending),
    Stdout(std::io::BufWriter<std::io::Stdout>),
}

impl Saving {
    fn begin(st: &state::State, to: &str) -> Result<Saving> {
        if to == "-" {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
            state::format::write_head(st, &mut w).context("writing the state to stdout")?;
            return Ok(Saving::Stdout(w));
        }
        Ok(Saving::File(state::Pending::begin(
            st,
            std::path::Path::new(to),
        )?))
    }

    fn finish(self, texts: &state::Texts) -> Result<()> {
        match self {
            Saving::File(p) => p.finish(texts)?,
            Saving::Stdout(mut w) => {
                state::format::write_tail(texts, &mut w).context("writing the state to stdout")?
            }
        }
        Ok(())
    }
}

fn scan(a: ScanArgs) -> Result<u8> {
    let now = now();
    let (file_cfg, _) = settings::load(a.report.config.as_deref())?;
    let mut cfg = config::input(&a.input, now)?;
    let zone = cfg.read.zone;
    cfg.read.fold.trusted = Arc::new(CidrSet::new(&file_cfg.trusted_networks));
    cfg.read.fold.proxies = Arc::new(CidrSet::new(&file_cfg.proxies));
    let prep = prepare(
        &a.report,
        file_cfg,
        zone,
        cfg.read.fold.default_domain.as_deref(),
        cfg.verbose,
        cfg.quiet,
    )?;
    // With the state on stdout, the report goes only where -o says.
    let report_wanted = a.save_state.as_deref() != Some("-") || a.report.output.is_some();
    // A state must not keep half a line a writer was in the middle of.
    cfg.read.read.hold_partial = a.state.is_some() || a.save_state.is_some();
    let rec = recorded(&cfg.read);
    if a.state.as_deref() == Some(std::path::Path::new("-")) {
        return Err(UsageError(
            "--state -: a state that is read and saved back needs a file (--save-state - writes one to stdout)".into(),
        )
        .into());
    }
    let mut st = state::State::new(rec.clone());
    let mut resumed = false;
    if let Some(p) = &a.state {
        match state::read_path(p) {
            Ok(None) => {
                if !cfg.quiet {
                    eprintln!(
                        "authsweep: {} does not exist yet: reading everything, then saving it",
                        p.display()
                    );
                }
            }
            Ok(Some(v)) => {
                let name = p.display().to_string();
                let loaded = merge_states(v.into_iter().map(|s| (name.clone(), s)).collect())?;
                let diff = loaded.recorded.differences(&rec);
                if !diff.is_empty() {
                    return Err(UsageError(format!(
                        "--state {name}: it was read with other settings (the state's / this run's: {}): \
                         run with the same settings, or start a new state file",
                        diff.join("; ")
                    ))
                    .into());
                }
                st = loaded;
                resumed = true;
            }
            Err(e) => return Err(UsageError(format!("--state: {e}")).into()),
        }
    }
    for p in a.state.iter().map(|p| p.as_path()).chain(
        a.save_state
            .iter()
            .filter(|s| s.as_str() != "-")
            .map(std::path::Path::new),
    ) {
        state::format::check_writable(p)
            .map_err(|e| UsageError(format!("cannot write the state: {e}")))?;
    }
    let mut out = if report_wanted {
        Some(open_output(&a.report.output)?)
    } else {
        None
    };
    let pool = pool(cfg.threads)?;
    let inputs = gather(&cfg);
    let found = inputs.files.clone();
    // The lines of streamed files that the evidence may quote, kept while
    // they are read (only for a report: a state keeps no text of its own).
    let spill = out.as_ref().and_then(|_| input::spill::Spill::new());
    let run = pool.install(|| {
        st.read(
            found,
            &cfg.read,
            |total| crate::progress::bar(cfg.progress, cfg.quiet, total),
            &inputs.skipped,
            spill.as_ref(),
        )
    });
    let this_run = resumed.then_some(model::RunOut {
        files: run.read,
        bytes: run.bytes,
        lines: run.lines,
        events: run.events,
    });
    let skipped = inputs.skipped.into_inner().unwrap_or_default();
    st.skipped = skipped.clone();
    let mut saving = Vec::new();
    if let Some(p) = &a.state {
        saving.push(Saving::begin(&st, &p.to_string_lossy()).context("saving --state")?);
    }
    if let Some(to) = &a.save_state {
        saving.push(Saving::begin(&st, to).context("--save-state")?);
    }
    let Some(out) = out.as_mut() else {
        for s in saving {
            s.finish(&st.texts)?;
        }
        report_skipped(&skipped, cfg.quiet);
        return Ok(if skipped.is_empty() {
            exit::OK
        } else {
            exit::INPUT
        });
    };
    let format = a.report.format;
    let (code, texts) = finish(
        &prep, &a.report, format, out, st, &run.files, spill, skipped, this_run, &pool,
    )?;
    for s in saving {
        s.finish(&texts)?;
    }
    Ok(code)
}

/// Detect, read the evidence back (from `spill` where the scan kept the
/// lines), write the report and its side outputs; returns the exit code.
#[allow(clippy::too_many_arguments)]
fn finish(
    prep: &Prepared,
    a: &ReportArgs,
    format: ReportFormat,
    out: &mut Box<dyn Write + Send>,
    mut st: state::State,
    read_now: &[InputFile],
    spill: Option<input::spill::Spill>,
    skipped: Vec<Skipped>,
    this_run: Option<model::RunOut>,
    pool: &rayon::ThreadPool,
) -> Result<(u8, state::Texts)> {
    st.agg.apply_aliases(&prep.aliases);
    let agg = &st.agg;
    let thresholds = prep.file_cfg.thresholds();
    let ctx = detect::Context {
        t: &thresholds,
        roster: prep.roster.as_ref(),
        trusted: &prep.trusted,
        as_of: prep.as_of.or(agg.last_event.map(|e| e.0)).unwrap_or(0),
        prior: &[],
        leaked: prep.leaked.as_ref(),
        bad_ips: prep.bad_ips.as_ref(),
        geo: prep.geo.as_deref(),
        part: None,
    };
    let t = crate::timing::phase("detectors");
    let findings = pool.install(|| detect::run_all(&ctx, agg));
    drop(t);
    let t = crate::timing::phase("evidence");
    let wanted = model::wanted_lines(&findings, agg, prep.verbose);
    // Files read in this run are read back where they were read (stdin
    // from its spool); the others where the state last saw them, if they
    // are still the same file.
    let want_files: std::collections::BTreeSet<u32> = wanted
        .iter()
        .map(|w| w.0)
        .filter(|id| !read_now.iter().any(|f| f.id == *id))
        .collect();
    let mut files = pool.install(|| state::files::readable(&st.files, &want_files));
    for f in read_now {
        if let Some(g) = files.get_mut(f.id as usize) {
            g.path = f.path.clone();
        }
    }
    let checkpoints: pipeline::Checkpoints = st
        .files
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.checkpoints.is_empty())
        .map(|(i, e)| (i as u32, e.checkpoints.clone()))
        .collect();
    let mut texts =
        pool.install(|| input::lines::fetch(&files, &wanted, &checkpoints, spill.as_ref()));
    if let Some(spill) = spill {
        let (chunks, bytes) = spill.size();
        crate::timing::note(format_args!("spill: {chunks} chunks, {bytes} bytes"));
    }
    // Lines of files gone since (or no longer the same): the text the state
    // kept from an earlier report.
    for w in &wanted {
        if !texts.contains_key(w) {
            if let Some(t) = st.texts.remove(w) {
                texts.insert(*w, t);
            }
        }
    }
    // The time buckets were for the detectors, and for the HTML report's
    // charts (a state, if one is saved, was written before): otherwise
    // dropped, their memory holds the report model, built on a worker
    // thread, whose allocator arena has that memory free (the scan filled
    // it). The peak is then the scan's, not the scan's and the report's.
    drop(t);
    let t = crate::timing::phase("model");
    if !matches!(format, ReportFormat::Html) {
        pool.install(|| st.agg.drop_buckets());
    }
    let agg = &st.agg;
    let settings = model::ReportSettings {
        as_of: prep.as_of,
        inactive_days: prep.inactive_days as i64,
        grace_days: prep.grace_days as i64,
        zone: prep.zone,
        verbose: prep.verbose,
        service_accounts: prep.service_accounts.clone(),
        geo: prep.geo.clone(),
    };
    let mut rep = pool.install(|| {
        model::build(
            agg,
            &findings,
            prep.roster.as_ref(),
            &files,
            &skipped,
            &texts,
            &settings,
        )
    });
    rep.input.this_run = this_run;
    drop(t);
    let _t = crate::timing::phase("write");
    let format = match format {
        ReportFormat::Table => Format::Table,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Json => Format::Json,
        ReportFormat::Ndjson => Format::Ndjson,
        ReportFormat::Markdown => Format::Markdown,
        ReportFormat::Html => Format::Html,
    };
    report::write(&rep, format, agg, &settings, out)?;
    out.flush()?;
    if let Some(dir) = &a.tickets {
        let n = report::tickets::write(&rep, dir, prep.template.as_deref())?;
        if !prep.quiet {
            eprintln!("authsweep: {n} tickets in {}", dir.display());
        }
    }
    if let Some(dir) = &a.review_sheets {
        let files = report::review::write(&rep, dir)?;
        if !prep.quiet {
            eprintln!(
                "authsweep: {} review sheets in {}",
                files.len(),
                dir.display()
            );
        }
    }
    report_skipped(&skipped, prep.quiet);
    // At risk: a finding of medium or above (low findings such as
    // stale_password are context, and would make every nightly run fail).
    let at_risk = rep.findings.iter().any(|f| f.severity != "low");
    let inactive = rep
        .accounts
        .iter()
        .any(|x| matches!(x.status, "inactive" | "never") && x.action == "revoke");
    // The process ends next: freeing millions of small allocations one by
    // one would only add time the operating system saves at exit.
    std::mem::forget(st);
    std::mem::forget(rep);
    if config::fails(a.fail_on, at_risk, inactive) {
        return Ok((exit::FINDINGS, texts));
    }
    let code = if skipped.is_empty() {
        exit::OK
    } else {
        exit::INPUT
    };
    Ok((code, texts))
}

fn report_cmd(a: ReportCmdArgs) -> Result<u8> {
    let (file_cfg, _) = settings::load(a.report.config.as_deref())?;
    let names = a.states.clone();
    let mut st = merge_states(load_states(&names)?)?;
    let zone = match config::zone_flag(a.tz.as_deref())? {
        Some(z) => z,
        None => Zone::parse(&st.recorded.zone).unwrap_or(Zone::Utc),
    };
    if a.threads == Some(0) {
        return Err(UsageError("--threads 0: need at least one thread".into()).into());
    }
    let default_domain = st.recorded.default_domain.clone();
    if a.default_domain.is_some() && a.default_domain != default_domain {
        return Err(UsageError(format!(
            "--default-domain {:?}: the states were read with {}; account names in them are \
             already resolved with it",
            a.default_domain.as_deref().unwrap_or(""),
            default_domain
                .as_deref()
                .map_or("no default domain".to_string(), |d| format!(
                    "--default-domain {d}"
                ))
        ))
        .into());
    }
    let prep = prepare(
        &a.report,
        file_cfg,
        zone,
        default_domain.as_deref(),
        a.verbose,
        a.quiet,
    )?;
    let mut out = open_output(&a.report.output)?;
    let pool = pool(a.threads)?;
    let skipped = std::mem::take(&mut st.skipped);
    let (code, _) = finish(
        &prep,
        &a.report,
        a.report.format,
        &mut out,
        st,
        &[],
        None,
        skipped,
        None,
        &pool,
    )?;
    Ok(code)
}

fn merge_cmd(a: MergeArgs) -> Result<u8> {
    let st = merge_states(load_states(&a.states)?)?;
    Saving::begin(&st, &a.output)
        .and_then(|w| w.finish(&st.texts))
        .with_context(|| format!("-o {}", a.output))?;
    if !a.quiet && a.output != "-" {
        let (files, bytes, lines) = st.totals();
        eprintln!(
            "authsweep: {} states merged into {}: {files} files, {bytes} bytes, {lines} lines, {} accounts",
            a.states.len(),
            a.output,
            st.agg.accounts.len()
        );
    }
    Ok(exit::OK)
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
