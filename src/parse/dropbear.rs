//! Dropbear SSH (`src/svr-authpasswd.c`, `svr-authpubkey.c`,
//! `svr-authpam.c`, `svr-auth.c`, `svr-session.c`).
//!
//! - `Password auth succeeded for '%s' from %s` (and `, extra auth
//!   required` with several methods required: not yet a login);
//! - `PAM password auth succeeded for '%s' from %s`;
//! - `Pubkey auth succeeded for '%s' with %s key %s from %s` (2022+; older
//!   `with key %s from %s`);
//! - `Bad password attempt for '%s' from %s`, `Bad PAM password attempt for
//!   '%s' from %s`;
//! - `Login attempt for nonexistent user from %s` (no name);
//! - `User account '%s' is locked`, `Exit before auth from <%s>: (user
//!   '%s', %u fails): Max auth tries reached - user '%s'`.
//!
//! The address is `ip:port`, IPv6 in brackets (`[2001:db8::1]:22`) since
//! 2020, bare before. Names before 2011 were lower case (`password auth
//! succeeded`).

use super::util::{find, non_empty, rfind};
use super::{Header, Verdict};
use crate::event::{parse_ip, Kind, Outcome, Parsed, Reason, Service, Source};
use std::net::IpAddr;

/// Read one Dropbear message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let (first, rest) = match msg.split_first() {
        Some(x) => x,
        None => return Verdict::Ignored,
    };
    // Wordings before 2011 began in lower case.
    let lead = first.to_ascii_uppercase();
    let starts = |p: &[u8]| lead == p[0] && rest.starts_with(&p[1..]);
    if starts(b"Password auth succeeded for '") || starts(b"PAM password auth succeeded for '") {
        if msg.ends_with(b", extra auth required") {
            return Verdict::Ignored;
        }
        return quoted_from(msg, Outcome::Success, None, b"password", out);
    }
    if starts(b"Pubkey auth succeeded for '") {
        if msg.ends_with(b", extra auth required") {
            return Verdict::Ignored;
        }
        return quoted_from(msg, Outcome::Success, None, b"publickey", out);
    }
    if starts(b"Bad password attempt for '") || starts(b"Bad PAM password attempt for '") {
        return quoted_from(
            msg,
            Outcome::Failure,
            Some(Reason::BadPassword),
            b"password",
            out,
        );
    }
    if starts(b"Login attempt for nonexistent user") {
        let mut p = Parsed::login(Outcome::Failure, Source::Dropbear, Service::Ssh);
        p.reason = Some(Reason::UnknownUser);
        p.ip = rfind(msg, b" from ").and_then(|f| addr(&msg[f + 6..]));
        out.push(p);
        return Verdict::Events;
    }
    if starts(b"Exit before auth from <") {
        if let Some(i) = find(msg, b"): Max auth tries reached") {
            // The attempts were counted on their own lines.
            let mut p = Parsed::login(Outcome::Failure, Source::Dropbear, Service::Ssh);
            p.kind = Kind::Lockout;
            p.reason = Some(Reason::Locked);
            p.detail = true;
            let from = &msg[23..];
            p.ip = memchr::memchr(b'>', from).and_then(|e| addr(&from[..e]));
            let head = &msg[..i];
            p.user = find(head, b": (user '").and_then(|u| {
                let v = &head[u + 9..];
                rfind(v, b"', ").and_then(|e| non_empty(&v[..e]))
            });
            out.push(p);
            return Verdict::Events;
        }
        return Verdict::Ignored;
    }
    if let Some(u) = msg.strip_prefix(b"User account '") {
        if let Some(user) = u.strip_suffix(b"' is locked") {
            let mut p = Parsed::login(Outcome::Failure, Source::Dropbear, Service::Ssh);
            p.reason = Some(Reason::Locked);
            p.user = non_empty(user);
            out.push(p);
            return Verdict::Events;
        }
    }
    let lower = |w: &[u8]| super::util::contains_ci(msg, w);
    if (lower(b"auth") && (lower(b"succeeded") || lower(b"attempt"))) || lower(b"password") {
        return Verdict::Unrecognized;
    }
    Verdict::Ignored
}

/// `... for 'USER' [with ...] from ADDR`: the user between the first `'`
/// and the last `' ` before the address.
fn quoted_from<'a>(
    msg: &'a [u8],
    outcome: Outcome,
    reason: Option<Reason>,
    method: &'static [u8],
    out: &mut Vec<Parsed<'a>>,
) -> Verdict {
    let Some(q) = memchr::memchr(b'\'', msg) else {
        return Verdict::Unrecognized;
    };
    let Some(f) = rfind(msg, b" from ") else {
        return Verdict::Unrecognized;
    };
    if f <= q {
        return Verdict::Unrecognized;
    }
    let inner = &msg[q + 1..f];
    let Some(e) = memchr::memrchr(b'\'', inner) else {
        return Verdict::Unrecognized;
    };
    let mut p = Parsed::login(outcome, Source::Dropbear, Service::Ssh);
    p.user = non_empty(&inner[..e]);
    p.ip = addr(&msg[f + 6..]);
    p.method = Some(method);
    p.reason = reason;
    out.push(p);
    Verdict::Events
}

