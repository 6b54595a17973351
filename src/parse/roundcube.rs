//! Roundcube webmail: `userlogins` and `errors` logs, file or syslog driver.
//!
//! From roundcube/roundcubemail: `rcmail::log_login()` writes
//! `Successful login for %s (ID: %d) from %s in session %s` and `Failed
//! login for %s from %s in session %s (error: %d)` (only with
//! `log_logins = true`); without it `rcube_imap::connect()` raises `Login
//! failed for %s against %s from %s. %s`, logged by `rcube::log_bug()` as
//! `IMAP Error: <message> in FILE on line N (METHOD URI)`; the password
//! plugin (`password_log = true`) writes `Password changed for user %s (ID:
//! %d) from %s`. `rcube::write_log()` prefixes `<session id> ` (first
//! `log_session_id` characters); the stdout/php drivers prefix the log name
//! (`userlogins: `). Very old releases wrote `FAILED login for %s from %s`.
//!
//! The address is `rcube_utils::remote_ip()`: `REMOTE_ADDR`, plus
//! ` (X-Real-IP: a,X-Forwarded-For: b)` when those headers came. The peer
//! is the first token; the headers are client text. The user name is what
//! was typed and can hold ` from `, `(ID: 1)` or ` in session `: the
//! address is found on the last ` from ` before ` in session ` (or the
//! `. ` that ends the IMAP message) that is followed by an address and is
//! not inside the header parenthesis.

use std::net::IpAddr;

use super::util::{contains_ci, find, rfind};
use super::{Header, Verdict};
use crate::event::{parse_ip, Kind, Outcome, Parsed, Reason, Service, Source};

/// Read one Roundcube message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let m = strip_session(strip_log_name(msg));
    if let Some(rest) = m.strip_prefix(b"Successful login for ") {
        return userlogin(rest, Outcome::Success, out);
    }
    if let Some(rest) = m.strip_prefix(b"Failed login for ") {
        return userlogin(rest, Outcome::Failure, out);
    }
    if let Some(rest) = m.strip_prefix(b"FAILED login for ") {
        let Some(f) = locate(rest, Shape::ToEnd, false) else {
            return Verdict::Unrecognized;
        };
        push(
            out,
            Kind::Login,
            Outcome::Failure,
            f,
            Some(Reason::BadPassword),
        );
        return Verdict::Events;
    }
    if let Some(rest) = m.strip_prefix(b"IMAP Error: Login failed for ") {
        return imap_error(rest, out);
    }
    if let Some(rest) = m.strip_prefix(b"Password changed for user ") {
        let Some(f) = locate(rest, Shape::ToEnd, true) else {
            return Verdict::Unrecognized;
        };
        push(out, Kind::PasswordChange, Outcome::Success, f, None);
        return Verdict::Events;
    }
    // SMTP errors come from sending mail in an open session (the SMTP
    // server refusing the session's credentials), not from a login.
    if m.starts_with(b"SMTP Error: ") {
        return Verdict::Ignored;
    }
    const WORDS: &[&[u8]] = &[b"login", b"authenticat", b"password"];
    if WORDS.iter().any(|w| contains_ci(m, w)) {
        Verdict::Unrecognized
    } else {
        Verdict::Ignored
    }
}

/// `userlogins: ` / `errors: ` / `password: ` (stdout and php drivers).
fn strip_log_name(msg: &[u8]) -> &[u8] {
    for p in [&b"userlogins: "[..], b"errors: ", b"password: "] {
        if let Some(r) = msg.strip_prefix(p) {
            return r;
        }
    }
    msg
}

/// `<1z506z6r> ` (`write_log()` with `log_session_id`).
fn strip_session(msg: &[u8]) -> &[u8] {
    if msg.first() != Some(&b'<') {
        return msg;
    }
    let lim = msg.len().min(130);
    match memchr::memchr(b'>', &msg[..lim]) {
        Some(gt) if !msg[1..gt].contains(&b' ') && msg.get(gt + 1) == Some(&b' ') => &msg[gt + 2..],
        _ => msg,
    }
}

