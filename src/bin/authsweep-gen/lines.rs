//! The exact shapes of the log messages (the part after `host tag: `),
//! per FORMATS.md. Each function appends one message to a byte buffer; the
//! envelope (timestamp, host, tag) is written by the caller.

use crate::net::Ip;
use crate::rng::Rng;

/// Append helpers for `Vec<u8>`, chainable.
pub trait Put {
    fn s(&mut self, s: &str) -> &mut Self;
    fn n(&mut self, v: u64) -> &mut Self;
    fn ip(&mut self, ip: Ip) -> &mut Self;
}

impl Put for Vec<u8> {
    #[inline]
    fn s(&mut self, s: &str) -> &mut Self {
        self.extend_from_slice(s.as_bytes());
        self
    }

    #[inline]
    fn n(&mut self, mut v: u64) -> &mut Self {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.extend_from_slice(&tmp[i..]);
        self
    }

    #[inline]
    fn ip(&mut self, ip: Ip) -> &mut Self {
        match ip {
            Ip::V4(x) => put4(self, x),
            Ip::Mapped(x) => {
                self.extend_from_slice(b"::ffff:");
                put4(self, x);
            }
            Ip::V6(s) => self.extend_from_slice(s.as_bytes()),
        }
        self
    }
}

#[inline]
fn put4(b: &mut Vec<u8>, x: u32) {
    b.n(u64::from(x >> 24)).s(".");
    b.n(u64::from((x >> 16) & 255)).s(".");
    b.n(u64::from((x >> 8) & 255)).s(".");
    b.n(u64::from(x & 255));
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM_LC: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
const HEX_UC: &[u8; 16] = b"0123456789ABCDEF";

/// `n` base64 characters (Dovecot session ids, key fingerprints).
pub fn b64(b: &mut Vec<u8>, rng: &mut Rng, n: usize) {
    let mut bits = 0u64;
    for i in 0..n {
        if i % 10 == 0 {
            bits = rng.next_u64();
        }
        b.push(B64[(bits & 63) as usize]);
        bits >>= 6;
    }
}

/// A Dovecot login session id: 16 base64 characters.
pub fn session_id(rng: &mut Rng) -> [u8; 16] {
    let mut v = Vec::with_capacity(16);
    b64(&mut v, rng, 16);
    v.try_into().expect("16 bytes")
}

/// A PHP session id as Roundcube logs it: 16 of `[0-9a-v]`.
pub fn php_session(rng: &mut Rng) -> String {
    let mut bits = rng.next_u64();
    let s: Vec<u8> = (0..16)
        .map(|i| {
            if i == 12 {
                bits = rng.next_u64();
            }
            let c = ALNUM_LC[(bits & 31) as usize];
            bits >>= 5;
            c
        })
        .collect();
    String::from_utf8(s).expect("ascii")
}

/// A Postfix short queue id: 10 or 11 upper-case hex digits.
pub fn queue_id(rng: &mut Rng) -> [u8; 11] {
    let mut q = [0u8; 11];
    let mut x = rng.next_u64();
    for c in q.iter_mut() {
        *c = HEX_UC[(x & 15) as usize];
        x >>= 4;
    }
    if x & 3 == 0 {
        q[10] = b' ';
    }
    // The leading digit is a timestamp nibble in real ids; never 0.
    if q[0] == b'0' {
        q[0] = b'4';
    }
    q
}

pub fn put_qid(b: &mut Vec<u8>, q: &[u8; 11]) {
    let n = if q[10] == b' ' { 10 } else { 11 };
    b.extend_from_slice(&q[..n]);
}

/// Postfix `delay=` style: two significant digits, `0` for nothing.
pub fn put_delay(b: &mut Vec<u8>, ms: u64) {
    let cs = ms / 10;
    if cs == 0 {
        b.push(b'0');
    } else if cs < 100 {
        b.s("0.");
        if cs % 10 == 0 {
            b.n(cs / 10);
        } else {
            if cs < 10 {
                b.push(b'0');
            }
            b.n(cs);
        }
    } else if cs < 1000 {
        b.n(cs / 100).s(".").n(cs / 10 % 10);
    } else {
        b.n(cs / 100);
    }
}

// ---------------------------------------------------------------- envelope

/// `host prog[pid]: ` (or `host prog: ` without pid).
pub fn tag(b: &mut Vec<u8>, host: &str, prog: &str, pid: Option<u32>) {
    b.s(host).s(" ").s(prog);
    if let Some(p) = pid {
        b.s("[").n(u64::from(p)).s("]");
    }
    b.s(": ");
}

// ---------------------------------------------------------------- Dovecot

/// The connection security flag of a Dovecot login line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secured {
    Tls,
    /// Trusted non-TLS (localhost, e.g. webmail on the same host).
    Secured,
}

