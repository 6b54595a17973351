//! Courier IMAP and POP3 (`courier-libs` `imap/imaplogin.C`,
//! `imap/pop3login.C`, `imap/imapd.C`, `imap/pop3dserver.C`).
//!
//! The login processes write to stderr and `courierlogger` (`liblog/
//! logger.c`) sends each line to syslog under the service's name (`imapd`,
//! `imapd-ssl`, `pop3d`, `pop3d-ssl`, ...) after cutting its `INFO: ` level:
//!
//! - `LOGIN, user=%s, ip=[%s], port=[%s], protocol=%s` and `, starttls=1`
//!   when STARTTLS was used (POP3 server: `LOGIN, user=%s, ip=[%s],
//!   port=[%s]%s`);
//! - `LOGIN FAILED, user=%s, ip=[%s], port=[%s]` (older releases: without
//!   the port);
//! - `LOGIN FAILED, method=%s, ip=[%s], port=[%s]`: a failed SASL
//!   `AUTHENTICATE`, without the user;
//! - `LOGOUT, ...`, `DISCONNECTED, ...`, `TIMEOUT, ...`: the session's end.
//!
//! Addresses are IPv4-mapped IPv6 (`::ffff:192.0.2.10`). The user name is
//! what the client typed: it ends at the last `, ip=[ADDR]` whose address
//! and tail the server wrote.

use super::util::{non_empty, rfind};
use super::{Header, Verdict};
use crate::event::{parse_ip, Outcome, Parsed, Reason, Service, Source};
use std::net::IpAddr;

/// Read one Courier message.
pub fn parse<'a>(h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let msg = msg.strip_prefix(b"INFO: ").unwrap_or(msg);
    if msg.starts_with(b"login: ") || msg.starts_with(b"badlogin: ") {
        // A Cyrus service named like Courier's (`imapd`).
        return super::cyrus::parse(h, msg, out);
    }
    let Some(rest) = msg.strip_prefix(b"LOGIN") else {
        return Verdict::Ignored;
    };
    let (service, ssl) = service_of(h.program);
    if let Some(r) = rest.strip_prefix(b" FAILED, user=") {
        let Some((user, ip, _)) = user_and_ip(r) else {
            return Verdict::Unrecognized;
        };
        let mut p = Parsed::login(Outcome::Failure, Source::Courier, service);
        p.user = non_empty(user);
        p.ip = ip;
        p.reason = Some(Reason::BadPassword);
        p.tls = ssl.then_some(true);
        out.push(p);
        return Verdict::Events;
    }
    if let Some(r) = rest.strip_prefix(b" FAILED, method=") {
        let Some((method, ip, _)) = user_and_ip(r) else {
            return Verdict::Unrecognized;
        };
        let mut p = Parsed::login(Outcome::Failure, Source::Courier, service);
        p.method = non_empty(method);
        p.ip = ip;
        p.reason = Some(Reason::BadPassword);
        p.tls = ssl.then_some(true);
        out.push(p);
        return Verdict::Events;
    }
    if let Some(r) = rest.strip_prefix(b", user=") {
        let Some((user, ip, tail)) = user_and_ip(r) else {
            return Verdict::Unrecognized;
        };
        let mut p = Parsed::login(Outcome::Success, Source::Courier, service);
        p.user = non_empty(user);
        p.ip = ip;
        p.tls = Some(ssl || memchr::memmem::find(tail, b"starttls=1").is_some());
        out.push(p);
        return Verdict::Events;
    }
    Verdict::Unrecognized
}

/// The service and whether the program is the implicit-TLS (`-ssl`) one.
fn service_of(program: &[u8]) -> (Service, bool) {
    let ssl = program.ends_with(b"-ssl");
    let service = if memchr::memmem::find(program, b"pop3").is_some() {
        Service::Pop3
    } else {
        Service::Imap
    };
    (service, ssl)
}

