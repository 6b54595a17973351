//! Turning a line of log text into normalized events.
//!
//! [`header::split`] cuts off the envelope (timestamp, host, program tag)
//! without decoding anything; [`family_of`] decides from the program tag, in
//! a few byte comparisons, whether the line can matter at all; only then
//! does a family parser (one module per software) look at the message.
//! Parsers only ever see `&[u8]` and never allocate.

pub mod courier;
pub mod cyrus;
pub mod dovecot;
pub mod dropbear;
pub mod exim;
pub mod header;
pub mod m365;
pub mod pam;
pub mod postfix;
pub mod proftpd;
pub mod pureftpd;
pub mod roundcube;
pub mod saslauthd;
pub mod sendmail;
pub mod sogo;
pub mod sshd;
pub mod time;
pub mod util;
pub mod vsftpd;
pub mod zimbra;

use crate::event::{Parsed, Source};
pub use header::Header;
use header::{JsonMsg, RawStamp};

/// What a family parser made of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It pushed one or more events.
    Events,
    /// The line is understood and is not an authentication event
    /// (connection noise, deliveries, session lines).
    Ignored,
    /// The line looks like authentication (a login, a password, a failure)
    /// but no pattern of the family understood it: counted in the report
    /// so a change of wording does not make logins vanish silently.
    Unrecognized,
}

/// A family parser: the header of the line (program, pid, host) and the
/// message to read (the header's own `msg`, or the inner message of an
/// rsyslog `message repeated N times: [ ... ]`).
pub type FamilyParser = for<'a> fn(&Header<'a>, &'a [u8], &mut Vec<Parsed<'a>>) -> Verdict;

/// The family that reads lines of this program, if any.
pub fn family_of(program: &[u8], msg: &[u8]) -> Option<(Source, FamilyParser)> {
    // PAM modules log under the program that called them (sshd, dovecot's
    // `auth`, su, login, vsftpd ...): their prefix decides first.
    if msg.starts_with(b"pam_") || (msg.starts_with(b"PAM ") && program != b"sshd") {
        return Some((Source::Pam, pam::parse));
    }
    if let Some(f) = family_by_name(program) {
        return Some(f);
    }
    // No name above starts with `auth(` or `postfix`, nor holds a `/`: the
    // order of these rules and the names does not matter.
    match program {
        // Dovecot 2.4's own log file: `auth(user,ip,sasl:login)<session>: ...`.
        _ if program.starts_with(b"auth(") || program.starts_with(b"auth-worker(") => {
            Some((Source::Dovecot, dovecot::parse))
        }
        _ if program.starts_with(b"postfix") && program.ends_with(b"/smtpd") => {
            Some((Source::Postfix, postfix::parse))
        }
        // Cyrus with a `syslog_prefix` or the `cyrus/` ident: `cyrus/imap`,
        // `0506150101/imap`.
        _ if cyrus::is_service_tag(program) => Some((Source::Cyrus, cyrus::parse)),
        _ => None,
    }
}

