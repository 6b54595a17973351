//! Postfix smtpd: SMTP AUTH.
//!
//! - Failure: `warning: name[addr][:port]: SASL <MECH> authentication
//!   failed: <reason>[, sasl_username=<user>]` (the user suffix since
//!   postfix-3.9-20231008; `(unavailable)` when unknown).
//! - Success: Postfix logs no line of its own for a successful AUTH; an
//!   authenticated client that hands over a message leaves `<queue id>:
//!   client=name[addr][:port], sasl_method=M, sasl_username=U[, sasl_sender=S]`,
//!   read as a login and a message submission.
//!
//! Postfix lines do not tell whether TLS was in use (the `Anonymous TLS
//! connection established` line of the same session does): `tls` is unknown.

use std::net::IpAddr;

use super::util::find;
use super::{Header, Verdict};
use crate::event::{parse_ip, Kind, Outcome, Parsed, Reason, Service, Source};

/// Whether `msg` holds `sasl_` or `SASL`: one pass over the rare last bytes
/// of the two (most smtpd lines, connections, TLS and clients without AUTH,
/// have neither and few `_` or `L`), checking the bytes before each.
fn names_sasl(msg: &[u8]) -> bool {
    memchr::memchr2_iter(b'_', b'L', msg).any(|i| {
        if msg[i] == b'_' {
            i >= 4 && &msg[i - 4..i] == b"sasl"
        } else {
            i >= 3 && &msg[i - 3..i] == b"SAS"
        }
    })
}

/// Read one Postfix smtpd message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    if !names_sasl(msg) {
        return Verdict::Ignored;
    }
    if let Some(rest) = msg.strip_prefix(b"warning: ") {
        return warning(rest, out);
    }
    if let Some(v) = queue_client(msg, out) {
        return v;
    }
    // `NOQUEUE: reject: RCPT from …; … sasl_username=<alice>` and the like:
    // a rejection after authentication, not an attempt.
    unmatched(msg)
}

/// A line that matched nothing: unrecognized when it speaks of a failed
/// SASL authentication.
fn unmatched(msg: &[u8]) -> Verdict {
    if find(msg, b"SASL").is_some() && find(msg, b"authentication failed").is_some() {
        Verdict::Unrecognized
    } else {
        Verdict::Ignored
    }
}

/// `name[addr]` with an optional `:port`: the address and what follows.
fn namaddr(s: &[u8]) -> Option<(Option<IpAddr>, &[u8])> {
    let lb = memchr::memchr(b'[', s)?;
    if lb == 0 || s[..lb].iter().any(|&b| b == b' ' || b == b',') {
        return None;
    }
    let rb = lb + memchr::memchr(b']', &s[lb..])?;
    let ip = parse_ip(&s[lb + 1..rb]);
    let mut rest = &s[rb + 1..];
    if let Some(p) = rest.strip_prefix(b":") {
        let digits = p.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            rest = &p[digits..];
        }
    }
    Some((ip, rest))
}

/// Failure reasons that are not a password attempt: the auth server is
/// unreachable or broken, or the client spoke the protocol wrong.
const NOT_ATTEMPT: &[&[u8]] = &[
    // Dovecot SASL (xsasl_dovecot_server.c).
    b"Connection lost to authentication server",
    b"Can't connect to authentication server",
    b"Authentication backend error",
    b"Invalid authentication mechanism",
    b"Invalid base64 data",
    // Cyrus SASL (sasl_errstring).
    b"no mechanism available",
    b"bad protocol / cancel",
    b"remote authentication server unavailable",
    b"transient failure",
];

/// The reason of a failure, `None` when it is no password attempt.
fn failure_reason(reason: &[u8]) -> Option<Reason> {
    if NOT_ATTEMPT.iter().any(|n| reason.starts_with(n)) {
        return None;
    }
    Some(if reason.starts_with(b"user not found") {
        Reason::UnknownUser
    } else if reason.starts_with(b"account disabled") {
        Reason::Disabled
    } else if reason.starts_with(b"passphrase expired") {
        Reason::Expired
    } else if reason.starts_with(b"authorization failure") || reason.starts_with(b"generic failure")
    {
        Reason::Other
    } else {
        // Dovecot's last challenge (`UGFzc3dvcmQ6`), `(reason unavailable)`,
        // Cyrus `authentication failure`.
        Reason::BadPassword
    })
}

