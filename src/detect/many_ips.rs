//! `many_ips`: successful logins from many networks in a day (a shared or
//! stolen password used from everywhere).

use super::{episodes, union_of, Context, Detector, Finding, Severity, Union};
use crate::aggregate::{Aggregate, SuccBucket};

/// Successes from ≥ N distinct networks (IPv4 /24, IPv6 /48) within H hours
/// (default 10 in 24), evaluated on hourly buckets.
pub struct ManyIps;

fn union(w: &[(u32, &SuccBucket)]) -> Union<u64> {
    union_of(w, |b| &b.nets)
}

impl Detector for ManyIps {
    fn code(&self) -> &'static str {
        "many_ips"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = ctx.t;
        for (id, a) in ctx.accounts(agg) {
            if !a
                .successes
                .nets_within(t.many_ips.window_hours, t.many_ips.networks as usize)
            {
                continue;
            }
            let succ = a.succ();
            let items: Vec<(u32, &SuccBucket)> = succ.iter().map(|(h, b)| (*h, b)).collect();
            let need = t.many_ips.networks;
            for ep in episodes(&items, t.many_ips.window_hours, need, |w| {
                union(w).len() as u64
            }) {
                let w = &items[ep];
                let nets = union(w);
                let n: u64 = w.iter().map(|x| x.1.n).sum();
                let first = w.iter().map(|x| x.1.first).min().unwrap_or_default();
                let last = w.iter().map(|x| x.1.last).max().unwrap_or_default();
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Medium,
                    account: Some(*id),
                    ip: None,
                    first: first.0,
                    last: last.0,
                    count: n,
                    summary: format!(
                        "{n} successful logins from {}{} networks within {} h",
                        nets.len(),
                        if nets.is_saturated() { "+" } else { "" },
                        ((last.0.ts - first.0.ts) / 3600 + 1).min(t.many_ips.window_hours as i64)
                    ),
                    evidence: vec![first.0, last.0],
                });
            }
        }
    }
}
