//! `not_in_roster`: an account that logs in but was never issued (or was
//! revoked and is still accepted somewhere).

use super::{Context, Detector, Finding, Severity};
use crate::aggregate::Aggregate;

/// A successful login by an account not in the roster (needs `--roster`).
pub struct NotInRoster;

impl Detector for NotInRoster {
    fn code(&self) -> &'static str {
        "not_in_roster"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let Some(roster) = ctx.roster else { return };
        for (id, a) in ctx.accounts(agg) {
            if a.logins == 0 || roster.entries.contains_key(id) {
                continue;
            }
            let (Some(first), Some(last)) = (a.first_login, a.last_login) else {
                continue;
            };
            let mut evidence = vec![first];
            if last.at != first {
                evidence.push(last.at);
            }
            out.push(Finding {
                detector: self.code(),
                severity: Severity::Medium,
                account: Some(*id),
                ip: (last.ip != 0).then_some(last.ip),
                first,
                last: last.at,
                count: a.logins,
                summary: format!(
                    "{} successful logins by an account that is not in the roster",
                    a.logins
                ),
                evidence,
            });
        }
    }
}
