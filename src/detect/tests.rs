//! Each detector fires at its threshold and stays quiet just below it, on
//! small aggregates built with `Folder::add`; normal life stays quiet.

use super::leaked_credentials::{Leaked, LeakedEntry};
use super::*;
use crate::aggregate::{FoldSettings, Folder, Placed};
use crate::event::{Kind, Outcome, Parsed, Reason, Service, Source};
use crate::net::Cidr;
use std::sync::Arc;

const T0: i64 = 1_736_000_000 / 3600 * 3600; // an hour boundary, January 2025

#[derive(Clone)]
struct Ev {
    ts: i64,
    kind: Kind,
    ok: bool,
    user: &'static str,
    ip: Option<&'static str>,
    reason: Option<Reason>,
    tls: Option<bool>,
    method: Option<&'static str>,
    detail: bool,
}

fn ev(ts: i64, ok: bool, user: &'static str, ip: &'static str) -> Ev {
    Ev {
        ts,
        kind: Kind::Login,
        ok,
        user,
        ip: Some(ip),
        reason: (!ok).then_some(Reason::BadPassword),
        tls: Some(true),
        method: Some("PLAIN"),
        detail: false,
    }
}

fn settings() -> FoldSettings {
    FoldSettings {
        trusted: Arc::new(CidrSet::new(&[
            Cidr::parse("127.0.0.0/8").unwrap(),
            Cidr::parse("10.0.0.0/8").unwrap(),
        ])),
        proxies: Arc::new(CidrSet::new(&[Cidr::parse("192.0.2.80").unwrap()])),
        ..FoldSettings::default()
    }
}

fn build(evs: &[Ev]) -> Aggregate {
    let mut agg = Aggregate::default();
    let mut f = Folder::new(settings());
    for (i, e) in evs.iter().enumerate() {
        let mut p = Parsed::login(
            if e.ok {
                Outcome::Success
            } else {
                Outcome::Failure
            },
            Source::Dovecot,
            Service::Imap,
        );
        p.kind = e.kind;
        p.user = Some(e.user.as_bytes());
        p.ip = e.ip.map(|s| s.parse().unwrap());
        p.reason = e.reason;
        p.tls = e.tls;
        p.method = e.method.map(str::as_bytes);
        p.detail = e.detail;
        f.add(
            &mut agg,
            Placed {
                ev: &p,
                ts: e.ts,
                offset: 0,
                file: 1,
                line: i as u64 + 1,
            },
        );
    }
    agg
}

struct Extra<'a> {
    leaked: Option<&'a Leaked>,
    bad: Option<&'a CidrSet>,
    geo: Option<&'a crate::geo::Geo>,
}

const NONE: Extra<'static> = Extra {
    leaked: None,
    bad: None,
    geo: None,
};

fn run_with(evs: &[Ev], x: &Extra<'_>) -> Vec<Finding> {
    let agg = build(evs);
    let t = Thresholds::default();
    let trusted = CidrSet::new(&[
        Cidr::parse("127.0.0.0/8").unwrap(),
        Cidr::parse("10.0.0.0/8").unwrap(),
    ]);
    let ctx = Context {
        t: &t,
        roster: None,
        trusted: &trusted,
        as_of: agg.last_event.map_or(0, |e| e.0),
        prior: &[],
        leaked: x.leaked,
        bad_ips: x.bad,
        geo: x.geo,
        part: None,
    };
    run_all(&ctx, &agg)
}

fn run(evs: &[Ev]) -> Vec<Finding> {
    run_with(evs, &NONE)
}

fn codes_of(f: &[Finding]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = f.iter().map(|f| f.detector).collect();
    v.sort();
    v.dedup();
    v
}

fn has(f: &[Finding], code: &str) -> bool {
    f.iter().any(|f| f.detector == code)
}

const IPS: [&str; 20] = [
    "198.51.100.1",
    "198.51.100.2",
    "198.51.100.3",
    "198.51.100.4",
    "198.51.100.5",
    "198.51.100.6",
    "198.51.100.7",
    "198.51.100.8",
    "198.51.100.9",
    "198.51.100.10",
    "203.0.113.1",
    "203.0.113.2",
    "203.0.113.3",
    "203.0.113.4",
    "203.0.113.5",
    "203.0.113.6",
    "203.0.113.7",
    "203.0.113.8",
    "203.0.113.9",
    "203.0.113.10",
];

