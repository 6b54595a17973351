//! `stale_password`: a password not changed for a long time, where changes
//! are known (the logs show password changes, or the roster gives the date).

use super::{account_name, Context, Detector, Finding, Severity};
use crate::account::AccountId;
use crate::aggregate::{Aggregate, Ref};
use std::collections::BTreeMap;

/// No password change for ≥ N days (default 180) before the report's "now".
pub struct StalePassword;

impl Detector for StalePassword {
    fn code(&self) -> &'static str {
        "stale_password"
    }

    /// Whole: it reads the roster's accounts too.
    fn divisible(&self) -> bool {
        false
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let days = ctx.t.stale_password.days as i64;
        // The last known change per account: a log line (with its ref) or
        // a roster date (no line).
        let mut last: BTreeMap<AccountId, Ref> = BTreeMap::new();
        for (id, a) in ctx.accounts(agg) {
            if let Some(r) = a.password_changed {
                last.insert(*id, r);
            }
        }
        if let Some(roster) = ctx.roster {
            for (id, e) in &roster.entries {
                if e.disabled {
                    last.remove(id);
                    continue;
                }
                if let Some(ts) = e.password_changed {
                    let r = Ref { ts, loc: 0 };
                    let slot = last.entry(*id).or_insert(r);
                    if slot.ts < ts {
                        *slot = r;
                    }
                }
            }
        }
        for (id, r) in last {
            let age = (ctx.as_of - r.ts).div_euclid(86_400);
            if age < days {
                continue;
            }
            if account_name(ctx, agg, id).is_none() {
                continue;
            }
            out.push(Finding {
                detector: self.code(),
                severity: Severity::Low,
                account: Some(id),
                ip: None,
                first: r,
                last: r,
                count: 1,
                summary: format!(
                    "password not changed for {age} days (last change {}, {})",
                    crate::parse::time::format_rfc3339(r.ts, 0)
                        .get(..10)
                        .unwrap_or(""),
                    if r.loc == 0 {
                        "from the roster"
                    } else {
                        "in the logs"
                    }
                ),
                evidence: if r.loc == 0 { Vec::new() } else { vec![r] },
            });
        }
    }
}
