//! vsftpd (`logging.c`, `vsf_log_do_log_vsftpd_format()`).
//!
//! Its own log (`vsftpd_log_file`) writes `DATE [pid N] [USER] OK LOGIN:
//! Client "ADDR"` (the envelope split takes the date and pid); with
//! `syslog_enable` the same text goes to syslog without date and pid:
//! `vsftpd[N]: [USER] FAIL LOGIN: Client "ADDR"`. Anonymous logins add `,
//! anon password "..."` (what the client typed). `[USER]` is left out when
//! no user was given. The address is IPv4, or IPv4-mapped IPv6 under
//! `listen_ipv6`.
//!
//! The user is what the client sent: it ends at the last `] OK LOGIN:
//! Client "` (or `FAIL`) whose address and tail the server wrote. Through
//! journald JSON the quotes arrive escaped (`Client \"ADDR\"`).

use super::util::{non_empty, rfind};
use super::{Header, Verdict};
use crate::event::{parse_ip, Outcome, Parsed, Reason, Service, Source};

/// Read one vsftpd message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    if memchr::memmem::find(msg, b" LOGIN: Client ").is_none() {
        if memchr::memmem::find(msg, b"LOGIN").is_some() {
            return Verdict::Unrecognized;
        }
        return Verdict::Ignored;
    }
    let mut end = msg.len();
    for _ in 0..16 {
        let Some(i) = rfind(&msg[..end], b"LOGIN: Client ") else {
            break;
        };
        end = i;
        let head = &msg[..i];
        let (outcome, before) = if let Some(b) = head.strip_suffix(b"OK ") {
            (Outcome::Success, b)
        } else if let Some(b) = head.strip_suffix(b"FAIL ") {
            (Outcome::Failure, b)
        } else {
            continue;
        };
        let after = &msg[i + 14..];
        let (quote, after) = match after.strip_prefix(b"\\\"") {
            Some(a) => (&b"\\\""[..], a),
            None => match after.strip_prefix(b"\"") {
                Some(a) => (&b"\""[..], a),
                None => continue,
            },
        };
        let Some(close) = memchr::memmem::find(after, quote) else {
            continue;
        };
        let Some(ip) = parse_ip(&after[..close]) else {
            continue;
        };
        let tail = &after[close + quote.len()..];
        if tail.starts_with(b", anon password ") {
            // Anonymous FTP: no account.
            return Verdict::Ignored;
        }
        if !tail.is_empty() && !tail.starts_with(b", ") {
            continue;
        }
        // `[USER] ` (or nothing) before the outcome.
        let user = if before.is_empty() {
            None
        } else {
            match before
                .strip_prefix(b"[")
                .and_then(|b| b.strip_suffix(b"] "))
            {
                Some(u) => non_empty(u),
                None => continue,
            }
        };
        let mut p = Parsed::login(outcome, Source::Vsftpd, Service::Ftp);
        p.user = user;
        p.ip = Some(ip);
        if outcome == Outcome::Failure {
            p.reason = Some(Reason::BadPassword);
        }
        out.push(p);
        return Verdict::Events;
    }
    Verdict::Unrecognized
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // logging.c: DATE ` [pid ` N `] ` `[` USER `] ` `OK `|`FAIL ` `LOGIN`
    // `: Client "` ADDR `"`.
    #[test]
    fn own_log() {
        let p = one("Sat Jul 17 12:00:00 2021 [pid 1234] [alice] OK LOGIN: Client \"192.0.2.5\"");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Vsftpd);
        assert_eq!(p.service, Service::Ftp);
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, ip("192.0.2.5"));
        let p = one(
            "Wed Jul  7 09:05:01 2021 [pid 77] [bob] FAIL LOGIN: Client \"::ffff:198.51.100.5\"",
        );
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.ip, ip("198.51.100.5"));
    }

    #[test]
    fn syslog_and_injection() {
        let p =
            one("Nov 26 08:51:18 ftp1 vsftpd[1234]: [carol] FAIL LOGIN: Client \"203.0.113.8\"");
        assert_eq!(p.user, Some(&b"carol"[..]));
        // The typed user carries a fake success.
        let p = one("Nov 26 08:51:18 ftp1 vsftpd[1234]: [x] OK LOGIN: Client \"192.0.2.1\"] FAIL LOGIN: Client \"203.0.113.8\"");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.user, Some(&b"x] OK LOGIN: Client \"192.0.2.1\""[..]));
        assert_eq!(p.ip, ip("203.0.113.8"));
        // Anonymous FTP.
        assert_eq!(
            verdict("Nov 26 08:51:18 ftp1 vsftpd[1234]: [ftp] OK LOGIN: Client \"203.0.113.8\", anon password \"x] FAIL LOGIN: Client \"1.2.3.4\"\""),
            Verdict::Ignored
        );
        assert_eq!(
            verdict("Nov 26 08:51:18 ftp1 vsftpd[1234]: CONNECT: Client \"203.0.113.8\""),
            Verdict::Ignored
        );
        assert_eq!(
            verdict(
                "Nov 26 08:51:18 ftp1 vsftpd[1234]: [dave] LOGIN REFUSED: Client \"203.0.113.8\""
            ),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn journald_escaped_quotes() {
        let p = one(
            r#"{"__REALTIME_TIMESTAMP":"1732607478123456","_HOSTNAME":"ftp1","SYSLOG_IDENTIFIER":"vsftpd","_PID":"1234","MESSAGE":"[erin] OK LOGIN: Client \"192.0.2.9\""}"#,
        );
        assert_eq!(p.user, Some(&b"erin"[..]));
        assert_eq!(p.ip, ip("192.0.2.9"));
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"vsftpd"],
            &[
                "[x] OK LOGIN: Client \"192.0.2.1\"] FAIL LOGIN: Client \"203.0.113.8\"",
                "[ftp] OK LOGIN: Client \"203.0.113.8\", anon password \"a\"",
            ],
            b"[]\"\\:, OK FAIL LOGIN Client0123456789.",
        );
    }
}
