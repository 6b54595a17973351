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
    let s = std::str::from_utf8(b).ok()?;
    s.parse::<IpAddr>().ok().map(canonical_ip)
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

    #[test]
    fn names_round_trip() {
        for s in Service::ALL {
            assert_eq!(Service::from_name(s.as_str()), Some(*s));
        }
        assert_eq!(Service::ALL.len(), Service::COUNT);
    }
}
