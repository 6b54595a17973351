//! Exim: SMTP AUTH failures and authenticated arrivals.
//!
//! Two lines matter (Exim `src/src/smtp_in.c`, `receive.c`, `host.c`):
//!
//! - `smtp_in.c`: `"%s authenticator failed for %s: %s"` with the
//!   authenticator's name, `host_and_ident(TRUE)` (`H=` and the
//!   `sender_fullhost` `[name ][(helo) ][ip]:port`, then optional
//!   ` I=[local]:port`, ` U=ident`, ` Ci=id`; older releases without `H=`)
//!   and the error: `535 Incorrect authentication data (set_id=USER)` for a
//!   wrong password, `435 Unable to authenticate at present (set_id=USER):
//!   why` or `435 Internal error ...` when the authenticator could not
//!   decide (a temporary failure, not a bad password), `501 Invalid base64
//!   data`, `501 Authentication cancelled`, `553 Initial data not expected`.
//! - `receive.c`: the arrival line `ID <= sender [R=..] H=... [I=..] [U=..]
//!   [Ci=..] P=proto [L] [X=cipher] [CV=..] [DN=".."] [SNI=..]
//!   A=authenticator:id[:auth_sender] [PRDR] [PRX=..] [K] S=size ...`: an
//!   authenticated client handed over a message, which is both a successful
//!   login and a submission. `A=` on `=>` delivery lines is Exim
//!   authenticating as a client to the next hop, not a user login, and is
//!   never read.
//!
//! Lines come from Exim's own log (`2013-01-04 17:03:46 msg`, program
//! `exim` from the envelope split) or from syslog, where Exim writes its own
//! timestamp into the message (`exim[pid]: 2021-07-17 23:20:49 msg`): that
//! inner stamp is cut off here.

use super::header::strip_exim_stamp;
use super::util::{bracketed_ip, contains_ci, find, non_empty, rfind};
use super::{Header, Verdict};
use crate::event::{Kind, Outcome, Parsed, Reason, Service, Source};
use std::net::IpAddr;

/// Read one Exim message.
pub fn parse<'a>(_h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let msg = strip_exim_stamp(msg);
    if let Some(i) = find(msg, b" authenticator failed for ") {
        return auth_failed(msg, i, out);
    }
    if let Some(v) = arrival(msg, out) {
        return v;
    }
    if contains_ci(msg, b"authenticator") || find(msg, b"(set_id=").is_some() {
        Verdict::Unrecognized
    } else {
        Verdict::Ignored
    }
}

/// `NAME authenticator failed for HOST: CODE TEXT`.
fn auth_failed<'a>(msg: &'a [u8], i: usize, out: &mut Vec<Parsed<'a>>) -> Verdict {
    let name = &msg[..i];
    if name.is_empty() || name.contains(&b' ') {
        return Verdict::Unrecognized;
    }
    let rest = &msg[i + b" authenticator failed for ".len()..];
    // The host part ends at the first `: ` followed by a three-digit code
    // (the HELO name cannot hold a space).
    let Some((host, code, text)) = split_response(rest) else {
        return Verdict::Unrecognized;
    };
    let reason = match code {
        b"535" => Reason::BadPassword,
        // Temporary failure or internal error: not a password guess.
        b"435" | b"454" => return Verdict::Ignored,
        // Bad base64, cancelled, initial data not expected: the client
        // gave up or broke the protocol.
        b"501" | b"553" => return Verdict::Ignored,
        _ => return Verdict::Unrecognized,
    };
    let mut p = Parsed::login(Outcome::Failure, Source::Exim, Service::Smtp);
    p.ip = host_ip(host);
    p.method = Some(name);
    p.reason = Some(reason);
    p.user = set_id(text);
    out.push(p);
    Verdict::Events
}

/// `HOST: NNN text` → (HOST, NNN, text).
fn split_response(rest: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let mut from = 0;
    while let Some(j) = find(&rest[from..], b": ") {
        let at = from + j;
        let after = &rest[at + 2..];
        if after.len() >= 3
            && after[..3].iter().all(u8::is_ascii_digit)
            && (after.len() == 3 || after[3] == b' ')
        {
            return Some((&rest[..at], &after[..3], after.get(4..).unwrap_or(b"")));
        }
        from = at + 1;
    }
    None
}

/// The client address of `host_and_ident()`: the first `[ip]` token
/// (`H=` prefix allowed); the HELO name is in parentheses.
fn host_ip(host: &[u8]) -> Option<IpAddr> {
    for tok in host.split(|&b| b == b' ') {
        let t = tok.strip_prefix(b"H=").unwrap_or(tok);
        if t.first() == Some(&b'[') {
            return bracketed_ip(t);
        }
        if tok.starts_with(b"I=") || tok.starts_with(b"U=") || tok.starts_with(b"Ci=") {
            return None;
        }
    }
    None
}