/// `warning: …`.
fn warning<'a>(rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    if rest.starts_with(b"SASL authentication failure: ")
        || rest.starts_with(b"SASL authentication problem: ")
        || rest.starts_with(b"SASL: ")
    {
        // Cyrus's own `SASL authentication failure: Password verification
        // failed` (detail of the summary that follows), `SASL: Connect to
        // private/auth failed`: not an attempt.
        return Verdict::Ignored;
    }
    let Some((ip, after)) = namaddr(rest) else {
        return unmatched(rest);
    };
    let Some(m) = after.strip_prefix(b": SASL ") else {
        return unmatched(rest);
    };
    let Some(sp) = memchr::memchr(b' ', m) else {
        return Verdict::Unrecognized;
    };
    let method = &m[..sp];
    let tail = &m[sp..];
    if tail.starts_with(b" authentication aborted") {
        return Verdict::Ignored;
    }
    let Some(text) = tail.strip_prefix(b" authentication failed: ") else {
        return Verdict::Unrecognized;
    };
    // The reason is server text; the user name after it is what the client
    // sent, so the first `, sasl_username=` is the real one.
    let (reason, user) = match find(text, b", sasl_username=") {
        Some(i) => (&text[..i], Some(&text[i + 16..])),
        None => (text, None),
    };
    let Some(reason) = failure_reason(reason) else {
        return Verdict::Ignored;
    };
    let mut p = Parsed::login(Outcome::Failure, Source::Postfix, Service::Smtp);
    p.user = user.filter(|u| !u.is_empty() && *u != b"(unavailable)");
    p.ip = ip;
    p.method = (!method.is_empty()).then_some(method);
    p.reason = Some(reason);
    out.push(p);
    Verdict::Events
}

