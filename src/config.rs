//! Validated, resolved settings: the command line turned into what the
//! library needs, once (clap stays in `cli`).

use crate::aggregate::FoldSettings;
use crate::cli::{self, FailOn, InputArgs};
use crate::input::ReadOptions;
use crate::parse::time::{parse_user_time, Zone};
use crate::pipeline::ReadSettings;
use crate::progress::ProgressMode;
use anyhow::{bail, Context, Result};
use std::io::Read;

/// A usage error: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Settings common to the commands that read logs.
#[derive(Debug)]
pub struct InputConfig {
    /// Paths as given (or the defaults chosen).
    pub paths: Vec<String>,
    /// Whether the paths are the standard locations (no path given).
    pub defaulted: bool,
    /// The read settings.
    pub read: ReadSettings,
    /// Threads.
    pub threads: Option<usize>,
    /// Progress mode.
    pub progress: ProgressMode,
    /// `-q`.
    pub quiet: bool,
    /// `-v`.
    pub verbose: bool,
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

/// Parse a user time or fail with a usage error naming the flag.
pub fn time_flag(flag: &str, v: &Option<String>, zone: Zone) -> Result<Option<i64>> {
    match v {
        None => Ok(None),
        Some(s) => parse_user_time(s, zone).map(Some).ok_or_else(|| {
            usage(format!(
                "{flag} {s:?}: expected RFC 3339 (2024-05-01T08:00:00+07:00) or YYYY-MM-DD"
            ))
        }),
    }
}

/// `--tz`: a zone, or a usage error naming the flag.
pub fn zone_flag(v: Option<&str>) -> Result<Option<Zone>> {
    match v {
        None => Ok(None),
        Some(z) => Zone::parse(z).map(Some).ok_or_else(|| {
            usage(format!(
                "--tz {z:?}: not a time zone (an IANA name like Europe/Paris, or UTC)"
            ))
        }),
    }
}

/// Resolve the input options.
pub fn input(a: &InputArgs, now: i64) -> Result<InputConfig> {
    let zone = zone_flag(a.tz.as_deref())?.unwrap_or_else(Zone::local);
    if let Some(y) = a.year {
        if !(1970..=9999).contains(&y) {
            bail!(usage(format!("--year {y}: expected a four-digit year")));
        }
    }
    if a.threads == Some(0) {
        bail!(usage("--threads 0: need at least one thread"));
    }
    if a.block_size == Some(0) {
        bail!(usage("--block-size 0: need at least one byte"));
    }
    let since = time_flag("--since", &a.since, zone)?;
    let until = time_flag("--until", &a.until, zone)?;
    if let (Some(s), Some(u)) = (since, until) {
        if s > u {
            bail!(usage("--since is after --until"));
        }
    }
    let mut paths = a.paths.clone();
    if let Some(f) = &a.files_from {
        let text = if f == "-" {
            if paths.iter().any(|p| p == "-") {
                bail!(usage("--files-from - and a - path both want stdin"));
            }
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading --files-from from stdin")?;
            s
        } else {
            std::fs::read_to_string(f).with_context(|| format!("--files-from {f}"))?
        };
        paths.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from),
        );
    }
    let defaulted = paths.is_empty() && a.files_from.is_none();
    if defaulted {
        paths = crate::input::discover::default_paths();
        if paths.is_empty() {
            bail!(usage(
                "no log files given, and none of the standard locations (/var/log/mail.log*, /var/log/maillog*, \
                 /var/log/auth.log*, /var/log/secure*, /var/log/dovecot*, /opt/zimbra/log/audit.log*) exists here; \
                 pass files or directories, or - to read stdin"
            ));
        }
    }
    let mut read = ReadOptions {
        now,
        mmap: !a.no_mmap,
        ..ReadOptions::default()
    };
    if let Some(b) = a.block_size {
        read.block_size = b;
    }
    Ok(InputConfig {
        paths,
        defaulted,
        read: ReadSettings {
            zone,
            year: a.year,
            read,
            fold: FoldSettings {
                default_domain: a.default_domain.clone(),
                since,
                until,
                ..FoldSettings::default()
            },
        },
        threads: a.threads,
        progress: match a.progress {
            cli::Progress::Auto => ProgressMode::Auto,
            cli::Progress::Always => ProgressMode::Always,
            cli::Progress::Never => ProgressMode::Never,
        },
        quiet: a.quiet,
        verbose: a.verbose,
    })
}

/// When `--fail-on` applies.
pub fn fails(f: FailOn, at_risk: bool, inactive: bool) -> bool {
    match f {
        FailOn::Never => false,
        FailOn::AtRisk => at_risk,
        FailOn::Inactive => inactive,
        FailOn::Any => at_risk || inactive,
    }
}
