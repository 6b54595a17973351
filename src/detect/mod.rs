//! Detectors: what in an account's (or an address's) history looks like an
//! attack or a takeover.
//!
//! Detectors run after the final merge, on the sparse time buckets of the
//! [`Aggregate`], so their answers do not depend on how the input was cut.
//! Each detector is one file with one [`Detector`] implementation, listed in
//! [`registry`]; adding one touches nothing else.

mod brute_force;
mod cleartext_auth;
mod distributed_brute_force;
mod dormant_reactivated;
mod forwarding_change;
mod geo;
mod ip_brute_force;
mod known_bad_ip;
pub mod leaked_credentials;
mod many_ips;
mod not_in_roster;
mod password_spray;
mod send_burst;
mod stale_password;
mod success_after_failures;
mod success_from_attacker;
mod user_enumeration;

use crate::account::AccountId;
use crate::aggregate::cap::CapSet;
use crate::aggregate::{AccountAgg, Aggregate, IpAgg, IpKey, Ref};
use crate::net::CidrSet;
use crate::roster::Roster;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Low,
    /// Review.
    Medium,
    /// Reset the password.
    High,
    /// Act now.
    Critical,
}

impl Severity {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Weight in the risk score.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Low => 10,
            Severity::Medium => 30,
            Severity::High => 60,
            Severity::Critical => 90,
        }
    }
}

/// One finding, before it is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Detector code.
    pub detector: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The account, if the finding is about one.
    pub account: Option<AccountId>,
    /// The address most involved, if any.
    pub ip: Option<IpKey>,
    /// First line involved.
    pub first: Ref,
    /// Last line involved.
    pub last: Ref,
    /// Attempts, messages or logins involved.
    pub count: u64,
    /// One sentence for a person.
    pub summary: String,
    /// Up to five lines to check.
    pub evidence: Vec<Ref>,
}

/// Values of a threshold that counts distinct things (addresses, accounts,
/// users, networks): the aggregate keeps up to 16 per bucket.
pub const MAX_DISTINCT: u64 = 16;

fn positive<'de, D: serde::Deserializer<'de>, T>(d: D) -> Result<T, D::Error>
where
    T: Deserialize<'de> + Into<u64> + Copy,
{
    let v = T::deserialize(d)?;
    if v.into() == 0 {
        return Err(serde::de::Error::custom("must be at least 1"));
    }
    Ok(v)
}

fn distinct<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let v = u64::deserialize(d)?;
    if !(1..=MAX_DISTINCT).contains(&v) {
        return Err(serde::de::Error::custom(format!(
            "must be between 1 and {MAX_DISTINCT} (distinct values are kept up to {MAX_DISTINCT} per time bucket)"
        )));
    }
    Ok(v)
}

