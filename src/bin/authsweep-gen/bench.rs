//! Bench mode: one large mixed syslog (`mail.log`) of about `--size`
//! bytes, streamed, plus `roster.csv` and `EXPECTED.json`.
//!
//! Time is driven by bytes: a line written after `w` of `size` bytes is
//! stamped `start + w/size * days`, so timestamps rise through the file
//! and it ends near the end of the period whatever the size. Lines that
//! belong later (session ends, the planted cases) wait in a min-heap and
//! are written when the clock reaches them.
//!
//! Background accounts cannot trigger detectors: each logs in from its
//! own three networks, mistypes at most twice with at least 2 h between
//! mistakes, sends fewer than 40 messages an hour, and never comes back
//! after 55 days of silence (it stays inactive instead).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};

use crate::clock::{self, rfc3339, Stamper, Style, DAY, HOUR, MIN, SEC};
use crate::expected::{Expected, FileInfo, LastLogin, Noise, Period, Planted, Skipped};
use crate::lines::{self, Dsn, Elems, FailEnd, Put, Secured};
use crate::net::{self, Ip, Net};
use crate::planted;
use crate::rng::{label, Rng};
use crate::script::{lip_for, Script, Stream};

pub struct Opts {
    pub out: PathBuf,
    pub size: u64,
    pub accounts: u64,
    pub seed: u64,
    pub start: i64,
    pub days: i64,
    pub style: Style,
}

/// A line waiting for its time: everything after the timestamp.
struct Pending {
    ts: i64,
    seq: u64,
    auth: bool,
    rest: Vec<u8>,
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.ts, self.seq) == (o.ts, o.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    // Reversed: BinaryHeap is a max-heap, we want the earliest first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.ts, o.seq).cmp(&(self.ts, self.seq))
    }
}

/// The output file and the byte-driven clock.
struct Writer {
    out: BufWriter<File>,
    line: Vec<u8>,
    written: u64,
    size: u64,
    start: i64,
    dur: i64,
    last_ts: i64,
    first_ts: i64,
    stamper: Stamper,
    heap: BinaryHeap<Pending>,
    seq: u64,
    lines: u64,
    auth_lines: u64,
    last_auth: i64,
}

impl Writer {
    #[inline]
    fn now(&self) -> i64 {
        let frac =
            (u128::from(self.written) * self.dur as u128 / u128::from(self.size.max(1))) as i64;
        self.start + frac.min(self.dur)
    }

    fn put(&mut self, ts: i64, auth: bool, rest: &[u8]) -> Result<()> {
        let ts = ts.max(self.last_ts);
        self.line.clear();
        self.stamper.write(&mut self.line, ts);
        self.line.push(b' ');
        self.line.extend_from_slice(rest);
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        self.written += self.line.len() as u64;
        self.lines += 1;
        if auth {
            self.auth_lines += 1;
            self.last_auth = self.last_auth.max(ts);
        }
        if self.first_ts == i64::MAX {
            self.first_ts = ts;
        }
        self.last_ts = ts;
        Ok(())
    }

    /// Write every waiting line due at `now`.
    fn drain(&mut self, now: i64) -> Result<()> {
        while self.heap.peek().is_some_and(|p| p.ts <= now) {
            let p = self.heap.pop().expect("peeked");
            self.put(p.ts, p.auth, &p.rest)?;
        }
        Ok(())
    }

    /// Write a line now; returns its time.
    #[inline]
    fn emit(
        &mut self,
        rng: &mut Rng,
        host: &str,
        prog: &str,
        pid: Option<u32>,
        auth: bool,
        f: impl FnOnce(&mut Vec<u8>, &mut Rng),
    ) -> Result<i64> {
        let now = self.now();
        self.drain(now)?;
        let ts = now.max(self.last_ts);
        self.line.clear();
        self.stamper.write(&mut self.line, ts);
        self.line.push(b' ');
        lines::tag(&mut self.line, host, prog, pid);
        f(&mut self.line, rng);
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        self.written += self.line.len() as u64;
        self.lines += 1;
        if auth {
            self.auth_lines += 1;
            self.last_auth = ts;
        }
        if self.first_ts == i64::MAX {
            self.first_ts = ts;
        }
        self.last_ts = ts;
        Ok(ts)
    }

    /// Queue a line for `ts`.
    #[allow(clippy::too_many_arguments)]
    fn defer(
        &mut self,
        rng: &mut Rng,
        ts: i64,
        host: &str,
        prog: &str,
        pid: Option<u32>,
        auth: bool,
        f: impl FnOnce(&mut Vec<u8>, &mut Rng),
    ) {
        let mut rest = Vec::with_capacity(192);
        lines::tag(&mut rest, host, prog, pid);
        f(&mut rest, rng);
        self.seq += 1;
        self.heap.push(Pending {
            ts,
            seq: self.seq,
            auth,
            rest,
        });
    }
}

const NEVER: i64 = i64::MIN;
/// Sequence numbers of planted lines start here (noise lines count from 0).
const PLANTED_SEQ: u64 = u64::MAX / 2;

