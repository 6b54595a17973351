//! Review sheets (`--review-sheets DIR`, PRODUCT.md §6): one CSV per roster
//! unit, for the unit to confirm which of its accounts are still used.
//!
//! Every roster account is in exactly one sheet: its unit's, or
//! `no-unit.csv`. File names are derived from unit names safely (no path
//! separators, no `..`, no clash between two units); cells are neutralized
//! against spreadsheet formulas.

use super::model::{AccountOut, Report};
use super::text::csv_cell;
use anyhow::{Context as _, Result};
use std::collections::BTreeMap;
use std::path::Path;

const HEADER: [&str; 14] = [
    "account",
    "name",
    "unit",
    "status",
    "last_login",
    "last_login_service",
    "last_login_by_service",
    "last_interactive_login",
    "days_since_login",
    "findings",
    "risk_level",
    "action",
    "decision",
    "comment",
];

/// The file stem for a unit name: letters, digits, `.`, `_` and `-` kept,
/// anything else `_`, no leading dot, at most 80 bytes.
pub fn safe_stem(unit: &str) -> String {
    let mut s: String = unit
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Collapse runs of `_`, trim them from the ends.
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let s = s.trim_matches('_');
    let mut out = String::new();
    for c in s.chars() {
        if out.len() + c.len_utf8() > 80 {
            break;
        }
        out.push(c);
    }
    if out.is_empty() {
        out.push_str("unit");
    }
    out
}

/// Sheet file names per unit (`None` = no unit): deterministic, distinct
/// even on case-insensitive file systems, never `no-unit` for a real unit.
pub fn file_names(units: &[Option<&str>]) -> BTreeMap<Option<String>, String> {
    let mut sorted: Vec<Option<&str>> = units.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut used: Vec<String> = vec!["no-unit".to_string()];
    let mut out = BTreeMap::new();
    for u in sorted {
        let Some(u) = u else {
            out.insert(None, "no-unit.csv".to_string());
            continue;
        };
        let stem = safe_stem(u);
        let mut name = stem.clone();
        let mut i = 2;
        while used.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
            name = format!("{stem}-{i}");
            i += 1;
        }
        used.push(name.clone());
        out.insert(Some(u.to_string()), format!("{name}.csv"));
    }
    out
}

fn unit_of(a: &AccountOut) -> Option<&str> {
    a.unit.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

fn row(a: &AccountOut, r: &Report) -> Vec<String> {
    let by_service = a
        .last_login_by_service
        .iter()
        .map(|(s, t)| format!("{s}={t}"))
        .collect::<Vec<_>>()
        .join("; ");
    let findings = a
        .risk
        .findings
        .iter()
        .filter_map(|id| r.findings.iter().find(|f| &f.id == id))
        .map(|f| format!("{} ({}): {}", f.detector, f.severity, f.summary))
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        a.account.clone(),
        a.name.clone().unwrap_or_default(),
        a.unit.clone().unwrap_or_default(),
        a.status.to_string(),
        a.last_login.clone().unwrap_or_default(),
        a.last_login_service.unwrap_or("").to_string(),
        by_service,
        a.last_interactive_login.clone().unwrap_or_default(),
        a.days_since_login
            .map(|d| d.to_string())
            .unwrap_or_default(),
        findings,
        a.risk.level.to_string(),
        a.action.to_string(),
        String::new(),
        String::new(),
    ]
}

/// Write the sheets; returns the file names written.
pub fn write(report: &Report, dir: &Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "--review-sheets {}: cannot create the directory",
            dir.display()
        )
    })?;
    let roster: Vec<&AccountOut> = report
        .accounts
        .iter()
        .filter(|a| a.in_roster == Some(true))
        .collect();
    let mut units: Vec<Option<&str>> = roster.iter().map(|a| unit_of(a)).collect();
    units.push(None);
    let names = file_names(&units);
    let mut written = Vec::new();
    for (unit, file) in &names {
        let mut rows: Vec<&AccountOut> = roster
            .iter()
            .copied()
            .filter(|a| unit_of(a) == unit.as_deref())
            .collect();
        rows.sort_by(|x, y| x.account.cmp(&y.account));
        let path = dir.join(file);
        let mut w = csv::Writer::from_path(&path)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        w.write_record(HEADER)?;
        for a in rows {
            let cells = row(a, report);
            w.write_record(cells.iter().map(|c| csv_cell(c).into_owned()))?;
        }
        w.flush()?;
        written.push(file.clone());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_make_safe_distinct_files() {
        assert_eq!(safe_stem("Finance"), "Finance");
        assert_eq!(safe_stem("../../etc/passwd"), "etc_passwd");
        assert_eq!(safe_stem(".."), "unit");
        assert_eq!(safe_stem("R&D / Lab 2"), "R_D_Lab_2");
        let n = file_names(&[Some("A/B"), Some("A_B"), Some("no-unit"), None, Some("a_b")]);
        let mut files: Vec<&String> = n.values().collect();
        files.sort();
        files.dedup();
        assert_eq!(files.len(), 5);
        assert_eq!(n[&None], "no-unit.csv");
        assert_ne!(n[&Some("no-unit".to_string())], "no-unit.csv");
        for f in files {
            assert!(!f.contains('/') && !f.starts_with('.'), "{f}");
        }
    }
}
