//! `success_after_failures`: a successful login shortly after a run of
//! failures for the same account: a guessed password.

use super::{count_noun, human_span, Context, Detector, Finding, Severity};
use crate::aggregate::cap::CapSet;
use crate::aggregate::{key_ip, Aggregate, Ref};

/// A success within M minutes after ≥ N failures for the account, from any
/// address (default 5 within 60).
pub struct SuccessAfterFailures;

impl Detector for SuccessAfterFailures {
    fn code(&self) -> &'static str {
        "success_after_failures"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = ctx.t;
        for (id, a) in ctx.accounts(agg) {
            if a.failures < t.success_after_failures.failures || a.logins == 0 {
                continue;
            }
            // Failures already reported in a finding are not used again.
            let mut used_until: Option<u32> = None;
            for (hour, b) in &a.succ() {
                let mut bits = b.minutes;
                while bits != 0 {
                    let m = bits.trailing_zeros();
                    bits &= bits - 1;
                    let s = hour * 60 + m;
                    let lo = s
                        .saturating_sub(t.success_after_failures.window_minutes)
                        .max(used_until.map_or(0, |u| u + 1));
                    if lo >= s {
                        continue;
                    }
                    let window: Vec<_> = a.fails.range(lo..s).collect();
                    let n: u64 = window.iter().map(|x| x.1.n).sum();
                    if n < t.success_after_failures.failures {
                        continue;
                    }
                    let first = window.iter().map(|x| x.1.first).min().unwrap_or_default();
                    let last_fail = window.iter().map(|x| x.1.last).max().unwrap_or_default();
                    let mut ips: super::Union<u128> = CapSet::default();
                    for x in &window {
                        ips.merge(&x.1.ips);
                    }
                    // The success line: the bucket's first or last success
                    // when it is in this minute, else its last (a success
                    // of the same hour, after the failures).
                    let minute_of = |r: Ref| (r.ts.div_euclid(60)) as u32;
                    let (succ, sip) = if minute_of(b.first.0) == s {
                        b.first
                    } else {
                        b.last
                    };
                    let from = key_ip(sip).map_or_else(|| "no address".into(), |i| i.to_string());
                    out.push(Finding {
                        detector: self.code(),
                        severity: Severity::High,
                        account: Some(*id),
                        ip: (sip != 0).then_some(sip),
                        first,
                        last: succ,
                        count: n,
                        summary: format!(
                            "{n} failed logins from {} in {}, then a success from {from}",
                            count_noun(ips.len(), ips.is_saturated(), "IP", "IPs"),
                            human_span(last_fail.ts - first.ts)
                        ),
                        evidence: vec![first, last_fail, succ],
                    });
                    used_until = Some(s);
                }
            }
        }
    }
}
