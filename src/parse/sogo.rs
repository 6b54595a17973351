//! SOGo web logins (`UI/MainUI/SOGoRootPage.m`, `connectAction`).
//!
//! `logWithFormat:` prefixes the object's name (`SOGoRootPage `):
//!
//! - success: `successful login from '%@' for user '%@' - expire = %d
//!   grace = %d`;
//! - failure: `Login from '%@' for user '%@' might not have worked -
//!   password policy: %d  grace: %d  expire: %d  bound: %d`, where the
//!   policy code is OpenLDAP's (`SOGoConstants.h`): 65535 no policy error
//!   (a wrong password), 0 password expired, 1 account locked.
//!
//! The remote host is the `x-webobjects-remote-host` or `X-Forwarded-For`
//! value, possibly a list (`198.51.100.9, 10.0.0.1`): the first address is
//! the client. The user is what was typed: it ends at the last `'` before
//! the fixed tail.

use super::util::{find, non_empty, rfind, trim_spaces};
use super::{Header, Verdict};
use crate::event::{parse_ip, Outcome, Parsed, Reason, Service, Source};

/// Read one SOGo message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(i) = find(msg, b"ogin from '") else {
        if find(msg, b"SOGoRootPage").is_some() && find(msg, b"ogin").is_some() {
            return Verdict::Unrecognized;
        }
        return Verdict::Ignored;
    };
    let head = &msg[..i];
    let success = if head.ends_with(b"successful l") {
        true
    } else if head.ends_with(b"L") {
        false
    } else {
        return Verdict::Unrecognized;
    };
    let rest = &msg[i + b"ogin from '".len()..];
    let Some(q) = find(rest, b"' for user '") else {
        return Verdict::Unrecognized;
    };
    let host = &rest[..q];
    let after = &rest[q + b"' for user '".len()..];
    let tail: &[u8] = if success {
        b"' - expire = "
    } else {
        b"' might not have worked"
    };
    let Some(u) = rfind(after, tail) else {
        return Verdict::Unrecognized;
    };
    let user = &after[..u];
    let first = trim_spaces(&host[..memchr::memchr(b',', host).unwrap_or(host.len())]);
    let outcome = if success {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    let mut p = Parsed::login(outcome, Source::Sogo, Service::Webmail);
    p.user = non_empty(user);
    p.ip = parse_ip(first);
    if !success {
        let policy = &after[u + tail.len()..];
        p.reason = Some(match find(policy, b"password policy: ") {
            Some(k) => match policy_code(&policy[k + 17..]) {
                Some(0) => Reason::Expired,
                Some(1) => Reason::Locked,
                _ => Reason::BadPassword,
            },
            None => Reason::BadPassword,
        });
    }
    out.push(p);
    Verdict::Events
}

fn policy_code(s: &[u8]) -> Option<u32> {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 6 {
        return None;
    }
    std::str::from_utf8(&s[..n]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // SOGoRootPage.m `Login from '%@' for user '%@' might not have worked -
    // password policy: %d  grace: %d  expire: %d  bound: %d` (the shape of
    // fail2ban's sogo-auth sample).
    #[test]
    fn failure() {
        let p = one("Mar 24 08:58:32 sogod [26818]: SOGoRootPage Login from '198.51.100.44' for user 'mallory' might not have worked - password policy: 65535  grace: -1  expire: -1  bound: 0");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.source, Source::Sogo);
        assert_eq!(p.service, Service::Webmail);
        assert_eq!(p.user, Some(&b"mallory"[..]));
        assert_eq!(p.ip, ip("198.51.100.44"));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        let p = one("Mar 24 08:58:32 web1 sogod [26818]: SOGoRootPage Login from '198.51.100.44, 10.0.0.1' for user 'o'brien' might not have worked - password policy: 1  grace: -1  expire: -1  bound: 0");
        assert_eq!(p.user, Some(&b"o'brien"[..]));
        assert_eq!(p.ip, ip("198.51.100.44"));
        assert_eq!(p.reason, Some(Reason::Locked));
    }

    // SOGoRootPage.m `successful login from '%@' for user '%@' - expire = %d
    // grace = %d`.
    #[test]
    fn success() {
        let p = one("Mar 24 09:00:01 sogod [26818]: SOGoRootPage successful login from '192.0.2.60' for user 'alice@example.org' - expire = -1  grace = -1");
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.user, Some(&b"alice@example.org"[..]));
        assert_eq!(p.ip, ip("192.0.2.60"));
        assert_eq!(p.reason, None);
    }

    #[test]
    fn other_lines() {
        assert_eq!(
            verdict("Mar 24 09:00:01 sogod [26818]: 192.0.2.60 \"POST /SOGo/connect HTTP/1.1\" 200 31/71 0.012 - - 0"),
            Verdict::Ignored
        );
        assert_eq!(
            verdict("Mar 24 09:00:01 sogod [26818]: SOGoRootPage login refused for 'x'"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"sogod"],
            &["SOGoRootPage Login from '198.51.100.44, 10.0.0.1' for user 'o'brien' might not have worked - password policy: 1  grace: -1  expire: -1  bound: 0"],
            b"' ,:-SOGoRootPage Login from for user might not have worked successful0123456789",
        );
    }
}
