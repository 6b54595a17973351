//! `user_enumeration`: one address tries many user names that do not
//! exist (a bot walking a list of names, learning which ones are real).

use super::{
    count_noun, episodes, human_span, union_of, Context, Detector, Finding, Severity, Union,
};
use crate::aggregate::{Aggregate, IpFailBucket};

/// One address tries ≥ N distinct unknown users within M minutes (default
/// 10 in 60).
pub struct UserEnumeration;

fn union(w: &[(u32, &IpFailBucket)]) -> Union<u64> {
    union_of(w, |b| &b.unknown)
}

impl Detector for UserEnumeration {
    fn code(&self) -> &'static str {
        "user_enumeration"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = &ctx.t.user_enumeration;
        for (ip, a) in ctx.ips(agg) {
            if ctx.trusted(*ip) {
                continue;
            }
            // Only buckets with unknown users take part.
            let items: Vec<(u32, &IpFailBucket)> = a
                .fails
                .iter()
                .filter(|(_, b)| !b.unknown.is_empty())
                .map(|(m, b)| (*m, b))
                .collect();
            let total: usize = items.iter().map(|x| x.1.unknown.len()).sum();
            if (total as u64) < t.users {
                continue;
            }
            let mut eps = episodes(&items, t.window_minutes, t.users, |w| union(w).len() as u64);
            // The sets are capped, so an episode's edges cannot be told by
            // what each bucket adds: the finding spans the whole run of
            // attempts, joining buckets less than a window apart.
            for ep in &mut eps {
                while ep.start > 0 && items[ep.start].0 - items[ep.start - 1].0 < t.window_minutes {
                    ep.start -= 1;
                }
                while ep.end < items.len()
                    && items[ep.end].0 - items[ep.end - 1].0 < t.window_minutes
                {
                    ep.end += 1;
                }
            }
            eps.dedup_by(|b, a| {
                if b.start < a.end {
                    a.end = a.end.max(b.end);
                    true
                } else {
                    false
                }
            });
            for ep in eps {
                let w = &items[ep];
                let users = union(w);
                let n: u64 = w.iter().map(|x| x.1.n).sum();
                let first = w.iter().map(|x| x.1.first).min().unwrap_or_default();
                let last = w.iter().map(|x| x.1.last).max().unwrap_or_default();
                if n == 0 || first > last {
                    // Only detail lines: nothing counted to point at.
                    continue;
                }
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Medium,
                    account: None,
                    ip: Some(*ip),
                    first,
                    last,
                    count: n,
                    summary: format!(
                        "{} unknown user names tried in {} from one address",
                        count_noun(users.len(), users.is_saturated(), "name", "names")
                            .trim_end_matches(" names")
                            .trim_end_matches(" name"),
                        human_span(last.ts - first.ts)
                    ),
                    evidence: vec![first, last],
                });
            }
        }
    }
}
