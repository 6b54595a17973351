//! The mergeable aggregate: everything the detectors and the report need,
//! kept in a form that merges exactly.
//!
//! A scan's workers fold the events of their blocks into one aggregate cut
//! into shards by account and address ([`Shards`], in `fold.rs`); states
//! saved by separate runs are merged ([`Aggregate::absorb`]). `Default` is
//! the identity, folding does not depend on the order of the events, and
//! the merge is associative and commutative, so one thread, eight threads,
//! any block size, any file order and any cut into states give the same
//! aggregate. Order-dependent questions ("a success after five failures")
//! are not answered here: the aggregate keeps sparse time buckets (failures
//! and submissions per minute, successes per hour with their first and last
//! line) and `detect` answers them after the merge.

pub mod cap;
mod fold;
mod remap;
pub mod series;
pub mod success;

use crate::account::AccountId;
use crate::event::Service;
use cap::CapSet;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use series::Series;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use success::Successes;

pub use fold::{FoldSettings, Folder, Placed, Shards};

/// A position in the input: time first, then file and line, so the maximum
/// of refs is "the last", with ties broken the same way however the input
/// was cut.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Ref {
    /// UTC seconds.
    pub ts: i64,
    /// `file << 40 | line`.
    pub loc: u64,
}

const LINE_BITS: u32 = 40;

impl Ref {
    /// A ref to `line` (1-based) of file `file` at time `ts`.
    pub fn new(ts: i64, file: u32, line: u64) -> Ref {
        Ref {
            ts,
            loc: ((file as u64) << LINE_BITS) | (line & ((1 << LINE_BITS) - 1)),
        }
    }
    /// The file id.
    pub fn file(self) -> u32 {
        (self.loc >> LINE_BITS) as u32
    }
    /// The 1-based line number.
    pub fn line(self) -> u64 {
        self.loc & ((1 << LINE_BITS) - 1)
    }
}

/// An address as an integer: IPv4 as its IPv4-mapped IPv6 form. `0` means
/// "no address".
pub type IpKey = u128;

/// The key of an address.
pub fn ip_key(ip: IpAddr) -> IpKey {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The address of a key (`None` for 0).
pub fn key_ip(k: IpKey) -> Option<IpAddr> {
    if k == 0 {
        return None;
    }
    let v6 = Ipv6Addr::from(k);
    Some(match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    })
}

/// The network of an address for "distinct networks": IPv4 /24, IPv6 /48.
pub fn net_key(k: IpKey) -> u64 {
    match key_ip(k) {
        Some(IpAddr::V4(v4)) => (1 << 63) | (u32::from(v4) >> 8) as u64,
        Some(IpAddr::V6(_)) => (k >> 80) as u64,
        None => 0,
    }
}

/// Human form of a network key (`198.51.100.0/24`, `2001:db8:1::/48`).
pub fn net_name(n: u64) -> String {
    if n >> 63 == 1 {
        let v4 = Ipv4Addr::from(((n as u32) & 0x00ff_ffff) << 8);
        format!("{v4}/24")
    } else {
        let v6 = Ipv6Addr::from((n as u128) << 80);
        format!("{v6}/48")
    }
}

/// Failures of one account in one minute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailBucket {
    /// Attempts.
    pub n: u64,
    /// First line.
    pub first: Ref,
    /// Last line.
    pub last: Ref,
    /// Distinct addresses (first 16).
    pub ips: CapSet<IpKey, 16>,
}

impl FailBucket {
    fn merge(&mut self, o: &FailBucket) {
        self.n += o.n;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.ips.merge(&o.ips);
    }
}

/// Successes of one account in one hour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccBucket {
    /// Successful logins.
    pub n: u64,
    /// First success, and its address.
    pub first: (Ref, IpKey),
    /// Last success, and its address.
    pub last: (Ref, IpKey),
    /// Bit `m` set: a success in minute `m` of the hour.
    pub minutes: u64,
    /// Distinct networks (first 16).
    pub nets: CapSet<u64, 16>,
}

/// A count in one minute with its first and last line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountBucket {
    /// Count.
    pub n: u64,
    /// First line.
    pub first: Ref,
    /// Last line.
    pub last: Ref,
}

