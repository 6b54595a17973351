//! A script of log records with known times, built from whole scenarios
//! (an IMAP session, a submission, an sshd bot burst...). Sample mode
//! builds everything this way, then sorts and writes; bench mode builds
//! only its planted cases this way and merges them into its stream.
//!
//! Every authentication line also records an [`Ev`], the answer the
//! analyser should derive from it, for the self-check and EXPECTED.json.

use crate::clock::{MIN, SEC};
use crate::lines::{self, Dsn, Elems, FailEnd, Put, Secured};
use crate::net::{self, Ip};
use crate::rng::Rng;

/// Which output a record goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    /// mx1: Postfix and Dovecot.
    Mail,
    /// gw1: sshd, PAM, cron.
    Auth,
    /// Roundcube `userlogins.log`.
    Web,
}

/// One log line: its time and everything after the timestamp (`host tag:
/// message` for syslog streams, the message for Roundcube).
#[derive(Clone, Debug)]
pub struct Rec {
    pub ts: i64,
    pub seq: u64,
    pub stream: Stream,
    pub rest: Vec<u8>,
    /// Label of a planted case this line is evidence for.
    pub mark: Option<&'static str>,
}

/// An authentication event as authsweep should see it.
#[derive(Clone, Debug)]
pub struct Ev {
    pub ts: i64,
    /// The user name exactly as logged (`None`: the line names none).
    pub user: Option<String>,
    pub ip: Option<Ip>,
    pub ok: bool,
    pub count: u32,
    pub service: &'static str,
    /// A message submission (`sasl_username=` on a queue-id line).
    pub submit: bool,
}

pub struct Script {
    pub recs: Vec<Rec>,
    pub evs: Vec<Ev>,
    pub rng: Rng,
    seq: u64,
    pid: u32,
    /// Dovecot logs in 2.4 wording from this time on.
    pub v24_from: i64,
    pub dovecot_pid: u32,
    pub qmgr_pid: u32,
    /// Label for the authentication lines written next (planted-case evidence).
    pub mark: Option<&'static str>,
}

/// How a mail client is set up (for Dovecot session lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Imap,
    Pop3,
}

impl Proto {
    pub fn name(self) -> &'static str {
        match self {
            Proto::Imap => "imap",
            Proto::Pop3 => "pop3",
        }
    }
}

/// The local address a client reaches mx1 on.
pub fn lip_for(ip: Ip) -> Ip {
    match ip {
        Ip::V4(x) if x >> 16 == net::v4(10, 20, 0, 0) >> 16 => net::MX1_LAN,
        Ip::V4(x) if x >> 24 == 127 => net::LOOPBACK,
        Ip::Mapped(_) => Ip::Mapped(net::v4(192, 0, 2, 25)),
        _ => net::MX1_PUBLIC,
    }
}

impl Script {
    pub fn new(rng: Rng, v24_from: i64) -> Self {
        Script {
            recs: Vec::new(),
            evs: Vec::new(),
            rng,
            seq: 0,
            pid: 181_000,
            v24_from,
            dovecot_pid: 1_422,
            qmgr_pid: 1_187,
            mark: None,
        }
    }

    /// The pid of a process started at `ts`: rising with time (about 8
    /// forks a second) and wrapping like Linux's `pid_max`, so pids look
    /// right in a time-sorted log whatever order scenarios were built in.
    pub fn pid_at(&mut self, ts: i64) -> u32 {
        self.pid = self.pid.wrapping_add(1);
        let tick = (ts / SEC) as u64 * 8 + u64::from(self.pid % 8);
        (3_000 + tick % 4_191_000) as u32
    }

    /// Append a record: `host prog[pid]: ` then the message from `body`.
    pub fn line(
        &mut self,
        ts: i64,
        stream: Stream,
        prog: &str,
        pid: Option<u32>,
        body: impl FnOnce(&mut Vec<u8>, &mut Rng),
    ) {
        let mut rest = Vec::with_capacity(160);
        if stream != Stream::Web {
            let host = if stream == Stream::Auth { "gw1" } else { "mx1" };
            lines::tag(&mut rest, host, prog, pid);
        }
        body(&mut rest, &mut self.rng);
        self.seq += 1;
        self.recs.push(Rec {
            ts,
            seq: self.seq,
            stream,
            rest,
            mark: None,
        });
    }

