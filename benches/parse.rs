//! Parser throughput per log family (bytes/s), and the whole line path
//! (envelope, rejection, family parser) on a mixed block where most lines
//! are mail delivery noise, as in a real mail log.

use authsweep::event::Parsed;
use authsweep::parse::parse_line;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const DOVECOT: &str = "Jan  5 08:51:18 mx1 dovecot: imap-login: Login: user=<alice.martin@example.gov>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=12345, TLS, session=<q454Xu/vMwBZApgg>\n\
Jan  5 08:51:19 mx1 dovecot: pop3-login: Disconnected (auth failed, 1 attempts in 4 secs): user=<bob.nguyen@example.gov>, method=PLAIN, rip=203.0.113.7, lip=198.51.100.5, TLS, session=<Zm9vYmFyYmF6cXV4>\n";
const POSTFIX: &str = "Jan  5 08:51:20 mx1 postfix/submission/smtpd[2211]: 4Y0ABC1XYZ: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice.martin@example.gov\n\
Jan  5 08:51:21 mx1 postfix/smtpd[2212]: warning: unknown[203.0.113.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n";
const SSHD: &str = "Jan  5 08:51:22 gw1 sshd[4242]: Accepted publickey for alice from 192.0.2.10 port 51234 ssh2: ED25519 SHA256:Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4\n\
Jan  5 08:51:23 gw1 sshd[4243]: Failed password for invalid user admin from 203.0.113.66 port 4242 ssh2\n";
const NOISE: &str = "Jan  5 08:51:24 mx1 postfix/qmgr[1201]: 4Y0ABC1XYZ: from=<alice.martin@example.gov>, size=2345, nrcpt=1 (queue active)\n\
Jan  5 08:51:24 mx1 postfix/smtp[1301]: 4Y0ABC1XYZ: to=<carol@example.org>, relay=mx.example.org[198.51.100.20]:25, delay=0.41, delays=0.02/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 2.0.0 OK)\n\
Jan  5 08:51:24 mx1 postfix/cleanup[1401]: 4Y0ABC1XYZ: message-id=<20250105085124.1234@example.gov>\n\
Jan  5 08:51:25 mx1 dovecot: lmtp(dave@example.gov)<5511><AbCdEfGhIjKlMnOp>: msgid=<x@y>: saved mail to INBOX\n\
Jan  5 08:51:25 mx1 postfix/qmgr[1201]: 4Y0ABC1XYZ: removed\n";

fn block(lines: &str, copies: usize) -> Vec<u8> {
    lines.repeat(copies).into_bytes()
}

fn parse_all(data: &[u8]) -> usize {
    let mut out: Vec<Parsed<'_>> = Vec::with_capacity(4);
    let mut n = 0;
    for line in data.split(|&b| b == b'\n') {
        out.clear();
        parse_line(line, &mut out);
        n += out.len();
    }
    n
}

fn families(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    let mixed = format!("{NOISE}{NOISE}{NOISE}{NOISE}{DOVECOT}{POSTFIX}{SSHD}");
    for (name, text) in [
        ("dovecot", DOVECOT),
        ("postfix", POSTFIX),
        ("sshd", SSHD),
        ("noise", NOISE),
        ("mixed", mixed.as_str()),
    ] {
        let data = block(text, 2000);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(name, |b| b.iter(|| parse_all(black_box(&data))));
    }
    g.finish();
}

criterion_group!(benches, families);
criterion_main!(benches);