macro_rules! detector_settings {
    ($( $(#[$m:meta])* $name:ident : $ty:ident { $( $(#[$fm:meta])* $field:ident : $fty:ty = $def:expr ),* $(,)? } )*) => {
        $(
            $(#[$m])*
            #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
            #[serde(deny_unknown_fields, default)]
            pub struct $ty {
                /// Run this detector.
                pub enabled: bool,
                $( $(#[$fm])* pub $field: $fty, )*
            }
            impl Default for $ty {
                fn default() -> Self {
                    $ty { enabled: true, $( $field: $def, )* }
                }
            }
        )*
        /// Settings of every detector (PRODUCT.md §7 defaults): the
        /// `[detectors.*]` tables of `authsweep.toml`.
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct Thresholds {
            $( $(#[$m])* pub $name: $ty, )*
        }
        impl Thresholds {
            /// Whether the detector with this code is enabled.
            pub fn enabled(&self, code: &str) -> bool {
                match code {
                    $( stringify!($name) => self.$name.enabled, )*
                    _ => true,
                }
            }
        }
    };
}

detector_settings! {
    /// `brute_force`.
    brute_force: BruteForceSettings {
        /// Failures within the window.
        #[serde(deserialize_with = "positive")]
        failures: u64 = 10,
        /// Window.
        #[serde(deserialize_with = "positive")]
        window_minutes: u32 = 10,
    }
    /// `distributed_brute_force`.
    distributed_brute_force: DistributedBruteForceSettings {
        /// Distinct failing addresses within the window.
        #[serde(deserialize_with = "distinct")]
        ips: u64 = 5,
        /// Window.
        #[serde(deserialize_with = "positive")]
        window_minutes: u32 = 60,
    }
    /// `success_after_failures`.
    success_after_failures: SuccessAfterFailuresSettings {
        /// Failures before the success.
        #[serde(deserialize_with = "positive")]
        failures: u64 = 5,
        /// Window before the success.
        #[serde(deserialize_with = "positive")]
        window_minutes: u32 = 60,
    }
    /// `password_spray`.
    password_spray: PasswordSpraySettings {
        /// Distinct accounts one address fails against.
        #[serde(deserialize_with = "distinct")]
        accounts: u64 = 10,
        /// Window.
        #[serde(deserialize_with = "positive")]
        window_minutes: u32 = 60,
    }
    /// `user_enumeration`.
    user_enumeration: UserEnumerationSettings {
        /// Distinct unknown users one address tries.
        #[serde(deserialize_with = "distinct")]
        users: u64 = 10,
        /// Window.
        #[serde(deserialize_with = "positive")]
        window_minutes: u32 = 60,
    }
    /// `ip_brute_force`.
    ip_brute_force: IpBruteForceSettings {
        /// Failures from one address within the window.
        #[serde(deserialize_with = "positive")]
        failures: u64 = 20,
        /// Window.
        #[serde(deserialize_with = "positive")]
        window_minutes: u32 = 10,
    }
    /// `success_from_attacker`.
    success_from_attacker: SuccessFromAttackerSettings {
        /// Hours after the address finding.
        #[serde(deserialize_with = "positive")]
        window_hours: u32 = 24,
    }
    /// `dormant_reactivated` (its threshold is the top-level `dormant_days`).
    dormant_reactivated: DormantReactivatedSettings {
        /// Days without a success (from `dormant_days`).
        #[serde(skip)]
        days: u32 = 60,
    }
    /// `many_ips`.
    many_ips: ManyIpsSettings {
        /// Distinct networks (IPv4 /24, IPv6 /48).
        #[serde(deserialize_with = "distinct")]
        networks: u64 = 10,
        /// Window.
        #[serde(deserialize_with = "positive")]
        window_hours: u32 = 24,
    }
    /// `many_countries`.
    many_countries: ManyCountriesSettings {
        /// Distinct countries.
        #[serde(deserialize_with = "positive")]
        countries: u64 = 3,
        /// Window.
        #[serde(deserialize_with = "positive")]
        window_hours: u32 = 24,
    }
    /// `impossible_travel`.
    impossible_travel: ImpossibleTravelSettings {
        /// Speed above which travel is impossible.
        #[serde(deserialize_with = "positive")]
        speed_kmh: u32 = 1000,
        /// Distance below which two places are the same (geolocation error).
        min_distance_km: u32 = 500,
    }
    /// `new_country`.
    new_country: NewCountrySettings {
        /// Days of earlier history needed before a country counts as new.
        #[serde(deserialize_with = "positive")]
        history_days: u32 = 14,
    }
    /// `send_burst`.
    send_burst: SendBurstSettings {
        /// Messages within the window.
        #[serde(deserialize_with = "positive")]
        messages: u64 = 200,
        /// Window.
        #[serde(deserialize_with = "positive")]
        window_minutes: u32 = 60,
    }
    /// `cleartext_auth`.
    cleartext_auth: CleartextAuthSettings {}
    /// `not_in_roster`.
    not_in_roster: NotInRosterSettings {}
    /// `stale_password`.
    stale_password: StalePasswordSettings {
        /// Days since the last known password change.
        #[serde(deserialize_with = "positive")]
        days: u32 = 180,
    }
    /// `forwarding_change`.
    forwarding_change: ForwardingChangeSettings {
        /// Days before the change in which another finding makes it high.
        lookback_days: u32 = 7,
        /// Domains forwarding to which is not reported (besides the
        /// account's own).
        allowed_domains: Vec<String> = Vec::new(),
    }
    /// `leaked_credentials`.
    leaked_credentials: LeakedCredentialsSettings {}
    /// `known_bad_ip`.
    known_bad_ip: KnownBadIpSettings {}
}

/// What detectors may look at besides the aggregate.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Thresholds.
    pub t: &'a Thresholds,
    /// The roster, when given.
    pub roster: Option<&'a Roster>,
    /// Networks that are never the source of an address finding.
    pub trusted: &'a CidrSet,
    /// The "now" (UTC seconds): `--as-of`, or the latest event.
    pub as_of: i64,
    /// Findings of the earlier stages (see [`Detector::stage`]).
    pub prior: &'a [Finding],
    /// `--leaked`.
    pub leaked: Option<&'a leaked_credentials::Leaked>,
    /// `--bad-ips`.
    pub bad_ips: Option<&'a CidrSet>,
    /// `--geoip`.
    pub geo: Option<&'a crate::geo::Geo>,
    /// The accounts and addresses this run of a detector looks at: `None`,
    /// all of them ([`run_all`] gives each run of a divisible detector a
    /// part).
    pub part: Option<Part<'a>>,
}

impl<'a> Context<'a> {
    /// Whether an address is trusted.
    pub fn trusted(&self, ip: IpKey) -> bool {
        self.trusted.contains(ip)
    }

    /// The accounts of [`Self::part`].
    pub fn accounts<'g>(
        &self,
        agg: &'g Aggregate,
    ) -> impl Iterator<Item = (&'g AccountId, &'g AccountAgg)> + 'g
    where
        'a: 'g,
    {
        let (part, whole) = match self.part {
            Some(p) => (p.accounts, None),
            None => (&[][..], Some(&agg.accounts)),
        };
        part.iter()
            .map(|(id, a)| (id, *a))
            .chain(whole.into_iter().flatten().map(|(id, a)| (id, &**a)))
    }

    /// The addresses of [`Self::part`].
    pub fn ips<'g>(&self, agg: &'g Aggregate) -> impl Iterator<Item = (&'g IpKey, &'g IpAgg)> + 'g
    where
        'a: 'g,
    {
        let (part, whole) = match self.part {
            Some(p) => (p.ips, None),
            None => (&[][..], Some(&agg.ips)),
        };
        part.iter()
            .map(|(ip, a)| (ip, *a))
            .chain(whole.into_iter().flatten())
    }
}

/// A part of the accounts and of the addresses of the aggregate, so that
/// one detector runs on several threads: the findings about an account (an
/// address) depend on its own buckets only.
#[derive(Clone, Copy, Debug)]
pub struct Part<'a> {
    /// Accounts.
    pub accounts: &'a [(AccountId, &'a AccountAgg)],
    /// Addresses.
    pub ips: &'a [(IpKey, &'a IpAgg)],
}