    /// Record the event of the line just written (and mark that line as
    /// evidence when a planted case is being built).
    fn ev(&mut self, ev: Ev) {
        if let Some(r) = self.recs.last_mut() {
            r.mark = self.mark;
        }
        self.evs.push(ev);
    }

    fn ev_ok(&mut self, ts: i64, user: &str, ip: Ip, service: &'static str) {
        self.ev(Ev {
            ts,
            user: Some(user.to_string()),
            ip: Some(ip),
            ok: true,
            count: 1,
            service,
            submit: service == "smtp",
        });
    }

    fn ev_fail(&mut self, ts: i64, user: Option<&str>, ip: Ip, count: u32, service: &'static str) {
        self.ev(Ev {
            ts,
            user: user.map(str::to_string),
            ip: Some(ip),
            ok: false,
            count,
            service,
            submit: false,
        });
    }

    fn dovecot_tag(&self, ts: i64) -> Option<u32> {
        (ts >= self.v24_from).then_some(self.dovecot_pid)
    }

    fn dovecot(&mut self, ts: i64, body: impl FnOnce(&mut Vec<u8>, &mut Rng)) {
        let pid = self.dovecot_tag(ts);
        self.line(ts, Stream::Mail, "dovecot", pid, body);
    }

    // ------------------------------------------------------------ Dovecot

    /// A successful IMAP/POP3 login at `ts` and its end `dur` later.
    /// `typed` is the user as the client sent it; Dovecot's mail process
    /// logs the lower-cased name.
    pub fn mail_session(&mut self, ts: i64, proto: Proto, typed: &str, ip: Ip, dur: i64) {
        let session = lines::session_id(&mut self.rng);
        let mpid = self.pid_at(ts);
        let v24 = ts >= self.v24_from;
        let secured = if ip.is_loopback() {
            Secured::Secured
        } else {
            Secured::Tls
        };
        let lip = lip_for(ip);
        self.dovecot(ts, |b, _| {
            let e = Elems {
                user: typed,
                method: "PLAIN",
                rip: ip,
                lip,
                mpid: Some(mpid),
                secured,
                session: &session,
            };
            lines::dovecot_login(b, v24, proto.name(), &e);
        });
        self.ev_ok(ts, typed, ip, proto.name());
        let canon = typed.to_ascii_lowercase();
        let idle = proto == Proto::Imap && dur > 20 * MIN && self.rng.chance(0.5);
        self.dovecot(ts + dur, |b, rng| match proto {
            Proto::Imap => lines::imap_logout(b, &canon, mpid, &session, idle, rng),
            Proto::Pop3 => lines::pop3_logout(b, &canon, mpid, &session, rng),
        });
    }

    /// A failed login connection with `attempts` password tries, logged
    /// when the connection ends at `ts`.
    #[allow(clippy::too_many_arguments)]
    pub fn mail_failure(
        &mut self,
        ts: i64,
        proto: Proto,
        typed: &str,
        ip: Ip,
        attempts: u32,
        secs: u32,
        end: FailEnd,
    ) {
        let session = lines::session_id(&mut self.rng);
        let v24 = ts >= self.v24_from;
        let secured = if ip.is_loopback() {
            Secured::Secured
        } else {
            Secured::Tls
        };
        let lip = lip_for(ip);
        self.dovecot(ts, |b, _| {
            let e = Elems {
                user: typed,
                method: "PLAIN",
                rip: ip,
                lip,
                mpid: None,
                secured,
                session: &session,
            };
            lines::dovecot_fail(b, v24, proto.name(), end, attempts, secs, &e);
        });
        self.ev_fail(ts, Some(typed), ip, attempts, proto.name());
    }

    /// A TLS probe or port scan on IMAP: no auth attempt.
    pub fn mail_probe(&mut self, ts: i64, ip: Ip) {
        let session = lines::session_id(&mut self.rng);
        let v24 = ts >= self.v24_from;
        let secs = self.rng.below(3) as u32;
        self.dovecot(ts, |b, _| {
            lines::dovecot_no_auth(b, v24, "imap", secs, ip, net::MX1_PUBLIC, &session)
        });
    }

