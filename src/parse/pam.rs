//! Linux-PAM modules (`pam_unix` above all) and shadow-utils `passwd`.
//!
//! `pam_syslog()` (linux-pam `libpam/pam_syslog.c`) writes
//! `MODULE(SERVICE:TYPE): message`, e.g. `pam_unix(sshd:auth): ...`, and,
//! with no module in context (at `pam_end`), `PAM message`. The messages
//! read here come from `modules/pam_unix/support.c` (`authentication
//! failure; logname=%s uid=%d euid=%d tty=%s ruser=%s rhost=%s %s%s`, the
//! last two being ` user=` and the name, hence the double space; `%d more
//! authentication failure%s; ...` at the end of the PAM transaction, which
//! stands for that many further attempts; `check pass; user unknown`),
//! `passverify.c` (`password changed for %s`), `pam_unix_acct.c` (`account
//! %s has expired ...`) and `pam_faillock.c` (`Consecutive login failures
//! for user %s account temporarily locked`). shadow-utils `passwd` writes
//! `password for '%s' changed by '%s'`.
//!
//! Under `sshd` and `dovecot` the attempt is counted on the daemon's own
//! line, so PAM lines there are `detail`. `ruser` can be set by the
//! application to what the client typed (vsftpd does), so it can hold a
//! fake `rhost=`: the address is the last ` rhost=`.

use super::util::{contains_ci, find, rfind};
use super::{Header, Verdict};
use crate::event::{parse_ip, Kind, Outcome, Parsed, Reason, Service, Source};

/// Read one PAM message.
pub fn parse<'a>(h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    if let Some(v) = shadow_passwd(msg, out) {
        return v;
    }
    let (service_name, body) = match split_module(msg) {
        Some(m) => (m.service, m.body),
        None => match msg.strip_prefix(b"PAM ") {
            // No module in context: the application is the service.
            Some(body) => (service_of_program(h.program), body),
            None => return unrecognized_if_auth(msg),
        },
    };
    let ctx = Ctx {
        service: service_of(service_name),
        detail: counted_elsewhere(service_name),
    };
    read_body(&ctx, body, out)
}

/// The service of a line and whether another line counts its attempts.
struct Ctx {
    service: Service,
    detail: bool,
}

impl Ctx {
    fn event<'a>(&self, kind: Kind, outcome: Outcome, reason: Option<Reason>) -> Parsed<'a> {
        let mut ev = Parsed::login(outcome, Source::Pam, self.service);
        ev.kind = kind;
        ev.reason = reason;
        ev.detail = self.detail;
        ev
    }
}

fn read_body<'a>(ctx: &Ctx, body: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    if let Some(rest) = body.strip_prefix(b"authentication failure;") {
        return failure_fields(ctx, rest, 1, out);
    }
    if let Some(v) = more_failures(ctx, body, out) {
        return v;
    }
    if let Some(rest) = body.strip_prefix(b"authentication success;") {
        // pam_sss: `authentication success; logname=... rhost=... user=...`.
        let (ip, user) = rhost_and_user(rest);
        let mut ev = ctx.event(Kind::Login, Outcome::Success, None);
        ev.ip = ip;
        ev.user = user;
        out.push(ev);
        return Verdict::Events;
    }
    if let Some(rest) = body.strip_prefix(b"check pass; user ") {
        // `check pass; user unknown`, or with the `audit` option
        // `check pass; user (NAME) unknown`.
        let user = if rest == b"unknown" {
            None
        } else if let Some(name) = rest
            .strip_prefix(b"(")
            .and_then(|r| r.strip_suffix(b") unknown"))
        {
            non_empty(name)
        } else {
            return Verdict::Unrecognized;
        };
        let mut ev = ctx.event(Kind::Login, Outcome::Failure, Some(Reason::UnknownUser));
        ev.user = user;
        out.push(ev);
        return Verdict::Events;
    }
    if let Some(rest) = body.strip_prefix(b"password changed for ") {
        return password_change(ctx, rest, Outcome::Success, out);
    }
    if let Some(rest) = body.strip_prefix(b"password not changed for ") {
        // NIS: `password not changed for %s on %s`.
        return password_change(ctx, rest, Outcome::Failure, out);
    }
    if let Some(rest) = body.strip_prefix(b"account ") {
        // `account %s has expired (account expired)` and
        // `account %s has expired (failed to change password)`.
        if let Some(i) = rfind(rest, b" has expired (") {
            let mut ev = ctx.event(Kind::Login, Outcome::Failure, Some(Reason::Expired));
            ev.user = non_empty(&rest[..i]);
            out.push(ev);
            return Verdict::Events;
        }
    }
    if let Some(rest) = body.strip_prefix(b"Consecutive login failures for user ") {
        if let Some(user) = rest.strip_suffix(b" account temporarily locked") {
            // The attempts were counted on their own failure lines.
            let mut ev = ctx.event(Kind::Lockout, Outcome::Failure, Some(Reason::Locked));
            ev.user = non_empty(user);
            ev.detail = true;
            out.push(ev);
            return Verdict::Events;
        }
    }
    if is_noise(body) {
        return Verdict::Ignored;
    }
    unrecognized_if_auth(body)
}

