//! `authsweep.toml`: thresholds, windows and on/off of each detector,
//! trusted networks, proxies, service accounts (PRODUCT.md §2, §7).
//!
//! The file is found in the working directory, or given with `--config`.
//! Every key is optional; unknown keys and bad values are errors that name
//! the file, the line and the key. Flags win over the file.

use crate::detect::Thresholds;
use crate::net::Cidr;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The name looked for in the working directory.
pub const FILE_NAME: &str = "authsweep.toml";

/// The contents of `authsweep.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    /// `--inactive-days` when the flag is not given.
    pub inactive_days: u32,
    /// `--grace-days` when the flag is not given (default: `inactive_days`).
    pub grace_days: Option<u32>,
    /// Days without a success before a login is `dormant_reactivated`.
    pub dormant_days: u32,
    /// Networks that are never the source of an address finding.
    pub trusted_networks: Vec<Cidr>,
    /// Proxies and webmail hosts that log in on users' behalf.
    pub proxies: Vec<Cidr>,
    /// Service and role accounts (never listed as inactive).
    pub service_accounts: Vec<String>,
    /// Per-detector settings.
    pub detectors: Thresholds,
}

impl Default for FileConfig {
    fn default() -> Self {
        FileConfig {
            inactive_days: 90,
            grace_days: None,
            dormant_days: 60,
            trusted_networks: vec![
                Cidr::parse("127.0.0.0/8").expect("valid"),
                Cidr::parse("::1/128").expect("valid"),
            ],
            proxies: Vec::new(),
            service_accounts: Vec::new(),
            detectors: Thresholds::default(),
        }
    }
}

impl FileConfig {
    /// The detector settings with the top-level keys they depend on.
    pub fn thresholds(&self) -> Thresholds {
        let mut t = self.detectors.clone();
        t.dormant_reactivated.days = self.dormant_days;
        t
    }
}

/// Parse the text of a config file; `name` is used in errors.
pub fn parse(text: &str, name: &str) -> Result<FileConfig> {
    let mut c: FileConfig = toml::from_str(text).map_err(|e| {
        let (line, col, src) = match e.span() {
            Some(sp) => {
                let before = &text[..sp.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                let src = text.lines().nth(line - 1).unwrap_or("").trim();
                (line, col, src.to_string())
            }
            None => (0, 0, String::new()),
        };
        if line == 0 {
            anyhow::Error::from(crate::config::UsageError(format!(
                "{name}: {}",
                e.message()
            )))
        } else {
            anyhow::Error::from(crate::config::UsageError(format!(
                "{name}:{line}:{col}: {} (in `{src}`)",
                e.message()
            )))
        }
    })?;
    if c.dormant_days == 0 {
        return Err(
            crate::config::UsageError(format!("{name}: dormant_days: must be at least 1")).into(),
        );
    }
    c.service_accounts
        .iter_mut()
        .for_each(|s| *s = s.trim().to_string());
    Ok(c)
}

/// Load `--config FILE`, or `authsweep.toml` in the working directory when
/// it exists, or the defaults. Returns the config and the file read.
pub fn load(explicit: Option<&Path>) -> Result<(FileConfig, Option<PathBuf>)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p = PathBuf::from(FILE_NAME);
            if !p.is_file() {
                return Ok((FileConfig::default(), None));
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        crate::config::UsageError(format!("{}: cannot read the config: {e}", path.display()))
    })?;
    let c = parse(&text, &path.display().to_string())?;
    Ok((c, Some(path)))
}

/// The full default file, with a comment on each key
/// (`authsweep config --print-default`).
pub const DEFAULT_TOML: &str = r#"# authsweep.toml: settings of `authsweep scan`.
# authsweep reads ./authsweep.toml when it exists, or the file given with
# --config FILE. Every key is optional; a missing key keeps the default shown
# here. Command-line flags win over this file. Unknown keys are errors.

# An account with no successful login for this many days (before --as-of) is
# inactive (flag --inactive-days).
inactive_days = 90

# A roster account created less than this many days ago that never logged in
# is `new`, not `never` (flag --grace-days). Default: inactive_days.
# grace_days = 90

# dormant_reactivated: a success after this many days without one.
dormant_days = 60

# Networks (CIDR) that are never the source of an address finding, whose
# logins are not counted as client addresses or cleartext logins: the office
# LAN, the webmail and proxy hosts, monitoring.
trusted_networks = ["127.0.0.0/8", "::1/128"]

# Proxies and webmail hosts (CIDR) that log in on users' behalf: a login
# whose only address is one of these carries no client address for the
# address and GeoIP detectors (many_ips, the geo detectors, known_bad_ip).
proxies = []

# Service and role accounts: reported, never listed as inactive (as the
# roster column `service = yes`).
service_accounts = []

# Each detector: `enabled` and its thresholds. Windows slide over buckets of
# one minute (failures, submissions), one hour (successes) or one day (the
# client addresses of successes). Thresholds that count distinct things
# (ips, accounts, users, networks) go up to 16.

