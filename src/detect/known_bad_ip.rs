//! `known_bad_ip`: logins from addresses on a list the user trusts to be
//! hostile or anonymizing (`--bad-ips`: Tor exits, blocklists).

use super::{ip_text, Context, Detector, Finding, Severity};
use crate::aggregate::{Aggregate, IpKey, Ref};
use rustc_hash::{FxHashMap, FxHashSet};

/// A success from a listed address (account, high); an address of the list
/// with failures only (address, low).
pub struct KnownBadIp;

impl Detector for KnownBadIp {
    fn code(&self) -> &'static str {
        "known_bad_ip"
    }

    /// Whole: an address's finding depends on whether any account succeeded from it.
    fn divisible(&self) -> bool {
        false
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let Some(bad) = ctx.bad_ips else { return };
        if bad.is_empty() {
            return;
        }
        let mut succeeded: FxHashSet<IpKey> = FxHashSet::default();
        for (id, a) in ctx.accounts(agg) {
            // Per address: first and last success, and how many.
            let mut per: FxHashMap<IpKey, (Ref, Ref, u64)> = FxHashMap::default();
            for day in a.addrs().values() {
                for s in day {
                    if !bad.contains(s.ip()) || ctx.trusted(s.ip()) {
                        continue;
                    }
                    let e = per.entry(s.ip()).or_insert((s.first, s.last, 0));
                    e.0 = e.0.min(s.first);
                    e.1 = e.1.max(s.last);
                    e.2 += s.n as u64;
                }
            }
            for (ip, (first, last, n)) in per {
                succeeded.insert(ip);
                let mut evidence = vec![first];
                if last != first {
                    evidence.push(last);
                }
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::High,
                    account: Some(*id),
                    ip: Some(ip),
                    first,
                    last,
                    count: n,
                    summary: format!(
                        "{n} successful login{} from {}, an address on the --bad-ips list",
                        if n == 1 { "" } else { "s" },
                        ip_text(ip)
                    ),
                    evidence,
                });
            }
        }
        for (ip, a) in ctx.ips(agg) {
            if succeeded.contains(ip) || ctx.trusted(*ip) || !bad.contains(*ip) {
                continue;
            }
            let n: u64 = a.fails.values().map(|b| b.n).sum();
            if n == 0 {
                continue;
            }
            let first = a.fails.values().map(|b| b.first).min().unwrap_or_default();
            let last = a.fails.values().map(|b| b.last).max().unwrap_or_default();
            out.push(Finding {
                detector: self.code(),
                severity: Severity::Low,
                account: None,
                ip: Some(*ip),
                first,
                last,
                count: n,
                summary: format!(
                    "{n} failed login{} from {}, an address on the --bad-ips list, and no success",
                    if n == 1 { "" } else { "s" },
                    ip_text(*ip)
                ),
                evidence: vec![first, last],
            });
        }
    }
}
