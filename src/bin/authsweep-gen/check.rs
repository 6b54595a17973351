//! A small, independent evaluation of the detector defaults of
//! PRODUCT.md section 7 over the events the generator wrote, so that
//! EXPECTED.json is checked before it is written: every planted case must
//! fire, and nothing else may fire at medium severity or above.
//!
//! It works on the generator's own event list (no log parsing), with the
//! simplest correct window logic: it is a test oracle, not a product.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::clock::{rfc3339, DAY, HOUR, MIN};
use crate::net::Ip;
use crate::script::Ev;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sev {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub detector: &'static str,
    pub severity: Sev,
    /// Account or IP.
    pub key: String,
    pub first: i64,
    pub last: i64,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({:?}) {} {} .. {}",
            self.detector,
            self.severity,
            self.key,
            rfc3339(self.first),
            rfc3339(self.last)
        )
    }
}

/// Sliding sum over `(ts, n)` sorted by time: the span of all windows of
/// length `w` whose sum reaches `thr`.
fn sum_window(items: &[(i64, u32)], w: i64, thr: u32) -> Option<(i64, i64)> {
    let (mut i, mut sum, mut out) = (0, 0u32, None::<(i64, i64)>);
    for j in 0..items.len() {
        sum += items[j].1;
        while items[j].0 - items[i].0 > w {
            sum -= items[i].1;
            i += 1;
        }
        if sum >= thr {
            let first = out.map_or(items[i].0, |o| o.0.min(items[i].0));
            out = Some((first, items[j].0));
        }
    }
    out
}

/// Sliding distinct count over `(ts, key)` sorted by time.
fn distinct_window(items: &[(i64, String)], w: i64, thr: usize) -> Option<(i64, i64)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let (mut i, mut out) = (0, None::<(i64, i64)>);
    for j in 0..items.len() {
        *counts.entry(&items[j].1).or_default() += 1;
        while items[j].0 - items[i].0 > w {
            let c = counts.get_mut(items[i].1.as_str()).expect("present");
            *c -= 1;
            if *c == 0 {
                counts.remove(items[i].1.as_str());
            }
            i += 1;
        }
        if counts.len() >= thr {
            let first = out.map_or(items[i].0, |o| o.0.min(items[i].0));
            out = Some((first, items[j].0));
        }
    }
    out
}