/// `VALUE, ip=[ADDR][, port=[P]...]`: the value (up to the last `, ip=[`
/// followed by a valid address, `]` and the end or `, `), the address and
/// what follows it.
fn user_and_ip(r: &[u8]) -> Option<(&[u8], Option<IpAddr>, &[u8])> {
    let mut end = r.len();
    while let Some(i) = rfind(&r[..end], b", ip=[") {
        let after = &r[i + 6..];
        if let Some(close) = memchr::memchr(b']', after) {
            let tail = &after[close + 1..];
            if tail.is_empty() || tail.starts_with(b", ") {
                let addr = &after[..close];
                // `ip=[]` when the address is unknown (local pipe).
                if addr.is_empty() {
                    return Some((&r[..i], None, tail));
                }
                if let Some(ip) = parse_ip(addr) {
                    return Some((&r[..i], Some(ip), tail));
                }
            }
        }
        end = i;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // Built from imaplogin.C `INFO: LOGIN, user=%s, ip=[%s], port=[%s],
    // protocol=%s%s` after courierlogger cut `INFO: `.
    #[test]
    fn success_imap_and_pop3() {
        let p = one("Nov 26 08:51:18 mail imapd: LOGIN, user=alice@example.org, ip=[::ffff:192.0.2.10], port=[51234], protocol=IMAP");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Courier);
        assert_eq!(p.service, Service::Imap);
        assert_eq!(p.user, Some(&b"alice@example.org"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
        assert_eq!(p.tls, Some(false));
        let p = one("Nov 26 08:51:18 mail imapd: LOGIN, user=alice@example.org, ip=[::ffff:192.0.2.10], port=[51234], protocol=IMAP, starttls=1");
        assert_eq!(p.tls, Some(true));
        let p = one("Nov 26 08:51:18 mail pop3d-ssl: LOGIN, user=Bob@Example.org, ip=[2001:db8::5], port=[40000], protocol=POP3");
        assert_eq!(p.service, Service::Pop3);
        assert_eq!(p.tls, Some(true));
        assert_eq!(p.user, Some(&b"Bob@Example.org"[..]));
        assert_eq!(p.ip, ip("2001:db8::5"));
    }

    // imaplogin.C / pop3login.C `LOGIN FAILED, user=%s, ip=[%s], port=[%s]`
    // and `LOGIN FAILED, method=%s, ip=[%s], port=[%s]`; older releases
    // without the port (the shape of fail2ban's courier-auth sample).
    #[test]
    fn failures() {
        let p = one("Nov 26 08:51:18 mail imapd: LOGIN FAILED, user=sales@example.org, ip=[::ffff:198.51.100.4]");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"sales@example.org"[..]));
        assert_eq!(p.ip, ip("198.51.100.4"));
        assert_eq!(p.tls, None);
        let p = one("Nov 26 08:51:18 mail courierpop3login: LOGIN FAILED, user=carol, ip=[::ffff:198.51.100.5], port=[110]");
        assert_eq!(p.service, Service::Pop3);
        let p = one("Nov 26 08:51:18 mail imapd-ssl: LOGIN FAILED, method=PLAIN, ip=[::ffff:198.51.100.6], port=[993]");
        assert_eq!(p.user, None);
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        assert_eq!(p.tls, Some(true));
        // The typed name carries a fake address.
        let p = one("Nov 26 08:51:18 mail imapd: LOGIN FAILED, user=x, ip=[203.0.113.1], port=[1], ip=[::ffff:198.51.100.7], port=[143]");
        assert_eq!(p.user, Some(&b"x, ip=[203.0.113.1], port=[1]"[..]));
        assert_eq!(p.ip, ip("198.51.100.7"));
    }

    #[test]
    fn other_lines() {
        for l in [
            "Nov 26 08:51:18 mail imapd: LOGOUT, user=alice@example.org, ip=[::ffff:192.0.2.10], headers=0, body=0, rcvd=29, sent=312, time=5",
            "Nov 26 08:51:18 mail imapd: Connection, ip=[::ffff:192.0.2.10]",
            "Nov 26 08:51:18 mail imapd: DISCONNECTED, user=alice@example.org, ip=[::ffff:192.0.2.10], headers=0, body=0, rcvd=0, sent=0, time=1",
        ] {
            assert_eq!(verdict(l), Verdict::Ignored, "{l}");
        }
        assert_eq!(
            verdict(
                "Nov 26 08:51:18 mail imapd: LOGIN REFUSED, user=alice, ip=[::ffff:192.0.2.10]"
            ),
            Verdict::Unrecognized
        );
        // A Cyrus service called imapd goes to the Cyrus reader.
        let p = one("Nov 26 08:51:18 mail imapd[12]: login: client.example.net [192.0.2.20] dave plaintext User logged in SESSIONID=<x>");
        assert_eq!(p.source, Source::Cyrus);
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"imapd", b"pop3d-ssl"],
            &[
                "LOGIN, user=alice@example.org, ip=[::ffff:192.0.2.10], port=[51234], protocol=IMAP, starttls=1",
                "LOGIN FAILED, user=x, ip=[203.0.113.1], port=[1], ip=[::ffff:198.51.100.7], port=[143]",
            ],
            b"[],:= LOGIN FAILED user ip port0123456789.f",
        );
    }
}