/// `192.0.2.5:51234`, `[2001:db8::1]:51234`, or an old bare `2001:db8::1:51234`.
fn addr(s: &[u8]) -> Option<IpAddr> {
    let s = s.split(|&b| b == b' ' || b == b',').next().unwrap_or(s);
    if s.first() == Some(&b'[') {
        let close = memchr::memchr(b']', s)?;
        return parse_ip(&s[1..close]);
    }
    match memchr::memrchr(b':', s) {
        Some(c) => parse_ip(&s[..c]).or_else(|| parse_ip(s)),
        None => parse_ip(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // svr-authpasswd.c `Password auth succeeded for '%s' from %s` with
    // svr-session.c's `%s:%s` address.
    #[test]
    fn password_success_and_failure() {
        let p = one("Nov 26 08:51:18 router dropbear[1234]: Password auth succeeded for 'alice' from 192.0.2.5:51234");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Dropbear);
        assert_eq!(p.service, Service::Ssh);
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, ip("192.0.2.5"));
        assert_eq!(p.method, Some(&b"password"[..]));
        let p = one("Nov 26 08:51:18 router dropbear[1234]: Bad password attempt for 'root' from [2001:db8::66]:40000");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.ip, ip("2001:db8::66"));
        let p = one("Nov 26 08:51:18 router dropbear[1234]: Bad PAM password attempt for 'x' from 203.0.113.5' from 198.51.100.66:40000");
        assert_eq!(p.user, Some(&b"x' from 203.0.113.5"[..]));
        assert_eq!(p.ip, ip("198.51.100.66"));
        // Before 2011: lower case.
        let p = one("Nov 26 08:51:18 router dropbear[9]: bad password attempt for 'bob' from 198.51.100.67:22");
        assert_eq!(p.user, Some(&b"bob"[..]));
    }

    // svr-authpubkey.c, 2022+ and older.
    #[test]
    fn pubkey() {
        let p = one("Nov 26 08:51:18 router dropbear[1234]: Pubkey auth succeeded for 'carol' with ssh-ed25519 key SHA256:Zm9vYmFy from 192.0.2.6:2222");
        assert_eq!(p.user, Some(&b"carol"[..]));
        assert_eq!(p.ip, ip("192.0.2.6"));
        assert_eq!(p.method, Some(&b"publickey"[..]));
        let p = one("Nov 26 08:51:18 router dropbear[1234]: Pubkey auth succeeded for 'carol' with key md5 00:11:22 from 192.0.2.6:2222");
        assert_eq!(p.user, Some(&b"carol"[..]));
        assert_eq!(
            verdict("Nov 26 08:51:18 router dropbear[1234]: Password auth succeeded for 'carol' from 192.0.2.6:2222, extra auth required"),
            Verdict::Ignored
        );
    }

    // svr-auth.c `Login attempt for nonexistent user from %s`, svr-session.c
    // `Exit before auth%s: (user '%s', %u fails): %s`.
    #[test]
    fn unknown_user_and_lockout() {
        let p = one("Nov 26 08:51:18 router dropbear[1234]: Login attempt for nonexistent user from 203.0.113.9:4000");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, None);
        assert_eq!(p.ip, ip("203.0.113.9"));
        let p = one("Nov 26 08:51:18 router dropbear[1234]: Exit before auth from <203.0.113.9:4000>: (user 'dave', 10 fails): Max auth tries reached - user 'dave'");
        assert_eq!(p.kind, Kind::Lockout);
        assert!(p.detail);
        assert_eq!(p.user, Some(&b"dave"[..]));
        assert_eq!(p.ip, ip("203.0.113.9"));
        assert_eq!(
            verdict("Nov 26 08:51:18 router dropbear[1234]: Exit before auth from <203.0.113.9:4000>: Exited normally"),
            Verdict::Ignored
        );
        let p = one("Nov 26 08:51:18 router dropbear[1234]: User account 'erin' is locked");
        assert_eq!(p.reason, Some(Reason::Locked));
    }

    #[test]
    fn other_lines() {
        assert_eq!(
            verdict("Nov 26 08:51:18 router dropbear[1234]: Child connection from 192.0.2.5:51234"),
            Verdict::Ignored
        );
        assert_eq!(
            verdict(
                "Nov 26 08:51:18 router dropbear[1234]: Password authentication accepted for 'x'"
            ),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"dropbear"],
            &[
                "Pubkey auth succeeded for 'carol' with ssh-ed25519 key SHA256:Zm9vYmFy from [2001:db8::1]:2222",
                "Exit before auth from <203.0.113.9:4000>: (user 'dave', 10 fails): Max auth tries reached - user 'dave'",
            ],
            b"'[]<>():, from for user Password auth succeeded Bad attempt0123456789.",
        );
    }
}
