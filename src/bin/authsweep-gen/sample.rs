//! `--sample`: the small bundled set in `sample-logs/`. A government
//! department (example.gov) with units, 2024-10-01 to 2025-01-20 UTC,
//! crossing a year end: mail.log.1.gz (RFC 3164, yearless, gzip mtime),
//! mail.log and auth.log (rsyslog ISO), Roundcube userlogins.log, the
//! roster, and the known answer.
//!
//! Everything is built as a [`Script`] of timed records, sorted, then
//! written; the event list is checked with [`crate::check`] first.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use flate2::{Compression, GzBuilder};

use crate::check::{self, Sev};
use crate::clock::{self, at, rfc3339, Stamper, Style, DAY, HOUR, MIN, SEC};
use crate::expected::{Evidence, Expected, FileInfo, LastLogin, Noise, Period, Planted, Special};
use crate::lines::{self, FailEnd, Put};
use crate::net::{self, Ip, Net};
use crate::planted;
use crate::rng::{label, Rng};
use crate::script::{Proto, Rec, Script, Stream};

const UNITS: [&str; 8] = [
    "Office of the Director",
    "Permits",
    "Inspections",
    "Legal",
    "Finance",
    "IT",
    "Communications",
    "Human Resources",
];

/// (local part, name, unit, aliases, created, password_changed, flags):
/// `p` phone, `w` webmail, `3` POP3 desktop client, `k` ssh with key,
/// `s` ssh with password, `M` phone types a mixed-case user name.
#[rustfmt::skip]
const PEOPLE: [(&str, &str, usize, &str, &str, &str, &str); 38] = [
    ("maria.lindqvist", "Maria Lindqvist", 0, "director@example.gov", "2019-03-04", "2024-09-12", "pw"),
    ("peter.okafor", "Peter Okafor", 0, "", "2020-06-15", "2024-08-01", "p"),
    ("elena.rossi", "Elena Rossi", 0, "", "2021-01-11", "2024-03-20", ""),
    ("jan.novak", "Jan Novak", 1, "", "2018-09-03", "2024-07-08", "pM"),
    ("sofia.petrova", "Sofia Petrova", 1, "", "2022-02-01", "2024-05-30", "p"),
    ("ahmed.haddad", "Ahmed Haddad", 1, "", "2019-11-18", "2024-01-15", ""),
    ("lucia.fernandez", "Lucia Fernandez", 1, "", "2017-05-22", "2023-12-04", "p3"),
    ("tom.becker", "Tom Becker", 1, "", "2021-08-30", "2024-06-11", "p"),
    ("nina.kowalska", "Nina Kowalska", 1, "", "2023-04-03", "2024-04-03", ""),
    ("oliver.grant", "Oliver Grant", 1, "", "2024-11-04", "2024-11-04", "p"),
    ("david.moreau", "David Moreau", 2, "", "2016-02-29", "2024-02-19", "p"),
    ("hana.sato", "Hana Sato", 2, "", "2020-10-05", "2024-09-30", "p"),
    ("marco.bianchi", "Marco Bianchi", 2, "", "2019-07-01", "2024-07-01", "p"),
    ("ingrid.larsen", "Ingrid Larsen", 2, "", "2018-01-08", "2024-05-06", "p"),
    ("samuel.adeyemi", "Samuel Adeyemi", 2, "", "2022-09-12", "2024-09-12", "p"),
    ("paula.silva", "Paula Silva", 2, "", "2015-03-16", "2023-11-27", ""),
    ("claire.dubois", "Claire Dubois", 3, "", "2017-10-02", "2024-06-24", "w"),
    ("victor.nowak", "Victor Nowak", 3, "", "2020-01-13", "2024-04-22", "p"),
    ("rosa.martinez", "Rosa Martinez", 3, "", "2021-05-17", "2024-08-19", "pw"),
    ("george.papadopoulos", "George Papadopoulos", 4, "", "2014-06-02", "2024-02-05", ""),
    ("anna.schmidt", "Anna Schmidt", 4, "", "2019-02-25", "2024-07-29", "p"),
    ("li.wei", "Li Wei", 4, "", "2022-11-07", "2024-05-13", "w"),
    ("fatima.rahman", "Fatima Rahman", 4, "", "2020-08-24", "2024-03-11", "p"),
    ("erik.johansson", "Erik Johansson", 5, "postmaster@example.gov;hostmaster@example.gov", "2016-09-05", "2024-09-02", "kp"),
    ("kate.murphy", "Kate Murphy", 5, "", "2019-04-15", "2024-04-15", "k"),
    ("raj.patel", "Raj Patel", 5, "", "2021-03-01", "2024-06-03", "kp"),
    ("mikko.virtanen", "Mikko Virtanen", 5, "", "2023-01-09", "2024-07-15", "s"),
    ("sara.cohen", "Sara Cohen", 6, "press@example.gov", "2018-12-03", "2024-01-29", "p"),
    ("luca.romano", "Luca Romano", 6, "", "2022-06-20", "2024-06-20", "p"),
    ("julia.weber", "Julia Weber", 7, "hr@example.gov", "2017-01-16", "2024-08-26", "p"),
    ("tariq.aziz", "Tariq Aziz", 7, "", "2023-08-28", "2024-08-28", ""),
    ("emma.clarke", "Emma Clarke", 7, "", "2020-04-20", "2024-02-26", "w"),
    // Special cases.
    ("walter.hoffmann", "Walter Hoffmann", 2, "", "2012-05-07", "2023-06-12", ""),
    ("henrik.olsen", "Henrik Olsen", 4, "", "2018-03-19", "2024-05-27", "p"),
    ("beatrix.kiss", "Beatrix Kiss", 3, "", "2023-02-13", "", ""),
    ("yusuf.demir", "Yusuf Demir", 2, "", "2024-05-06", "", ""),
    ("chloe.martin", "Chloe Martin", 7, "", "2025-01-15", "", ""),
    ("noreply", "Permit system notifications", 5, "", "2016-09-05", "2022-01-10", ""),
];

