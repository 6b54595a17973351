//! Cyrus SASL `saslauthd` (`saslauthd/saslauthd-main.c`, `utils.c`), and
//! Zimbra's `auth_zimbra` module.
//!
//! `logger()` writes `"%-16s: %s"`, the function name padded to 16, then:
//!
//! - `auth failure: [user=%s] [service=%s] [realm=%s] [mech=%s]
//!   [reason=%s]` (2.1.26-2.1.28; Debian's PAM_RHOST patch and later
//!   sources add `[remote=%s]` before `[mech=`);
//! - `auth success: [user=%s] [service=%s] [realm=%s] [remote=%s]
//!   [mech=%s]`, only with `-V` (verbose).
//!
//! Zimbra's MTA authenticates through `saslauthd -a zimbra`, whose module
//! logs `auth_zimbra: USER auth failed: authentication failed for [USER]`
//! (the shape of a public Zimbra log sample; not checked against source).
//!
//! The service field is the calling daemon's (`smtp`, `imap`, `pop`); the
//! user is what the client sent, so it ends at the last `] [service=`.

use super::util::{contains_ci, find, non_empty, rfind};
use super::{Header, Verdict};
use crate::event::{parse_ip, Outcome, Parsed, Reason, Service, Source};

/// Read one saslauthd message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    if let Some(i) = find(msg, b"auth failure: [user=") {
        return fields(Outcome::Failure, &msg[i + 20..], out);
    }
    if let Some(i) = find(msg, b"auth success: [user=") {
        return fields(Outcome::Success, &msg[i + 20..], out);
    }
    if let Some(i) = find(msg, b"auth success (cached): [user=") {
        return fields(Outcome::Success, &msg[i + 29..], out);
    }
    if let Some(i) = find(msg, b"auth_zimbra: ") {
        return zimbra(&msg[i + 13..], out);
    }
    if find(msg, b"auth failure").is_some() || find(msg, b"auth success").is_some() {
        return Verdict::Unrecognized;
    }
    Verdict::Ignored
}

/// The service of saslauthd's `service=` (the calling daemon).
fn service_of(s: &[u8]) -> Service {
    match s {
        b"imap" | b"imaps" => Service::Imap,
        b"pop" | b"pop3" | b"pop3s" => Service::Pop3,
        b"smtp" | b"smtps" | b"submission" => Service::Smtp,
        b"sieve" => Service::Sieve,
        b"ftp" => Service::Ftp,
        b"http" | b"HTTP" => Service::Http,
        _ => Service::Other,
    }
}

/// `USER] [service=S] [realm=R] [remote=IP] [mech=M] [reason=X]`.
fn fields<'a>(outcome: Outcome, r: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(u) = rfind(r, b"] [service=") else {
        return Verdict::Unrecognized;
    };
    let user = &r[..u];
    let rest = &r[u + 2..];
    let field = |key: &[u8]| -> Option<&'a [u8]> {
        let i = find(rest, key)?;
        let v = &rest[i + key.len()..];
        let end = memchr::memchr(b']', v)?;
        Some(&v[..end])
    };
    let mut p = Parsed::login(
        outcome,
        Source::Saslauthd,
        service_of(field(b"[service=").unwrap_or(b"")),
    );
    p.user = non_empty(user);
    p.ip = field(b"[remote=").and_then(parse_ip);
    p.method = field(b"[mech=").and_then(non_empty);
    if outcome == Outcome::Failure {
        // The reason is the mechanism's `NO ...` text, e.g. `PAM auth
        // error`, `authentication failed`; the end of the line, since it
        // can hold `]`.
        let reason = find(rest, b"[reason=").map_or(&b""[..], |i| &rest[i + 8..]);
        p.reason = Some(
            if contains_ci(reason, b"unknown")
                || contains_ci(reason, b"not found")
                || contains_ci(reason, b"no such user")
            {
                Reason::UnknownUser
            } else if contains_ci(reason, b"expired") {
                Reason::Expired
            } else {
                Reason::BadPassword
            },
        );
    }
    out.push(p);
    Verdict::Events
}

/// `USER auth failed: REASON`.
fn zimbra<'a>(r: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let Some(i) = find(r, b" auth failed: ") else {
        if contains_ci(r, b"auth") {
            return Verdict::Unrecognized;
        }
        return Verdict::Ignored;
    };
    let reason = &r[i + 14..];
    let mut p = Parsed::login(Outcome::Failure, Source::Saslauthd, Service::Smtp);
    p.user = non_empty(&r[..i]);
    p.reason = Some(if find(reason, b"account not found").is_some() {
        Reason::UnknownUser
    } else {
        Reason::BadPassword
    });
    out.push(p);
    Verdict::Events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::parse::testing::{fuzz, ip, one, verdict};

    // saslauthd-main.c `auth failure: [user=%s] [service=%s] [realm=%s]
    // [mech=%s] [reason=%s]` through utils.c `"%-16s: %s"`.
    #[test]
    fn failure() {
        let p = one("Nov 26 08:51:18 mx1 saslauthd[4321]: do_auth         : auth failure: [user=alice] [service=smtp] [realm=example.org] [mech=pam] [reason=PAM auth error]");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.source, Source::Saslauthd);
        assert_eq!(p.service, Service::Smtp);
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, None);
        assert_eq!(p.method, Some(&b"pam"[..]));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        // With [remote=] (Debian's patch, later sources).
        let p = one("Nov 26 08:51:18 mx1 saslauthd[4321]: do_auth         : auth failure: [user=bob] [service=imap] [realm=] [remote=192.0.2.33] [mech=shadow] [reason=Unknown]");
        assert_eq!(p.service, Service::Imap);
        assert_eq!(p.ip, ip("192.0.2.33"));
        // The user carries a fake field.
        let p = one("Nov 26 08:51:18 mx1 saslauthd[4321]: do_auth         : auth failure: [user=x] [service=pop] [realm=y] [service=imap] [realm=] [mech=pam] [reason=PAM auth error]");
        assert_eq!(p.user, Some(&b"x] [service=pop] [realm=y"[..]));
        assert_eq!(p.service, Service::Imap);
    }

    #[test]
    fn verbose_success() {
        let p = one("Nov 26 08:51:18 mx1 saslauthd[4321]: do_auth         : auth success: [user=carol] [service=smtp] [realm=] [remote=192.0.2.34] [mech=pam]");
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.user, Some(&b"carol"[..]));
        assert_eq!(p.ip, ip("192.0.2.34"));
    }

    // The auth_zimbra shape of a public Zimbra log sample (FORMATS.md §6).
    #[test]
    fn zimbra_module() {
        let p = one("Mar 26 21:38:26 mta-in-01 saslauthd[29157]: auth_zimbra: dave@example.org auth failed: authentication failed for [dave@example.org]");
        assert_eq!(p.user, Some(&b"dave@example.org"[..]));
        assert_eq!(p.service, Service::Smtp);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(
            verdict("Mar 26 21:38:26 mta-in-01 saslauthd[29157]: auth_zimbra: dave@example.org auth refused"),
            Verdict::Unrecognized
        );
        assert_eq!(
            verdict("Mar 26 21:38:26 mta-in-01 saslauthd[29157]: server_exit     : master exited: 29157"),
            Verdict::Ignored
        );
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"saslauthd"],
            &[
                "do_auth         : auth failure: [user=x] [service=pop] [realm=y] [remote=192.0.2.33] [mech=pam] [reason=PAM auth error]",
                "auth_zimbra: dave@example.org auth failed: authentication failed for [dave@example.org]",
            ],
            b"[]=: auth failure success user service realm remote mech reason0123456789.",
        );
    }
}
