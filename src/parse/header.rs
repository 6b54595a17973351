//! The envelope of a line: timestamp, host and program tag, split off by
//! byte positions before any family parser runs.
//!
//! Splitting is cheap and does not decode the timestamp: most lines are
//! rejected on their program tag, so the time is only decoded (by
//! [`super::time`]) for lines that became events.

/// The raw timestamp of a line, not yet decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawStamp<'a> {
    /// RFC 3164 `Mmm dd HH:MM:SS` (no year, no zone).
    Bsd(&'a [u8]),
    /// ISO 8601 / RFC 3339, with or without offset (`2025-11-26T08:51:18.123+01:00`,
    /// `2013-01-04 17:03:46`).
    Iso(&'a [u8]),
    /// Roundcube's file driver: `26-Nov-2025 08:51:18 +0100`.
    Roundcube(&'a [u8]),
}

/// A line split into its envelope and message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The timestamp bytes.
    pub stamp: RawStamp<'a>,
    /// The host name (empty when the line carries none).
    pub host: &'a [u8],
    /// The program name without pid (`postfix/smtpd`, `sshd`, `dovecot`).
    pub program: &'a [u8],
    /// The pid or other bracketed id of the tag (empty when none).
    pub pid: &'a [u8],
    /// The message after the tag.
    pub msg: &'a [u8],
}

const MONTHS: &[u8; 36] = b"JanFebMarAprMayJunJulAugSepOctNovDec";

/// Month number (1-12) of a three-letter English abbreviation.
pub fn month_number(b: &[u8]) -> Option<u8> {
    if b.len() != 3 {
        return None;
    }
    MONTHS
        .chunks_exact(3)
        .position(|m| m == b)
        .map(|i| i as u8 + 1)
}

/// Split a line into its envelope. `None` when no known envelope fits.
pub fn split(line: &[u8]) -> Option<Header<'_>> {
    let first = *line.first()?;
    if first.is_ascii_uppercase() {
        split_bsd(line)
    } else if first.is_ascii_digit() {
        split_iso(line)
    } else if first == b'<' {
        split_5424(line)
    } else if first == b'[' {
        split_roundcube(line)
    } else {
        None
    }
}

fn split_bsd(line: &[u8]) -> Option<Header<'_>> {
    // "Mmm dd HH:MM:SS " is 16 bytes; the day is space padded or two digits.
    if line.len() < 17 || line[3] != b' ' || line[6] != b' ' || line[9] != b':' {
        return None;
    }
    month_number(&line[..3])?;
    let stamp = &line[..15];
    let rest = line.get(16..)?;
    let (host, program, pid, msg) = split_host_tag(rest)?;
    Some(Header {
        stamp: RawStamp::Bsd(stamp),
        host,
        program,
        pid,
        msg,
    })
}

fn split_iso(line: &[u8]) -> Option<Header<'_>> {
    // 2025-11-26T08:51:18[.ffffff][Z|+01:00] host tag: msg
    // 2013-01-04 17:03:46 msg          (Exim's own log: no host, no tag)
    if line.len() < 20 || line[4] != b'-' || line[7] != b'-' || line[13] != b':' {
        return None;
    }
    if line[10] == b' ' {
        // Exim mainlog: date, space, time, then the message itself.
        let stamp = &line[..19];
        return Some(Header {
            stamp: RawStamp::Iso(stamp),
            host: b"",
            program: b"exim",
            pid: b"",
            msg: line.get(20..).unwrap_or(b""),
        });
    }
    if line[10] != b'T' {
        return None;
    }
    let sp = memchr::memchr(b' ', line)?;
    let stamp = &line[..sp];
    let (host, program, pid, msg) = split_host_tag(&line[sp + 1..])?;
    Some(Header {
        stamp: RawStamp::Iso(stamp),
        host,
        program,
        pid,
        msg,
    })
}

