//! Small byte helpers shared by the family parsers.

/// rsyslog's `message repeated N times: [ inner]`: `(N, inner)`.
pub fn message_repeated(msg: &[u8]) -> Option<(u32, &[u8])> {
    // Asked of every line: one byte rules out nearly all of them before a
    // 17-byte compare.
    if msg.first() != Some(&b'm') {
        return None;
    }
    let rest = msg.strip_prefix(b"message repeated ")?;
    let sp = memchr::memchr(b' ', rest)?;
    let n = std::str::from_utf8(&rest[..sp]).ok()?.parse::<u32>().ok()?;
    let rest = rest[sp..].strip_prefix(b" times: [")?;
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let inner = rest.strip_suffix(b"]").unwrap_or(rest);
    Some((n, inner))
}

/// Position of the first occurrence of `needle` in `hay`.
///
/// Log messages are short: a one-shot `memmem::find` spends more on
/// building its searcher than on searching, so this looks for the needle's
/// first byte with `memchr` and compares there.
#[inline]
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while from + needle.len() <= hay.len() {
        let at = from + memchr::memchr(first, &hay[from..=hay.len() - needle.len()])?;
        if &hay[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Position of the last occurrence of `needle` in `hay`.
#[inline]
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    if needle.len() > hay.len() {
        return None;
    }
    let mut end = hay.len() - needle.len() + 1;
    while let Some(at) = memchr::memrchr(first, &hay[..end]) {
        if &hay[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        end = at;
    }
    None
}

/// The value of `key` (e.g. `b"rip="`) in a `key=value, key=value` list,
/// up to the next `,` (or end). The key must start the list or follow
/// `", "` / `" "`, so `lip=` is not found inside `rip=`.
pub fn kv<'a>(hay: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(i) = find(&hay[from..], key) {
        let at = from + i;
        if at == 0 || hay[at - 1] == b' ' || hay[at - 1] == b',' {
            let v = &hay[at + key.len()..];
            let end = memchr::memchr(b',', v).unwrap_or(v.len());
            return Some(&v[..end]);
        }
        from = at + 1;
    }
    None
}

/// Whether `hay` contains `needle`, ASCII case-insensitively (`needle` in
/// lower case). For the "does this look like authentication" fallbacks only.
pub fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// What a Cyrus SASL result code (`sasl.h`: `SASL(-13)`, `(-20)`) says of
/// an attempt: the reason of a failed attempt, or `None` when the code is
/// not a credential failure (mechanism not supported, temporary or internal
/// failures).
pub fn sasl_code_reason(code: i32) -> Option<crate::event::Reason> {
    use crate::event::Reason;
    match code {
        -13 => Some(Reason::BadPassword), // SASL_BADAUTH
        -20 => Some(Reason::UnknownUser), // SASL_NOUSER
        -18 => Some(Reason::Expired),     // SASL_EXPIRED
        -19 => Some(Reason::Disabled),    // SASL_DISABLED
        -21 => Some(Reason::Locked),      // SASL_PWLOCK
        -5 => Some(Reason::Aborted),      // SASL_BADPROT (client cancel)
        -14 | -1 | -15 | -16 | -17 | -26 | -28 | -32 => Some(Reason::Other),
        _ => None,
    }
}

/// The number in `SASL(-13)` or `(-13)` at the start of `s` (after the
/// opening parenthesis): the code and what follows the `)`.
pub fn paren_code(s: &[u8]) -> Option<(i32, &[u8])> {
    let close = memchr::memchr(b')', &s[..s.len().min(8)])?;
    let inner = &s[..close];
    let (neg, digits) = match inner.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, inner),
    };
    if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: i32 = 0;
    for &d in digits {
        n = n * 10 + i32::from(d - b'0');
    }
    Some((if neg { -n } else { n }, &s[close + 1..]))
}

/// `[ip]` or `[ip]:port` (or `[IPv6:ip]`, Sendmail's form): the address.
pub fn bracketed_ip(tok: &[u8]) -> Option<std::net::IpAddr> {
    let t = tok.strip_prefix(b"[")?;
    let close = memchr::memrchr(b']', t)?;
    let inner = &t[..close];
    let inner = inner.strip_prefix(b"IPv6:").unwrap_or(inner);
    crate::event::parse_ip(inner)
}

/// Bytes that are not ASCII-whitespace-free text cannot be a user name
/// boundary: trim ASCII spaces on both ends.
pub fn trim_spaces(mut b: &[u8]) -> &[u8] {
    while b.first() == Some(&b' ') {
        b = &b[1..];
    }
    while b.last() == Some(&b' ') {
        b = &b[..b.len() - 1];
    }
    b
}

/// `Some(b)` unless `b` is empty.
pub fn non_empty(b: &[u8]) -> Option<&[u8]> {
    (!b.is_empty()).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated() {
        let (n, inner) = message_repeated(
            b"message repeated 3 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]",
        )
        .unwrap();
        assert_eq!(n, 3);
        assert_eq!(
            inner,
            b"Failed password for root from 192.0.2.1 port 22 ssh2"
        );
        assert!(message_repeated(b"Failed password").is_none());
    }

    #[test]
    fn find_and_rfind() {
        let h = b"abcabcab";
        assert_eq!(find(h, b"ca"), Some(2));
        assert_eq!(rfind(h, b"ca"), Some(5));
        assert_eq!(find(h, b"cab"), Some(2));
        assert_eq!(rfind(h, b"cab"), Some(5));
        assert_eq!(find(h, b"abcabcab"), Some(0));
        assert_eq!(rfind(h, b"abcabcab"), Some(0));
        assert_eq!(find(h, b"abcabcabc"), None);
        assert_eq!(rfind(h, b"x"), None);
        assert_eq!(find(h, b""), None);
        assert_eq!(find(b"", b"a"), None);
        assert_eq!(rfind(b"aa", b"a"), Some(1));
    }

    #[test]
    fn kv_is_anchored() {
        let s = b"user=<a>, method=PLAIN, rip=192.0.2.1, lip=198.51.100.1, TLS";
        assert_eq!(kv(s, b"rip="), Some(&b"192.0.2.1"[..]));
        assert_eq!(kv(s, b"lip="), Some(&b"198.51.100.1"[..]));
        assert_eq!(kv(s, b"ip="), None);
    }
}
