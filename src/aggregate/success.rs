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

/// The successes of one account, sorted by hour, then address: `items`,
/// then `open`.
///
/// The record being filled (the one with the greatest key) is kept inline,
/// next to the account's other fields: a success in the same hour from the
/// same address, or a later one, touches no heap memory (loading the last
/// record of `items` cost a cache miss per success).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(from = "Stored")]
pub struct Successes {
    /// The record with the greatest key, if not in `items` (after a merge
    /// or loading, it may be there instead).
    open: Option<SuccRec>,
    /// The other records (all of them when `open` is `None`).
    items: Vec<SuccRec>,
}

/// The stored form of [`Successes`]: every record in `items`, as before
/// the open record.
#[derive(Deserialize)]
#[serde(rename = "Successes")]
struct Stored {
    items: Vec<SuccRec>,
}

impl From<Stored> for Successes {
    fn from(s: Stored) -> Self {
        Successes {
            open: None,
            items: s.items,
        }
    }
}

impl Serialize for Successes {
    /// As the stored form (`Stored`): the records in order as `items`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Recs<'a>(&'a Successes);
        impl Serialize for Recs<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.recs())
            }
        }
        let mut st = s.serialize_struct("Successes", 1)?;
        st.serialize_field("items", &Recs(self))?;
        st.end()
    }
}

impl PartialEq for Successes {
    fn eq(&self, other: &Self) -> bool {
        self.recs().eq(other.recs())
    }
}

