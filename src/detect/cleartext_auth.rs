//! `cleartext_auth`: a password sent without TLS from outside the trusted
//! networks (anyone on the path can read it).

use super::{ip_text, Context, Detector, Finding, Severity};
use crate::aggregate::Aggregate;

/// A successful password login without TLS from outside the trusted
/// networks (public key and Kerberos logins do not count; lines that do not
/// tell whether TLS was used do not count).
pub struct CleartextAuth;

impl Detector for CleartextAuth {
    fn code(&self) -> &'static str {
        "cleartext_auth"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        for (id, a) in ctx.accounts(agg) {
            let (Some((first, ip)), Some((last, _))) = (a.cleartext_first, a.cleartext_last) else {
                continue;
            };
            let n = a.cleartext;
            let mut evidence = vec![first];
            if last != first {
                evidence.push(last);
            }
            out.push(Finding {
                detector: self.code(),
                severity: Severity::Low,
                account: Some(*id),
                ip: Some(ip),
                first,
                last,
                count: n,
                summary: format!(
                    "{n} successful password login{} without TLS, the first from {}",
                    if n == 1 { "" } else { "s" },
                    ip_text(ip)
                ),
                evidence,
            });
        }
    }
}