const INACTIVE: &str = "walter.hoffmann";
const DISABLED: &str = "henrik.olsen";
const NEVER: [&str; 2] = ["beatrix.kiss", "yusuf.demir"];
const NEW: &str = "chloe.martin";
const SERVICE: &str = "noreply";
const NOT_IN_ROSTER: &str = "audit.temp@example.gov";

fn addr(local: &str) -> String {
    format!("{local}@{}", net::DOMAIN)
}

struct Person {
    local: &'static str,
    addr: String,
    flags: &'static str,
    /// Background logins only within `[from, to)`.
    from: i64,
    to: i64,
    office: Ip,
    home: Ip,
    mobile: u32,
    vacation: (i64, i64),
    rc_id: u32,
    uid: u32,
    key: String,
    fails: Vec<i64>,
}

impl Person {
    fn has(&self, f: char) -> bool {
        self.flags.contains(f)
    }
}

struct World {
    s: Script,
    people: Vec<Person>,
    /// No background authentication at all for a person in these windows.
    quiet: Vec<(usize, i64, i64)>,
    /// No background failures for anyone in these windows.
    no_fail: Vec<(i64, i64)>,
    seed: u64,
    used_bot_ips: HashSet<u32>,
}

impl World {
    fn idx(&self, local: &str) -> usize {
        self.people
            .iter()
            .position(|p| p.local == local)
            .expect("known person")
    }

    fn can_login(&self, i: usize, t: i64) -> bool {
        let p = &self.people[i];
        t >= p.from
            && t < p.to
            && !self
                .quiet
                .iter()
                .any(|&(q, a, b)| q == i && t >= a && t < b)
    }

    /// A typo is allowed when nothing else failed for the person within 3 h.
    fn can_fail(&self, i: usize, t: i64) -> bool {
        self.can_login(i, t)
            && !self.no_fail.iter().any(|&(a, b)| t >= a && t < b)
            && self.people[i]
                .fails
                .iter()
                .all(|&f| (f - t).abs() > 3 * HOUR)
    }

    fn bot_ip(&mut self, rng: &mut Rng) -> Ip {
        loop {
            let ip = net::bot_ip(rng);
            if self.used_bot_ips.insert(ip) {
                return Ip::V4(ip);
            }
        }
    }

    fn mobile_ip(&self, i: usize, rng: &mut Rng) -> Ip {
        Ip::V4(self.people[i].mobile & !0xff | (2 + rng.below(250)) as u32)
    }
}

const START: (i64, u32, u32) = (2024, 10, 1);

fn start() -> i64 {
    at(START.0, START.1, START.2, 0, 0, 0)
}
fn end() -> i64 {
    at(2025, 1, 20, 23, 59, 0)
}
fn split() -> i64 {
    at(2025, 1, 1, 0, 30, 0)
}

fn holiday(d0: i64) -> bool {
    let (_, m, d) = clock::civil_from_days(d0 / DAY);
    matches!(
        (m, d),
        (11, 11) | (12, 24) | (12, 25) | (12, 26) | (12, 31) | (1, 1)
    )
}

pub fn run(out: &Path, seed: u64) -> Result<()> {
    fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let v24_from = at(2025, 1, 13, 6, 12, 0) + 318_442;
    let mut w = World {
        s: Script::new(Rng::derive(seed, &[label("sample-script")]), v24_from),
        people: Vec::new(),
        quiet: Vec::new(),
        no_fail: Vec::new(),
        seed,
        used_bot_ips: HashSet::new(),
    };
    for (i, &(local, _, unit, _, created, _, flags)) in PEOPLE.iter().enumerate() {
        let mut r = Rng::derive(seed, &[label("person"), i as u64]);
        let created = clock::parse_date(created).map_err(anyhow::Error::msg)?;
        let vac = start() + r.range(14, 100) * DAY;
        let mut key = Vec::new();
        lines::b64(&mut key, &mut r, 43);
        w.people.push(Person {
            local,
            addr: addr(local),
            flags,
            from: if created < start() {
                start()
            } else {
                created + DAY
            },
            to: end(),
            office: Ip::V4(net::v4(10, 20, unit as u8 + 1, (20 + i * 5) as u8)),
            home: Ip::V4(net::client_ip(Net::Home, i as u64 * 7 + 3)),
            mobile: net::client_ip(Net::Mobile, i as u64 * 11 + 5),
            vacation: (vac, vac + 9 * DAY),
            rc_id: 3 + i as u32 * 2,
            uid: 1001 + i as u32,
            key: String::from_utf8(key).expect("ascii"),
            fails: Vec::new(),
        });
    }
    // Activity windows of the special accounts.
    let set_window = |w: &mut World, local: &str, from: i64, to: i64| {
        let i = w.idx(local);
        w.people[i].from = from;
        w.people[i].to = to;
    };
    set_window(&mut w, INACTIVE, start(), at(2024, 10, 14, 0, 0, 0));
    // The accounts whose last login EXPECTED.json states end with a
    // scripted day (see `plant`).
    set_window(&mut w, "erik.johansson", start(), at(2025, 1, 20, 16, 0, 0));
    set_window(
        &mut w,
        "maria.lindqvist",
        start(),
        at(2025, 1, 20, 18, 0, 0),
    );
    set_window(&mut w, DISABLED, start(), at(2024, 11, 15, 18, 0, 0));
    set_window(&mut w, "victor.nowak", start(), at(2024, 10, 24, 19, 0, 0));
    for l in NEVER.iter().chain([NEW, SERVICE].iter()) {
        set_window(&mut w, l, 0, 0);
    }

    let planted = plant(&mut w)?;
    for day in 0.. {
        let d0 = start() + day * DAY;
        if d0 > end() {
            break;
        }
        background_day(&mut w, d0);
    }

    // Everything after the end of the period is dropped (sessions that
    // would end after it), events with it.
    let cut = end();
    w.s.recs.retain(|r| r.ts < cut);
    w.s.evs.retain(|e| e.ts < cut);
    w.s.recs.sort_by_key(|r| (r.ts, r.seq));

    let expected = answer(&w, planted, seed)?;
    write_all(out, &w.s.recs, expected)
}