/// Dovecot login-process line elements after the message.
pub struct Elems<'a> {
    pub user: &'a str,
    pub method: &'a str,
    pub rip: Ip,
    pub lip: Ip,
    pub mpid: Option<u32>,
    pub secured: Secured,
    pub session: &'a [u8; 16],
}

fn elems(b: &mut Vec<u8>, e: &Elems) {
    b.s("user=<").s(e.user).s(">, method=").s(e.method);
    b.s(", rip=").ip(e.rip).s(", lip=").ip(e.lip);
    if let Some(p) = e.mpid {
        b.s(", mpid=").n(u64::from(p));
    }
    b.s(match e.secured {
        Secured::Tls => ", TLS",
        Secured::Secured => ", secured",
    });
    b.s(", session=<").extend_from_slice(e.session);
    b.s(">");
}

/// `imap-login: Login: user=<…>, …` (2.3) or `Logged in:` (2.4).
pub fn dovecot_login(b: &mut Vec<u8>, v24: bool, svc: &str, e: &Elems) {
    b.s(svc).s("-login: ");
    b.s(if v24 { "Logged in: " } else { "Login: " });
    elems(b, e);
}

/// How a failed login ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailEnd {
    /// 2.3 `Disconnected (auth failed, …)` / 2.4 `Login aborted: Connection closed (…)`.
    Disconnected,
    /// 2.3 `Aborted login (auth failed, …)` / 2.4 `Login aborted: Logged out (…)`.
    Aborted,
    /// 2.3 `Disconnected: Inactivity (auth failed, …)`.
    Inactivity,
}

/// A Dovecot login-process failure summary (one line per connection,
/// `attempts` password tries).
pub fn dovecot_fail(
    b: &mut Vec<u8>,
    v24: bool,
    svc: &str,
    end: FailEnd,
    attempts: u32,
    secs: u32,
    e: &Elems,
) {
    b.s(svc).s("-login: ");
    let human = |b: &mut Vec<u8>| {
        b.s("(auth failed, ")
            .n(u64::from(attempts))
            .s(" attempts in ")
            .n(u64::from(secs))
            .s(" secs)");
    };
    if v24 {
        b.s(match end {
            FailEnd::Aborted => "Login aborted: Logged out ",
            FailEnd::Disconnected | FailEnd::Inactivity => "Login aborted: Connection closed ",
        });
        human(b);
        b.s(" (auth_failed): ");
    } else {
        b.s(match end {
            FailEnd::Disconnected => "Disconnected ",
            FailEnd::Aborted => "Aborted login ",
            FailEnd::Inactivity => "Disconnected: Inactivity ",
        });
        human(b);
        b.s(": ");
    }
    elems(b, e);
}