/// Per background account state, compact.
struct Acct {
    last_ok: i64,
    last_fail: i64,
    sub_hour: i64,
    sub_count: u32,
}

struct Gen {
    w: Writer,
    rng: Rng,
    names: Vec<String>,
    accts: Vec<Acct>,
    n: u64,
    rr: u64,
    mul: u64,
    pid: u32,
    v24_from: i64,
    mtas: Vec<(String, Ip)>,
    senders: Vec<String>,
    msgid: Vec<u8>,
    next_cron: i64,
    /// Detail of the last success of accounts 0..3, for EXPECTED.json.
    watch: [(i64, &'static str, Option<Ip>); 3],
}

const MX: &str = "mx1";
const GW: &str = "gw1";

impl Gen {
    fn next_pid(&mut self) -> u32 {
        self.pid += 1 + self.rng.below(29) as u32;
        if self.pid > 4_194_000 {
            self.pid = 3_000;
        }
        self.pid
    }

    fn dovecot_pid(&self, ts: i64) -> Option<u32> {
        (ts >= self.v24_from).then_some(1_422)
    }

    /// A background account that may log in now (round robin most of the
    /// time, so every account is seen early; random otherwise).
    fn pick(&mut self, now: i64, submit: bool) -> Option<usize> {
        for _ in 0..6 {
            let k = if self.rng.chance(0.8) {
                self.rr = (self.rr + 1) % self.n;
                // A multiplier coprime with n permutes 0..n.
                self.rr * self.mul % self.n
            } else {
                self.rng.below(self.n)
            } as usize;
            let a = &self.accts[k];
            let gap_ok = a.last_ok == NEVER || now - a.last_ok < 55 * DAY;
            let rate_ok = !submit || now / HOUR != a.sub_hour || a.sub_count < 40;
            if gap_ok && rate_ok {
                return Some(k);
            }
        }
        None
    }

    fn ok(&mut self, k: usize, ts: i64, svc: &'static str, ip: Ip) {
        self.accts[k].last_ok = ts;
        if k < 3 {
            self.watch[k] = (ts, svc, Some(ip));
        }
    }

    /// The address account `k` uses at `now`: office on weekday working
    /// hours, home in the evening, mobile otherwise.
    fn client(&mut self, k: usize, now: i64) -> Ip {
        let h = (now - clock::midnight(now)) / HOUR;
        let workday = clock::weekday(now) < 5;
        let r = self.rng.below(10);
        let net = if workday && (8..18).contains(&h) && r < 7 {
            Net::Office
        } else if (h >= 18 || !workday) && r < 6 {
            Net::Home
        } else {
            Net::Mobile
        };
        let ip = net::client_ip(net, k as u64);
        Ip::V4(if net == Net::Mobile {
            ip & !0xff | (2 + self.rng.below(250)) as u32
        } else {
            ip
        })
    }

    fn step(&mut self) -> Result<()> {
        let now = self.w.now();
        if now >= self.next_cron {
            self.next_cron += HOUR;
            return self.cron();
        }
        match self.rng.below(1000) {
            0..=539 => self.incoming(),
            540..=779 => self.mail_session(false),
            780..=799 => self.mail_session(true),
            800..=909 => self.submission(),
            910..=919 => self.typo(),
            920..=929 => self.ssh_user(),
            930..=949 => self.ssh_bot(),
            950..=964 => self.sasl_bot(),
            965..=989 => self.spam(),
            _ => self.probe(),
        }
    }

    fn new_msgid(&mut self, now: i64, local: bool) {
        self.msgid.clear();
        if local {
            self.msgid
                .n((now / SEC) as u64)
                .s(".")
                .n(self.rng.below(100_000))
                .s("@example.gov");
        } else {
            lines::b64(&mut self.msgid, &mut self.rng, 20);
            for c in self.msgid.iter_mut() {
                if *c == b'/' || *c == b'+' {
                    *c = b'x';
                }
            }
            let d = *self.rng.pick(&net::EXT_DOMAINS);
            self.msgid.s("@mail.").s(d);
        }
    }

    /// The queue part of a message: cleanup, qmgr, delivery, removed.
    fn deliver(
        &mut self,
        q: &[u8; 11],
        from: &str,
        to_local: Option<usize>,
        to_ext: &str,
    ) -> Result<()> {
        let (qmgr, cleanup) = (1_187, self.next_pid());
        let w = &mut self.w;
        let msgid = &self.msgid;
        w.emit(
            &mut self.rng,
            MX,
            "postfix/cleanup",
            Some(cleanup),
            false,
            |b, _| lines::pf_msgid(b, q, msgid),
        )?;
        let size = 1_500 + self.rng.below(80_000);
        w.emit(
            &mut self.rng,
            MX,
            "postfix/qmgr",
            Some(qmgr),
            false,
            |b, _| lines::pf_from(b, q, from, size, 1),
        )?;
        let pid = self.pid + 7;
        match to_local {
            Some(k) => {
                let user = &self.names[k];
                let lpid = self.pid + 3;
                let dv = (w.now() >= self.v24_from).then_some(1_422);
                w.emit(&mut self.rng, MX, "dovecot", dv, false, |b, r| {
                    lines::lmtp_saved(b, user, lpid, r, msgid)
                })?;
                w.emit(
                    &mut self.rng,
                    MX,
                    "postfix/lmtp",
                    Some(pid),
                    false,
                    |b, r| lines::pf_to(b, q, user, None, Dsn::Sent, r),
                )?;
            }
            None => {
                let (host, ip) = &self.mtas[self.rng.below(self.mtas.len() as u64) as usize];
                let dsn = match self.rng.below(50) {
                    0 => Dsn::Deferred,
                    1 => Dsn::Bounced,
                    _ => Dsn::Sent,
                };
                w.emit(
                    &mut self.rng,
                    MX,
                    "postfix/smtp",
                    Some(pid),
                    false,
                    |b, r| lines::pf_to(b, q, to_ext, Some((host, *ip)), dsn, r),
                )?;
                if dsn == Dsn::Deferred {
                    return Ok(());
                }
            }
        }
        w.emit(
            &mut self.rng,
            MX,
            "postfix/qmgr",
            Some(qmgr),
            false,
            |b, _| lines::pf_removed(b, q),
        )?;
        Ok(())
    }

    fn incoming(&mut self) -> Result<()> {
        let (host, ip) = self.mtas[self.rng.below(self.mtas.len() as u64) as usize].clone();
        let pid = self.next_pid();
        let q = lines::queue_id(&mut self.rng);
        let to = self.rng.below(self.n) as usize;
        let from = self.senders[self.rng.below(self.senders.len() as u64) as usize].clone();
        let now = self.w.now();
        self.new_msgid(now, false);
        let tls = self.rng.chance(0.5);
        let p = "postfix/smtpd";
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_connect(b, &host, ip)
            })?;
        if tls {
            self.w
                .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                    lines::pf_tls(b, &host, ip, true)
                })?;
        }
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_client(b, &q, &host, ip, None)
            })?;
        self.deliver(&q, &from, Some(to), "")?;
        let c = if tls {
            "ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7"
        } else {
            "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"
        };
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_disconnect(b, &host, ip, c)
            })?;
        Ok(())
    }

    /// A successful login now (and its logout later).
    fn login(&mut self, k: usize, ip: Ip, pop3: bool) -> Result<()> {
        let session = lines::session_id(&mut self.rng);
        let mpid = self.next_pid();
        let now = self.w.now();
        let v24 = now >= self.v24_from;
        let dv = self.dovecot_pid(now);
        let svc = if pop3 { "pop3" } else { "imap" };
        let user = &self.names[k];
        let lip = lip_for(ip);
        let ts = self
            .w
            .emit(&mut self.rng, MX, "dovecot", dv, true, |b, _| {
                let e = Elems {
                    user,
                    method: "PLAIN",
                    rip: ip,
                    lip,
                    mpid: Some(mpid),
                    secured: Secured::Tls,
                    session: &session,
                };
                lines::dovecot_login(b, v24, svc, &e);
            })?;
        let dur = if pop3 {
            self.rng.range(SEC, 10 * SEC)
        } else {
            self.rng.range(MIN, 2 * HOUR)
        };
        let end = ts + dur;
        let dv = self.dovecot_pid(end);
        let idle = !pop3 && self.rng.chance(0.3);
        self.w
            .defer(&mut self.rng, end, MX, "dovecot", dv, false, |b, r| {
                if pop3 {
                    lines::pop3_logout(b, user, mpid, &session, r)
                } else {
                    lines::imap_logout(b, user, mpid, &session, idle, r)
                }
            });
        self.ok(k, ts, svc, ip);
        Ok(())
    }

    fn mail_session(&mut self, pop3: bool) -> Result<()> {
        let now = self.w.now();
        let Some(k) = self.pick(now, false) else {
            return self.incoming();
        };
        let ip = self.client(k, now);
        self.login(k, ip, pop3)
    }

    /// One or two mistyped passwords, then the login.
    fn typo(&mut self) -> Result<()> {
        let now = self.w.now();
        let Some(k) = self.pick(now, false) else {
            return self.incoming();
        };
        if now - self.accts[k].last_fail < 2 * HOUR {
            return self.mail_session(false);
        }
        let ip = self.client(k, now);
        let attempts = if self.rng.chance(0.3) { 2 } else { 1 };
        let end = if attempts == 2 {
            FailEnd::Aborted
        } else {
            FailEnd::Disconnected
        };
        let secs = attempts * (3 + self.rng.below(8) as u32);
        let session = lines::session_id(&mut self.rng);
        let v24 = now >= self.v24_from;
        let dv = self.dovecot_pid(now);
        let user = &self.names[k];
        let lip = lip_for(ip);
        self.w
            .emit(&mut self.rng, MX, "dovecot", dv, true, |b, _| {
                let e = Elems {
                    user,
                    method: "PLAIN",
                    rip: ip,
                    lip,
                    mpid: None,
                    secured: Secured::Tls,
                    session: &session,
                };
                lines::dovecot_fail(b, v24, "imap", end, attempts, secs, &e);
            })?;
        self.accts[k].last_fail = now;
        self.login(k, ip, false)
    }

    /// A user sends a message (and the client saves it to Sent over IMAP).
    fn submission(&mut self) -> Result<()> {
        let now = self.w.now();
        let Some(k) = self.pick(now, true) else {
            return self.incoming();
        };
        let a = &mut self.accts[k];
        if a.sub_hour != now / HOUR {
            a.sub_hour = now / HOUR;
            a.sub_count = 0;
        }
        a.sub_count += 1;
        let ip = self.client(k, now);
        let pid = self.next_pid();
        let q = lines::queue_id(&mut self.rng);
        let p = "postfix/submission/smtpd";
        let method = if self.rng.chance(0.7) {
            "PLAIN"
        } else {
            "LOGIN"
        };
        let local = self.rng.chance(0.4);
        self.new_msgid(now, true);
        let user = self.names[k].clone();
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_connect(b, "unknown", ip)
            })?;
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_tls(b, "unknown", ip, true)
            })?;
        let ts = self.w.emit(&mut self.rng, MX, p, Some(pid), true, |b, _| {
            lines::pf_client(b, &q, "unknown", ip, Some((method, &user)))
        })?;
        self.ok(k, ts, "smtp", ip);
        let to_ext = self.senders[self.rng.below(self.senders.len() as u64) as usize].clone();
        let to_local = local.then(|| self.rng.below(self.n) as usize);
        self.deliver(&q, &user, to_local, &to_ext)?;
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_disconnect(
                    b,
                    "unknown",
                    ip,
                    "ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8",
                )
            })?;
        // Save to Sent.
        self.login(k, ip, false)
    }

    fn ssh_user(&mut self) -> Result<()> {
        let now = self.w.now();
        // One account in 40 has a shell on gw1.
        let k = (self.rng.below(self.n.div_ceil(40)) * 40 + 7).min(self.n - 1) as usize;
        let a = &self.accts[k];
        if a.last_ok != NEVER && now - a.last_ok >= 55 * DAY {
            return self.incoming();
        }
        let ip = Ip::V4(net::client_ip(Net::Office, k as u64));
        let pid = self.next_pid();
        let port = 32_768 + self.rng.below(28_000) as u32;
        let user = net::local_part(k as u64);
        let mut key = Vec::new();
        lines::b64(&mut key, &mut Rng::derive(k as u64, &[label("key")]), 43);
        let key = String::from_utf8(key).expect("ascii");
        let uid = 1000 + k as u32;
        let ts = self
            .w
            .emit(&mut self.rng, GW, "sshd", Some(pid), true, |b, _| {
                lines::ssh_accepted(b, "publickey", &user, ip, port, Some(&key))
            })?;
        self.ok(k, ts, "ssh", ip);
        self.w
            .emit(&mut self.rng, GW, "sshd", Some(pid), false, |b, _| {
                lines::pam_session(b, "sshd", &user, uid, true)
            })?;
        let sess = self.rng.below(90_000);
        self.w.emit(
            &mut self.rng,
            GW,
            "systemd-logind",
            Some(612),
            false,
            |b, _| {
                b.s("New session ").n(sess).s(" of user ").s(&user).s(".");
            },
        )?;
        let end = ts + self.rng.range(2 * MIN, 3 * HOUR);
        self.w
            .defer(&mut self.rng, end, GW, "sshd", Some(pid), false, |b, _| {
                lines::ssh_bye(b, ip, port, false)
            });
        self.w.defer(
            &mut self.rng,
            end + 400,
            GW,
            "sshd",
            Some(pid),
            false,
            |b, _| lines::pam_session(b, "sshd", &user, uid, false),
        );
        self.w.defer(
            &mut self.rng,
            end + 5_000,
            GW,
            "systemd-logind",
            Some(612),
            false,
            |b, _| {
                b.s("Removed session ").n(sess).s(".");
            },
        );
        Ok(())
    }

    fn ssh_bot(&mut self) -> Result<()> {
        let ip = Ip::V4(net::bot_ip(&mut self.rng));
        let tries = 1 + self.rng.below(4);
        let root = self.rng.chance(0.35);
        for _ in 0..tries {
            let pid = self.next_pid();
            let port = 32_768 + self.rng.below(28_000) as u32;
            let user = if root {
                "root"
            } else {
                planted::BOT_USERS[1 + self.rng.below(23) as usize]
            };
            if root {
                self.w
                    .emit(&mut self.rng, GW, "sshd", Some(pid), true, |b, _| {
                        lines::pam_auth_failure(b, ip, Some(user))
                    })?;
                self.w
                    .emit(&mut self.rng, GW, "sshd", Some(pid), true, |b, _| {
                        lines::ssh_failed(b, user, false, ip, port)
                    })?;
                self.w
                    .emit(&mut self.rng, GW, "sshd", Some(pid), false, |b, _| {
                        lines::ssh_closed_preauth(b, ip, port, Some((user, false)))
                    })?;
            } else {
                self.w
                    .emit(&mut self.rng, GW, "sshd", Some(pid), true, |b, _| {
                        lines::ssh_invalid(b, user, ip, port)
                    })?;
                self.w
                    .emit(&mut self.rng, GW, "sshd", Some(pid), false, |b, _| {
                        lines::pam_unknown(b)
                    })?;
                self.w
                    .emit(&mut self.rng, GW, "sshd", Some(pid), true, |b, _| {
                        lines::pam_auth_failure(b, ip, None)
                    })?;
                self.w
                    .emit(&mut self.rng, GW, "sshd", Some(pid), true, |b, _| {
                        lines::ssh_failed(b, user, true, ip, port)
                    })?;
                self.w
                    .emit(&mut self.rng, GW, "sshd", Some(pid), false, |b, _| {
                        lines::ssh_bye(b, ip, port, true)
                    })?;
            }
        }
        Ok(())
    }

    fn sasl_bot(&mut self) -> Result<()> {
        let ip = Ip::V4(net::bot_ip(&mut self.rng));
        let pid = self.next_pid();
        let p = "postfix/smtps/smtpd";
        let tries = 1 + self.rng.below(3);
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_connect(b, "unknown", ip)
            })?;
        for _ in 0..tries {
            self.w.emit(&mut self.rng, MX, p, Some(pid), true, |b, _| {
                lines::pf_sasl_fail(b, ip)
            })?;
        }
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_lost(b, "AUTH", "unknown", ip)
            })?;
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                b.s("disconnect from unknown[")
                    .ip(ip)
                    .s("] ehlo=1 auth=0/")
                    .n(tries)
                    .s(" commands=1/")
                    .n(tries + 1);
            })?;
        Ok(())
    }

    fn spam(&mut self) -> Result<()> {
        let ip = Ip::V4(net::bot_ip(&mut self.rng));
        let pid = self.next_pid();
        let to = &self.names[self.rng.below(self.n) as usize];
        let from = &self.senders[self.rng.below(self.senders.len() as u64) as usize];
        let p = "postfix/smtpd";
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_connect(b, "unknown", ip)
            })?;
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_reject(b, ip, from, to, "bulk-mailer.example")
            })?;
        self.w
            .emit(&mut self.rng, MX, p, Some(pid), false, |b, _| {
                lines::pf_disconnect(
                    b,
                    "unknown",
                    ip,
                    "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
                )
            })?;
        Ok(())
    }

    fn probe(&mut self) -> Result<()> {
        let ip = Ip::V4(net::bot_ip(&mut self.rng));
        let pid = self.next_pid();
        if self.rng.chance(0.5) {
            let port = 32_768 + self.rng.below(28_000) as u32;
            self.w
                .emit(&mut self.rng, GW, "sshd", Some(pid), false, |b, _| {
                    lines::ssh_closed_preauth(b, ip, port, None)
                })?;
        } else {
            let now = self.w.now();
            let v24 = now >= self.v24_from;
            let dv = self.dovecot_pid(now);
            let s = lines::session_id(&mut self.rng);
            self.w
                .emit(&mut self.rng, MX, "dovecot", dv, false, |b, _| {
                    lines::dovecot_no_auth(b, v24, "imap", 0, ip, net::MX1_PUBLIC, &s)
                })?;
        }
        Ok(())
    }

    fn cron(&mut self) -> Result<()> {
        let pid = self.next_pid();
        self.w
            .emit(&mut self.rng, GW, "CRON", Some(pid), false, |b, _| {
                lines::pam_session(b, "cron", "root", 0, true)
            })?;
        self.w
            .emit(&mut self.rng, GW, "CRON", Some(pid), false, |b, _| {
                b.s("(root) CMD (cd / && run-parts --report /etc/cron.hourly)");
            })?;
        self.w
            .emit(&mut self.rng, GW, "CRON", Some(pid), false, |b, _| {
                lines::pam_session(b, "cron", "root", 0, false)
            })?;
        Ok(())
    }
}