/// Messages understood as not authentication events (or counted elsewhere).
fn is_noise(body: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"session opened for user ",
        b"session closed for user ",
        // No password given (the client left at the prompt).
        b"auth could not identify password for ",
        // Account and password-ageing notices.
        b"password for user ",
        b"expired password for user ",
        // Password-change dialogue (the failure line, if any, is separate).
        b"user not authenticated",
        b"new password not acceptable",
        b"bad authentication token",
        b"user password changed by another process",
        b"password - ",
        // pam_sss repeats each result: `received for user X: 7 (...)`.
        b"received for user ",
        b"service(",
        b"conversation failed",
        b"bad username",
        b"username [",
    ];
    PREFIXES.iter().any(|p| body.starts_with(p))
}

fn unrecognized_if_auth(msg: &[u8]) -> Verdict {
    const WORDS: &[&[u8]] = &[b"authenticat", b"password", b"login", b"user unknown"];
    if WORDS.iter().any(|w| contains_ci(msg, w)) {
        Verdict::Unrecognized
    } else {
        Verdict::Ignored
    }
}

fn non_empty(b: &[u8]) -> Option<&[u8]> {
    (!b.is_empty()).then_some(b)
}

/// `MODULE(SERVICE:TYPE): body`.
struct Module<'a> {
    service: &'a [u8],
    body: &'a [u8],
}

fn split_module(msg: &[u8]) -> Option<Module<'_>> {
    let open = memchr::memchr(b'(', &msg[..msg.len().min(64)])?;
    let module = &msg[..open];
    if module.is_empty() || module.contains(&b' ') {
        return None;
    }
    let close = open + find(&msg[open..], b"):")?;
    let inner = &msg[open + 1..close];
    let colon = memchr::memrchr(b':', inner)?;
    let after = &msg[close + 2..];
    Some(Module {
        service: &inner[..colon],
        body: after.strip_prefix(b" ").unwrap_or(after),
    })
}

/// The PAM service name for a program tag (for `PAM ...` lines that carry
/// no service).
fn service_of_program(program: &[u8]) -> &[u8] {
    match program {
        b"sshd-session" => b"sshd",
        p => p,
    }
}

fn service_of(name: &[u8]) -> Service {
    match name {
        b"sshd" => Service::Ssh,
        b"vsftpd" | b"proftpd" | b"pure-ftpd" => Service::Ftp,
        _ => Service::Other,
    }
}

