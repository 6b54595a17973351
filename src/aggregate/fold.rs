//! Folding events into the aggregate, in two steps.
//!
//! [`Folder::hold`] works out what an event does to its account and to its
//! address without touching them ([`AccountStep`], [`IpStep`]) and holds
//! the steps by shard; [`Shards::fold`] then does them, shard by shard,
//! under the shard's lock. A scan's workers share one [`Shards`]: every
//! account and every address lives in exactly one shard, so the workers
//! build one aggregate together and there is nothing to merge after the
//! read (each worker's own partial aggregate held every account it met,
//! and merging them cost time and a peak of memory). A worker holds the
//! steps of one block and folds them when the block ends: one lock per
//! shard per block, not per event.
//!
//! The steps of one shard are done in the order they were held; blocks
//! reach a shard in any order, as they reached a worker before: the
//! aggregate does not depend on the order (see the module above).

use super::cap::CapSet;
use super::{
    ip_key, max_opt, min_opt, Aggregate, CountBucket, FailBucket, Forward, IpFailBucket, IpKey,
    LoginRef, Ref, MAX_FORWARDS,
};
use crate::account::{account_id, AccountId, Normalizer};
use crate::event::{Kind, Outcome, Parsed, Reason, Service};
use std::sync::{Arc, Mutex, MutexGuard};

/// Settings the fold needs: account normalization, the time window and the
/// networks that are not clients. (Roster aliases are applied after the
/// merge, [`Aggregate::apply_aliases`], so a saved state does not depend on
/// the roster of the day it was made.)
#[derive(Clone, Debug, Default)]
pub struct FoldSettings {
    /// `--default-domain`.
    pub default_domain: Option<String>,
    /// `--since` (UTC seconds).
    pub since: Option<i64>,
    /// `--until` (UTC seconds).
    pub until: Option<i64>,
    /// Trusted networks (config `trusted_networks`): their logins are not
    /// kept as client addresses, nor as cleartext logins.
    pub trusted: Arc<crate::net::CidrSet>,
    /// Proxies (config `proxies`): a login whose only address is a proxy
    /// carries no client address for the address and geo detectors.
    pub proxies: Arc<crate::net::CidrSet>,
}

/// One event with its place and time.
#[derive(Clone, Copy, Debug)]
pub struct Placed<'e, 'a> {
    /// The parsed event.
    pub ev: &'e Parsed<'a>,
    /// UTC seconds.
    pub ts: i64,
    /// Offset of the timestamp as logged.
    pub offset: i32,
    /// File id.
    pub file: u32,
    /// 1-based line.
    pub line: u64,
}

/// A range of [`Held::bytes`].
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    len: u32,
}

/// What one counted event does to its account.
#[derive(Clone, Copy, Debug)]
struct AccountStep {
    id: AccountId,
    /// The account key, for an account seen for the first time.
    key: Span,
    at: Ref,
    offset: i32,
    ip: IpKey,
    service: Service,
    kind: Kind,
    outcome: Outcome,
    /// Attempts the event stands for (at least 1).
    n: u64,
    /// A password login without TLS from outside the trusted networks.
    cleartext: bool,
    /// The address is a proxy's.
    proxy: bool,
    /// The address is a client's: not a proxy's, not a trusted one.
    client: bool,
    /// The forwarding target of a forwarding change.
    target: Option<Span>,
}

/// What one event does to its address's failure buckets.
#[derive(Clone, Copy, Debug)]
struct IpStep {
    ip: IpKey,
    minute: u32,
    /// The line of a counted failure (`None`: a detail line, which adds
    /// only the unknown user).
    at: Option<Ref>,
    n: u64,
    account: Option<AccountId>,
    /// The account was tried (a counted failure).
    tried: bool,
    /// The user is unknown to the server.
    unknown: bool,
}

/// Steps held by shard, until they are folded.
#[derive(Debug, Default)]
pub struct Held {
    accounts: Vec<Vec<AccountStep>>,
    ips: Vec<Vec<IpStep>>,
    /// Account keys and forwarding targets of the steps.
    bytes: Vec<u8>,
    /// Steps held.
    steps: usize,
}