/// The user of ` (set_id=USER)` at the end of a 535 text, or of
/// ` (set_id=USER): why` in a 435 one. The user is attacker text: it ends
/// at the last `)` of the line (535).
fn set_id(text: &[u8]) -> Option<&[u8]> {
    let i = find(text, b"(set_id=")?;
    let v = &text[i + 8..];
    let end = memchr::memrchr(b')', v)?;
    non_empty(&v[..end])
}

/// `ID <= sender ... A=name:id ... S=n`: `None` when the line is not an
/// arrival.
fn arrival<'a>(msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Option<Verdict> {
    let sp = memchr::memchr(b' ', msg)?;
    let id = &msg[..sp];
    if id.len() < 12
        || !id.contains(&b'-')
        || !id.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    {
        return None;
    }
    let rest = msg[sp..]
        .strip_prefix(b" <= ")
        .or_else(|| msg[sp..].strip_prefix(b" (= "))?;
    // The sender: one token, or a quoted local part that may hold spaces.
    let after_sender = if rest.first() == Some(&b'"') {
        let q = memchr::memchr(b'"', &rest[1..]).map(|q| q + 2)?;
        let sp = memchr::memchr(b' ', &rest[q..]).map_or(rest.len(), |s| q + s);
        &rest[sp..]
    } else {
        &rest[memchr::memchr(b' ', rest).unwrap_or(rest.len())..]
    };
    let Some(a) = find_field(after_sender, b" A=") else {
        return Some(Verdict::Ignored);
    };
    let fields = &after_sender[..a];
    let av = &after_sender[a + 3..];
    // The value runs to ` S=<digits>`, less the fields Exim may put between.
    let mut end = find(av, b" S=").unwrap_or(av.len());
    let mut from = 0;
    while let Some(j) = find(&av[from..], b" S=") {
        let at = from + j;
        if av.get(at + 3).is_some_and(u8::is_ascii_digit) {
            end = at;
            break;
        }
        from = at + 1;
    }
    let mut value = &av[..end];
    if let Some(x) = find(value, b" PRX=") {
        value = &value[..x];
    }
    value = value.strip_suffix(b" K").unwrap_or(value);
    value = value.strip_suffix(b" PRDR").unwrap_or(value);
    let (name, user) = match memchr::memchr(b':', value) {
        Some(c) => (&value[..c], non_empty(&value[c + 1..])),
        None => (value, None),
    };
    if name.is_empty() {
        return Some(Verdict::Unrecognized);
    }
    // `+smtp_mailauth` appends `:auth_sender` (an address) to the id.
    let user = user.map(|u| match memchr::memrchr(b':', u) {
        Some(c) if u[c + 1..].contains(&b'@') && !u[c + 1..].contains(&b' ') => &u[..c],
        _ => u,
    });
    let ip = find_field(fields, b" H=").and_then(|h| host_ip(&fields[h + 1..]));
    let tls = if ip.is_some() {
        Some(
            find_field(fields, b" X=").is_some()
                || find_field(fields, b" P=").is_some_and(|p| {
                    fields[p + 3..].starts_with(b"esmtps") || fields[p + 3..].starts_with(b"smtps")
                }),
        )
    } else {
        None
    };
    for kind in [Kind::Login, Kind::MessageSubmitted] {
        let mut p = Parsed::login(Outcome::Success, Source::Exim, Service::Smtp);
        p.kind = kind;
        p.user = user;
        p.ip = ip;
        p.method = Some(name);
        p.tls = tls;
        out.push(p);
    }
    Some(Verdict::Events)
}

