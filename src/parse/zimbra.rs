//! Zimbra `audit.log` and the authentication lines of `mailbox.log`.
//!
//! Both are log4j files written with `%d %-5p [%t] [%z] %c{1} - %m%n`: the
//! envelope split gives program `zimbra`, the level as pid and the rest
//! (`[thread] [context] logger - message`) as the message. The context
//! (`%z`, `ZimbraLog.getContextString()`) and the security messages
//! (`ZimbraLog.encodeAttrs()`) are `name=value;` pairs with `;` in a value
//! doubled (`encodeArg()`), so a User-Agent cannot fake a pair.
//!
//! `audit.log`, logger `security` (`zm-mailbox` `LdapProvisioning.java`,
//! `LdapLockoutPolicy.java`, `service/admin/SetPassword.java`,
//! `ModifyAccount.java`):
//!
//! - `cmd=Auth; account=A; protocol=P;` (INFO): a successful login;
//! - `cmd=Auth; account=A; protocol=P; error=authentication failed for
//!   [NAME], REASON;` (WARN), REASON `invalid password`, `account lockout`,
//!   `account(or domain) status is closed`, `empty password`, ...;
//! - `cmd=Auth; account=A; error=account lockout due to too many failed
//!   logins;`: the account was locked;
//! - `cmd=AdminAuth`, `cmd=PreAuth`, `cmd=SSOAuth` likewise;
//! - `Error occurred during authentication: authentication failed for [X].
//!   Reason: account not found.` (with `zimbra_additional_logging`);
//! - `cmd=SetPassword; name=A;` (an administrator set the password) and
//!   `cmd=ChangePassword; name=A;`: a password change;
//! - `cmd=ModifyAccount; name=A; zimbraPrefMailForwardingAddress=X;` (or
//!   `zimbraMailForwardingAddress`): forwarding set; the target address is
//!   given as the event's `method`.
//!
//! Protocols (`AuthContext.Protocol`): `soap` (the web client), `imap`,
//! `pop3`, `zsync` (ActiveSync), `http_basic`, `http_dav`,
//! `client_certificate`, `spnego`, `im`.
//!
//! `mailbox.log`, loggers `imap` and `pop` (`ImapHandler.java`,
//! `Pop3Handler.java`): `user A authenticated, mechanism=M[ [TLS]]`. The
//! same login is on `audit.log`'s `cmd=Auth` line, so these are `detail`.
//!
//! The client address is the context's `oip` (the originating address, the
//! first of a list) when present, else `ip` (often the Zimbra proxy).

use super::util::{find, non_empty, trim_spaces};
use super::{Header, Verdict};
use crate::event::{parse_ip, Kind, Outcome, Parsed, Reason, Service, Source};
use std::net::IpAddr;

/// Read one Zimbra log4j message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let security = find(msg, b"security - ");
    let handler = find(msg, b" authenticated, mechanism=");
    if security.is_none() && handler.is_none() {
        return Verdict::Ignored;
    }
    let Some(parts) = split(msg) else {
        return Verdict::Unrecognized;
    };
    match parts.logger {
        b"security" => security_line(&parts, out),
        b"imap" | b"pop" => handler_line(&parts, out),
        _ => Verdict::Ignored,
    }
}

/// `[thread] [context] logger - message`.
struct Parts<'a> {
    context: &'a [u8],
    logger: &'a [u8],
    message: &'a [u8],
}

fn split(msg: &[u8]) -> Option<Parts<'_>> {
    let rest = msg.strip_prefix(b"[")?;
    let t = find(rest, b"] ")?;
    let rest = &rest[t + 2..];
    let (context, rest) = match rest.strip_prefix(b"[") {
        Some(c) => {
            let end = context_end(c)?;
            (&c[..end], c[end + 1..].strip_prefix(b" ")?)
        }
        None => (&b""[..], rest),
    };
    let d = find(rest, b" - ")?;
    Some(Parts {
        context,
        logger: &rest[..d],
        message: &rest[d + 3..],
    })
}

/// The end of `name=value;name=value;` before its `]`, reading pairs so a
/// `]` inside a value does not end it.
fn context_end(c: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        if c.get(i) == Some(&b']') {
            return Some(i);
        }
        i = value_end(c, i + memchr::memchr(b'=', c.get(i..)?)? + 1)? + 1;
    }
}

/// The position of the `;` that ends a value starting at `v` (a doubled
/// `;;` is part of the value).
fn value_end(s: &[u8], mut v: usize) -> Option<usize> {
    loop {
        let j = v + memchr::memchr(b';', s.get(v..)?)?;
        if s.get(j + 1) == Some(&b';') {
            v = j + 2;
        } else {
            return Some(j);
        }
    }
}

