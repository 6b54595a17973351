//! Cyrus IMAP and POP3 (`cyrus-imapd` `imap/imapd.c`, `imap/pop3d.c`).
//!
//! The client host is `get_clienthost()` (`imap/global.c`): `name [ip]`, or
//! `[ip]` when the address has no name. Three generations of wording:
//!
//! - 3.0: `login: HOST USER[+magic] MECH[+TLS] User logged in
//!   SESSIONID=<id>` (POP3: `... MECH[+TLS] REPLY SESSIONID=<id>`),
//!   `badlogin: HOST plaintext USER SASL(-13): ...`, `badlogin: HOST
//!   plaintext USER invalid user`, `badlogin: HOST MECH [SASL(-13): ...]`;
//! - 3.2 to 3.12: the same `login:`; `badlogin: HOST MECH (USER) [DETAIL]`,
//!   `badlogin: HOST plaintext (USER) invalid user`;
//! - after 3.12 (`imap/loginlog.c`, `lib/logfmt.c`): `event=login.good
//!   r.sessionid=<id> r.clienthost="HOST" u.username=USER login.mech=M
//!   login.tls=0|1` and `event=login.bad r.clienthost="HOST"
//!   u.username=USER login.mech=M error="..."`.
//!
//! The detail is `sasl_errdetail()`, `SASL(-13): authentication failure:
//! ...`; its code gives the reason (`-20` is no such user).

use super::util::{find, non_empty, paren_code, rfind, sasl_code_reason};
use super::{Header, Verdict};
use crate::event::{parse_ip, Outcome, Parsed, Reason, Service, Source};
use std::net::IpAddr;

/// Whether a program tag is a Cyrus service behind a `syslog_prefix` or
/// the `cyrus/` ident (`cyrus/imap`, `0506150101/pop3s`).
pub fn is_service_tag(program: &[u8]) -> bool {
    // Tags are short: a backward loop beats a SIMD search.
    match program.iter().rposition(|&c| c == b'/') {
        Some(i) => matches!(
            &program[i + 1..],
            b"imap" | b"imaps" | b"pop3" | b"pop3s" | b"sieve" | b"timsieved"
        ),
        None => false,
    }
}

/// Read one Cyrus message.
pub fn parse<'a>(h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let service = service_of(h.program);
    if let Some(rest) = msg.strip_prefix(b"login: ") {
        return login(service, rest, out);
    }
    if let Some(rest) = msg.strip_prefix(b"badlogin: ") {
        return badlogin(service, rest, out);
    }
    if let Some(rest) = msg.strip_prefix(b"event=login.") {
        return logfmt(service, rest, out);
    }
    if msg.starts_with(b"LOGIN") {
        // A Courier service named like Cyrus's.
        return super::courier::parse(h, msg, out);
    }
    if find(msg, b"login").is_some() && find(msg, b"SASL(").is_some() {
        return Verdict::Unrecognized;
    }
    Verdict::Ignored
}

fn service_of(program: &[u8]) -> Service {
    let name = match memchr::memrchr(b'/', program) {
        Some(i) => &program[i + 1..],
        None => program,
    };
    match name {
        b"imap" | b"imaps" | b"imapd" | b"imapd-ssl" => Service::Imap,
        b"pop3" | b"pop3s" | b"pop3d" | b"pop3d-ssl" => Service::Pop3,
        b"sieve" | b"timsieved" => Service::Sieve,
        _ => Service::Other,
    }
}

/// `name [ip] rest` or `[ip] rest`: the address and the rest.
fn client_host(s: &[u8]) -> Option<(Option<IpAddr>, &[u8])> {
    let open = if s.first() == Some(&b'[') {
        0
    } else {
        let sp = memchr::memchr(b' ', s)?;
        if s.get(sp + 1) != Some(&b'[') {
            return None;
        }
        sp + 1
    };
    let close = open + memchr::memchr(b']', &s[open..])?;
    let ip = parse_ip(&s[open + 1..close]);
    let rest = s[close + 1..].strip_prefix(b" ")?;
    Some((ip, rest))
}

