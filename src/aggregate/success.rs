//! Successful logins as the aggregate keeps them: one record per account,
//! hour and address.
//!
//! Most account-hours with a success hold one or two logins from one
//! address, so one 64-byte record per hour and address is smaller than the
//! per-hour bucket (first and last line with their addresses, minutes,
//! networks) and the per-day client-address bucket it replaces, and it
//! holds what both need: the detectors' [`SuccBucket`]s and [`IpDay`]s are
//! derived from it exactly ([`Successes::hours`],
//! [`Successes::client_days`]). Memory still grows with accounts, hours
//! and addresses, not with lines.

use super::cap::CapSet;
use super::series::Series;
use super::{ip_day_add, net_key, IpDay, IpKey, IpSeen, Ref, SuccBucket};
use serde::{Deserialize, Serialize};

/// Bit of [`SuccRec::minutes`] (above the 60 minute bits) set when the
/// address is a client address (not in a trusted network).
const CLIENT: u64 = 1 << 63;

/// The successes of one account in one hour from one address (0 for none
/// or a proxy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccRec {
    /// Time of the first success (UTC seconds); the hour is this hour.
    first_ts: i64,
    /// Time of the last success.
    last_ts: i64,
    /// The address, as two halves (a `u128` would align the record to 16
    /// bytes).
    ip: [u64; 2],
    /// File and line of the first success.
    first_loc: u64,
    /// File and line of the last success.
    last_loc: u64,
    /// Bit `m`: a success in minute `m` of the hour; bit 63: [`CLIENT`].
    minutes: u64,
    /// Successful logins.
    n: u64,
}

impl SuccRec {
    fn hour(&self) -> u32 {
        hour_of(self.first_ts)
    }

    fn key(&self) -> (u32, [u64; 2]) {
        (self.hour(), self.ip)
    }

    fn first(&self) -> Ref {
        Ref {
            ts: self.first_ts,
            loc: self.first_loc,
        }
    }

    fn last(&self) -> Ref {
        Ref {
            ts: self.last_ts,
            loc: self.last_loc,
        }
    }

    fn ip(&self) -> IpKey {
        ((self.ip[0] as u128) << 64) | self.ip[1] as u128
    }

    fn absorb(&mut self, o: &SuccRec) {
        if o.first() < self.first() {
            self.first_ts = o.first_ts;
            self.first_loc = o.first_loc;
        }
        if o.last() > self.last() {
            self.last_ts = o.last_ts;
            self.last_loc = o.last_loc;
        }
        self.minutes |= o.minutes;
        self.n += o.n;
    }
}

/// The hour key of a time, as the buckets have always been keyed.
fn hour_of(ts: i64) -> u32 {
    ts.div_euclid(3600) as u32
}

/// The successes of one account, sorted by hour, then address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Successes {
    items: Vec<SuccRec>,
}

impl Successes {
    /// A success (standing for `n` logins) at `at` from `ip` (0: none or a
    /// proxy); `client`: the address is a client address (the same for
    /// every success from `ip`: it depends on the trusted networks only).
    #[inline]
    pub fn add(&mut self, at: Ref, ip: IpKey, client: bool, n: u64) {
        self.put(SuccRec {
            first_ts: at.ts,
            last_ts: at.ts,
            ip: [(ip >> 64) as u64, ip as u64],
            first_loc: at.loc,
            last_loc: at.loc,
            minutes: (1u64 << at.ts.div_euclid(60).rem_euclid(60))
                | if client { CLIENT } else { 0 },
            n,
        });
    }

    /// Add one record: into the record of its hour and address, or as a
    /// new one in its place.
    #[inline]
    fn put(&mut self, rec: SuccRec) {
        let key = rec.key();
        // Lines come mostly in time order: nearly always the last record or
        // a new one at the end.
        match self.items.last_mut() {
            Some(last) if last.key() == key => last.absorb(&rec),
            Some(last) if last.key() > key => {
                match self.items.binary_search_by(|x| x.key().cmp(&key)) {
                    Ok(i) => self.items[i].absorb(&rec),
                    Err(i) => self.items.insert(i, rec),
                }
            }
            _ => self.items.push(rec),
        }
    }

