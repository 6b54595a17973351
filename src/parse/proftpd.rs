//! ProFTPD (`modules/mod_auth.c`, `src/log.c`).
//!
//! Syslog lines carry the server info before the text (`log.c`:
//! `"%s - %s"`, the server's FQDN then ` (remote_name[remote_ip])`, or
//! only the parenthesis); the `SystemLog` file has `serverinfo: text`
//! after `proftpd[pid] `. The texts (`mod_auth.c`):
//!
//! - `USER %s: Login successful.` (`ANON %s: ...` for anonymous FTP);
//! - `USER %s (Login failed): Incorrect password` (older releases end with
//!   a `.`), `... No such user found`, `Password expired`, `Account
//!   disabled`, `Limit access denies login`, ...;
//! - `USER %s: no such user found from %s [%s] to %s:%i`.
//!
//! The user is what the client sent: it ends at the last `: Login
//! successful.` or ` (Login failed): `.

use super::util::{find, non_empty, rfind};
use super::{Header, Verdict};
use crate::event::{parse_ip, Outcome, Parsed, Reason, Service, Source};
use std::net::IpAddr;

/// Read one ProFTPD message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(u) = find(msg, b"USER ") else {
        if find(msg, b"ANON ").is_some() || find(msg, b"Login").is_some() {
            return Verdict::Unrecognized;
        }
        return Verdict::Ignored;
    };
    // The server info: `[fqdn ](name[ip]) - ` (syslog) or `... : ` (file).
    let info = &msg[..u];
    let ip = server_info_ip(info);
    let text = &msg[u + 5..];
    // The user is client text: of the two endings, the last one is real.
    let ok = rfind(text, b": Login successful");
    let failed = rfind(text, b" (Login failed): ");
    if let Some(i) = ok.filter(|&i| failed.is_none_or(|f| i > f)) {
        let mut p = Parsed::login(Outcome::Success, Source::Proftpd, Service::Ftp);
        p.user = non_empty(&text[..i]);
        p.ip = ip;
        out.push(p);
        return Verdict::Events;
    }
    if let Some(i) = failed {
        let why = &text[i + 17..];
        let reason = if why.starts_with(b"Incorrect password") {
            Reason::BadPassword
        } else if why.starts_with(b"No such user found") {
            Reason::UnknownUser
        } else if why.starts_with(b"Password expired") {
            Reason::Expired
        } else if why.starts_with(b"Account disabled") {
            Reason::Disabled
        } else if why.starts_with(b"maximum USER length exceeded") {
            return Verdict::Ignored;
        } else {
            Reason::Other
        };
        let mut p = Parsed::login(Outcome::Failure, Source::Proftpd, Service::Ftp);
        p.user = non_empty(&text[..i]);
        p.ip = ip;
        p.reason = Some(reason);
        out.push(p);
        return Verdict::Events;
    }
    if let Some(i) = rfind(text, b": no such user found from ") {
        // `from NAME [IP] to LOCAL:PORT`: server text after the user.
        let tail = &text[i + 26..];
        let from_ip = memchr::memchr(b'[', tail).and_then(|o| {
            let c = memchr::memchr(b']', &tail[o..])?;
            parse_ip(&tail[o + 1..o + c])
        });
        let mut p = Parsed::login(Outcome::Failure, Source::Proftpd, Service::Ftp);
        p.user = non_empty(&text[..i]);
        p.ip = from_ip.or(ip);
        p.reason = Some(Reason::UnknownUser);
        out.push(p);
        return Verdict::Events;
    }
    if find(text, b"Login").is_some() || find(text, b"login").is_some() {
        return Verdict::Unrecognized;
    }
    Verdict::Ignored
}

/// The client address of `[fqdn ](name[ip]) - ` / `...: `.
fn server_info_ip(info: &[u8]) -> Option<IpAddr> {
    let close = rfind(info, b"])")?;
    let open = memchr::memrchr(b'[', &info[..close])?;
    parse_ip(&info[open + 1..close])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // log.c `"%s - %s"` with serverinfo `FQDN (name[ip])` and mod_auth.c's
    // texts.
    #[test]
    fn syslog() {
        let p = one("Nov 26 08:51:18 ftp1 proftpd[4242]: ftp.example.org (client.example.net[192.0.2.5]) - USER alice: Login successful.");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Proftpd);
        assert_eq!(p.service, Service::Ftp);
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, ip("192.0.2.5"));
        let p = one("Nov 26 08:51:18 ftp1 proftpd[4242]: ftp.example.org (client.example.net[192.0.2.5]) - USER alice (Login failed): Incorrect password");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        // Older releases end with a dot; IPv6; no vhost.
        let p = one("Nov 26 08:51:18 ftp1 proftpd[4242]: (2001:db8::5[2001:db8::5]) - USER bob (Login failed): Incorrect password.");
        assert_eq!(p.ip, ip("2001:db8::5"));
        let p = one("Nov 26 08:51:18 ftp1 proftpd[4242]: ftp.example.org (client.example.net[192.0.2.6]) - USER carol (Login failed): Account disabled");
        assert_eq!(p.reason, Some(Reason::Disabled));
    }

    #[test]
    fn no_such_user() {
        let p = one("Nov 26 08:51:18 ftp1 proftpd[4242]: ftp.example.org (scanner.example.net[203.0.113.50]) - USER admin: no such user found from scanner.example.net [203.0.113.50] to 198.51.100.2:21");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, Some(&b"admin"[..]));
        assert_eq!(p.ip, ip("203.0.113.50"));
    }

    // log.c SystemLog: `%Y-%m-%d %H:%M:%S,mmm [host ]proftpd[pid] serverinfo: text`.
    #[test]
    fn system_log_file() {
        let p = one("2025-11-26 08:51:18,123 ftp1 proftpd[4242] ftp.example.org (client.example.net[192.0.2.7]): USER dave: Login successful.");
        assert_eq!(p.user, Some(&b"dave"[..]));
        assert_eq!(p.ip, ip("192.0.2.7"));
        let p = one("2025-11-26 08:51:18,123 proftpd[4242] ftp.example.org (client.example.net[192.0.2.7]): USER x: Login successful. (Login failed): Incorrect password");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.user, Some(&b"x: Login successful."[..]));
    }

    #[test]
    fn other_lines() {
        assert_eq!(
            verdict("Nov 26 08:51:18 ftp1 proftpd[4242]: ftp.example.org (client.example.net[192.0.2.5]) - FTP session opened."),
            Verdict::Ignored
        );
        assert_eq!(
            verdict("Nov 26 08:51:18 ftp1 proftpd[4242]: ftp.example.org (client.example.net[192.0.2.5]) - ANON anonymous: Login successful."),
            Verdict::Unrecognized
        );
        assert_eq!(
            verdict("Nov 26 08:51:18 ftp1 proftpd[4242]: ftp.example.org (c[192.0.2.5]) - USER eve: Login refused"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"proftpd"],
            &["ftp.example.org (scanner.example.net[203.0.113.50]) - USER admin: no such user found from scanner.example.net [203.0.113.50] to 198.51.100.2:21"],
            b"[]():- .USER Login successful failed Incorrect password0123456789",
        );
    }
}