/// Connection without any auth attempt (scanners, TLS probes).
pub fn dovecot_no_auth(
    b: &mut Vec<u8>,
    v24: bool,
    svc: &str,
    secs: u32,
    rip: Ip,
    lip: Ip,
    session: &[u8; 16],
) {
    b.s(svc).s("-login: ");
    if v24 {
        b.s("Login aborted: Connection closed (no auth attempts in ")
            .n(u64::from(secs))
            .s(" secs) (no_auth_attempts): user=<>, rip=");
    } else {
        b.s("Disconnected (no auth attempts in ")
            .n(u64::from(secs))
            .s(" secs): user=<>, rip=");
    }
    b.ip(rip)
        .s(", lip=")
        .ip(lip)
        .s(", TLS handshaking: Connection closed, session=<");
    b.extend_from_slice(session);
    b.s(">");
}

/// `imap(user)<pid><session>: Disconnected: Logged out in=… out=… …`
pub fn imap_logout(
    b: &mut Vec<u8>,
    user: &str,
    pid: u32,
    session: &[u8; 16],
    idle: bool,
    rng: &mut Rng,
) {
    b.s("imap(").s(user).s(")<").n(u64::from(pid)).s("><");
    b.extend_from_slice(session);
    b.s(">: Disconnected: ");
    if idle {
        let w = rng.below(1800);
        b.s("Connection closed (IDLE running for 0.001 + waiting input for ")
            .n(w)
            .s(".")
            .n(100 + rng.below(900))
            .s(" secs, 2 B in + 10 B out, state=wait-input) ");
    } else {
        b.s("Logged out ");
    }
    let body = rng.below(6);
    let hdr = rng.below(40);
    b.s("in=")
        .n(60 + rng.below(4000))
        .s(" out=")
        .n(400 + rng.below(120_000));
    b.s(" deleted=")
        .n(rng.below(3))
        .s(" expunged=")
        .n(rng.below(3));
    b.s(" trashed=").n(rng.below(2)).s(" hdr_count=").n(hdr);
    b.s(" hdr_bytes=")
        .n(hdr * (300 + rng.below(400)))
        .s(" body_count=")
        .n(body);
    b.s(" body_bytes=").n(body * (2000 + rng.below(40_000)));
}

/// `pop3(user)<pid><session>: Disconnected: Logged out top=…, retr=…, del=…, size=…`
pub fn pop3_logout(b: &mut Vec<u8>, user: &str, pid: u32, session: &[u8; 16], rng: &mut Rng) {
    let n = rng.below(8);
    let size = n * (3000 + rng.below(30_000));
    b.s("pop3(").s(user).s(")<").n(u64::from(pid)).s("><");
    b.extend_from_slice(session);
    b.s(">: Disconnected: Logged out top=0/0, retr=")
        .n(n)
        .s("/")
        .n(size);
    b.s(", del=").n(n).s("/").n(n).s(", size=").n(size);
}

/// `lmtp(user)<pid><session22>: msgid=<…>: saved mail to INBOX`
pub fn lmtp_saved(b: &mut Vec<u8>, user: &str, pid: u32, rng: &mut Rng, msgid: &[u8]) {
    b.s("lmtp(").s(user).s(")<").n(u64::from(pid)).s("><");
    b64(b, rng, 22);
    b.s(">: msgid=<").extend_from_slice(msgid);
    b.s(">: saved mail to INBOX");
}

pub fn lmtp_connect(b: &mut Vec<u8>, pid: u32) {
    b.s("lmtp(").n(u64::from(pid)).s("): Connect from local");
}

pub fn lmtp_disconnect(b: &mut Vec<u8>, pid: u32) {
    b.s("lmtp(")
        .n(u64::from(pid))
        .s("): Disconnect from local: Client has quit the connection (state=READY)");
}

// ---------------------------------------------------------------- Postfix

pub fn pf_connect(b: &mut Vec<u8>, host: &str, ip: Ip) {
    b.s("connect from ").s(host).s("[").ip(ip).s("]");
}

pub fn pf_tls(b: &mut Vec<u8>, host: &str, ip: Ip, incoming: bool) {
    b.s(if incoming {
        "Anonymous TLS connection established from "
    } else {
        "Trusted TLS connection established to "
    });
    b.s(host).s("[").ip(ip).s("]");
    if !incoming {
        b.s(":25");
    }
    b.s(": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256");
}