/// The planted cases and special lines, on dedicated accounts and IPs.
fn plant(w: &mut World) -> Result<Vec<Planted>> {
    let mut out = Vec::new();
    // Sub-second parts for hand-picked times (ISO stamps show them).
    let mut jr = Rng::derive(w.seed, &[label("plant-jitter")]);
    let mut at = |y, mo, d, h, mi, s| at(y, mo, d, h, mi, s) + jr.below(SEC as u64) as i64;
    let tom = addr("tom.becker");
    let t = at(2024, 11, 19, 2, 14, 5);
    out.push(planted::brute_force(
        &mut w.s,
        &tom,
        Ip::v4(203, 0, 113, 77),
        t,
    ));
    let i = w.idx("tom.becker");
    w.quiet.push((i, t - 2 * HOUR, t + 3 * HOUR));

    let ingrid = addr("ingrid.larsen");
    let t = at(2025, 1, 9, 21, 5, 12);
    out.push(planted::success_after_failures(
        &mut w.s,
        &ingrid,
        [Ip::v4(203, 0, 113, 45), Ip::v4(203, 0, 113, 46)],
        t,
    ));
    let i = w.idx("ingrid.larsen");
    w.quiet.push((i, t - 2 * HOUR, t + 3 * HOUR));

    let targets: Vec<String> = [
        "maria.lindqvist",
        "peter.okafor",
        "elena.rossi",
        "jan.novak",
        "sofia.petrova",
        "ahmed.haddad",
        "lucia.fernandez",
        "nina.kowalska",
        "david.moreau",
        "hana.sato",
        "claire.dubois",
        "rosa.martinez",
        "anna.schmidt",
        "julia.weber",
        "sara.cohen",
    ]
    .iter()
    .map(|l| addr(l))
    .collect();
    let t = at(2025, 1, 1, 0, 7, 41);
    let mut p = planted::password_spray(&mut w.s, Ip::v4(198, 51, 100, 23), &targets, t, 45 * MIN);
    p.note.push_str("; New Year's night, across the rotation: the first part is in mail.log.1.gz (yearless), the rest in mail.log");
    out.push(p);
    w.no_fail.push((t - 4 * HOUR, t + 4 * HOUR));

    let t = at(2025, 1, 15, 1, 10, 0);
    out.push(planted::many_ips(
        &mut w.s,
        &addr("luca.romano"),
        t,
        18 * HOUR + 30 * MIN,
    ));

    let victor = addr("victor.nowak");
    let t = at(2025, 1, 11, 10, 2, 37);
    let later = [at(2025, 1, 12, 9, 41, 3), at(2025, 1, 14, 20, 15, 48)];
    let v = w.idx("victor.nowak");
    let gap = (t - w.people[v].to) / DAY;
    out.push(planted::dormant(
        &mut w.s,
        &victor,
        Ip::v4(198, 51, 100, 200),
        t,
        &later,
        gap,
    ));

    let t = at(2024, 12, 14, 3, 5, 9);
    out.push(planted::send_burst(
        &mut w.s,
        &addr("fatima.rahman"),
        Ip::v4(198, 51, 100, 150),
        t,
        260,
        48 * MIN,
    ));

    let days: Vec<i64> = (6..=17)
        .map(|d| at(2025, 1, d, 0, 0, 0))
        .filter(|&d| clock::weekday(d) < 5)
        .collect();
    out.push(planted::not_in_roster(
        &mut w.s,
        NOT_IN_ROSTER,
        Ip::v4(10, 20, 5, 200),
        &days,
    ));

    let t = at(2024, 12, 31, 23, 52, 10);
    let mut p = planted::user_enumeration(&mut w.s, Ip::v4(203, 0, 113, 99), t, 25 * MIN);
    p.note.push_str("; on gw1 (auth.log), across the year end");
    out.push(p);

    // Special lines.
    let t = at(2025, 1, 13, 22, 41, 10);
    let rc_ip = Ip::v4(198, 51, 100, 77);
    for (k, u) in [
        "admin",
        "administrator",
        "admin from 10.20.0.1",
        "info@example.gov",
    ]
    .iter()
    .enumerate()
    {
        w.s.webmail_failure(t + k as i64 * 47 * SEC, u, rc_ip, true);
    }
    let t = at(2024, 11, 2, 5, 17, 22);
    let ip = w.bot_ip(&mut Rng::derive(w.seed, &[label("repeat-bot")]));
    w.s.ssh_root_tries(t, ip, 4, true);
    let hana = w.idx("hana.sato");
    let home = match w.people[hana].home {
        Ip::V4(x) => x,
        _ => unreachable!("home is IPv4"),
    };
    w.s.mail_session(
        at(2025, 1, 7, 19, 48, 31),
        Proto::Imap,
        &addr("hana.sato"),
        Ip::Mapped(home),
        14 * MIN,
    );
    // The Dovecot upgrade.
    let up = w.s.v24_from;
    w.s.line(up - 40 * SEC, Stream::Mail, "dovecot", None, |b, _| {
        b.s("master: Warning: Killed with signal 15 (by pid=1 uid=0 code=kill)");
    });
    w.s.line(up, Stream::Mail, "dovecot", Some(1_422), |b, _| {
        b.s("master: Dovecot v2.4.1-4 (7d8c0e5759) starting up for imap, pop3, lmtp, sieve");
    });
    w.s.line(at(2024, 10, 1, 0, 0, 7), Stream::Mail, "dovecot", None, |b, _| {
        b.s("master: Dovecot v2.3.21 (47349e2482) starting up for imap, pop3, lmtp, sieve (core dumps disabled)");
    });
    // Scripted last days: an ssh session, a webmail login, an IMAP day.
    let erik = w.idx("erik.johansson");
    let (office, key, uid) = (
        w.people[erik].office,
        w.people[erik].key.clone(),
        w.people[erik].uid,
    );
    let t = at(2025, 1, 20, 8, 12, 40);
    w.s.mail_session(
        t,
        Proto::Imap,
        &addr("erik.johansson"),
        office,
        at(2025, 1, 20, 17, 30, 5) - t,
    );
    w.s.ssh_session(
        at(2025, 1, 20, 17, 42, 10),
        "erik.johansson",
        uid,
        office,
        Some(&key),
        25 * MIN,
        612,
    );
    let maria = w.idx("maria.lindqvist");
    let (office, home, rc_id) = (
        w.people[maria].office,
        w.people[maria].home,
        w.people[maria].rc_id,
    );
    let t = at(2025, 1, 20, 8, 31, 2);
    w.s.mail_session(
        t,
        Proto::Imap,
        &addr("maria.lindqvist"),
        office,
        at(2025, 1, 20, 17, 5, 40) - t,
    );
    w.s.webmail_login(
        at(2025, 1, 20, 21, 12, 30),
        &addr("maria.lindqvist"),
        rc_id,
        home,
        17 * MIN,
    );
    let walter = w.idx(INACTIVE);
    let office = w.people[walter].office;
    let t = at(2024, 10, 14, 9, 5, 12);
    w.s.mail_session(
        t,
        Proto::Imap,
        &addr(INACTIVE),
        office,
        at(2024, 10, 14, 16, 41, 0) - t,
    );

    // Password changes on gw1.
    w.s.passwd_change(at(2024, 11, 4, 10, 12, 40), "kate.murphy");
    w.s.passwd_change(at(2025, 1, 7, 14, 31, 2), "raj.patel");
    Ok(out)
}