impl Held {
    fn new(shards: usize) -> Held {
        Held {
            accounts: (0..shards).map(|_| Vec::new()).collect(),
            ips: (0..shards).map(|_| Vec::new()).collect(),
            bytes: Vec::new(),
            steps: 0,
        }
    }

    fn span(&mut self, b: &[u8]) -> Span {
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(b);
        Span {
            start,
            len: b.len() as u32,
        }
    }

    fn ip(&mut self, shards: usize, s: IpStep) {
        self.steps += 1;
        self.ips[ip_shard(s.ip, shards)].push(s);
    }

    fn account(&mut self, shards: usize, s: AccountStep) {
        self.steps += 1;
        self.accounts[account_shard(s.id, shards)].push(s);
    }

    fn has(&self, shard: usize) -> bool {
        !self.accounts[shard].is_empty() || !self.ips[shard].is_empty()
    }

    /// Do the steps of shard `shard` in `agg`, and forget them.
    fn fold_into(&mut self, shard: usize, agg: &mut Aggregate) {
        // The accounts of a few steps are asked for from memory at once,
        // before their steps are done: their misses overlap instead of
        // following one another (the table of a shard stays in cache; the
        // accounts do not).
        for group in self.accounts[shard].chunks(PREFETCH_GROUP) {
            for s in group {
                if let Some(a) = agg.accounts.get(&s.id) {
                    prefetch(&**a);
                }
            }
            for s in group {
                agg.account_step(s, &self.bytes);
            }
        }
        self.accounts[shard].clear();
        for s in self.ips[shard].drain(..) {
            agg.ip_step(&s);
        }
        if (0..self.accounts.len()).all(|s| !self.has(s)) {
            self.bytes.clear();
            self.steps = 0;
        }
    }
}

/// Steps a worker holds at most before it folds them (~80 bytes each).
const HOLD_STEPS: usize = 1 << 16;

/// Bytes of account keys and forwarding targets a worker holds at most.
const HOLD_BYTES: usize = 64 << 20;

/// Steps whose accounts are fetched together ([`Held::fold_into`]).
const PREFETCH_GROUP: usize = 16;

/// Ask for the cache lines of `x` (a hint: nothing is read).
#[inline]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = x as *const T as *const i8;
        for line in (0..std::mem::size_of::<T>()).step_by(64) {
            // SAFETY: a prefetch reads nothing and cannot fault; the
            // addresses are inside `x`.
            unsafe { _mm_prefetch(p.wrapping_add(line), _MM_HINT_T0) };
        }
    }
}

/// The shard of an account: its id is a hash already; the high bits pick
/// the shard, the low ones the slot in the shard's table.
fn account_shard(id: AccountId, shards: usize) -> usize {
    ((id as u128 * shards as u128) >> 64) as usize
}