/// `QUEUEID: client=host[ip]` with optional `, sasl_method=M, sasl_username=U`.
pub fn pf_client(b: &mut Vec<u8>, q: &[u8; 11], host: &str, ip: Ip, sasl: Option<(&str, &str)>) {
    put_qid(b, q);
    b.s(": client=").s(host).s("[").ip(ip).s("]");
    if let Some((m, u)) = sasl {
        b.s(", sasl_method=").s(m).s(", sasl_username=").s(u);
    }
}

pub fn pf_msgid(b: &mut Vec<u8>, q: &[u8; 11], msgid: &[u8]) {
    put_qid(b, q);
    b.s(": message-id=<").extend_from_slice(msgid);
    b.s(">");
}

pub fn pf_from(b: &mut Vec<u8>, q: &[u8; 11], from: &str, size: u64, nrcpt: u32) {
    put_qid(b, q);
    b.s(": from=<").s(from).s(">, size=").n(size);
    b.s(", nrcpt=").n(u64::from(nrcpt)).s(" (queue active)");
}

/// Outcome of a delivery attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dsn {
    Sent,
    Deferred,
    Bounced,
}

/// `QUEUEID: to=<…>, relay=…, delay=…, delays=…, dsn=…, status=… (…)`
/// `relay` is `None` for local LMTP delivery to Dovecot.
pub fn pf_to(
    b: &mut Vec<u8>,
    q: &[u8; 11],
    to: &str,
    relay: Option<(&str, Ip)>,
    dsn: Dsn,
    rng: &mut Rng,
) {
    put_qid(b, q);
    let d = [
        rng.below(300),
        rng.below(30),
        rng.below(400),
        10 + rng.below(900),
    ];
    b.s(": to=<").s(to).s(">, relay=");
    match relay {
        Some((h, ip)) => {
            b.s(h).s("[").ip(ip).s("]:25");
        }
        None => {
            b.s("mx1.example.gov[private/dovecot-lmtp]");
        }
    }
    b.s(", delay=");
    put_delay(
        b,
        d.iter().sum::<u64>() + if dsn == Dsn::Deferred { 30_000 } else { 0 },
    );
    b.s(", delays=");
    for (i, x) in d.iter().enumerate() {
        if i > 0 {
            b.s("/");
        }
        put_delay(b, *x);
    }
    match (dsn, relay) {
        (Dsn::Sent, None) => {
            b.s(", dsn=2.0.0, status=sent (250 2.0.0 <").s(to).s("> ");
            b64(b, rng, 22);
            b.s(" Saved)");
        }
        (Dsn::Sent, Some(_)) => {
            b.s(", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ");
            let q2 = queue_id(rng);
            put_qid(b, &q2);
            b.s(")");
        }
        (Dsn::Deferred, Some((h, ip))) => {
            b.s(", dsn=4.4.1, status=deferred (connect to ")
                .s(h)
                .s("[")
                .ip(ip);
            b.s("]:25: Connection timed out)");
        }
        (Dsn::Bounced, Some((h, ip))) => {
            b.s(", dsn=5.1.1, status=bounced (host ").s(h).s("[").ip(ip);
            b.s("] said: 550 5.1.1 <").s(to).s(">: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))");
        }
        (_, None) => {
            b.s(", dsn=4.2.0, status=deferred (host mx1.example.gov[private/dovecot-lmtp] said: 451 4.2.0 <").s(to).s("> Temporary internal error)");
        }
    }
}

pub fn pf_removed(b: &mut Vec<u8>, q: &[u8; 11]) {
    put_qid(b, q);
    b.s(": removed");
}

pub fn pf_disconnect(b: &mut Vec<u8>, host: &str, ip: Ip, counters: &str) {
    b.s("disconnect from ")
        .s(host)
        .s("[")
        .ip(ip)
        .s("] ")
        .s(counters);
}