    // ------------------------------------------------------------ Postfix

    fn msgid(&mut self, ts: i64, domain: &str) -> Vec<u8> {
        let mut m = Vec::with_capacity(48);
        let r = self.rng.next_u64();
        if domain == net::DOMAIN {
            m.n((ts / SEC) as u64)
                .s(".")
                .n(r % 100_000)
                .s("@")
                .s(domain);
        } else {
            lines::b64(&mut m, &mut self.rng, 20);
            for c in m.iter_mut() {
                if *c == b'/' || *c == b'+' {
                    *c = b'x';
                }
            }
            m.s("@mail.").s(domain);
        }
        m
    }

    /// Queue a message and deliver it: cleanup, qmgr, delivery (LMTP to
    /// Dovecot for local recipients, SMTP otherwise), removed.
    /// Returns the time after the last line.
    fn queue_and_deliver(
        &mut self,
        mut t: i64,
        q: &[u8; 11],
        from: &str,
        to: &str,
        msgid: &[u8],
        dsn: Dsn,
    ) -> i64 {
        let cleanup = self.pid_at(t);
        let qmgr = self.qmgr_pid;
        self.line(t, Stream::Mail, "postfix/cleanup", Some(cleanup), |b, _| {
            lines::pf_msgid(b, q, msgid)
        });
        t += self.rng.range(20_000, 400_000);
        let big = self.rng.chance(0.2);
        let size = 1_500 + self.rng.below(if big { 4_000_000 } else { 60_000 });
        self.line(t, Stream::Mail, "postfix/qmgr", Some(qmgr), |b, _| {
            lines::pf_from(b, q, from, size, 1)
        });
        t += self.rng.range(30_000, 900_000);
        let local = to.ends_with(net::DOMAIN);
        let pid = self.pid_at(t);
        if local {
            let lpid = self.pid_at(t);
            let user = to.to_string();
            // Connect/Disconnect lines only for a new LMTP connection.
            let fresh = self.rng.chance(0.25);
            if fresh {
                self.dovecot(t, |b, _| lines::lmtp_connect(b, lpid));
            }
            t += self.rng.range(5_000, 80_000);
            self.dovecot(t, |b, rng| lines::lmtp_saved(b, &user, lpid, rng, msgid));
            t += self.rng.range(2_000, 30_000);
            self.line(t, Stream::Mail, "postfix/lmtp", Some(pid), |b, rng| {
                lines::pf_to(b, q, to, None, Dsn::Sent, rng)
            });
            if fresh {
                self.dovecot(t + 1_000, |b, _| lines::lmtp_disconnect(b, lpid));
            }
        } else {
            let (host, ip) = net::mta(self.rng.below(192));
            if dsn == Dsn::Sent {
                t += self.rng.range(100_000, 2_000_000);
                self.line(t, Stream::Mail, "postfix/smtp", Some(pid), |b, _| {
                    lines::pf_tls(b, &host, ip, false)
                });
            }
            t += self.rng.range(100_000, 1_500_000);
            self.line(t, Stream::Mail, "postfix/smtp", Some(pid), |b, rng| {
                lines::pf_to(b, q, to, Some((&host, ip)), dsn, rng)
            });
        }
        if dsn != Dsn::Deferred {
            t += self.rng.range(1_000, 20_000);
            if dsn == Dsn::Bounced {
                let bpid = self.pid_at(t);
                let q2 = lines::queue_id(&mut self.rng);
                self.line(t, Stream::Mail, "postfix/bounce", Some(bpid), |b, _| {
                    lines::put_qid(b, q);
                    b.s(": sender non-delivery notification: ");
                    lines::put_qid(b, &q2);
                });
            }
            self.line(t + 500, Stream::Mail, "postfix/qmgr", Some(qmgr), |b, _| {
                lines::pf_removed(b, q)
            });
        }
        t + 1_000
    }

