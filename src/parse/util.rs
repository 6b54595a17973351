//! Small byte helpers shared by the family parsers.

/// rsyslog's `message repeated N times: [ inner]`: `(N, inner)`.
pub fn message_repeated(msg: &[u8]) -> Option<(u32, &[u8])> {
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