/// `MECH[+TLS]` → (mechanism, TLS).
fn mech_tls(m: &[u8]) -> (&[u8], bool) {
    match m.strip_suffix(b"+TLS") {
        Some(x) => (x, true),
        None => (m, false),
    }
}

/// After `login: `.
fn login<'a>(service: Service, rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some((ip, rest)) = client_host(rest) else {
        return Verdict::Unrecognized;
    };
    let (user, mech) = match find(rest, b" User logged in") {
        Some(i) => {
            let head = &rest[..i];
            match memchr::memrchr(b' ', head) {
                Some(s) => (&head[..s], &head[s + 1..]),
                None => return Verdict::Unrecognized,
            }
        }
        None => {
            let mut it = rest.splitn(3, |&b| b == b' ');
            match (it.next(), it.next()) {
                (Some(u), Some(m)) => (u, m),
                _ => return Verdict::Unrecognized,
            }
        }
    };
    if user == b"anonymous" {
        // `login: HOST anonymous PASSWORD`: no account.
        return Verdict::Ignored;
    }
    let (mech, tls) = mech_tls(mech);
    let mut p = Parsed::login(Outcome::Success, Source::Cyrus, service);
    p.user = non_empty(user);
    p.ip = ip;
    p.method = non_empty(mech);
    p.tls = Some(tls);
    out.push(p);
    Verdict::Events
}

/// The reason a detail or error text gives: `None` when it is not a
/// credential failure.
fn detail_reason(d: &[u8]) -> Option<Reason> {
    if d.ends_with(b"invalid user") || find(d, b"user not found").is_some() {
        return Some(Reason::UnknownUser);
    }
    if let Some(i) = find(d, b"SASL(") {
        return paren_code(&d[i + 5..]).and_then(|(c, _)| sasl_code_reason(c));
    }
    Some(Reason::Other)
}

/// After `badlogin: `.
fn badlogin<'a>(service: Service, rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some((ip, rest)) = client_host(rest) else {
        return Verdict::Unrecognized;
    };
    let Some(sp) = memchr::memchr(b' ', rest) else {
        return Verdict::Unrecognized;
    };
    let mech = &rest[..sp];
    let after = &rest[sp + 1..];
    if mech == b"anonymous" {
        return Verdict::Ignored;
    }
    let (user, detail): (Option<&[u8]>, &[u8]) = if after.first() == Some(&b'(') {
        // 3.2+: `(USER) [DETAIL]` or `(USER) invalid user`; the user is
        // client text, the detail server text at the end.
        if let Some(u) = after.strip_suffix(b") invalid user") {
            (Some(&u[1..]), b"invalid user")
        } else if let Some(k) = rfind(after, b") [") {
            (Some(&after[1..k]), &after[k + 2..])
        } else if let Some(k) = rfind(after, b") ") {
            (Some(&after[1..k]), &after[k + 2..])
        } else {
            return Verdict::Unrecognized;
        }
    } else if after.first() == Some(&b'[') {
        (None, after)
    } else if let Some(u) = after.strip_suffix(b" invalid user") {
        (Some(u), b"invalid user")
    } else if let Some(k) = rfind(after, b" SASL(") {
        (Some(&after[..k]), &after[k + 1..])
    } else {
        return Verdict::Unrecognized;
    };
    let Some(reason) = detail_reason(detail) else {
        return Verdict::Ignored;
    };
    let (mech, tls) = mech_tls(mech);
    let mut p = Parsed::login(Outcome::Failure, Source::Cyrus, service);
    p.user = user.filter(|u| !u.is_empty() && *u != b"(null)");
    p.ip = ip;
    p.method = non_empty(mech);
    p.reason = Some(reason);
    p.tls = tls.then_some(true);
    out.push(p);
    Verdict::Events
}

