//! What the HTML report shows beyond the report model, read from the
//! aggregate in one pass over its buckets: successes and failures per day,
//! failures by hour of day and day of week, the addresses with the most
//! failures, each at-risk account's own timeline, and each account's client
//! addresses (with places and countries under `--geoip`).
//!
//! Only `--format html` calls [`gather`]: the other formats do not pay for
//! it. What the model already has (accounts, statuses, findings, counts)
//! is read from the model, never computed again here. The work is linear
//! in the number of buckets; days are the days of the report's zone.

use crate::account::{account_id, AccountId};
use crate::aggregate::{key_ip, AccountAgg, Aggregate, IpKey};
use crate::parse::time::{civil_from_days, parse_user_time, Zone};
use crate::report::model::{FindingOut, Report, ReportSettings};
use crate::report::text::lossy;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Bars per day chart at most: a longer period gets several days per bar.
pub const MAX_BINS: i64 = 400;
/// Entries of the "top" charts.
pub const TOP: usize = 15;
/// Client addresses listed per account.
pub const MAX_ADDRS: usize = 8;
/// Hours whose zone offset is looked up once (50 years); beyond, each
/// bucket looks its offset up itself.
const MAX_HOURS: i64 = 24 * 366 * 50;

/// Weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The days of the period, cut into bars.
#[derive(Clone, Debug, Default)]
pub struct Days {
    /// Local day number (days since 1970-01-01) of the first bar.
    pub first: i64,
    /// Days per bar.
    pub per_bin: i64,
    /// Bars.
    pub bins: usize,
}

impl Days {
    fn new(first: i64, last: i64) -> Days {
        let n = (last - first + 1).max(1);
        let per_bin = (n + MAX_BINS - 1) / MAX_BINS;
        Days {
            first,
            per_bin,
            bins: ((n + per_bin - 1) / per_bin) as usize,
        }
    }

    /// The bar of a local day.
    pub fn bin(&self, day: i64) -> Option<usize> {
        let i = (day - self.first).div_euclid(self.per_bin.max(1));
        (0..self.bins as i64).contains(&i).then_some(i as usize)
    }

    /// The first local day of bar `i`.
    pub fn day(&self, i: usize) -> i64 {
        self.first + i as i64 * self.per_bin
    }

    /// `2025-01-20` for bar `i`; `2025-01-20 to 2025-01-26` for a bar of
    /// several days.
    pub fn label(&self, i: usize) -> String {
        let d = self.day(i);
        if self.per_bin == 1 {
            date(d)
        } else {
            format!("{} to {}", date(d), date(d + self.per_bin - 1))
        }
    }
}

/// `YYYY-MM-DD` of a day number.
pub fn date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Local time of UTC instants, with the zone offset looked up once per
/// hour of the period.
struct Clock {
    zone: Zone,
    first_hour: i64,
    offsets: Vec<i32>,
}

impl Clock {
    fn new(zone: Zone, from: i64, to: i64) -> Clock {
        let first_hour = from.div_euclid(3600);
        let n = (to.div_euclid(3600) - first_hour + 1).clamp(0, MAX_HOURS);
        let offsets = match zone {
            Zone::Utc => Vec::new(),
            Zone::Named(_) => (0..n)
                .map(|h| zone.offset_at_utc((first_hour + h) * 3600))
                .collect(),
        };
        Clock {
            zone,
            first_hour,
            offsets,
        }
    }

    /// Local seconds of a UTC instant.
    fn local(&self, ts: i64) -> i64 {
        if self.zone == Zone::Utc {
            return ts;
        }
        let h = ts.div_euclid(3600) - self.first_hour;
        let off = match usize::try_from(h).ok().and_then(|h| self.offsets.get(h)) {
            Some(o) => *o,
            None => self.zone.offset_at_utc(ts),
        };
        ts + off as i64
    }
}

/// An address with many failures.
#[derive(Clone, Debug)]
pub struct TopIp {
    /// The address.
    pub ip: String,
    /// Where it is (`--geoip`).
    pub place: Option<String>,
    /// Failed logins from it.
    pub failures: u64,
}

/// One client address of an account.
#[derive(Clone, Debug)]
pub struct Addr {
    /// The address.
    pub ip: String,
    /// Successful logins from it.
    pub logins: u64,
    /// Local day of the last one.
    pub last: String,
    /// Where it is (`--geoip`).
    pub place: Option<String>,
}

/// A finding's window on a timeline.
#[derive(Clone, Debug)]
pub struct Window {
    /// First bar.
    pub from: usize,
    /// Last bar.
    pub to: usize,
    /// What it was.
    pub tip: String,
}

/// An at-risk account's successes and failures per bar.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Successful logins.
    pub succ: Vec<u64>,
    /// Failed logins.
    pub fail: Vec<u64>,
    /// Its findings.
    pub windows: Vec<Window>,
}