/// Dedicated accounts of the planted cases (indexes after the background).
struct Dedicated {
    bf: String,
    saf: String,
    many: String,
    dormant: String,
    burst: String,
    spray: Vec<String>,
    inactive: String,
    never: [String; 2],
    new: String,
    disabled: String,
    service: String,
    stranger: String,
}

impl Dedicated {
    fn new(n: u64) -> Self {
        let a = |k: u64| net::address(n + k);
        Dedicated {
            bf: a(0),
            saf: a(1),
            many: a(2),
            dormant: a(3),
            burst: a(4),
            spray: (5..20).map(a).collect(),
            inactive: a(20),
            never: [a(21), a(22)],
            new: a(23),
            disabled: a(24),
            service: format!("noreply@{}", net::DOMAIN),
            stranger: a(26),
        }
    }

    /// Accounts with an ordinary day (a desktop session on weekdays).
    fn regular(&self) -> Vec<&String> {
        let mut v = vec![&self.bf, &self.saf, &self.many, &self.burst];
        v.extend(self.spray.iter());
        v
    }
}

/// Build the planted cases and the dedicated accounts' ordinary days.
fn plant(o: &Opts, d: &Dedicated, skipped: &mut Vec<Skipped>) -> (Script, Vec<Planted>) {
    let v24 = o.start + o.days * DAY * 4 / 5;
    let mut s = Script::new(Rng::derive(o.seed, &[label("bench-plant")]), v24);
    let day = |f: i64| o.start + (o.days * f / 100).clamp(0, o.days - 1) * DAY;
    let end = o.start + o.days * DAY;
    let mut out = Vec::new();

    // Ordinary weekday sessions from each account's office desk.
    for (i, a) in d.regular().into_iter().enumerate() {
        let ip = Ip::V4(net::v4(10, 20, 200, 10 + i as u8));
        for k in 0..o.days {
            let d0 = o.start + k * DAY;
            if clock::weekday(d0) < 5 {
                let t = d0 + 7 * HOUR + 30 * MIN + s.rng.range(0, 2 * HOUR);
                let stop = d0 + 16 * HOUR + s.rng.range(0, 2 * HOUR);
                s.mail_session(t, crate::script::Proto::Imap, a, ip, stop - t);
            }
        }
    }
    let early = |s: &mut Script, a: &str, ip: Ip, days: i64| {
        for k in 0..days {
            let d0 = o.start + k * DAY;
            let t = d0 + 8 * HOUR + s.rng.range(0, 2 * HOUR);
            s.mail_session(t, crate::script::Proto::Imap, a, ip, 6 * HOUR);
        }
    };
    early(
        &mut s,
        &d.disabled,
        Ip::v4(10, 20, 201, 24),
        (o.days / 2).max(1),
    );

    out.push(planted::brute_force(
        &mut s,
        &d.bf,
        Ip::v4(203, 0, 113, 77),
        day(35) + 2 * HOUR + 14 * MIN,
    ));
    out.push(planted::success_after_failures(
        &mut s,
        &d.saf,
        [Ip::v4(203, 0, 113, 45), Ip::v4(203, 0, 113, 46)],
        day(55) + 21 * HOUR + 5 * MIN,
    ));
    out.push(planted::password_spray(
        &mut s,
        Ip::v4(198, 51, 100, 23),
        &d.spray,
        day(45) + HOUR + 30 * MIN,
        45 * MIN,
    ));
    out.push(planted::many_ips(
        &mut s,
        &d.many,
        day(75) + HOUR + 10 * MIN,
        18 * HOUR + 30 * MIN,
    ));
    out.push(planted::send_burst(
        &mut s,
        &d.burst,
        Ip::v4(198, 51, 100, 150),
        day(25) + 3 * HOUR + 5 * MIN,
        260,
        48 * MIN,
    ));
    let days: Vec<i64> = (o.days * 60 / 100..=o.days * 90 / 100)
        .map(|k| o.start + k.min(o.days - 1) * DAY)
        .filter(|&d0| clock::weekday(d0) < 5)
        .collect();
    let days = if days.is_empty() { vec![day(60)] } else { days };
    out.push(planted::not_in_roster(
        &mut s,
        &d.stranger,
        Ip::v4(10, 20, 5, 200),
        &days,
    ));
    out.push(planted::user_enumeration(
        &mut s,
        Ip::v4(203, 0, 113, 99),
        day(50) + 4 * HOUR + 10 * MIN,
        25 * MIN,
    ));

    if o.days >= 75 {
        early(&mut s, &d.dormant, Ip::v4(10, 20, 201, 3), 5);
        let t = end - 8 * DAY + 10 * HOUR + 2 * MIN;
        let gap = (t - (o.start + 5 * DAY)) / DAY;
        out.push(planted::dormant(
            &mut s,
            &d.dormant,
            Ip::v4(198, 51, 100, 200),
            t,
            &[],
            gap,
        ));
    } else {
        skipped.push(Skipped {
            detector: "dormant_reactivated",
            why: format!(
                "needs --days 75 or more (60 days of silence after some early logins); got {}",
                o.days
            ),
        });
    }
    if o.days >= 100 {
        early(&mut s, &d.inactive, Ip::v4(10, 20, 201, 20), 4);
    } else {
        skipped.push(Skipped {
            detector: "inactive",
            why: format!(
                "a planted inactive account needs --days 100 or more (last login more than 90 days before the end); got {}",
                o.days
            ),
        });
    }
    // The service account: a few notification batches every day.
    for k in 0..o.days {
        let d0 = o.start + k * DAY;
        for _ in 0..3 {
            let t = d0 + 6 * HOUR + s.rng.range(0, 16 * HOUR);
            let rc = format!(
                "{}@{}",
                net::local_part(s.rng.below(50_000)),
                s.rng.pick(&net::EXT_DOMAINS)
            );
            s.submission(
                t,
                "permits-app.example.gov",
                &d.service,
                Ip::v4(10, 20, 250, 15),
                "PLAIN",
                &[rc],
                3 * SEC,
                false,
            );
        }
    }
    (s, out)
}

