//! Sendmail SMTP AUTH (`sendmail/srvrsmtp.c`).
//!
//! - Success, at `LogLevel` 9 and up (the default is 9):
//!   `"AUTH=server, relay=%s, authid=%.128s, mech=%.16s, bits=%d"`, with
//!   `CurSmtpClient` as the relay (`host [ip]`, `[ip]`, `host [ip] (may be
//!   forged)`, `[IPv6:2001:db8::1]`).
//! - Failure (`LOGAUTHFAIL`; `LogLevel` 9 and up in 8.15+, above 9 before):
//!   `"AUTH failure (%s): %s (%d) %s%s%.*s, relay=%.100s"`: the mechanism,
//!   Cyrus SASL's `sasl_errstring()`, the SASL code, `sasl_errdetail()`, and
//!   in 8.15+ `, user=NAME` when the client sent one. Older releases have
//!   no `, relay=`. The SASL code gives the reason (`-13` bad password, `-20`
//!   no such user).
//!
//! Both may carry the queue id (`e->e_id`) before the text, or none.
//! `AUTH=client` is Sendmail authenticating to the next hop, not a user.

use super::util::{bracketed_ip, find, non_empty, paren_code, rfind, sasl_code_reason};
use super::{Header, Verdict};
use crate::event::{Outcome, Parsed, Service, Source};
use std::net::IpAddr;

/// Read one Sendmail message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    if memchr::memmem::find(msg, b"AUTH").is_none() {
        return Verdict::Ignored;
    }
    let body = strip_qid(msg);
    if let Some(rest) = body.strip_prefix(b"AUTH=server, relay=") {
        return success(rest, out);
    }
    if let Some(rest) = body.strip_prefix(b"AUTH failure (") {
        return failure(rest, out);
    }
    if body.starts_with(b"AUTH=client")
        || body.starts_with(b"AUTH: ")
        || body.starts_with(b"AUTH warning")
        || find(body, b"AUTH=server").is_none() && find(body, b"AUTH fail").is_none()
    {
        return Verdict::Ignored;
    }
    Verdict::Unrecognized
}

/// `QUEUEID: rest` → rest; anything else unchanged.
fn strip_qid(msg: &[u8]) -> &[u8] {
    if let Some(c) = find(&msg[..msg.len().min(24)], b": ") {
        let id = &msg[..c];
        if !id.is_empty() && id.iter().all(u8::is_ascii_alphanumeric) {
            return &msg[c + 2..];
        }
    }
    msg
}

/// The address of a relay: its last `[...]`.
fn relay_ip(relay: &[u8]) -> Option<IpAddr> {
    let open = memchr::memrchr(b'[', relay)?;
    bracketed_ip(&relay[open..])
}

/// After `AUTH=server, relay=`: `RELAY, authid=USER, mech=M, bits=N`.
fn success<'a>(rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(a) = find(rest, b", authid=") else {
        return Verdict::Unrecognized;
    };
    let relay = &rest[..a];
    let after = &rest[a + 9..];
    // The user is client text: it ends at the last `, mech=`.
    let Some(m) = rfind(after, b", mech=") else {
        return Verdict::Unrecognized;
    };
    let user = &after[..m];
    let tail = &after[m + 7..];
    let mech = &tail[..find(tail, b", ").unwrap_or(tail.len())];
    let mut p = Parsed::login(Outcome::Success, Source::Sendmail, Service::Smtp);
    p.user = non_empty(user);
    p.ip = relay_ip(relay);
    p.method = non_empty(mech);
    out.push(p);
    Verdict::Events
}

