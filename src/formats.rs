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
    (
        "exim",
        "Exim 4 (main log or syslog): AUTH failures, authenticated arrivals (A= on <= lines)",
        "2025-11-26 08:51:18 1tFdXa-000000003Xy-2bcd <= alice@example.org H=(laptop) [192.0.2.10]:51234 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 A=dovecot_plain:alice@example.org S=2345",
        "set_id / A= id, client address, authenticator, TLS; login and message_submitted; 535 only counts as a bad password",
    ),
    (
        "sendmail",
        "Sendmail 8.x SMTP AUTH (LogLevel 9 and up)",
        "Nov 26 08:51:18 mx1 sm-mta[29813]: AUTH=server, relay=client.example.net [192.0.2.10], authid=alice, mech=PLAIN, bits=0",
        "authid / user=, relay address, mech, SASL code of failures",
    ),
    (
        "courier",
        "Courier IMAP/POP3 (imapd, imapd-ssl, pop3d, pop3d-ssl, courierpop3login)",
        "Nov 26 08:51:18 mail imapd: LOGIN, user=alice@example.org, ip=[::ffff:192.0.2.10], port=[51234], protocol=IMAP",
        "user, ip (IPv4-mapped folded), method of SASL failures, TLS (-ssl, starttls=1)",
    ),
    (
        "cyrus",
        "Cyrus IMAP/POP3 3.0-3.12 and the logfmt lines after 3.12",
        "Nov 26 08:51:18 mail cyrus/imap[7623]: login: client.example.net [192.0.2.10] alice plaintext+TLS User logged in SESSIONID=<mail-7623-1-1>",
        "user, client address, mechanism, TLS, SASL code (user not found, bad password)",
    ),
    (
        "sogo",
        "SOGo web logins (sogod)",
        "Nov 26 08:51:18 sogod [26818]: SOGoRootPage successful login from '192.0.2.10' for user 'alice' - expire = -1  grace = -1",
        "user, remote host (first of a forwarded list), password policy code",
    ),
    (
        "zimbra",
        "Zimbra audit.log (Auth, AdminAuth, PreAuth, lockout, SetPassword, ModifyAccount forwarding) and mailbox.log IMAP/POP3 logins",
        "2025-11-26 08:51:18,505 INFO  [qtp1-7:https://mail.example.org/service/soap/AuthRequest] [name=alice@example.org;ip=10.0.0.5;oip=192.0.2.10;ua=Mozilla/5.0;] security - cmd=Auth; account=alice@example.org; protocol=soap;",
        "account, oip (else ip), protocol (soap=webmail, imap, pop3, zsync=activesync, http), error reason, forwarding target (as method)",
    ),
    (
        "saslauthd",
        "Cyrus SASL saslauthd (and Zimbra's auth_zimbra module)",
        "Nov 26 08:51:18 mx1 saslauthd[4321]: do_auth         : auth failure: [user=alice] [service=smtp] [realm=example.org] [mech=pam] [reason=PAM auth error]",
        "user, calling service, remote (when logged), mech, reason",
    ),
    (
        "vsftpd",
        "vsftpd 2-3 (vsftpd.log or syslog_enable)",
        "Wed Nov 26 08:51:18 2025 [pid 1234] [alice] OK LOGIN: Client \"192.0.2.10\"",
        "user, client address (anonymous FTP skipped)",
    ),
    (
        "proftpd",
        "ProFTPD 1.3 (syslog or SystemLog)",
        "Nov 26 08:51:18 ftp1 proftpd[4242]: ftp.example.org (client.example.net[192.0.2.10]) - USER alice: Login successful.",
        "user, client address, reason (incorrect password, no such user, disabled, expired)",
    ),
    (
        "pureftpd",
        "Pure-FTPd (English messages)",
        "Nov 26 08:51:18 ftp1 pure-ftpd: (?@192.0.2.10) [INFO] alice is now logged in",
        "user, client address (when not resolved to a name)",
    ),
    (
        "dropbear",
        "Dropbear SSH",
        "Nov 26 08:51:18 router dropbear[1234]: Password auth succeeded for 'alice' from 192.0.2.10:51234",
        "user, address, method (password, publickey), nonexistent user, max tries",
    ),
    (
        "m365",
        "Microsoft 365 / Entra ID sign-in log exports: JSON (array, one object per line, Graph envelope) and the portal CSV (English column titles), told from the content",
        r#"{"createdDateTime":"2025-11-26T08:51:18Z","userPrincipalName":"alice@example.org","appDisplayName":"Office 365 Exchange Online","ipAddress":"192.0.2.10","clientAppUsed":"IMAP4","isInteractive":false,"status":{"errorCode":50126,"failureReason":"Error validating credentials due to invalid username or password."}}"#,
        "createdDateTime / Date (UTC), userPrincipalName / Username, ipAddress / IP address, status.errorCode / Sign-in error code / Status, clientAppUsed / Client app (IMAP4, POP3, Authenticated SMTP, Exchange ActiveSync, Browser, ...), isInteractive",
    ),
];

/// Envelopes understood around those lines.
pub const ENVELOPES: &str = "RFC 3164 syslog (yearless), RFC 5424, rsyslog ISO 8601 with offset, \
journalctl -o json, TAI64N (multilog), Dovecot's own log file, Exim's main log, log4j (Zimbra), \
vsftpd's and ProFTPD's own logs, Roundcube's file driver, Microsoft 365 sign-in exports (read whole); plain, gzip, zstd, bzip2 or xz \
(told from the content)";

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Source;
    use crate::parse::{parse_line, Verdict};

    /// Every family is listed, and its example line is read by that family.
    #[test]
    fn every_family_has_a_working_example() {
        for src in Source::ALL {
            let Some((_, _, example, _)) = FAMILIES.iter().find(|f| f.0 == src.as_str()) else {
                // Families read from other inputs (the lead's exports).
                assert!(!["dovecot", "postfix", "sshd", "exim"].contains(&src.as_str()));
                continue;
            };
            if *src == Source::M365 {
                // An export, not a line: one NDJSON record.
                let shape = crate::parse::m365::detect(example.as_bytes());
                assert_eq!(shape, Some(crate::parse::m365::Shape::Json));
                let ex = crate::parse::m365::read(example.as_bytes(), shape.unwrap()).unwrap();
                assert_eq!(ex.records.len(), 1, "{example}");
                continue;
            }
            let mut out = Vec::new();
            let r = parse_line(example.as_bytes(), &mut out);
            assert_eq!(r.verdict, Verdict::Events, "{example}");
            assert!(out.iter().any(|e| e.source == *src), "{example}: {out:?}");
        }
    }
}
