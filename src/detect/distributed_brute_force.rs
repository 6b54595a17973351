//! `distributed_brute_force`: failures for one account from many addresses
//! (a botnet sharing the guessing, each address staying under per-address
//! limits such as fail2ban's).

use super::{count_noun, episodes, human_span, Context, Detector, Finding, Severity};
use crate::aggregate::cap::CapSet;
use crate::aggregate::{Aggregate, FailBucket};

/// Failures for the account from ≥ N distinct addresses within M minutes
/// (default 5 in 60); trusted networks do not count. Only real accounts:
/// in the roster, or with a successful login.
pub struct DistributedBruteForce;

impl Detector for DistributedBruteForce {
    fn code(&self) -> &'static str {
        "distributed_brute_force"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = &ctx.t.distributed_brute_force;
        let union = |w: &[(u32, &FailBucket)]| {
            let mut s: super::Union<u128> = CapSet::default();
            for x in w {
                for ip in x.1.ips.iter() {
                    if !ctx.trusted(*ip) {
                        s.insert(*ip);
                    }
                }
            }
            s
        };
        for (id, a) in ctx.accounts(agg) {
            if a.failures < t.ips || a.distinct_ips() < t.ips as usize {
                continue;
            }
            // Names that never logged in and are not issued (`root`,
            // `admin` tried by internet bots) are guesses, not accounts:
            // the address detectors cover them.
            if a.logins == 0 && !ctx.roster.is_some_and(|r| r.entries.contains_key(id)) {
                continue;
            }
            let items: Vec<(u32, &FailBucket)> = a.fails.iter().map(|(m, b)| (*m, b)).collect();
            for ep in episodes(&items, t.window_minutes, t.ips, |w| union(w).len() as u64) {
                let w = &items[ep];
                let ips = union(w);
                let n: u64 = w.iter().map(|x| x.1.n).sum();
                let first = w.iter().map(|x| x.1.first).min().unwrap_or_default();
                let last = w.iter().map(|x| x.1.last).max().unwrap_or_default();
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Medium,
                    account: Some(*id),
                    ip: None,
                    first,
                    last,
                    count: n,
                    summary: format!(
                        "{n} failed logins from {} in {}",
                        count_noun(ips.len(), ips.is_saturated(), "IP", "IPs"),
                        human_span(last.ts - first.ts)
                    ),
                    evidence: vec![first, last],
                });
            }
        }
    }
}