/// The family of a program known by its exact name. The names are grouped
/// by first byte, so the line of a program of no interest (most lines of a
/// mail log) costs a compare or two, not one per name.
fn family_by_name(program: &[u8]) -> Option<(Source, FamilyParser)> {
    const DOVECOT: (Source, FamilyParser) = (Source::Dovecot, dovecot::parse);
    const COURIER: (Source, FamilyParser) = (Source::Courier, courier::parse);
    const CYRUS: (Source, FamilyParser) = (Source::Cyrus, cyrus::parse);
    const PAM: (Source, FamilyParser) = (Source::Pam, pam::parse);
    let f = match *program.first()? {
        b'a' => match program {
            b"auth" | b"auth-worker" => DOVECOT,
            _ => return None,
        },
        b'c' => match program {
            b"chpasswd" => PAM,
            b"courierpop3login" | b"courierpop3d" | b"courier-imapd" | b"courier-imapd-ssl"
            | b"courier-pop3d" | b"courier-pop3d-ssl" => COURIER,
            _ => return None,
        },
        b'd' => match program {
            b"dovecot" | b"dovecot-auth" => DOVECOT,
            b"dropbear" => (Source::Dropbear, dropbear::parse as FamilyParser),
            _ => return None,
        },
        b'e' => match program {
            b"exim" | b"exim4" => (Source::Exim, exim::parse as FamilyParser),
            _ => return None,
        },
        b'i' => match program {
            b"imap-login" => DOVECOT,
            b"imapd" | b"imapd-ssl" | b"imaplogin" => COURIER,
            b"imap" | b"imaps" => CYRUS,
            _ => return None,
        },
        b'm' => match program {
            b"managesieve-login" => DOVECOT,
            _ => return None,
        },
        b'p' => match program {
            b"pop3-login" => DOVECOT,
            b"passwd" => PAM,
            b"pop3d" | b"pop3d-ssl" | b"pop3login" => COURIER,
            b"pop3" | b"pop3s" => CYRUS,
            b"proftpd" => (Source::Proftpd, proftpd::parse as FamilyParser),
            b"pure-ftpd" => (Source::Pureftpd, pureftpd::parse as FamilyParser),
            _ => return None,
        },
        b'r' => match program {
            b"roundcube" => (Source::Roundcube, roundcube::parse as FamilyParser),
            _ => return None,
        },
        b's' => match program {
            b"submission-login" => DOVECOT,
            b"sshd" | b"sshd-session" => (Source::Sshd, sshd::parse as FamilyParser),
            b"sendmail" | b"sm-mta" => (Source::Sendmail, sendmail::parse as FamilyParser),
            b"sieve" => CYRUS,
            b"sogod" | b"sogo" => (Source::Sogo, sogo::parse as FamilyParser),
            b"saslauthd" => (Source::Saslauthd, saslauthd::parse as FamilyParser),
            _ => return None,
        },
        b't' => match program {
            b"timsieved" => CYRUS,
            _ => return None,
        },
        b'v' => match program {
            b"vsftpd" => (Source::Vsftpd, vsftpd::parse as FamilyParser),
            _ => return None,
        },
        b'z' => match program {
            b"zimbra" => (Source::Zimbra, zimbra::parse as FamilyParser),
            _ => return None,
        },
        _ => return None,
    };
    Some(f)
}

/// The result of reading one line.
#[derive(Debug)]
pub struct LineResult<'a> {
    /// The envelope, when one was recognized.
    pub header: Option<Header<'a>>,
    /// The family that read it, if any.
    pub source: Option<Source>,
    /// What the family made of it (`Ignored` when no family applies).
    pub verdict: Verdict,
}

/// Read one line (without its newline): events are pushed onto `out`.
pub fn parse_line<'a>(line: &'a [u8], out: &mut Vec<Parsed<'a>>) -> LineResult<'a> {
    let Some(header) = header::split(line) else {
        return LineResult {
            header: None,
            source: None,
            verdict: Verdict::Ignored,
        };
    };
    let (msg, repeat) = match util::message_repeated(header.msg) {
        Some((n, inner)) => (inner, n),
        None => (header.msg, 1),
    };
    let Some((source, parser)) = family_of(header.program, msg) else {
        return LineResult {
            header: Some(header),
            source: None,
            verdict: Verdict::Ignored,
        };
    };
    let start = out.len();
    let verdict = match header.stamp {
        // journald wrote the message as an array of byte values (it is not
        // UTF-8): no parser can read it, but it is a line of an
        // authentication program, so it is counted.
        RawStamp::Journal(_, JsonMsg::Bytes) => Verdict::Unrecognized,
        // A JSON string with escapes: parsers read the raw text (escapes only
        // add backslashes, they cannot make structure), but a user name or
        // mechanism that holds an escape would be the wrong account: such a
        // line is counted as not understood instead.
        RawStamp::Journal(_, JsonMsg::Escaped) => {
            let v = parser(&header, msg, out);
            let escaped = |b: Option<&[u8]>| b.is_some_and(|b| b.contains(&b'\\'));
            if out[start..]
                .iter()
                .any(|e| escaped(e.user) || escaped(e.method))
            {
                out.truncate(start);
                Verdict::Unrecognized
            } else {
                v
            }
        }
        _ => parser(&header, msg, out),
    };
    if repeat > 1 {
        for ev in &mut out[start..] {
            ev.count = ev.count.saturating_mul(repeat);
        }
    }
    LineResult {
        header: Some(header),
        source: Some(source),
        verdict,
    }
}