/// The shard of an address.
fn ip_shard(ip: IpKey, shards: usize) -> usize {
    let h = ((ip >> 64) as u64 ^ ip as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    ((h as u128 * shards as u128) >> 64) as usize
}

/// The accounts and addresses of a scan, cut into shards that workers fold
/// into at the same time (see the module documentation).
#[derive(Debug)]
pub struct Shards {
    parts: Vec<Mutex<Aggregate>>,
}

/// Shards at most (a bit mask of them is kept).
const MAX_SHARDS: usize = 64;

fn lock(m: &Mutex<Aggregate>) -> MutexGuard<'_, Aggregate> {
    // A worker that panicked while folding ends the run anyway.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shards {
    /// `n` shards (1 to 64): a few per worker, so that two workers seldom
    /// want the same one.
    pub fn new(n: usize) -> Shards {
        let n = n.clamp(1, MAX_SHARDS);
        Shards {
            parts: (0..n).map(|_| Mutex::new(Aggregate::default())).collect(),
        }
    }

    /// The number of shards.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether there are none (never: at least one).
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Fold what `folder` holds into the shards. A shard another worker
    /// is folding into is skipped and come back to; only when every shard
    /// left is busy does the worker wait.
    pub fn fold(&self, folder: &mut Folder) {
        let held = &mut folder.held;
        debug_assert_eq!(held.accounts.len(), self.parts.len());
        let mut left: u64 = 0;
        for s in 0..self.parts.len() {
            if held.has(s) {
                left |= 1 << s;
            }
        }
        while left != 0 {
            let mut bits = left;
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Ok(mut agg) = self.parts[s].try_lock() {
                    held.fold_into(s, &mut agg);
                    left &= !(1 << s);
                }
            }
            if left != 0 {
                let s = left.trailing_zeros() as usize;
                held.fold_into(s, &mut lock(&self.parts[s]));
                left &= !(1 << s);
            }
        }
    }

    /// The one aggregate of every shard's accounts and addresses (shards
    /// share none).
    pub fn into_aggregate(self) -> Aggregate {
        let mut parts: Vec<Aggregate> = self
            .parts
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect();
        let mut total = Aggregate::default();
        total
            .accounts
            .reserve(parts.iter().map(|p| p.accounts.len()).sum());
        total.ips.reserve(parts.iter().map(|p| p.ips.len()).sum());
        for p in &mut parts {
            total.accounts.extend(p.accounts.drain());
            total.ips.extend(p.ips.drain());
        }
        total
    }
}

/// Works out what events do, for one worker; holds the steps until they
/// are folded ([`Shards::fold`], or at once by [`Folder::add`]).
#[derive(Debug)]
pub struct Folder {
    settings: FoldSettings,
    norm: Normalizer,
    held: Held,
    shards: usize,
}

impl Folder {
    /// A folder with these settings, that folds into one aggregate.
    pub fn new(settings: FoldSettings) -> Folder {
        Folder::sharded(settings, 1)
    }

    /// A folder that holds its steps for `shards` shards ([`Shards`]).
    pub fn sharded(settings: FoldSettings, shards: usize) -> Folder {
        let norm = Normalizer::new(settings.default_domain.as_deref());
        let shards = shards.clamp(1, MAX_SHARDS);
        Folder {
            settings,
            norm,
            held: Held::new(shards),
            shards,
        }
    }

    /// Whether the time is inside `--since`/`--until`.
    pub fn in_window(&self, ts: i64) -> bool {
        self.settings.since.is_none_or(|s| ts >= s) && self.settings.until.is_none_or(|u| ts <= u)
    }

