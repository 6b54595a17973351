//! Detectors: what in an account's (or an address's) history looks like an
//! attack or a takeover.
//!
//! Detectors run after the final merge, on the sparse time buckets of the
//! [`Aggregate`], so their answers do not depend on how the input was cut.
//! Each detector is one file with one [`Detector`] implementation, listed in
//! [`registry`]; adding one touches nothing else.

mod brute_force;
mod dormant_reactivated;
mod many_ips;
mod not_in_roster;
mod password_spray;
mod send_burst;
mod success_after_failures;

use crate::account::AccountId;
use crate::aggregate::{Aggregate, IpKey, Ref};
use crate::net::Cidr;
use crate::roster::Roster;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Low,
    /// Review.
    Medium,
    /// Reset the password.
    High,
    /// Act now.
    Critical,
}

impl Severity {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Weight in the risk score.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Low => 10,
            Severity::Medium => 30,
            Severity::High => 60,
            Severity::Critical => 90,
        }
    }
}

/// One finding, before it is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Detector code.
    pub detector: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The account, if the finding is about one.
    pub account: Option<AccountId>,
    /// The address most involved, if any.
    pub ip: Option<IpKey>,
    /// First line involved.
    pub first: Ref,
    /// Last line involved.
    pub last: Ref,
    /// Attempts, messages or logins involved.
    pub count: u64,
    /// One sentence for a person.
    pub summary: String,
    /// Up to five lines to check.
    pub evidence: Vec<Ref>,
}

/// Thresholds of the detectors (PRODUCT.md §7 defaults).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// `brute_force`: failures within `brute_force_minutes`.
    pub brute_force_failures: u64,
    /// `brute_force` window.
    pub brute_force_minutes: u32,
    /// `success_after_failures`: failures before the success.
    pub saf_failures: u64,
    /// `success_after_failures` window.
    pub saf_minutes: u32,
    /// `password_spray`: distinct accounts from one address.
    pub spray_accounts: usize,
    /// `password_spray` window.
    pub spray_minutes: u32,
    /// `many_ips`: distinct networks.
    pub many_ips_networks: usize,
    /// `many_ips` window.
    pub many_ips_hours: u32,
    /// `dormant_reactivated`: days without a success.
    pub dormant_days: i64,
    /// `send_burst`: messages within `send_burst_minutes`.
    pub send_burst_messages: u64,
    /// `send_burst` window.
    pub send_burst_minutes: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            brute_force_failures: 10,
            brute_force_minutes: 10,
            saf_failures: 5,
            saf_minutes: 60,
            spray_accounts: 10,
            spray_minutes: 60,
            many_ips_networks: 10,
            many_ips_hours: 24,
            dormant_days: 60,
            send_burst_messages: 200,
            send_burst_minutes: 60,
        }
    }
}

/// What detectors may look at besides the aggregate.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Thresholds.
    pub t: &'a Thresholds,
    /// The roster, when given.
    pub roster: Option<&'a Roster>,
    /// Networks that are never the source of an address finding.
    pub trusted: &'a [Cidr],
}

impl Context<'_> {
    /// Whether an address is trusted.
    pub fn trusted(&self, ip: IpKey) -> bool {
        crate::net::any_contains(self.trusted, ip)
    }
}

/// A detector.
pub trait Detector: Sync {
    /// Its code (`brute_force`).
    fn code(&self) -> &'static str;
    /// Push its findings.
    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>);
}

/// Every detector.
pub fn registry() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(brute_force::BruteForce),
        Box::new(success_after_failures::SuccessAfterFailures),
        Box::new(password_spray::PasswordSpray),
        Box::new(many_ips::ManyIps),
        Box::new(dormant_reactivated::DormantReactivated),
        Box::new(send_burst::SendBurst),
        Box::new(not_in_roster::NotInRoster),
    ]
}

/// The codes of every detector.
pub fn codes() -> Vec<&'static str> {
    registry().iter().map(|d| d.code()).collect()
}

