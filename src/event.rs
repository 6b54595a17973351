//! The normalized authentication event: what every log family is turned into.
//!
//! Parsers produce [`Parsed`] values that borrow from the line they came from;
//! nothing here allocates. The report layer turns the few values it keeps into
//! owned forms.

use std::net::IpAddr;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An authentication attempt.
    Login,
    /// The account's password was changed.
    PasswordChange,
    /// An authenticated client handed over a message.
    MessageSubmitted,
    /// The account was locked after failures.
    Lockout,
    /// Mail forwarding was set on the account.
    ForwardingChange,
}

impl Kind {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Login => "login",
            Kind::PasswordChange => "password_change",
            Kind::MessageSubmitted => "message_submitted",
            Kind::Lockout => "lockout",
            Kind::ForwardingChange => "forwarding_change",
        }
    }
}

/// Success or failure of the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The attempt succeeded (or the change was made).
    Success,
    /// The attempt failed.
    Failure,
}

impl Outcome {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

macro_rules! names {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $var),+ }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The name used in output.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
            /// The value with this output name.
            pub fn from_name(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$var),)+ _ => None }
            }
            /// Position in [`Self::ALL`].
            pub fn index(self) -> usize { self as usize }
        }
    };
}

names! {
    /// The service the client authenticated to.
    Service {
        /// IMAP.
        Imap => "imap",
        /// POP3.
        Pop3 => "pop3",
        /// SMTP submission (authenticated).
        Smtp => "smtp",
        /// Webmail (interactive).
        Webmail => "webmail",
        /// SSH.
        Ssh => "ssh",
        /// ManageSieve.
        Sieve => "sieve",
        /// FTP.
        Ftp => "ftp",
        /// ActiveSync.
        Activesync => "activesync",
        /// Other HTTP.
        Http => "http",
        /// Anything else.
        Other => "other",
    }
}

impl Service {
    /// Number of services.
    pub const COUNT: usize = 10;

    /// Whether a login to this service is a person at a screen, as opposed to
    /// a mail client that polls.
    pub fn is_interactive(self) -> bool {
        matches!(self, Service::Webmail)
    }
}

names! {
    /// The software that wrote the line.
    Source {
        /// Dovecot.
        Dovecot => "dovecot",
        /// Postfix.
        Postfix => "postfix",
        /// OpenSSH sshd.
        Sshd => "sshd",
        /// Linux-PAM modules.
        Pam => "pam",
        /// Roundcube webmail.
        Roundcube => "roundcube",
        /// Exim.
        Exim => "exim",
        /// Sendmail.
        Sendmail => "sendmail",
        /// Courier IMAP/POP3.
        Courier => "courier",
        /// Cyrus IMAP/POP3.
        Cyrus => "cyrus",
        /// SOGo groupware.
        Sogo => "sogo",
        /// Zimbra (audit.log, mailbox.log).
        Zimbra => "zimbra",
        /// Cyrus SASL saslauthd.
        Saslauthd => "saslauthd",
        /// vsftpd.
        Vsftpd => "vsftpd",
        /// ProFTPD.
        Proftpd => "proftpd",
        /// Pure-FTPd.
        Pureftpd => "pureftpd",
        /// Dropbear SSH.
        Dropbear => "dropbear",
        /// Microsoft 365 / Entra ID sign-in log exports.
        M365 => "m365",
    }
}

names! {
    /// Why an attempt failed.
    Reason {
        /// Wrong password.
        BadPassword => "bad_password",
        /// No such user.
        UnknownUser => "unknown_user",
        /// Account disabled.
        Disabled => "disabled",
        /// Account locked.
        Locked => "locked",
        /// Password expired.
        Expired => "expired",
        /// The client gave up.
        Aborted => "aborted",
        /// Anything else.
        Other => "other",
    }
}

/// What a family parser extracts from one line (the timestamp and position
/// are added by the caller).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// What happened.
    pub kind: Kind,
    /// Success or failure.
    pub outcome: Outcome,
    /// The user name exactly as logged (`None` when the line names none).
    pub user: Option<&'a [u8]>,
    /// The remote client address, IPv4-mapped IPv6 already folded to IPv4.
    pub ip: Option<IpAddr>,
    /// The service.
    pub service: Service,
    /// The software that wrote the line.
    pub source: Source,
    /// The mechanism, when logged.
    pub method: Option<&'a [u8]>,
    /// TLS in use, when the line tells.
    pub tls: Option<bool>,
    /// Reason of a failure.
    pub reason: Option<Reason>,
    /// How many attempts the line stands for.
    pub count: u32,
    /// The attempt is already counted on another line (Dovecot's auth
    /// process lines, PAM under sshd, `Invalid user` before `Failed`): the
    /// line still gives detail (the reason), but it is not counted again.
    pub detail: bool,
}

