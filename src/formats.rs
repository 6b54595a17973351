//! `authsweep formats`: the log families understood, with an example line.

use std::io::Write;

/// Family, software, example line, fields extracted.
pub const FAMILIES: &[(&str, &str, &str, &str)] = &[
    (
        "dovecot",
        "Dovecot 2.2-2.4 (imap, pop3, submission, managesieve logins; auth and auth-worker)",
        "Nov 26 08:51:18 mx1 dovecot: imap-login: Login: user=<alice@example.org>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=12345, TLS, session=<q454Xu/vMwBZApgg>",
        "user, rip, method, TLS, attempts, reason",
    ),
    (
        "postfix",
        "Postfix smtpd SASL (submission and smtps too)",
        "Nov 26 08:51:19 mx1 postfix/submission/smtpd[2211]: 4Y0abc1XyZz: client=unknown[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.org",
        "sasl_username, client address, sasl_method",
    ),
    (
        "sshd",
        "OpenSSH sshd 7-9.x (sshd and sshd-session)",
        "Nov 26 08:51:20 gw1 sshd[4242]: Accepted publickey for alice from 192.0.2.10 port 51234 ssh2: ED25519 SHA256:...",
        "user, address, method, invalid user",
    ),
    (
        "pam",
        "Linux-PAM pam_unix (authentication failures, password changes)",
        "Nov 26 08:51:21 gw1 passwd[2211]: pam_unix(passwd:chauthtok): password changed for alice",
        "user, rhost (the last one), service",
    ),
    (
        "roundcube",
        "Roundcube webmail (userlogins.log, errors.log, syslog driver)",
        "[26-Nov-2025 08:51:18 +0100]: <1z506z6r> Successful login for alice@example.org (ID: 42) from 192.0.2.10 in session 1z506z6rvddstv6k",
        "user, address",
    ),
];

/// Envelopes understood around those lines.
pub const ENVELOPES: &str = "RFC 3164 syslog (yearless), RFC 5424, rsyslog ISO 8601 with offset, \
Dovecot's own log file, Roundcube's file driver; plain, gzip, zstd, bzip2 or xz (told from the content)";

/// Print the list.
pub fn print(w: &mut dyn Write) -> std::io::Result<()> {
    for (name, what, example, fields) in FAMILIES {
        writeln!(w, "{name}: {what}")?;
        writeln!(w, "  fields: {fields}")?;
        writeln!(w, "  example: {example}")?;
        writeln!(w)?;
    }
    writeln!(w, "envelopes: {ENVELOPES}")
}