/// What the detail view of one account adds to the model.
#[derive(Clone, Debug, Default)]
pub struct AccountExtra {
    /// Client addresses of successful logins, most used first (trusted
    /// networks and proxies left out), at most [`MAX_ADDRS`].
    pub addrs: Vec<Addr>,
    /// All such addresses.
    pub addr_count: usize,
    /// Countries of the successful logins and their counts (`--geoip`),
    /// most first.
    pub countries: Vec<(String, u64)>,
    /// The timeline (at-risk accounts only).
    pub timeline: Option<Timeline>,
}

/// Everything [`gather`] finds.
#[derive(Clone, Debug, Default)]
pub struct Extra {
    /// The days of the period.
    pub days: Days,
    /// Successful logins per bar.
    pub succ: Vec<u64>,
    /// Failed logins per bar.
    pub fail: Vec<u64>,
    /// Failed logins by weekday (Monday first) and local hour.
    pub hour_weekday: [[u64; 24]; 7],
    /// The addresses with the most failures, most first.
    pub top_ips: Vec<TopIp>,
    accounts: FxHashMap<AccountId, AccountExtra>,
    /// Report names that are not the bytes of their account key (invalid
    /// UTF-8 shown as `\xNN`).
    odd_names: FxHashMap<String, AccountId>,
}

impl Extra {
    /// What there is for the account named `name` in the report.
    pub fn account(&self, name: &str) -> Option<&AccountExtra> {
        self.accounts.get(&self.id(name))
    }

    fn id(&self, name: &str) -> AccountId {
        self.odd_names
            .get(name)
            .copied()
            .unwrap_or_else(|| account_id(name.as_bytes()))
    }
}

/// Whether an account of the report is "at risk" (a finding of medium or
/// above), as in the table and `--fail-on at-risk`.
pub fn at_risk(level: &str) -> bool {
    matches!(level, "medium" | "high" | "critical")
}

struct Places<'g> {
    geo: Option<&'g crate::geo::Geo>,
    cache: FxHashMap<IpKey, (Option<String>, Option<String>)>,
}

impl Places<'_> {
    /// Description and country of an address.
    fn get(&mut self, ip: IpKey) -> &(Option<String>, Option<String>) {
        let geo = self.geo;
        self.cache.entry(ip).or_insert_with(|| match geo {
            Some(g) => {
                let p = g.place(ip);
                (p.describe(), p.country.clone())
            }
            None => (None, None),
        })
    }
}

/// Gather the charts' data and the accounts' details from the aggregate.
pub fn gather(agg: &Aggregate, r: &Report, s: &ReportSettings) -> Extra {
    let mut x = Extra::default();
    let (Some(first), Some(last)) = (agg.first_event, agg.last_event) else {
        return x;
    };
    let clock = Clock::new(s.zone, first.0, last.0);
    let day_of = |ts: i64| clock.local(ts).div_euclid(86_400);
    x.days = Days::new(day_of(first.0), day_of(last.0));
    let bins = x.days.bins;
    x.succ = vec![0; bins];
    x.fail = vec![0; bins];
    let mut places = Places {
        geo: s.geo.as_deref(),
        cache: FxHashMap::default(),
    };

    // Report names that are not their key's bytes (invalid UTF-8).
    for (id, a) in &agg.accounts {
        if let Cow::Owned(n) = lossy(&a.name) {
            x.odd_names.insert(n, *id);
        }
    }

    // Timelines of the at-risk accounts, with their findings' windows.
    let by_id: FxHashMap<&str, &FindingOut> =
        r.findings.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut timelines: FxHashMap<AccountId, Timeline> = FxHashMap::default();
    for a in r.accounts.iter().filter(|a| at_risk(a.risk.level)) {
        let mut t = Timeline {
            succ: vec![0; bins],
            fail: vec![0; bins],
            windows: Vec::new(),
        };
        // The windows of its findings of medium and above inside the
        // period (a stale password dates from the last change, long
        // before).
        let fs = a
            .risk
            .findings
            .iter()
            .filter_map(|id| by_id.get(id.as_str()));
        for f in fs.filter(|f| at_risk(f.severity)) {
            let (Some(a), Some(b)) = (
                parse_user_time(&f.first, Zone::Utc),
                parse_user_time(&f.last, Zone::Utc),
            ) else {
                continue;
            };
            let (a, b) = (day_of(a), day_of(b));
            let last_day = x.days.day(x.days.bins - 1) + x.days.per_bin - 1;
            if b < x.days.first || a > last_day {
                continue;
            }
            let clamp = |d: i64| x.days.bin(d.clamp(x.days.first, last_day));
            if let (Some(from), Some(to)) = (clamp(a), clamp(b)) {
                t.windows.push(Window {
                    from,
                    to,
                    tip: format!("{} ({}): {} to {}", f.detector, f.severity, f.first, f.last),
                });
            }
        }
        timelines.insert(x.id(&a.account), t);
    }

    for (id, a) in &agg.accounts {
        let mut tl = timelines.remove(id);
        for (minute, b) in a.fails.iter() {
            let local = clock.local(*minute as i64 * 60);
            let day = local.div_euclid(86_400);
            let hour = (local.rem_euclid(86_400) / 3600) as usize;
            let wd = (day + 3).rem_euclid(7) as usize;
            x.hour_weekday[wd][hour] += b.n;
            if let Some(i) = x.days.bin(day) {
                x.fail[i] += b.n;
                if let Some(t) = &mut tl {
                    t.fail[i] += b.n;
                }
            }
        }
        for (hour, b) in a.succ().iter() {
            if let Some(i) = x.days.bin(day_of(*hour as i64 * 3600)) {
                x.succ[i] += b.n;
                if let Some(t) = &mut tl {
                    t.succ[i] += b.n;
                }
            }
        }
        let (addrs, addr_count, countries) = client_addresses(a, &mut places, &day_of);
        if addr_count > 0 || tl.is_some() {
            x.accounts.insert(
                *id,
                AccountExtra {
                    addrs,
                    addr_count,
                    countries,
                    timeline: tl,
                },
            );
        }
    }
    // At-risk accounts seen in no log line (a leaked roster account).
    for (id, t) in timelines {
        x.accounts.entry(id).or_default().timeline = Some(t);
    }

    // The addresses with the most failures.
    let mut ips: Vec<(u64, IpKey)> = agg
        .ips
        .iter()
        .map(|(k, v)| (v.fails.values().map(|b| b.n).sum(), *k))
        .filter(|(n, _)| *n > 0)
        .collect();
    ips.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    x.top_ips = ips
        .into_iter()
        .take(TOP)
        .filter_map(|(n, k)| {
            Some(TopIp {
                ip: key_ip(k)?.to_string(),
                place: places.get(k).0.clone(),
                failures: n,
            })
        })
        .collect();
    x
}

