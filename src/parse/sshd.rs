//! OpenSSH `sshd` / `sshd-session` (OpenSSH 7 to 10).
//!
//! The lines that count are written by `auth_log()` in openssh-portable
//! `auth.c`: `"%s %s%s%s for %s%.100s from %.200s port %d ssh2%s%s"`, that
//! is `Accepted|Failed|Partial|Postponed`, the method, `/submethod`,
//! `invalid user ` when the account does not exist, the user, the address,
//! the port and an optional `: <key type> <fingerprint>`. Around them:
//! `Invalid user X from A port N` (`auth.c`), `maximum authentication
//! attempts exceeded for ...` (`auth.c`), `PAM: <pam_strerror> for
//! [illegal user ]X from HOST` (`auth-pam.c`), `User X from HOST not allowed
//! because ...` (`auth.c`) and `Access denied for user X by PAM account
//! configuration` (`auth2.c`, logged *after* an `Accepted` line).
//!
//! The user name is attacker text (`Failed password for invalid user admin
//! from 10.0.0.1 from 203.0.113.9 port 22 ssh2`): the address is found by
//! anchoring on the last ` from ADDR port N ssh2` of the line, where ADDR is
//! one token and what follows is the fixed tail the server writes.

use super::util::{contains_ci, find, rfind};
use super::{Header, Verdict};
use crate::event::{parse_ip, Kind, Outcome, Parsed, Reason, Service, Source};

/// Read one sshd message.
pub fn parse<'a>(h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    if msg.starts_with(b"pam_") {
        // `message repeated N times: [ pam_unix(sshd:auth): ...]` reaches
        // this family (the dispatch sees the wrapper, not `pam_`).
        return super::pam::parse(h, msg, out);
    }
    let msg = strip_preauth(msg);
    if let Some(rest) = msg.strip_prefix(b"Accepted ") {
        return auth_log(rest, Outcome::Success, out);
    }
    if let Some(rest) = msg.strip_prefix(b"Failed ") {
        return auth_log(rest, Outcome::Failure, out);
    }
    if let Some(rest) = msg.strip_prefix(b"Invalid user ") {
        return invalid_user(rest, out);
    }
    // log.c prefixes `error: ` / `fatal: ` to those levels.
    let body = strip_level(msg);
    if let Some(rest) = body.strip_prefix(b"maximum authentication attempts exceeded for ") {
        return max_tries(rest, out);
    }
    if let Some(rest) = body.strip_prefix(b"PAM: ") {
        return pam_error(rest, msg, out);
    }
    if let Some(rest) = body.strip_prefix(b"Access denied for user ") {
        if let Some(user) = rest.strip_suffix(b" by PAM account configuration") {
            let mut ev = failure(Reason::Disabled);
            ev.user = non_empty(user);
            ev.detail = true;
            out.push(ev);
            return Verdict::Events;
        }
    }
    if let Some(rest) = body.strip_prefix(b"User ") {
        if let Some(v) = not_allowed(rest, out) {
            return v;
        }
    }
    if is_noise(body) {
        return Verdict::Ignored;
    }
    unrecognized_if_auth(msg)
}

/// Connection noise and lines whose attempt is counted elsewhere.
fn is_noise(body: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        // `Connection closed by [authenticating user X|invalid user X] A port N`:
        // the Failed lines count the attempts.
        b"Connection closed by ",
        b"Connection reset by ",
        b"Disconnected from ",
        b"Disconnecting ",
        b"Received disconnect from ",
        b"Timeout before authentication",
        b"Postponed ",
        b"Partial ",
        // `PAM 2 more authentication failures; ...` (libpam's own prefix at
        // pam_end) and `PAM service(sshd) ignoring max retries; 6 > 3`.
        b"PAM service(",
        b"input_userauth_request: invalid user ",
        b"Authentication refused",
        b"ROOT LOGIN REFUSED",
        b"administratively prohibited connection",
        b"Connection from ",
        b"Starting session: ",
        b"Close session: ",
    ];
    if let Some(rest) = body.strip_prefix(b"PAM ") {
        if rest.first().is_some_and(u8::is_ascii_digit) {
            return true;
        }
    }
    PREFIXES.iter().any(|p| body.starts_with(p))
}