fn split_5424(line: &[u8]) -> Option<Header<'_>> {
    // <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD|-] MSG
    let gt = memchr::memchr(b'>', &line[..line.len().min(6)])?;
    let rest = line.get(gt + 1..)?;
    let rest = rest.strip_prefix(b"1 ")?;
    let mut fields = rest.splitn(6, |&b| b == b' ');
    let stamp = fields.next()?;
    let host = fields.next()?;
    let app = fields.next()?;
    let procid = fields.next()?;
    let _msgid = fields.next()?;
    let mut msg = fields.next().unwrap_or(b"");
    // Structured data: "-" or one or more [..] elements.
    if let Some(m) = msg.strip_prefix(b"- ") {
        msg = m;
    } else if msg == b"-" {
        msg = b"";
    } else if msg.first() == Some(&b'[') {
        msg = skip_structured_data(msg);
    }
    let msg = msg.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(msg);
    let nil = |b: &'static [u8], v: &[u8]| v == b;
    Some(Header {
        stamp: RawStamp::Iso(stamp),
        host: if nil(b"-", host) { b"" } else { host },
        program: if nil(b"-", app) { b"" } else { app },
        pid: if nil(b"-", procid) { b"" } else { procid },
        msg,
    })
}

fn skip_structured_data(mut s: &[u8]) -> &[u8] {
    while s.first() == Some(&b'[') {
        // Find the closing ']' that is not escaped inside a quoted value.
        let mut i = 1;
        let mut in_quote = false;
        while i < s.len() {
            match s[i] {
                b'\\' if in_quote => i += 1,
                b'"' => in_quote = !in_quote,
                b']' if !in_quote => break,
                _ => {}
            }
            i += 1;
        }
        s = s.get(i + 1..).unwrap_or(b"");
    }
    s.strip_prefix(b" ").unwrap_or(s)
}

fn split_roundcube(line: &[u8]) -> Option<Header<'_>> {
    // [26-Nov-2025 08:51:18 +0100]: msg
    let close = memchr::memchr(b']', &line[..line.len().min(40)])?;
    let stamp = &line[1..close];
    if stamp.len() < 20 || stamp[2] != b'-' || stamp[6] != b'-' {
        return None;
    }
    let rest = &line[close + 1..];
    let msg = rest
        .strip_prefix(b": ")
        .or_else(|| rest.strip_prefix(b":"))?;
    Some(Header {
        stamp: RawStamp::Roundcube(stamp),
        host: b"",
        program: b"roundcube",
        pid: b"",
        msg,
    })
}

type HostTag<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a [u8]);

/// After the timestamp: `host prog[pid]: msg`, or `prog: msg` without a
/// host (Dovecot's own log file), or `host sogod [pid]: msg`.
fn split_host_tag(rest: &[u8]) -> Option<HostTag<'_>> {
    let sp = memchr::memchr(b' ', rest)?;
    let first = &rest[..sp];
    if first.last() == Some(&b':') && first.len() > 1 {
        // No host: the first token is the tag.
        let (program, pid) = split_tag(&first[..first.len() - 1]);
        return Some((b"", program, pid, &rest[sp + 1..]));
    }
    let host = first;
    let after = &rest[sp + 1..];
    if after.first() == Some(&b'[') {
        // `sogod [26818]: msg` written without a host: the token was the
        // program and its pid follows after a space.
        let colon = find_tag_end(after)?;
        let (_, pid) = split_tag(&after[..colon]);
        return Some((b"", first, pid, after.get(colon + 2..).unwrap_or(b"")));
    }
    let colon = find_tag_end(after)?;
    let (program, pid) = split_tag(&after[..colon]);
    let msg = after.get(colon + 2..).unwrap_or(b"");
    Some((host, program, pid, msg))
}