/// `key=value` pairs of a logfmt line (`lib/logfmt.c`): values bare, or in
/// double quotes with backslash escapes (returned raw).
fn logfmt_value<'a>(s: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0;
    while i < s.len() {
        while s.get(i) == Some(&b' ') {
            i += 1;
        }
        let eq = i + memchr::memchr(b'=', s.get(i..)?)?;
        let k = &s[i..eq];
        let v_start = eq + 1;
        let (v, next) = if s.get(v_start) == Some(&b'"') {
            let mut j = v_start + 1;
            loop {
                match s.get(j)? {
                    b'\\' => j += 2,
                    b'"' => break,
                    _ => j += 1,
                }
            }
            (&s[v_start + 1..j], j + 1)
        } else {
            let end = memchr::memchr(b' ', &s[v_start..]).map_or(s.len(), |e| v_start + e);
            (&s[v_start..end], end)
        };
        if k == key {
            return Some(v);
        }
        i = next;
    }
    None
}

/// After `event=login.`: `good ...` or `bad ...`.
fn logfmt<'a>(service: Service, rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let (outcome, fields) = if let Some(f) = rest.strip_prefix(b"good ") {
        (Outcome::Success, f)
    } else if let Some(f) = rest.strip_prefix(b"bad ") {
        (Outcome::Failure, f)
    } else {
        return Verdict::Unrecognized;
    };
    let ip = logfmt_value(fields, b"r.clienthost").and_then(|h| {
        let open = memchr::memrchr(b'[', h)?;
        let close = open + memchr::memchr(b']', &h[open..])?;
        parse_ip(&h[open + 1..close])
    });
    let user = logfmt_value(fields, b"u.username").filter(|u| *u != b"~null~");
    if outcome == Outcome::Success && logfmt_value(fields, b"login.anonymous").is_some() {
        return Verdict::Ignored;
    }
    let mut p = Parsed::login(outcome, Source::Cyrus, service);
    p.user = user.and_then(non_empty);
    p.ip = ip;
    p.method = logfmt_value(fields, b"login.mech")
        .or_else(|| logfmt_value(fields, b"login.scheme"))
        .and_then(non_empty);
    if outcome == Outcome::Success {
        p.tls = logfmt_value(fields, b"login.tls").map(|t| t == b"1");
    } else {
        let Some(reason) = detail_reason(logfmt_value(fields, b"error").unwrap_or(b"")) else {
            return Verdict::Ignored;
        };
        p.reason = Some(reason);
    }
    out.push(p);
    Verdict::Events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // imapd.c (3.0-3.12) `"login: %s %s%s %s%s %s"` / `"login: %s %s%s
    // plaintext%s %s"` with reply `User logged in SESSIONID=<%s>`.
    #[test]
    fn login_success() {
        let p = one("Sep 16 15:06:15 mail cyrus/imap[7623]: login: client.example.net [192.0.2.10] alice plaintext User logged in SESSIONID=<mail-7623-1568610375-1-5904865659046196242>");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Cyrus);
        assert_eq!(p.service, Service::Imap);
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
        assert_eq!(p.method, Some(&b"plaintext"[..]));
        assert_eq!(p.tls, Some(false));
        let p = one("Sep 16 15:06:15 mail 0506150101/imaps[7623]: login: [2001:db8::9] bob@example.org PLAIN+TLS User logged in SESSIONID=<x>");
        assert_eq!(p.user, Some(&b"bob@example.org"[..]));
        assert_eq!(p.ip, ip("2001:db8::9"));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        assert_eq!(p.tls, Some(true));
        // pop3d.c `"login: %s %s%s plaintext%s %s SESSIONID=<%s>"`.
        let p = one(
            "Sep 16 15:06:15 mail pop3[11]: login: [192.0.2.11] carol plaintext+TLS  SESSIONID=<y>",
        );
        assert_eq!(p.service, Service::Pop3);
        assert_eq!(p.user, Some(&b"carol"[..]));
        assert_eq!(
            verdict(
                "Sep 16 15:06:15 mail imap[11]: login: [192.0.2.11] anonymous guest@example.org"
            ),
            Verdict::Ignored
        );
    }

    #[test]
    fn badlogin_3x() {
        // 3.4+: `"badlogin: %s %s (%s) [%s]"` with sasl_errdetail().
        let p = one("Jan  4 21:51:05 mail cyrus/imap[5355]: badlogin: client.example.net [198.51.100.3] plaintext (dave@example.org) [SASL(-13): authentication failure: checkpass failed]");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"dave@example.org"[..]));
        assert_eq!(p.ip, ip("198.51.100.3"));
        let p = one("Jan  4 21:51:05 mail cyrus/imap[5355]: badlogin: [198.51.100.3] PLAIN (erin) [SASL(-20): user not found: no such user]");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        let p = one("Jan  4 21:51:05 mail cyrus/imap[5355]: badlogin: [198.51.100.3] plaintext (frank) invalid user");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, Some(&b"frank"[..]));
        // The user carries a fake detail.
        let p = one("Jan  4 21:51:05 mail cyrus/imap[5355]: badlogin: [198.51.100.3] plaintext (x) [y) [SASL(-13): authentication failure: checkpass failed]");
        assert_eq!(p.user, Some(&b"x) [y"[..]));
    }

    #[test]
    fn badlogin_30() {
        // 3.0: `"badlogin: %s plaintext %s %s"` (the shape of fail2ban's
        // cyrus-imap sample) and `"badlogin: %s %s [%s]"`.
        let p = one("Jan  4 21:51:05 hostname cyrus/imap[5355]: badlogin: localhost.localdomain [192.0.2.1] plaintext cyrus@localdomain SASL(-13): authentication failure: checkpass failed");
        assert_eq!(p.user, Some(&b"cyrus@localdomain"[..]));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        let p = one("Jan  4 21:51:05 hostname cyrus/pop3[5355]: badlogin: [192.0.2.1] CRAM-MD5 [SASL(-13): authentication failure: incorrect digest response]");
        assert_eq!(p.user, None);
        assert_eq!(p.service, Service::Pop3);
        let p = one("Jan  4 21:51:05 hostname imap[5355]: badlogin: [192.0.2.1] plaintext grace invalid user");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(
            verdict("Jan  4 21:51:05 hostname imap[5355]: badlogin: [192.0.2.1] anonymous login refused"),
            Verdict::Ignored
        );
    }

    // loginlog.c + logfmt.c (after 3.12).
    #[test]
    fn logfmt_lines() {
        let p = one("Nov 26 08:51:18 mail cyrus/imap[7]: event=login.good r.sessionid=<mail-7-1-1> r.clienthost=\"client.example.net [192.0.2.30]\" u.username=heidi login.mech=plaintext login.tls=1");
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.user, Some(&b"heidi"[..]));
        assert_eq!(p.ip, ip("192.0.2.30"));
        assert_eq!(p.tls, Some(true));
        let p = one("Nov 26 08:51:18 mail cyrus/imap[7]: event=login.bad r.clienthost=[192.0.2.31] u.username=\"ivan smith\" login.mech=plaintext error=\"invalid user\"");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.user, Some(&b"ivan smith"[..]));
        assert_eq!(p.ip, ip("192.0.2.31"));
        assert_eq!(p.reason, Some(Reason::UnknownUser));
    }

    #[test]
    fn other_lines() {
        assert_eq!(
            verdict("Nov 26 08:51:18 mail cyrus/imap[7]: accepted connection"),
            Verdict::Ignored
        );
        assert_eq!(
            verdict("Nov 26 08:51:18 mail cyrus/imap[7]: login: garbage"),
            Verdict::Unrecognized
        );
        assert!(is_service_tag(b"cyrus/imap"));
        assert!(!is_service_tag(b"postfix/smtpd"));
        assert!(!is_service_tag(b"imap"));
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"cyrus/imap", b"pop3"],
            &[
                "login: client.example.net [192.0.2.10] alice plaintext+TLS User logged in SESSIONID=<x>",
                "badlogin: client.example.net [198.51.100.3] plaintext (dave@example.org) [SASL(-13): authentication failure: checkpass failed]",
                "event=login.bad r.clienthost=\"a [192.0.2.31]\" u.username=\"i\\\"s\" login.mech=plaintext error=\"invalid user\"",
            ],
            b"[]()<>=\" +TLS login: badlogin SASL(-13) user0123456789.\\",
        );
    }
}
