//! Addresses and account names: deterministic from an index, in ranges
//! chosen so that every role (office, home, mobile, mail servers, bots,
//! planted attackers) is recognisable at a glance.
//!
//! - `10.20.0.0/16`: office LAN, one /24 per floor or unit.
//! - `198.18.0.0/16`: home broadband; `100.64.0.0/16`: mobile (CGNAT).
//! - `198.19.0.0/18`: external mail servers; `198.19.64.0/18`: the
//!   planted many-networks case; `198.19.128.0/17`: internet background
//!   noise (ssh and SASL bots).
//! - `192.0.2.0/24`: our own public addresses (mx1, gw1).
//! - `198.51.100.0/24`, `203.0.113.0/24`: planted attackers only.

use crate::rng::Rng;

/// A client or server address as it appears in a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ip {
    V4(u32),
    /// IPv4-mapped IPv6, written `::ffff:a.b.c.d`.
    Mapped(u32),
    V6(&'static str),
}

pub const fn v4(a: u8, b: u8, c: u8, d: u8) -> u32 {
    (a as u32) << 24 | (b as u32) << 16 | (c as u32) << 8 | d as u32
}

impl Ip {
    pub const fn v4(a: u8, b: u8, c: u8, d: u8) -> Ip {
        Ip::V4(v4(a, b, c, d))
    }

    /// The network a detector groups by: IPv4 /24, IPv6 /48 (by text).
    pub fn network(&self) -> String {
        match *self {
            Ip::V4(x) | Ip::Mapped(x) => {
                format!("{}.{}.{}.0/24", x >> 24, (x >> 16) & 255, (x >> 8) & 255)
            }
            Ip::V6(s) => {
                let parts: Vec<&str> = s.split(':').take(3).collect();
                format!("{}::/48", parts.join(":"))
            }
        }
    }

    /// The address with IPv4-mapped forms unwrapped (as authsweep reports it).
    pub fn canonical(&self) -> String {
        match *self {
            Ip::V4(x) | Ip::Mapped(x) => fmt4(x),
            Ip::V6(s) => s.to_string(),
        }
    }

    pub fn is_loopback(&self) -> bool {
        matches!(*self, Ip::V4(x) if x >> 24 == 127)
    }
}

pub fn fmt4(x: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        x >> 24,
        (x >> 16) & 255,
        (x >> 8) & 255,
        x & 255
    )
}

pub const MX1_PUBLIC: Ip = Ip::v4(192, 0, 2, 25);
pub const MX1_LAN: Ip = Ip::v4(10, 20, 0, 25);
pub const LOOPBACK: Ip = Ip::v4(127, 0, 0, 1);

/// Where a client address comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    Office,
    Home,
    Mobile,
}

/// The address of client slot `k` in a network family: a bijection of `k`
/// onto 256 /24 networks x 250 hosts, scrambled so neighbours differ.
pub fn client_ip(net: Net, k: u64) -> u32 {
    const SPACE: u64 = 256 * 250;
    // 40_503 is odd and coprime to 64_000, so this is a permutation.
    let p = (k % SPACE) * 40_503 % SPACE;
    let (c, d) = ((p / 250) as u8, (p % 250 + 3) as u8);
    match net {
        Net::Office => v4(10, 20, c, d),
        Net::Home => v4(198, 18, c, d),
        Net::Mobile => v4(100, 64, c, d),
    }
}

/// A random background-bot address in `198.19.128.0/17`.
pub fn bot_ip(rng: &mut Rng) -> u32 {
    v4(
        198,
        19,
        128 + rng.below(128) as u8,
        1 + rng.below(254) as u8,
    )
}