    /// The account (id and key) a user name stands for (before aliases).
    pub fn account<'s>(&'s mut self, user: &[u8]) -> Option<(AccountId, &'s [u8])> {
        let key = self.norm.key(user)?;
        Some((account_id(key), key))
    }

    /// How many steps are held (not folded yet).
    pub fn held(&self) -> usize {
        self.held.steps
    }

    /// Whether the steps held should be folded before the block ends (a
    /// block of many events, or of very long user names: the held bytes
    /// stay far below the 4 GiB a [`Span`] can address).
    pub fn is_full(&self) -> bool {
        self.held.steps >= HOLD_STEPS || self.held.bytes.len() >= HOLD_BYTES
    }

    /// Add one event to `agg` at once.
    pub fn add(&mut self, agg: &mut Aggregate, p: Placed<'_, '_>) {
        self.hold(agg, p);
        for s in 0..self.shards {
            self.held.fold_into(s, agg);
        }
    }

    /// Work out what one event does: the first and last event of the run
    /// go to `agg` (the worker's own); what it does to its account and
    /// address is held for their shards.
    pub fn hold(&mut self, agg: &mut Aggregate, p: Placed<'_, '_>) {
        let ev = p.ev;
        let at = Ref::new(p.ts, p.file, p.line);
        let ip = ev.ip.map_or(0, ip_key);
        min_opt(&mut agg.first_event, Some((p.ts, p.offset)));
        max_opt(&mut agg.last_event, Some((p.ts, p.offset)));
        let shards = self.shards;
        let acct = match ev.user {
            Some(u) => match self.norm.key(u) {
                Some(key) => Some((account_id(key), self.held.span(key))),
                None => None,
            },
            None => None,
        };
        let minute = (p.ts.div_euclid(60)) as u32;
        let unknown = ev.reason == Some(Reason::UnknownUser);
        if ev.detail {
            // Already counted on another line: keep only what it adds, the
            // unknown user tried from an address.
            if unknown && ip != 0 {
                if let Some((id, _)) = acct {
                    self.held.ip(
                        shards,
                        IpStep {
                            ip,
                            minute,
                            at: None,
                            n: 0,
                            account: Some(id),
                            tried: false,
                            unknown: true,
                        },
                    );
                }
            }
            return;
        }
        let n = ev.count.max(1) as u64;
        let success = ev.kind == Kind::Login && ev.outcome == Outcome::Success;
        if ev.kind == Kind::Login && ev.outcome == Outcome::Failure && ip != 0 {
            self.held.ip(
                shards,
                IpStep {
                    ip,
                    minute,
                    at: Some(at),
                    n,
                    account: acct.map(|a| a.0),
                    tried: true,
                    unknown,
                },
            );
        }
        let Some((id, key)) = acct else {
            return;
        };
        let (cleartext, proxy, client) = if success && ip != 0 {
            let proxy = self.settings.proxies.contains(ip);
            let trusted = self.settings.trusted.contains(ip);
            (
                ev.tls == Some(false) && !is_key_method(ev.method) && !trusted,
                proxy,
                !proxy && !trusted,
            )
        } else {
            (false, false, false)
        };
        let target = match (ev.kind, ev.outcome, ev.method) {
            // The Zimbra parser gives the forwarding target in the event's
            // `method` field (there is no field of its own).
            (Kind::ForwardingChange, Outcome::Success, Some(t)) => Some(self.held.span(t)),
            _ => None,
        };
        self.held.account(
            shards,
            AccountStep {
                id,
                key,
                at,
                offset: p.offset,
                ip,
                service: ev.service,
                kind: ev.kind,
                outcome: ev.outcome,
                n,
                cleartext,
                proxy,
                client,
                target,
            },
        );
    }
}

impl Aggregate {
    fn account_step(&mut self, s: &AccountStep, bytes: &[u8]) {
        let r = s.at;
        let ip = s.ip;
        let n = s.n;
        let minute = (r.ts.div_euclid(60)) as u32;
        let a = self.accounts.entry(s.id).or_default();
        if a.name.is_empty() {
            a.name = span(bytes, s.key).into();
        }
        min_opt(&mut a.first_seen, Some(r));
        match (s.kind, s.outcome) {
            (Kind::Login, Outcome::Success) => {
                a.logins += n;
                max_opt(&mut a.last_attempt, Some(r));
                min_opt(&mut a.first_login, Some(r));
                max_opt(
                    &mut a.last_login,
                    Some(LoginRef {
                        at: r,
                        offset: s.offset,
                        ip,
                        service: s.service,
                    }),
                );
                max_opt(&mut a.by_service[s.service.index()], Some(r.ts));
                if s.service.is_interactive() {
                    max_opt(&mut a.last_interactive, Some(r.ts));
                }
                if s.cleartext {
                    a.cleartext += n;
                    min_opt(&mut a.cleartext_first, Some((r, ip)));
                    max_opt(&mut a.cleartext_last, Some((r, ip)));
                }
                // A proxy's address is no client's; a trusted one is kept
                // for the hour buckets but is no client address for the
                // address and geo detectors.
                let ip = if s.proxy {
                    // Not kept by the success record: counted here.
                    a.ips.insert(ip);
                    0
                } else {
                    ip
                };
                a.successes.add(r, ip, s.client, n);
            }
            (Kind::Login, Outcome::Failure) => {
                a.failures += n;
                max_opt(&mut a.last_attempt, Some(r));
                if ip != 0 {
                    a.ips.insert(ip);
                }
                let b = a.fails.entry(minute, || FailBucket {
                    n: 0,
                    first: r,
                    last: r,
                    ips: CapSet::default(),
                });
                b.n += n;
                b.first = b.first.min(r);
                b.last = b.last.max(r);
                if ip != 0 {
                    b.ips.insert(ip);
                }
            }
            (Kind::MessageSubmitted, _) => {
                a.submissions += n;
                let b = a.submits.entry(minute, || CountBucket {
                    n: 0,
                    first: r,
                    last: r,
                });
                b.n += n;
                b.first = b.first.min(r);
                b.last = b.last.max(r);
            }
            (Kind::PasswordChange, Outcome::Success) => {
                max_opt(&mut a.password_changed, Some(r));
            }
            (Kind::ForwardingChange, Outcome::Success) => {
                if let Some(t) = s.target {
                    a.forwards.push(Forward {
                        at: r,
                        target: String::from_utf8_lossy(span(bytes, t)).into(),
                    });
                    a.forwards.sort();
                    a.forwards.dedup();
                    a.forwards.truncate(MAX_FORWARDS);
                }
            }
            _ => {}
        }
    }