/// `QUEUEID: client=name[addr], sasl_method=M, sasl_username=U, …`:
/// `None` when the line is not a `client=` line.
fn queue_client<'a>(msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Option<Verdict> {
    let colon = find(msg, b": client=")?;
    let qid = &msg[..colon];
    if qid.is_empty() || !qid.iter().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let Some((ip, after)) = namaddr(&msg[colon + 9..]) else {
        return Some(Verdict::Unrecognized);
    };
    let Some(u) = find(after, b", sasl_username=") else {
        // Not authenticated.
        return Some(Verdict::Ignored);
    };
    let before_user = &after[..u];
    let method = find(before_user, b", sasl_method=").map(|m| {
        let v = &before_user[m + 14..];
        &v[..memchr::memchr(b',', v).unwrap_or(v.len())]
    });
    let uv = &after[u + 16..];
    // Fields Postfix appends after the user name, in this order.
    let end = [
        &b", sasl_sender="[..],
        b", orig_queue_id=",
        b", orig_client=",
    ]
    .iter()
    .filter_map(|k| find(uv, k))
    .min()
    .unwrap_or(uv.len());
    let user = &uv[..end];
    let user = (!user.is_empty()).then_some(user);
    let method = method.filter(|m| !m.is_empty());
    for kind in [Kind::Login, Kind::MessageSubmitted] {
        let mut p = Parsed::login(Outcome::Success, Source::Postfix, Service::Smtp);
        p.kind = kind;
        p.user = user;
        p.ip = ip;
        p.method = method;
        out.push(p);
    }
    Some(Verdict::Events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::header::RawStamp;
    use crate::parse::parse_line;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn line(l: &'static str) -> (Verdict, Vec<Parsed<'static>>) {
        let mut out = Vec::new();
        let r = parse_line(l.as_bytes(), &mut out);
        if r.verdict != Verdict::Events {
            assert!(out.is_empty(), "{l}");
        }
        (r.verdict, out)
    }

    fn direct(m: &'static str) -> (Verdict, Vec<Parsed<'static>>) {
        let h = Header {
            stamp: RawStamp::Bsd(b"Nov 26 08:51:18"),
            host: b"mx1",
            program: b"postfix/smtpd",
            pid: b"2211",
            msg: m.as_bytes(),
        };
        let mut out = Vec::new();
        let v = parse(&h, m.as_bytes(), &mut out);
        if v != Verdict::Events {
            assert!(out.is_empty(), "{m}");
        }
        (v, out)
    }

    fn failure(l: &'static str) -> Parsed<'static> {
        let (v, mut out) = line(l);
        assert_eq!(v, Verdict::Events, "{l}");
        assert_eq!(out.len(), 1, "{l}");
        out.pop().unwrap()
    }

    #[test]
    fn names_sasl_is_a_substring_test() {
        for (m, want) in [
            (&b"connect from unknown[192.0.2.1]"[..], false),
            (b"TLS_AES_256_GCM_SHA384 LOGIN", false),
            (b"x, sasl_method=PLAIN", true),
            (b"sasl_", true),
            (b"asl_ SAL SASl sasL_", false),
            (b"SASL", true),
            (b"warning: x: SASL LOGIN authentication failed", true),
            (b"", false),
        ] {
            let naive = find(m, b"sasl_").is_some() || find(m, b"SASL").is_some();
            assert_eq!(names_sasl(m), want, "{}", String::from_utf8_lossy(m));
            assert_eq!(naive, want);
        }
    }

    #[test]
    fn sasl_failure_without_user() {
        let p = failure("Sep  6 00:44:56 relay1 postfix/submission/smtpd[11538]: warning: unknown[198.51.100.233]: SASL LOGIN authentication failed: UGFzc3dvcmQ6");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.source, Source::Postfix);
        assert_eq!(p.service, Service::Smtp);
        assert_eq!(p.user, None);
        assert_eq!(p.ip, ip("198.51.100.233"));
        assert_eq!(p.method, Some(&b"LOGIN"[..]));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.tls, None);
        assert_eq!(p.count, 1);
        assert!(!p.detail);
    }

    #[test]
    fn sasl_failure_with_user_39() {
        let p = failure("Nov 26 08:51:18 mx1 postfix/submission/smtpd[2211]: warning: unknown[192.0.2.10]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=alice@example.org");
        assert_eq!(p.user, Some(&b"alice@example.org"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        let p = failure("Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: unknown[192.0.2.10]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=(unavailable)");
        assert_eq!(p.user, None);
        // The user name is attacker text: it may repeat the suffix.
        let p = failure("Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: unknown[192.0.2.10]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=bob from 203.0.113.5, sasl_username=root");
        assert_eq!(
            p.user,
            Some(&b"bob from 203.0.113.5, sasl_username=root"[..])
        );
        assert_eq!(p.ip, ip("192.0.2.10"));
    }

    #[test]
    fn sasl_failure_port_host_and_ipv6() {
        let p = failure("Aug  4 16:47:52 mail3 postfix/smtpd[31152]: warning: unknown[192.0.2.237]:55729: SASL LOGIN authentication failed: authentication failure");
        assert_eq!(p.ip, ip("192.0.2.237"));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        let p = failure("Mar 10 13:33:30 gw postfix/smtpd[3937]: warning: client.example.net[198.51.100.1]: SASL LOGIN authentication failed: authentication failure");
        assert_eq!(p.ip, ip("198.51.100.1"));
        let p = failure("Mar 10 13:33:30 gw postfix/smtps/smtpd[3937]: warning: unknown[2001:db8::1]: SASL CRAM-MD5 authentication failed: UGFzc3dvcmQ6");
        assert_eq!(p.ip, ip("2001:db8::1"));
        assert_eq!(p.method, Some(&b"CRAM-MD5"[..]));
        let p = failure("Mar 10 13:33:30 gw postfix-incoming/smtpd[3937]: warning: unknown[::ffff:192.0.2.77]:4242: SASL PLAIN authentication failed: , sasl_username=carol");
        assert_eq!(p.ip, ip("192.0.2.77"));
        assert_eq!(p.user, Some(&b"carol"[..]));
    }

    #[test]
    fn cyrus_reasons() {
        let (_, out) =
            direct("warning: unknown[192.0.2.1]: SASL PLAIN authentication failed: user not found");
        assert_eq!(out[0].reason, Some(Reason::UnknownUser));
        let (_, out) = direct(
            "warning: unknown[192.0.2.1]: SASL PLAIN authentication failed: generic failure",
        );
        assert_eq!(out[0].reason, Some(Reason::Other));
        let (_, out) = direct(
            "warning: unknown[192.0.2.1]: SASL PLAIN authentication failed: account disabled",
        );
        assert_eq!(out[0].reason, Some(Reason::Disabled));
    }

    #[test]
    fn not_password_failures_are_ignored() {
        for l in [
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: unknown[192.0.2.1]: SASL LOGIN authentication failed: Connection lost to authentication server",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: unknown[192.0.2.1]: SASL LOGIN authentication failed: Connection lost to authentication server, sasl_username=(unavailable)",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: unknown[192.0.2.1]: SASL FOO authentication failed: Invalid authentication mechanism: 'FOO'",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: unknown[192.0.2.1]: SASL LOGIN authentication aborted",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: unknown[192.0.2.1]:2525: SASL LOGIN authentication aborted",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: SASL authentication failure: Password verification failed",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: SASL: Connect to private/auth failed: No such file or directory",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: warning: xsasl_cyrus_server_get_mechanism_list: no applicable SASL mechanisms",
        ] {
            assert_eq!(line(l).0, Verdict::Ignored, "{l}");
        }
    }

    #[test]
    fn queue_client_is_login_and_submission() {
        let (v, out) = line("Nov 26 08:51:19 mx1 postfix/submission/smtpd[2211]: 4Y0abc1XyZz: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.org");
        assert_eq!(v, Verdict::Events);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind, Kind::Login);
        assert_eq!(out[1].kind, Kind::MessageSubmitted);
        for p in &out {
            assert_eq!(p.outcome, Outcome::Success);
            assert_eq!(p.source, Source::Postfix);
            assert_eq!(p.service, Service::Smtp);
            assert_eq!(p.user, Some(&b"alice@example.org"[..]));
            assert_eq!(p.ip, ip("192.0.2.10"));
            assert_eq!(p.method, Some(&b"PLAIN"[..]));
            assert_eq!(p.tls, None);
            assert_eq!(p.reason, None);
            assert_eq!(p.count, 1);
            assert!(!p.detail);
        }
    }

    #[test]
    fn queue_client_variants() {
        let (_, out) = line("Dec  2 22:24:22 mx1 postfix/smtpd[7676]: 3F1A2B4C5D: client=mail.example.net[198.51.100.7]:51234, sasl_method=LOGIN, sasl_username=bob, sasl_sender=bob@example.net");
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].user, Some(&b"bob"[..]));
        assert_eq!(out[0].ip, ip("198.51.100.7"));
        assert_eq!(out[0].method, Some(&b"LOGIN"[..]));
        let (_, out) = line("Dec  2 22:24:22 mx1 postfix/smtpd[7676]: 3F1A2B4C5D: client=unknown[2001:db8::5], sasl_method=PLAIN, sasl_username=carol@example.org, orig_queue_id=4Y0abc1XyZz, orig_client=unknown[192.0.2.1]");
        assert_eq!(out[1].user, Some(&b"carol@example.org"[..]));
        assert_eq!(out[1].ip, ip("2001:db8::5"));
        let (_, out) = line("2025-11-26T08:51:18.123456+01:00 mx1 postfix/smtps/smtpd[1]: 4Y0abc1XyZz: client=unknown[::ffff:192.0.2.99], sasl_method=XOAUTH2, sasl_username=dave smith");
        assert_eq!(out[0].ip, ip("192.0.2.99"));
        assert_eq!(out[0].user, Some(&b"dave smith"[..]));
        assert_eq!(out[0].method, Some(&b"XOAUTH2"[..]));
    }

    #[test]
    fn not_logins() {
        for l in [
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: NOQUEUE: reject: RCPT from unknown[192.0.2.10]: 554 5.7.1 <x@example.net>: Relay access denied; from=<alice@example.org> to=<x@example.net> proto=ESMTP helo=<client> sasl_username=<alice@example.org>",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: 4Y0abc1XyZz: client=unknown[192.0.2.10]",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: connect from unknown[192.0.2.10]",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: disconnect from unknown[192.0.2.10] ehlo=1 auth=0/1 quit=1 commands=2/3",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: lost connection after AUTH from unknown[192.0.2.10]",
            "Nov 26 08:51:18 mx1 postfix/smtpd[2211]: Anonymous TLS connection established from unknown[192.0.2.10]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
        ] {
            assert_eq!(line(l).0, Verdict::Ignored, "{l}");
        }
    }

    #[test]
    fn unrecognized_wording() {
        assert_eq!(
            direct("warning: unknown[192.0.2.1]: SASL LOGIN authentication failed").0,
            Verdict::Unrecognized
        );
        assert_eq!(
            direct("warning: unknown[192.0.2.1]: SASL LOGIN authentication refused: x").0,
            Verdict::Unrecognized
        );
        assert_eq!(
            direct("warning: SASL LOGIN authentication failed for unknown[192.0.2.1]").0,
            Verdict::Unrecognized
        );
        assert_eq!(
            direct("warning: odd line: SASL LOGIN authentication failed: x").0,
            Verdict::Unrecognized
        );
    }

    #[test]
    fn message_repeated() {
        let (v, out) = line("Nov 26 08:51:18 mx1 postfix/smtpd[2211]: message repeated 4 times: [ warning: unknown[192.0.2.1]: SASL LOGIN authentication failed: UGFzc3dvcmQ6]");
        assert_eq!(v, Verdict::Events);
        assert_eq!(out[0].count, 4);
    }

    const SAMPLES: &[&str] = &[
        "warning: unknown[192.0.2.237]:55729: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=alice@example.org",
        "4Y0abc1XyZz: client=unknown[192.0.2.10]:123, sasl_method=PLAIN, sasl_username=alice@example.org, sasl_sender=a@b",
        "warning: unknown[2001:db8::1]: SASL LOGIN authentication aborted",
    ];

    /// Prefixes, suffixes, random bytes and mutations of the samples.
    #[test]
    fn junk_never_panics() {
        crate::parse::testing::fuzz(
            parse,
            &[b"postfix/smtpd", b"postfix/submission/smtpd"],
            SAMPLES,
            b"[]:, =SASL sasl_username client warning0123456789\xff\x00",
        );
    }
}