/// Iterate the `name=value;` pairs of a context or an `encodeAttrs()`
/// message (pairs separated by `;` and an optional space).
fn pairs(s: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while s.get(i) == Some(&b' ') {
            i += 1;
        }
        let eq = i + memchr::memchr(b'=', s.get(i..)?)?;
        let end = value_end(s, eq + 1).unwrap_or(s.len());
        let pair = (&s[i..eq], &s[eq + 1..end]);
        i = end + 1;
        Some(pair)
    })
}

fn value<'a>(s: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    pairs(s).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The client address of a context: the first `oip`, else `ip`.
fn client_ip(context: &[u8]) -> Option<IpAddr> {
    if let Some(o) = value(context, b"oip") {
        let first = trim_spaces(&o[..memchr::memchr(b',', o).unwrap_or(o.len())]);
        if let Some(ip) = parse_ip(first) {
            return Some(ip);
        }
    }
    value(context, b"ip").and_then(parse_ip)
}

fn service_of(protocol: Option<&[u8]>) -> Service {
    match protocol {
        Some(b"imap") => Service::Imap,
        Some(b"pop3") => Service::Pop3,
        Some(b"zsync") => Service::Activesync,
        Some(b"http_basic") | Some(b"http_dav") => Service::Http,
        Some(b"im") => Service::Other,
        // soap (the web client), client_certificate, spnego, none
        // (AdminAuth, PreAuth).
        _ => Service::Webmail,
    }
}

/// The reason of an `error=` text.
fn error_reason(e: &[u8]) -> Reason {
    if find(e, b"invalid password").is_some() {
        Reason::BadPassword
    } else if find(e, b"account not found").is_some() {
        Reason::UnknownUser
    } else if find(e, b"lockout").is_some() || find(e, b"status is locked").is_some() {
        Reason::Locked
    } else if find(e, b"status is ").is_some() {
        Reason::Disabled
    } else if find(e, b"expired").is_some() || find(e, b"must change").is_some() {
        Reason::Expired
    } else {
        Reason::Other
    }
}

fn security_line<'a>(parts: &Parts<'a>, out: &mut Vec<Parsed<'a>>) -> Verdict {
    let m = parts.message;
    let ip = client_ip(parts.context);
    if let Some(rest) =
        m.strip_prefix(b"Error occurred during authentication: authentication failed for [")
    {
        let Some(end) = super::util::rfind(rest, b"]. Reason: ") else {
            return Verdict::Unrecognized;
        };
        let mut p = Parsed::login(Outcome::Failure, Source::Zimbra, Service::Webmail);
        p.user = non_empty(&rest[..end]);
        p.ip = ip;
        p.reason = Some(error_reason(&rest[end..]));
        out.push(p);
        return Verdict::Events;
    }
    let Some(cmd) = m.strip_prefix(b"cmd=") else {
        return Verdict::Ignored;
    };
    let cmd = &cmd[..memchr::memchr(b';', cmd).unwrap_or(cmd.len())];
    match cmd {
        b"Auth" | b"AdminAuth" | b"PreAuth" | b"SSOAuth" => {}
        b"SetPassword" | b"ChangePassword" => {
            let Some(name) = value(m, b"name").or_else(|| value(m, b"account")) else {
                return Verdict::Unrecognized;
            };
            let mut p = Parsed::login(Outcome::Success, Source::Zimbra, Service::Other);
            p.kind = Kind::PasswordChange;
            p.user = non_empty(name);
            p.ip = ip;
            out.push(p);
            return Verdict::Events;
        }
        b"ModifyAccount" => {
            let target = pairs(m)
                .find(|(k, v)| {
                    (*k == b"zimbraPrefMailForwardingAddress"
                        || *k == b"zimbraMailForwardingAddress")
                        && !v.is_empty()
                })
                .map(|(_, v)| v);
            let Some(target) = target else {
                return Verdict::Ignored;
            };
            let mut p = Parsed::login(Outcome::Success, Source::Zimbra, Service::Other);
            p.kind = Kind::ForwardingChange;
            p.user = value(m, b"name").and_then(non_empty);
            p.ip = ip;
            p.method = Some(target);
            out.push(p);
            return Verdict::Events;
        }
        _ => return Verdict::Ignored,
    }
    if value(m, b"info").is_some() {
        // `account re-activated from lockout status upon successful login`.
        return Verdict::Ignored;
    }
    let Some(account) = value(m, b"account") else {
        return Verdict::Unrecognized;
    };
    let protocol = value(m, b"protocol");
    let mut p = Parsed::login(Outcome::Success, Source::Zimbra, service_of(protocol));
    p.user = non_empty(account);
    p.ip = ip;
    p.method = protocol.and_then(non_empty);
    if let Some(e) = value(m, b"error") {
        p.outcome = Outcome::Failure;
        if e.starts_with(b"account lockout due to too many failed logins") {
            p.kind = Kind::Lockout;
            p.reason = Some(Reason::Locked);
        } else {
            p.reason = Some(error_reason(e));
        }
    }
    out.push(p);
    Verdict::Events
}