    fn ip_step(&mut self, s: &IpStep) {
        let b = self
            .ips
            .entry(s.ip)
            .or_default()
            .fails
            .entry(s.minute, || IpFailBucket {
                n: 0,
                // Without a line (a detail), the identities of min and
                // max: the first and last lines are those of counted
                // attempts.
                first: s.at.unwrap_or(Ref {
                    ts: i64::MAX,
                    loc: u64::MAX,
                }),
                last: s.at.unwrap_or_default(),
                accounts: CapSet::default(),
                unknown: CapSet::default(),
            });
        b.n += s.n;
        if let Some(r) = s.at {
            b.first = b.first.min(r);
            b.last = b.last.max(r);
        }
        if let Some(id) = s.account {
            if s.tried {
                b.accounts.insert(id);
            }
            if s.unknown {
                b.unknown.insert(id);
            }
        }
    }
}

fn span(bytes: &[u8], s: Span) -> &[u8] {
    &bytes[s.start as usize..(s.start + s.len) as usize]
}

/// A mechanism that is not a password (public key, Kerberos, client
/// certificate): such a login without TLS gives away no password.
fn is_key_method(m: Option<&[u8]>) -> bool {
    const KEYS: [&[u8]; 6] = [
        b"publickey",
        b"hostbased",
        b"gssapi",
        b"gssapi-with-mic",
        b"gssapi-keyex",
        b"external",
    ];
    m.is_some_and(|m| KEYS.iter().any(|k| k.eq_ignore_ascii_case(m)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Cidr, CidrSet};
    use crate::parse::parse_line;
    use crate::parse::time::{TimeResolver, Zone};

    /// The events of the sample mail and auth logs (and of a few lines
    /// for what they lack: a forwarding change, a detail line of an
    /// unknown user, a login through a proxy), with their times and lines.
    fn events() -> Vec<(Vec<u8>, i64, u64)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
        let mut text = std::fs::read(dir.join("mail.log")).unwrap();
        text.extend(std::fs::read(dir.join("auth.log")).unwrap());
        text.extend_from_slice(
            b"2025-03-03 10:00:01,123 INFO  [qtp1-9] [name=admin@example.gov;ip=192.0.2.1;] security - cmd=ModifyAccount; name=ann@example.gov; zimbraPrefMailForwardingAddress=drop@example.net;\n\
              Mar  3 10:00:02 mx1 dovecot: auth: passwd-file(ghost,198.51.100.77): unknown user\n\
              Mar  3 10:00:03 mx1 dovecot: imap-login: Login: user=<ann@example.gov>, method=PLAIN, rip=192.0.2.80, lip=192.0.2.1, mpid=1, session=<x>\n",
        );
        let mut res = TimeResolver::new(Zone::Utc, 1_745_000_000, None);
        let mut out = Vec::new();
        let mut lines = Vec::new();
        for (i, line) in text.split(|&b| b == b'\n').enumerate() {
            out.clear();
            let r = parse_line(line, &mut out);
            if let (false, Some(h)) = (out.is_empty(), r.header) {
                if let Some((ts, _)) = res.resolve(h.stamp) {
                    lines.push((line.to_vec(), ts, i as u64 + 1));
                }
            }
        }
        lines
    }

    fn settings() -> FoldSettings {
        FoldSettings {
            trusted: Arc::new(CidrSet::new(&[Cidr::parse("10.0.0.0/8").unwrap()])),
            proxies: Arc::new(CidrSet::new(&[Cidr::parse("192.0.2.80").unwrap()])),
            default_domain: Some("example.gov".into()),
            ..FoldSettings::default()
        }
    }

    /// Hand the events of `lines` to `f`, event by event.
    fn each(lines: &[(Vec<u8>, i64, u64)], mut f: impl FnMut(Placed<'_, '_>)) {
        let mut out = Vec::new();
        for (line, ts, no) in lines {
            out.clear();
            parse_line(line, &mut out);
            for ev in &out {
                f(Placed {
                    ev,
                    ts: *ts,
                    offset: 0,
                    file: 3,
                    line: *no,
                });
            }
        }
    }

    /// Very long user names (attacker-chosen) make the held steps full
    /// before their count does, and what is folded then is the same.
    #[test]
    fn long_user_names_fill_the_held_steps() {
        let name = |i: u8| {
            let mut n = vec![b'a' + i % 26; 1 << 20];
            n.extend_from_slice(&i.to_le_bytes());
            n
        };
        let names: Vec<Vec<u8>> = (0..70).map(name).collect();
        let shards = Shards::new(4);
        let mut f = Folder::sharded(FoldSettings::default(), shards.len());
        let mut one = Aggregate::default();
        let mut direct = Folder::new(FoldSettings::default());
        let mut worker = Aggregate::default();
        let mut folds = 0;
        for (i, user) in names.iter().enumerate() {
            let mut p = Parsed::login(Outcome::Failure, crate::event::Source::Sshd, Service::Ssh);
            p.user = Some(user);
            p.ip = Some("203.0.113.7".parse().unwrap());
            let placed = Placed {
                ev: &p,
                ts: 1_700_000_000 + i as i64,
                offset: 0,
                file: 0,
                line: i as u64 + 1,
            };
            direct.add(&mut one, placed);
            f.hold(&mut worker, placed);
            assert!(f.held() < HOLD_STEPS);
            if f.is_full() {
                folds += 1;
                shards.fold(&mut f);
            }
        }
        shards.fold(&mut f);
        assert_eq!(folds, 1);
        let mut total = shards.into_aggregate();
        total.absorb(worker);
        assert_eq!(total.accounts.len(), 70);
        assert!(total == one);
    }

    /// Folding through shards, in blocks that reach them in any order,
    /// gives the aggregate that folding event by event gives.
    #[test]
    fn shards_give_the_aggregate_of_one_fold() {
        let lines = events();
        assert!(lines.len() > 100);
        let mut one = Aggregate::default();
        let mut f = Folder::new(settings());
        each(&lines, |p| f.add(&mut one, p));
        assert!(!one.accounts.is_empty() && !one.ips.is_empty());
        assert!(one.accounts.values().any(|a| !a.forwards.is_empty()));
        assert!(one
            .ips
            .values()
            .any(|i| i.fails.iter().any(|(_, b)| !b.unknown.is_empty())));
        for (n, block) in [(1, 1), (5, 7), (16, 64), (64, 1000)] {
            let shards = Shards::new(n);
            let mut f = Folder::sharded(settings(), shards.len());
            let mut worker = Aggregate::default();
            // Blocks from the last to the first.
            for chunk in lines.rchunks(block) {
                each(chunk, |p| f.hold(&mut worker, p));
                shards.fold(&mut f);
                assert_eq!(f.held(), 0);
            }
            let mut total = shards.into_aggregate();
            total.absorb(worker);
            assert!(total == one, "{n} shards, blocks of {block} lines");
        }
    }
}