/// The first ` KEY` field, skipping the quoted certificate DN (` DN="..."`,
/// client text) when it comes first.
fn find_field(s: &[u8], key: &[u8]) -> Option<usize> {
    let at = find(s, key)?;
    match find(&s[..at], b" DN=\"") {
        None => Some(at),
        Some(dn) => {
            // Skip to the last `" ` before the next field we look for.
            let q = rfind(&s[dn + 5..], b"\" ").map(|q| dn + 5 + q + 1)?;
            find(&s[q..], key).map(|k| q + k)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{fuzz, ip, line, one, verdict};

    // Shapes built from `smtp_in.c` `"%s authenticator failed for %s: %s"`
    // with `host_and_ident(TRUE)` (`host.c`) and the 535/435 texts of
    // `smtp_in_auth()`.
    #[test]
    fn failure_535_own_log() {
        let p = one("2024-03-21 19:26:06 dovecot_login authenticator failed for H=(User) [198.51.100.1]:21298 I=[203.0.113.55]:465 Ci=30416: 535 Incorrect authentication data (set_id=carol@example.org)");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.source, Source::Exim);
        assert_eq!(p.service, Service::Smtp);
        assert_eq!(p.user, Some(&b"carol@example.org"[..]));
        assert_eq!(p.ip, ip("198.51.100.1"));
        assert_eq!(p.method, Some(&b"dovecot_login"[..]));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.count, 1);
        assert!(!p.detail);
    }

    // Older Exim (4.8x, as in fail2ban's sample) wrote no `H=`.
    #[test]
    fn failure_without_h_and_with_name() {
        let p = one("2013-01-04 17:03:46 login authenticator failed for mail.example.net (helo.example.net) [192.0.2.77]: 535 Incorrect authentication data (set_id=dave)");
        assert_eq!(p.user, Some(&b"dave"[..]));
        assert_eq!(p.ip, ip("192.0.2.77"));
        // No set_id (the client sent nothing usable).
        let p = one("2013-01-04 17:03:46 plain authenticator failed for (x) [2001:db8::7]:587: 535 Incorrect authentication data");
        assert_eq!(p.user, None);
        assert_eq!(p.ip, ip("2001:db8::7"));
        // HELO given as an IP literal in parentheses is not the address.
        let p = one("2013-01-04 17:03:46 plain authenticator failed for H=([203.0.113.9]) [192.0.2.78]:587: 535 Incorrect authentication data (set_id=erin)");
        assert_eq!(p.ip, ip("192.0.2.78"));
    }

    #[test]
    fn user_is_attacker_text() {
        let p = one("2024-03-21 19:26:06 plain_server authenticator failed for H=(x) [192.0.2.5]:4000: 535 Incorrect authentication data (set_id=a) (set_id=root)");
        assert_eq!(p.user, Some(&b"a) (set_id=root"[..]));
        assert_eq!(p.ip, ip("192.0.2.5"));
    }

    #[test]
    fn tempfail_and_protocol_errors_are_not_attempts() {
        for l in [
            "2024-03-21 19:26:06 plain_server authenticator failed for H=(x) [192.0.2.5]:4000: 435 Unable to authenticate at present (set_id=frank): failed to connect to authentication daemon",
            "2024-03-21 19:26:06 plain_server authenticator failed for H=(x) [192.0.2.5]:4000: 435 Internal error (set_id=frank): return 7 from authentication check",
            "2024-03-21 19:26:06 login authenticator failed for H=(x) [192.0.2.5]:4000: 501 Invalid base64 data",
            "2024-03-21 19:26:06 login authenticator failed for H=(x) [192.0.2.5]:4000: 501 Authentication cancelled",
        ] {
            assert_eq!(verdict(l), Verdict::Ignored, "{l}");
        }
    }

    // Exim through syslog: the inner timestamp (syslog_timestamp) is cut.
    #[test]
    fn syslog_wrapped() {
        let p = one("Jul 17 23:20:49 mail exim[3751842]: 2021-07-17 23:20:49 plain_server authenticator failed for (client) [203.0.113.40]: 535 Incorrect authentication data (set_id=grace@example.org)");
        assert_eq!(p.user, Some(&b"grace@example.org"[..]));
        assert_eq!(p.ip, ip("203.0.113.40"));
        // With +pid inside, and through rsyslog's ISO format.
        let p = one("2021-07-17T23:20:49+02:00 mail exim[12]: 2021-07-17 23:20:49.123 +0200 [12] plain_server authenticator failed for H=(c) [203.0.113.41]: 535 Incorrect authentication data (set_id=heidi)");
        assert_eq!(p.user, Some(&b"heidi"[..]));
        // Without the inner stamp (syslog_timestamp = false).
        let p = one("Jul 17 23:20:49 mail exim4[9]: login authenticator failed for (c) [203.0.113.42]: 535 Incorrect authentication data (set_id=ivan)");
        assert_eq!(p.user, Some(&b"ivan"[..]));
    }

    // Shapes from `receive.c`: `<= sender`, `add_host_info_for_log()`,
    // `add_tls_info_for_log()`, then ` A=name:id`.
    #[test]
    fn arrival_with_auth_is_login_and_submission() {
        let (v, out) = line("2025-11-26 08:51:18 1tFdXa-000000003Xy-2bcd <= alice@example.org H=(laptop) [192.0.2.10]:51234 I=[198.51.100.5]:587 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_plain:alice@example.org S=2345 id=abc@laptop");
        assert_eq!(v, Verdict::Events);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind, Kind::Login);
        assert_eq!(out[1].kind, Kind::MessageSubmitted);
        for p in &out {
            assert_eq!(p.outcome, Outcome::Success);
            assert_eq!(p.user, Some(&b"alice@example.org"[..]));
            assert_eq!(p.ip, ip("192.0.2.10"));
            assert_eq!(p.method, Some(&b"dovecot_plain"[..]));
            assert_eq!(p.tls, Some(true));
            assert_eq!(p.source, Source::Exim);
            assert_eq!(p.service, Service::Smtp);
        }
    }

    #[test]
    fn arrival_variants() {
        // Exim's test suite shape: U=, P=esmtpa, no TLS.
        let (_, out) = line("2025-11-26 08:51:18 10HmbC-000000005vi-0000 <= userx@example.org H=(test.host) [192.0.2.1] U=CALLER P=esmtpa A=login:userx S=1234 for userx11@example.org");
        assert_eq!(out[0].user, Some(&b"userx"[..]));
        assert_eq!(out[0].ip, ip("192.0.2.1"));
        assert_eq!(out[0].tls, Some(false));
        // Old message ids, +pid, PRDR and K before S=, smtp_mailauth.
        let (_, out) = line("2025-11-26 08:51:18 [4242] 1abcDE-0001Ab-Cd <= bob@example.org H=mx.example.net [2001:db8::25]:4000 P=esmtpsa X=TLS1.2:ECDHE:128 A=plain:bob:bob@example.org PRDR K S=99");
        assert_eq!(out[0].user, Some(&b"bob"[..]));
        assert_eq!(out[0].ip, ip("2001:db8::25"));
        // A quoted sender with spaces and a fake A= inside it.
        let (_, out) = line("2025-11-26 08:51:18 1abcDE-0001Ab-Cd <= \"x A=plain:root\"@example.org H=(h) [192.0.2.3] P=esmtpa A=plain:carol S=10");
        assert_eq!(out[0].user, Some(&b"carol"[..]));
        // Through syslog.
        let (_, out) = line("Nov 26 08:51:18 mx exim[77]: 2025-11-26 08:51:18 1abcDE-0001Ab-Cd <= d@example.org H=(h) [192.0.2.4] P=esmtpa A=login:dave S=10");
        assert_eq!(out[0].user, Some(&b"dave"[..]));
    }

    #[test]
    fn deliveries_and_unauthenticated_arrivals_are_ignored() {
        for l in [
            "2025-11-26 08:51:18 1abcDE-0001Ab-Cd <= sender@example.net H=mx.example.net [198.51.100.20] P=esmtps X=TLS1.3:x:256 S=1234",
            "2025-11-26 08:51:19 1abcDE-0001Ab-Cd => carol@example.org R=smarthost T=remote_smtp H=relay.example.net [198.51.100.30] X=TLS1.3:x:256 A=plain C=\"250 OK\"",
            "2025-11-26 08:51:19 1abcDE-0001Ab-Cd -> other@example.org R=smarthost T=remote_smtp H=relay.example.net [198.51.100.30] A=login:relayuser",
            "2025-11-26 08:51:19 1abcDE-0001Ab-Cd Completed",
            "2025-11-26 08:51:19 SMTP connection from (x) [192.0.2.9] lost",
        ] {
            assert_eq!(verdict(l), Verdict::Ignored, "{l}");
        }
    }

    #[test]
    fn new_wordings_are_counted() {
        assert_eq!(
            verdict("2025-11-26 08:51:19 plain authenticator rejected for (x) [192.0.2.9]: 535 nope (set_id=x)"),
            Verdict::Unrecognized
        );
        assert_eq!(
            verdict("2025-11-26 08:51:19 plain authenticator failed for (x) [192.0.2.9]: 599 something (set_id=x)"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn robust() {
        fuzz(
            parse,
            &[b"exim"],
            &[
                "2024-03-21 19:26:06 dovecot_login authenticator failed for H=(User) [198.51.100.1]:21298 I=[203.0.113.55]:465 Ci=30416: 535 Incorrect authentication data (set_id=carol@example.org)",
                "1tFdXa-000000003Xy-2bcd <= \"a b\"@example.org H=(laptop) [192.0.2.10]:51234 P=esmtpsa X=TLS1.3:x:256 DN=\"CN=x\" A=dovecot_plain:alice@example.org:a@b PRDR K S=2345",
            ],
            b"[]():= <>\"AHSP0123456789.-authenticator failed set_id",
        );
    }
}