const USERS: [&str; 12] = [
    "u0@x.org",
    "u1@x.org",
    "u2@x.org",
    "u3@x.org",
    "u4@x.org",
    "u5@x.org",
    "u6@x.org",
    "u7@x.org",
    "u8@x.org",
    "u9@x.org",
    "u10@x.org",
    "u11@x.org",
];

#[test]
fn brute_force_at_and_below() {
    // A real account: it logged in the day before.
    let fails = |n: usize| -> Vec<Ev> {
        let mut v = vec![ev(T0 - 86_400, true, "a@x.org", "192.0.2.1")];
        v.extend((0..n).map(|i| ev(T0 + i as i64 * 50, false, "a@x.org", "198.51.100.1")));
        v
    };
    assert!(has(&run(&fails(10)), "brute_force"));
    assert!(!has(&run(&fails(9)), "brute_force"));
    // A name that never logged in and is in no roster (a bot's guess) is
    // left to the address detectors.
    let guesses: Vec<Ev> = (0..30)
        .map(|i| ev(T0 + i * 20, false, "admin@x.org", "198.51.100.1"))
        .collect();
    assert!(!has(&run(&guesses), "brute_force"));
}

#[test]
fn distributed_brute_force_at_and_below() {
    let fails = |n: usize| -> Vec<Ev> {
        let mut v = vec![ev(T0 - 86_400, true, "a@x.org", "198.51.100.99")];
        v.extend((0..n).map(|i| ev(T0 + i as i64 * 600, false, "a@x.org", IPS[i])));
        v
    };
    let f = run(&fails(5));
    assert!(has(&f, "distributed_brute_force"), "{f:?}");
    // A name that never logged in (and no roster): a guess, not an account.
    assert!(!has(&run(&fails(5)[1..]), "distributed_brute_force"));
    assert!(!has(&run(&fails(4)), "distributed_brute_force"));
    // Trusted addresses do not count.
    let mut e = fails(4);
    e.push(ev(T0 + 3000, false, "a@x.org", "10.1.2.3"));
    assert!(!has(&run(&e), "distributed_brute_force"));
}

#[test]
fn user_enumeration_at_and_below() {
    let tries = |n: usize| -> Vec<Ev> {
        let mut v = Vec::new();
        for (i, u) in USERS.iter().enumerate().take(n) {
            let mut e = ev(T0 + i as i64 * 300, false, u, "203.0.113.9");
            e.reason = Some(Reason::UnknownUser);
            v.push(e);
        }
        v
    };
    let f = run(&tries(10));
    assert!(has(&f, "user_enumeration"), "{f:?}");
    assert!(!has(&run(&tries(9)), "user_enumeration"));
    // Unknown users known only from detail lines count too.
    let mut v = Vec::new();
    for (i, u) in USERS.iter().enumerate().take(10) {
        let mut d = ev(T0 + i as i64 * 300, false, u, "203.0.113.9");
        d.reason = Some(Reason::UnknownUser);
        d.detail = true;
        let mut c = ev(T0 + i as i64 * 300 + 1, false, u, "203.0.113.9");
        c.reason = None;
        v.push(d);
        v.push(c);
    }
    let f = run(&v);
    let e = f.iter().find(|f| f.detector == "user_enumeration").unwrap();
    // The evidence is a counted line, not the detail line.
    assert_eq!(e.first.line(), 2);
}

#[test]
fn ip_brute_force_at_and_below() {
    let fails = |n: usize| -> Vec<Ev> {
        (0..n)
            .map(|i| ev(T0 + i as i64 * 25, false, USERS[i % 3], "203.0.113.9"))
            .collect()
    };
    let f = run(&fails(20));
    assert!(has(&f, "ip_brute_force"), "{f:?}");
    assert!(!has(&run(&fails(19)), "ip_brute_force"));
}

fn spray(n: usize) -> Vec<Ev> {
    (0..n)
        .map(|i| ev(T0 + i as i64 * 60, false, USERS[i], "203.0.113.9"))
        .collect()
}