/// One day of ordinary life at the department.
fn background_day(w: &mut World, d0: i64) {
    let wd = clock::weekday(d0);
    let workday = wd < 5 && !holiday(d0);
    let day = (d0 / DAY) as u64;
    for i in 0..w.people.len() {
        let mut r = Rng::derive(w.seed, &[label("day"), i as u64, day]);
        person_day(w, i, d0, workday, &mut r);
    }
    mx_noise(w, d0, day);
    gw_noise(w, d0, day);
}

fn person_day(w: &mut World, i: usize, d0: i64, workday: bool, r: &mut Rng) {
    let p = &w.people[i];
    let local = p.local;
    let address = p.addr.clone();
    let (office, home) = (p.office, p.home);
    let on_vacation = d0 >= p.vacation.0 && d0 < p.vacation.1;
    let (phone, webmail, pop3) = (p.has('p'), p.has('w'), p.has('3'));
    let ssh = p.has('k') || p.has('s');
    let mixed = p.has('M');

    // Incoming mail for every mailbox, active or not.
    let n_in = if workday {
        r.range(0, 2) + i64::from(r.chance(0.3))
    } else {
        i64::from(r.chance(0.3))
    };
    for _ in 0..n_in {
        let t = if r.chance(0.75) {
            d0 + 7 * HOUR + r.range(0, 12 * HOUR)
        } else {
            d0 + r.range(0, DAY)
        };
        w.s.incoming(t, &address);
    }
    if local == SERVICE {
        service_day(w, d0, r);
        return;
    }
    if local == "erik.johansson" {
        w.s.local_mail(d0 + 6 * HOUR + 25 * MIN + r.range(0, 40 * SEC), &address);
    }

    // Desktop client in the office.
    if workday && !on_vacation && r.chance(0.94) {
        let start = d0 + 7 * HOUR + 30 * MIN + r.range(0, 110 * MIN);
        let stop = d0 + 16 * HOUR + r.range(0, 150 * MIN);
        if w.can_login(i, start) && w.can_login(i, stop) {
            if r.chance(0.015) && w.can_fail(i, start) {
                typo(
                    w,
                    i,
                    start,
                    office,
                    if pop3 { Proto::Pop3 } else { Proto::Imap },
                    &address,
                    r,
                );
            }
            if pop3 {
                let mut t = start;
                while t < stop {
                    w.s.mail_session(t, Proto::Pop3, &address, office, r.range(2 * SEC, 9 * SEC));
                    t += HOUR + r.range(0, 20 * SEC);
                }
            } else if r.chance(0.25) {
                let lunch = d0 + 12 * HOUR + r.range(0, 60 * MIN);
                w.s.mail_session(start, Proto::Imap, &address, office, lunch - start);
                let back = lunch + r.range(30 * MIN, 70 * MIN);
                w.s.mail_session(back, Proto::Imap, &address, office, stop - back);
            } else {
                w.s.mail_session(start, Proto::Imap, &address, office, stop - start);
                if r.chance(0.25) {
                    let t2 = start + r.range(SEC, 4 * SEC);
                    w.s.mail_session(
                        t2,
                        Proto::Imap,
                        &address,
                        office,
                        stop - t2 + r.range(0, 3 * SEC),
                    );
                }
            }
            let sends = r.range(0, 2) + i64::from(r.chance(0.2));
            for _ in 0..sends {
                let t = start + 10 * MIN + r.range(0, (stop - start - 20 * MIN).max(MIN));
                let rc = recipient(w, i, r);
                let method = if r.chance(0.7) { "PLAIN" } else { "LOGIN" };
                w.s.submission(
                    t,
                    "unknown",
                    &address,
                    office,
                    method,
                    &[rc],
                    20 * SEC,
                    false,
                );
            }
            if ssh {
                let key = p_key(w, i);
                for _ in 0..r.range(1, 3) {
                    let t = start + 5 * MIN + r.range(0, (stop - start - 2 * HOUR).max(MIN));
                    let dur = r.range(3 * MIN, 90 * MIN);
                    if key.is_none() && r.chance(0.06) && w.can_fail(i, t) {
                        w.people[i].fails.push(t);
                        w.s.ssh_typo(t - 20 * SEC, local, office);
                    }
                    let uid = w.people[i].uid;
                    w.s.ssh_session(t, local, uid, office, key.as_deref(), dur, 612);
                    if r.chance(0.3) {
                        let cmd = *r.pick(&[
                            "/usr/bin/systemctl restart postfix",
                            "/usr/bin/apt-get upgrade",
                            "/usr/bin/journalctl -u dovecot",
                            "/usr/sbin/postqueue -p",
                        ]);
                        w.s.sudo(t + r.range(MIN, dur.max(2 * MIN)), local, uid, cmd);
                    }
                }
            }
        }
    }

    // Phone: short IMAP sessions all day, home Wi-Fi in the evening.
    if phone {
        let n = if workday {
            r.range(1, 4)
        } else {
            r.range(0, 3)
        };
        let mut times: Vec<i64> = (0..n)
            .map(|_| d0 + 6 * HOUR + 30 * MIN + r.range(0, 16 * HOUR + 30 * MIN))
            .collect();
        times.sort_unstable();
        let typed = if mixed {
            "Jan.Novak@example.gov".to_string()
        } else {
            address.clone()
        };
        for t in times {
            if !w.can_login(i, t) {
                continue;
            }
            let h = (t - d0) / HOUR;
            let ip = if (h >= 18 || !workday) && r.chance(0.7) {
                home
            } else {
                w.mobile_ip(i, r)
            };
            if r.chance(0.01) && w.can_fail(i, t) {
                typo(w, i, t, ip, Proto::Imap, &typed, r);
            }
            w.s.mail_session(t, Proto::Imap, &typed, ip, r.range(MIN, 25 * MIN));
            if r.chance(0.08) {
                let rc = recipient(w, i, r);
                // Phones submit on 465 or 587.
                let smtps = r.chance(0.5);
                w.s.submission(
                    t + r.range(MIN, 5 * MIN),
                    "unknown",
                    &address,
                    ip,
                    "PLAIN",
                    &[rc],
                    20 * SEC,
                    smtps,
                );
            }
        }
    }

    // Webmail from home in the evening.
    if webmail && r.chance(0.45) {
        let t = d0 + 19 * HOUR + r.range(0, 210 * MIN);
        if w.can_login(i, t) {
            if r.chance(0.03) && w.can_fail(i, t) {
                w.people[i].fails.push(t);
                w.s.webmail_failure(t - r.range(15 * SEC, 40 * SEC), &address, home, true);
            }
            let rc_id = w.people[i].rc_id;
            w.s.webmail_login(t, &address, rc_id, home, r.range(5 * MIN, 40 * MIN));
        }
    }
}