    /// Add every success of `other`.
    pub fn merge(&mut self, other: &Successes) {
        if other.items.is_empty() {
            return;
        }
        if self.items.is_empty() {
            self.items = other.items.clone();
            return;
        }
        if other.items.len() * 8 < self.items.len() {
            // A few records (a part of the input) into a long list: each in
            // its place, nearly always at the end.
            for r in &other.items {
                self.put(*r);
            }
            return;
        }
        let mut out = Vec::with_capacity(self.items.len() + other.items.len());
        let (mut i, mut j) = (0, 0);
        let (a, b) = (&self.items, &other.items);
        while i < a.len() && j < b.len() {
            match a[i].key().cmp(&b[j].key()) {
                std::cmp::Ordering::Less => {
                    out.push(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let mut x = a[i];
                    x.absorb(&b[j]);
                    out.push(x);
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        self.items = out;
    }

    /// Change the first and last line of every record with `f`, which must
    /// keep each ref's time (it renumbers files).
    pub fn map_refs(&mut self, mut f: impl FnMut(&mut Ref)) {
        for r in &mut self.items {
            let (mut first, mut last) = (r.first(), r.last());
            f(&mut first);
            f(&mut last);
            debug_assert!(first.ts == r.first_ts && last.ts == r.last_ts);
            r.first_loc = first.loc;
            r.last_loc = last.loc;
        }
    }

    /// Release spare capacity.
    pub fn shrink(&mut self) {
        self.items.shrink_to_fit();
    }

    /// Number of records (hour and address pairs).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no success.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The address of every record (0: none or a proxy), by hour: an
    /// address comes once per hour it logged in from.
    pub fn ips(&self) -> impl Iterator<Item = IpKey> + '_ {
        self.items.iter().map(|r| r.ip())
    }

    /// Whether some success came from a client address.
    pub fn has_client(&self) -> bool {
        self.items.iter().any(|r| r.minutes & CLIENT != 0)
    }

    /// Successes per hour: count, first and last success with their
    /// addresses, minutes, and the first 16 networks.
    pub fn hours(&self) -> Series<SuccBucket> {
        let mut out: Series<SuccBucket> = Series::default();
        for (hour, b) in self.hours_iter() {
            // Hours come in order, each once: each an append.
            out.entry(hour, move || b);
        }
        out
    }

    /// [`Self::hours`] one hour at a time, in order, without building the
    /// series (the records of an hour are next to each other).
    pub fn hours_iter(&self) -> impl Iterator<Item = (u32, SuccBucket)> + '_ {
        let mut i = 0;
        std::iter::from_fn(move || {
            let r = self.items.get(i)?;
            let hour = r.hour();
            let (first, last) = ((r.first(), r.ip()), (r.last(), r.ip()));
            let mut b = SuccBucket {
                n: 0,
                first,
                last,
                minutes: 0,
                nets: CapSet::default(),
            };
            while let Some(r) = self.items.get(i).filter(|r| r.hour() == hour) {
                b.n += r.n;
                b.first = b.first.min((r.first(), r.ip()));
                b.last = b.last.max((r.last(), r.ip()));
                b.minutes |= r.minutes & !CLIENT;
                if r.ip() != 0 {
                    b.nets.insert(net_key(r.ip()));
                }
                i += 1;
            }
            Some((hour, b))
        })
    }

    /// The client addresses successes came from (with repeats).
    pub fn client_ips(&self) -> impl Iterator<Item = IpKey> + '_ {
        self.items
            .iter()
            .filter(|r| r.minutes & CLIENT != 0)
            .map(|r| r.ip())
    }

    /// Client addresses of successes per day (first and last success from
    /// each, and how many), sorted by address.
    pub fn client_days(&self) -> Series<IpDay> {
        let mut out: Series<IpDay> = Series::default();
        for r in self.items.iter().filter(|r| r.minutes & CLIENT != 0) {
            let day = r.first_ts.div_euclid(86_400) as u32;
            let mut seen = IpSeen::new(r.ip(), r.first(), r.n.min(u32::MAX as u64) as u32);
            seen.last = r.last();
            ip_day_add(out.entry(day, IpDay::new), seen);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derived buckets are those folding each success into per-hour
    /// and per-day buckets directly gives, in any order of adds and merges.
    #[test]
    fn derived_buckets_match_direct_folding() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut events = Vec::new();
        for i in 0..3000u64 {
            let ts = 1_700_000_000 + (next() % (6 * 86_400)) as i64;
            let ip: IpKey = match next() % 5 {
                0 => 0,
                k => u128::from(
                    std::net::Ipv4Addr::new(10, (k * 40) as u8, 0, (next() % 3) as u8)
                        .to_ipv6_mapped(),
                ),
            };
            // Whether an address is a client's depends on the address only
            // (trusted networks).
            let client = ip != 0 && ip % 3 != 2;
            let n = if next() % 50 == 0 {
                u32::MAX as u64
            } else {
                1 + next() % 3
            };
            events.push((Ref::new(ts, (i % 3) as u32, i + 1), ip, client, n));
        }
        // Direct folding, as the aggregate did before the records.
        let mut hours: Series<SuccBucket> = Series::default();
        let mut days: Series<IpDay> = Series::default();
        for &(r, ip, client, n) in &events {
            if client {
                let day = r.ts.div_euclid(86_400) as u32;
                ip_day_add(
                    days.entry(day, IpDay::new),
                    IpSeen::new(ip, r, n.min(u32::MAX as u64) as u32),
                );
            }
            let b = hours.entry(hour_of(r.ts), || SuccBucket {
                n: 0,
                first: (r, ip),
                last: (r, ip),
                minutes: 0,
                nets: CapSet::default(),
            });
            b.n += n;
            b.first = b.first.min((r, ip));
            b.last = b.last.max((r, ip));
            b.minutes |= 1u64 << r.ts.div_euclid(60).rem_euclid(60);
            if ip != 0 {
                b.nets.insert(net_key(ip));
            }
        }
        let mut whole = Successes::default();
        for &(r, ip, client, n) in &events {
            whole.add(r, ip, client, n);
        }
        assert_eq!(whole.hours(), hours);
        assert_eq!(whole.client_days(), days);
        // Cut into parts folded apart, merged in another order.
        for parts in [2, 7, 64] {
            let mut partial: Vec<Successes> = vec![Successes::default(); parts];
            for (i, &(r, ip, client, n)) in events.iter().enumerate() {
                partial[(i * parts) / events.len()].add(r, ip, client, n);
            }
            let mut merged = Successes::default();
            for p in partial.iter().rev() {
                merged.merge(p);
            }
            assert_eq!(merged, whole);
        }
    }
}