[detectors.brute_force]
# >= failures failed logins for one account within window_minutes (medium).
enabled = true
failures = 10
window_minutes = 10

[detectors.distributed_brute_force]
# Failures for one account from >= ips distinct addresses within
# window_minutes (medium). Trusted networks do not count.
enabled = true
ips = 5
window_minutes = 60

[detectors.success_after_failures]
# A success within window_minutes after >= failures failures for the account,
# from any address (high).
enabled = true
failures = 5
window_minutes = 60

[detectors.password_spray]
# One address fails against >= accounts distinct accounts within
# window_minutes (medium).
enabled = true
accounts = 10
window_minutes = 60

[detectors.user_enumeration]
# One address tries >= users distinct unknown user names within
# window_minutes (medium).
enabled = true
users = 10
window_minutes = 60

[detectors.ip_brute_force]
# >= failures failures from one address within window_minutes (low).
enabled = true
failures = 20
window_minutes = 10

[detectors.success_from_attacker]
# A success from an address that has an address finding, from the start of
# that finding to window_hours after its end (critical).
enabled = true
window_hours = 24

[detectors.dormant_reactivated]
# A success after dormant_days (top of this file) without one (medium; high
# from a network never seen for the account).
enabled = true

[detectors.many_ips]
# Successes from >= networks distinct networks (IPv4 /24, IPv6 /48) within
# window_hours (medium).
enabled = true
networks = 10
window_hours = 24

[detectors.many_countries]
# Successes from >= countries countries within window_hours (medium; needs
# --geoip).
enabled = true
countries = 3
window_hours = 24

[detectors.impossible_travel]
# Two successes more than min_distance_km apart whose distance over time
# needs more than speed_kmh (high; needs --geoip).
enabled = true
speed_kmh = 1000
min_distance_km = 500

[detectors.new_country]
# A success from a country not seen for the account, after history_days of
# earlier history (low; needs --geoip).
enabled = true
history_days = 14

[detectors.send_burst]
# >= messages authenticated submissions within window_minutes (high).
enabled = true
messages = 200
window_minutes = 60

[detectors.cleartext_auth]
# A successful password login without TLS from outside trusted_networks (low).
enabled = true

[detectors.not_in_roster]
# A successful login by an account not in the roster (medium; needs --roster).
enabled = true

[detectors.stale_password]
# No password change for >= days days, where changes are known (password
# change lines in the logs, or the roster's password_changed) (low).
enabled = true
days = 180

[detectors.forwarding_change]
# Mail forwarding set to an address outside the account's own domains and
# allowed_domains (medium; high when the account has another finding in the
# lookback_days before the change).
enabled = true
lookback_days = 7
allowed_domains = []

[detectors.leaked_credentials]
# The account is in the --leaked list (high; low when the password was
# changed after the leak date).
enabled = true

[detectors.known_bad_ip]
# A success from an address in --bad-ips (high, on the account); an address
# of the list with failures only (low, on the address).
enabled = true
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_to_the_defaults() {
        let c = parse(DEFAULT_TOML, "default").unwrap();
        assert_eq!(c, FileConfig::default());
        // Every detector has its table.
        for code in crate::detect::codes() {
            assert!(
                DEFAULT_TOML.contains(&format!("[detectors.{code}]")),
                "{code}"
            );
        }
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let e = parse(
            "inactive_days = 30\n\n[detectors.brute_force]\nfailurs = 3\n",
            "a.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("a.toml:4:"), "{e}");
        assert!(e.contains("failurs"), "{e}");
        let e = parse("trusted_networks = [\"10.0.0.0/33\"]\n", "a.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("a.toml:1:"), "{e}");
        assert!(e.contains("10.0.0.0/33"), "{e}");
        let e = parse("[detectors.password_spray]\naccounts = 40\n", "a.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("a.toml:2:") && e.contains("accounts"), "{e}");
        let e = parse("[detectors.brute_force]\nwindow_minutes = 0\n", "a.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("a.toml:2:") && e.contains("at least 1"),
            "{e}"
        );
        let e = parse("nope = 1\n", "a.toml").unwrap_err().to_string();
        assert!(e.starts_with("a.toml:1:") && e.contains("nope"), "{e}");
    }

    #[test]
    fn partial_files_keep_the_other_defaults() {
        let c = parse(
            "dormant_days = 30\n[detectors.brute_force]\nfailures = 4\n[detectors.many_ips]\nenabled = false\n",
            "a.toml",
        )
        .unwrap();
        let t = c.thresholds();
        assert_eq!(t.brute_force.failures, 4);
        assert_eq!(t.brute_force.window_minutes, 10);
        assert!(!t.enabled("many_ips"));
        assert!(t.enabled("brute_force"));
        assert_eq!(t.dormant_reactivated.days, 30);
    }
}