fn p_key(w: &World, i: usize) -> Option<String> {
    let p = &w.people[i];
    p.has('k').then(|| p.key.clone())
}

/// One or two mistyped passwords shortly before a login.
fn typo(w: &mut World, i: usize, t: i64, ip: Ip, proto: Proto, typed: &str, r: &mut Rng) {
    w.people[i].fails.push(t);
    let attempts = if r.chance(0.3) { 2 } else { 1 };
    let end = match (attempts, r.below(4)) {
        (2, _) => FailEnd::Aborted,
        (_, 0) => FailEnd::Inactivity,
        _ => FailEnd::Disconnected,
    };
    let secs = attempts * (3 + r.below(8) as u32);
    w.s.mail_failure(
        t - r.range(10 * SEC, 40 * SEC),
        proto,
        typed,
        ip,
        attempts,
        secs,
        end,
    );
}

/// A colleague (45 %) or an external correspondent.
fn recipient(w: &World, i: usize, r: &mut Rng) -> String {
    if r.chance(0.45) {
        let j = r.below(32) as usize;
        if j != i {
            return w.people[j].addr.clone();
        }
    }
    let dom = *r.pick(&net::EXT_DOMAINS);
    format!("{}@{dom}", net::local_part(r.below(3000)))
}

/// The permit system's notification account: a few batches a day.
fn service_day(w: &mut World, d0: i64, r: &mut Rng) {
    let app = Ip::v4(10, 20, 250, 15);
    let me = addr(SERVICE);
    for _ in 0..r.range(1, 4) {
        let t = d0 + 6 * HOUR + r.range(0, 16 * HOUR);
        let rcpts: Vec<String> = (0..r.range(1, 4))
            .map(|_| {
                let dom = *r.pick(&net::EXT_DOMAINS);
                format!("{}@{dom}", net::local_part(r.below(20_000)))
            })
            .collect();
        w.s.submission(
            t,
            "permits-app.example.gov",
            &me,
            app,
            "PLAIN",
            &rcpts,
            3 * SEC,
            false,
        );
    }
}