impl CountBucket {
    fn merge(&mut self, o: &CountBucket) {
        self.n += o.n;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
    }
}

/// Failures from one address in one minute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpFailBucket {
    /// Attempts.
    pub n: u64,
    /// First line.
    pub first: Ref,
    /// Last line.
    pub last: Ref,
    /// Distinct accounts tried (first 16 by id).
    pub accounts: CapSet<AccountId, 16>,
    /// Distinct unknown users tried (first 16 by id).
    pub unknown: CapSet<AccountId, 16>,
}

impl IpFailBucket {
    fn merge(&mut self, o: &IpFailBucket) {
        self.n += o.n;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.accounts.merge(&o.accounts);
        self.unknown.merge(&o.unknown);
    }
}

/// Successes of one account from one address in one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpSeen {
    /// The address (never trusted, never a proxy), as two halves: a `u128`
    /// would align the struct to 16 bytes and make every day bucket a
    /// quarter larger.
    ip: [u64; 2],
    /// First success from it that day.
    pub first: Ref,
    /// Last success from it that day.
    pub last: Ref,
    /// Successes.
    pub n: u32,
}

impl IpSeen {
    /// A success from `ip` at `at`, standing for `n` attempts.
    pub fn new(ip: IpKey, at: Ref, n: u32) -> IpSeen {
        IpSeen {
            ip: [(ip >> 64) as u64, ip as u64],
            first: at,
            last: at,
            n,
        }
    }

    /// The address.
    pub fn ip(&self) -> IpKey {
        ((self.ip[0] as u128) << 64) | self.ip[1] as u128
    }
}

/// The addresses an account logged in from in one day, sorted by address.
/// Most days have one.
pub type IpDay = smallvec::SmallVec<[IpSeen; 1]>;

pub(crate) fn ip_day_add(d: &mut IpDay, s: IpSeen) {
    match d.binary_search_by_key(&s.ip, |x| x.ip) {
        Ok(i) => {
            let x = &mut d[i];
            x.first = x.first.min(s.first);
            x.last = x.last.max(s.last);
            x.n = x.n.saturating_add(s.n);
        }
        Err(i) => d.insert(i, s),
    }
}

/// A mail forwarding set on the account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Forward {
    /// The line.
    pub at: Ref,
    /// The forwarding target as logged.
    pub target: Box<str>,
}

/// Forwarding changes kept per account (the earliest).
pub const MAX_FORWARDS: usize = 16;

/// The last successful login: where and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LoginRef {
    /// The line.
    pub at: Ref,
    /// Offset of the timestamp as logged (for display).
    pub offset: i32,
    /// The address.
    pub ip: IpKey,
    /// The service.
    pub service: Service,
}

/// Everything kept about one account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountAgg {
    /// The account key (normalized name).
    pub name: Box<[u8]>,
    /// First event of any kind.
    pub first_seen: Option<Ref>,
    /// Last login attempt of any outcome.
    pub last_attempt: Option<Ref>,
    /// First successful login.
    pub first_login: Option<Ref>,
    /// Last successful login.
    pub last_login: Option<LoginRef>,
    /// Last successful login per service (UTC seconds, `i64::MIN` = none).
    pub by_service: [Option<i64>; Service::COUNT],
    /// Last successful interactive (webmail) login.
    pub last_interactive: Option<i64>,
    /// Successful logins.
    pub logins: u64,
    /// Failed logins.
    pub failures: u64,
    /// Messages submitted.
    pub submissions: u64,
    /// Last password change seen in the logs.
    pub password_changed: Option<Ref>,
    /// Successful password logins without TLS from outside the trusted
    /// networks.
    pub cleartext: u64,
    /// The first of them, and its address.
    pub cleartext_first: Option<(Ref, IpKey)>,
    /// The last of them, and its address.
    pub cleartext_last: Option<(Ref, IpKey)>,
    /// Forwarding set on the account (the first [`MAX_FORWARDS`], sorted).
    pub forwards: Vec<Forward>,
    /// Distinct addresses of attempts that [`Self::successes`] does not
    /// hold: of failures, and of successes through a proxy (kept there as
    /// "no address"). [`Self::distinct_ips`] counts these and the
    /// successes' together. (Successes are most events: a per-account hash
    /// set of their addresses cost a cache miss per login and held every
    /// address twice.)
    pub ips: cap::DistinctCount<IpKey, MAX_DISTINCT_IPS>,
    /// Failures per minute.
    pub fails: Series<FailBucket>,
    /// Successes per hour and address: the per-hour buckets
    /// ([`AccountAgg::succ`]) and the client addresses per day
    /// ([`AccountAgg::addrs`]) are derived from these.
    pub successes: Successes,
    /// Submissions per minute.
    pub submits: Series<CountBucket>,
}