/// `Unrecognized` when the message has authentication wording.
fn unrecognized_if_auth(msg: &[u8]) -> Verdict {
    const WORDS: &[&[u8]] = &[b"authenticat", b"password", b"login", b"invalid user"];
    if msg.starts_with(b"Accepted")
        || msg.starts_with(b"Failed")
        || WORDS.iter().any(|w| contains_ci(msg, w))
    {
        Verdict::Unrecognized
    } else {
        Verdict::Ignored
    }
}

fn strip_preauth(msg: &[u8]) -> &[u8] {
    let m = msg.strip_suffix(b"[preauth]").unwrap_or(msg);
    m.strip_suffix(b" ").unwrap_or(m)
}

fn strip_level(msg: &[u8]) -> &[u8] {
    msg.strip_prefix(b"error: ")
        .or_else(|| msg.strip_prefix(b"fatal: "))
        .unwrap_or(msg)
}

fn non_empty(b: &[u8]) -> Option<&[u8]> {
    (!b.is_empty()).then_some(b)
}

fn failure<'a>(reason: Reason) -> Parsed<'a> {
    let mut ev = Parsed::login(Outcome::Failure, Source::Sshd, Service::Ssh);
    ev.reason = Some(reason);
    ev
}

/// `Accepted|Failed METHOD for [invalid user ]USER from ADDR port N ssh2[: extra]`
/// (the `Accepted `/`Failed ` already cut off).
fn auth_log<'a>(rest: &'a [u8], outcome: Outcome, out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(sp) = memchr::memchr(b' ', rest) else {
        return Verdict::Unrecognized;
    };
    let method = &rest[..sp];
    let Some(tail) = rest[sp..].strip_prefix(b" for ") else {
        // Debug `Accepted key RSA SHA256:... found at ...`,
        // `Accepted certificate ID ...`, errors `Failed to ...`.
        return match method {
            b"key" | b"certificate" | b"to" => Verdict::Ignored,
            _ => Verdict::Unrecognized,
        };
    };
    if outcome == Outcome::Failure && method == b"none" {
        // The client's probe for the allowed methods, not a guess.
        return Verdict::Ignored;
    }
    let Some(at) = from_port(tail, ssh2_tail) else {
        return Verdict::Unrecognized;
    };
    let (user, invalid) = match at.user.strip_prefix(b"invalid user ") {
        Some(u) => (u, true),
        None => (at.user, false),
    };
    let mut ev = Parsed::login(outcome, Source::Sshd, Service::Ssh);
    ev.user = non_empty(user);
    ev.ip = parse_ip(at.addr);
    ev.method = Some(method);
    if outcome == Outcome::Failure {
        ev.reason = Some(if invalid {
            Reason::UnknownUser
        } else if method == b"password" || method.starts_with(b"keyboard-interactive") {
            Reason::BadPassword
        } else {
            // A key (or host) offered and refused is not a password guess.
            Reason::Other
        });
    }
    out.push(ev);
    Verdict::Events
}

/// `Invalid user USER from ADDR port N` (older: without the port). The
/// `Failed ... for invalid user` line counts the attempt.
fn invalid_user<'a>(rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let (user, addr) = match from_port(rest, <[u8]>::is_empty) {
        Some(at) => (at.user, at.addr),
        None => match from_last_token(rest) {
            Some(p) => p,
            None => return Verdict::Unrecognized,
        },
    };
    let mut ev = failure(Reason::UnknownUser);
    ev.user = non_empty(user);
    ev.ip = parse_ip(addr);
    ev.detail = true;
    out.push(ev);
    Verdict::Events
}