/// Internet noise and housekeeping on mx1.
fn mx_noise(w: &mut World, d0: i64, day: u64) {
    let mut r = Rng::derive(w.seed, &[label("mx"), day]);
    for _ in 0..r.range(1, 5) {
        let ip = w.bot_ip(&mut r);
        let to = w.people[r.below(32) as usize].addr.clone();
        w.s.spam_reject(d0 + r.range(0, DAY), ip, &to);
    }
    for _ in 0..r.range(0, 3) {
        let ip = w.bot_ip(&mut r);
        w.s.mail_probe(d0 + r.range(0, DAY), ip);
    }
    // SASL bots on port 465, at least 3 h apart, 1-3 tries each.
    let mut t = d0 + r.range(0, 3 * HOUR);
    while t < d0 + DAY {
        let ip = w.bot_ip(&mut r);
        w.s.sasl_bot(t, ip, r.range(1, 4) as u32);
        t += r.range(3 * HOUR, 7 * HOUR);
    }
    if r.chance(0.5) {
        let t = d0 + r.range(0, DAY);
        let ip = w.bot_ip(&mut r);
        let rep = t + 10 * MIN;
        let pid = w.s.pid_at(rep);
        w.s.line(rep, Stream::Mail, "postfix/anvil", Some(pid), |b, _| {
            lines::pf_anvil(b, "connection rate", 1, ip, t)
        });
        w.s.line(rep, Stream::Mail, "postfix/anvil", Some(pid), |b, _| {
            lines::pf_anvil(b, "connection count", 1, ip, t)
        });
    }
}

/// sshd bots, scanners and cron on gw1.
fn gw_noise(w: &mut World, d0: i64, day: u64) {
    let mut r = Rng::derive(w.seed, &[label("gw"), day]);
    // gw1's crontab: a key backup every 4 hours and cron.daily.
    for h in (0..24).step_by(4) {
        w.s.cron(d0 + h * HOUR + 17 * MIN + r.range(SEC, 2 * SEC));
    }
    w.s.cron(d0 + 6 * HOUR + 25 * MIN + r.range(SEC, 2 * SEC));
    // Bots at least 2 h apart: never 5 IPs in an hour on one name, never
    // 10 failures in 10 minutes.
    let mut t = d0 + r.range(0, 2 * HOUR);
    while t < d0 + DAY {
        let ip = w.bot_ip(&mut r);
        let k = r.below(20);
        if k < 11 {
            let mut names: BTreeSet<&str> = BTreeSet::new();
            let n = r.range(1, 4) as usize;
            while names.len() < n {
                names.insert(planted::BOT_USERS[1 + r.below(23) as usize]);
            }
            let mut tt = t;
            for u in names {
                tt = w.s.ssh_invalid_try(tt, u, ip).1 + r.range(SEC, 4 * SEC);
            }
        } else if k < 18 {
            w.s.ssh_root_tries(t, ip, r.range(1, 4) as u32, false);
        } else {
            w.s.ssh_scan(t, ip);
        }
        t += r.range(2 * HOUR, 6 * HOUR);
    }
    for _ in 0..r.range(1, 4) {
        let ip = w.bot_ip(&mut r);
        w.s.ssh_scan(d0 + r.range(0, DAY), ip);
    }
}

/// Account key as authsweep should normalise it (with
/// `--default-domain example.gov` and the roster's aliases).
fn norm(user: &str) -> String {
    let u = user
        .trim_matches(|c| c == '<' || c == '>')
        .to_ascii_lowercase();
    let u = if u.contains('@') {
        u
    } else {
        format!("{u}@{}", net::DOMAIN)
    };
    for p in PEOPLE.iter() {
        if p.3.split(';').any(|a| a == u) {
            return addr(p.0);
        }
    }
    u
}

fn in_roster(a: &str) -> bool {
    PEOPLE.iter().any(|p| addr(p.0) == a)
}

