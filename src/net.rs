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
    }
}