/// What follows the address.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The address runs to the end of the text given.
    ToEnd,
    /// The address ends a sentence: `ADDR. more` (IMAP error).
    Sentence,
}

/// A user and address found in a line.
struct Found<'a> {
    user: Option<&'a [u8]>,
    ip: Option<IpAddr>,
    /// The text after the address (the IMAP error message).
    after: &'a [u8],
}

/// Split `USER[ (ID: N)] from ADDR...` on the right ` from `. With `with_id`
/// the user must be followed by ` (ID: N)`, which is cut off.
fn locate(s: &[u8], shape: Shape, with_id: bool) -> Option<Found<'_>> {
    for strict in [true, false] {
        let mut end = s.len();
        while let Some(c) = rfind(&s[..end], b" from ") {
            if let Some(f) = candidate(s, c, shape, with_id, strict) {
                return Some(f);
            }
            end = c + b" from ".len() - 1;
        }
    }
    // No address that parses (an empty REMOTE_ADDR): keep the user.
    let c = rfind(s, b" from ")?;
    let prefix = &s[..c];
    let user = if with_id { strip_id(prefix)? } else { prefix };
    Some(Found {
        user: non_empty(user),
        ip: None,
        after: b"",
    })
}

fn candidate(s: &[u8], c: usize, shape: Shape, with_id: bool, strict: bool) -> Option<Found<'_>> {
    let addr = &s[c + b" from ".len()..];
    let tok_end = memchr::memchr(b' ', addr).unwrap_or(addr.len());
    let tok = &addr[..tok_end];
    let rest = &addr[tok_end..];
    let (ip, after) = match shape {
        Shape::ToEnd => {
            if !(rest.is_empty() || (forwarded(rest) && rest.ends_with(b")"))) {
                return None;
            }
            (parse_ip(tok)?, &b""[..])
        }
        Shape::Sentence => {
            if let Some(t) = tok.strip_suffix(b".") {
                // `ADDR. message` or `ADDR.` at the end.
                (parse_ip(t)?, rest.strip_prefix(b" ").unwrap_or(rest))
            } else if rest.is_empty() {
                // Syslog copies can stop right after the address.
                (parse_ip(tok)?, &b""[..])
            } else if forwarded(rest) {
                let ip = parse_ip(tok)?;
                let after = match find(rest, b"). ") {
                    Some(i) => &rest[i + 3..],
                    None => b"",
                };
                (ip, after)
            } else {
                return None;
            }
        }
    };
    let prefix = &s[..c];
    if strict && inside_forwarded(prefix) {
        return None;
    }
    let user = if with_id { strip_id(prefix)? } else { prefix };
    Some(Found {
        user: non_empty(user),
        ip: Some(ip),
        after,
    })
}

/// ` (X-Real-IP: ...` / ` (X-Forwarded-For: ...` after the peer address.
fn forwarded(rest: &[u8]) -> bool {
    rest.starts_with(b" (X-Real-IP: ") || rest.starts_with(b" (X-Forwarded-For: ")
}

/// Whether the end of `prefix` is inside an unclosed `(X-Real-IP: ...` /
/// `(X-Forwarded-For: ...`: a ` from ` there is header text.
fn inside_forwarded(prefix: &[u8]) -> bool {
    let open = rfind(prefix, b" (X-Real-IP: ").max(rfind(prefix, b" (X-Forwarded-For: "));
    match open {
        Some(o) => !prefix[o..].contains(&b')'),
        None => false,
    }
}

/// `USER (ID: 42)` → `USER`.
fn strip_id(prefix: &[u8]) -> Option<&[u8]> {
    let p = prefix.strip_suffix(b")")?;
    let i = rfind(p, b" (ID: ")?;
    let digits = &p[i + b" (ID: ".len()..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(&p[..i])
}

fn non_empty(b: &[u8]) -> Option<&[u8]> {
    (!b.is_empty()).then_some(b)
}

fn push<'a>(
    out: &mut Vec<Parsed<'a>>,
    kind: Kind,
    outcome: Outcome,
    f: Found<'a>,
    reason: Option<Reason>,
) {
    let mut ev = Parsed::login(outcome, Source::Roundcube, Service::Webmail);
    ev.kind = kind;
    ev.user = f.user;
    ev.ip = f.ip;
    ev.reason = reason;
    out.push(ev);
}

