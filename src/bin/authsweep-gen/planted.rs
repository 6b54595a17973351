//! The planted cases, one function per detector, shared by sample and
//! bench mode. Each writes its lines into a [`Script`] (marked as
//! evidence) and returns the expected finding.

use crate::clock::{rfc3339, MIN, SEC};
use crate::expected::Planted;
use crate::lines::FailEnd;
use crate::net::{self, Ip};
use crate::script::{Proto, Script};

fn planted(detector: &'static str, severity: &'static str, mark: &'static str) -> Planted {
    Planted {
        detector,
        severity,
        account: None,
        ip: None,
        first: String::new(),
        last: String::new(),
        count: 0,
        accounts: Vec::new(),
        ips: Vec::new(),
        note: String::new(),
        may_also_fire: Vec::new(),
        evidence: Vec::new(),
        mark,
    }
}

fn span(p: &mut Planted, first: i64, last: i64) {
    p.first = rfc3339(first);
    p.last = rfc3339(last);
}

/// 14 IMAP failures in 6 minutes from one address, no success.
pub fn brute_force(s: &mut Script, account: &str, ip: Ip, t0: i64) -> Planted {
    let n = 14;
    s.mark = Some("brute_force");
    let mut times = Vec::new();
    for i in 0..n {
        let t = t0 + i * 6 * MIN / n + s.rng.below(15 * SEC as u64) as i64;
        let end = if i % 5 == 4 {
            FailEnd::Aborted
        } else {
            FailEnd::Disconnected
        };
        let secs = 1 + s.rng.below(6) as u32;
        s.mail_failure(t, Proto::Imap, account, ip, 1, secs, end);
        times.push(t);
    }
    s.mark = None;
    let mut p = planted("brute_force", "medium", "brute_force");
    p.account = Some(account.to_string());
    p.ip = Some(ip.canonical());
    p.count = n as u32;
    span(&mut p, times[0], times[times.len() - 1]);
    p.note = "14 Dovecot IMAP failures in 6 min from one IP, no success (fewer than 20 in 10 min, so ip_brute_force stays quiet)".into();
    p
}

/// 7 failures over 25 minutes from two addresses, then a success.
pub fn success_after_failures(s: &mut Script, account: &str, ips: [Ip; 2], t0: i64) -> Planted {
    const OFFS: [i64; 7] = [0, 4, 8, 12, 17, 21, 25];
    s.mark = Some("success_after_failures");
    let mut first = 0;
    for (i, m) in OFFS.iter().enumerate() {
        let t = t0 + m * MIN + s.rng.below(40 * SEC as u64) as i64;
        if i == 0 {
            first = t;
        }
        let (proto, ip) = if i % 2 == 0 {
            (Proto::Imap, ips[0])
        } else {
            (Proto::Pop3, ips[1])
        };
        let secs = 2 + s.rng.below(5) as u32;
        s.mail_failure(t, proto, account, ip, 1, secs, FailEnd::Disconnected);
    }
    let ok = t0 + 36 * MIN + s.rng.below(30 * SEC as u64) as i64;
    s.mail_session(ok, Proto::Imap, account, ips[1], 7 * MIN);
    s.mark = None;
    let mut p = planted("success_after_failures", "high", "success_after_failures");
    p.account = Some(account.to_string());
    p.ip = Some(ips[1].canonical());
    p.ips = ips.iter().map(Ip::canonical).collect();
    p.count = OFFS.len() as u32;
    span(&mut p, first, ok);
    p.note = "7 IMAP/POP3 failures over 25 min from 2 IPs (at most 3 in any 10 min), then an IMAP success from the second IP 11 min later".into();
    p
}

