//! Addresses and networks given by the user (`--ip`, trusted networks).

use crate::aggregate::{ip_key, IpKey};
use std::net::IpAddr;

/// An IPv4 or IPv6 network (`192.0.2.0/24`, `2001:db8::/32`, or one address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: IpKey,
    /// Prefix length in the IPv6 space (IPv4 prefixes are offset by 96).
    bits: u8,
}

impl Cidr {
    /// Parse `ADDR` or `ADDR/LEN`.
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let ip: IpAddr = crate::event::canonical_ip(addr.parse().ok()?);
        let bits = match (ip, len) {
            (IpAddr::V4(_), Some(l)) if l <= 32 => 96 + l,
            (IpAddr::V4(_), None) => 128,
            (IpAddr::V6(_), Some(l)) if l <= 128 => l,
            (IpAddr::V6(_), None) => 128,
            _ => return None,
        };
        Some(Cidr {
            net: ip_key(ip) & mask(bits),
            bits,
        })
    }

    /// Whether the address is inside.
    pub fn contains(&self, k: IpKey) -> bool {
        k & mask(self.bits) == self.net
    }
}

fn mask(bits: u8) -> u128 {
    if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits as u32)
    }
}

/// Whether any network of the list contains the address.
pub fn any_contains(nets: &[Cidr], k: IpKey) -> bool {
    nets.iter().any(|n| n.contains(k))
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match crate::aggregate::key_ip(self.net) {
            Some(IpAddr::V4(v4)) if self.bits >= 96 => write!(f, "{v4}/{}", self.bits - 96),
            _ => write!(f, "{}/{}", std::net::Ipv6Addr::from(self.net), self.bits),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cidr, D::Error> {
        let s = String::deserialize(d)?;
        Cidr::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{s:?} is not an address or a network (CIDR, like 192.0.2.0/24 or 2001:db8::/32)"
            ))
        })
    }
}

impl serde::Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A set of networks with a lookup cost that does not grow with its size
/// (one hash probe per distinct prefix length): for long lists such as
/// blocklists of Tor exits.
#[derive(Clone, Debug, Default)]
pub struct CidrSet {
    /// Per prefix length (longest first), the masked networks.
    by_len: Vec<(u8, rustc_hash::FxHashSet<IpKey>)>,
    /// The networks as given.
    list: Vec<Cidr>,
}

impl CidrSet {
    /// A set of these networks.
    pub fn new(nets: &[Cidr]) -> CidrSet {
        let mut s = CidrSet::default();
        for n in nets {
            s.insert(*n);
        }
        s
    }

    /// Add a network.
    pub fn insert(&mut self, n: Cidr) {
        self.list.push(n);
        match self.by_len.iter_mut().find(|x| x.0 == n.bits) {
            Some(x) => {
                x.1.insert(n.net);
            }
            None => {
                let mut h = rustc_hash::FxHashSet::default();
                h.insert(n.net);
                self.by_len.push((n.bits, h));
                self.by_len.sort_by_key(|x| std::cmp::Reverse(x.0));
            }
        }
    }

    /// Whether an address is inside one of the networks.
    #[inline]
    pub fn contains(&self, k: IpKey) -> bool {
        self.by_len
            .iter()
            .any(|(bits, h)| h.contains(&(k & mask(*bits))))
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Number of networks.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The networks as given.
    pub fn list(&self) -> &[Cidr] {
        &self.list
    }

    /// Read a list file: one address or network per line, `#` comments.
    pub fn load(path: &std::path::Path) -> anyhow::Result<CidrSet> {
        use anyhow::Context as _;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let mut s = CidrSet::default();
        for (i, line) in text.lines().enumerate() {
            let l = line.split('#').next().unwrap_or("").trim();
            if l.is_empty() {
                continue;
            }
            // Also accept CSV-ish lists whose first column is the address.
            let first = l.split([',', ' ', '\t', ';']).next().unwrap_or(l);
            match Cidr::parse(first) {
                Some(c) => s.insert(c),
                None => anyhow::bail!(
                    "{}:{}: {first:?} is not an address or a network (CIDR)",
                    path.display(),
                    i + 1
                ),
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> IpKey {
        ip_key(s.parse().unwrap())
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("192.0.2.0/24").unwrap();
        assert!(c.contains(k("192.0.2.77")));
        assert!(!c.contains(k("192.0.3.1")));
        let one = Cidr::parse("::ffff:198.51.100.7").unwrap();
        assert!(one.contains(k("198.51.100.7")));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(k("2001:db8:1::5")));
        assert!(!v6.contains(k("192.0.2.1")));
        assert!(Cidr::parse("192.0.2.0/33").is_none());
        assert!(Cidr::parse("nonsense").is_none());
        let lo = Cidr::parse("127.0.0.0/8").unwrap();
        assert!(lo.contains(k("127.0.0.1")));
        assert_eq!(lo.to_string(), "127.0.0.0/8");
        assert_eq!(v6.to_string(), "2001:db8::/32");
    }

    #[test]
    fn cidr_sets() {
        let s = CidrSet::new(&[
            Cidr::parse("192.0.2.0/24").unwrap(),
            Cidr::parse("198.51.100.7").unwrap(),
            Cidr::parse("2001:db8::/32").unwrap(),
        ]);
        assert!(s.contains(k("192.0.2.9")));
        assert!(s.contains(k("198.51.100.7")));
        assert!(!s.contains(k("198.51.100.8")));
        assert!(s.contains(k("2001:db8:5::1")));
        assert!(!s.contains(k("10.0.0.1")));
        assert!(!CidrSet::default().contains(k("10.0.0.1")));
    }
}