impl<'a> Parsed<'a> {
    /// A login event with the common defaults: one attempt, counted.
    pub fn login(outcome: Outcome, source: Source, service: Service) -> Parsed<'a> {
        Parsed {
            kind: Kind::Login,
            outcome,
            user: None,
            ip: None,
            service,
            source,
            method: None,
            tls: None,
            reason: None,
            count: 1,
            detail: false,
        }
    }
}

/// Fold an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) to IPv4.
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Parse an address from log bytes: IPv4, IPv6, optionally in `[...]`,
/// IPv4-mapped folded. `None` for anything else (host names, `unknown`).
pub fn parse_ip(bytes: &[u8]) -> Option<IpAddr> {
    let b = bytes
        .strip_prefix(b"[")
        .and_then(|b| b.strip_suffix(b"]"))
        .unwrap_or(bytes);
    if b.is_empty() || b.len() > 45 {
        return None;
    }
    if let Some(v4) = plain_ipv4(b) {
        return Some(IpAddr::V4(v4));
    }
    let s = std::str::from_utf8(b).ok()?;
    s.parse::<IpAddr>().ok().map(canonical_ip)
}

/// A dotted quad in its plain form (four octets of 1-3 digits, no leading
/// zero, at most 255): most addresses in logs, read without the standard
/// parser's IPv4-then-IPv6 attempts. `None` for anything else, which the
/// standard parser then decides (it accepts every plain quad, with the same
/// value).
#[inline]
fn plain_ipv4(b: &[u8]) -> Option<std::net::Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (k, o) in octets.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let start = i;
        let mut v: u32 = 0;
        while i < b.len() && i - start < 3 && b[i].is_ascii_digit() {
            v = v * 10 + (b[i] - b'0') as u32;
            i += 1;
        }
        let len = i - start;
        if len == 0 || v > 255 || (len > 1 && b[start] == b'0') {
            return None;
        }
        *o = v as u8;
    }
    (i == b.len()).then(|| std::net::Ipv4Addr::from(octets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_ipv4_folds() {
        assert_eq!(
            parse_ip(b"::ffff:192.0.2.10"),
            Some("192.0.2.10".parse().unwrap())
        );
        assert_eq!(
            parse_ip(b"[2001:db8::1]"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(parse_ip(b"unknown"), None);
        assert_eq!(parse_ip(b""), None);
    }

    /// The plain-quad fast path gives what the standard parser gives, and
    /// leaves every other form to it.
    #[test]
    fn plain_ipv4_agrees_with_std() {
        let samples = [
            "192.0.2.10",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1.02.3.4",
            "1.2.3.04",
            "1.2.3.0",
            "10.0.0.1 ",
            " 10.0.0.1",
            "1..2.3",
            "1.2.3.4.",
            ".1.2.3",
            "1234.1.1.1",
            "1.2.3.255",
            "1.2.3.256",
            "::ffff:1.2.3.4",
            "2001:db8::1",
            "a.b.c.d",
            "1.2.3.4x",
            "9.9.9.999",
            "100.64.198.230",
        ];
        for s in samples {
            let std = s.parse::<std::net::Ipv4Addr>().ok();
            match plain_ipv4(s.as_bytes()) {
                Some(v) => assert_eq!(Some(v), std, "{s}"),
                None => assert!(std.is_none(), "{s}: std {std:?}"),
            }
            assert_eq!(
                parse_ip(s.as_bytes()),
                s.parse::<IpAddr>().ok().map(canonical_ip),
                "{s}"
            );
        }
        // Every octet value and length in each position.
        for o in 0..=999u32 {
            for form in [
                format!("{o}.1.2.3"),
                format!("1.2.3.{o}"),
                format!("1.{o:03}.2.3"),
            ] {
                assert_eq!(
                    plain_ipv4(form.as_bytes()).map(IpAddr::V4),
                    form.parse::<IpAddr>().ok(),
                    "{form}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in Service::ALL {
            assert_eq!(Service::from_name(s.as_str()), Some(*s));
        }
        assert_eq!(Service::ALL.len(), Service::COUNT);
    }
}