/// One address failing against every target account, 1-2 tries each.
pub fn password_spray(s: &mut Script, ip: Ip, targets: &[String], t0: i64, dur: i64) -> Planted {
    s.mark = Some("password_spray");
    let n = targets.len() as i64;
    let mut total = 0;
    let mut times = Vec::new();
    for (i, acct) in targets.iter().enumerate() {
        let t = t0 + i as i64 * dur / n + s.rng.below(20 * SEC as u64) as i64;
        let attempts = if i % 3 == 1 { 2 } else { 1 };
        let proto = if i % 4 == 3 { Proto::Pop3 } else { Proto::Imap };
        let end = if attempts == 2 {
            FailEnd::Aborted
        } else {
            FailEnd::Disconnected
        };
        let secs = attempts * (2 + s.rng.below(4) as u32);
        s.mail_failure(t, proto, acct, ip, attempts, secs, end);
        total += attempts;
        times.push(t);
    }
    s.mark = None;
    let mut p = planted("password_spray", "medium", "password_spray");
    p.ip = Some(ip.canonical());
    p.accounts = targets.to_vec();
    p.count = total;
    span(&mut p, times[0], times[times.len() - 1]);
    p.note = format!(
        "one IP fails against {} existing accounts, 1-2 tries each (Dovecot IMAP/POP3); no account reaches 5 failures",
        targets.len()
    );
    p
}

/// Successes from 12 distinct /24 networks within `dur` (< 24 h).
pub fn many_ips(s: &mut Script, account: &str, t0: i64, dur: i64) -> Planted {
    let n = 12i64;
    s.mark = Some("many_ips");
    let mut ips = Vec::new();
    let mut times = Vec::new();
    for k in 0..n {
        let ip = Ip::V4(net::v4(
            198,
            19,
            (64 + k * 5) as u8,
            2 + s.rng.below(250) as u8,
        ));
        let t = t0 + k * dur / (n - 1) + s.rng.below(5 * MIN as u64) as i64;
        let d = (1 + s.rng.below(5) as i64) * MIN;
        s.mail_session(t, Proto::Imap, account, ip, d);
        ips.push(ip.canonical());
        times.push(t);
    }
    s.mark = None;
    let mut p = planted("many_ips", "medium", "many_ips");
    p.account = Some(account.to_string());
    p.count = n as u32;
    p.ips = ips;
    span(&mut p, times[0], times[times.len() - 1]);
    p.note = "IMAP successes from 12 distinct /24 networks (198.19.64.0/18) within one day".into();
    p
}

/// A success from a never-seen network after a long silence, then a few
/// more from the same address (`later`).
pub fn dormant(
    s: &mut Script,
    account: &str,
    ip: Ip,
    t: i64,
    later: &[i64],
    gap_days: i64,
) -> Planted {
    s.mark = Some("dormant_reactivated");
    s.mail_session(t, Proto::Imap, account, ip, 12 * MIN);
    s.mark = None;
    for &l in later {
        let dur = (5 + s.rng.below(30) as i64) * MIN;
        s.mail_session(l, Proto::Imap, account, ip, dur);
    }
    let mut p = planted("dormant_reactivated", "high", "dormant_reactivated");
    p.account = Some(account.to_string());
    p.ip = Some(ip.canonical());
    p.count = 1;
    span(&mut p, t, t);
    p.note = format!(
        "regular logins early in the period, then no success for at least {gap_days} days, then an IMAP success from a network never seen for the account (high: new network)"
    );
    p
}

/// `n` authenticated submissions from one address within `dur` (< 1 h).
pub fn send_burst(s: &mut Script, account: &str, ip: Ip, t0: i64, n: usize, dur: i64) -> Planted {
    s.mark = Some("send_burst");
    let per = 10;
    let sessions = n.div_ceil(per);
    let mut times = Vec::new();
    for k in 0..sessions {
        let m = per.min(n - k * per);
        let rcpts: Vec<String> = (0..m)
            .map(|_| {
                let dom = *s.rng.pick(&net::EXT_DOMAINS);
                format!("{}@{dom}", net::local_part(s.rng.below(40_000)))
            })
            .collect();
        let t = t0 + k as i64 * dur / sessions as i64 + s.rng.below(10 * SEC as u64) as i64;
        s.mark = Some("send_burst");
        times.extend(s.submission(t, "unknown", account, ip, "LOGIN", &rcpts, 6 * SEC, false));
    }
    s.mark = None;
    times.sort_unstable();
    let mut p = planted("send_burst", "high", "send_burst");
    p.account = Some(account.to_string());
    p.ip = Some(ip.canonical());
    p.count = times.len() as u32;
    span(&mut p, times[0], times[times.len() - 1]);
    p.note = format!(
        "{} submissions (postfix/submission sasl_method=LOGIN) in {} sessions of up to 10 messages, within {} min",
        times.len(),
        sessions,
        (times[times.len() - 1] - times[0]) / MIN + 1
    );
    p
}