/// `warning: unknown[ip]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`
pub fn pf_sasl_fail(b: &mut Vec<u8>, ip: Ip) {
    b.s("warning: unknown[")
        .ip(ip)
        .s("]: SASL LOGIN authentication failed: UGFzc3dvcmQ6");
}

pub fn pf_lost(b: &mut Vec<u8>, after: &str, host: &str, ip: Ip) {
    b.s("lost connection after ")
        .s(after)
        .s(" from ")
        .s(host)
        .s("[")
        .ip(ip)
        .s("]");
}

pub fn pf_reject(b: &mut Vec<u8>, ip: Ip, from: &str, to: &str, helo: &str) {
    b.s("NOQUEUE: reject: RCPT from unknown[")
        .ip(ip)
        .s("]: 554 5.7.1 Service unavailable; Client host [")
        .ip(ip);
    b.s("] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/")
        .ip(ip);
    b.s("; from=<")
        .s(from)
        .s("> to=<")
        .s(to)
        .s("> proto=ESMTP helo=<")
        .s(helo)
        .s(">");
}

pub fn pf_pickup(b: &mut Vec<u8>, q: &[u8; 11], uid: u32, from: &str) {
    put_qid(b, q);
    b.s(": uid=").n(u64::from(uid)).s(" from=<").s(from).s(">");
}

/// anvil statistics carry a yearless syslog stamp inside the message.
pub fn pf_anvil(b: &mut Vec<u8>, what: &str, v: u64, ip: Ip, at: i64) {
    b.s("statistics: max ").s(what).s(" ").n(v);
    if what == "connection rate" {
        b.s("/60s");
    }
    b.s(" for (smtp:").ip(ip).s(") at ");
    crate::clock::Stamper::new(crate::clock::Style::Bsd).write(b, at);
}

// ---------------------------------------------------------------- sshd / PAM

pub fn ssh_accepted(
    b: &mut Vec<u8>,
    method: &str,
    user: &str,
    ip: Ip,
    port: u32,
    key: Option<&str>,
) {
    b.s("Accepted ")
        .s(method)
        .s(" for ")
        .s(user)
        .s(" from ")
        .ip(ip)
        .s(" port ")
        .n(u64::from(port))
        .s(" ssh2");
    if let Some(k) = key {
        b.s(": ED25519 SHA256:").s(k);
    }
}

pub fn ssh_failed(b: &mut Vec<u8>, user: &str, invalid: bool, ip: Ip, port: u32) {
    b.s("Failed password for ");
    if invalid {
        b.s("invalid user ");
    }
    b.s(user)
        .s(" from ")
        .ip(ip)
        .s(" port ")
        .n(u64::from(port))
        .s(" ssh2");
}

pub fn ssh_invalid(b: &mut Vec<u8>, user: &str, ip: Ip, port: u32) {
    b.s("Invalid user ")
        .s(user)
        .s(" from ")
        .ip(ip)
        .s(" port ")
        .n(u64::from(port));
}

pub fn pam_auth_failure(b: &mut Vec<u8>, ip: Ip, user: Option<&str>) {
    b.s("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=")
        .ip(ip);
    if let Some(u) = user {
        b.s("  user=").s(u);
    }
}

pub fn pam_unknown(b: &mut Vec<u8>) {
    b.s("pam_unix(sshd:auth): check pass; user unknown");
}

pub fn pam_session(b: &mut Vec<u8>, svc: &str, user: &str, uid: u32, open: bool) {
    b.s("pam_unix(").s(svc).s(":session): session ");
    if open {
        b.s("opened for user ")
            .s(user)
            .s("(uid=")
            .n(u64::from(uid))
            .s(") by (uid=0)");
    } else {
        b.s("closed for user ").s(user);
    }
}