pub fn run(o: &Opts) -> Result<()> {
    fs::create_dir_all(&o.out).with_context(|| format!("{}: cannot create", o.out.display()))?;
    let t_start = Instant::now();
    let path = o.out.join("mail.log");
    let file = File::create(&path).with_context(|| format!("{}: cannot create", path.display()))?;
    let n = o.accounts.max(1);
    let d = Dedicated::new(n);
    let mut skipped = Vec::new();
    let (script, mut planted) = plant(o, &d, &mut skipped);

    let mut heap = BinaryHeap::new();
    for (seq, r) in script.recs.into_iter().enumerate() {
        if r.stream != Stream::Web {
            heap.push(Pending {
                ts: r.ts,
                seq: PLANTED_SEQ + seq as u64,
                auth: false,
                rest: r.rest,
            });
        }
    }
    let mtas = (0..192).map(net::mta).collect();
    let senders = (0..4096)
        .map(|i| {
            format!(
                "{}@{}",
                net::local_part(i * 7 + 1),
                net::EXT_DOMAINS[(i % 10) as usize]
            )
        })
        .collect();
    let names: Vec<String> = (0..n).map(net::address).collect();
    let mut g = Gen {
        w: Writer {
            out: BufWriter::with_capacity(1 << 20, file),
            line: Vec::with_capacity(512),
            written: 0,
            size: o.size,
            start: o.start,
            dur: o.days * DAY - SEC,
            last_ts: o.start,
            first_ts: i64::MAX,
            stamper: Stamper::new(o.style),
            heap,
            seq: 0,
            lines: 0,
            auth_lines: 0,
            last_auth: i64::MIN,
        },
        rng: Rng::derive(o.seed, &[label("bench")]),
        accts: (0..n)
            .map(|_| Acct {
                last_ok: NEVER,
                last_fail: NEVER / 2,
                sub_hour: -1,
                sub_count: 0,
            })
            .collect(),
        names,
        n,
        rr: 0,
        mul: coprime_mul(n),
        pid: 240_000,
        v24_from: o.start + o.days * DAY * 4 / 5,
        mtas,
        senders,
        msgid: Vec::with_capacity(64),
        next_cron: o.start + 17 * MIN,
        watch: [(NEVER, "", None); 3],
    };
    while g.w.written < o.size {
        g.step()?;
    }
    // Session ends after the end of the period are cut off, as in a log
    // rotated at midnight; planted lines are all written.
    let end = o.start + o.days * DAY;
    g.w.heap.retain(|p| p.ts < end || p.seq >= PLANTED_SEQ);
    g.w.drain(i64::MAX)?;
    g.w.out.flush()?;
    let elapsed = t_start.elapsed();

    // The answer.
    let mut last_auth = g.w.last_auth;
    let mut ded_last: std::collections::HashMap<String, i64> = Default::default();
    for e in script.evs.iter().filter(|e| e.ok) {
        last_auth = last_auth.max(e.ts);
        let a = e.user.clone().unwrap_or_default().to_ascii_lowercase();
        let v = ded_last.entry(a).or_insert(NEVER);
        *v = (*v).max(e.ts);
    }
    for e in &script.evs {
        last_auth = last_auth.max(e.ts);
    }
    let as_of = last_auth;
    let mut inactive = Vec::new();
    let mut never = Vec::new();
    for (k, a) in g.accts.iter().enumerate() {
        if a.last_ok == NEVER {
            never.push(g.names[k].clone());
        } else if as_of - a.last_ok > 90 * DAY {
            inactive.push(g.names[k].clone());
        }
    }
    let mut ded_all: Vec<&String> = d.regular();
    ded_all.extend([&d.dormant, &d.inactive, &d.never[0], &d.never[1]]);
    for a in ded_all {
        match ded_last.get(a) {
            None => never.push(a.clone()),
            Some(&t) if as_of - t > 90 * DAY => inactive.push(a.clone()),
            Some(_) => {}
        }
    }
    let mut last_login: Vec<LastLogin> = (0..3.min(n as usize))
        .filter(|&k| g.watch[k].0 != NEVER)
        .map(|k| LastLogin {
            account: g.names[k].clone(),
            last_login: rfc3339(g.watch[k].0),
            service: g.watch[k].1,
            ip: g.watch[k].2.map(|i| i.canonical()),
        })
        .collect();
    if let Some(&t) = ded_last.get(&d.service) {
        last_login.push(LastLogin {
            account: d.service.clone(),
            last_login: rfc3339(t),
            service: "smtp",
            ip: Some("10.20.250.15".into()),
        });
    }
    planted.sort_by(|a, b| a.first.cmp(&b.first));
    let style_name = match o.style {
        Style::Bsd => "RFC 3164, no year (the file mtime is set to its last line)",
        Style::Iso => "rsyslog high precision, UTC offset",
    };
    let exp = Expected {
        generator: format!(
            "authsweep-gen --out DIR --size {} --accounts {} --seed {} --start {} --days {} --format {}",
            o.size,
            n,
            o.seed,
            clock::ymd(o.start),
            o.days,
            if o.style == Style::Bsd { "bsd" } else { "iso" }
        ),
        seed: o.seed,
        scan_args: vec![
            "--roster".into(),
            "roster.csv".into(),
            "--default-domain".into(),
            net::DOMAIN.into(),
            "--tz".into(),
            "UTC".into(),
        ],
        period: Period {
            first: rfc3339(g.w.first_ts),
            last: rfc3339(g.w.last_ts),
        },
        as_of: rfc3339(as_of),
        files: vec![FileInfo {
            file: "mail.log".into(),
            bytes: g.w.written,
            lines: g.w.lines,
            first: rfc3339(g.w.first_ts),
            last: rfc3339(g.w.last_ts),
            gzip_mtime: None,
            timestamps: style_name,
        }],
        planted,
        skipped,
        inactive,
        never,
        new: vec![d.new.clone()],
        disabled: vec![d.disabled.clone()],
        service: vec![d.service.clone()],
        last_login,
        special_lines: Vec::new(),
        noise: Noise {
            note: "Background internet noise (ssh bots with invalid users and root, SASL LOGIN bots without a user, DNSBL rejects, probes) comes from 198.19.128.0/17; in a large file the same addresses and bot user names recur, so IP findings on that range and account findings on the bot user names (never on roster accounts) are expected and not planted. In BSD format the file mtime is set to the last line (plus a minute), so the year of the yearless stamps can be inferred from it, also across a year end; a copy that loses the mtime needs --year (only when the period stays within one year).".into(),
            ip_ranges: vec!["198.19.128.0/17"],
            accounts: planted::bot_users(),
        },
        clean: "No roster account has a finding of medium severity or above except the planted ones.".into(),
    };
    write_roster(&o.out.join("roster.csv"), &g.names, &d, o)?;
    fs::write(
        o.out.join("EXPECTED.json"),
        serde_json::to_string_pretty(&exp)? + "\n",
    )?;
    let mtime = g.w.last_ts / SEC + 60;
    drop(g.w.out);
    File::options()
        .write(true)
        .open(&path)?
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(mtime.max(0) as u64))?;

    let secs = elapsed.as_secs_f64();
    eprintln!(
        "wrote {} ({} bytes, {} lines, {:.1} % authentication) in {:.2} s: {:.0} MB/s",
        path.display(),
        exp.files[0].bytes,
        exp.files[0].lines,
        100.0 * g.w.auth_lines as f64 / g.w.lines.max(1) as f64,
        secs,
        exp.files[0].bytes as f64 / secs / 1e6
    );
    Ok(())
}