fn min_opt<T: Ord + Copy>(a: &mut Option<T>, b: Option<T>) {
    if let Some(b) = b {
        *a = Some(a.map_or(b, |a| a.min(b)));
    }
}

fn max_opt<T: Ord + Copy>(a: &mut Option<T>, b: Option<T>) {
    if let Some(b) = b {
        *a = Some(a.map_or(b, |a| a.max(b)));
    }
}

/// Distinct addresses counted per account, at most.
pub const MAX_DISTINCT_IPS: usize = 65536;

impl AccountAgg {
    /// Distinct addresses of any attempt (at most [`MAX_DISTINCT_IPS`]).
    pub fn distinct_ips(&self) -> usize {
        let mut more: rustc_hash::FxHashSet<IpKey> = rustc_hash::FxHashSet::default();
        let mut last = 0;
        for ip in self.successes.ips() {
            // Records are by hour, then address: an address that logs in
            // hour after hour comes again and again.
            if ip != 0 && ip != last && !self.ips.contains(&ip) {
                more.insert(ip);
            }
            last = ip;
        }
        (self.ips.len() + more.len()).min(MAX_DISTINCT_IPS)
    }

    /// Successes per hour (derived from [`Self::successes`]).
    pub fn succ(&self) -> Series<SuccBucket> {
        self.successes.hours()
    }

    /// Client addresses of successes per day, trusted networks and proxies
    /// left out (derived from [`Self::successes`]): the address, geo and
    /// known-bad detectors read these.
    pub fn addrs(&self) -> Series<IpDay> {
        self.successes.client_days()
    }

    fn merge(&mut self, o: AccountAgg) {
        if self.name.is_empty() {
            self.name = o.name;
        }
        min_opt(&mut self.first_seen, o.first_seen);
        max_opt(&mut self.last_attempt, o.last_attempt);
        min_opt(&mut self.first_login, o.first_login);
        max_opt(&mut self.last_login, o.last_login);
        for (a, b) in self.by_service.iter_mut().zip(o.by_service.iter()) {
            max_opt(a, *b);
        }
        max_opt(&mut self.last_interactive, o.last_interactive);
        self.logins += o.logins;
        self.failures += o.failures;
        self.submissions += o.submissions;
        max_opt(&mut self.password_changed, o.password_changed);
        self.cleartext += o.cleartext;
        min_opt(&mut self.cleartext_first, o.cleartext_first);
        max_opt(&mut self.cleartext_last, o.cleartext_last);
        if !o.forwards.is_empty() {
            self.forwards.extend(o.forwards);
            self.forwards.sort();
            self.forwards.dedup();
            self.forwards.truncate(MAX_FORWARDS);
        }
        self.ips.merge(o.ips);
        self.fails.merge(o.fails, FailBucket::merge);
        self.successes.merge(&o.successes);
        self.submits.merge(o.submits, CountBucket::merge);
    }

    /// About how many bytes of heap the account holds (its buckets and
    /// address set).
    fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.fails.len() * size_of::<(u32, FailBucket)>()
            + self.successes.len() * size_of::<success::SuccRec>()
            + self.submits.len() * size_of::<(u32, CountBucket)>()
            + self.ips.len() * 2 * size_of::<IpKey>()
    }
}

/// Everything kept about one address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpAgg {
    /// Failures per minute.
    pub fails: Series<IpFailBucket>,
}