pub fn pam_passwd(b: &mut Vec<u8>, user: &str) {
    b.s("pam_unix(passwd:chauthtok): password changed for ")
        .s(user);
}

pub fn ssh_closed_preauth(b: &mut Vec<u8>, ip: Ip, port: u32, user: Option<(&str, bool)>) {
    b.s("Connection closed by ");
    if let Some((u, invalid)) = user {
        b.s(if invalid {
            "invalid user "
        } else {
            "authenticating user "
        })
        .s(u)
        .s(" ");
    }
    b.ip(ip).s(" port ").n(u64::from(port)).s(" [preauth]");
}

pub fn ssh_bye(b: &mut Vec<u8>, ip: Ip, port: u32, preauth: bool) {
    b.s("Received disconnect from ")
        .ip(ip)
        .s(" port ")
        .n(u64::from(port));
    b.s(if preauth {
        ":11: Bye Bye [preauth]"
    } else {
        ":11: disconnected by user"
    });
}

pub fn ssh_disconnected(b: &mut Vec<u8>, who: &str, ip: Ip, port: u32, preauth: bool) {
    b.s("Disconnected from ")
        .s(who)
        .s(" ")
        .ip(ip)
        .s(" port ")
        .n(u64::from(port));
    if preauth {
        b.s(" [preauth]");
    }
}

// ---------------------------------------------------------------- Roundcube

/// `<sess8> Successful login for U (ID: n) from IP in session SID`
pub fn rc_success(b: &mut Vec<u8>, sid: &str, user: &str, id: u32, ip: Ip) {
    b.s("<")
        .s(&sid[..8])
        .s("> Successful login for ")
        .s(user)
        .s(" (ID: ")
        .n(u64::from(id));
    b.s(") from ").ip(ip).s(" in session ").s(sid);
}

/// `<sess8> Failed login for U from IP in session SID (error: 0)`
pub fn rc_fail(b: &mut Vec<u8>, sid: &str, user: &str, ip: Ip) {
    b.s("<")
        .s(&sid[..8])
        .s("> Failed login for ")
        .s(user)
        .s(" from ")
        .ip(ip);
    b.s(" in session ").s(sid).s(" (error: 0)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let mut rng = Rng::derive(1, &[]);
        let s = *b"q454Xu/vMwBZApgg";
        let e = Elems {
            user: "alice@example.gov",
            method: "PLAIN",
            rip: Ip::v4(192, 0, 2, 10),
            lip: Ip::v4(198, 51, 100, 5),
            mpid: Some(12345),
            secured: Secured::Tls,
            session: &s,
        };
        let mut b = Vec::new();
        dovecot_login(&mut b, false, "imap", &e);
        assert_eq!(
            String::from_utf8_lossy(&b),
            "imap-login: Login: user=<alice@example.gov>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=12345, TLS, session=<q454Xu/vMwBZApgg>"
        );
        b.clear();
        let e = Elems { mpid: None, ..e };
        dovecot_fail(&mut b, true, "imap", FailEnd::Disconnected, 3, 16, &e);
        assert_eq!(
            String::from_utf8_lossy(&b),
            "imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<alice@example.gov>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, TLS, session=<q454Xu/vMwBZApgg>"
        );
        b.clear();
        pam_auth_failure(&mut b, Ip::v4(192, 0, 2, 66), Some("alice"));
        assert!(b.ends_with(b"rhost=192.0.2.66  user=alice"));
        b.clear();
        for (ms, want) in [
            (0, "0"),
            (10, "0.01"),
            (120, "0.12"),
            (100, "0.1"),
            (1234, "1.2"),
            (12_345, "12"),
        ] {
            b.clear();
            put_delay(&mut b, ms);
            assert_eq!(String::from_utf8_lossy(&b), want);
        }
        let q = queue_id(&mut rng);
        b.clear();
        put_qid(&mut b, &q);
        assert!(b.len() == 10 || b.len() == 11);
        assert!(b
            .iter()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    }
}