/// Helpers for the family parsers' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Read a whole line through the envelope split and the dispatch; the
    /// verdict and the events. Checks that only `Events` pushes events.
    pub fn line(l: &str) -> (Verdict, Vec<Parsed<'_>>) {
        let mut out = Vec::new();
        let r = parse_line(l.as_bytes(), &mut out);
        assert_eq!(
            r.verdict == Verdict::Events,
            !out.is_empty(),
            "{l}: {:?} {out:?}",
            r.verdict
        );
        (r.verdict, out)
    }

    /// The one event of a line.
    pub fn one(l: &str) -> Parsed<'_> {
        let (v, mut out) = line(l);
        assert_eq!(v, Verdict::Events, "{l}");
        assert_eq!(out.len(), 1, "{l}: {out:?}");
        out.pop().unwrap()
    }

    /// The verdict of a line.
    pub fn verdict(l: &str) -> Verdict {
        line(l).0
    }

    /// An address, for comparisons.
    pub fn ip(s: &str) -> Option<std::net::IpAddr> {
        Some(s.parse().unwrap())
    }

    /// Run `parser` over every prefix and suffix of each sample, random
    /// bytes from `alphabet` and mutations of the samples, under each
    /// program name: nothing panics, and only `Events` pushes events.
    pub fn fuzz(parser: FamilyParser, programs: &[&[u8]], samples: &[&str], alphabet: &[u8]) {
        fuzz_with_pids(parser, programs, &[b"1"], samples, alphabet);
    }

    /// [`fuzz`], under each of `pids` too (for families that read the pid
    /// field, like Dovecot's `auth(user,ip)` contexts).
    pub fn fuzz_with_pids(
        parser: FamilyParser,
        programs: &[&[u8]],
        pids: &[&[u8]],
        samples: &[&str],
        alphabet: &[u8],
    ) {
        let run = |m: &[u8]| {
            for program in programs {
                for pid in pids {
                    for host in [&b""[..], b"mx1"] {
                        let h = Header {
                            stamp: RawStamp::Bsd(b"Nov 26 08:51:18"),
                            host,
                            program,
                            pid,
                            msg: m,
                        };
                        let mut out = Vec::new();
                        let v = parser(&h, m, &mut out);
                        assert_eq!(v == Verdict::Events, !out.is_empty());
                    }
                }
            }
        };
        for s in samples {
            let b = s.as_bytes();
            for i in 0..=b.len() {
                run(&b[..i]);
                run(&b[i..]);
            }
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..2000 {
            let len = (next() % 120) as usize;
            let buf: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 3 == 0 {
                        (r >> 8) as u8
                    } else {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    }
                })
                .collect();
            run(&buf);
        }
        for s in samples {
            for _ in 0..200 {
                let mut buf = s.as_bytes().to_vec();
                for _ in 0..3 {
                    let r = next();
                    let at = (r as usize) % (buf.len() + 1);
                    let c = alphabet[(r >> 16) as usize % alphabet.len()];
                    if r & 1 == 0 && at < buf.len() {
                        buf[at] = c;
                    } else {
                        buf.insert(at, c);
                    }
                }
                run(&buf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{ip, line, one};
    use super::*;
    use crate::event::{Outcome, Reason, Service};

    // Dovecot's own log file behind multilog: a TAI64N label, no host, the
    // `Info:` level (2.3 `client_destroy_success(client, "Login")`).
    #[test]
    fn dovecot_behind_tai64n() {
        let p = one("@400000004c91b044077a9e94 imap-login: Info: Login: user=<alice@example.org>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=12345, TLS, session=<q454Xu/vMwBZApgg>");
        assert_eq!(p.source, Source::Dovecot);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.user, Some(&b"alice@example.org"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
        let p = one("@400000004c91b044077a9e94 pop3-login: Info: Aborted login (auth failed, 2 attempts in 9 secs): user=<bob>, method=PLAIN, rip=198.51.100.7, lip=192.0.2.1, session=<AAAAAAAAAAAAAAAA>");
        assert_eq!(p.count, 2);
        assert_eq!(p.service, Service::Pop3);
        assert_eq!(p.reason, Some(Reason::BadPassword));
    }

    #[test]
    fn dovecot_own_log_file() {
        let p = one("Jan 29 09:33:58 imap-login: Info: Login: user=<carol>, method=PLAIN, rip=192.0.2.11, lip=198.51.100.5, mpid=7, TLS, session=<AAAAAAAAAAAAAAAB>");
        assert_eq!(p.user, Some(&b"carol"[..]));
    }

    // journalctl -o json around lines of several families.
    #[test]
    fn journald_lines() {
        let p = one(
            r#"{"__REALTIME_TIMESTAMP":"1732607478123456","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"dovecot","_PID":"241","MESSAGE":"imap-login: Login: user=<dave@example.org>, method=PLAIN, rip=192.0.2.12, lip=198.51.100.5, mpid=1, TLS, session=<AAAAAAAAAAAAAAAC>"}"#,
        );
        assert_eq!(p.user, Some(&b"dave@example.org"[..]));
        let p = one(
            r#"{"__REALTIME_TIMESTAMP":"1732607478123456","_HOSTNAME":"gw","SYSLOG_IDENTIFIER":"sshd","_PID":"9","MESSAGE":"Failed password for erin from 203.0.113.4 port 4000 ssh2"}"#,
        );
        assert_eq!(p.user, Some(&b"erin"[..]));
        // An escape elsewhere in the message is harmless.
        let p = one(
            r#"{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sogod","MESSAGE":"SOGoRootPage successful login from '192.0.2.13' for user 'frank' - expire = -1 \t grace = -1"}"#,
        );
        assert_eq!(p.user, Some(&b"frank"[..]));
        // An escape in the user name: not understood, counted.
        let (v, out) = line(
            r#"{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Failed password for invalid user a\"b from 203.0.113.4 port 4000 ssh2"}"#,
        );
        assert_eq!(v, Verdict::Unrecognized);
        assert!(out.is_empty());
        // Bytes (not UTF-8): counted as not understood for an auth program,
        // ignored for others.
        assert_eq!(
            line(
                r#"{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":[70,97,255]}"#
            )
            .0,
            Verdict::Unrecognized
        );
        assert_eq!(
            line(
                r#"{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"cron","MESSAGE":[70,97,255]}"#
            )
            .0,
            Verdict::Ignored
        );
    }

    /// The dispatch as one list of names (as it was before it was grouped
    /// by first byte): both give the same family for every name, and for
    /// names near them.
    #[test]
    fn dispatch_by_name_matches_the_list() {
        fn reference(program: &[u8]) -> Option<Source> {
            Some(match program {
                b"dovecot" | b"imap-login" | b"pop3-login" | b"submission-login"
                | b"managesieve-login" | b"auth" | b"auth-worker" | b"dovecot-auth" => {
                    Source::Dovecot
                }
                b"sshd" | b"sshd-session" => Source::Sshd,
                b"roundcube" => Source::Roundcube,
                b"passwd" | b"chpasswd" => Source::Pam,
                b"exim" | b"exim4" => Source::Exim,
                b"sendmail" | b"sm-mta" => Source::Sendmail,
                b"imapd" | b"imapd-ssl" | b"pop3d" | b"pop3d-ssl" | b"courierpop3login"
                | b"courierpop3d" | b"courier-imapd" | b"courier-imapd-ssl" | b"courier-pop3d"
                | b"courier-pop3d-ssl" | b"imaplogin" | b"pop3login" => Source::Courier,
                b"imap" | b"imaps" | b"pop3" | b"pop3s" | b"sieve" | b"timsieved" => Source::Cyrus,
                b"sogod" | b"sogo" => Source::Sogo,
                b"zimbra" => Source::Zimbra,
                b"saslauthd" => Source::Saslauthd,
                b"vsftpd" => Source::Vsftpd,
                b"proftpd" => Source::Proftpd,
                b"pure-ftpd" => Source::Pureftpd,
                b"dropbear" => Source::Dropbear,
                _ if program.starts_with(b"auth(") || program.starts_with(b"auth-worker(") => {
                    Source::Dovecot
                }
                _ if program.starts_with(b"postfix") && program.ends_with(b"/smtpd") => {
                    Source::Postfix
                }
                _ if crate::parse::cyrus::is_service_tag(program) => Source::Cyrus,
                _ => return None,
            })
        }
        let names: &[&[u8]] = &[
            b"dovecot",
            b"imap-login",
            b"pop3-login",
            b"submission-login",
            b"managesieve-login",
            b"auth",
            b"auth-worker",
            b"dovecot-auth",
            b"sshd",
            b"sshd-session",
            b"roundcube",
            b"passwd",
            b"chpasswd",
            b"exim",
            b"exim4",
            b"sendmail",
            b"sm-mta",
            b"imapd",
            b"imapd-ssl",
            b"pop3d",
            b"pop3d-ssl",
            b"courierpop3login",
            b"courierpop3d",
            b"courier-imapd",
            b"courier-imapd-ssl",
            b"courier-pop3d",
            b"courier-pop3d-ssl",
            b"imaplogin",
            b"pop3login",
            b"imap",
            b"imaps",
            b"pop3",
            b"pop3s",
            b"sieve",
            b"timsieved",
            b"sogod",
            b"sogo",
            b"zimbra",
            b"saslauthd",
            b"vsftpd",
            b"proftpd",
            b"pure-ftpd",
            b"dropbear",
            b"auth(u,1.2.3.4,sasl:plain)<x>",
            b"auth-worker(9)",
            b"postfix/smtpd",
            b"postfix/submission/smtpd",
            b"postfix/qmgr",
            b"postfix/imap",
            b"cyrus/imap",
            b"0506150101/pop3s",
            b"CRON",
            b"systemd-logind",
            b"",
            b"a",
            b"s",
            b"postfix",
        ];
        for name in names {
            let mut variants = vec![name.to_vec()];
            if !name.is_empty() {
                variants.push(name[..name.len() - 1].to_vec());
                variants.push([*name, b"x"].concat());
                variants.push(name.to_ascii_uppercase());
            }
            for v in variants {
                assert_eq!(
                    family_of(&v, b"x").map(|f| f.0),
                    reference(&v),
                    "{}",
                    String::from_utf8_lossy(&v)
                );
            }
        }
    }

    #[test]
    fn dispatch() {
        for (program, source) in [
            (&b"exim"[..], Source::Exim),
            (b"exim4", Source::Exim),
            (b"sm-mta", Source::Sendmail),
            (b"imapd-ssl", Source::Courier),
            (b"cyrus/imap", Source::Cyrus),
            (b"0506150101/pop3", Source::Cyrus),
            (b"sogod", Source::Sogo),
            (b"zimbra", Source::Zimbra),
            (b"saslauthd", Source::Saslauthd),
            (b"vsftpd", Source::Vsftpd),
            (b"proftpd", Source::Proftpd),
            (b"pure-ftpd", Source::Pureftpd),
            (b"dropbear", Source::Dropbear),
        ] {
            assert_eq!(family_of(program, b"x").map(|f| f.0), Some(source));
        }
        assert!(family_of(b"postfix/qmgr", b"x").is_none());
        assert!(family_of(b"cron", b"x").is_none());
        // PAM lines under FTP daemons are PAM's.
        assert_eq!(
            family_of(b"vsftpd", b"pam_unix(vsftpd:auth): authentication failure").map(|f| f.0),
            Some(Source::Pam)
        );
    }
}