    /// An incoming message from an external server to a local mailbox.
    pub fn incoming(&mut self, ts: i64, to: &str) {
        let (host, ip) = net::mta(self.rng.below(192));
        let pid = self.pid_at(ts);
        let q = lines::queue_id(&mut self.rng);
        let dom = *self.rng.pick(&net::EXT_DOMAINS);
        let from = format!("{}@{dom}", net::local_part(self.rng.below(5000)));
        let msgid = self.msgid(ts, dom);
        let mut t = ts;
        self.line(t, Stream::Mail, "postfix/smtpd", Some(pid), |b, _| {
            lines::pf_connect(b, &host, ip)
        });
        t += self.rng.range(50_000, 400_000);
        let tls = self.rng.chance(0.6);
        if tls {
            self.line(t, Stream::Mail, "postfix/smtpd", Some(pid), |b, _| {
                lines::pf_tls(b, &host, ip, true)
            });
            t += self.rng.range(50_000, 400_000);
        }
        self.line(t, Stream::Mail, "postfix/smtpd", Some(pid), |b, _| {
            lines::pf_client(b, &q, &host, ip, None)
        });
        t += self.rng.range(20_000, 300_000);
        let end = self.queue_and_deliver(t, &q, &from, to, &msgid, Dsn::Sent);
        let counters = if tls {
            "ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7"
        } else {
            "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"
        };
        self.line(
            end.max(t + 300_000),
            Stream::Mail,
            "postfix/smtpd",
            Some(pid),
            |b, _| lines::pf_disconnect(b, &host, ip, counters),
        );
    }

    /// An authenticated submission session sending `msgs` messages, one
    /// every `gap` (roughly). `client` is the client host name Postfix
    /// resolved (`unknown` for most). Returns the times of the
    /// `sasl_username=` lines.
    #[allow(clippy::too_many_arguments)]
    pub fn submission(
        &mut self,
        ts: i64,
        client: &str,
        user: &str,
        ip: Ip,
        method: &str,
        rcpts: &[String],
        gap: i64,
        port465: bool,
    ) -> Vec<i64> {
        let prog = if port465 {
            "postfix/smtps/smtpd"
        } else {
            "postfix/submission/smtpd"
        };
        let pid = self.pid_at(ts);
        let mut t = ts;
        let mut times = Vec::new();
        self.line(t, Stream::Mail, prog, Some(pid), |b, _| {
            lines::pf_connect(b, client, ip)
        });
        t += self.rng.range(20_000, 200_000);
        self.line(t, Stream::Mail, prog, Some(pid), |b, _| {
            lines::pf_tls(b, client, ip, true)
        });
        t += self.rng.range(100_000, 900_000);
        let from = if user.contains('@') {
            user.to_ascii_lowercase()
        } else {
            format!("{user}@{}", net::DOMAIN)
        };
        for (i, to) in rcpts.iter().enumerate() {
            if i > 0 {
                t += gap / 2 + self.rng.below(gap as u64) as i64;
            }
            let q = lines::queue_id(&mut self.rng);
            self.line(t, Stream::Mail, prog, Some(pid), |b, _| {
                lines::pf_client(b, &q, client, ip, Some((method, user)))
            });
            self.ev_ok(t, user, ip, "smtp");
            times.push(t);
            let dom = to.rsplit('@').next().unwrap_or(net::DOMAIN).to_string();
            let msgid = self.msgid(
                t,
                if dom == net::DOMAIN {
                    net::DOMAIN
                } else {
                    "example.gov"
                },
            );
            let dsn = if to.ends_with(net::DOMAIN) {
                Dsn::Sent
            } else {
                match self.rng.below(40) {
                    0 => Dsn::Bounced,
                    1 => Dsn::Deferred,
                    _ => Dsn::Sent,
                }
            };
            t += self.rng.range(50_000, 600_000);
            t = self.queue_and_deliver(t, &q, &from, to, &msgid, dsn);
        }
        let n = rcpts.len();
        t += self.rng.range(100_000, 800_000);
        self.line(t, Stream::Mail, prog, Some(pid), |b, _| {
            lines::pf_disconnect(
                b,
                client,
                ip,
                &format!(
                    "ehlo=2 starttls=1 auth=1 mail={n} rcpt={n} data={n} quit=1 commands={}",
                    5 + 3 * n
                ),
            )
        });
        times
    }

