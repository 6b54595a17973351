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
    /// A TAI64N label without its `@` (daemontools/s6 `multilog`):
    /// 24 hex digits, seconds then nanoseconds.
    Tai64n(&'a [u8]),
    /// journald's `__REALTIME_TIMESTAMP` (microseconds since the epoch, as
    /// decimal digits), and how the line's `MESSAGE` was written.
    Journal(&'a [u8], JsonMsg),
    /// `ctime`-like `Sat Jul 17 12:00:00 2021` (vsftpd's own log; local
    /// time, the day space padded).
    Ctime(&'a [u8]),
}

/// How the `MESSAGE` of a `journalctl -o json` line was written. Only a
/// plain string can be handed to the parsers as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonMsg {
    /// A JSON string without escapes: `msg` is its text.
    Plain,
    /// A JSON string with backslash escapes: `msg` is the raw escaped text.
    Escaped,
    /// An array of byte values (the message is not UTF-8): `msg` is the
    /// array's text, which no parser can read.
    Bytes,
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
    /// The pid or other bracketed id of the tag (empty when none). For a
    /// log4j line (Zimbra) it holds the level (`INFO`, `WARN`, ...).
    pub pid: &'a [u8],
    /// The message after the tag.
    pub msg: &'a [u8],
}

/// Month number (1-12) of a three-letter English abbreviation.
pub fn month_number(b: &[u8]) -> Option<u8> {
    Some(match b {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

/// Position of the first `b` in `s`: a plain loop, cheaper than a SIMD
/// search over the few bytes of a host name or a program tag.
#[inline]
fn short_find(s: &[u8], b: u8) -> Option<usize> {
    s.iter().position(|&c| c == b)
}

/// Split a line into its envelope. `None` when no known envelope fits.
pub fn split(line: &[u8]) -> Option<Header<'_>> {
    let first = *line.first()?;
    if first.is_ascii_uppercase() {
        split_bsd(line).or_else(|| split_ctime(line))
    } else if first.is_ascii_digit() {
        split_iso(line)
    } else if first == b'<' {
        split_5424(line)
    } else if first == b'[' {
        split_roundcube(line)
    } else if first == b'{' {
        split_journal(line)
    } else if first == b'@' {
        split_tai64n(line)
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
    // 2013-01-04 17:03:46[.mmm][ +0100] [[pid] ]msg   (Exim's own log)
    // 2015-03-26 21:51:36,505 INFO  [thread] ...       (log4j: Zimbra)
    if line.len() < 20 || line[4] != b'-' || line[7] != b'-' || line[13] != b':' {
        return None;
    }
    if line[10] == b' ' {
        if line[19] == b',' {
            return split_comma_millis(line);
        }
        return split_exim(line);
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

/// Number of ASCII digits at the start of `b`.
fn digits_at(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Exim's main log: the date and time (with `.mmm` under `+millisec`, and
/// ` +hhmm` under `log_timezone`), `[pid] ` under `+pid`, then the message
/// itself. Exim's `tod_stamp()` (`src/src/tod.c`) writes the stamp.
fn split_exim(line: &[u8]) -> Option<Header<'_>> {
    let mut end = 19;
    if line[19] == b'.' {
        let n = digits_at(&line[20..]);
        if n == 0 {
            return None;
        }
        end = 20 + n;
    }
    // ` +0100` followed by a space (or the end of the line).
    if let Some(z) = line.get(end..end + 6) {
        if z[0] == b' '
            && (z[1] == b'+' || z[1] == b'-')
            && digits_at(&z[2..]) == 4
            && line.get(end + 6).is_none_or(|&b| b == b' ')
        {
            end += 6;
        }
    }
    let stamp = &line[..end];
    let mut msg = match line.get(end) {
        None => b"",
        Some(b' ') => &line[end + 1..],
        Some(_) => return None,
    };
    let mut pid: &[u8] = b"";
    if msg.first() == Some(&b'[') {
        let n = digits_at(&msg[1..]);
        if n > 0 && msg[1 + n..].starts_with(b"] ") {
            pid = &msg[1..1 + n];
            msg = &msg[n + 3..];
        }
    }
    Some(Header {
        stamp: RawStamp::Iso(stamp),
        host: b"",
        program: b"exim",
        pid,
        msg,
    })
}

/// Exim logging through syslog writes its own timestamp into the message
/// (`syslog_timestamp`, true by default; `log.c` `write_syslog()`):
/// `exim[pid]: 2021-07-17 23:20:49 msg`. The message after that inner
/// timestamp (and a `[pid] `), or `msg` unchanged.
pub fn strip_exim_stamp(msg: &[u8]) -> &[u8] {
    if msg.len() >= 20
        && msg[4] == b'-'
        && msg[7] == b'-'
        && msg[10] == b' '
        && msg[13] == b':'
        && msg[16] == b':'
        && msg[..4].iter().all(u8::is_ascii_digit)
    {
        if let Some(h) = split_exim(msg) {
            return h.msg;
        }
    }
    msg
}

/// log4j levels as `%-5p` writes them (padded to five).
const LOG4J_LEVELS: &[&[u8]] = &[b"INFO", b"WARN", b"ERROR", b"DEBUG", b"FATAL", b"TRACE"];

/// `YYYY-MM-DD HH:MM:SS,mmm ...`: a log4j line (`%d %-5p [%t] [%z] %c{1} -
/// %m%n`, Zimbra's `audit.log` and `mailbox.log`): program `zimbra`, the
/// level as pid, the message from the thread on. Otherwise ProFTPD's own
/// `SystemLog` (`src/log.c`: `%Y-%m-%d %H:%M:%S,mmm [host ]proftpd[pid]
/// serverinfo: msg`).
fn split_comma_millis(line: &[u8]) -> Option<Header<'_>> {
    let n = digits_at(&line[20..]);
    if n == 0 {
        return None;
    }
    let end = 20 + n;
    let stamp = &line[..end];
    let rest = line.get(end..)?.strip_prefix(b" ")?;
    let sp = memchr::memchr(b' ', rest).unwrap_or(rest.len());
    let word = &rest[..sp];
    if LOG4J_LEVELS.contains(&word) {
        let mut msg = &rest[sp..];
        while msg.first() == Some(&b' ') {
            msg = &msg[1..];
        }
        return Some(Header {
            stamp: RawStamp::Iso(stamp),
            host: b"",
            program: b"zimbra",
            pid: word,
            msg,
        });
    }
    // ProFTPD: the tag may follow a host name.
    let (host, tagged) = if word.starts_with(b"proftpd[") {
        (&b""[..], rest)
    } else {
        let after = rest.get(sp + 1..)?;
        if !after.starts_with(b"proftpd[") {
            return None;
        }
        (word, after)
    };
    let close = memchr::memchr(b']', &tagged[..tagged.len().min(32)])?;
    let pid = &tagged[8..close];
    let msg = tagged[close + 1..].strip_prefix(b" ").unwrap_or(b"");
    Some(Header {
        stamp: RawStamp::Iso(stamp),
        host,
        program: b"proftpd",
        pid,
        msg,
    })
}

/// `@` and a TAI64N label (multilog), then `prog: msg` without a host.
fn split_tai64n(line: &[u8]) -> Option<Header<'_>> {
    let label = line.get(1..25)?;
    if !label.iter().all(u8::is_ascii_hexdigit) || line.get(25) != Some(&b' ') {
        return None;
    }
    let rest = &line[26..];
    let (host, program, pid, msg) = split_host_tag(rest)?;
    Some(Header {
        stamp: RawStamp::Tai64n(label),
        host,
        program,
        pid,
        msg,
    })
}

/// vsftpd's own log: `Sat Jul 17 12:00:00 2021 [pid 1234] msg`
/// (`logging.c`, `vsf_sysutil_get_current_date()`).
fn split_ctime(line: &[u8]) -> Option<Header<'_>> {
    if line.len() < 31
        || line[3] != b' '
        || line[7] != b' '
        || line[10] != b' '
        || line[13] != b':'
        || line[19] != b' '
    {
        return None;
    }
    month_number(&line[4..7])?;
    let rest = line[24..].strip_prefix(b" [pid ")?;
    let n = digits_at(rest);
    if n == 0 {
        return None;
    }
    let msg = rest[n..].strip_prefix(b"]")?;
    Some(Header {
        stamp: RawStamp::Ctime(&line[..24]),
        host: b"",
        program: b"vsftpd",
        pid: &rest[..n],
        msg: msg.strip_prefix(b" ").unwrap_or(msg),
    })
}

/// A JSON value read without allocating.
enum JsonValue<'a> {
    /// A string's raw content (between the quotes) and whether it has
    /// escapes.
    Str(&'a [u8], bool),
    /// An array's text, brackets included.
    Array(&'a [u8]),
    /// `null`, a number, `true`/`false`, or an object.
    Other,
}

/// The end (exclusive) of a JSON string whose opening quote is at `at`,
/// and whether it holds a backslash.
fn json_string_end(b: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut i = at + 1;
    let mut escaped = false;
    loop {
        let j = i + memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[j] == b'"' {
            return Some((j + 1, escaped));
        }
        escaped = true;
        i = j + 2;
    }
}

/// Skip a JSON value starting at `at`: its end and what it is.
fn json_value(b: &[u8], at: usize) -> Option<(usize, JsonValue<'_>)> {
    match *b.get(at)? {
        b'"' => {
            let (end, esc) = json_string_end(b, at)?;
            Some((end, JsonValue::Str(&b[at + 1..end - 1], esc)))
        }
        open @ (b'[' | b'{') => {
            let close = if open == b'[' { b']' } else { b'}' };
            let mut depth = 0usize;
            let mut i = at;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = json_string_end(b, i)?.0;
                        continue;
                    }
                    c if c == open => depth += 1,
                    c if c == close => {
                        depth -= 1;
                        if depth == 0 {
                            let v = if open == b'[' {
                                JsonValue::Array(&b[at..=i])
                            } else {
                                JsonValue::Other
                            };
                            return Some((i + 1, v));
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let n = b[at..]
                .iter()
                .take_while(|&&c| c != b',' && c != b'}' && !c.is_ascii_whitespace())
                .count();
            (n > 0).then_some((at + n, JsonValue::Other))
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// One `journalctl -o json` object: program from `SYSLOG_IDENTIFIER`, pid
/// from `_PID` (or `SYSLOG_PID`), host from `_HOSTNAME`, time from
/// `__REALTIME_TIMESTAMP`, text from `MESSAGE` (systemd
/// `JOURNAL_EXPORT_FORMATS`: a string, an array of byte values when it is
/// not UTF-8, or `null` when it is too large). `None` when the line is not
/// such an object, has no time, or its `MESSAGE` is `null` or missing.
fn split_journal(line: &[u8]) -> Option<Header<'_>> {
    let mut i = skip_ws(line, 1);
    let mut stamp = None;
    let empty: &[u8] = b"";
    let (mut host, mut program, mut comm, mut pid, mut spid) = (empty, empty, empty, empty, empty);
    let mut msg: Option<(&[u8], JsonMsg)> = None;
    loop {
        if line.get(i) == Some(&b'}') {
            break;
        }
        if line.get(i) != Some(&b'"') {
            return None;
        }
        let (kend, kesc) = json_string_end(line, i)?;
        let key = &line[i + 1..kend - 1];
        i = skip_ws(line, kend);
        if line.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(line, i + 1);
        let (vend, v) = json_value(line, i)?;
        if !kesc {
            match (key, v) {
                (b"__REALTIME_TIMESTAMP", JsonValue::Str(s, false)) => stamp = Some(s),
                (b"_HOSTNAME", JsonValue::Str(s, false)) => host = s,
                (b"SYSLOG_IDENTIFIER", JsonValue::Str(s, false)) => program = s,
                (b"_COMM", JsonValue::Str(s, false)) => comm = s,
                (b"_PID", JsonValue::Str(s, false)) => pid = s,
                (b"SYSLOG_PID", JsonValue::Str(s, false)) => spid = s,
                (b"MESSAGE", JsonValue::Str(s, esc)) => {
                    msg = Some((
                        s,
                        if esc {
                            JsonMsg::Escaped
                        } else {
                            JsonMsg::Plain
                        },
                    ))
                }
                (b"MESSAGE", JsonValue::Array(a)) => msg = Some((a, JsonMsg::Bytes)),
                _ => {}
            }
        }
        i = skip_ws(line, vend);
        match line.get(i) {
            Some(b',') => i = skip_ws(line, i + 1),
            Some(b'}') => break,
            _ => return None,
        }
    }
    let stamp = stamp?;
    if stamp.is_empty() || digits_at(stamp) != stamp.len() {
        return None;
    }
    let (msg, form) = msg?;
    Some(Header {
        stamp: RawStamp::Journal(stamp, form),
        host,
        program: if program.is_empty() { comm } else { program },
        pid: if pid.is_empty() { spid } else { pid },
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
    let sp = short_find(rest, b' ')?;
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

/// The high bit of each byte of `w` that equals `b`, and no other bit
/// (the exact form of the "has zero byte" trick: no carry crosses bytes).
#[inline]
fn bytes_equal(w: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (0x0101_0101_0101_0101 * b as u64);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// Position of the ':' that ends the program tag (followed by a space or
/// the end of the line). Tags are short: look at most 64 bytes in, eight
/// bytes at a time (a `memchr` call costs more than the few words a tag
/// spans).
fn find_tag_end(s: &[u8]) -> Option<usize> {
    let lim = s.len().min(64);
    let ends_tag = |at: usize| s.get(at + 1).is_none_or(|&b| b == b' ');
    let mut i = 0;
    while i + 8 <= lim {
        let w = u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        let mut m = bytes_equal(w, b':');
        while m != 0 {
            let at = i + (m.trailing_zeros() / 8) as usize;
            if ends_tag(at) {
                return Some(at);
            }
            m &= m - 1;
        }
        i += 8;
    }
    (i..lim).find(|&at| s[at] == b':' && ends_tag(at))
}

fn split_tag(tag: &[u8]) -> (&[u8], &[u8]) {
    if tag.last() == Some(&b']') {
        // The pid is a few digits: a backward loop beats a SIMD search.
        if let Some(open) = tag.iter().rposition(|&c| c == b'[') {
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
    fn tag_end_word_at_a_time() {
        fn naive(s: &[u8]) -> Option<usize> {
            let lim = s.len().min(64);
            (0..lim).find(|&at| s[at] == b':' && s.get(at + 1).is_none_or(|&b| b == b' '))
        }
        let samples: [&[u8]; 9] = [
            b"postfix/smtpd[240019]: connect from x",
            b"a:b:c: d",
            b"x:",
            b"",
            b":",
            b"abcdefgh:",
            b"abcdefg: ",
            b"\xff\x80::::::::::x: y",
            b"0123456789012345678901234567890123456789012345678901234567890123: late",
        ];
        for s in samples {
            for i in 0..=s.len() {
                assert_eq!(find_tag_end(&s[i..]), naive(&s[i..]), "{:?}", &s[i..]);
            }
        }
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b, 0x3a, 0xba, 0x3b, 0x39, 0, 0xff, 0x3a]);
            let want: u64 = w
                .to_le_bytes()
                .iter()
                .enumerate()
                .filter(|(_, &x)| x == b)
                .map(|(i, _)| 0x80 << (8 * i))
                .sum();
            assert_eq!(bytes_equal(w, b), want, "{b}");
        }
    }

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

    // Exim's `tod_stamp()` (tod.c): bare, `+millisec`, `log_timezone`, and
    // `+pid` before the message.
    #[test]
    fn exim_own_log_variants() {
        let h = split(b"2013-01-04 17:03:46 login authenticator failed").unwrap();
        assert_eq!(h.stamp, RawStamp::Iso(b"2013-01-04 17:03:46"));
        assert_eq!(h.program, b"exim");
        assert_eq!(h.msg, b"login authenticator failed");
        let h = split(b"2013-01-04 17:03:46.123 +0100 [4242] 1abcDE-0001Ab-Cd <= a@b").unwrap();
        assert_eq!(h.stamp, RawStamp::Iso(b"2013-01-04 17:03:46.123 +0100"));
        assert_eq!(h.pid, b"4242");
        assert_eq!(h.msg, b"1abcDE-0001Ab-Cd <= a@b");
        let h = split(b"2013-01-04 17:03:46 -0500 Start queue run: pid=1").unwrap();
        assert_eq!(h.stamp, RawStamp::Iso(b"2013-01-04 17:03:46 -0500"));
        assert_eq!(h.msg, b"Start queue run: pid=1");
        // A message that begins like a zone but is not one.
        let h = split(b"2013-01-04 17:03:46 +01005 x").unwrap();
        assert_eq!(h.msg, b"+01005 x");
        assert_eq!(
            strip_exim_stamp(b"2021-07-17 23:20:49 [12] plain x"),
            b"plain x"
        );
        assert_eq!(strip_exim_stamp(b"plain x"), b"plain x");
    }

    // log4j `%d %-5p [%t] [%z] %c{1} - %m%n` (Zimbra) is told from Exim by
    // the `,ms LEVEL` after the time.
    #[test]
    fn log4j_zimbra() {
        let h = split(
            b"2015-03-26 21:51:36,505 INFO  [Pop3Server-13] [ip=172.16.0.3;] security - cmd=Auth;",
        )
        .unwrap();
        assert_eq!(h.stamp, RawStamp::Iso(b"2015-03-26 21:51:36,505"));
        assert_eq!(h.program, b"zimbra");
        assert_eq!(h.pid, b"INFO");
        assert_eq!(
            h.msg,
            b"[Pop3Server-13] [ip=172.16.0.3;] security - cmd=Auth;"
        );
        let h = split(b"2015-03-26 21:51:36,505 WARN  [x] [] security - y").unwrap();
        assert_eq!(h.pid, b"WARN");
        assert!(split(b"2015-03-26 21:51:36,505 NOTALEVEL x").is_none());
        assert!(split(b"2015-03-26 21:51:36, INFO x").is_none());
    }

    #[test]
    fn proftpd_system_log() {
        let h = split(b"2025-11-26 08:51:18,123 ftp1 proftpd[4242] ftp.example.org (c[192.0.2.7]): USER d: Login successful.").unwrap();
        assert_eq!(h.program, b"proftpd");
        assert_eq!(h.host, b"ftp1");
        assert_eq!(h.pid, b"4242");
        assert_eq!(
            h.msg,
            b"ftp.example.org (c[192.0.2.7]): USER d: Login successful."
        );
    }

    #[test]
    fn tai64n_multilog() {
        let h = split(b"@400000004c91b044077a9e94 imap-login: Info: Aborted login").unwrap();
        assert_eq!(h.stamp, RawStamp::Tai64n(b"400000004c91b044077a9e94"));
        assert_eq!(h.host, b"");
        assert_eq!(h.program, b"imap-login");
        assert_eq!(h.msg, b"Info: Aborted login");
        assert!(split(b"@400000004c91b044077a9e9 imap-login: x").is_none());
        assert!(split(b"@40000000zc91b044077a9e94 imap-login: x").is_none());
    }

    #[test]
    fn vsftpd_ctime() {
        let h =
            split(b"Sat Jul 17 12:00:00 2021 [pid 1234] [alice] OK LOGIN: Client \"192.0.2.5\"")
                .unwrap();
        assert_eq!(h.stamp, RawStamp::Ctime(b"Sat Jul 17 12:00:00 2021"));
        assert_eq!(h.program, b"vsftpd");
        assert_eq!(h.pid, b"1234");
        assert_eq!(h.msg, b"[alice] OK LOGIN: Client \"192.0.2.5\"");
        assert!(split(b"Sat Jul 17 12:00:00 2021 no pid here at all").is_none());
    }

    // journalctl -o json (systemd JOURNAL_EXPORT_FORMATS).
    #[test]
    fn journald_json() {
        let l = br#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1732607478123456","__MONOTONIC_TIMESTAMP":"1","_BOOT_ID":"b","PRIORITY":"6","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"dovecot","_PID":"241","_COMM":"imap-login","MESSAGE":"imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=1, TLS, session=<s>"}"#;
        let h = split(l).unwrap();
        assert_eq!(
            h.stamp,
            RawStamp::Journal(b"1732607478123456", JsonMsg::Plain)
        );
        assert_eq!(h.host, b"mx1");
        assert_eq!(h.program, b"dovecot");
        assert_eq!(h.pid, b"241");
        assert!(h.msg.starts_with(b"imap-login: Login: user=<alice>"));
        // Escapes, arrays of bytes, null, spaces after colons.
        let h =
            split(br#"{ "__REALTIME_TIMESTAMP" : "1", "_COMM":"sshd", "MESSAGE" : "a \"b\"" }"#)
                .unwrap();
        assert_eq!(h.stamp, RawStamp::Journal(b"1", JsonMsg::Escaped));
        assert_eq!(h.program, b"sshd");
        assert_eq!(h.msg, br#"a \"b\""#);
        let h = split(br#"{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":[70,97,105,108,255]}"#).unwrap();
        assert_eq!(h.stamp, RawStamp::Journal(b"1", JsonMsg::Bytes));
        assert!(split(
            br#"{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":null}"#
        )
        .is_none());
        assert!(split(br#"{"SYSLOG_IDENTIFIER":"sshd","MESSAGE":"x"}"#).is_none());
        assert!(split(br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":"x""#).is_none());
        assert!(split(b"{not json").is_none());
        // Nested values and fields after MESSAGE.
        let h = split(
            br#"{"X":{"a":[1,{"b":"]}"}]},"MESSAGE":"m","__REALTIME_TIMESTAMP":"7","Y":true}"#,
        )
        .unwrap();
        assert_eq!(h.msg, b"m");
    }

    #[test]
    fn header_prefixes_never_panic() {
        let samples: &[&[u8]] = &[
            br#"{"__REALTIME_TIMESTAMP":"1732607478123456","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"dovecot","_PID":"241","MESSAGE":"a \"b\" c","M":[1,2]}"#,
            b"2013-01-04 17:03:46.123 +0100 [4242] 1abcDE-0001Ab-Cd <= a@b",
            b"2015-03-26 21:51:36,505 INFO  [Pop3Server-13] [ip=172.16.0.3;] security - cmd=Auth;",
            b"2025-11-26 08:51:18,123 ftp1 proftpd[4242] ftp.example.org (c[192.0.2.7]): USER d",
            b"@400000004c91b044077a9e94 imap-login: Info: Aborted login",
            b"Sat Jul 17 12:00:00 2021 [pid 1234] [alice] OK LOGIN",
        ];
        for s in samples {
            for i in 0..=s.len() {
                let _ = split(&s[..i]);
                let _ = split(&s[i..]);
            }
        }
    }

    #[test]
    fn junk_is_none() {
        assert!(split(b"").is_none());
        assert!(split(b"\x00\x01garbage").is_none());
        assert!(split(b"Foo bar").is_none());
    }
}