/// Services whose daemon logs (and so counts) each attempt itself.
fn counted_elsewhere(name: &[u8]) -> bool {
    // These daemons log each attempt on a line of their own (sshd's
    // `Failed password`, Dovecot's login summary, the FTP daemons' and
    // dropbear's failure lines): PAM's line only adds detail.
    matches!(
        name,
        b"sshd" | b"dovecot" | b"vsftpd" | b"proftpd" | b"pure-ftpd" | b"dropbear"
    )
}

/// After `authentication failure;`: the `key=value` fields.
fn failure_fields<'a>(ctx: &Ctx, rest: &'a [u8], count: u32, out: &mut Vec<Parsed<'a>>) -> Verdict {
    let (ip, user) = rhost_and_user(rest);
    let mut ev = ctx.event(Kind::Login, Outcome::Failure, Some(Reason::BadPassword));
    ev.ip = ip;
    ev.user = user;
    ev.count = count;
    out.push(ev);
    Verdict::Events
}

/// `N more authentication failure[s]; ...`: N further attempts of the same
/// transaction (only the first one got its own `authentication failure`).
fn more_failures<'a>(ctx: &Ctx, body: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Option<Verdict> {
    let digits = body.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let rest = body[digits..].strip_prefix(b" more authentication failure")?;
    let rest = rest.strip_prefix(b"s").unwrap_or(rest).strip_prefix(b";")?;
    let n = std::str::from_utf8(&body[..digits])
        .ok()?
        .parse::<u32>()
        .ok()?;
    Some(failure_fields(ctx, rest, n, out))
}

/// The address of the last ` rhost=` and the ` user=` after it. The fields
/// before `rhost` (`ruser`, `tty`) can hold client text; `user` comes last
/// and runs to the end of the line.
fn rhost_and_user(fields: &[u8]) -> (Option<std::net::IpAddr>, Option<&[u8]>) {
    let (ip, after) = match rfind(fields, b" rhost=") {
        Some(i) => {
            let v = &fields[i + b" rhost=".len()..];
            let end = memchr::memchr(b' ', v).unwrap_or(v.len());
            (parse_ip(&v[..end]), &v[end..])
        }
        None => (None, fields),
    };
    let user = rfind(after, b" user=")
        .map(|i| &after[i + b" user=".len()..])
        .and_then(non_empty);
    (ip, user)
}

/// `password changed for NAME` (`passverify.c`), or over NIS `password
/// [not ]changed for NAME on MASTER` (`pam_unix_passwd.c`).
fn password_change<'a>(
    ctx: &Ctx,
    rest: &'a [u8],
    outcome: Outcome,
    out: &mut Vec<Parsed<'a>>,
) -> Verdict {
    let user = match rfind(rest, b" on ") {
        Some(i) if !rest[i + 4..].contains(&b' ') && !rest[..i].contains(&b' ') => &rest[..i],
        _ => rest,
    };
    let reason = (outcome == Outcome::Failure).then_some(Reason::Other);
    let mut ev = ctx.event(Kind::PasswordChange, outcome, reason);
    ev.user = non_empty(user);
    // A password change is never another line's attempt.
    ev.detail = false;
    out.push(ev);
    Verdict::Events
}