    /// An internet bot trying SASL LOGIN on port 465 without knowing a user.
    pub fn sasl_bot(&mut self, ts: i64, ip: Ip, tries: u32) {
        let pid = self.pid_at(ts);
        let prog = "postfix/smtps/smtpd";
        let mut t = ts;
        self.line(t, Stream::Mail, prog, Some(pid), |b, _| {
            lines::pf_connect(b, "unknown", ip)
        });
        for _ in 0..tries {
            t += self.rng.range(1_500_000, 4_000_000);
            self.line(t, Stream::Mail, prog, Some(pid), |b, _| {
                lines::pf_sasl_fail(b, ip)
            });
            self.ev_fail(t, None, ip, 1, "smtp");
        }
        t += self.rng.range(200_000, 2_000_000);
        self.line(t, Stream::Mail, prog, Some(pid), |b, _| {
            lines::pf_lost(b, "AUTH", "unknown", ip)
        });
        self.line(t + 2_000, Stream::Mail, prog, Some(pid), |b, _| {
            lines::pf_disconnect(
                b,
                "unknown",
                ip,
                &format!("ehlo=1 auth=0/{tries} commands=1/{}", tries + 1),
            )
        });
    }

    /// A spam source rejected by a DNSBL at RCPT time.
    pub fn spam_reject(&mut self, ts: i64, ip: Ip, to: &str) {
        let pid = self.pid_at(ts);
        let helo = format!(
            "{}.example",
            net::local_part(self.rng.below(900)).replace('.', "-")
        );
        let from = format!(
            "{}@{}",
            net::local_part(self.rng.below(900)),
            "bulk.example"
        );
        self.line(ts, Stream::Mail, "postfix/smtpd", Some(pid), |b, _| {
            lines::pf_connect(b, "unknown", ip)
        });
        let t = ts + self.rng.range(300_000, 2_000_000);
        self.line(t, Stream::Mail, "postfix/smtpd", Some(pid), |b, _| {
            lines::pf_reject(b, ip, &from, to, &helo)
        });
        self.line(
            t + 150_000,
            Stream::Mail,
            "postfix/smtpd",
            Some(pid),
            |b, _| {
                lines::pf_disconnect(
                    b,
                    "unknown",
                    ip,
                    "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
                )
            },
        );
    }

    /// A local message from cron (root) via pickup, delivered to `to`.
    pub fn local_mail(&mut self, ts: i64, to: &str) {
        let q = lines::queue_id(&mut self.rng);
        let pid = self.pid_at(ts);
        self.line(ts, Stream::Mail, "postfix/pickup", Some(pid), |b, _| {
            lines::pf_pickup(b, &q, 0, "root")
        });
        let msgid = self.msgid(ts, net::DOMAIN);
        let t = ts + self.rng.range(10_000, 100_000);
        self.queue_and_deliver(t, &q, "root@mx1.example.gov", to, &msgid, Dsn::Sent);
    }

    // ------------------------------------------------------------ sshd / PAM

    fn port(&mut self) -> u32 {
        32_768 + self.rng.below(28_000) as u32
    }

