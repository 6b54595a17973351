//! `brute_force`: many failed logins for one account in a short time.

use super::{count_noun, episodes, human_span, Context, Detector, Finding, Severity};
use crate::aggregate::{Aggregate, FailBucket};

/// ≥ N failures for the account within M minutes (default 10 in 10). Only
/// real accounts, as for `distributed_brute_force`: in the roster, or with a
/// successful login. Names that exist nowhere (bots trying `admin`, `root`
/// on a mail host) are the address detectors' business.
pub struct BruteForce;

impl Detector for BruteForce {
    fn code(&self) -> &'static str {
        "brute_force"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = ctx.t;
        for (id, a) in ctx.accounts(agg) {
            if a.failures < t.brute_force.failures {
                continue;
            }
            if a.logins == 0 && !ctx.roster.is_some_and(|r| r.entries.contains_key(id)) {
                continue;
            }
            let items: Vec<(u32, &FailBucket)> = a.fails.iter().map(|(m, b)| (*m, b)).collect();
            for ep in episodes(
                &items,
                t.brute_force.window_minutes,
                t.brute_force.failures,
                |w| w.iter().map(|x| x.1.n).sum::<u64>(),
            ) {
                let w = &items[ep];
                let n: u64 = w.iter().map(|x| x.1.n).sum();
                let first = w.iter().map(|x| x.1.first).min().unwrap_or_default();
                let last = w.iter().map(|x| x.1.last).max().unwrap_or_default();
                let ips = super::union_of(w, |b| &b.ips);
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Medium,
                    account: Some(*id),
                    ip: (ips.len() == 1).then(|| *ips.iter().next().unwrap_or(&0)),
                    first,
                    last,
                    count: n,
                    summary: format!(
                        "{n} failed logins in {} from {}",
                        human_span(last.ts - first.ts),
                        count_noun(ips.len(), ips.is_saturated(), "IP", "IPs")
                    ),
                    evidence: vec![first, last],
                });
            }
        }
    }
}