type Countries = Vec<(String, u64)>;

/// The client addresses of an account's successes (most used first, at
/// most [`MAX_ADDRS`]), how many there are, and their countries.
fn client_addresses(
    a: &AccountAgg,
    places: &mut Places<'_>,
    day_of: &dyn Fn(i64) -> i64,
) -> (Vec<Addr>, usize, Countries) {
    let days = a.addrs();
    if days.is_empty() {
        return (Vec::new(), 0, Vec::new());
    }
    let mut seen: FxHashMap<IpKey, (u64, i64)> = FxHashMap::default();
    for d in days.values() {
        for s in d {
            let e = seen.entry(s.ip()).or_insert((0, i64::MIN));
            e.0 += s.n as u64;
            e.1 = e.1.max(s.last.ts);
        }
    }
    let mut all: Vec<(IpKey, u64, i64)> = seen.into_iter().map(|(k, v)| (k, v.0, v.1)).collect();
    all.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut countries: FxHashMap<String, u64> = FxHashMap::default();
    if places.geo.is_some() {
        for (k, n, _) in &all {
            if let Some(c) = &places.get(*k).1 {
                *countries.entry(c.clone()).or_default() += n;
            }
        }
    }
    let mut countries: Countries = countries.into_iter().collect();
    countries.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let count = all.len();
    let addrs = all
        .into_iter()
        .take(MAX_ADDRS)
        .filter_map(|(k, n, last)| {
            Some(Addr {
                ip: key_ip(k)?.to_string(),
                logins: n,
                last: date(day_of(last)),
                place: places.get(k).0.clone(),
            })
        })
        .collect();
    (addrs, count, countries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_cut_long_periods_into_at_most_max_bins_bars() {
        let d = Days::new(100, 100 + 119);
        assert_eq!((d.per_bin, d.bins), (1, 120));
        assert_eq!(d.bin(100), Some(0));
        assert_eq!(d.bin(219), Some(119));
        assert_eq!(d.bin(220), None);
        assert_eq!(d.bin(99), None);
        let d = Days::new(0, 5 * 365 - 1);
        assert!(d.bins as i64 <= MAX_BINS, "{d:?}");
        assert_eq!(d.per_bin, 5);
        assert_eq!(d.bin(5 * 365 - 1), Some(d.bins - 1));
        assert_eq!(d.label(1), "1970-01-06 to 1970-01-10");
    }

    #[test]
    fn local_days_and_weekdays_follow_the_zone() {
        // 2025-01-20 is a Monday; 23:30 UTC is already Tuesday in Helsinki.
        let ts = parse_user_time("2025-01-20T23:30:00Z", Zone::Utc).unwrap();
        let utc = Clock::new(Zone::Utc, ts - 86_400, ts);
        let hel = Clock::new(Zone::parse("Europe/Helsinki").unwrap(), ts - 86_400, ts);
        let day = |c: &Clock| c.local(ts).div_euclid(86_400);
        assert_eq!(date(day(&utc)), "2025-01-20");
        assert_eq!(date(day(&hel)), "2025-01-21");
        assert_eq!(WEEKDAYS[(day(&utc) + 3).rem_euclid(7) as usize], "Mon");
        assert_eq!(WEEKDAYS[(day(&hel) + 3).rem_euclid(7) as usize], "Tue");
        // Outside the looked-up hours: still right.
        assert_eq!(
            date(hel.local(ts + 400 * 86_400).div_euclid(86_400)),
            "2026-02-25"
        );
    }
}