/// Counts per file or per source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Events produced.
    pub events: u64,
    /// Lines of an authentication program that were not understood.
    pub unrecognized: u64,
    /// The first few unrecognized lines.
    pub samples: CapSet<Ref, 5>,
}

impl Counts {
    /// Add `o` to these counts.
    pub fn merge(&mut self, o: &Counts) {
        self.bytes += o.bytes;
        self.lines += o.lines;
        self.events += o.events;
        self.unrecognized += o.unrecognized;
        self.samples.merge(&o.samples);
    }
}

/// The whole aggregate of a run (or of a part of it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Per account. Boxed: the table keeps a quarter to a half of its slots
    /// free, and a free slot of ~600 bytes costs more than a pointer.
    #[serde(serialize_with = "cap::sorted_map")]
    pub accounts: FxHashMap<AccountId, Box<AccountAgg>>,
    /// Per address.
    #[serde(serialize_with = "cap::sorted_map")]
    pub ips: FxHashMap<IpKey, IpAgg>,
    /// Per file id.
    pub files: BTreeMap<u32, Counts>,
    /// Per source name.
    pub sources: BTreeMap<String, Counts>,
    /// First event.
    pub first_event: Option<(i64, i32)>,
    /// Last event.
    pub last_event: Option<(i64, i32)>,
    /// Events outside `--since`/`--until`, not counted.
    pub filtered_out: u64,
    /// Lines with a timestamp that could not be decoded.
    pub bad_timestamps: u64,
}

/// Heap freed while one aggregate is drained into another, between two
/// returns of the free memory to the system ([`crate::memory::give_back`]).
const GIVE_BACK_EVERY: usize = 16 << 20;

impl Aggregate {
    /// Fold `other` into `self` (states merged, a saved state and a new
    /// scan), moving what `self` does not have yet instead of copying it.
    /// The smaller is drained into the larger, and the memory it frees is
    /// given back to the system as it goes (every 16 MiB): the allocator
    /// would keep it, and the peak would be both aggregates whole and what
    /// the merge adds.
    pub fn absorb(&mut self, mut other: Aggregate) {
        if other.accounts.len() > self.accounts.len() {
            std::mem::swap(self, &mut other);
        }
        let mut freed = 0;
        for (k, v) in other.accounts.drain() {
            match self.accounts.get_mut(&k) {
                Some(a) => {
                    freed += v.heap_bytes();
                    a.merge(*v);
                }
                None => {
                    self.accounts.insert(k, v);
                }
            }
            if freed >= GIVE_BACK_EVERY {
                crate::memory::give_back();
                freed = 0;
            }
        }
        for (k, v) in other.ips.drain() {
            match self.ips.get_mut(&k) {
                Some(e) => e.fails.merge(v.fails, IpFailBucket::merge),
                None => {
                    self.ips.insert(k, v);
                }
            }
        }
        for (k, v) in &other.files {
            self.files.entry(*k).or_default().merge(v);
        }
        for (k, v) in &other.sources {
            self.sources.entry(k.clone()).or_default().merge(v);
        }
        min_opt(&mut self.first_event, other.first_event);
        max_opt(&mut self.last_event, other.last_event);
        self.filtered_out += other.filtered_out;
        self.bad_timestamps += other.bad_timestamps;
        if freed > 0 {
            drop(other);
            crate::memory::give_back();
        }
    }

    /// Drop what only the detectors read (the time buckets of accounts and
    /// addresses), keeping what the report shows. The accounts are done in
    /// parallel (in the caller's thread pool): the walk over their success
    /// records and the frees are most of it.
    pub fn drop_buckets(&mut self) {
        use rayon::prelude::*;
        let mut all: Vec<&mut Box<AccountAgg>> = self.accounts.values_mut().collect();
        all.par_iter_mut().with_min_len(256).for_each(|a| {
            a.fails = Series::default();
            // The distinct addresses outlive the success records.
            for ip in a.successes.ips() {
                if ip != 0 {
                    a.ips.insert(ip);
                }
            }
            a.successes = Successes::default();
            a.submits = Series::default();
        });
        self.ips = FxHashMap::default();
    }
}

/// Alias id → (account id, account key).
pub type AliasMap = FxHashMap<AccountId, (AccountId, Box<[u8]>)>;