/// A multiplier near 0.618 n that is coprime with n (so `k * m % n`
/// visits every account once per round).
fn coprime_mul(n: u64) -> u64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let mut m = (n as f64 * 0.618) as u64 | 1;
    while gcd(m, n) != 1 {
        m += 1;
    }
    m
}

fn write_roster(path: &Path, names: &[String], d: &Dedicated, o: &Opts) -> Result<()> {
    const UNITS: [&str; 12] = [
        "Office of the Director",
        "Permits",
        "Inspections",
        "Legal",
        "Finance",
        "IT",
        "Communications",
        "Human Resources",
        "Procurement",
        "Statistics",
        "Regional Office North",
        "Regional Office South",
    ];
    let mut f = BufWriter::new(
        File::create(path).with_context(|| format!("{}: cannot create", path.display()))?,
    );
    writeln!(
        f,
        "account,name,unit,aliases,created,disabled,password_changed,service"
    )?;
    let mut rng = Rng::derive(o.seed, &[label("roster")]);
    let row = |f: &mut BufWriter<File>,
               rng: &mut Rng,
               a: &str,
               created: i64,
               flags: (&str, &str)|
     -> Result<()> {
        let local = a
            .split('@')
            .next()
            .unwrap_or(a)
            .trim_end_matches(|c: char| c.is_ascii_digit());
        let name: String = if local == "noreply" {
            "Permit system notifications".into()
        } else {
            local
                .split('.')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|x| x.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let unit = if local == "noreply" {
            "IT"
        } else {
            UNITS[rng.below(12) as usize]
        };
        let pw = if rng.chance(0.7) {
            clock::ymd(created.max(o.start - rng.range(1, 700) * DAY))
        } else {
            String::new()
        };
        writeln!(
            f,
            "{a},{name},{unit},,{},{},{pw},{}",
            clock::ymd(created),
            flags.0,
            flags.1
        )?;
        Ok(())
    };
    for a in names {
        let created = o.start - rng.range(100, 4000) * DAY;
        row(&mut f, &mut rng, a, created, ("", ""))?;
    }
    let mut ded: Vec<&String> = d.regular();
    ded.extend([&d.dormant, &d.inactive]);
    for a in ded {
        row(&mut f, &mut rng, a, o.start - 800 * DAY, ("", ""))?;
    }
    for a in &d.never {
        row(&mut f, &mut rng, a, o.start - 400 * DAY, ("", ""))?;
    }
    row(
        &mut f,
        &mut rng,
        &d.new,
        o.start + o.days * DAY - 5 * DAY,
        ("", ""),
    )?;
    row(
        &mut f,
        &mut rng,
        &d.disabled,
        o.start - 1200 * DAY,
        ("yes", ""),
    )?;
    row(
        &mut f,
        &mut rng,
        &d.service,
        o.start - 3000 * DAY,
        ("", "yes"),
    )?;
    f.flush()?;
    Ok(())
}