/// External mail servers: (host name, address).
pub fn mta(k: u64) -> (String, Ip) {
    const NAMES: [&str; 12] = [
        "mail", "mx", "smtp", "out", "mta", "relay", "mx1", "mx2", "o1", "mail-out", "smtp-out",
        "edge",
    ];
    const DOMAINS: [&str; 16] = [
        "example.com",
        "example.net",
        "example.org",
        "partner.example",
        "agency.example",
        "university.example",
        "bank.example",
        "newsletter.example",
        "supplier.example",
        "city.example",
        "health.example",
        "press.example",
        "courier.example",
        "ngo.example",
        "consult.example",
        "lists.example",
    ];
    let k = k % 192;
    let name = format!(
        "{}.{}",
        NAMES[(k % 12) as usize],
        DOMAINS[(k / 12) as usize]
    );
    if k % 23 == 5 {
        const V6: [&str; 4] = [
            "2001:db8:4860:4864::1a",
            "2001:db8:1f0c:200::25",
            "2001:db8:a0b:12f0::41",
            "2001:db8:3001:7::2b",
        ];
        return (name, Ip::V6(V6[(k / 23 % 4) as usize]));
    }
    (
        name,
        Ip::V4(v4(198, 19, (k % 64) as u8, (10 + k * 7 % 240) as u8)),
    )
}

/// External correspondents' domains.
pub const EXT_DOMAINS: [&str; 10] = [
    "example.com",
    "example.net",
    "example.org",
    "partner.example",
    "agency.example",
    "university.example",
    "supplier.example",
    "city.example",
    "consult.example",
    "press.example",
];

pub const GIVEN: [&str; 50] = [
    "anna", "ben", "carla", "daniel", "eva", "felix", "greta", "hugo", "irene", "jonas", "karin",
    "leo", "mia", "noah", "olga", "paul", "quinn", "rita", "simon", "tina", "ulrich", "vera",
    "walter", "xenia", "yusuf", "zoe", "adam", "bianca", "chris", "dora", "emil", "fiona",
    "gabriel", "helena", "ivan", "julia", "kevin", "lena", "marco", "nadia", "oscar", "petra",
    "rafael", "sara", "tobias", "ursula", "victor", "wanda", "yara", "zeno",
];

pub const FAMILY: [&str; 50] = [
    "adams",
    "baker",
    "costa",
    "dubois",
    "eriksen",
    "fischer",
    "garcia",
    "hansen",
    "ivanova",
    "jensen",
    "kowalski",
    "larsen",
    "moreau",
    "novak",
    "olsen",
    "petrov",
    "quinn",
    "rossi",
    "schmidt",
    "tanaka",
    "urban",
    "vogel",
    "weber",
    "xu",
    "young",
    "zeller",
    "andersen",
    "becker",
    "carter",
    "diaz",
    "ek",
    "ferrari",
    "gruber",
    "horvat",
    "ito",
    "jovanovic",
    "keller",
    "lopez",
    "meyer",
    "nagy",
    "ortiz",
    "park",
    "ricci",
    "silva",
    "torres",
    "varga",
    "wagner",
    "yilmaz",
    "zimmer",
    "haddad",
];

/// `given.family[N]` for index `i`: unique for every `i`.
pub fn local_part(i: u64) -> String {
    let g = i % 50;
    let f = (i / 50 + 17 * g) % 50;
    let k = i / 2500;
    let mut s = format!("{}.{}", GIVEN[g as usize], FAMILY[f as usize]);
    if k > 0 {
        s.push_str(&(k + 1).to_string());
    }
    s
}

pub const DOMAIN: &str = "example.gov";

pub fn address(i: u64) -> String {
    format!("{}@{DOMAIN}", local_part(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_ips_unique() {
        let names: HashSet<String> = (0..20_000).map(local_part).collect();
        assert_eq!(names.len(), 20_000);
        let ips: HashSet<u32> = (0..64_000).map(|k| client_ip(Net::Home, k)).collect();
        assert_eq!(ips.len(), 64_000);
        assert_eq!(Ip::Mapped(v4(1, 2, 3, 4)).canonical(), "1.2.3.4");
    }
}