/// `user A authenticated, mechanism=M[ [TLS]]` (mailbox.log).
fn handler_line<'a>(parts: &Parts<'a>, out: &mut Vec<Parsed<'a>>) -> Verdict {
    let m = parts.message;
    let Some(rest) = m.strip_prefix(b"user ") else {
        return Verdict::Ignored;
    };
    let Some(i) = super::util::rfind(rest, b" authenticated, mechanism=") else {
        return Verdict::Ignored;
    };
    let tail = &rest[i + 26..];
    let (mech, tls) = match tail.strip_suffix(b"[TLS]") {
        Some(mm) => (trim_spaces(mm), true),
        None => (trim_spaces(tail), false),
    };
    let service = if parts.logger == b"imap" {
        Service::Imap
    } else {
        Service::Pop3
    };
    let mut p = Parsed::login(Outcome::Success, Source::Zimbra, service);
    p.user = non_empty(&rest[..i]);
    p.ip = client_ip(parts.context);
    p.method = non_empty(mech).filter(|m| *m != b"null");
    p.tls = Some(tls);
    p.detail = true;
    out.push(p);
    Verdict::Events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{fuzz, ip, line, one, verdict};

    // log4j `%d %-5p [%t] [%z] %c{1} - %m%n` with LdapProvisioning.java's
    // `encodeAttrs({"cmd","Auth","account",..,"protocol",..})`.
    #[test]
    fn auth_success_uses_oip() {
        let p = one("2015-03-26 21:51:36,505 INFO  [Pop3Server-13] [ip=172.16.0.3;oip=198.51.100.196;] security - cmd=Auth; account=alice@example.org; protocol=pop3;");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Zimbra);
        assert_eq!(p.service, Service::Pop3);
        assert_eq!(p.user, Some(&b"alice@example.org"[..]));
        assert_eq!(p.ip, ip("198.51.100.196"));
        assert_eq!(p.method, Some(&b"pop3"[..]));
        assert!(!p.detail);
        let p = one("2015-12-05 18:47:36,435 INFO  [qtp1545357780-7135140:http://127.0.0.1:80/service/soap/AuthRequest] [name=bob@example.org;oip=192.0.2.123, 10.1.2.3;ua=zclient/8.8.15_GA;] security - cmd=Auth; account=bob@example.org; protocol=soap;");
        assert_eq!(p.service, Service::Webmail);
        assert_eq!(p.ip, ip("192.0.2.123"));
        let p = one("2015-12-05 18:47:36,435 INFO  [ImapSSLServer-3] [ip=192.0.2.7;] security - cmd=Auth; account=carol@example.org; protocol=zsync;");
        assert_eq!(p.service, Service::Activesync);
        assert_eq!(p.ip, ip("192.0.2.7"));
    }

    // `error=` + e.getMessage() + e.getReason(", %s") (AccountServiceException
    // `authentication failed for [NAME]`, AuthMechanism `invalid password`).
    #[test]
    fn auth_failures() {
        let p = one("2025-11-26 08:51:18,001 WARN  [qtp1-2:https://mail.example.org/service/soap/AuthRequest] [name=dave@example.org;ip=10.0.0.5;oip=203.0.113.9;ua=Mozilla/5.0;] security - cmd=Auth; account=dave@example.org; protocol=soap; error=authentication failed for [dave], invalid password;");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"dave@example.org"[..]));
        assert_eq!(p.ip, ip("203.0.113.9"));
        let p = one("2025-11-26 08:51:18,001 WARN  [ImapServer-1] [ip=203.0.113.9;] security - cmd=Auth; account=erin@example.org; protocol=imap; error=authentication failed for [erin@example.org], account lockout;");
        assert_eq!(p.reason, Some(Reason::Locked));
        assert_eq!(p.kind, Kind::Login);
        let p = one("2025-11-26 08:51:18,001 WARN  [ImapServer-1] [ip=203.0.113.9;] security - cmd=Auth; account=erin@example.org; protocol=imap; error=authentication failed for [erin@example.org], account(or domain) status is closed;");
        assert_eq!(p.reason, Some(Reason::Disabled));
        // LdapLockoutPolicy.java.
        let p = one("2025-11-26 08:51:18,001 INFO  [ImapServer-1] [ip=203.0.113.9;] security - cmd=Auth; account=erin@example.org; error=account lockout due to too many failed logins;");
        assert_eq!(p.kind, Kind::Lockout);
        // Auth.java with zimbra_additional_logging.
        let p = one("2025-11-26 08:51:18,001 INFO  [qtp1-2] [ip=10.0.0.5;oip=203.0.113.10;] security - Error occurred during authentication: authentication failed for [nobody@example.org]. Reason: account not found.");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, Some(&b"nobody@example.org"[..]));
        assert_eq!(p.ip, ip("203.0.113.10"));
    }

    #[test]
    fn user_agent_cannot_fake_context() {
        // `;` in a value is doubled by encodeArg(): the fake `oip` is text.
        let p = one("2025-11-26 08:51:18,001 INFO  [qtp1-2] [ip=192.0.2.50;ua=x;;oip=203.0.113.66;;;] security - cmd=Auth; account=frank@example.org; protocol=soap;");
        assert_eq!(p.ip, ip("192.0.2.50"));
        let p = one("2025-11-26 08:51:18,001 INFO  [qtp1-2] [ip=192.0.2.50;ua=a] security - cmd=Auth;; account=root@example.org;;;] security - cmd=Auth; account=frank@example.org; protocol=soap;");
        assert_eq!(p.user, Some(&b"frank@example.org"[..]));
    }

    #[test]
    fn password_and_forwarding_changes() {
        let p = one("2025-11-26 08:51:18,001 INFO  [qtp1-9] [name=admin@example.org;ip=192.0.2.1;] security - cmd=SetPassword; name=grace@example.org;");
        assert_eq!(p.kind, Kind::PasswordChange);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.user, Some(&b"grace@example.org"[..]));
        let (v, out) = line("2025-11-26 08:51:18,001 INFO  [qtp1-9] [name=admin@example.org;ip=192.0.2.1;] security - cmd=ModifyAccount; name=heidi@example.org; zimbraPrefMailForwardingAddress=drop@evil.example;");
        assert_eq!(v, Verdict::Events);
        assert_eq!(out[0].kind, Kind::ForwardingChange);
        assert_eq!(out[0].user, Some(&b"heidi@example.org"[..]));
        assert_eq!(out[0].method, Some(&b"drop@evil.example"[..]));
        // Forwarding cleared, or another attribute: not a forwarding set.
        for l in [
            "2025-11-26 08:51:18,001 INFO  [qtp1-9] [ip=192.0.2.1;] security - cmd=ModifyAccount; name=heidi@example.org; zimbraPrefMailForwardingAddress=;",
            "2025-11-26 08:51:18,001 INFO  [qtp1-9] [ip=192.0.2.1;] security - cmd=ModifyAccount; name=heidi@example.org; displayName=Heidi;",
            "2025-11-26 08:51:18,001 INFO  [qtp1-9] [ip=192.0.2.1;] security - cmd=CreateAccount; name=ivan@example.org;",
            "2025-11-26 08:51:18,001 INFO  [ImapServer-1] [ip=192.0.2.1;] security - cmd=Auth; account=ivan@example.org; info=account re-activated from lockout status upon successful login;",
            "2025-11-26 08:51:18,001 INFO  [qtp1-9] [ip=192.0.2.1;] soap - SearchRequest elapsed=12",
        ] {
            assert_eq!(verdict(l), Verdict::Ignored, "{l}");
        }
    }

    // ImapHandler.java `user %s authenticated, mechanism=%s%s`.
    #[test]
    fn mailbox_log_handler_lines() {
        let p = one("2025-11-26 08:51:18,001 INFO  [ImapSSLServer-7] [ip=192.0.2.70;] imap - user judy@example.org authenticated, mechanism=LOGIN [TLS]");
        assert_eq!(p.service, Service::Imap);
        assert_eq!(p.user, Some(&b"judy@example.org"[..]));
        assert_eq!(p.method, Some(&b"LOGIN"[..]));
        assert_eq!(p.tls, Some(true));
        assert!(p.detail);
        let p = one("2025-11-26 08:51:18,001 INFO  [Pop3Server-7] [ip=192.0.2.71;] pop - user judy@example.org authenticated, mechanism=PLAIN ");
        assert_eq!(p.service, Service::Pop3);
        assert_eq!(p.tls, Some(false));
    }

    #[test]
    fn unrecognized() {
        assert_eq!(
            verdict("2025-11-26 08:51:18,001 INFO  [x] [ip=192.0.2.1;] security - cmd=Auth; protocol=imap;"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"zimbra"],
            &[
                "[qtp1-2:https://x/service/soap/AuthRequest] [name=d@example.org;ip=10.0.0.5;oip=203.0.113.9, 10.0.0.1;ua=M;;x;] security - cmd=Auth; account=d@example.org; protocol=soap; error=authentication failed for [d], invalid password;",
                "[ImapSSLServer-7] [ip=192.0.2.70;] imap - user judy@example.org authenticated, mechanism=LOGIN [TLS]",
            ],
            b"[];=, -security cmd=Auth account protocol error oip ip0123456789.",
        );
    }
}