#[test]
fn success_from_attacker_within_a_day() {
    let mut e = spray(10);
    e.push(ev(T0 + 20 * 3600, true, "u3@x.org", "203.0.113.9"));
    let f = run(&e);
    let s = f
        .iter()
        .find(|f| f.detector == "success_from_attacker")
        .unwrap();
    assert_eq!(s.severity, Severity::Critical);
    assert_eq!(s.evidence.last().unwrap().line(), 11);
    // A day and more after the attack: quiet.
    let mut e = spray(10);
    e.push(ev(T0 + 26 * 3600, true, "u3@x.org", "203.0.113.9"));
    assert!(!has(&run(&e), "success_from_attacker"));
    // No address finding (9 accounts): quiet.
    let mut e = spray(9);
    e.push(ev(T0 + 3600, true, "u3@x.org", "203.0.113.9"));
    assert!(!has(&run(&e), "success_from_attacker"));
    // The success in the middle of a day from other addresses is seen.
    let mut e = spray(10);
    e.push(ev(T0 + 3 * 3600, true, "u3@x.org", "198.51.100.200"));
    e.push(ev(T0 + 4 * 3600, true, "u3@x.org", "203.0.113.9"));
    e.push(ev(T0 + 5 * 3600, true, "u3@x.org", "198.51.100.200"));
    assert!(has(&run(&e), "success_from_attacker"));
}

#[test]
fn cleartext_auth_from_outside_only() {
    let mut e = ev(T0, true, "a@x.org", "198.51.100.1");
    e.tls = Some(false);
    assert!(has(&run(&[e.clone()]), "cleartext_auth"));
    let mut lan = e.clone();
    lan.ip = Some("10.1.1.1");
    assert!(!has(&run(&[lan]), "cleartext_auth"));
    let mut unknown = e.clone();
    unknown.tls = None;
    assert!(!has(&run(&[unknown]), "cleartext_auth"));
    let mut key = e.clone();
    key.method = Some("publickey");
    assert!(!has(&run(&[key]), "cleartext_auth"));
}

#[test]
fn stale_password_at_and_below() {
    let with_change = |days: i64| {
        let mut c = ev(T0, true, "a@x.org", "198.51.100.1");
        c.kind = Kind::PasswordChange;
        vec![c, ev(T0 + days * 86_400, true, "a@x.org", "198.51.100.1")]
    };
    assert!(has(&run(&with_change(180)), "stale_password"));
    assert!(!has(&run(&with_change(179)), "stale_password"));
    // No change known: nothing to say.
    let e = [ev(T0 + 400 * 86_400, true, "a@x.org", "198.51.100.1")];
    assert!(!has(&run(&e), "stale_password"));
}

fn forward(ts: i64, user: &'static str, target: &'static str) -> Ev {
    let mut e = ev(ts, true, user, "198.51.100.1");
    e.kind = Kind::ForwardingChange;
    e.method = Some(target);
    e
}

#[test]
fn forwarding_change_outside_domains() {
    let f = run(&[forward(T0, "a@x.org", "drop@evil.example")]);
    let x = f
        .iter()
        .find(|f| f.detector == "forwarding_change")
        .unwrap();
    assert_eq!(x.severity, Severity::Medium);
    assert!(x.summary.contains("drop@evil.example"));
    assert!(!has(
        &run(&[forward(T0, "a@x.org", "b@x.org")]),
        "forwarding_change"
    ));
    // After a brute force within 7 days: high.
    let mut e: Vec<Ev> = vec![ev(T0 - 86_400, true, "a@x.org", "192.0.2.1")];
    e.extend((0..10).map(|i| ev(T0 + i * 30, false, "a@x.org", "203.0.113.5")));
    e.push(forward(T0 + 3 * 86_400, "a@x.org", "drop@evil.example"));
    let f = run(&e);
    let x = f
        .iter()
        .find(|f| f.detector == "forwarding_change")
        .unwrap();
    assert_eq!(x.severity, Severity::High, "{f:?}");
    let mut e: Vec<Ev> = (0..10)
        .map(|i| ev(T0 + i * 30, false, "a@x.org", "203.0.113.5"))
        .collect();
    e.push(forward(T0 + 8 * 86_400, "a@x.org", "drop@evil.example"));
    let f = run(&e);
    let x = f
        .iter()
        .find(|f| f.detector == "forwarding_change")
        .unwrap();
    assert_eq!(x.severity, Severity::Medium);
}

