#![no_main]
//! Every family parser's entry point, called directly: the first byte picks
//! the program tag (and so the family), the next picks the pid shape, the
//! rest is the message. Reaches each parser with arbitrary messages, which
//! random whole lines through `parse_line` rarely do.
use authsweep::parse::{family_of, Header};
use authsweep::parse::header::RawStamp;
use libfuzzer_sys::fuzz_target;

const PROGRAMS: &[&[u8]] = &[
    b"dovecot", b"imap-login", b"auth", b"auth-worker", b"auth(u,192.0.2.1,sasl:plain)",
    b"sshd", b"sshd-session", b"roundcube", b"passwd", b"exim", b"sendmail", b"imapd",
    b"imap", b"cyrus/imap", b"sogod", b"zimbra", b"saslauthd", b"vsftpd", b"proftpd",
    b"pure-ftpd", b"dropbear", b"postfix/smtpd", b"postfix/submission/smtpd", b"su",
];
const PIDS: &[&[u8]] = &[b"", b"1234", b"INFO", b"u,192.0.2.1", b"WARN"];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let program = PROGRAMS[data[0] as usize % PROGRAMS.len()];
    let pid = PIDS[data[1] as usize % PIDS.len()];
    let msg = &data[2..];
    let h = Header {
        stamp: RawStamp::Bsd(b"Jan  5 08:51:18"),
        host: b"mx1",
        program,
        pid,
        msg,
    };
    if let Some((_, parser)) = family_of(program, msg) {
        let mut out = Vec::new();
        let _ = parser(&h, msg, &mut out);
    }
});
