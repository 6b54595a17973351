//! Making attacker-chosen text safe for each output: user names and log
//! lines are data, never formulas, escape sequences or markup.

use std::borrow::Cow;

/// Bytes as text: valid UTF-8 as is; each byte that is not part of valid
/// UTF-8 as `\xNN` (never U+FFFD, which would make different names look
/// the same). Account keys never hold a backslash (the normalizer keeps
/// what follows the last one), so for them this is lossless; `events`
/// also gives the exact bytes of a raw user name (`user_bytes`).
pub fn lossy(b: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(b) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(b.len() + 8);
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    Cow::Owned(out)
}

/// Standard base64 (RFC 4648, with padding) of `b`.
pub fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A CSV cell that a spreadsheet will not run as a formula: a cell starting
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`
/// (OWASP's recommendation for CSV injection).
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Text for a terminal: control characters (escape sequences included)
/// shown as `\xNN`, so log text cannot move the cursor or recolour the
/// screen.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            let mut b = [0u8; 4];
            for x in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("\\x{x:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for Markdown (and HTML): markup characters escaped, control
/// characters shown as `\xNN`, line breaks removed.
pub fn markdown(s: &str) -> String {
    let s = terminal(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text for HTML, the one escaping the HTML report uses, in element
/// content and in double-quoted attribute values alike: `&`, `<`, `>`, `"`
/// and `'` become character references, and control characters are shown
/// as `\xNN` (as in the table), so no log text or user name is ever read
/// as markup, and none ends an attribute.
pub fn html(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || c.is_control())
    {
        return Cow::Borrowed(s);
    }
    let s = terminal(s);
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Hide passwords that a log line carries (Dovecot's
/// `auth_verbose_passwords`: `(given password: ...)`, `(SHA1 of given
/// password: ...)`).
pub fn redact(line: &[u8]) -> Cow<'_, [u8]> {
    let Some(at) = memchr::memmem::find(line, b"given password: ") else {
        return Cow::Borrowed(line);
    };
    let start = at + b"given password: ".len();
    let end = memchr::memrchr(b')', &line[start..]).map_or(line.len(), |i| start + i);
    let mut out = Vec::with_capacity(line.len());
    out.extend_from_slice(&line[..start]);
    out.extend_from_slice(b"<redacted>");
    out.extend_from_slice(&line[end..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_escaped_and_base64_is_exact() {
        assert_eq!(lossy(b"ok\xc3\xa9"), "ok\u{e9}");
        assert_eq!(lossy(b"a\xff\xfeb"), "a\\xff\\xfeb");
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"\xff\xfeadmin"), "//5hZG1pbg==");
    }

    #[test]
    fn csv_formulas_are_neutralized() {
        assert_eq!(csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("alice@example.gov"), "alice@example.gov");
    }

    #[test]
    fn terminal_escapes_are_shown_not_run() {
        assert_eq!(terminal("a\x1b[31mb"), "a\\x1b[31mb");
        assert_eq!(terminal("plain"), "plain");
    }

    #[test]
    fn markdown_markup_is_escaped() {
        assert_eq!(markdown("<script>|x"), "&lt;script&gt;\\|x");
        assert_eq!(markdown("[a](http://x)"), "\\[a\\](http://x)");
    }

    #[test]
    fn html_markup_and_attribute_quotes_are_escaped() {
        assert_eq!(
            html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            html("\"><img src=x onerror='a()'>&"),
            "&quot;&gt;&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;"
        );
        assert_eq!(html("a\x1b[31m\u{0}b"), "a\\x1b[31m\\x00b");
        assert!(matches!(html("alice@example.gov"), Cow::Borrowed(_)));
    }

    #[test]
    fn passwords_are_redacted() {
        let l = b"auth: Info: sql: Password mismatch (given password: hunter2)";
        assert_eq!(
            &*redact(l),
            &b"auth: Info: sql: Password mismatch (given password: <redacted>)"[..]
        );
        let l = b"Password mismatch (SHA1 of given password: abcd)";
        assert_eq!(
            &*redact(l),
            &b"Password mismatch (SHA1 of given password: <redacted>)"[..]
        );
        assert_eq!(&*redact(b"nothing here"), b"nothing here");
    }
}