/// A detector.
pub trait Detector: Sync {
    /// Its code (`brute_force`).
    fn code(&self) -> &'static str;
    /// Push its findings.
    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>);
    /// Detectors of stage N see the findings of stages below N in
    /// [`Context::prior`] (`success_from_attacker` reads the address
    /// findings).
    fn stage(&self) -> u8 {
        0
    }
    /// Whether it may run on parts of the accounts and addresses
    /// ([`Part`]) in parallel: its findings about an account or an address
    /// depend on that one's buckets only (and on [`Context::prior`]).
    fn divisible(&self) -> bool {
        true
    }
}

/// Every detector.
pub fn registry() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(brute_force::BruteForce),
        Box::new(distributed_brute_force::DistributedBruteForce),
        Box::new(success_after_failures::SuccessAfterFailures),
        Box::new(password_spray::PasswordSpray),
        Box::new(user_enumeration::UserEnumeration),
        Box::new(ip_brute_force::IpBruteForce),
        Box::new(success_from_attacker::SuccessFromAttacker),
        Box::new(dormant_reactivated::DormantReactivated),
        Box::new(many_ips::ManyIps),
        Box::new(geo::ManyCountries),
        Box::new(geo::ImpossibleTravel),
        Box::new(geo::NewCountry),
        Box::new(send_burst::SendBurst),
        Box::new(cleartext_auth::CleartextAuth),
        Box::new(not_in_roster::NotInRoster),
        Box::new(stale_password::StalePassword),
        Box::new(forwarding_change::ForwardingChange),
        Box::new(leaked_credentials::LeakedCredentials),
        Box::new(known_bad_ip::KnownBadIp),
    ]
}