#[test]
fn leaked_credentials_high_unless_changed_after() {
    let id = crate::account::account_id(b"a@x.org");
    let list = |date: Option<i64>| Leaked {
        entries: vec![LeakedEntry { id, date, line: 1 }],
        file_time: T0,
    };
    let mut change = ev(T0 + 86_400, true, "a@x.org", "198.51.100.1");
    change.kind = Kind::PasswordChange;
    let evs = vec![ev(T0, true, "a@x.org", "198.51.100.1"), change];
    let sev = |l: &Leaked| {
        run_with(
            &evs,
            &Extra {
                leaked: Some(l),
                ..NONE
            },
        )
        .iter()
        .find(|f| f.detector == "leaked_credentials")
        .map(|f| f.severity)
    };
    assert_eq!(sev(&list(Some(T0))), Some(Severity::Low));
    assert_eq!(sev(&list(Some(T0 + 2 * 86_400))), Some(Severity::High));
    assert_eq!(sev(&list(None)), Some(Severity::High));
}

#[test]
fn known_bad_ip_success_and_failures() {
    let bad = CidrSet::new(&[Cidr::parse("203.0.113.0/28").unwrap()]);
    let x = Extra {
        bad: Some(&bad),
        ..NONE
    };
    let f = run_with(&[ev(T0, true, "a@x.org", "203.0.113.5")], &x);
    let k = f.iter().find(|f| f.detector == "known_bad_ip").unwrap();
    assert_eq!((k.severity, k.account.is_some()), (Severity::High, true));
    let f = run_with(&[ev(T0, false, "a@x.org", "203.0.113.5")], &x);
    let k = f.iter().find(|f| f.detector == "known_bad_ip").unwrap();
    assert_eq!((k.severity, k.account.is_none()), (Severity::Low, true));
    assert!(!has(
        &run_with(&[ev(T0, true, "a@x.org", "203.0.113.50")], &x),
        "known_bad_ip"
    ));
}

fn geo() -> crate::geo::Geo {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/geoip");
    crate::geo::Geo::open(&[
        dir.join("GeoLite2-City-Test.mmdb"),
        dir.join("GeoLite2-ASN-Test.mmdb"),
    ])
    .unwrap()
}

const LONDON: &str = "81.2.69.142";
const CHANGCHUN: &str = "175.16.199.5";
const MILTON: &str = "216.160.83.57";
const LINKOPING: &str = "89.160.20.115";

#[test]
fn geo_detectors() {
    let g = geo();
    let x = Extra {
        geo: Some(&g),
        ..NONE
    };
    // London, then Changchun ten minutes later: impossible travel.
    let f = run_with(
        &[
            ev(T0, true, "a@x.org", LONDON),
            ev(T0 + 600, true, "a@x.org", CHANGCHUN),
        ],
        &x,
    );
    assert!(has(&f, "impossible_travel"), "{f:?}");
    // Milton (US) to London in 12 hours (about 7,700 km, 640 km/h): a
    // flight, not impossible.
    let f = run_with(
        &[
            ev(T0, true, "a@x.org", MILTON),
            ev(T0 + 12 * 3600, true, "a@x.org", LONDON),
        ],
        &x,
    );
    assert!(!has(&f, "impossible_travel"), "{f:?}");
    // Three countries in a day; two do not make it.
    let three = [
        ev(T0, true, "a@x.org", LONDON),
        ev(T0 + 8 * 3600, true, "a@x.org", MILTON),
        ev(T0 + 20 * 3600, true, "a@x.org", LINKOPING),
    ];
    assert!(has(&run_with(&three, &x), "many_countries"));
    assert!(!has(&run_with(&three[..2], &x), "many_countries"));
    let spread = [
        ev(T0, true, "a@x.org", LONDON),
        ev(T0 + 20 * 3600, true, "a@x.org", MILTON),
        ev(T0 + 45 * 3600, true, "a@x.org", LINKOPING),
    ];
    assert!(!has(&run_with(&spread, &x), "many_countries"));
    // A new country after 14 days of history (low), not before.
    let late = [
        ev(T0, true, "a@x.org", LONDON),
        ev(T0 + 14 * 86_400, true, "a@x.org", LINKOPING),
    ];
    assert!(has(&run_with(&late, &x), "new_country"));
    let early = [
        ev(T0, true, "a@x.org", LONDON),
        ev(T0 + 13 * 86_400, true, "a@x.org", LINKOPING),
    ];
    assert!(!has(&run_with(&early, &x), "new_country"));
    // Logins whose only address is a proxy carry no place.
    let proxied = [
        ev(T0, true, "a@x.org", LONDON),
        ev(T0 + 600, true, "a@x.org", "192.0.2.80"),
    ];
    assert!(codes_of(&run_with(&proxied, &x)).is_empty());
}