/// `Successful login for USER (ID: N) from ADDR in session S` and
/// `Failed login for USER from ADDR in session S (error: N)`.
fn userlogin<'a>(rest: &'a [u8], outcome: Outcome, out: &mut Vec<Parsed<'a>>) -> Verdict {
    // The session id has no spaces: the last ` in session ` is the real one.
    let (region, tail) = match rfind(rest, b" in session ") {
        Some(i) => (&rest[..i], &rest[i + b" in session ".len()..]),
        None => (rest, &b""[..]),
    };
    let success = outcome == Outcome::Success;
    let Some(f) = locate(region, Shape::ToEnd, success) else {
        return Verdict::Unrecognized;
    };
    let reason = (!success).then(|| error_reason(tail));
    push(out, Kind::Login, outcome, f, reason);
    Verdict::Events
}

/// The reason of `(error: N)`: 0 (no code) and -1 (IMAP `NO`) are refused
/// credentials; 4 is Roundcube's own brute-force lock (`ERROR_RATE_LIMIT`);
/// the rest are storage errors (-2 and below), an invalid request (1: no
/// valid login form token), an invalid host (2) or cookies off (3).
fn error_reason(tail: &[u8]) -> Reason {
    let Some(i) = find(tail, b"(error: ") else {
        return Reason::BadPassword;
    };
    let v = &tail[i + b"(error: ".len()..];
    let end = memchr::memchr(b')', v).unwrap_or(v.len());
    match &v[..end] {
        b"0" | b"-1" => Reason::BadPassword,
        b"4" => Reason::Locked,
        _ => Reason::Other,
    }
}