impl Eq for Successes {}

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

    /// Every record, in order.
    fn recs(&self) -> impl Iterator<Item = &SuccRec> + '_ {
        self.items.iter().chain(&self.open)
    }

    /// Add one record: into the record of its hour and address, or as a
    /// new one in its place.
    #[inline]
    fn put(&mut self, rec: SuccRec) {
        let key = rec.key();
        // Lines come mostly in time order: nearly always the open record or
        // a new one after it.
        match &mut self.open {
            Some(open) if open.key() == key => return open.absorb(&rec),
            Some(open) if open.key() < key => {
                let old = std::mem::replace(open, rec);
                return self.items.push(old);
            }
            None if self.items.is_empty() => return self.open = Some(rec),
            _ => {}
        }
        // An earlier key, or no open record (after a merge or loading): in
        // its place among all the records, the last one open again.
        self.items.extend(self.open.take());
        match self.items.binary_search_by(|x| x.key().cmp(&key)) {
            Ok(i) => self.items[i].absorb(&rec),
            Err(i) => self.items.insert(i, rec),
        }
        self.open = self.items.pop();
    }

    /// Add every success of `other`.
    pub fn merge(&mut self, other: &Successes) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            *self = other.clone();
            return;
        }
        if other.len() * 8 < self.len() {
            // A few records (a part of the input) into a long list: each in
            // its place, nearly always at the end.
            for r in other.recs() {
                self.put(*r);
            }
            return;
        }
        let mine = std::mem::take(self);
        let mut out = Vec::with_capacity(mine.len() + other.len());
        let mut a = mine.recs().copied().peekable();
        let mut b = other.recs().copied().peekable();
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match x.key().cmp(&y.key()) {
                    std::cmp::Ordering::Less => a.next(),
                    std::cmp::Ordering::Greater => b.next(),
                    std::cmp::Ordering::Equal => {
                        let (mut x, y) = (*x, *y);
                        x.absorb(&y);
                        a.next();
                        b.next();
                        Some(x)
                    }
                },
                _ => a.next().or_else(|| b.next()),
            };
            match next {
                Some(r) => out.push(r),
                None => break,
            }
        }
        self.open = out.pop();
        self.items = out;
    }

    /// Change the first and last line of every record with `f`, which must
    /// keep each ref's time (it renumbers files).
    pub fn map_refs(&mut self, mut f: impl FnMut(&mut Ref)) {
        for r in self.items.iter_mut().chain(&mut self.open) {
            let (mut first, mut last) = (r.first(), r.last());
            f(&mut first);
            f(&mut last);
            debug_assert!(first.ts == r.first_ts && last.ts == r.last_ts);
            r.first_loc = first.loc;
            r.last_loc = last.loc;
        }
    }

    /// Number of records (hour and address pairs).
    pub fn len(&self) -> usize {
        self.items.len() + usize::from(self.open.is_some())
    }

    /// Whether there is no success.
    pub fn is_empty(&self) -> bool {
        self.open.is_none() && self.items.is_empty()
    }

    /// The address of every record (0: none or a proxy), by hour: an
    /// address comes once per hour it logged in from.
    pub fn ips(&self) -> impl Iterator<Item = IpKey> + '_ {
        self.recs().map(|r| r.ip())
    }

    /// Whether some success came from a client address.
    pub fn has_client(&self) -> bool {
        self.recs().any(|r| r.minutes & CLIENT != 0)
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
        let mut recs = self.recs().peekable();
        std::iter::from_fn(move || {
            let r = *recs.peek()?;
            let hour = r.hour();
            let (first, last) = ((r.first(), r.ip()), (r.last(), r.ip()));
            let mut b = SuccBucket {
                n: 0,
                first,
                last,
                minutes: 0,
                nets: CapSet::default(),
            };
            while let Some(r) = recs.next_if(|r| r.hour() == hour) {
                b.n += r.n;
                b.first = b.first.min((r.first(), r.ip()));
                b.last = b.last.max((r.last(), r.ip()));
                b.minutes |= r.minutes & !CLIENT;
                if r.ip() != 0 {
                    b.nets.insert(net_key(r.ip()));
                }
            }
            Some((hour, b))
        })
    }

    /// Whether two hours with successes are `hours` or more apart, with
    /// none between (a cheap test before looking for a long silence).
    pub fn has_gap(&self, hours: u32) -> bool {
        let mut prev: Option<u32> = None;
        for r in self.recs() {
            let h = r.hour();
            if prev.is_some_and(|p| h - p >= hours) {
                return true;
            }
            prev = Some(h);
        }
        false
    }

    /// Whether the successes of some `hours` consecutive hours came from
    /// `need` or more distinct networks: the windows of
    /// [`crate::detect::episodes`] over [`Self::hours`], counted in full
    /// from the records (an hour's bucket keeps its first 16 networks), so
    /// that it is false only when no window of the buckets can reach
    /// `need` either. One pass, no allocation for a few networks a day.
    pub fn nets_within(&self, hours: u32, need: usize) -> bool {
        if need == 0 {
            return true;
        }
        // Networks in the window, with how many of its records have each.
        let mut win: smallvec::SmallVec<[(u64, u32); 16]> = smallvec::SmallVec::new();
        let mut left = self.recs().peekable();
        for r in self.recs() {
            let h = r.hour();
            while let Some(l) = left.next_if(|l| l.hour() + hours <= h) {
                if l.ip() != 0 {
                    let net = net_key(l.ip());
                    if let Some(i) = win.iter().position(|x| x.0 == net) {
                        win[i].1 -= 1;
                        if win[i].1 == 0 {
                            win.swap_remove(i);
                        }
                    }
                }
            }
            if r.ip() != 0 {
                let net = net_key(r.ip());
                match win.iter_mut().find(|x| x.0 == net) {
                    Some(x) => x.1 += 1,
                    None => {
                        win.push((net, 1));
                        if win.len() >= need {
                            return true;
                        }
                    }
                }
            }
        }
        false
    }

    /// The client addresses successes came from (with repeats).
    pub fn client_ips(&self) -> impl Iterator<Item = IpKey> + '_ {
        self.recs()
            .filter(|r| r.minutes & CLIENT != 0)
            .map(|r| r.ip())
    }

    /// Client addresses of successes per day (first and last success from
    /// each, and how many), sorted by address.
    pub fn client_days(&self) -> Series<IpDay> {
        let mut out: Series<IpDay> = Series::default();
        for r in self.recs().filter(|r| r.minutes & CLIENT != 0) {
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

    /// A xorshift generator from `seed`: the same numbers every run.
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// The derived buckets are those folding each success into per-hour
    /// and per-day buckets directly gives, in any order of adds and merges.
    #[test]
    fn derived_buckets_match_direct_folding() {
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
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
        // In the order given (random: records in their place among the
        // others) and in time order (nearly all in the open record, or a
        // new one after it).
        let mut sorted = events.clone();
        sorted.sort_by_key(|e| e.0);
        for events in [&events, &sorted] {
            check(events, &hours, &days);
        }
    }

    /// `has_gap` and `nets_within` answer what the raw successes answer:
    /// the longest silence between hours with successes, and the most
    /// networks within a window of hours, counted directly.
    #[test]
    fn gap_and_network_tests_match_the_successes() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        for round in 0..40u64 {
            let mut s = Successes::default();
            let mut hours: Vec<(u32, u64)> = Vec::new();
            // A few days of logins from a handful of networks, then, in
            // some rounds, a burst from many in one evening, or a silence.
            let base = 1_700_000_000 + (round * 7919) as i64;
            let spread = 3600 * (1 + next() % 200) as i64;
            for i in 0..(5 + next() % 60) {
                let ts = base + (next() as i64).rem_euclid(spread);
                let net = (next() % (2 + round % 6)) as u8;
                let ip = match next() % 7 {
                    0 => 0,
                    _ => u128::from(
                        std::net::Ipv4Addr::new(192, 0, net, (next() % 4) as u8).to_ipv6_mapped(),
                    ),
                };
                s.add(Ref::new(ts, 1, i + 1), ip, ip != 0, 1);
                hours.push((hour_of(ts), if ip == 0 { 0 } else { net_key(ip) }));
            }
            if round % 3 == 0 {
                let at = base + spread + 86_400 * (next() % 90) as i64;
                for k in 0..(next() % 30) {
                    let ip =
                        u128::from(std::net::Ipv4Addr::new(198, 51, k as u8, 7).to_ipv6_mapped());
                    let ts = at + (next() % 7200) as i64;
                    s.add(Ref::new(ts, 2, k + 1), ip, true, 1);
                    hours.push((hour_of(ts), net_key(ip)));
                }
            }
            hours.sort();
            let mut distinct: Vec<u32> = hours.iter().map(|h| h.0).collect();
            distinct.dedup();
            let longest = distinct.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
            for gap in [0, 1, 2, 24, 100, 1000, 5000] {
                let want = distinct.len() > 1 && longest >= gap;
                assert_eq!(s.has_gap(gap), want, "round {round}, gap {gap}");
            }
            for width in [1, 2, 24] {
                // The most networks of the hours [h - width + 1, h].
                let most = distinct
                    .iter()
                    .map(|&end| {
                        let mut nets: Vec<u64> = hours
                            .iter()
                            .filter(|h| h.0 + width > end && h.0 <= end && h.1 != 0)
                            .map(|h| h.1)
                            .collect();
                        nets.sort();
                        nets.dedup();
                        nets.len()
                    })
                    .max()
                    .unwrap_or(0);
                for need in [1, 2, 3, 5, 10, 20] {
                    assert_eq!(
                        s.nets_within(width, need),
                        most >= need,
                        "round {round}, {need} networks in {width} h"
                    );
                }
            }
        }
    }

    /// Fold `events` whole and in parts merged in another order, against
    /// the direct buckets, a plain sorted map of records, and today's
    /// stored form.
    fn check(events: &[(Ref, IpKey, bool, u64)], hours: &Series<SuccBucket>, days: &Series<IpDay>) {
        let mut whole = Successes::default();
        for &(r, ip, client, n) in events {
            whole.add(r, ip, client, n);
        }
        assert!(whole.open.is_some());
        assert_eq!(&whole.hours(), hours);
        assert_eq!(&whole.client_days(), days);
        // The records: those of a sorted map, `items` then `open`.
        let mut map = std::collections::BTreeMap::new();
        for &(r, ip, client, n) in events {
            let mut one = Successes::default();
            one.add(r, ip, client, n);
            let rec = one.open.unwrap();
            map.entry(rec.key())
                .and_modify(|x: &mut SuccRec| x.absorb(&rec))
                .or_insert(rec);
        }
        let recs: Vec<SuccRec> = map.into_values().collect();
        assert!(whole.recs().eq(recs.iter()));
        assert_eq!(whole.len(), recs.len());
        assert!(!whole.is_empty());
        assert!(whole.ips().eq(recs.iter().map(|r| r.ip())));
        assert_eq!(
            whole.has_client(),
            recs.iter().any(|r| r.minutes & CLIENT != 0)
        );
        assert!(whole.client_ips().eq(recs
            .iter()
            .filter(|r| r.minutes & CLIENT != 0)
            .map(|r| r.ip())));
        // Stored as before the open record: every record in `items`;
        // loaded, all of them are there.
        #[derive(Serialize)]
        struct Before {
            items: Vec<SuccRec>,
        }
        let bytes = postcard::to_stdvec(&whole).unwrap();
        assert_eq!(
            bytes,
            postcard::to_stdvec(&Before {
                items: recs.clone()
            })
            .unwrap()
        );
        assert_eq!(
            serde_json::to_string(&whole).unwrap(),
            serde_json::to_string(&Before {
                items: recs.clone()
            })
            .unwrap()
        );
        let loaded: Successes = postcard::from_bytes(&bytes).unwrap();
        assert!(loaded.open.is_none() && loaded.items == recs);
        assert_eq!(loaded, whole);
        // Renumbering reaches the open record too.
        let renumber = |r: &mut Ref| r.loc ^= 1 << 40;
        let mut renumbered = whole.clone();
        renumbered.map_refs(renumber);
        let mut direct = Successes::default();
        for &(mut r, ip, client, n) in events {
            renumber(&mut r);
            direct.add(r, ip, client, n);
        }
        assert_eq!(renumbered, direct);
        assert_ne!(renumbered, whole);
        // Cut into parts folded apart, merged in another order, some
        // loaded (no open record) and added to after loading.
        for parts in [2, 7, 64] {
            let mut partial: Vec<Successes> = vec![Successes::default(); parts];
            let mut added = vec![0; parts];
            for (i, &(r, ip, client, n)) in events.iter().enumerate() {
                let p = (i * parts) / events.len();
                if p % 2 == 1 && added[p] == 3 {
                    // Every other part goes through the stored form (no
                    // open record) and is added to after loading.
                    let stored = postcard::to_stdvec(&partial[p]).unwrap();
                    partial[p] = postcard::from_bytes(&stored).unwrap();
                    assert!(partial[p].open.is_none());
                }
                partial[p].add(r, ip, client, n);
                added[p] += 1;
            }
            let mut merged = Successes::default();
            for p in partial.iter().rev() {
                merged.merge(p);
                // Merging into the loaded form gives the same.
                let mut loaded: Successes =
                    postcard::from_bytes(&postcard::to_stdvec(&merged).unwrap()).unwrap();
                loaded.merge(p);
                let mut again = merged.clone();
                again.merge(p);
                assert_eq!(loaded, again);
            }
            assert_eq!(merged, whole);
            merged.map_refs(renumber);
            assert_eq!(merged, direct);
        }
    }
}
