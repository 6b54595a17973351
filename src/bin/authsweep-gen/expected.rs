//! The known answer written to EXPECTED.json.

use serde::Serialize;

/// A line a planted case (or a special format case) can be checked against.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    pub file: String,
    pub line: u64,
    pub text: String,
}

/// One planted case: what should fire, on what, when.
#[derive(Clone, Debug, Serialize)]
pub struct Planted {
    pub detector: &'static str,
    pub severity: &'static str,
    pub account: Option<String>,
    pub ip: Option<String>,
    /// First and last line of what triggers it (RFC 3339, whole seconds).
    pub first: String,
    pub last: String,
    /// Attempts, logins or submissions in the case.
    pub count: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<String>,
    pub note: String,
    /// Other detectors that may legitimately fire on the same case.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub may_also_fire: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Label of the marked lines (sample mode), not written.
    #[serde(skip)]
    pub mark: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct LastLogin {
    pub account: String,
    pub last_login: String,
    pub service: &'static str,
    pub ip: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Special {
    pub what: &'static str,
    #[serde(flatten)]
    pub at: Evidence,
}

#[derive(Clone, Debug, Serialize)]
pub struct FileInfo {
    pub file: String,
    pub bytes: u64,
    pub lines: u64,
    pub first: String,
    pub last: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gzip_mtime: Option<String>,
    pub timestamps: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Noise {
    pub note: String,
    pub ip_ranges: Vec<&'static str>,
    pub accounts: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    pub detector: &'static str,
    pub why: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Expected {
    pub generator: String,
    pub seed: u64,
    /// Options of `authsweep scan` this answer assumes.
    pub scan_args: Vec<String>,
    pub period: Period,
    /// The `--as-of` default: the latest authentication event.
    pub as_of: String,
    pub files: Vec<FileInfo>,
    pub planted: Vec<Planted>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    pub inactive: Vec<String>,
    pub never: Vec<String>,
    pub new: Vec<String>,
    pub disabled: Vec<String>,
    pub service: Vec<String>,
    pub last_login: Vec<LastLogin>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub special_lines: Vec<Special>,
    pub noise: Noise,
    pub clean: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Period {
    pub first: String,
    pub last: String,
}