/// `USER against HOST from ADDR. MESSAGE[ in FILE on line N (METHOD URI)]`
/// (older: without `against HOST`).
fn imap_error<'a>(rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(mut f) = locate(rest, Shape::Sentence, false) else {
        return Verdict::Unrecognized;
    };
    if let Some(u) = f.user {
        // The configured IMAP host is one token.
        if let Some(i) = rfind(u, b" against ") {
            if !u[i + b" against ".len()..].contains(&b' ') {
                f.user = non_empty(&u[..i]);
            }
        }
    }
    // Connection problems are logged with the same words.
    const NOT_CREDENTIALS: &[&[u8]] = &[
        b"Could not connect",
        b"Empty startup greeting",
        b"Unable to negotiate TLS",
        b"Login disabled",
        b"Configuration error",
        b"Empty host",
    ];
    let reason = if NOT_CREDENTIALS.iter().any(|p| f.after.starts_with(p)) {
        Reason::Other
    } else {
        Reason::BadPassword
    };
    push(out, Kind::Login, Outcome::Failure, f, Some(reason));
    Verdict::Events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::header::RawStamp;
    use crate::parse::parse_line;

    fn header() -> Header<'static> {
        Header {
            stamp: RawStamp::Roundcube(b"26-Nov-2025 08:51:18 +0100"),
            host: b"",
            program: b"roundcube",
            pid: b"",
            msg: b"",
        }
    }

    fn run(msg: &'static [u8]) -> (Verdict, Vec<Parsed<'static>>) {
        let h = header();
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

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn successful_login() {
        let ev = one(b"<k3v9q2mz> Successful login for alice@example.org (ID: 42) from 192.0.2.10 in session k3v9q2mzt7bq8w1x");
        assert_eq!(ev.kind, Kind::Login);
        assert_eq!(ev.outcome, Outcome::Success);
        assert_eq!(ev.user, Some(&b"alice@example.org"[..]));
        assert_eq!(ev.ip, ip("192.0.2.10"));
        assert_eq!(ev.service, Service::Webmail);
        assert_eq!(ev.source, Source::Roundcube);
        assert_eq!(ev.tls, None);
        assert_eq!(ev.method, None);
        assert_eq!(ev.reason, None);
        assert_eq!(ev.count, 1);
        assert!(!ev.detail);
        // Without the session prefix.
        let ev =
            one(b"Successful login for bob (ID: 7) from 2001:db8::42 in session abcdef0123456789");
        assert_eq!(ev.user, Some(&b"bob"[..]));
        assert_eq!(ev.ip, ip("2001:db8::42"));
    }

    #[test]
    fn failed_login() {
        let ev = one(
            b"Failed login for sampleuser from 192.0.2.4 in session 1z506z6rvddstv6k (error: 0)",
        );
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        assert_eq!(ev.user, Some(&b"sampleuser"[..]));
        assert_eq!(ev.ip, ip("192.0.2.4"));
        assert!(!ev.detail);
        let ev = one(b"<q8w7e6r5> Failed login for carol@example.org from 198.51.100.8 in session q8w7e6r5t4y3u2i1 (error: -1)");
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        let ev = one(b"Failed login for carol@example.org from 198.51.100.8 in session no-session (error: 4)");
        assert_eq!(ev.reason, Some(Reason::Locked));
        let ev = one(
            b"Failed login for carol@example.org from 198.51.100.8 in session q8w7e6r5 (error: 1)",
        );
        assert_eq!(ev.reason, Some(Reason::Other));
        let ev = one(
            b"Failed login for carol@example.org from 198.51.100.8 in session q8w7e6r5 (error: -2)",
        );
        assert_eq!(ev.reason, Some(Reason::Other));
        let ev = one(b"Failed login for  from 198.51.100.8 in session q8w7e6r5 (error: 0)");
        assert_eq!(ev.user, None);
    }

    #[test]
    fn old_failed_login() {
        let ev = one(b"FAILED login for user1 from 192.0.2.43");
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        assert_eq!(ev.user, Some(&b"user1"[..]));
        assert_eq!(ev.ip, ip("192.0.2.43"));
    }

    #[test]
    fn imap_error_login_failed() {
        let ev = one(b"<k3v9q2mz> IMAP Error: Login failed for admin@example.com against localhost from 192.0.2.4. AUTHENTICATE PLAIN: Authentication failed. in /var/www/roundcube/program/lib/Roundcube/rcube_imap.php on line 200 (POST /?_task=login&_action=login)");
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        assert_eq!(ev.user, Some(&b"admin@example.com"[..]));
        assert_eq!(ev.ip, ip("192.0.2.4"));
        assert_eq!(ev.service, Service::Webmail);
        // Older wording without `against HOST`.
        let ev = one(b"IMAP Error: Login failed for admin@example.com from 198.51.100.4. AUTHENTICATE PLAIN: Authentication failed. in /srv/rc/program/lib/Roundcube/rcube_imap.php on line 184 (POST /?_task=login&_action=login)");
        assert_eq!(ev.user, Some(&b"admin@example.com"[..]));
        assert_eq!(ev.ip, ip("198.51.100.4"));
        // Syslog copy that ends at the address.
        let ev = one(b"IMAP Error: Login failed for sales@example.com from 203.0.113.47");
        assert_eq!(ev.user, Some(&b"sales@example.com"[..]));
        assert_eq!(ev.ip, ip("203.0.113.47"));
        // IPv6 peer and a LOGIN failure.
        let ev = one(b"IMAP Error: Login failed for bob against imap.example.net from 2001:db8::5. LOGIN: [AUTHENTICATIONFAILED] Authentication failed. (POST /?_task=login&_action=login)");
        assert_eq!(ev.ip, ip("2001:db8::5"));
        assert_eq!(ev.user, Some(&b"bob"[..]));
        // A connection problem is not a refused password.
        let ev = one(b"IMAP Error: Login failed for bob against imap.example.net from 192.0.2.5. Could not connect to ssl://imap.example.net:993: Connection refused (POST /?_task=login&_action=login)");
        assert_eq!(ev.reason, Some(Reason::Other));
    }

    #[test]
    fn forwarded_headers_keep_the_peer() {
        let ev = one(b"Successful login for alice (ID: 42) from 192.0.2.10 (X-Real-IP: 198.51.100.7,X-Forwarded-For: 198.51.100.7) in session k3v9q2mzt7bq8w1x");
        assert_eq!(ev.ip, ip("192.0.2.10"));
        assert_eq!(ev.user, Some(&b"alice"[..]));
        let ev = one(b"Failed login for alice from 192.0.2.10 (X-Forwarded-For: 198.51.100.9) in session k3v9 (error: 0)");
        assert_eq!(ev.ip, ip("192.0.2.10"));
        let ev = one(b"IMAP Error: Login failed for alice against localhost from 192.0.2.10 (X-Forwarded-For: 198.51.100.9). AUTHENTICATE PLAIN: Authentication failed. (POST /?_task=login&_action=login)");
        assert_eq!(ev.ip, ip("192.0.2.10"));
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        // A ` from ADDR` written into X-Forwarded-For is header text.
        let ev = one(b"Failed login for alice from 192.0.2.10 (X-Forwarded-For: 198.51.100.1 from 203.0.113.66 (X-Real-IP: z) in session k3v9 (error: 0)");
        assert_eq!(ev.ip, ip("192.0.2.10"));
        assert_eq!(ev.user, Some(&b"alice"[..]));
    }

    #[test]
    fn injected_user_names() {
        let ev = one(
            b"Failed login for admin from 127.0.0.1 from 192.0.2.4 in session 1z506z6r (error: 0)",
        );
        assert_eq!(ev.user, Some(&b"admin from 127.0.0.1"[..]));
        assert_eq!(ev.ip, ip("192.0.2.4"));
        let ev = one(b"Failed login for x (ID: 1) from 127.0.0.1 in session abc from 192.0.2.5 in session 1z506z6r (error: 0)");
        assert_eq!(
            ev.user,
            Some(&b"x (ID: 1) from 127.0.0.1 in session abc"[..])
        );
        assert_eq!(ev.ip, ip("192.0.2.5"));
        let ev = one(b"Successful login for y (ID: 1) from 127.0.0.1 in session q (ID: 9) from 198.51.100.50 in session 1z506z6r");
        assert_eq!(ev.user, Some(&b"y (ID: 1) from 127.0.0.1 in session q"[..]));
        assert_eq!(ev.ip, ip("198.51.100.50"));
        let ev = one(b"IMAP Error: Login failed for a from 127.0.0.1. b against localhost from 203.0.113.5. AUTHENTICATE PLAIN: Authentication failed.");
        assert_eq!(ev.user, Some(&b"a from 127.0.0.1. b"[..]));
        assert_eq!(ev.ip, ip("203.0.113.5"));
        let ev = one(b"Failed login for john smith from 192.0.2.6 in session s (error: 0)");
        assert_eq!(ev.user, Some(&b"john smith"[..]));
        // An unclosed header opener typed into the name does not hide the peer.
        let ev =
            one(b"Failed login for q (X-Forwarded-For: r from 192.0.2.7 in session s (error: 0)");
        assert_eq!(ev.ip, ip("192.0.2.7"));
        assert_eq!(ev.user, Some(&b"q (X-Forwarded-For: r"[..]));
        // Mapped address.
        let ev = one(b"Failed login for z from ::ffff:198.51.100.77 in session s (error: 0)");
        assert_eq!(ev.ip, ip("198.51.100.77"));
    }

    #[test]
    fn password_plugin() {
        let ev =
            one(b"<k3v9q2mz> Password changed for user alice@example.org (ID: 42) from 192.0.2.10");
        assert_eq!(ev.kind, Kind::PasswordChange);
        assert_eq!(ev.outcome, Outcome::Success);
        assert_eq!(ev.user, Some(&b"alice@example.org"[..]));
        assert_eq!(ev.ip, ip("192.0.2.10"));
        assert_eq!(ev.service, Service::Webmail);
    }

    #[test]
    fn other_lines() {
        for line in [
            &b"IMAP Error: Empty startup greeting (imap.example.net:143) (GET /?_task=mail)"[..],
            b"<k3v9q2mz> SMTP Error: Authentication failure: 535 5.7.8 Error: authentication failed (Code: 535) (POST /?_task=mail&_action=send)",
            b"PHP Error: Undefined index: foo in /srv/rc/index.php on line 1 (GET /)",
            b"DB Error: [2002] Connection refused",
        ] {
            assert_eq!(run(line).0, Verdict::Ignored, "{}", String::from_utf8_lossy(line));
        }
        for line in [
            &b"Successful login for alice from 192.0.2.10 in session s"[..],
            b"Failed login for alice",
            b"IMAP Error: Login failed for alice against localhost",
            b"Some plugin: login refused for alice",
        ] {
            assert_eq!(
                run(line).0,
                Verdict::Unrecognized,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        // Empty REMOTE_ADDR (command line): the user stays.
        let ev = one(b"Failed login for cli from  in session no-session (error: 0)");
        assert_eq!(ev.user, Some(&b"cli"[..]));
        assert_eq!(ev.ip, None);
    }

    #[test]
    fn full_lines() {
        let mut out = Vec::new();
        let r = parse_line(
            b"[26-Nov-2025 08:51:18 +0100]: <1z506z6r> Successful login for alice@example.org (ID: 42) from 192.0.2.10 in session 1z506z6rvddstv6k",
            &mut out,
        );
        assert_eq!(r.source, Some(Source::Roundcube));
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].user, Some(&b"alice@example.org"[..]));

        out.clear();
        let r = parse_line(
            b"May  6 07:12:40 webmail roundcube: IMAP Error: Login failed for sales@example.com against localhost from 203.0.113.47. AUTHENTICATE PLAIN: Authentication failed. (POST /?_task=login&_action=login)",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].ip, ip("203.0.113.47"));

        out.clear();
        let r = parse_line(
            b"[10-May-2025 13:02:52 -0400]: Failed login for sampleuser from 198.51.100.4 in session 1z506z6rvddstv6k (error: 0)",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].outcome, Outcome::Failure);

        out.clear();
        let r = parse_line(
            b"2025-11-26T08:51:18+01:00 webmail roundcube[311]: <1z506z6r> Failed login for x from 192.0.2.9 in session 1z506z6rvddstv6k (error: 0)",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].ip, ip("192.0.2.9"));
    }

    const REAL: &[&[u8]] = &[
        b"<1z506z6r> Successful login for alice@example.org (ID: 42) from 192.0.2.10 (X-Real-IP: 198.51.100.7,X-Forwarded-For: 198.51.100.7) in session 1z506z6rvddstv6k",
        b"Failed login for x (ID: 1) from 127.0.0.1 in session abc from 192.0.2.5 in session 1z506z6r (error: 0)",
        b"IMAP Error: Login failed for admin against localhost from 192.0.2.4 (X-Forwarded-For: 1). AUTHENTICATE PLAIN: Authentication failed. in /x.php on line 200 (POST /)",
        b"Password changed for user a (ID: 1) from 192.0.2.1",
        b"FAILED login for user1 from 192.0.2.43",
    ];

    #[test]
    fn prefixes_and_junk_never_panic() {
        let h = header();
        let mut out = Vec::new();
        for line in REAL {
            for i in 0..=line.len() {
                out.clear();
                let _ = parse(&h, &line[..i], &mut out);
                out.clear();
                let _ = parse(&h, &line[i..], &mut out);
            }
        }
        let junk: Vec<u8> = (0..=255u8).cycle().step_by(7).take(3000).collect();
        for w in junk.chunks(53) {
            out.clear();
            let _ = parse(&h, w, &mut out);
        }
        for odd in [
            &b""[..],
            b"<",
            b"<>",
            b"<> ",
            b"< x> y",
            b"Successful login for  from ",
            b"Successful login for  (ID: ) from  in session ",
            b"Failed login for  from  in session  (error: ",
            b"IMAP Error: Login failed for  from .",
            b"IMAP Error: Login failed for  from \xff. \xfe",
            b"Password changed for user )",
        ] {
            out.clear();
            let _ = parse(&h, odd, &mut out);
        }
    }
}