/// shadow-utils `passwd`: `password for 'NAME' changed by 'ADMIN'` (older
/// releases quote with a backtick: `` password for `NAME' changed by `ADMIN' ``).
fn shadow_passwd<'a>(msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Option<Verdict> {
    let rest = msg
        .strip_prefix(b"password for '")
        .or_else(|| msg.strip_prefix(b"password for `"))?;
    let Some(end) = rfind(rest, b"' changed by ") else {
        return Some(Verdict::Unrecognized);
    };
    let mut ev = Parsed::login(Outcome::Success, Source::Pam, Service::Other);
    ev.kind = Kind::PasswordChange;
    ev.user = non_empty(&rest[..end]);
    out.push(ev);
    Some(Verdict::Events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::header::RawStamp;
    use crate::parse::parse_line;
    use std::net::IpAddr;

    fn header(program: &'static [u8]) -> Header<'static> {
        Header {
            stamp: RawStamp::Bsd(b"Nov 26 08:51:18"),
            host: b"bastion",
            program,
            pid: b"4711",
            msg: b"",
        }
    }

    fn run_as(program: &'static [u8], msg: &'static [u8]) -> (Verdict, Vec<Parsed<'static>>) {
        let h = header(program);
        let mut out = Vec::new();
        let v = parse(&h, msg, &mut out);
        assert_eq!(v == Verdict::Events, !out.is_empty(), "{v:?} {out:?}");
        (v, out)
    }

    fn one_as(program: &'static [u8], msg: &'static [u8]) -> Parsed<'static> {
        let (v, out) = run_as(program, msg);
        assert_eq!(v, Verdict::Events, "{}", String::from_utf8_lossy(msg));
        assert_eq!(out.len(), 1);
        out.into_iter().next().unwrap()
    }

    fn one(msg: &'static [u8]) -> Parsed<'static> {
        one_as(b"sshd", msg)
    }

    fn verdict(msg: &'static [u8]) -> Verdict {
        run_as(b"sshd", msg).0
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn sshd_auth_failure_is_detail() {
        let ev = one(b"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.66  user=alice");
        assert_eq!(ev.kind, Kind::Login);
        assert_eq!(ev.outcome, Outcome::Failure);
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert_eq!(ev.ip, ip("192.0.2.66"));
        assert_eq!(ev.service, Service::Ssh);
        assert_eq!(ev.source, Source::Pam);
        assert_eq!(ev.count, 1);
        assert!(ev.detail);
        assert_eq!(ev.method, None);
        assert_eq!(ev.tls, None);
    }

    #[test]
    fn failure_without_user() {
        let ev = one(b"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.8 ");
        assert_eq!(ev.user, None);
        assert_eq!(ev.ip, ip("203.0.113.8"));
        let ev = one_as(
            b"vsftpd",
            b"pam_unix(vsftpd:auth): authentication failure; rhost=198.51.100.3",
        );
        assert_eq!(ev.ip, ip("198.51.100.3"));
        assert_eq!(ev.user, None);
        assert_eq!(ev.service, Service::Ftp);
    }

    #[test]
    fn dovecot_is_detail_other_service() {
        let ev = one_as(b"auth", b"pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=mailuser rhost=198.51.100.44");
        assert!(ev.detail);
        assert_eq!(ev.service, Service::Other);
        assert_eq!(ev.ip, ip("198.51.100.44"));
        assert_eq!(ev.user, None);
    }

    #[test]
    fn other_services_are_counted() {
        let ev = one_as(b"su", b"pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=root");
        assert!(!ev.detail);
        assert_eq!(ev.service, Service::Other);
        assert_eq!(ev.user, Some(&b"root"[..]));
        assert_eq!(ev.ip, None);
        let ev = one_as(b"sudo", b"pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob");
        assert!(!ev.detail);
        let ev = one_as(b"vsftpd", b"pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=ftpuser rhost=203.0.113.21  user=ftpuser");
        assert_eq!(ev.service, Service::Ftp);
        // vsftpd's own `FAIL LOGIN` line counts the attempt.
        assert!(ev.detail);
        assert_eq!(ev.ip, ip("203.0.113.21"));
        let ev = one_as(b"proftpd", b"pam_unix(proftpd:auth): authentication failure; logname= uid=0 euid=0 tty=/dev/ftpd1 ruser= rhost=2001:db8::21  user=web");
        assert_eq!(ev.service, Service::Ftp);
        assert!(ev.detail);
        assert_eq!(ev.ip, ip("2001:db8::21"));
    }

    #[test]
    fn injected_rhost_takes_the_last() {
        let ev = one_as(b"vsftpd", b"pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=x rhost=192.0.2.250 rhost=203.0.113.9  user=web");
        assert_eq!(ev.ip, ip("203.0.113.9"));
        assert_eq!(ev.user, Some(&b"web"[..]));
        let ev = one_as(b"vsftpd", b"pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=rhost=192.0.2.250 rhost=203.0.113.9  user=web");
        assert_eq!(ev.ip, ip("203.0.113.9"));
        // An injected ` user=` in ruser does not shift the user field.
        let ev = one_as(b"vsftpd", b"pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=a  user=root rhost=198.51.100.5  user=web");
        assert_eq!(ev.ip, ip("198.51.100.5"));
        assert_eq!(ev.user, Some(&b"web"[..]));
    }

    #[test]
    fn host_name_rhost_and_mapped() {
        let ev = one(b"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=host-7.example.net  user=alice");
        assert_eq!(ev.ip, None);
        assert_eq!(ev.user, Some(&b"alice"[..]));
        let ev = one(b"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=::ffff:192.0.2.9  user=alice");
        assert_eq!(ev.ip, ip("192.0.2.9"));
    }

    #[test]
    fn more_failures_carry_the_count() {
        let ev = one_as(b"login", b"pam_unix(login:auth): 2 more authentication failures; logname=LOGIN uid=0 euid=0 tty=tty1 ruser= rhost=  user=alice");
        assert_eq!(ev.count, 2);
        assert_eq!(ev.reason, Some(Reason::BadPassword));
        assert!(!ev.detail);
        let ev = one_as(b"login", b"pam_unix(login:auth): 1 more authentication failure; logname=LOGIN uid=0 euid=0 tty=tty1 ruser= rhost=  user=alice");
        assert_eq!(ev.count, 1);
        // `PAM ` prefix: the service is the program.
        let ev = one_as(b"sshd", b"PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.66  user=root");
        assert_eq!(ev.count, 5);
        assert!(ev.detail);
        assert_eq!(ev.service, Service::Ssh);
        assert_eq!(ev.ip, ip("192.0.2.66"));
    }

    #[test]
    fn user_unknown() {
        let ev = one(b"pam_unix(sshd:auth): check pass; user unknown");
        assert_eq!(ev.reason, Some(Reason::UnknownUser));
        assert_eq!(ev.user, None);
        assert!(ev.detail);
        let ev = one_as(
            b"login",
            b"pam_unix(login:auth): check pass; user (mallory) unknown",
        );
        assert_eq!(ev.user, Some(&b"mallory"[..]));
        assert!(!ev.detail);
        assert_eq!(
            verdict(b"pam_unix(sshd:auth): check pass; user weird"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn password_changed() {
        let ev = one_as(
            b"passwd",
            b"pam_unix(passwd:chauthtok): password changed for alice",
        );
        assert_eq!(ev.kind, Kind::PasswordChange);
        assert_eq!(ev.outcome, Outcome::Success);
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert_eq!(ev.service, Service::Other);
        assert_eq!(ev.count, 1);
        assert!(!ev.detail);
        assert_eq!(ev.reason, None);
        let ev = one_as(
            b"chpasswd",
            b"pam_unix(chpasswd:chauthtok): password changed for bob",
        );
        assert_eq!(ev.user, Some(&b"bob"[..]));
        let ev = one_as(
            b"passwd",
            b"pam_unix(passwd:chauthtok): password changed for carol on nis1",
        );
        assert_eq!(ev.user, Some(&b"carol"[..]));
        let ev = one_as(
            b"passwd",
            b"pam_unix(passwd:chauthtok): password not changed for carol on nis1",
        );
        assert_eq!(ev.outcome, Outcome::Failure);
        // Change at login under sshd: a change, not a counted attempt.
        let ev = one(b"pam_unix(sshd:chauthtok): password changed for dave");
        assert_eq!(ev.kind, Kind::PasswordChange);
        assert!(!ev.detail);
    }

    #[test]
    fn shadow_passwd_change() {
        let ev = one_as(b"passwd", b"password for 'alice' changed by 'root'");
        assert_eq!(ev.kind, Kind::PasswordChange);
        assert_eq!(ev.outcome, Outcome::Success);
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert_eq!(ev.service, Service::Other);
        let ev = one_as(b"passwd", b"password for `bob' changed by `root'");
        assert_eq!(ev.user, Some(&b"bob"[..]));
        assert_eq!(
            run_as(b"passwd", b"password for 'alice' changed").0,
            Verdict::Unrecognized
        );
        assert_eq!(
            run_as(b"chage", b"changed password expiry for alice").0,
            Verdict::Unrecognized
        );
    }

    #[test]
    fn expired_and_faillock() {
        let ev = one(b"pam_unix(sshd:account): account olduser has expired (account expired)");
        assert_eq!(ev.reason, Some(Reason::Expired));
        assert_eq!(ev.user, Some(&b"olduser"[..]));
        assert!(ev.detail);
        let ev = one(b"pam_faillock(sshd:auth): Consecutive login failures for user alice account temporarily locked");
        assert_eq!(ev.kind, Kind::Lockout);
        assert_eq!(ev.reason, Some(Reason::Locked));
        assert_eq!(ev.user, Some(&b"alice"[..]));
        assert!(ev.detail);
        let ev = one_as(b"su", b"pam_faillock(su:auth): Consecutive login failures for user root account temporarily locked");
        assert!(ev.detail);
    }

    #[test]
    fn sss_lines() {
        let ev = one(b"pam_sss(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.61 user=jdoe");
        assert_eq!(ev.user, Some(&b"jdoe"[..]));
        assert_eq!(ev.ip, ip("198.51.100.61"));
        let ev = one_as(b"sudo", b"pam_sss(sudo:auth): authentication success; logname=jdoe uid=1000 euid=0 tty=/dev/pts/0 ruser=jdoe rhost= user=jdoe");
        assert_eq!(ev.outcome, Outcome::Success);
        assert_eq!(ev.user, Some(&b"jdoe"[..]));
        assert!(!ev.detail);
        assert_eq!(
            verdict(b"pam_sss(sshd:auth): received for user jdoe: 7 (Authentication failure)"),
            Verdict::Ignored
        );
    }

    #[test]
    fn sessions_and_noise_are_ignored() {
        for (program, line) in [
            (
                &b"sshd"[..],
                &b"pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)"[..],
            ),
            (
                b"sshd",
                b"pam_unix(sshd:session): session opened for user alice by (uid=0)",
            ),
            (
                b"sshd",
                b"pam_unix(sshd:session): session closed for user alice",
            ),
            (
                b"CRON",
                b"pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)",
            ),
            (
                b"CRON",
                b"pam_unix(cron:session): session closed for user root",
            ),
            (
                b"sudo",
                b"pam_unix(sudo:session): session opened for user root(uid=0) by bob(uid=1000)",
            ),
            (
                b"login",
                b"pam_unix(login:session): session opened for user alice(uid=1000) by LOGIN(uid=0)",
            ),
            (
                b"sshd",
                b"pam_unix(sshd:auth): auth could not identify password for [alice]",
            ),
            (
                b"sshd",
                b"pam_unix(sshd:account): password for user alice will expire in 5 days",
            ),
            (
                b"passwd",
                b"pam_unix(passwd:chauthtok): user not authenticated",
            ),
            (
                b"passwd",
                b"pam_unix(passwd:chauthtok): new password not acceptable",
            ),
            (
                b"sshd",
                b"pam_systemd(sshd:session): New session 12 of user alice.",
            ),
            (b"sudo", b"pam_unix(sudo:auth): conversation failed"),
            (b"sshd", b"PAM service(sshd) ignoring max retries; 6 > 3"),
            (
                b"sshd",
                b"pam_env(sshd:session): deprecated reading of user environment enabled",
            ),
        ] {
            let (v, _) = run_as(program, line);
            assert_eq!(v, Verdict::Ignored, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn unknown_auth_wording_is_unrecognized() {
        assert_eq!(
            verdict(b"pam_unix(sshd:auth): authentication refused by policy for alice"),
            Verdict::Unrecognized
        );
        assert_eq!(
            verdict(b"pam_krb5(sshd:auth): authentication failure (bad password)"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn full_syslog_lines() {
        let mut out = Vec::new();
        let r = parse_line(
            b"Nov  3 07:01:02 bastion sshd[2211]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root",
            &mut out,
        );
        assert_eq!(r.source, Some(Source::Pam));
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].user, Some(&b"root"[..]));
        assert!(out[0].detail);

        out.clear();
        let r = parse_line(
            b"Nov 26 08:51:18 bastion passwd[2211]: pam_unix(passwd:chauthtok): password changed for alice",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].kind, Kind::PasswordChange);

        out.clear();
        let r = parse_line(
            b"Nov 26 08:51:19 bastion passwd[2212]: password for 'bob' changed by 'root'",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].user, Some(&b"bob"[..]));

        out.clear();
        let r = parse_line(
            b"Nov  9 00:17:01 bastion CRON[3310]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
            &mut out,
        );
        assert_eq!(r.source, Some(Source::Pam));
        assert_eq!(r.verdict, Verdict::Ignored);
        assert!(out.is_empty());

        out.clear();
        let r = parse_line(
            b"Nov  9 00:17:05 bastion sshd-session[3311]: message repeated 3 times: [ pam_unix(sshd:auth): check pass; user unknown]",
            &mut out,
        );
        // The dispatcher unwraps the repeat before routing: PAM reads it.
        assert_eq!(r.source, Some(Source::Pam));
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].source, Source::Pam);
        assert_eq!(out[0].reason, Some(Reason::UnknownUser));
        assert_eq!(out[0].count, 3);
        assert!(out[0].detail);

        out.clear();
        let r = parse_line(
            b"2025-11-26T08:51:18+01:00 ftp1 vsftpd[881]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=x rhost=192.0.2.250 rhost=198.51.100.30  user=web",
            &mut out,
        );
        assert_eq!(r.verdict, Verdict::Events);
        assert_eq!(out[0].ip, ip("198.51.100.30"));
        assert_eq!(out[0].service, Service::Ftp);
    }

    const REAL: &[&[u8]] = &[
        b"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.66  user=alice",
        b"pam_unix(login:auth): 3 more authentication failures; logname= uid=0 euid=0 tty=tty1 ruser= rhost=  user=a",
        b"pam_unix(login:auth): check pass; user (x) unknown",
        b"pam_unix(passwd:chauthtok): password changed for alice on nis1",
        b"password for 'alice' changed by 'root'",
        b"pam_faillock(sshd:auth): Consecutive login failures for user a account temporarily locked",
        b"pam_unix(sshd:account): account a has expired (account expired)",
        b"PAM 2 more authentication failures; rhost=1",
    ];

    #[test]
    fn prefixes_and_junk_never_panic() {
        let h = header(b"sshd");
        let mut out = Vec::new();
        for line in REAL {
            for i in 0..=line.len() {
                out.clear();
                let _ = parse(&h, &line[..i], &mut out);
                out.clear();
                let _ = parse(&h, &line[i..], &mut out);
            }
        }
        let junk: Vec<u8> = (0..=255u8).rev().cycle().take(3000).collect();
        for w in junk.chunks(41) {
            out.clear();
            let _ = parse(&h, w, &mut out);
        }
        for odd in [
            &b""[..],
            b"(",
            b"x():",
            b"x(:):",
            b"pam_unix(sshd:auth):",
            b"PAM ",
            b"PAM 99999999999999999999 more authentication failures;",
            b"4294967296 more authentication failures;",
            b"pam_unix(a:b): account  has expired (",
            b"password for '",
            b"pam_unix(\xff:\xfe): authentication failure; rhost=\xff user=\xfe",
        ] {
            out.clear();
            let _ = parse(&h, odd, &mut out);
        }
    }
}