/// The codes of every detector.
pub fn codes() -> Vec<&'static str> {
    registry().iter().map(|d| d.code()).collect()
}

/// Run the enabled detectors, in parallel within each stage (and each on
/// parts of the accounts and addresses: a few detectors hold most of the
/// work), and sort the findings.
pub fn run_all(ctx: &Context<'_>, agg: &Aggregate) -> Vec<Finding> {
    use rayon::prelude::*;
    let dets = registry();
    let threads = rayon::current_num_threads();
    let of = if threads > 1 { 4 * threads } else { 1 };
    let accounts: Vec<(AccountId, &AccountAgg)> =
        agg.accounts.iter().map(|(id, a)| (*id, &**a)).collect();
    let ips: Vec<(IpKey, &IpAgg)> = agg.ips.iter().map(|(ip, a)| (*ip, a)).collect();
    let parts: Vec<Part<'_>> = (0..of)
        .map(|i| {
            let share = |n: usize| n * i / of..n * (i + 1) / of;
            Part {
                accounts: &accounts[share(accounts.len())],
                ips: &ips[share(ips.len())],
            }
        })
        .collect();
    let mut all: Vec<Finding> = Vec::new();
    for stage in 0..=2u8 {
        let tasks: Vec<(&dyn Detector, Option<Part<'_>>)> = dets
            .iter()
            .filter(|d| d.stage() == stage && ctx.t.enabled(d.code()))
            .flat_map(|d| -> Vec<(&dyn Detector, Option<Part<'_>>)> {
                if d.divisible() && of > 1 {
                    parts.iter().map(|p| (&**d, Some(*p))).collect()
                } else {
                    vec![(&**d, None)]
                }
            })
            .collect();
        let prior = &all;
        let found: Vec<Finding> = tasks
            .par_iter()
            .flat_map_iter(|(d, part)| {
                let c = Context {
                    prior,
                    part: *part,
                    ..*ctx
                };
                let mut v = Vec::new();
                d.run(&c, agg, &mut v);
                v
            })
            .collect();
        all.extend(found);
        sort_findings(&mut all);
    }
    all
}

fn sort_findings(all: &mut [Finding]) {
    all.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.first.cmp(&b.first))
            .then(a.detector.cmp(b.detector))
            .then(a.account.cmp(&b.account))
            .then(a.ip.cmp(&b.ip))
            .then(a.last.cmp(&b.last))
            .then(a.summary.cmp(&b.summary))
    });
}

/// Maximal runs of `items` (sorted by time unit) in which some window of
/// `width` units reaches `threshold` by `measure` (a sum, or the size of a
/// union). Leading and trailing items that add nothing to a run (their
/// members are all present elsewhere in it) are left out, so a run starts
/// and ends with the attack; overlapping windows are joined, so one attack
/// gives one finding.
pub fn episodes<T>(
    items: &[(u32, T)],
    width: u32,
    threshold: u64,
    mut measure: impl FnMut(&[(u32, T)]) -> u64,
) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut l = 0;
    for r in 0..items.len() {
        while items[l].0 + width <= items[r].0 {
            l += 1;
        }
        let m = measure(&items[l..=r]);
        if m >= threshold {
            let mut first = l;
            while first < r && measure(&items[first + 1..=r]) == m {
                first += 1;
            }
            match out.last_mut() {
                Some(last) if first < last.end => last.end = r + 1,
                _ => out.push(first..r + 1),
            }
        }
    }
    // Likewise at the end: trailing items that add nothing are left out.
    for ep in &mut out {
        let m = measure(&items[ep.clone()]);
        while ep.len() > 1 && measure(&items[ep.start..ep.end - 1]) == m {
            ep.end -= 1;
        }
    }
    out
}

