//! The command line (clap derive). This is the only module that knows clap;
//! `config` turns [`Args`] into validated settings.

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find inactive and at-risk mail and system accounts from authentication
/// logs (mail servers, webmail, SSH, PAM, FTP, Microsoft 365 exports),
/// plain or compressed.
#[derive(Debug, Parser)]
#[command(name = "authsweep", version, long_about = None)]
pub struct Args {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read logs and report inactive and at-risk accounts.
    Scan(ScanArgs),
    /// Print normalized authentication events (NDJSON or CSV).
    Events(EventsArgs),
    /// Report from saved states (`--state`, `--save-state`), merged,
    /// without reading logs again.
    Report(ReportCmdArgs),
    /// Combine saved states (shards of an archive, several hosts) into one.
    Merge(MergeArgs),
    /// List the log families understood, with an example line of each.
    Formats,
    /// Configuration file (`authsweep.toml`).
    Config(ConfigArgs),
}

/// `authsweep config`.
#[derive(Debug, ClapArgs)]
pub struct ConfigArgs {
    /// Print the full default `authsweep.toml`, with a comment on each key.
    #[arg(long)]
    pub print_default: bool,
    /// Check a config file (default: ./authsweep.toml) and print the
    /// settings in effect.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable table.
    Table,
    /// One row per account.
    Csv,
    /// One JSON document.
    Json,
    /// Accounts then findings, one JSON object per line.
    Ndjson,
    /// Markdown.
    Markdown,
    /// One self-contained HTML file with charts (no network needed).
    Html,
}

/// Event formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EventFormat {
    /// One JSON object per line.
    Ndjson,
    /// CSV with a header.
    Csv,
}

/// When to exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Never.
    Never,
    /// When an account is at risk (any finding on an account, or an
    /// address finding).
    AtRisk,
    /// When an account is inactive or never logged in.
    Inactive,
    /// Either.
    Any,
}

/// Progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Progress {
    /// When stderr is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Options shared by the commands that read logs.
#[derive(Debug, ClapArgs)]
pub struct InputArgs {
    /// Log files or directories (walked recursively); `-` for stdin. Default:
    /// the standard log locations of this machine.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Read the input paths from FILE, one per line (`-`: stdin).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<String>,
    /// Only events at or after TIME (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events at or before TIME (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Year of timestamps that carry none (default: inferred from each
    /// file's modification time).
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Zone of timestamps that carry none (IANA name or UTC; default: this
    /// machine's zone).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// A bare user name `alice` is the account `alice@DOMAIN`.
    #[arg(long, value_name = "DOMAIN")]
    pub default_domain: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Progress bar on stderr.
    #[arg(long, value_enum, default_value_t = Progress::Auto)]
    pub progress: Progress,
    /// Quieter: no progress, no notes on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// More detail (samples of unrecognized authentication lines).
    #[arg(short, long)]
    pub verbose: bool,
    /// Block size in bytes for parallel parsing (tuning and tests).
    #[arg(long, hide = true, value_name = "BYTES")]
    pub block_size: Option<usize>,
    /// Never memory-map input files.
    #[arg(long)]
    pub no_mmap: bool,
}

/// `authsweep scan`.
#[derive(Debug, ClapArgs)]
pub struct ScanArgs {
    /// Input.
    #[command(flatten)]
    pub input: InputArgs,
    /// Report.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Incremental run: load the state in FILE if it exists, read only what
    /// was not read before, save the state back.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Write the state of this run to FILE (for `merge` and `report`); `-`
    /// writes it to stdout (the report is then written only with -o).
    #[arg(long, value_name = "FILE")]
    pub save_state: Option<String>,
}

/// The flags that shape a report (of `scan` and `report`).
#[derive(Debug, ClapArgs)]
pub struct ReportArgs {
    /// Issued accounts: CSV with a header (`account`, optional `name`,
    /// `unit`, `aliases`, `created`, `disabled`, `password_changed`,
    /// `service`) or one account per line.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// The "now" inactivity is measured from (RFC 3339 or YYYY-MM-DD;
    /// default: the latest event).
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// No successful login for N days before --as-of: inactive (default:
    /// the config's `inactive_days`, 90).
    #[arg(long, value_name = "N")]
    pub inactive_days: Option<u32>,
    /// A roster account created less than N days before --as-of that never
    /// logged in is `new` (default: --inactive-days).
    #[arg(long, value_name = "N")]
    pub grace_days: Option<u32>,
    /// Thresholds, allowlists and detectors on/off (default:
    /// ./authsweep.toml when it exists). Flags win over the file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A MaxMind DB (.mmdb, City or Country; an ASN database as a second
    /// --geoip) for the country, city and travel detectors.
    #[arg(long, value_name = "FILE")]
    pub geoip: Vec<PathBuf>,
    /// Accounts known to be in a credential leak: one per line, or CSV
    /// `account,date`.
    #[arg(long, value_name = "FILE")]
    pub leaked: Option<PathBuf>,
    /// Addresses and networks known to be hostile or anonymizing: one IP or
    /// CIDR per line, `#` comments.
    #[arg(long, value_name = "FILE")]
    pub bad_ips: Option<PathBuf>,
    /// Write DIR/<ticket_key>.json and .md for each account whose action is
    /// not `none`.
    #[arg(long, value_name = "DIR")]
    pub tickets: Option<PathBuf>,
    /// A Jinja-style template for the Markdown of tickets (default: built
    /// in).
    #[arg(long, value_name = "FILE")]
    pub ticket_template: Option<PathBuf>,
    /// Write one CSV per roster unit (and no-unit.csv) for the units to
    /// confirm their accounts.
    #[arg(long, value_name = "DIR")]
    pub review_sheets: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when the report has such findings (for cron).
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
}

/// `authsweep report`.
#[derive(Debug, ClapArgs)]
pub struct ReportCmdArgs {
    /// Saved states (`-`: stdin, one or more states back to back).
    #[arg(value_name = "STATE", required = true)]
    pub states: Vec<String>,
    /// Report.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Zone for printed times and roster dates (default: the zone the
    /// states were read with).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// The states' default domain (they record it; given here, it must be
    /// the same).
    #[arg(long, value_name = "DOMAIN")]
    pub default_domain: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Quieter: no notes on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// More detail (samples of unrecognized authentication lines).
    #[arg(short, long)]
    pub verbose: bool,
}

/// `authsweep merge`.
#[derive(Debug, ClapArgs)]
pub struct MergeArgs {
    /// Saved states (`-`: stdin, one or more states back to back).
    #[arg(value_name = "STATE", required = true)]
    pub states: Vec<String>,
    /// Where the merged state goes (`-`: stdout).
    #[arg(short, long, value_name = "STATE", required = true)]
    pub output: String,
    /// Quieter: no notes on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `authsweep events`.
#[derive(Debug, ClapArgs)]
pub struct EventsArgs {
    /// Input.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EventFormat::Ndjson)]
    pub format: EventFormat,
    /// Only events of this account.
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// Only events from this address or network (CIDR).
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// Also print lines that only detail an attempt counted on another line
    /// (Dovecot auth-process lines, PAM under sshd, `Invalid user`).
    #[arg(long)]
    pub details: bool,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Args::command().debug_assert();
    }
}