/// Compute the answer from the events and check it against the plan.
fn answer(w: &World, mut planted: Vec<Planted>, seed: u64) -> Result<Expected> {
    let evs = &w.s.evs;
    let as_of = evs.iter().map(|e| e.ts).max().unwrap_or(0);
    let findings = check::evaluate(evs, &norm, &in_roster);
    let mut problems = Vec::new();
    for p in &planted {
        let key = p.account.clone().or(p.ip.clone()).unwrap_or_default();
        if !findings
            .iter()
            .any(|f| f.detector == p.detector && f.key == key)
        {
            problems.push(format!("planted {} on {key} does not fire", p.detector));
        }
    }
    for f in &findings {
        let planted_here = planted.iter().any(|p| {
            (p.detector == f.detector || p.may_also_fire.contains(&f.detector))
                && p.account.as_deref().or(p.ip.as_deref()) == Some(f.key.as_str())
        });
        if !planted_here && f.severity >= Sev::Medium {
            problems.push(format!("unplanned finding: {f}"));
        } else if !planted_here {
            eprintln!("note: low-severity finding (allowed): {f}");
        }
    }

    // Statuses.
    let mut last: HashMap<String, (i64, &'static str, Option<Ip>)> = HashMap::new();
    for e in evs.iter().filter(|e| e.ok) {
        let a = norm(e.user.as_deref().unwrap_or(""));
        let cur = last.entry(a).or_insert((i64::MIN, "", None));
        if e.ts >= cur.0 {
            *cur = (e.ts, e.service, e.ip);
        }
    }
    let (mut inactive, mut never, mut new, mut disabled, mut service) =
        (vec![], vec![], vec![], vec![], vec![]);
    for p in PEOPLE.iter() {
        let a = addr(p.0);
        let created = clock::parse_date(p.4).map_err(anyhow::Error::msg)?;
        if p.0 == DISABLED {
            disabled.push(a);
        } else if p.0 == SERVICE {
            service.push(a);
        } else {
            match last.get(&a) {
                None if as_of - created < 90 * DAY => new.push(a),
                None => never.push(a),
                Some(l) if as_of - l.0 > 90 * DAY => inactive.push(a),
                Some(_) => {}
            }
        }
    }
    let want_never: Vec<String> = NEVER.iter().map(|l| addr(l)).collect();
    if inactive != [addr(INACTIVE)] || never != want_never || new != [addr(NEW)] {
        problems.push(format!(
            "statuses differ from the plan: inactive {inactive:?}, never {never:?}, new {new:?}"
        ));
    }
    if !problems.is_empty() {
        bail!(
            "the generated sample is inconsistent:\n  {}",
            problems.join("\n  ")
        );
    }
    eprintln!(
        "self-check: {} planted cases fire, no other finding of medium or above",
        planted.len()
    );

    let last_login = ["erik.johansson", "maria.lindqvist", SERVICE, INACTIVE]
        .iter()
        .map(|l| {
            let a = addr(l);
            let (ts, svc, ip) = last[&a];
            LastLogin {
                account: a,
                last_login: rfc3339(ts),
                service: svc,
                ip: ip.map(|i| i.canonical()),
            }
        })
        .collect();
    planted.sort_by(|a, b| a.first.cmp(&b.first));
    Ok(Expected {
        generator: "cargo run --release --bin authsweep-gen -- --sample --out sample-logs".into(),
        seed,
        scan_args: vec![
            "--roster".into(),
            "roster.csv".into(),
            "--default-domain".into(),
            net::DOMAIN.into(),
            "--tz".into(),
            "UTC".into(),
        ],
        period: Period {
            first: rfc3339(w.s.recs.first().map_or(0, |r| r.ts)),
            last: rfc3339(w.s.recs.last().map_or(0, |r| r.ts)),
        },
        as_of: rfc3339(as_of),
        files: Vec::new(),
        planted,
        skipped: Vec::new(),
        inactive,
        never,
        new,
        disabled,
        service,
        last_login,
        special_lines: Vec::new(),
        noise: Noise {
            note: "Background internet noise (ssh bots with invalid users and root, SASL LOGIN bots without a user on port 465, DNSBL rejects, TLS probes) comes from 198.19.128.0/17, one address per burst, bursts at least 2 h apart on gw1 and 3 h apart on mx1: it triggers no detector. sshd and PAM user names are local names: the answer assumes --default-domain example.gov.".into(),
            ip_ranges: vec!["198.19.128.0/17"],
            accounts: planted::bot_users(),
        },
        clean: "No roster account, and no address outside the planted cases, has a finding of medium severity or above. Planted attacker addresses: 198.51.100.0/24, 203.0.113.0/24, 198.19.64.0/18.".into(),
    })
}

/// A file being written, with what EXPECTED.json says about it.
struct Out {
    name: &'static str,
    style: Option<Style>,
    buf: Vec<u8>,
    lines: u64,
    first: i64,
    last: i64,
}

impl Out {
    fn new(name: &'static str, style: Option<Style>) -> Self {
        Out {
            name,
            style,
            buf: Vec::new(),
            lines: 0,
            first: i64::MAX,
            last: i64::MIN,
        }
    }
}

const SPECIALS: [(&str, &str, &str); 6] = [
    ("ipv4_mapped_address", "mail.log", "rip=::ffff:"),
    (
        "rsyslog_message_repeated",
        "auth.log",
        "message repeated 3 times: [ Failed password for root",
    ),
    (
        "roundcube_user_with_from",
        "userlogins.log",
        "Failed login for admin from 10.20.0.1 from",
    ),
    (
        "dovecot_2_4_logged_in",
        "mail.log",
        "imap-login: Logged in:",
    ),
    (
        "dovecot_2_4_login_aborted",
        "mail.log",
        "-login: Login aborted:",
    ),
    (
        "mixed_case_user",
        "mail.log.1.gz",
        "user=<Jan.Novak@example.gov>",
    ),
];

fn write_all(dir: &Path, recs: &[Rec], mut exp: Expected) -> Result<()> {
    let mut outs = [
        Out::new("mail.log.1.gz", Some(Style::Bsd)),
        Out::new("mail.log", Some(Style::Iso)),
        Out::new("auth.log", Some(Style::Iso)),
        Out::new("userlogins.log", None),
    ];
    let mut stampers = [Stamper::new(Style::Bsd), Stamper::new(Style::Iso)];
    let mut marks: HashMap<&'static str, Vec<Evidence>> = HashMap::new();
    let mut specials: Vec<Special> = Vec::new();
    let mut line = Vec::new();
    for r in recs {
        let k = match r.stream {
            Stream::Mail if r.ts < split() => 0,
            Stream::Mail => 1,
            Stream::Auth => 2,
            Stream::Web => 3,
        };
        let o = &mut outs[k];
        line.clear();
        match o.style {
            Some(Style::Bsd) => stampers[0].write(&mut line, r.ts),
            Some(Style::Iso) => stampers[1].write(&mut line, r.ts),
            None => {
                line.push(b'[');
                clock::roundcube(&mut line, r.ts);
                line.extend_from_slice(b"]:");
            }
        }
        line.push(b' ');
        line.extend_from_slice(&r.rest);
        o.lines += 1;
        o.first = o.first.min(r.ts);
        o.last = o.last.max(r.ts);
        let text = || String::from_utf8_lossy(&line).into_owned();
        if let Some(m) = r.mark {
            marks.entry(m).or_default().push(Evidence {
                file: o.name.to_string(),
                line: o.lines,
                text: text(),
            });
        }
        for (what, file, needle) in SPECIALS {
            if file == o.name
                && !specials.iter().any(|s| s.what == what)
                && line.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                specials.push(Special {
                    what,
                    at: Evidence {
                        file: o.name.to_string(),
                        line: o.lines,
                        text: text(),
                    },
                });
            }
        }
        line.push(b'\n');
        o.buf.extend_from_slice(&line);
    }
    if specials.len() != SPECIALS.len() {
        bail!(
            "special lines missing: found only {:?}",
            specials.iter().map(|s| s.what).collect::<Vec<_>>()
        );
    }
    for p in exp.planted.iter_mut() {
        let ev = marks
            .get(p.mark)
            .with_context(|| format!("no lines marked {}", p.mark))?;
        p.evidence.push(ev[0].clone());
        if ev.len() > 1 {
            p.evidence.push(ev[ev.len() - 1].clone());
        }
    }
    exp.special_lines = specials;

    for o in &outs {
        let path = dir.join(o.name);
        let mtime = o.last / SEC + if o.name.ends_with(".gz") { 180 } else { 60 };
        let mut f =
            File::create(&path).with_context(|| format!("{}: cannot create", path.display()))?;
        let bytes = if o.name.ends_with(".gz") {
            let mut gz = GzBuilder::new()
                .mtime(u32::try_from(mtime).context("mtime out of range")?)
                .operating_system(3)
                .write(Vec::new(), Compression::best());
            gz.write_all(&o.buf)?;
            let z = gz.finish()?;
            f.write_all(&z)?;
            z.len() as u64
        } else {
            f.write_all(&o.buf)?;
            o.buf.len() as u64
        };
        f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(mtime as u64))?;
        exp.files.push(FileInfo {
            file: o.name.to_string(),
            bytes,
            lines: o.lines,
            first: rfc3339(o.first),
            last: rfc3339(o.last),
            gzip_mtime: o.name.ends_with(".gz").then(|| rfc3339(mtime * SEC)),
            timestamps: match o.style {
                Some(Style::Bsd) => "RFC 3164, no year: the year comes from the gzip header mtime",
                Some(Style::Iso) => "rsyslog high precision, UTC offset",
                None => "Roundcube d-M-Y H:i:s O",
            },
        });
    }

    write_roster(&dir.join("roster.csv"))?;
    let json = serde_json::to_string_pretty(&exp)? + "\n";
    fs::write(dir.join("EXPECTED.json"), json)?;
    fs::write(dir.join("README.md"), README)?;
    Ok(())
}