    /// An interactive ssh session on gw1.
    #[allow(clippy::too_many_arguments)]
    pub fn ssh_session(
        &mut self,
        ts: i64,
        user: &str,
        uid: u32,
        ip: Ip,
        key: Option<&str>,
        dur: i64,
        logind: u32,
    ) {
        let pid = self.pid_at(ts);
        let port = self.port();
        let method = if key.is_some() {
            "publickey"
        } else {
            "password"
        };
        self.line(ts, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::ssh_accepted(b, method, user, ip, port, key)
        });
        self.ev_ok(ts, user, ip, "ssh");
        let t = ts + 2_000;
        self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::pam_session(b, "sshd", user, uid, true)
        });
        let sess = 100 + self.rng.below(9_000);
        self.line(
            t + 9_000,
            Stream::Auth,
            "systemd-logind",
            Some(logind),
            |b, _| {
                b.s("New session ").n(sess).s(" of user ").s(user).s(".");
            },
        );
        let e = ts + dur;
        self.line(e, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::ssh_bye(b, ip, port, false)
        });
        self.line(e + 300, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::ssh_disconnected(b, &format!("user {user}"), ip, port, false)
        });
        self.line(e + 900, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::pam_session(b, "sshd", user, uid, false)
        });
        self.line(
            e + 4_000,
            Stream::Auth,
            "systemd-logind",
            Some(logind),
            |b, _| {
                b.s("Session ")
                    .n(sess)
                    .s(" logged out. Waiting for processes to exit.");
            },
        );
        self.line(
            e + 9_000,
            Stream::Auth,
            "systemd-logind",
            Some(logind),
            |b, _| {
                b.s("Removed session ").n(sess).s(".");
            },
        );
    }

    /// A mistyped ssh password for an existing user (then, usually, a
    /// success by the caller).
    pub fn ssh_typo(&mut self, ts: i64, user: &str, ip: Ip) -> i64 {
        let pid = self.pid_at(ts);
        let port = self.port();
        self.line(ts, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::pam_auth_failure(b, ip, Some(user))
        });
        let t = ts + self.rng.range(1_500_000, 3_000_000);
        self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::ssh_failed(b, user, false, ip, port)
        });
        self.ev_fail(t, Some(user), ip, 1, "ssh");
        t
    }

    /// A bot trying one invalid user name over ssh, one connection.
    /// Returns the times of the `Failed password` line and of the last line.
    pub fn ssh_invalid_try(&mut self, ts: i64, user: &str, ip: Ip) -> (i64, i64) {
        let pid = self.pid_at(ts);
        let port = self.port();
        let mut t = ts;
        self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::ssh_invalid(b, user, ip, port)
        });
        t += self.rng.range(100_000, 400_000);
        self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::pam_unknown(b)
        });
        self.line(t + 300, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::pam_auth_failure(b, ip, None)
        });
        t += self.rng.range(1_500_000, 2_500_000);
        self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::ssh_failed(b, user, true, ip, port)
        });
        self.ev_fail(t, Some(user), ip, 1, "ssh");
        let failed = t;
        t += self.rng.range(100_000, 300_000);
        if self.rng.chance(0.5) {
            self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
                lines::ssh_bye(b, ip, port, true)
            });
            self.line(t + 200, Stream::Auth, "sshd", Some(pid), |b, _| {
                lines::ssh_disconnected(b, &format!("invalid user {user}"), ip, port, true)
            });
        } else {
            self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
                lines::ssh_closed_preauth(b, ip, port, Some((user, true)))
            });
        }
        (failed, t)
    }

    /// A bot trying `tries` root passwords on one connection; with
    /// `collapse`, rsyslog folds the repeats into `message repeated N
    /// times: [ … ]`.
    pub fn ssh_root_tries(&mut self, ts: i64, ip: Ip, tries: u32, collapse: bool) -> i64 {
        let pid = self.pid_at(ts);
        let port = self.port();
        let mut t = ts;
        self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::pam_auth_failure(b, ip, Some("root"))
        });
        t += self.rng.range(1_500_000, 2_500_000);
        self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::ssh_failed(b, "root", false, ip, port)
        });
        self.ev_fail(t, Some("root"), ip, 1, "ssh");
        if collapse && tries > 1 {
            t += self.rng.range(4_000_000, 9_000_000);
            let n = tries - 1;
            self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
                b.s("message repeated ").n(u64::from(n)).s(" times: [ ");
                lines::ssh_failed(b, "root", false, ip, port);
                b.s("]");
            });
            self.ev_fail(t, Some("root"), ip, n, "ssh");
        } else {
            for _ in 1..tries {
                t += self.rng.range(1_500_000, 3_000_000);
                self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
                    lines::ssh_failed(b, "root", false, ip, port)
                });
                self.ev_fail(t, Some("root"), ip, 1, "ssh");
            }
        }
        t += self.rng.range(200_000, 900_000);
        self.line(t, Stream::Auth, "sshd", Some(pid), |b, _| {
            lines::ssh_closed_preauth(b, ip, port, Some(("root", false)))
        });
        if tries > 1 {
            self.line(t + 200, Stream::Auth, "sshd", Some(pid), |b, _| {
                b.s("PAM ")
                    .n(u64::from(tries - 1))
                    .s(" more authentication failure");
                if tries > 2 {
                    b.s("s");
                }
                b.s("; logname= uid=0 euid=0 tty=ssh ruser= rhost=")
                    .ip(ip)
                    .s("  user=root");
            });
        }
        t
    }

    /// A port scanner: connects, never authenticates.
    pub fn ssh_scan(&mut self, ts: i64, ip: Ip) {
        let pid = self.pid_at(ts);
        let port = self.port();
        if self.rng.chance(0.6) {
            self.line(ts, Stream::Auth, "sshd", Some(pid), |b, _| {
                lines::ssh_closed_preauth(b, ip, port, None)
            });
        } else {
            self.line(ts, Stream::Auth, "sshd", Some(pid), |b, _| {
                b.s("banner exchange: Connection from ")
                    .ip(ip)
                    .s(" port ")
                    .n(u64::from(port));
                b.s(": invalid format");
            });
        }
    }

    pub fn passwd_change(&mut self, ts: i64, user: &str) {
        let pid = self.pid_at(ts);
        self.line(ts, Stream::Auth, "passwd", Some(pid), |b, _| {
            lines::pam_passwd(b, user)
        });
    }

    /// A cron job's PAM session (the `CMD` line goes to syslog, not here).
    pub fn cron(&mut self, ts: i64) {
        let pid = self.pid_at(ts);
        self.line(ts, Stream::Auth, "CRON", Some(pid), |b, _| {
            lines::pam_session(b, "cron", "root", 0, true)
        });
        let d = self.rng.range(200_000, 3 * SEC);
        self.line(ts + d, Stream::Auth, "CRON", Some(pid), |b, _| {
            lines::pam_session(b, "cron", "root", 0, false)
        });
    }

    pub fn sudo(&mut self, ts: i64, user: &str, uid: u32, cmd: &str) {
        self.line(ts, Stream::Auth, "sudo", None, |b, _| {
            b.s(&format!(
                "{user:>8} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}"
            ));
        });
        self.line(ts + 2_000, Stream::Auth, "sudo", None, |b, _| {
            b.s("pam_unix(sudo:session): session opened for user root(uid=0) by ")
                .s(user);
            b.s("(uid=").n(u64::from(uid)).s(")");
        });
        let end = ts + self.rng.range(SEC, 20 * SEC);
        self.line(end, Stream::Auth, "sudo", None, |b, _| {
            b.s("pam_unix(sudo:session): session closed for user root");
        });
    }

    // ------------------------------------------------------------ Roundcube

    /// A webmail login: Roundcube authenticates against Dovecot on
    /// localhost (logged by Dovecot), then writes its own line with the
    /// browser's address a second later. Returns the Roundcube line time.
    pub fn webmail_login(&mut self, ts: i64, user: &str, rc_id: u32, ip: Ip, dur: i64) -> i64 {
        let sid = lines::php_session(&mut self.rng);
        self.mail_session(ts, Proto::Imap, user, net::LOOPBACK, dur);
        let t = ts + SEC;
        self.line(t, Stream::Web, "", None, |b, _| {
            lines::rc_success(b, &sid, user, rc_id, ip)
        });
        self.ev_ok(t, user, ip, "webmail");
        t
    }

    /// A failed webmail login. With `backend`, Dovecot logs the failed
    /// IMAP login from localhost too.
    pub fn webmail_failure(&mut self, ts: i64, typed: &str, ip: Ip, backend: bool) -> i64 {
        let sid = lines::php_session(&mut self.rng);
        if backend {
            let s = self.rng.below(3) as u32;
            self.mail_failure(
                ts,
                Proto::Imap,
                typed,
                net::LOOPBACK,
                1,
                s,
                FailEnd::Disconnected,
            );
        }
        let t = ts + SEC;
        self.line(t, Stream::Web, "", None, |b, _| {
            lines::rc_fail(b, &sid, typed, ip)
        });
        self.ev_fail(t, Some(typed), ip, 1, "webmail");
        t
    }
}
