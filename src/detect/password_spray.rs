//! `password_spray`: one address tries a few passwords against many
//! accounts, staying under per-account lockouts.

use super::{
    count_noun, episodes, human_span, union_of, Context, Detector, Finding, Severity, Union,
};
use crate::aggregate::{Aggregate, IpFailBucket};

/// One address fails against ≥ N distinct accounts within M minutes
/// (default 10 in 60).
pub struct PasswordSpray;

fn union(w: &[(u32, &IpFailBucket)]) -> Union<u64> {
    union_of(w, |b| &b.accounts)
}

impl Detector for PasswordSpray {
    fn code(&self) -> &'static str {
        "password_spray"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = ctx.t;
        for (ip, a) in ctx.ips(agg) {
            if ctx.trusted(*ip) {
                continue;
            }
            let items: Vec<(u32, &IpFailBucket)> = a.fails.iter().map(|(m, b)| (*m, b)).collect();
            let total: usize = items.iter().map(|x| x.1.accounts.len()).sum();
            if total < t.password_spray.accounts as usize {
                continue;
            }
            let need = t.password_spray.accounts;
            for ep in episodes(&items, t.password_spray.window_minutes, need, |w| {
                union(w).len() as u64
            }) {
                let w = &items[ep];
                let accts = union(w);
                let n: u64 = w.iter().map(|x| x.1.n).sum();
                let first = w.iter().map(|x| x.1.first).min().unwrap_or_default();
                let last = w.iter().map(|x| x.1.last).max().unwrap_or_default();
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Medium,
                    account: None,
                    ip: Some(*ip),
                    first,
                    last,
                    count: n,
                    summary: format!(
                        "{n} failed logins against {} in {} from one address",
                        count_noun(accts.len(), accts.is_saturated(), "account", "accounts"),
                        human_span(last.ts - first.ts)
                    ),
                    evidence: vec![first, last],
                });
            }
        }
    }
}