fn write_roster(path: &Path) -> Result<()> {
    let mut s =
        String::from("account,name,unit,aliases,created,disabled,password_changed,service\n");
    for &(local, name, unit, aliases, created, pw, _) in PEOPLE.iter() {
        let disabled = if local == DISABLED { "yes" } else { "" };
        let service = if local == SERVICE { "yes" } else { "" };
        s.push_str(&format!(
            "{},{name},{},{aliases},{created},{disabled},{pw},{service}\n",
            addr(local),
            UNITS[unit]
        ));
    }
    fs::write(path, s).with_context(|| format!("{}: cannot write", path.display()))
}

const README: &str = "# sample-logs

A small, realistic set of mail and authentication logs of a fictional government department (`example.gov`, 38 roster accounts in 8 units) from 2024-10-01 to 2025-01-20 UTC, crossing a year end: `mail.log.1.gz` (mx1, Postfix and Dovecot 2.3, RFC 3164 yearless lines up to 2025-01-01 00:30; the year comes from the gzip header mtime), `mail.log` (mx1 after rotation, rsyslog ISO stamps, Dovecot upgraded to 2.4 on 2025-01-13), `auth.log` (gw1, sshd, PAM and cron, ISO stamps), `userlogins.log` (Roundcube), and `roster.csv`. Every address and name is fictional; networks are documentation, private and benchmarking ranges.

One case of each main detector is planted on dedicated accounts and addresses (brute force, success after failures, password spray across the log rotation, many networks, dormant account reactivated, send burst, login by an account not in the roster, ssh user enumeration), beside one inactive, two never-logged-in, one new, one disabled and one service account. `EXPECTED.json` holds the known answer (cases with times and evidence lines, statuses, some last logins, special format lines) for `authsweep scan --roster roster.csv --default-domain example.gov`. The set was generated by `cargo run --release --bin authsweep-gen -- --sample --out sample-logs` and is byte-identical on every run.
";