/// The successes of an account kept with their client address: the first
/// and last of each address on each day, sorted by time.
pub fn success_points(a: &crate::aggregate::AccountAgg) -> Vec<(Ref, IpKey)> {
    let mut v = Vec::new();
    for day in a.addrs().values() {
        for s in day {
            v.push((s.first, s.ip()));
            if s.last != s.first {
                v.push((s.last, s.ip()));
            }
        }
    }
    v.sort();
    v
}

/// The name of an account (from the logs, else the roster).
pub fn account_name(ctx: &Context<'_>, agg: &Aggregate, id: AccountId) -> Option<String> {
    agg.accounts
        .get(&id)
        .map(|a| String::from_utf8_lossy(&a.name).into_owned())
        .or_else(|| ctx.roster?.entries.get(&id).map(|e| e.account.clone()))
}

/// An address for a summary (`no address` for none).
pub fn ip_text(ip: IpKey) -> String {
    crate::aggregate::key_ip(ip).map_or_else(|| "no address".to_string(), |i| i.to_string())
}

/// The set a detector gathers from many buckets: large, so the sets of a
/// whole window are counted in full (each bucket keeps at most 16).
pub type Union<T> = CapSet<T, 4096>;

/// The union of one set of each bucket of a window.
pub fn union_of<B, T: Ord + Copy + Default, const N: usize>(
    w: &[(u32, &B)],
    set: impl Fn(&B) -> &CapSet<T, N>,
) -> Union<T> {
    let mut s = Union::default();
    for x in w {
        s.merge(set(x.1));
    }
    s
}

/// Short duration for summaries (`41 min`, `3 h`, `2 days`).
pub fn human_span(secs: i64) -> String {
    let m = (secs.max(0) + 59) / 60;
    if m < 120 {
        format!("{m} min")
    } else if m < 48 * 60 {
        format!("{} h", (m + 30) / 60)
    } else {
        format!("{} days", (m + 720) / 1440)
    }
}

/// `1 IP` / `3 IPs` (`16+ IPs` when the set was capped).
pub fn count_noun(n: usize, capped: bool, one: &str, many: &str) -> String {
    let plus = if capped { "+" } else { "" };
    if n == 1 && !capped {
        format!("1 {one}")
    } else {
        format!("{n}{plus} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_join_overlapping_windows() {
        // Counts per minute; a window of 10 minutes needs a sum of 10.
        let items: Vec<(u32, u64)> =
            vec![(0, 3), (2, 3), (5, 4), (8, 1), (30, 9), (31, 1), (100, 20)];
        let sum = |w: &[(u32, u64)]| w.iter().map(|x| x.1).sum::<u64>();
        assert_eq!(episodes(&items, 10, 10, sum), vec![0..4, 4..6, 6..7]);
        assert!(episodes(&items, 10, 100, sum).is_empty());
        // Every failure of a run counts, the first one too.
        let items: Vec<(u32, u64)> = vec![(0, 1), (1, 10), (2, 1)];
        assert_eq!(episodes(&items, 10, 10, sum), vec![0..3]);
        // A leading item that adds nothing new to a union is left out.
        let items: Vec<(u32, Vec<u8>)> = vec![(0, vec![1]), (1, vec![2, 3]), (2, vec![1, 4])];
        let union = |w: &[(u32, Vec<u8>)]| {
            let mut s: Vec<u8> = w.iter().flat_map(|x| x.1.clone()).collect();
            s.sort();
            s.dedup();
            s.len() as u64
        };
        assert_eq!(episodes(&items, 10, 4, union), vec![1..3]);
        let items: Vec<(u32, Vec<u8>)> = vec![(0, vec![1, 2]), (1, vec![3, 4]), (2, vec![1])];
        assert_eq!(episodes(&items, 10, 4, union), vec![0..2]);
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests_catalogue;
