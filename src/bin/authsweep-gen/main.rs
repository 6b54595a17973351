//! authsweep-gen: a deterministic generator of realistic mail and
//! authentication logs with planted findings, for authsweep's bundled
//! sample (`--sample`) and its benchmarks (one large mixed syslog).
//!
//! No external randomness: a seeded SplitMix64 drives everything, so the
//! same flags always give byte-identical files.

mod bench;
mod check;
mod clock;
mod expected;
mod lines;
mod net;
mod planted;
mod rng;
mod sample;
mod script;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// Generate realistic mail/auth logs with a known answer (EXPECTED.json).
#[derive(Parser, Debug)]
#[command(name = "authsweep-gen", version)]
struct Args {
    /// Output directory (created when missing).
    #[arg(long)]
    out: PathBuf,

    /// Write the small bundled sample set (2024-10-01 to 2025-01-20)
    /// instead of one large log.
    #[arg(long, conflicts_with_all = ["size", "accounts", "start", "days", "format"])]
    sample: bool,

    /// Approximate size of mail.log in bench mode; suffixes K, M, G (powers of 1024).
    #[arg(long, default_value = "100M", value_parser = parse_size)]
    size: u64,

    /// Number of background accounts in bench mode.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    accounts: u64,

    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// First day of the period (UTC), bench mode.
    #[arg(long, default_value = "2025-01-01", value_parser = clock::parse_date)]
    start: i64,

    /// Length of the period in days, bench mode. Planting an inactive
    /// account needs 100, a dormant one 75; shorter periods skip them
    /// (EXPECTED.json says so).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(2..=36_500))]
    days: i64,

    /// Timestamp style of bench mode's mail.log.
    #[arg(long, value_enum, default_value_t = Format::Bsd)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// RFC 3164 `Jan  5 08:51:18 host prog[pid]: msg` (no year).
    Bsd,
    /// rsyslog high precision `2025-01-05T08:51:18.123456+00:00 host prog[pid]: msg`.
    Iso,
}

/// `123`, `64K`, `100M`, `2G` (also `KB`, `MiB`, ...): powers of 1024.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let upper = t.to_ascii_uppercase();
    let num_end = upper
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(upper.len());
    let (num, suffix) = upper.split_at(num_end);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid size {s:?}: expected a number with K/M/G"))?;
    let mult: u64 = match suffix.trim_end_matches("IB").trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("invalid size suffix in {s:?}: use K, M or G")),
    };
    n.checked_mul(mult)
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("invalid size {s:?}"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let res = if args.sample {
        sample::run(&args.out, args.seed)
    } else {
        bench::run(&bench::Opts {
            out: args.out,
            size: args.size,
            accounts: args.accounts,
            seed: args.seed,
            start: args.start,
            days: args.days,
            style: match args.format {
                Format::Bsd => clock::Style::Bsd,
                Format::Iso => clock::Style::Iso,
            },
        })
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("authsweep-gen: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Args::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("512"), Ok(512));
        assert!(parse_size("12X").is_err());
        assert!(parse_size("0").is_err());
    }
}
