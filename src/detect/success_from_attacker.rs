//! `success_from_attacker`: an account logs in from an address that was
//! attacking (spraying, enumerating, brute-forcing, or on a blocklist): the
//! attack worked.

use super::{ip_text, success_points, Context, Detector, Finding, Severity};
use crate::aggregate::{Aggregate, IpKey, Ref};
use rustc_hash::FxHashMap;

/// A success from an address that has an address finding, from the start
/// of that finding to H hours after its end (default 24).
///
/// Successes are kept per account, address and day (first and last), so a
/// window of a day or more is evaluated exactly; shorter windows see the
/// first and last success of each address and day only.
pub struct SuccessFromAttacker;

impl Detector for SuccessFromAttacker {
    fn code(&self) -> &'static str {
        "success_from_attacker"
    }

    fn stage(&self) -> u8 {
        1
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let hours = ctx.t.success_from_attacker.window_hours as i64;
        let mut attacks: FxHashMap<IpKey, Vec<&Finding>> = FxHashMap::default();
        for f in ctx.prior {
            if let (None, Some(ip)) = (f.account, f.ip) {
                if !ctx.trusted(ip) {
                    attacks.entry(ip).or_default().push(f);
                }
            }
        }
        if attacks.is_empty() {
            return;
        }
        for (id, a) in ctx.accounts(agg) {
            // Only a success from an attacking address can make a finding.
            if a.logins == 0 || !a.successes.client_ips().any(|ip| attacks.contains_key(&ip)) {
                continue;
            }
            let mut done: Vec<(IpKey, Ref)> = Vec::new();
            for (at, ip) in success_points(a) {
                let Some(fs) = attacks.get(&ip) else { continue };
                // The earliest attack this success follows.
                let Some(f) = fs
                    .iter()
                    .filter(|f| at.ts >= f.first.ts && at.ts <= f.last.ts + hours * 3600)
                    .min_by_key(|f| (f.first, f.detector))
                else {
                    continue;
                };
                if done.iter().any(|d| d.0 == ip && d.1 == f.first) {
                    continue;
                }
                done.push((ip, f.first));
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Critical,
                    account: Some(*id),
                    ip: Some(ip),
                    first: f.first,
                    last: at,
                    count: f.count,
                    summary: format!(
                        "successful login from {}, an address with a {} finding ({})",
                        ip_text(ip),
                        f.detector,
                        f.summary
                    ),
                    evidence: vec![f.first, f.last, at],
                });
            }
        }
    }
}
