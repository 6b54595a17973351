//! The GeoIP detectors (`--geoip`): `many_countries`, `impossible_travel`,
//! `new_country`. They read the client addresses of successes kept per
//! account and day (trusted networks and proxies left out) and look each
//! distinct address up once.

use super::{episodes, human_span, ip_text, success_points, Context, Detector, Finding, Severity};
use crate::aggregate::{Aggregate, IpKey, Ref};
use crate::geo::{country_name, distance_km, Geo, Place};
use rustc_hash::FxHashMap;

/// Places of addresses, looked up once each.
struct Places<'g> {
    geo: &'g Geo,
    cache: FxHashMap<IpKey, Place>,
}

impl Places<'_> {
    fn get(&mut self, ip: IpKey) -> &Place {
        let geo = self.geo;
        self.cache.entry(ip).or_insert_with(|| geo.place(ip))
    }
}

fn located<'a>(ctx: &Context<'a>) -> Option<&'a Geo> {
    ctx.geo.filter(|g| g.has_location())
}

/// Successes from ≥ N countries within H hours (default 3 in 24).
pub struct ManyCountries;

impl Detector for ManyCountries {
    fn code(&self) -> &'static str {
        "many_countries"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let Some(geo) = located(ctx) else { return };
        let t = &ctx.t.many_countries;
        let mut places = Places {
            geo,
            cache: FxHashMap::default(),
        };
        for (id, a) in ctx.accounts(agg) {
            if !a.successes.has_client() {
                continue;
            }
            // (hour, (country, ref)) for each located success point.
            let items: Vec<(u32, (u16, Ref))> = success_points(a)
                .into_iter()
                .filter_map(|(r, ip)| {
                    let c = places.get(ip).country_key()?;
                    Some(((r.ts.div_euclid(3600)) as u32, (c, r)))
                })
                .collect();
            let distinct = |w: &[(u32, (u16, Ref))]| {
                let mut cs: Vec<u16> = w.iter().map(|x| x.1 .0).collect();
                cs.sort_unstable();
                cs.dedup();
                cs
            };
            for ep in episodes(&items, t.window_hours, t.countries, |w| {
                distinct(w).len() as u64
            }) {
                let w = &items[ep];
                let cs = distinct(w);
                let first = w.iter().map(|x| x.1 .1).min().unwrap_or_default();
                let last = w.iter().map(|x| x.1 .1).max().unwrap_or_default();
                // The first success from each country.
                let mut evidence: Vec<Ref> = cs
                    .iter()
                    .filter_map(|c| w.iter().filter(|x| x.1 .0 == *c).map(|x| x.1 .1).min())
                    .collect();
                evidence.sort();
                evidence.truncate(4);
                if !evidence.contains(&last) {
                    evidence.push(last);
                }
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Medium,
                    account: Some(*id),
                    ip: None,
                    first,
                    last,
                    count: w.len() as u64,
                    summary: format!(
                        "successful logins from {} countries ({}) in {}",
                        cs.len(),
                        cs.iter()
                            .map(|c| country_name(*c))
                            .collect::<Vec<_>>()
                            .join(", "),
                        human_span(last.ts - first.ts)
                    ),
                    evidence,
                });
            }
        }
    }
}

/// Two successes whose distance over time needs more than S km/h (default
/// 1000) and that are more than D km apart (default 500).
pub struct ImpossibleTravel;

impl Detector for ImpossibleTravel {
    fn code(&self) -> &'static str {
        "impossible_travel"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let Some(geo) = located(ctx) else { return };
        let t = &ctx.t.impossible_travel;
        let mut places = Places {
            geo,
            cache: FxHashMap::default(),
        };
        for (id, a) in ctx.accounts(agg) {
            if !a.successes.has_client() {
                continue;
            }
            let pts: Vec<(Ref, IpKey, (f64, f64), String)> = success_points(a)
                .into_iter()
                .filter_map(|(r, ip)| {
                    let p = places.get(ip);
                    let c = p.coords?;
                    let name = p.describe().unwrap_or_default();
                    Some((r, ip, c, name))
                })
                .collect();
            let mut reported: Vec<(IpKey, IpKey)> = Vec::new();
            for w in pts.windows(2) {
                let (a0, a1) = (&w[0], &w[1]);
                if a0.1 == a1.1 {
                    continue;
                }
                let km = distance_km(a0.2, a1.2);
                if km <= t.min_distance_km as f64 {
                    continue;
                }
                let secs = (a1.0.ts - a0.0.ts).max(1) as f64;
                let kmh = km / secs * 3600.0;
                if kmh <= t.speed_kmh as f64 || reported.contains(&(a0.1, a1.1)) {
                    continue;
                }
                reported.push((a0.1, a1.1));
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::High,
                    account: Some(*id),
                    ip: Some(a1.1),
                    first: a0.0,
                    last: a1.0,
                    count: 2,
                    summary: format!(
                        "successful logins from {} ({}) then {} ({}), {:.0} km apart in {}: {:.0} km/h",
                        ip_text(a0.1),
                        a0.3,
                        ip_text(a1.1),
                        a1.3,
                        km,
                        human_span(a1.0.ts - a0.0.ts),
                        kmh
                    ),
                    evidence: vec![a0.0, a1.0],
                });
            }
        }
    }
}

/// A success from a country not seen for the account before, once the
/// account has ≥ N days of earlier history (default 14).
pub struct NewCountry;

impl Detector for NewCountry {
    fn code(&self) -> &'static str {
        "new_country"
    }

    fn run(&self, ctx: &Context<'_>, agg: &Aggregate, out: &mut Vec<Finding>) {
        let Some(geo) = located(ctx) else { return };
        let history = ctx.t.new_country.history_days as i64 * 86_400;
        let mut places = Places {
            geo,
            cache: FxHashMap::default(),
        };
        for (id, a) in ctx.accounts(agg) {
            if !a.successes.has_client() {
                continue;
            }
            // History starts at the account's first successful login.
            let Some(start) = a.first_login else { continue };
            let mut seen: Vec<u16> = Vec::new();
            for (r, ip) in success_points(a) {
                let Some(c) = places.get(ip).country_key() else {
                    continue;
                };
                if seen.contains(&c) {
                    continue;
                }
                seen.push(c);
                if seen.len() == 1 || r.ts - start.ts < history {
                    continue;
                }
                out.push(Finding {
                    detector: self.code(),
                    severity: Severity::Low,
                    account: Some(*id),
                    ip: Some(ip),
                    first: r,
                    last: r,
                    count: 1,
                    summary: format!(
                        "first successful login from {} ({}) after {} of history",
                        country_name(c),
                        ip_text(ip),
                        human_span(r.ts - start.ts)
                    ),
                    evidence: vec![r],
                });
            }
        }
    }
}