#[test]
fn normal_life_stays_quiet() {
    // A user mistypes the password three times, then logs in.
    let mut e: Vec<Ev> = (0..3)
        .map(|i| ev(T0 + i * 20, false, "a@x.org", "198.51.100.1"))
        .collect();
    e.push(ev(T0 + 80, true, "a@x.org", "198.51.100.1"));
    assert!(run(&e).is_empty(), "{:?}", run(&e));
    // A laptop moving between the office, home and a phone carrier's NAT
    // (changing address within the carrier's pool) during a day.
    let mut e = Vec::new();
    for h in 0..24 {
        let ip = match h {
            0..=7 => "198.51.100.77",
            8..=12 => "10.20.3.4",
            13 => "100.64.1.9",
            14 => "100.64.7.20",
            15 => "100.64.9.31",
            16..=17 => "10.20.3.4",
            _ => "198.51.100.77",
        };
        for m in (0..60).step_by(5) {
            e.push(ev(T0 + h * 3600 + m * 60, true, "a@x.org", ip));
        }
    }
    assert!(run(&e).is_empty(), "{:?}", run(&e));
    // Webmail logins that all come from the webmail host (a proxy).
    let mut e = Vec::new();
    for (i, u) in USERS.iter().enumerate() {
        for k in 0..5 {
            e.push(ev(T0 + (i * 5 + k) as i64 * 60, true, u, "192.0.2.80"));
        }
    }
    e.push(ev(T0 + 30, false, USERS[0], "192.0.2.80"));
    assert!(run(&e).is_empty(), "{:?}", run(&e));
    // A service account polling every minute for two days.
    let e: Vec<Ev> = (0..2 * 1440)
        .map(|i| ev(T0 + i * 60, true, "monitor@x.org", "198.51.100.9"))
        .collect();
    assert!(run(&e).is_empty(), "{:?}", run(&e));
}

#[test]
fn every_detector_has_settings_and_a_code() {
    let t = Thresholds::default();
    for c in codes() {
        assert!(t.enabled(c));
        assert!(
            crate::settings::DEFAULT_TOML.contains(&format!("[detectors.{c}]")),
            "{c}"
        );
    }
    assert_eq!(codes().len(), 19);
}

#[test]
fn distinct_ips_count_every_address_once_before_and_after_the_buckets_go() {
    // Successes from two addresses (one of them hour after hour and from a
    // trusted network too), one through the proxy, failures from a third
    // address and from one that also logged in.
    let evs = [
        ev(T0, true, "ann", "198.51.100.1"),
        ev(T0 + 3600, true, "ann", "198.51.100.1"),
        ev(T0 + 7200, true, "ann", "198.51.100.1"),
        ev(T0 + 7300, true, "ann", "10.1.2.3"),
        ev(T0 + 7400, true, "ann", "192.0.2.80"),
        ev(T0 + 7500, false, "ann", "203.0.113.9"),
        ev(T0 + 7600, false, "ann", "198.51.100.1"),
        ev(T0 + 7700, true, "bob", "198.51.100.1"),
    ];
    let mut agg = build(&evs);
    let ann = crate::account::account_id(b"ann");
    let bob = crate::account::account_id(b"bob");
    assert_eq!(agg.accounts[&ann].distinct_ips(), 4);
    assert_eq!(agg.accounts[&bob].distinct_ips(), 1);
    // The report is built after the time buckets are dropped.
    agg.drop_buckets();
    assert!(agg.accounts[&ann].successes.is_empty());
    assert_eq!(agg.accounts[&ann].distinct_ips(), 4);
    assert_eq!(agg.accounts[&bob].distinct_ips(), 1);
}
