//! `send_burst`: an account hands over many messages in a short time (a
//! stolen account sending spam).

use super::{episodes, human_span, Context, Detector, Finding, Severity};
use crate::aggregate::{Aggregate, CountBucket};

/// ≥ N authenticated submissions within M minutes (default 200 in 60).
pub struct SendBurst;

impl Detector for SendBurst {
    fn code(&self) -> &'static str {
        "send_burst"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = ctx.t;
        for (id, a) in ctx.accounts(agg) {
            if a.submissions < t.send_burst.messages {
                continue;
            }
            let items: Vec<(u32, &CountBucket)> = a.submits.iter().map(|(m, b)| (*m, b)).collect();
            let sum = |w: &[(u32, &CountBucket)]| w.iter().map(|x| x.1.n).sum::<u64>();
            for ep in episodes(
                &items,
                t.send_burst.window_minutes,
                t.send_burst.messages,
                sum,
            ) {
                let w = &items[ep];
                let n: u64 = w.iter().map(|x| x.1.n).sum();
                let first = w.iter().map(|x| x.1.first).min().unwrap_or_default();
                let last = w.iter().map(|x| x.1.last).max().unwrap_or_default();
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::High,
                    account: Some(*id),
                    ip: None,
                    first,
                    last,
                    count: n,
                    summary: format!(
                        "{n} messages submitted in {}",
                        human_span(last.ts - first.ts)
                    ),
                    evidence: vec![first, last],
                });
            }
        }
    }
}
