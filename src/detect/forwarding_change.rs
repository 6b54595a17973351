//! `forwarding_change`: mail forwarding set to an outside address, the
//! classic step after an account takeover (the attacker keeps reading the
//! mail after the password is reset).

use super::{Context, Detector, Finding, Severity};
use crate::aggregate::Aggregate;

/// Forwarding set to an address outside the account's own domains (its
/// own, its roster aliases', config `allowed_domains`); high when the
/// account has another finding in the N days before (default 7).
pub struct ForwardingChange;

fn domain(addr: &str) -> Option<String> {
    let a = addr
        .trim()
        .trim_matches(|c| c == '<' || c == '>' || c == '"');
    let (_, d) = a.rsplit_once('@')?;
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

impl Detector for ForwardingChange {
    fn code(&self) -> &'static str {
        "forwarding_change"
    }

    fn stage(&self) -> u8 {
        2
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let t = &ctx.t.forwarding_change;
        let allowed: Vec<String> = t
            .allowed_domains
            .iter()
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .collect();
        for (id, a) in ctx.accounts(agg) {
            if a.forwards.is_empty() {
                continue;
            }
            let name = String::from_utf8_lossy(&a.name);
            let mut own: Vec<String> = domain(&name).into_iter().collect();
            if let Some(e) = ctx.roster.and_then(|r| r.entries.get(id)) {
                own.extend(domain(&e.account));
                own.extend(e.aliases.iter().filter_map(|x| domain(x)));
            }
            for f in &a.forwards {
                let outside: Vec<&str> = f
                    .target
                    .split([',', ' ', ';'])
                    .filter(|x| !x.trim().is_empty())
                    .filter(|x| match domain(x) {
                        // A bare local name forwards inside the server.
                        None => false,
                        Some(d) => !own.contains(&d) && !allowed.contains(&d),
                    })
                    .collect();
                if outside.is_empty() {
                    continue;
                }
                let lookback = t.lookback_days as i64 * 86_400;
                let before = ctx
                    .prior
                    .iter()
                    .filter(|p| {
                        p.account == Some(*id)
                            && p.detector != self.code()
                            && p.first.ts <= f.at.ts
                            && p.last.ts >= f.at.ts - lookback
                    })
                    .min_by_key(|p| (p.first, p.detector));
                let mut evidence = Vec::new();
                if let Some(p) = before {
                    evidence.push(p.first);
                }
                evidence.push(f.at);
                out.push(Finding {
                    detector: self.code(),
                    severity: if before.is_some() {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    account: Some(*id),
                    ip: None,
                    first: f.at,
                    last: f.at,
                    count: 1,
                    summary: match before {
                        Some(p) => format!(
                            "mail forwarding set to {}, {} days after a {} finding",
                            outside.join(", "),
                            (f.at.ts - p.first.ts).max(0) / 86_400,
                            p.detector
                        ),
                        None => format!(
                            "mail forwarding set to {}, outside the account's domains",
                            outside.join(", ")
                        ),
                    },
                    evidence,
                });
            }
        }
    }
}