/// Daily IMAP logins by an account missing from the roster.
pub fn not_in_roster(s: &mut Script, account: &str, ip: Ip, days: &[i64]) -> Planted {
    s.mark = Some("not_in_roster");
    let mut times = Vec::new();
    for &d in days {
        let t = d + 8 * 60 * MIN + s.rng.below(70 * MIN as u64) as i64;
        let dur = (4 * 60 + s.rng.below(240) as i64) * MIN;
        s.mail_session(t, Proto::Imap, account, ip, dur);
        times.push(t);
    }
    s.mark = None;
    let mut p = planted("not_in_roster", "medium", "not_in_roster");
    p.account = Some(account.to_string());
    p.ip = Some(ip.canonical());
    p.count = times.len() as u32;
    span(&mut p, times[0], times[times.len() - 1]);
    p.note = "an account that logs in (IMAP, office LAN) but is not in roster.csv".into();
    p
}

/// Invalid user names over ssh from one address.
pub fn user_enumeration(s: &mut Script, ip: Ip, t0: i64, dur: i64) -> Planted {
    const NAMES: [&str; 40] = [
        "admin",
        "test",
        "user",
        "oracle",
        "postgres",
        "ubuntu",
        "git",
        "ftpuser",
        "guest",
        "support",
        "deploy",
        "jenkins",
        "ansible",
        "hadoop",
        "minecraft",
        "steam",
        "pi",
        "debian",
        "centos",
        "webmaster",
        "www-data",
        "mysql",
        "nagios",
        "zabbix",
        "teamspeak",
        "odoo",
        "elastic",
        "kafka",
        "redis",
        "docker",
        "vagrant",
        "dev",
        "prueba",
        "usuario",
        "administrator",
        "backup",
        "sysadmin",
        "tomcat",
        "apache",
        "operator",
    ];
    s.mark = Some("user_enumeration");
    let n = NAMES.len() as i64;
    let mut times = Vec::new();
    for (i, u) in NAMES.iter().enumerate() {
        let t = t0 + i as i64 * dur / n + s.rng.below(10 * SEC as u64) as i64;
        times.push(s.ssh_invalid_try(t, u, ip).0);
    }
    s.mark = None;
    let mut p = planted("user_enumeration", "medium", "user_enumeration");
    p.ip = Some(ip.canonical());
    p.count = NAMES.len() as u32;
    span(&mut p, times[0], times[times.len() - 1]);
    p.note = "an ssh bot trying 40 distinct invalid user names in 25 min (at most 17 in any 10 min, so ip_brute_force stays quiet); the names are distinct (non-roster) accounts, so password_spray may fire on the IP too".into();
    p.may_also_fire = vec!["password_spray"];
    p
}

/// The bot's user names, for the noise list.
pub fn bot_users() -> Vec<String> {
    BOT_USERS.iter().map(|s| s.to_string()).collect()
}

/// User names the background ssh bots try.
pub const BOT_USERS: [&str; 24] = [
    "root", "admin", "test", "user", "ubuntu", "oracle", "postgres", "git", "guest", "pi", "ftp",
    "support", "deploy", "www", "mysql", "dev", "user1", "test1", "server", "ansible", "steam",
    "nagios", "hadoop", "centos",
];