/// Run the enabled detectors, in parallel, and sort the findings.
pub fn run_all(
    ctx: &Context<'_>,
    agg: &Aggregate,
    enabled: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Finding> {
    use rayon::prelude::*;
    let dets = registry();
    let mut all: Vec<Finding> = dets
        .par_iter()
        .filter(|d| enabled(d.code()))
        .flat_map_iter(|d| {
            let mut v = Vec::new();
            d.run(ctx, agg, &mut v);
            v
        })
        .collect();
    all.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.first.cmp(&b.first))
            .then(a.detector.cmp(b.detector))
            .then(a.account.cmp(&b.account))
            .then(a.ip.cmp(&b.ip))
    });
    all
}

/// Maximal runs of `items` (sorted by time unit) in which some window of
/// `width` units reaches `threshold` by `measure` (a sum, or the size of a
/// union). Leading and trailing items that add nothing to a run (their
/// members are all present elsewhere in it) are left out, so a run starts
/// and ends with the attack; overlapping windows are joined, so one attack
/// gives one finding.
pub fn episodes<T>(
    items: &[(u32, T)],
    width: u32,
    threshold: u64,
    mut measure: impl FnMut(&[(u32, T)]) -> u64,
) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut l = 0;
    for r in 0..items.len() {
        while items[l].0 + width <= items[r].0 {
            l += 1;
        }
        let m = measure(&items[l..=r]);
        if m >= threshold {
            let mut first = l;
            while first < r && measure(&items[first + 1..=r]) == m {
                first += 1;
            }
            match out.last_mut() {
                Some(last) if first < last.end => last.end = r + 1,
                _ => out.push(first..r + 1),
            }
        }
    }
    // Likewise at the end: trailing items that add nothing are left out.
    for ep in &mut out {
        let m = measure(&items[ep.clone()]);
        while ep.len() > 1 && measure(&items[ep.start..ep.end - 1]) == m {
            ep.end -= 1;
        }
    }
    out
}

/// Short duration for summaries (`41 min`, `3 h`, `2 days`).
pub fn human_span(secs: i64) -> String {
    let m = (secs.max(0) + 59) / 60;
    if m < 120 {
        format!("{m} min")
    } else if m < 48 * 60 {
        format!("{} h", (m + 30) / 60)
    } else {
        format!("{} days", (m + 720) / 1440)
    }
}

/// `1 IP` / `3 IPs` (`16+ IPs` when the set was capped).
pub fn count_noun(n: usize, capped: bool, one: &str, many: &str) -> String {
    let plus = if capped { "+" } else { "" };
    if n == 1 && !capped {
        format!("1 {one}")
    } else {
        format!("{n}{plus} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_join_overlapping_windows() {
        // Counts per minute; a window of 10 minutes needs a sum of 10.
        let items: Vec<(u32, u64)> =
            vec![(0, 3), (2, 3), (5, 4), (8, 1), (30, 9), (31, 1), (100, 20)];
        let sum = |w: &[(u32, u64)]| w.iter().map(|x| x.1).sum::<u64>();
        assert_eq!(episodes(&items, 10, 10, sum), vec![0..4, 4..6, 6..7]);
        assert!(episodes(&items, 10, 100, sum).is_empty());
        // Every failure of a run counts, the first one too.
        let items: Vec<(u32, u64)> = vec![(0, 1), (1, 10), (2, 1)];
        assert_eq!(episodes(&items, 10, 10, sum), vec![0..3]);
        // A leading item that adds nothing new to a union is left out.
        let items: Vec<(u32, Vec<u8>)> = vec![(0, vec![1]), (1, vec![2, 3]), (2, vec![1, 4])];
        let union = |w: &[(u32, Vec<u8>)]| {
            let mut s: Vec<u8> = w.iter().flat_map(|x| x.1.clone()).collect();
            s.sort();
            s.dedup();
            s.len() as u64
        };
        assert_eq!(episodes(&items, 10, 4, union), vec![1..3]);
        let items: Vec<(u32, Vec<u8>)> = vec![(0, vec![1, 2]), (1, vec![3, 4]), (2, vec![1])];
        assert_eq!(episodes(&items, 10, 4, union), vec![0..2]);
    }
}
