//! `dormant_reactivated`: an account unused for months logs in again (a
//! leaver's password reused, or an old account taken over).

use super::{Context, Detector, Finding, Severity};
use crate::aggregate::{key_ip, net_key, Aggregate};
use rustc_hash::FxHashSet;

/// A success after ≥ N days (default 60) without one, when the account had
/// logged in before; high when from a network never seen for the account.
pub struct DormantReactivated;

impl Detector for DormantReactivated {
    fn code(&self) -> &'static str {
        "dormant_reactivated"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let gap_min = ctx.t.dormant_reactivated.days as i64 * 86_400;
        // A gap of `gap_min` seconds spans this many hours between the
        // hours of the two successes, at least.
        let gap_hours = (gap_min / 3600).saturating_sub(1).clamp(0, u32::MAX as i64) as u32;
        for (id, a) in ctx.accounts(agg) {
            if !a.successes.has_gap(gap_hours) {
                continue;
            }
            let mut seen: FxHashSet<u64> = FxHashSet::default();
            let mut prev: Option<crate::aggregate::SuccBucket> = None;
            for (_, b) in a.successes.hours_iter() {
                if let Some(p) = &prev {
                    let gap = b.first.0.ts - p.last.0.ts;
                    if gap >= gap_min {
                        let ip = b.first.1;
                        let new_net = ip != 0 && !seen.contains(&net_key(ip));
                        let days = gap / 86_400;
                        let from =
                            key_ip(ip).map_or_else(|| "no address".to_string(), |i| i.to_string());
                        out.push(Finding {
                            detector: self.code(),
                            severity: if new_net {
                                Severity::High
                            } else {
                                Severity::Medium
                            },
                            account: Some(*id),
                            ip: (ip != 0).then_some(ip),
                            first: b.first.0,
                            last: b.first.0,
                            count: 1,
                            summary: format!(
                                "first successful login in {days} days, from {from}{}",
                                if new_net {
                                    ", a network never seen for this account"
                                } else {
                                    ""
                                }
                            ),
                            evidence: vec![p.last.0, b.first.0],
                        });
                    }
                }
                seen.extend(b.nets.iter().copied());
                prev = Some(b);
            }
        }
    }
}