/// `maximum authentication attempts exceeded for [invalid user ]USER from
/// ADDR port N ssh2`: the attempts were counted on the `Failed` lines.
fn max_tries<'a>(rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(at) = from_port(rest, ssh2_tail) else {
        return Verdict::Unrecognized;
    };
    let user = at.user.strip_prefix(b"invalid user ").unwrap_or(at.user);
    let mut ev = failure(Reason::Locked);
    ev.kind = Kind::Lockout;
    ev.user = non_empty(user);
    ev.ip = parse_ip(at.addr);
    ev.detail = true;
    out.push(ev);
    Verdict::Events
}

/// `PAM: <pam_strerror> for [illegal user ]USER from HOST` (`auth-pam.c`):
/// sshd's own `Failed` line counts the attempt. HOST is the canonical host
/// name or the address.
fn pam_error<'a>(rest: &'a [u8], msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    const MESSAGES: &[(&[u8], Kind, Reason)] = &[
        (
            b"Authentication failure for ",
            Kind::Login,
            Reason::BadPassword,
        ),
        (
            b"User not known to the underlying authentication module for ",
            Kind::Login,
            Reason::UnknownUser,
        ),
        (
            b"User account has expired for ",
            Kind::Login,
            Reason::Expired,
        ),
        (
            b"Have exhausted maximum number of retries for service for ",
            Kind::Lockout,
            Reason::Locked,
        ),
    ];
    let Some((who, kind, mut reason)) = MESSAGES
        .iter()
        .find_map(|(p, k, r)| rest.strip_prefix(*p).map(|w| (w, *k, *r)))
    else {
        return unrecognized_if_auth(msg);
    };
    let who = match who.strip_prefix(b"illegal user ") {
        Some(w) => {
            if kind == Kind::Login {
                reason = Reason::UnknownUser;
            }
            w
        }
        None => who,
    };
    let Some((user, host)) = from_last_token(who) else {
        return Verdict::Unrecognized;
    };
    let mut ev = failure(reason);
    ev.kind = kind;
    ev.user = non_empty(user);
    ev.ip = parse_ip(host);
    ev.detail = true;
    out.push(ev);
    Verdict::Events
}

/// `User USER [from HOST ]not allowed because REASON` (`auth.c`
/// `allowed_user()`): the following `Failed` line says `invalid user` and
/// counts the attempt; this one tells why.
fn not_allowed<'a>(rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Option<Verdict> {
    let i = find(rest, b" not allowed because ")?;
    let who = &rest[..i];
    let why = &rest[i + b" not allowed because ".len()..];
    let (user, host) = match rfind(who, b" from ") {
        Some(f) if !who[f + 6..].contains(&b' ') => (&who[..f], Some(&who[f + 6..])),
        _ => (who, None),
    };
    let mut ev = failure(if why.starts_with(b"account is locked") {
        Reason::Locked
    } else {
        Reason::Disabled
    });
    ev.user = non_empty(user);
    ev.ip = host.and_then(parse_ip);
    ev.detail = true;
    out.push(ev);
    Some(Verdict::Events)
}

/// Where `USER from ADDR port N` was found.
struct At<'a> {
    user: &'a [u8],
    addr: &'a [u8],
}

/// `USER from ADDR port N TAIL`, anchored on the last ` from ` that is
/// followed by one ADDR token, ` port `, digits and a TAIL that `tail_ok`
/// accepts: ` from ` inside the user name is skipped.
fn from_port<'a>(s: &'a [u8], tail_ok: fn(&[u8]) -> bool) -> Option<At<'a>> {
    let mut end = s.len();
    while let Some(c) = rfind(&s[..end], b" from ") {
        if let Some(at) = try_from_port(s, c, tail_ok) {
            return Some(at);
        }
        // Next candidate must start before `c` (overlaps allowed).
        end = c + b" from ".len() - 1;
    }
    None
}