/// After `AUTH failure (`: `MECH): ERRSTRING (CODE) DETAIL[, user=U][, relay=R]`.
fn failure<'a>(rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(c) = find(rest, b"): ") else {
        return Verdict::Unrecognized;
    };
    let mech = &rest[..c];
    let text = &rest[c + 3..];
    // The SASL code: the first ` (-N)` after the error string.
    let Some(o) = find(text, b" (") else {
        return Verdict::Unrecognized;
    };
    let Some((code, detail)) = paren_code(&text[o + 2..]) else {
        return Verdict::Unrecognized;
    };
    let Some(reason) = sasl_code_reason(code) else {
        return Verdict::Ignored;
    };
    // The relay is last; the user (client text) is between `, user=` and it.
    let (detail, relay) = match rfind(detail, b", relay=") {
        Some(r) => (&detail[..r], Some(&detail[r + 8..])),
        None => (detail, None),
    };
    let user = find(detail, b", user=").map(|u| &detail[u + 7..]);
    let mut p = Parsed::login(Outcome::Failure, Source::Sendmail, Service::Smtp);
    p.user = user.and_then(non_empty);
    p.ip = relay.and_then(relay_ip);
    p.method = non_empty(mech);
    p.reason = Some(reason);
    out.push(p);
    Verdict::Events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Kind, Reason};
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // Built from srvrsmtp.c's `AUTH=server, relay=%s, authid=%.128s,
    // mech=%.16s, bits=%d` with the `CurSmtpClient` forms.
    #[test]
    fn success() {
        let p = one("Nov 26 08:51:18 mx1 sm-mta[29813]: AUTH=server, relay=client.example.net [192.0.2.10], authid=alice, mech=PLAIN, bits=0");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Sendmail);
        assert_eq!(p.service, Service::Smtp);
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        let p = one("Nov 26 08:51:18 mx1 sendmail[1]: AUTH=server, relay=[IPv6:2001:db8::10], authid=bob@example.org, mech=LOGIN, bits=0");
        assert_eq!(p.ip, ip("2001:db8::10"));
        assert_eq!(p.user, Some(&b"bob@example.org"[..]));
        let p = one("Nov 26 08:51:18 mx1 sm-mta[1]: 5AQ8pIx1000123: AUTH=server, relay=dsl.example.net [198.51.100.4] (may be forged), authid=carol, mech=CRAM-MD5, bits=0");
        assert_eq!(p.ip, ip("198.51.100.4"));
        assert_eq!(p.user, Some(&b"carol"[..]));
        // The authid is client text: it may repeat the suffix.
        let p = one("Nov 26 08:51:18 mx1 sm-mta[1]: AUTH=server, relay=[192.0.2.11], authid=x, mech=PLAIN, bits=0, mech=LOGIN, bits=0");
        assert_eq!(p.user, Some(&b"x, mech=PLAIN, bits=0"[..]));
        assert_eq!(p.ip, ip("192.0.2.11"));
    }

    // Built from srvrsmtp.c's LOGAUTHFAIL `AUTH failure (%s): %s (%d)
    // %s%s%.*s, relay=%.100s` (8.15+) and the older form without relay.
    #[test]
    fn failure() {
        let p = one("Nov 26 08:51:18 mx1 sm-mta[2]: 5AQ8pIx1000124: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=dave, relay=client.example.net [203.0.113.7]");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"dave"[..]));
        assert_eq!(p.ip, ip("203.0.113.7"));
        assert_eq!(p.method, Some(&b"LOGIN"[..]));
        let p = one("Nov 26 08:51:18 mx1 sm-mta[2]: AUTH failure (PLAIN): user not found (-20) SASL(-13): user not found: unable to find a user, relay=[198.51.100.8]");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, None);
        assert_eq!(p.ip, ip("198.51.100.8"));
        // 8.14 and older: no relay.
        let p = one("Nov 26 08:51:18 mx1 sendmail[2]: s1234: AUTH failure (CRAM-MD5): authentication failure (-13) SASL(-13): authentication failure: incorrect digest response");
        assert_eq!(p.ip, None);
        assert_eq!(p.reason, Some(Reason::BadPassword));
    }

    #[test]
    fn not_user_logins() {
        for l in [
            "Nov 26 08:51:18 mx1 sm-mta[3]: s1234: AUTH=client, relay=relay.example.net, mech=PLAIN, bits=0",
            "Nov 26 08:51:18 mx1 sm-mta[3]: AUTH: available mech=PLAIN LOGIN, allowed mech=PLAIN LOGIN",
            "Nov 26 08:51:18 mx1 sm-mta[3]: AUTH failure (PLAIN): no mechanism available (-4) SASL(-4): no mechanism available, relay=[192.0.2.1]",
            "Nov 26 08:51:18 mx1 sm-mta[3]: s1234: from=<a@example.org>, size=1, class=0, nrcpts=1, relay=[192.0.2.1]",
        ] {
            assert_eq!(verdict(l), Verdict::Ignored, "{l}");
        }
        assert_eq!(
            verdict("Nov 26 08:51:18 mx1 sm-mta[3]: AUTH=server relay=[192.0.2.1] authid=x"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"sm-mta"],
            &[
                "5AQ8pIx1000124: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=dave, relay=client.example.net [203.0.113.7]",
                "AUTH=server, relay=[IPv6:2001:db8::10], authid=bob@example.org, mech=LOGIN, bits=0",
            ],
            b"[](),:= -AUTH=server relay authid mech user0123456789",
        );
    }
}
