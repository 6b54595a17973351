//! Account keys: how a user name as logged becomes the account it stands for.
//!
//! The key is the name lower-cased, with surrounding `<>` and quotes removed,
//! `DOMAIN\user` reduced to `user`, and with `--default-domain` a bare name
//! completed to `user@DOMAIN`. Accounts are identified inside the aggregate by
//! a 64-bit hash of the key, so states built on different hosts merge
//! without a shared table, and the hash picks the account's shard.

use xxhash_rust::xxh3::xxh3_64;

/// The 64-bit identity of an account key.
pub type AccountId = u64;

/// Hash of a normalized account key.
pub fn account_id(key: &[u8]) -> AccountId {
    xxh3_64(key)
}

/// Normalizes user names; holds a scratch buffer so the hot path does not
/// allocate.
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    default_domain: Option<Vec<u8>>,
    buf: Vec<u8>,
}

impl Normalizer {
    /// A normalizer completing bare names with `default_domain`, if given.
    pub fn new(default_domain: Option<&str>) -> Normalizer {
        Normalizer {
            default_domain: default_domain
                .map(|d| d.trim_start_matches('@').to_ascii_lowercase().into_bytes()),
            buf: Vec::with_capacity(128),
        }
    }

    /// The account key of a logged user name, or `None` when it names no
    /// account (empty, `<>`).
    pub fn key<'s>(&'s mut self, user: &[u8]) -> Option<&'s [u8]> {
        let mut u = trim(user);
        loop {
            let before = u.len();
            if let Some(x) = u.strip_prefix(b"<").and_then(|x| x.strip_suffix(b">")) {
                u = trim(x);
            }
            if u.len() >= 2 && (u[0] == b'"' || u[0] == b'\'') && u[u.len() - 1] == u[0] {
                u = trim(&u[1..u.len() - 1]);
            }
            if u.len() == before {
                break;
            }
        }
        if let Some(p) = memchr::memrchr(b'\\', u) {
            u = &u[p + 1..];
        }
        if u.is_empty() {
            return None;
        }
        self.buf.clear();
        if u.is_ascii() {
            self.buf.extend(u.iter().map(|c| c.to_ascii_lowercase()));
        } else {
            match std::str::from_utf8(u) {
                Ok(s) => self.buf.extend_from_slice(s.to_lowercase().as_bytes()),
                Err(_) => self.buf.extend(u.iter().map(|c| c.to_ascii_lowercase())),
            }
        }
        if let Some(d) = &self.default_domain {
            if memchr::memchr(b'@', &self.buf).is_none() {
                self.buf.push(b'@');
                self.buf.extend_from_slice(d);
            }
        }
        Some(&self.buf)
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let mut n = Normalizer::new(None);
        assert_eq!(n.key(b"Alice@Example.gov").unwrap(), b"alice@example.gov");
        assert_eq!(n.key(b"<bob@x.org>").unwrap(), b"bob@x.org");
        assert_eq!(n.key(b"\"carol\"").unwrap(), b"carol");
        assert_eq!(n.key(b"CORP\\Dave").unwrap(), b"dave");
        assert_eq!(n.key(b"<>"), None);
        assert_eq!(n.key(b"  "), None);
        let mut d = Normalizer::new(Some("Example.gov"));
        assert_eq!(d.key(b"Alice").unwrap(), b"alice@example.gov");
        assert_eq!(d.key(b"bob@other.org").unwrap(), b"bob@other.org");
        assert_eq!(
            n.key("ÉLODIE@x.fr".as_bytes()).unwrap(),
            "élodie@x.fr".as_bytes()
        );
    }
}
