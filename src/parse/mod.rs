//! Turning a line of log text into normalized events.
//!
//! [`header::split`] cuts off the envelope (timestamp, host, program tag)
//! without decoding anything; [`family_of`] decides from the program tag, in
//! a few byte comparisons, whether the line can matter at all; only then
//! does a family parser (one module per software) look at the message.
//! Parsers only ever see `&[u8]` and never allocate.

pub mod dovecot;
pub mod header;
pub mod pam;
pub mod postfix;
pub mod roundcube;
pub mod sshd;
pub mod time;
pub mod util;

use crate::event::{Parsed, Source};
pub use header::Header;

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
    match program {
        b"dovecot" | b"imap-login" | b"pop3-login" | b"submission-login" | b"managesieve-login"
        | b"auth" | b"auth-worker" | b"dovecot-auth" => Some((Source::Dovecot, dovecot::parse)),
        b"sshd" | b"sshd-session" => Some((Source::Sshd, sshd::parse)),
        b"roundcube" => Some((Source::Roundcube, roundcube::parse)),
        b"passwd" | b"chpasswd" => Some((Source::Pam, pam::parse)),
        // Dovecot 2.4's own log file: `auth(user,ip,sasl:login)<session>: ...`.
        _ if program.starts_with(b"auth(") || program.starts_with(b"auth-worker(") => {
            Some((Source::Dovecot, dovecot::parse))
        }
        _ if program.starts_with(b"postfix") && program.ends_with(b"/smtpd") => {
            Some((Source::Postfix, postfix::parse))
        }
        _ => None,
    }
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
    let verdict = parser(&header, msg, out);
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