fn try_from_port<'a>(s: &'a [u8], c: usize, tail_ok: fn(&[u8]) -> bool) -> Option<At<'a>> {
    let after = &s[c + b" from ".len()..];
    let sp = memchr::memchr(b' ', after)?;
    let addr = &after[..sp];
    let rest = after[sp..].strip_prefix(b" port ")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || !tail_ok(&rest[digits..]) {
        return None;
    }
    Some(At {
        user: &s[..c],
        addr,
    })
}

/// The tail of an `auth_log()` line after the port: ` ssh2` and an
/// optional `: <key type> <fingerprint>` / method info.
fn ssh2_tail(t: &[u8]) -> bool {
    match t.strip_prefix(b" ssh2") {
        Some(r) => r.is_empty() || r.starts_with(b": "),
        None => false,
    }
}

/// `USER from HOST` where HOST is the last token: split on the last ` from `.
fn from_last_token(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let c = rfind(s, b" from ")?;
    let host = &s[c + b" from ".len()..];
    if host.contains(&b' ') {
        return None;
    }
    Some((&s[..c], host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::header::RawStamp;
    use crate::parse::parse_line;
    use std::net::IpAddr;

    fn header(msg: &'static [u8]) -> Header<'static> {
        Header {
            stamp: RawStamp::Bsd(b"Nov 26 08:51:18"),
            host: b"bastion",
            program: b"sshd",
            pid: b"4711",
            msg,
        }
    }

    fn run(msg: &'static [u8]) -> (Verdict, Vec<Parsed<'static>>) {
        let h = header(msg);
        let mut out = Vec::new();
        let v = parse(&h, msg, &mut out);
        assert_eq!(v == Verdict::Events, !out.is_empty(), "{v:?} {out:?}");
        (v, out)
    }

    fn one(msg: &'static [u8]) -> Parsed<'static> {
        let (v, out) = run(msg);
        assert_eq!(v, Verdict::Events, "{}", String::from_utf8_lossy(msg));
        assert_eq!(out.len(), 1);
        out.into_iter().next().unwrap()
    }

    fn verdict(msg: &'static [u8]) -> Verdict {
        run(msg).0
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn accepted_password() {
        let ev = one(b"Accepted password for alice from 192.0.2.10 port 51234 ssh2");
        assert_eq!(ev.kind, Kind::Login);
        assert_eq!(ev.outcome, Outcome::Success);
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert_eq!(ev.ip, ip("192.0.2.10"));
        assert_eq!(ev.service, Service::Ssh);
        assert_eq!(ev.source, Source::Sshd);
        assert_eq!(ev.method, Some(&b"password"[..]));
        assert_eq!(ev.tls, None);
        assert_eq!(ev.reason, None);
        assert_eq!(ev.count, 1);
        assert!(!ev.detail);
    }

    #[test]
    fn accepted_publickey_with_fingerprint() {
        let ev = one(b"Accepted publickey for deploy from 198.51.100.23 port 40022 ssh2: ED25519 SHA256:Xq3w0pD5dXh2c0uMxH8mQmS5x1+Wk4Yp1o2QeVt0b7I");
        assert_eq!(ev.outcome, Outcome::Success);
        assert_eq!(ev.user, Some(&b"deploy"[..]));
        assert_eq!(ev.ip, ip("198.51.100.23"));
        assert_eq!(ev.method, Some(&b"publickey"[..]));
        let ev = one(b"Accepted publickey for deploy from 198.51.100.23 port 40022 ssh2: RSA-CERT SHA256:abc ID deploy@ci (serial 7) CA ED25519 SHA256:def");
        assert_eq!(ev.user, Some(&b"deploy"[..]));
        assert_eq!(ev.ip, ip("198.51.100.23"));
    }

    #[test]
    fn accepted_other_methods() {
        for (line, method) in [
            (
                &b"Accepted keyboard-interactive/pam for bob from 203.0.113.4 port 2222 ssh2"[..],
                &b"keyboard-interactive/pam"[..],
            ),
            (
                b"Accepted gssapi-with-mic for carol from 203.0.113.5 port 2223 ssh2",
                b"gssapi-with-mic",
            ),
            (
                b"Accepted hostbased for dave from 203.0.113.6 port 2224 ssh2: ED25519 SHA256:zz",
                b"hostbased",
            ),
        ] {
            let h = header(b"");
            let mut out = Vec::new();
            assert_eq!(parse(&h, line, &mut out), Verdict::Events);
            assert_eq!(out[0].method, Some(method));
            assert_eq!(out[0].outcome, Outcome::Success);
        }
    }

    #[test]
    fn failed_password_is_bad_password() {
        let ev = one(b"Failed password for alice from 192.0.2.10 port 51234 ssh2");
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert_eq!(ev.ip, ip("192.0.2.10"));
        assert_eq!(ev.method, Some(&b"password"[..]));
        assert!(!ev.detail);
        let ev = one(b"Failed keyboard-interactive/pam for alice from 192.0.2.10 port 51234 ssh2");
        assert_eq!(ev.reason, Some(Reason::BadPassword));
    }

    #[test]
    fn failed_invalid_user_is_unknown_user() {
        let ev = one(b"Failed password for invalid user admin from 192.0.2.66 port 4242 ssh2");
        assert_eq!(ev.reason, Some(Reason::UnknownUser));
        assert_eq!(ev.user, Some(&b"admin"[..]));
        assert_eq!(ev.ip, ip("192.0.2.66"));
        assert!(!ev.detail);
        let ev = one(b"Failed keyboard-interactive/pam for invalid user oracle from 192.0.2.67 port 4243 ssh2");
        assert_eq!(ev.reason, Some(Reason::UnknownUser));
        assert_eq!(ev.user, Some(&b"oracle"[..]));
    }

    #[test]
    fn failed_publickey_is_other() {
        let ev = one(
            b"Failed publickey for alice from 192.0.2.10 port 51234 ssh2: RSA SHA256:q1w2e3r4t5y6",
        );
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::Other));
        assert_eq!(ev.method, Some(&b"publickey"[..]));
        assert_eq!(ev.ip, ip("192.0.2.10"));
    }

    #[test]
    fn failed_none_is_ignored() {
        assert_eq!(
            verdict(b"Failed none for invalid user guest from 192.0.2.70 port 5000 ssh2"),
            Verdict::Ignored
        );
        assert_eq!(
            verdict(b"Failed none for alice from 192.0.2.70 port 5000 ssh2"),
            Verdict::Ignored
        );
    }

    #[test]
    fn invalid_user_is_detail() {
        let ev = one(b"Invalid user admin from 192.0.2.66 port 4242");
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::UnknownUser));
        assert_eq!(ev.user, Some(&b"admin"[..]));
        assert_eq!(ev.ip, ip("192.0.2.66"));
        assert!(ev.detail);
        // Before OpenSSH 7.5 the port was not logged.
        let ev = one(b"Invalid user test from 203.0.113.50");
        assert_eq!(ev.user, Some(&b"test"[..]));
        assert_eq!(ev.ip, ip("203.0.113.50"));
        // Empty user name.
        let ev = one(b"Invalid user  from 203.0.113.50 port 1");
        assert_eq!(ev.user, None);
        assert_eq!(ev.ip, ip("203.0.113.50"));
    }

    #[test]
    fn max_tries_is_lockout_detail() {
        let ev = one(b"error: maximum authentication attempts exceeded for alice from 192.0.2.66 port 4242 ssh2 [preauth]");
        assert_eq!(ev.kind, Kind::Lockout);
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::Locked));
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert_eq!(ev.ip, ip("192.0.2.66"));
        assert!(ev.detail);
        let ev = one(b"error: maximum authentication attempts exceeded for invalid user root from 2001:db8::7 port 4242 ssh2 [preauth]");
        assert_eq!(ev.kind, Kind::Lockout);
        assert_eq!(ev.user, Some(&b"root"[..]));
        assert_eq!(ev.ip, ip("2001:db8::7"));
    }

    #[test]
    fn pam_error_is_detail() {
        let ev = one(b"error: PAM: Authentication failure for alice from 192.0.2.5");
        assert_eq!(ev.kind, Kind::Login);
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert_eq!(ev.ip, ip("192.0.2.5"));
        assert!(ev.detail);
        let ev =
            one(b"error: PAM: Authentication failure for illegal user x y from gw.example.net");
        assert_eq!(ev.reason, Some(Reason::UnknownUser));
        assert_eq!(ev.user, Some(&b"x y"[..]));
        assert_eq!(ev.ip, None);
        let ev = one(b"PAM: User not known to the underlying authentication module for illegal user ghost from 198.51.100.9");
        assert_eq!(ev.reason, Some(Reason::UnknownUser));
        assert_eq!(ev.user, Some(&b"ghost"[..]));
        let ev = one(b"error: PAM: User account has expired for olduser from 198.51.100.9");
        assert_eq!(ev.reason, Some(Reason::Expired));
        let ev = one(b"error: PAM: Have exhausted maximum number of retries for service for alice from 198.51.100.9");
        assert_eq!(ev.kind, Kind::Lockout);
        assert!(ev.detail);
        assert_eq!(
            verdict(b"error: PAM: pam_open_session(): Cannot make/remove an entry"),
            Verdict::Ignored
        );
    }

    #[test]
    fn access_denied_and_not_allowed_are_detail() {
        let ev = one(b"fatal: Access denied for user alice by PAM account configuration [preauth]");
        assert_eq!(ev.reason, Some(Reason::Disabled));
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert!(ev.detail);
        let ev = one(b"User bob not allowed because account is locked");
        assert_eq!(ev.reason, Some(Reason::Locked));
        assert_eq!(ev.user, Some(&b"bob"[..]));
        assert_eq!(ev.ip, None);
        assert!(ev.detail);
        let ev = one(b"User carol from 203.0.113.77 not allowed because not listed in AllowUsers");
        assert_eq!(ev.reason, Some(Reason::Disabled));
        assert_eq!(ev.user, Some(&b"carol"[..]));
        assert_eq!(ev.ip, ip("203.0.113.77"));
        let ev = one(b"User www from 203.0.113.78 not allowed because shell /usr/sbin/nologin does not exist");
        assert_eq!(ev.reason, Some(Reason::Disabled));
    }

    #[test]
    fn injected_from_in_user_name() {
        let ev = one(
            b"Failed password for invalid user admin from 10.0.0.1 from 203.0.113.9 port 22 ssh2",
        );
        assert_eq!(ev.user, Some(&b"admin from 10.0.0.1"[..]));
        assert_eq!(ev.ip, ip("203.0.113.9"));
        assert_eq!(ev.reason, Some(Reason::UnknownUser));
        // A whole fake tail inside the name.
        let ev = one(b"Failed password for invalid user x from 10.9.9.9 port 1 ssh2 from 203.0.113.10 port 2200 ssh2");
        assert_eq!(ev.user, Some(&b"x from 10.9.9.9 port 1 ssh2"[..]));
        assert_eq!(ev.ip, ip("203.0.113.10"));
        let ev = one(b"Invalid user a from 10.1.1.1 port 9 from 203.0.113.11 port 2201");
        assert_eq!(ev.user, Some(&b"a from 10.1.1.1 port 9"[..]));
        assert_eq!(ev.ip, ip("203.0.113.11"));
        let ev = one(b"Accepted password for bob from 198.51.100.1 port 1 ssh2");
        assert_eq!(ev.ip, ip("198.51.100.1"));
        // "from from": overlapping candidates.
        let ev = one(b"Failed password for invalid user from from 203.0.113.12 port 1 ssh2");
        assert_eq!(ev.user, Some(&b"from"[..]));
        assert_eq!(ev.ip, ip("203.0.113.12"));
        // User names with spaces and the vis(3) escapes sshd writes.
        let ev = one(b"Failed password for invalid user john smith from 203.0.113.13 port 1 ssh2");
        assert_eq!(ev.user, Some(&b"john smith"[..]));
        let ev = one(b"Failed password for invalid user a\\033b from 203.0.113.14 port 1 ssh2");
        assert_eq!(ev.user, Some(&b"a\\033b"[..]));
    }

    #[test]
    fn ipv6_and_mapped() {
        let ev = one(b"Failed password for root from 2001:db8::1:2 port 33000 ssh2");
        assert_eq!(ev.ip, ip("2001:db8::1:2"));
        let ev = one(b"Accepted password for alice from ::ffff:192.0.2.33 port 33000 ssh2");
        assert_eq!(ev.ip, ip("192.0.2.33"));
        let ev = one(b"Invalid user pi from ::ffff:198.51.100.200 port 1");
        assert_eq!(ev.ip, ip("198.51.100.200"));
    }

    #[test]
    fn noise_is_ignored() {
        for line in [
            &b"Connection closed by 192.0.2.66 port 4242 [preauth]"[..],
            b"Connection closed by authenticating user alice 192.0.2.66 port 4242 [preauth]",
            b"Connection closed by invalid user admin 192.0.2.66 port 4242 [preauth]",
            b"Disconnected from authenticating user alice 192.0.2.66 port 4242 [preauth]",
            b"Disconnected from invalid user admin 192.0.2.66 port 4242 [preauth]",
            b"Disconnected from user alice 192.0.2.10 port 51234",
            b"Received disconnect from 192.0.2.66 port 4242:11: Bye Bye [preauth]",
            b"error: Received disconnect from 192.0.2.66 port 4242:14: No supported authentication methods available [preauth]",
            b"Disconnecting authenticating user root 192.0.2.66 port 4242: Too many authentication failures [preauth]",
            b"Timeout before authentication for 192.0.2.66 port 4242",
            b"fatal: Timeout before authentication for 192.0.2.66 port 4242",
            b"Connection reset by 192.0.2.66 port 4242 [preauth]",
            b"PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.66  user=root",
            b"PAM service(sshd) ignoring max retries; 6 > 3",
            b"Postponed keyboard-interactive for alice from 192.0.2.10 port 51234 ssh2 [preauth]",
            b"Partial publickey for alice from 192.0.2.10 port 51234 ssh2: ED25519 SHA256:x",
            b"input_userauth_request: invalid user admin [preauth]",
            b"Server listening on 0.0.0.0 port 22.",
            b"Connection from 192.0.2.10 port 51234 on 198.51.100.1 port 22 rdomain \"\"",
            b"Starting session: shell on pts/0 for alice from 192.0.2.10 port 51234 id 0",
            b"Did not receive identification string from 192.0.2.99 port 40000",
            b"Unable to negotiate with 192.0.2.99 port 40000: no matching key exchange method found.",
            b"error: kex_exchange_identification: Connection closed by remote host",
            b"Accepted key ED25519 SHA256:abc found at /home/alice/.ssh/authorized_keys:1",
            b"error: Failed to allocate internet-domain X11 display socket.",
            b"Received signal 15; terminating.",
        ] {
            assert_eq!(
                verdict(line),
                Verdict::Ignored,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn auth_looking_lines_are_unrecognized() {
        for line in [
            &b"Failed password for alice from 192.0.2.10 port 51234"[..],
            b"Accepted password for alice from 192.0.2.10",
            b"Accepted something odd",
            b"Password authentication rejected for alice",
            b"error: maximum authentication attempts exceeded for alice",
            b"error: PAM: Authentication failure for alice",
            b"Invalid user",
        ] {
            assert_eq!(
                verdict(line),
                Verdict::Unrecognized,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn full_syslog_lines() {
        let mut out = Vec::new();
        let r = parse_line(
            b"Nov  3 07:01:02 bastion sshd[2211]: Failed password for invalid user admin from 203.0.113.9 port 50022 ssh2",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(r.source, Some(Source::Sshd));
        assert_eq!(out[0].user, Some(&b"admin"[..]));
        assert_eq!(out[0].ip, ip("203.0.113.9"));

        out.clear();
        let r = parse_line(
            b"2025-11-26T08:51:18.123456+01:00 bastion sshd-session[9912]: Accepted publickey for alice from 2001:db8::10 port 51234 ssh2: ED25519 SHA256:AbC",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].outcome, Outcome::Success);
        assert_eq!(out[0].ip, ip("2001:db8::10"));

        out.clear();
        let r = parse_line(
            b"Dec  2 22:24:22 bastion sshd[7676]: message repeated 3 times: [ Failed password for root from 198.51.100.77 port 41000 ssh2]",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].count, 3);
        assert_eq!(out[0].user, Some(&b"root"[..]));
        assert_eq!(out[0].reason, Some(Reason::BadPassword));

        out.clear();
        let r = parse_line(
            b"Dec  2 22:24:23 bastion sshd[7676]: Connection closed by 198.51.100.77 port 41000 [preauth]",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Ignored);
        assert!(out.is_empty());

        out.clear();
        let r = parse_line(
            b"<38>1 2025-11-26T08:51:18Z bastion sshd 77 - - Invalid user test from 192.0.2.200 port 60000",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert!(out[0].detail);
    }

    const REAL: &[&[u8]] = &[
        b"Failed password for invalid user admin from 10.0.0.1 from 203.0.113.9 port 22 ssh2",
        b"Accepted publickey for alice from 192.0.2.10 port 51234 ssh2: ED25519 SHA256:x",
        b"error: maximum authentication attempts exceeded for invalid user x from 2001:db8::1 port 2 ssh2 [preauth]",
        b"error: PAM: Authentication failure for illegal user a from b",
        b"User u from 192.0.2.1 not allowed because account is locked",
        b"Invalid user admin from 192.0.2.66 port 4242",
        b"fatal: Access denied for user alice by PAM account configuration [preauth]",
    ];

    #[test]
    fn prefixes_and_junk_never_panic() {
        let h = header(b"");
        let mut out = Vec::new();
        for line in REAL {
            for i in 0..=line.len() {
                out.clear();
                let _ = parse(&h, &line[..i], &mut out);
                out.clear();
                let _ = parse(&h, &line[i..], &mut out);
            }
        }
        let full: &[u8] = b"Nov  3 07:01:02 bastion sshd[2211]: message repeated 2 times: [ Failed password for invalid user a from b from 203.0.113.9 port 50022 ssh2]";
        for i in 0..=full.len() {
            out.clear();
            let _ = parse_line(&full[..i], &mut out);
        }
        let junk: Vec<u8> = (0..=255u8).cycle().take(2048).collect();
        for w in junk.chunks(37) {
            out.clear();
            let _ = parse(&h, w, &mut out);
        }
        for odd in [
            &b""[..],
            b" ",
            b" from ",
            b"Failed ",
            b"Failed  for ",
            b"Failed x for  from  port  ssh2",
            b"Invalid user ",
            b"User ",
            b"PAM: ",
            b"[preauth]",
            b"\xff\xfe from \xff port 1 ssh2",
        ] {
            out.clear();
            let _ = parse(&h, odd, &mut out);
        }
    }
}
