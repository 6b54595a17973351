//! `ip_brute_force`: many failures from one address in a short time, what
//! fail2ban counts. Low: authsweep's account view says more, but it names
//! the address to block.

use super::{episodes, human_span, Context, Detector, Finding, Severity};
use crate::aggregate::{Aggregate, IpFailBucket};

/// ≥ N failures from one address within M minutes (default 20 in 10).
pub struct IpBruteForce;

impl Detector for IpBruteForce {
    fn code(&self) -> &'static str {
        "ip_brute_force"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = &ctx.t.ip_brute_force;
        for (ip, a) in ctx.ips(agg) {
            if ctx.trusted(*ip) {
                continue;
            }
            let total: u64 = a.fails.values().map(|b| b.n).sum();
            if total < t.failures {
                continue;
            }
            let items: Vec<(u32, &IpFailBucket)> = a
                .fails
                .iter()
                .filter(|(_, b)| b.n > 0)
                .map(|(m, b)| (*m, b))
                .collect();
            let sum = |w: &[(u32, &IpFailBucket)]| w.iter().map(|x| x.1.n).sum::<u64>();
            for ep in episodes(&items, t.window_minutes, t.failures, sum) {
                let w = &items[ep];
                let n = sum(w);
                let first = w.iter().map(|x| x.1.first).min().unwrap_or_default();
                let last = w.iter().map(|x| x.1.last).max().unwrap_or_default();
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Low,
                    account: None,
                    ip: Some(*ip),
                    first,
                    last,
                    count: n,
                    summary: format!(
                        "{n} failed logins in {} from one address",
                        human_span(last.ts - first.ts)
                    ),
                    evidence: vec![first, last],
                });
            }
        }
    }
}