/// Evaluate the defaults. `norm` maps a logged user name to its account
/// key; `in_roster` tells roster membership of a key.
pub fn evaluate(
    evs: &[Ev],
    norm: &dyn Fn(&str) -> String,
    in_roster: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut evs: Vec<&Ev> = evs.iter().collect();
    evs.sort_by_key(|e| e.ts);

    let mut fails: BTreeMap<String, Vec<(i64, u32, Option<Ip>)>> = BTreeMap::new();
    let mut oks: BTreeMap<String, Vec<(i64, Option<Ip>)>> = BTreeMap::new();
    let mut submits: BTreeMap<String, Vec<(i64, u32)>> = BTreeMap::new();
    let mut ip_fails: BTreeMap<String, Vec<(i64, u32, Option<String>)>> = BTreeMap::new();
    let mut ip_oks: HashMap<String, Vec<(i64, String)>> = HashMap::new();

    for e in &evs {
        let acct = e.user.as_deref().map(norm);
        if e.ok {
            if let Some(a) = &acct {
                oks.entry(a.clone()).or_default().push((e.ts, e.ip));
                if e.submit {
                    submits.entry(a.clone()).or_default().push((e.ts, 1));
                }
                if let Some(ip) = e.ip {
                    ip_oks
                        .entry(ip.canonical())
                        .or_default()
                        .push((e.ts, a.clone()));
                }
            }
        } else {
            if let Some(a) = &acct {
                fails
                    .entry(a.clone())
                    .or_default()
                    .push((e.ts, e.count, e.ip));
            }
            if let Some(ip) = e.ip.filter(|i| !i.is_loopback()) {
                ip_fails
                    .entry(ip.canonical())
                    .or_default()
                    .push((e.ts, e.count, acct.clone()));
            }
        }
    }

    let mut out = Vec::new();
    let mut push = |detector, severity, key: &str, span: (i64, i64)| {
        out.push(Finding {
            detector,
            severity,
            key: key.to_string(),
            first: span.0,
            last: span.1,
        })
    };

    for (a, f) in &fails {
        let counts: Vec<(i64, u32)> = f.iter().map(|x| (x.0, x.1)).collect();
        if let Some(s) = sum_window(&counts, 10 * MIN, 10) {
            push("brute_force", Sev::Medium, a, s);
        }
        let ips: Vec<(i64, String)> = f
            .iter()
            .filter_map(|x| x.2.map(|i| (x.0, i.canonical())))
            .collect();
        if let Some(s) = distinct_window(&ips, HOUR, 5) {
            push("distributed_brute_force", Sev::Medium, a, s);
        }
        if let Some(ok) = oks.get(a) {
            let mut span: Option<(i64, i64)> = None;
            for &(t, _) in ok {
                let n: u32 = f
                    .iter()
                    .filter(|x| x.0 <= t && t - x.0 <= HOUR)
                    .map(|x| x.1)
                    .sum();
                if n >= 5 {
                    let first = f
                        .iter()
                        .find(|x| x.0 <= t && t - x.0 <= HOUR)
                        .map_or(t, |x| x.0);
                    span = Some((span.map_or(first, |s| s.0), t));
                }
            }
            if let Some(s) = span {
                push("success_after_failures", Sev::High, a, s);
            }
        }
    }

    let mut attackers: HashSet<String> = HashSet::new();
    for (ip, f) in &ip_fails {
        let accts: Vec<(i64, String)> = f
            .iter()
            .filter_map(|x| x.2.clone().map(|a| (x.0, a)))
            .collect();
        if let Some(s) = distinct_window(&accts, HOUR, 10) {
            push("password_spray", Sev::Medium, ip, s);
            attackers.insert(ip.clone());
        }
        let unknown: Vec<(i64, String)> =
            accts.iter().filter(|x| !in_roster(&x.1)).cloned().collect();
        if let Some(s) = distinct_window(&unknown, HOUR, 10) {
            push("user_enumeration", Sev::Medium, ip, s);
            attackers.insert(ip.clone());
        }
        let counts: Vec<(i64, u32)> = f.iter().map(|x| (x.0, x.1)).collect();
        if let Some(s) = sum_window(&counts, 10 * MIN, 20) {
            push("ip_brute_force", Sev::Low, ip, s);
            attackers.insert(ip.clone());
        }
    }
    for ip in &attackers {
        let first_fail = ip_fails[ip][0].0;
        for (t, a) in ip_oks.get(ip).into_iter().flatten() {
            if *t >= first_fail && *t - first_fail <= DAY {
                push("success_from_attacker", Sev::Critical, a, (*t, *t));
            }
        }
    }

    for (a, ok) in &oks {
        let mut seen: HashSet<String> = HashSet::new();
        for w in 0..ok.len() {
            if w > 0 && ok[w].0 - ok[w - 1].0 >= 60 * DAY {
                let net = ok[w].1.map(|i| i.network()).unwrap_or_default();
                let sev = if seen.contains(&net) {
                    Sev::Medium
                } else {
                    Sev::High
                };
                push("dormant_reactivated", sev, a, (ok[w].0, ok[w].0));
            }
            if let Some(i) = ok[w].1 {
                seen.insert(i.network());
            }
        }
        let nets: Vec<(i64, String)> = ok
            .iter()
            .filter_map(|x| x.1.filter(|i| !i.is_loopback()).map(|i| (x.0, i.network())))
            .collect();
        if let Some(s) = distinct_window(&nets, DAY, 10) {
            push("many_ips", Sev::Medium, a, s);
        }
        if !in_roster(a) {
            push(
                "not_in_roster",
                Sev::Medium,
                a,
                (ok[0].0, ok[ok.len() - 1].0),
            );
        }
    }
    for (a, s) in &submits {
        if let Some(span) = sum_window(s, HOUR, 200) {
            push("send_burst", Sev::High, a, span);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let items: Vec<(i64, u32)> = (0..10).map(|i| (i * MIN, 1)).collect();
        assert_eq!(sum_window(&items, 10 * MIN, 10), Some((0, 9 * MIN)));
        assert_eq!(sum_window(&items[..9], 10 * MIN, 10), None);
        let d: Vec<(i64, String)> = (0..5).map(|i| (i * MIN, format!("{}", i % 3))).collect();
        assert_eq!(distinct_window(&d, HOUR, 3), Some((0, 4 * MIN)));
        assert_eq!(distinct_window(&d, HOUR, 4), None);
    }
}
