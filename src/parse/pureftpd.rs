//! Pure-FTPd (`src/ftpd.c` `logfile()`, `src/messages_en.h`).
//!
//! Every line is `(%s@%s) %s%s`: the account once logged in (else `?`),
//! the client host (its name when reverse DNS is on, else the address),
//! the level (`[INFO] `, `[WARNING] `, ...) and the text:
//!
//! - `MSG_IS_NOW_LOGGED_IN`: `%s is now logged in`;
//! - `MSG_AUTH_FAILED_LOG`: `Authentication failed for user [%s]`.
//!
//! Messages are translated when Pure-FTPd is built with another language:
//! only the English texts are read.

use super::util::{contains_ci, non_empty};
use super::{Header, Verdict};
use crate::event::{parse_ip, Outcome, Parsed, Reason, Service, Source};

/// Read one Pure-FTPd message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(rest) = msg.strip_prefix(b"(") else {
        return Verdict::Ignored;
    };
    // `ACCOUNT@HOST) [LEVEL] text`: the host holds no `@` or `)`.
    let Some(close) = memchr::memmem::find(rest, b") [") else {
        return Verdict::Ignored;
    };
    let who = &rest[..close];
    let host = match memchr::memrchr(b'@', who) {
        Some(a) => &who[a + 1..],
        None => return Verdict::Ignored,
    };
    let after = &rest[close + 2..];
    let Some(lend) = memchr::memchr(b']', after) else {
        return Verdict::Ignored;
    };
    let text = after[lend + 1..]
        .strip_prefix(b" ")
        .unwrap_or(&after[lend + 1..]);
    let ip = parse_ip(host);
    if let Some(user) = text.strip_suffix(b" is now logged in") {
        let mut p = Parsed::login(Outcome::Success, Source::Pureftpd, Service::Ftp);
        p.user = non_empty(user);
        p.ip = ip;
        out.push(p);
        return Verdict::Events;
    }
    if let Some(u) = text.strip_prefix(b"Authentication failed for user [") {
        let Some(user) = u.strip_suffix(b"]") else {
            return Verdict::Unrecognized;
        };
        let mut p = Parsed::login(Outcome::Failure, Source::Pureftpd, Service::Ftp);
        p.user = non_empty(user);
        p.ip = ip;
        p.reason = Some(Reason::BadPassword);
        out.push(p);
        return Verdict::Events;
    }
    if contains_ci(text, b"authentication") || contains_ci(text, b"logged in") {
        // Anonymous logins are not accounts.
        if text.starts_with(b"Anonymous user logged in") {
            return Verdict::Ignored;
        }
        return Verdict::Unrecognized;
    }
    Verdict::Ignored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // ftpd.c `"(%s@%s) %s%s"` with MSG_IS_NOW_LOGGED_IN and
    // MSG_AUTH_FAILED_LOG.
    #[test]
    fn lines() {
        let p = one("Nov 26 08:51:18 ftp1 pure-ftpd: (?@192.0.2.5) [INFO] alice is now logged in");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Pureftpd);
        assert_eq!(p.service, Service::Ftp);
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, ip("192.0.2.5"));
        let p = one("Nov 26 08:51:18 ftp1 pure-ftpd[812]: (alice@2001:db8::5) [INFO] alice is now logged in");
        assert_eq!(p.ip, ip("2001:db8::5"));
        let p = one("Nov 26 08:51:18 ftp1 pure-ftpd: (?@198.51.100.9) [WARNING] Authentication failed for user [bob]");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"bob"[..]));
        // A host name instead of the address (reverse DNS on).
        let p = one("Nov 26 08:51:18 ftp1 pure-ftpd: (?@client.example.net) [WARNING] Authentication failed for user [x] y]");
        assert_eq!(p.ip, None);
        assert_eq!(p.user, Some(&b"x] y"[..]));
    }

    #[test]
    fn other_lines() {
        for l in [
            "Nov 26 08:51:18 ftp1 pure-ftpd: (?@192.0.2.5) [INFO] New connection from 192.0.2.5",
            "Nov 26 08:51:18 ftp1 pure-ftpd: (?@192.0.2.5) [INFO] Anonymous user logged in",
            "Nov 26 08:51:18 ftp1 pure-ftpd: (alice@192.0.2.5) [INFO] Logout.",
        ] {
            assert_eq!(verdict(l), Verdict::Ignored, "{l}");
        }
        assert_eq!(
            verdict("Nov 26 08:51:18 ftp1 pure-ftpd: (?@192.0.2.5) [WARNING] Authentication refused for [carol]"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"pure-ftpd"],
            &["(?@198.51.100.9) [WARNING] Authentication failed for user [bob]"],
            b"()[]@? INFO WARNING Authentication failed for user is now logged in0123456789.",
        );
    }
}