/// Position of the ':' that ends the program tag (followed by a space or
/// the end of the line). Tags are short: look at most 64 bytes in.
fn find_tag_end(s: &[u8]) -> Option<usize> {
    let lim = s.len().min(64);
    let mut from = 0;
    while let Some(i) = memchr::memchr(b':', &s[from..lim]) {
        let at = from + i;
        if s.get(at + 1).is_none_or(|&b| b == b' ') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn split_tag(tag: &[u8]) -> (&[u8], &[u8]) {
    if tag.last() == Some(&b']') {
        if let Some(open) = memchr::memrchr(b'[', tag) {
            let mut name = &tag[..open];
            while name.last() == Some(&b' ') {
                name = &name[..name.len() - 1];
            }
            return (name, &tag[open + 1..tag.len() - 1]);
        }
    }
    if tag.last() == Some(&b')') {
        if let Some(open) = memchr::memchr(b'(', tag) {
            return (&tag[..open], &tag[open + 1..tag.len() - 1]);
        }
    }
    (tag, b"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsd_with_pid_and_padded_day() {
        let h = split(b"Dec  2 22:24:22 hel postfix/smtpd[7676]: connect from x").unwrap();
        assert_eq!(h.stamp, RawStamp::Bsd(b"Dec  2 22:24:22"));
        assert_eq!(h.host, b"hel");
        assert_eq!(h.program, b"postfix/smtpd");
        assert_eq!(h.pid, b"7676");
        assert_eq!(h.msg, b"connect from x");
    }

    #[test]
    fn bsd_without_host_is_dovecot_own_log() {
        let h = split(b"Jan 29 09:33:58 pop3-login: Info: Aborted login").unwrap();
        assert_eq!(h.host, b"");
        assert_eq!(h.program, b"pop3-login");
        assert_eq!(h.msg, b"Info: Aborted login");
    }

    #[test]
    fn sogo_space_before_pid() {
        let h = split(b"Mar 24 08:58:32 sogod [26818]: SOGoRootPage Login").unwrap();
        assert_eq!(h.host, b"");
        assert_eq!(h.program, b"sogod");
        assert_eq!(h.pid, b"26818");
        let h2 = split(b"Mar 24 08:58:32 mx sogod [26818]: SOGoRootPage Login").unwrap();
        assert_eq!(h2.program, b"sogod");
        assert_eq!(h2.pid, b"26818");
        assert_eq!(h.msg, b"SOGoRootPage Login");
    }

    #[test]
    fn iso_rsyslog() {
        let h = split(b"2025-11-26T08:51:18.123456+01:00 mx1 dovecot[241]: imap-login: x").unwrap();
        assert_eq!(h.stamp, RawStamp::Iso(b"2025-11-26T08:51:18.123456+01:00"));
        assert_eq!(h.program, b"dovecot");
        assert_eq!(h.msg, b"imap-login: x");
    }

    #[test]
    fn rfc5424() {
        let h = split(b"<38>1 2025-11-26T08:51:18.123456+01:00 mx1 dovecot 241 - - imap-login: x")
            .unwrap();
        assert_eq!(h.host, b"mx1");
        assert_eq!(h.program, b"dovecot");
        assert_eq!(h.pid, b"241");
        assert_eq!(h.msg, b"imap-login: x");
        let h = split(b"<38>1 2025-11-26T08:51:18Z mx1 sshd 9 - [meta sequenceId=\"1\"] Accepted")
            .unwrap();
        assert_eq!(h.msg, b"Accepted");
    }

    #[test]
    fn roundcube_file() {
        let h = split(b"[26-Nov-2025 08:51:18 +0100]: <1z506z6r> Successful login").unwrap();
        assert_eq!(h.stamp, RawStamp::Roundcube(b"26-Nov-2025 08:51:18 +0100"));
        assert_eq!(h.program, b"roundcube");
        assert_eq!(h.msg, b"<1z506z6r> Successful login");
    }

    #[test]
    fn junk_is_none() {
        assert!(split(b"").is_none());
        assert!(split(b"\x00\x01garbage").is_none());
        assert!(split(b"Foo bar").is_none());
    }
}
