//! Dovecot 2.2, 2.3 and 2.4: the login processes' summary lines and the auth
//! process's detail lines.
//!
//! Two envelopes reach this parser:
//!
//! - syslog: program `dovecot`, message `imap-login: Login: user=<…>, …`,
//!   `auth: sql(…): Password mismatch`, `auth-worker(304): pam(…): …` or, in
//!   2.4, `auth(user,ip,sasl:plain)<session>: sql: Password mismatch`;
//! - Dovecot's own log file (no host): program `imap-login`, `auth`,
//!   `auth-worker` (pid `304`) or a whole 2.4 auth tag
//!   (`auth(user,ip,sasl:login)<session>`, or program `auth` with the
//!   parenthesised part as its pid), message `Info: …`.
//!
//! The login summary (`Login:`/`Logged in:`, `… (auth failed, N attempts in
//! S secs)`) is the attempt and carries its count. The auth process lines
//! only give the reason (unknown user or bad password): they become
//! `detail` events that are not counted again.
//!
//! Elements (`user=<…>, method=…, rip=…`) are admin-configurable, so they are
//! read by key, never by position. The user name is attacker text and can
//! contain `>`, `, ` or `rip=`: it is delimited by the structure after it
//! (the last `, rip=`), never by the first `>`.

use std::net::IpAddr;

use super::util::find;
use super::{Header, Verdict};
use crate::event::{parse_ip, Outcome, Parsed, Reason, Service, Source};

/// Read one Dovecot message.
pub fn parse<'a>(h: &Header<'a>, msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let program = h.program;
    if program == b"dovecot" {
        return syslog(msg, out);
    }
    if let Some(service) = login_service(program) {
        return login(service, msg, out);
    }
    match program {
        b"auth" | b"auth-worker" | b"dovecot-auth" => {
            // 2.3: pid empty or `304`; 2.4 without a session: the pid is the
            // request context `user,ip,sasl:mech`.
            let ctx = (!h.pid.is_empty()).then_some(h.pid);
            auth(ctx, msg, out)
        }
        _ => match tag_context(program) {
            Some(ctx) => auth(Some(ctx), msg, out),
            None => Verdict::Ignored,
        },
    }
}

/// The service of a login process name.
fn login_service(name: &[u8]) -> Option<Service> {
    match name {
        b"imap-login" => Some(Service::Imap),
        b"pop3-login" => Some(Service::Pop3),
        b"submission-login" => Some(Service::Smtp),
        b"managesieve-login" => Some(Service::Sieve),
        _ => None,
    }
}

/// A syslog message: `<process>: <body>`.
fn syslog<'a>(msg: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let name_end = msg
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .unwrap_or(msg.len());
    let (name, rest) = msg.split_at(name_end);
    if let Some(body) = rest.strip_prefix(b": ") {
        if let Some(service) = login_service(name) {
            return login(service, body, out);
        }
        if name == b"auth" || name == b"auth-worker" {
            return auth(None, body, out);
        }
        return Verdict::Ignored;
    }
    if rest.first() == Some(&b'(') && (name == b"auth" || name == b"auth-worker") {
        // 2.3 `auth-worker(304): …`
        let inner = &rest[1..];
        let digits = inner.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            if let Some(body) = inner[digits..].strip_prefix(b"): ") {
                return auth(Some(&inner[..digits]), body, out);
            }
        }
        // 2.4 `auth(user,ip,sasl:plain)<session>: …`
        return auth24_syslog(rest, out);
    }
    Verdict::Ignored
}

// ---------------------------------------------------------------------------
// Login processes
// ---------------------------------------------------------------------------

/// Level prefixes of Dovecot's own log file (syslog has them too, except
/// `Info: `).
const LEVELS: &[&[u8]] = &[b"Warning: ", b"Error: ", b"Fatal: ", b"Panic: ", b"Debug: "];

/// Strip a level prefix: the rest and whether the line is at info level
/// (`Info: ` or no prefix).
fn strip_level(b: &[u8]) -> (&[u8], bool) {
    if let Some(r) = b.strip_prefix(b"Info: ") {
        return (r, true);
    }
    for level in LEVELS {
        if let Some(r) = b.strip_prefix(*level) {
            return (r, false);
        }
    }
    (b, true)
}

/// Prefixes of the login summary (the message before the reason).
const SUMMARY_PREFIXES: &[&[u8]] = &[
    b"Disconnected",
    b"Aborted login",
    b"Login aborted",
    b"Remote closed connection",
    b"Client has quit the connection",
    b"Connection closed",
];

/// A login process line (`imap-login: …`), level prefix included.
fn login<'a>(service: Service, body: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let (mut body, info) = strip_level(body);
    if let Some(el) = body
        .strip_prefix(b"Login: ")
        .or_else(|| body.strip_prefix(b"Logged in: "))
    {
        let e = Elements::parse(el);
        let mut p = Parsed::login(Outcome::Success, Source::Dovecot, service);
        e.apply(&mut p);
        out.push(p);
        return Verdict::Events;
    }
    if !info {
        return Verdict::Ignored;
    }
    if body.starts_with(b"proxy(") {
        // `proxy(user[,host:port]): …`: the proxy's own lines (started
        // proxying, backend refused) are not the attempt; only a summary
        // logged under the proxy prefix is read.
        match strip_proxy_prefix(body) {
            Some(rest) => body = rest,
            None => return Verdict::Ignored,
        }
    }
    if let Some(rest) = body.strip_prefix(b"Login failed") {
        // 2.4 immediate refusals: policy, not a password attempt.
        if rest.starts_with(b": Cleartext authentication disabled")
            || rest.starts_with(b": SSL required for authentication")
        {
            return Verdict::Ignored;
        }
        return Verdict::Unrecognized;
    }
    // The reason is in the message, before the elements: only there, so a
    // user name cannot inject one.
    let head = &body[..find(body, b"user=<").unwrap_or(body.len())];
    match summary(head) {
        Summary::Fail { reason, count, end } => {
            let el = match find(&body[end..], b": ") {
                Some(i) => &body[end + i + 2..],
                None => &body[body.len()..],
            };
            let e = Elements::parse(el);
            let mut p = Parsed::login(Outcome::Failure, Source::Dovecot, service);
            e.apply(&mut p);
            p.reason = Some(reason);
            p.count = count;
            out.push(p);
            Verdict::Events
        }
        Summary::Ignore => Verdict::Ignored,
        Summary::Malformed | Summary::Mentions => Verdict::Unrecognized,
        Summary::Unknown => {
            if SUMMARY_PREFIXES.iter().any(|p| head.starts_with(p)) || !auth_words(head) {
                Verdict::Ignored
            } else {
                Verdict::Unrecognized
            }
        }
    }
}

/// `proxy(…): Login aborted: …` → the summary after the prefix; `None` for
/// the proxy's other lines.
fn strip_proxy_prefix(body: &[u8]) -> Option<&[u8]> {
    let mut from = 0;
    for _ in 0..16 {
        let at = from + find(&body[from..], b"): ")?;
        let rest = &body[at + 3..];
        if SUMMARY_PREFIXES.iter().any(|p| rest.starts_with(p)) {
            return Some(rest);
        }
        from = at + 1;
    }
    None
}

/// What the parenthesised reasons of a summary say.
#[derive(Debug, PartialEq, Eq)]
enum Summary {
    /// A failed attempt (`end`: just after the deciding parenthesis).
    Fail {
        reason: Reason,
        count: u32,
        end: usize,
    },
    /// A known reason that is not a password attempt.
    Ignore,
    /// A known reason whose counts do not parse.
    Malformed,
    /// No known reason, but one that speaks of auth or attempts.
    Mentions,
    /// No known reason.
    Unknown,
}

/// Human reasons (2.3 and 2.4) that are a failed attempt.
const FAIL_HUMAN: &[(&[u8], Reason)] = &[
    (b"auth failed", Reason::BadPassword),
    (b"authorization failed", Reason::Other),
    (b"user disabled", Reason::Disabled),
    (b"password expired", Reason::Expired),
    (b"proxy dest auth failed", Reason::BadPassword),
    (b"proxy dest authentication failure", Reason::BadPassword),
];

/// 2.4 event reasons that are a failed attempt.
const FAIL_EVENT: &[(&[u8], Reason)] = &[
    (b"auth_failed", Reason::BadPassword),
    (b"authorization_failed", Reason::Other),
    (b"user_disabled", Reason::Disabled),
    (b"password_expired", Reason::Expired),
    (b"proxy_dest_auth_failed", Reason::BadPassword),
];

/// Human reasons (2.3 `client_get_extra_disconnect_reason`, 2.4
/// `client_get_extra_disconnect_reason` and `client_auth_fail_code_reasons`)
/// that are not a password attempt.
const IGNORE_HUMAN: &[&[u8]] = &[
    b"no auth attempts",
    b"auth service reported temporary failure",
    b"disconnected before auth was ready",
    b"disconnected during TLS handshake",
    b"client didn't finish SASL auth",
    b"disconnected while authenticating",
    b"disconnected while finishing login",
    b"aborted authentication",
    b"auth aborted by client",
    b"auth process communication failure",
    b"internal failure",
    b"sent invalid base64 in response",
    b"login disabled",
    // `tried to use unsupported auth mechanism`, `… disallowed plaintext
    // auth` (2.3), `… disallowed cleartext auth` (2.4): policy.
    b"tried to use",
    b"anonymous logins disabled",
    b"cert required",
    b"client sent an invalid cert",
    b"client sent an untrusted cert",
    b"client didn't send a cert",
    b"client_limit and process_limit was hit",
    b"The process is shutting down",
    b"auth referral",
    b"connection limit reached",
    b"proxy dest connection failed",
    b"proxy dest internal failure",
    b"proxy dest remote failure",
    b"proxy dest protocol failure",
    b"proxy dest temporary authentication failure",
    b"proxy dest redirected",
];

/// 2.4 event reasons that are not a password attempt.
const IGNORE_EVENT: &[&[u8]] = &[
    b"no_auth_attempts",
    b"auth_temp_failed",
    b"temp_fail",
    b"tls_handshake_not_finished",
    b"auth_process_not_ready",
    b"process_full",
    b"shutting_down",
    b"client_ssl_not_started",
    b"client_ssl_cert_missing",
    b"client_ssl_cert_untrusted",
    b"auth_process_comm_fail",
    b"auth_aborted_by_client",
    b"auth_waiting_client",
    b"auth_nologin_referral",
    b"connection_limit",
    b"internal_failure",
    b"invalid_base64",
    b"login_disabled",
    b"invalid_mech",
    b"cleartext_auth_disabled",
    b"anonymous_auth_disabled",
    b"proxy_dest_connect_failed",
    b"proxy_dest_internal_failure",
    b"proxy_dest_remote_failure",
    b"proxy_dest_protocol_failure",
    b"proxy_dest_auth_temp_failed",
    b"proxy_dest_redirected",
];

/// Classify the parenthesised reasons of a summary's message part: the
/// first known one decides.
fn summary(head: &[u8]) -> Summary {
    let mut from = 0;
    let mut mentions = false;
    let mut previous: &[u8] = b"";
    while let Some(i) = memchr::memchr(b'(', &head[from..]) {
        let open = from + i;
        let Some(j) = memchr::memchr(b')', &head[open + 1..]) else {
            break;
        };
        let close = open + 1 + j;
        let inner = &head[open + 1..close];
        let end = close + 1;
        for (phrase, reason) in FAIL_HUMAN {
            if let Some(rest) = phrase_rest(inner, phrase) {
                return match attempts(rest) {
                    Some(count) => Summary::Fail {
                        reason: *reason,
                        count,
                        end,
                    },
                    None => Summary::Malformed,
                };
            }
        }
        if IGNORE_HUMAN.iter().any(|p| phrase_rest(inner, p).is_some()) {
            return Summary::Ignore;
        }
        if let Some((_, reason)) = FAIL_EVENT.iter().find(|(e, _)| inner == *e) {
            // An unknown human reason before a known event reason: take
            // its count when it has the usual `, N attempts` tail.
            let count = memchr::memchr(b',', previous)
                .and_then(|c| attempts(&previous[c..]))
                .unwrap_or(1);
            return Summary::Fail {
                reason: *reason,
                count,
                end,
            };
        }
        if IGNORE_EVENT.contains(&inner) {
            return Summary::Ignore;
        }
        mentions |= auth_words(inner);
        previous = inner;
        from = open + 1;
    }
    if mentions {
        Summary::Mentions
    } else {
        Summary::Unknown
    }
}

/// `inner` is `phrase` alone or followed by `,` or ` `: the rest.
fn phrase_rest<'a>(inner: &'a [u8], phrase: &[u8]) -> Option<&'a [u8]> {
    let rest = inner.strip_prefix(phrase)?;
    match rest.first() {
        None | Some(b',') | Some(b' ') => Some(rest),
        _ => None,
    }
}

/// The attempt count after a reason phrase: empty → 1, `, N attempts in S
/// secs` → N, `, A/B successful auths …` → B−A; anything else → `None`.
fn attempts(rest: &[u8]) -> Option<u32> {
    if rest.is_empty() {
        return Some(1);
    }
    let s = rest.strip_prefix(b", ")?;
    let (n, after) = leading_u32(s)?;
    if after.starts_with(b" attempts") {
        return Some(n.max(1));
    }
    let after = after.strip_prefix(b"/")?;
    let (total, after) = leading_u32(after)?;
    if after.starts_with(b" successful auths") {
        return Some(total.saturating_sub(n).max(1));
    }
    None
}

/// A decimal number at the start of `s`, and what follows it.
fn leading_u32(s: &[u8]) -> Option<(u32, &[u8])> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let mut n: u32 = 0;
    for &d in &s[..digits] {
        n = n * 10 + u32::from(d - b'0');
    }
    Some((n, &s[digits..]))
}

/// Whether text speaks of authentication (case-insensitive).
fn auth_words(s: &[u8]) -> bool {
    [
        &b"auth"[..],
        b"login",
        b"logged in",
        b"password",
        b"attempt",
    ]
    .iter()
    .any(|w| contains_ci(s, w))
}

/// Case-insensitive substring test (`needle` lower case).
fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && hay.len() >= needle.len()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The elements of a login summary (`user=<…>, method=…, rip=…, …, TLS`).
#[derive(Debug, Default, PartialEq, Eq)]
struct Elements<'a> {
    user: Option<&'a [u8]>,
    ip: Option<IpAddr>,
    method: Option<&'a [u8]>,
    tls: Option<bool>,
}

/// Element keys, to find where an unanchored user name ends.
const KNOWN_ELEMENTS: &[&[u8]] = &[
    b"method=",
    b"rip=",
    b"lip=",
    b"mpid=",
    b"rport=",
    b"lport=",
    b"session=<",
    b"TLS",
    b"TSL",
    b"secured",
];

impl<'a> Elements<'a> {
    fn parse(e: &'a [u8]) -> Elements<'a> {
        let len = e.len();
        let mut out = Elements::default();
        let Some(u) = find_key(e, b"user=<", 0, len) else {
            out.ip = find_key(e, b"rip=", 0, len).and_then(|r| parse_ip(value(e, r + 4)));
            out.method = find_key(e, b"method=", 0, len).map(|m| value(e, m + 7));
            out.tls = tls_of(&[e]);
            return out;
        };
        let vs = u + 6;
        // The real `rip=` is server text: before the user element, or the
        // last one after it (the user name can only inject earlier ones).
        let rip_before = find_key(e, b"rip=", 0, u);
        let rip_after = match rip_before {
            Some(_) => None,
            None => rfind_key(e, b"rip=", vs),
        };
        let vend = match rip_after {
            Some(r) => {
                let seg = e.get(vs..r.saturating_sub(2)).unwrap_or(b"");
                match memchr::memrchr(b'>', seg) {
                    Some(g) => vs + g,
                    None => unanchored_user_end(e, vs),
                }
            }
            None => unanchored_user_end(e, vs),
        };
        let user = &e[vs..vend];
        out.user = (!user.is_empty()).then_some(user);
        let before = &e[..u];
        let after_start = (vend + 1).min(len);
        let after = &e[after_start..];
        out.ip = rip_before
            .or(rip_after)
            .and_then(|r| parse_ip(value(e, r + 4)));
        out.method = find_key(e, b"method=", 0, u)
            .or_else(|| find_key(e, b"method=", after_start, len))
            .map(|m| value(e, m + 7));
        out.tls = tls_of(&[before, after]);
        out
    }

    fn apply(&self, p: &mut Parsed<'a>) {
        p.user = self.user;
        p.ip = self.ip;
        p.method = self.method.filter(|m| !m.is_empty());
        p.tls = self.tls;
    }
}

/// Where the user name ends when no `rip=` follows it: the first `>, ` that
/// is followed by a known element, else a final `>`, else the end.
fn unanchored_user_end(e: &[u8], vs: usize) -> usize {
    let mut from = vs;
    while let Some(i) = find(&e[from..], b">, ") {
        let at = from + i;
        let next = &e[at + 3..];
        if KNOWN_ELEMENTS.iter().any(|k| next.starts_with(k)) {
            return at;
        }
        from = at + 1;
    }
    if e.len() > vs && e.last() == Some(&b'>') {
        e.len() - 1
    } else {
        e.len()
    }
}

/// Whether position `at` starts an element (start of list or after `, `).
fn at_boundary(e: &[u8], at: usize) -> bool {
    at == 0 || (at >= 2 && e.get(at - 2..at) == Some(&b", "[..]))
}

/// First element `key` starting in `e[from..to]`.
fn find_key(e: &[u8], key: &[u8], from: usize, to: usize) -> Option<usize> {
    let hay = e.get(..to)?;
    let mut i = from;
    while i <= hay.len() {
        let at = i + find(hay.get(i..)?, key)?;
        if at_boundary(e, at) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Last element `key` starting at or after `from`.
fn rfind_key(e: &[u8], key: &[u8], from: usize) -> Option<usize> {
    let mut to = e.len();
    while to > from {
        let at = from + super::util::rfind(e.get(from..to)?, key)?;
        if at_boundary(e, at) {
            return Some(at);
        }
        to = at + key.len() - 1;
    }
    None
}

/// The value starting at `at`, up to the next `, ` (or the end).
fn value(e: &[u8], at: usize) -> &[u8] {
    let v = e.get(at..).unwrap_or(b"");
    &v[..find(v, b", ").unwrap_or(v.len())]
}

/// The secured element: `TLS`, `TLS: <error>`, `TLS handshaking…`, the 2.4
/// `TSL` typo or a `%k` cipher text → true; `secured` (trusted, not TLS)
/// → unknown; none → false.
fn tls_of(regions: &[&[u8]]) -> Option<bool> {
    let mut secured = false;
    for region in regions {
        let mut rest: &[u8] = region;
        loop {
            let (el, next) = match find(rest, b", ") {
                Some(i) => (&rest[..i], Some(&rest[i + 2..])),
                None => (rest, None),
            };
            if el == b"TLS"
                || el == b"TSL"
                || el.starts_with(b"TLS: ")
                || el.starts_with(b"TLS handshaking")
                || el.starts_with(b"TLSv")
            {
                return Some(true);
            }
            if el == b"secured" {
                secured = true;
            }
            match next {
                Some(n) => rest = n,
                None => break,
            }
        }
    }
    if secured {
        None
    } else {
        Some(false)
    }
}

// ---------------------------------------------------------------------------
// Auth process (auth_verbose)
// ---------------------------------------------------------------------------

/// Bytes of a passdb/module name (`passwd-file`, `sql`, `ldap1`, `pam`).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// The request context of a 2.4 auth tag given as the program
/// (`auth(user,ip,sasl:login)<session>`, `auth-worker(user,ip)<pid><session>`).
fn tag_context(program: &[u8]) -> Option<&[u8]> {
    let open = if program.starts_with(b"auth(") {
        4
    } else if program.starts_with(b"auth-worker(") {
        11
    } else {
        return None;
    };
    let close = tag_close(program)?;
    program.get(open + 1..close)
}

/// Position of the `)` that ends a tag `name(…)` followed by zero or more
/// `<…>` groups (pid, session) and nothing else.
fn tag_close(tag: &[u8]) -> Option<usize> {
    let mut t = tag;
    while t.last() == Some(&b'>') {
        let lt = memchr::memrchr(b'<', t)?;
        if t[lt..].contains(&b' ') {
            return None;
        }
        t = &t[..lt];
    }
    if t.last() == Some(&b')') {
        Some(t.len() - 1)
    } else {
        None
    }
}

/// Strip the level and the 2.4 worker's `request [N]: ` (in either order).
fn strip_auth_prefixes(b: &[u8]) -> (&[u8], bool) {
    let (b, info1) = strip_level(b);
    let b = strip_request(b);
    let (b, info2) = strip_level(b);
    (b, info1 && info2)
}

fn strip_request(b: &[u8]) -> &[u8] {
    if let Some(r) = b.strip_prefix(b"request [") {
        let digits = r.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            if let Some(rest) = r[digits..].strip_prefix(b"]: ") {
                return rest;
            }
        }
    }
    b
}

/// The most candidate prefix ends tried on one line.
const MAX_CANDIDATES: usize = 32;

/// An auth process line; `ctx` is the 2.4 request context from the tag.
fn auth<'a>(ctx: Option<&'a [u8]>, body: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let (b, info) = strip_auth_prefixes(body);
    let found = pick23(b).or_else(|| {
        let ctx = ctx?;
        let (reason, _) = message24(b)?;
        Some((ctx, reason))
    });
    match found {
        Some((content, reason)) if info => {
            push_detail(content, reason, out);
            Verdict::Events
        }
        Some(_) => Verdict::Ignored,
        None => unmatched_auth(b, info),
    }
}

/// 2.4 syslog: `rest` = `(user,ip,sasl:mech)<session>: [request [N]: ]body`.
/// The user name may contain `): `: each possible end of the tag is tried.
fn auth24_syslog<'a>(rest: &'a [u8], out: &mut Vec<Parsed<'a>>) -> Verdict {
    let mut best: Option<(&[u8], Reason, bool)> = None;
    let mut first_body: Option<(&[u8], bool)> = None;
    let mut from = 1;
    for _ in 0..MAX_CANDIDATES {
        let Some(i) = find(&rest[from..], b": ") else {
            break;
        };
        let at = from + i;
        if let Some(close) = tag_close(&rest[..at]) {
            let content = &rest[1..close.max(1)];
            let (b, info) = strip_auth_prefixes(&rest[at + 2..]);
            first_body.get_or_insert((b, info));
            if let Some((reason, given)) = message24(b) {
                best = Some((content, reason, info));
                if given {
                    break;
                }
            }
        }
        from = at + 1;
    }
    match (best, first_body) {
        (Some((content, reason, true)), _) => {
            push_detail(content, reason, out);
            Verdict::Events
        }
        (Some(_), _) => Verdict::Ignored,
        (None, Some((b, info))) => unmatched_auth(b, info),
        (None, None) => Verdict::Ignored,
    }
}

/// An auth line that matched no detail pattern.
fn unmatched_auth(b: &[u8], info: bool) -> Verdict {
    if info && (contains_ci(b, b"password") || contains_ci(b, b"unknown user")) {
        Verdict::Unrecognized
    } else {
        Verdict::Ignored
    }
}

/// 2.3: `passdb(user,ip[,<session>]): message` → (context, reason). The user
/// name may contain `): `: of the possible ends, the last whose message is
/// known wins, except that the first followed by `(given password: ` wins
/// (what follows it is the password, attacker text).
fn pick23(b: &[u8]) -> Option<(&[u8], Reason)> {
    let open = memchr::memchr(b'(', b)?;
    let name = &b[..open];
    if name.is_empty() || !name.iter().all(|&c| is_name_byte(c)) {
        return None;
    }
    let inner = &b[open + 1..];
    let mut best = None;
    let mut from = 0;
    for _ in 0..MAX_CANDIDATES {
        let Some(i) = find(&inner[from..], b"): ") else {
            break;
        };
        let at = from + i;
        if let Some((reason, given)) = detail_message(&inner[at + 3..]) {
            best = Some((&inner[..at], reason));
            if given {
                break;
            }
        }
        from = at + 1;
    }
    best
}

/// 2.4 body after the tag: `passdb: message` (or the message alone).
fn message24(b: &[u8]) -> Option<(Reason, bool)> {
    if let Some(r) = detail_message(b) {
        return Some(r);
    }
    let colon = find(b, b": ")?;
    let name = &b[..colon];
    if name.is_empty() || !name.iter().all(|&c| is_name_byte(c)) {
        return None;
    }
    detail_message(&b[colon + 2..])
}

/// A detail message: the reason, and whether `(given password: …)` follows.
fn detail_message(m: &[u8]) -> Option<(Reason, bool)> {
    let given = |rest: &[u8]| find(rest, b"(given password: ").is_some();
    for (text, reason) in [
        (&b"unknown user"[..], Reason::UnknownUser),
        (b"Password mismatch", Reason::BadPassword),
    ] {
        if let Some(rest) = m.strip_prefix(text) {
            // Nothing, or ` (given password: …)`, ` (SHA1 of …)`,
            // ` - trying the next passdb` (after one or two spaces).
            let ok = rest.is_empty()
                || rest == b" "
                || rest.starts_with(b" (")
                || rest.starts_with(b" - ")
                || rest.starts_with(b"  - ");
            return ok.then(|| (reason, given(rest)));
        }
    }
    if let Some(rest) = m.strip_prefix(b"pam_authenticate() failed: ") {
        let reason = if find(rest, b"(password mismatch?)").is_some() {
            Reason::BadPassword
        } else {
            Reason::Other
        };
        return Some((reason, given(rest)));
    }
    None
}

/// Split a request context: `user[,ip][,master][,<session>]` (2.3) or
/// `user[,ip][,sasl:mech][,master]` (2.4). The user name may contain commas:
/// known trailing fields are taken off the right, then an address.
fn split_context(c: &[u8]) -> (Option<&[u8]>, Option<IpAddr>, Option<&[u8]>) {
    let mut rest = c;
    let mut method = None;
    let mut ip = None;
    while let Some(comma) = memchr::memrchr(b',', rest) {
        let field = &rest[comma + 1..];
        if field.is_empty()
            || field == b"master"
            || (field.len() >= 2 && field[0] == b'<' && field[field.len() - 1] == b'>')
        {
            rest = &rest[..comma];
            continue;
        }
        if let Some(m) = field.strip_prefix(b"sasl:") {
            method.get_or_insert(m);
            rest = &rest[..comma];
            continue;
        }
        if let Some(a) = parse_ip(field) {
            ip = Some(a);
            rest = &rest[..comma];
        }
        break;
    }
    let user = (!rest.is_empty() && rest != b"?").then_some(rest);
    (user, ip, method.filter(|m| !m.is_empty()))
}

fn push_detail<'a>(content: &'a [u8], reason: Reason, out: &mut Vec<Parsed<'a>>) {
    let (user, ip, method) = split_context(content);
    let mut p = Parsed::login(Outcome::Failure, Source::Dovecot, Service::Other);
    p.user = user;
    p.ip = ip;
    p.method = method;
    p.reason = Some(reason);
    p.detail = true;
    out.push(p);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Kind;
    use crate::parse::header::{self, RawStamp};
    use crate::parse::parse_line;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    /// A full line through the envelope split and dispatch.
    fn line(l: &'static str) -> (Verdict, Vec<Parsed<'static>>) {
        let mut out = Vec::new();
        let r = parse_line(l.as_bytes(), &mut out);
        (r.verdict, out)
    }

    /// One event expected.
    fn one(l: &'static str) -> Parsed<'static> {
        let (v, mut out) = line(l);
        assert_eq!(v, Verdict::Events, "{l}");
        assert_eq!(out.len(), 1, "{l}");
        out.pop().unwrap()
    }

    fn verdict(l: &'static str) -> Verdict {
        let (v, out) = line(l);
        if v != Verdict::Events {
            assert!(out.is_empty(), "{l}");
        }
        v
    }

    /// A message under syslog program `dovecot`.
    fn msg(m: &'static str) -> (Verdict, Vec<Parsed<'static>>) {
        direct(b"dovecot", b"", m.as_bytes())
    }

    fn direct(
        program: &'static [u8],
        pid: &'static [u8],
        m: &'static [u8],
    ) -> (Verdict, Vec<Parsed<'static>>) {
        let h = Header {
            stamp: RawStamp::Bsd(b"Nov 26 08:51:18"),
            host: b"mx1",
            program,
            pid,
            msg: m,
        };
        let mut out = Vec::new();
        let v = parse(&h, m, &mut out);
        (v, out)
    }

    fn msg_one(m: &'static str) -> Parsed<'static> {
        let (v, mut out) = msg(m);
        assert_eq!(v, Verdict::Events, "{m}");
        assert_eq!(out.len(), 1, "{m}");
        out.pop().unwrap()
    }

    fn msg_verdict(m: &'static str) -> Verdict {
        let (v, out) = msg(m);
        if v != Verdict::Events {
            assert!(out.is_empty(), "{m}");
        }
        v
    }

    // -- successes ---------------------------------------------------------

    #[test]
    fn login_23_default_format() {
        let p = one("Nov 26 08:51:18 mx1 dovecot: imap-login: Login: user=<alice@example.org>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=12345, TLS, session=<q454Xu/vMwBZApgg>");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.source, Source::Dovecot);
        assert_eq!(p.service, Service::Imap);
        assert_eq!(p.user, Some(&b"alice@example.org"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        assert_eq!(p.tls, Some(true));
        assert_eq!(p.reason, None);
        assert_eq!(p.count, 1);
        assert!(!p.detail);
    }

    #[test]
    fn login_22_with_cipher_text_and_no_session() {
        let p = one("Jan 15 10:36:22 mail2 dovecot: imap-login: Login: user=<support@example.com>, method=PLAIN, rip=203.0.113.86, lip=198.51.100.86, mpid=27548, TLS, TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)");
        assert_eq!(p.user, Some(&b"support@example.com"[..]));
        assert_eq!(p.ip, ip("203.0.113.86"));
        assert_eq!(p.tls, Some(true));
    }

    #[test]
    fn login_24_logged_in() {
        let p = one("Nov 26 08:51:18 mx1 dovecot[241]: imap-login: Logged in: user=<alice@example.org>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=12345, TLS, session=<q454Xu/vMwBZApgg>");
        assert_eq!(p.outcome, Outcome::Success);
        assert_eq!(p.user, Some(&b"alice@example.org"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
        assert_eq!(p.tls, Some(true));
    }

    #[test]
    fn login_services() {
        for (l, s) in [
            ("Nov 26 08:51:18 mx1 dovecot: pop3-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.11, lip=198.51.100.5, mpid=1, session=<a>", Service::Pop3),
            ("Nov 26 08:51:18 mx1 dovecot: submission-login: Login: user=<bob>, method=LOGIN, rip=192.0.2.11, lip=198.51.100.5, mpid=1, session=<a>", Service::Smtp),
            ("Nov 26 08:51:18 mx1 dovecot: managesieve-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.11, lip=198.51.100.5, mpid=1, session=<a>", Service::Sieve),
        ] {
            assert_eq!(one(l).service, s, "{l}");
        }
    }

    #[test]
    fn login_without_tls_element_is_cleartext() {
        let p = one("Nov 26 08:51:18 mx1 dovecot: pop3-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.11, lip=198.51.100.5, mpid=12, session=<AbCdEfGhIjKlMnOp>");
        assert_eq!(p.tls, Some(false));
    }

    #[test]
    fn login_secured_is_unknown_tls() {
        let p = one("Nov 26 08:51:18 mx1 dovecot: imap-login: Login: user=<bob>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=12, secured, session=<AbCdEfGhIjKlMnOp>");
        assert_eq!(p.tls, None);
        assert_eq!(p.ip, ip("127.0.0.1"));
    }

    #[test]
    fn login_tls_variants() {
        let p = msg_one("imap-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, TLS: Disconnected, session=<x>");
        assert_eq!(p.tls, Some(true));
        let p = msg_one(
            "imap-login: Logged in: user=<bob>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, TSL",
        );
        assert_eq!(p.tls, Some(true));
    }

    #[test]
    fn login_own_log_file() {
        let p = one("Jan 29 09:33:58 imap-login: Info: Login: user=<carol@example.net>, method=PLAIN, rip=198.51.100.20, lip=192.0.2.1, mpid=4242, TLS, session=<Zm9vYmFyYmF6cXV4>");
        assert_eq!(p.service, Service::Imap);
        assert_eq!(p.user, Some(&b"carol@example.net"[..]));
        assert_eq!(p.ip, ip("198.51.100.20"));
    }

    #[test]
    fn login_mapped_ipv4_folds_and_ipv6() {
        let p = msg_one("imap-login: Login: user=<bob>, method=PLAIN, rip=::ffff:192.0.2.44, lip=::ffff:192.0.2.1, mpid=12, TLS, session=<s>");
        assert_eq!(p.ip, ip("192.0.2.44"));
        let p = msg_one("imap-login: Login: user=<bob>, method=PLAIN, rip=2001:db8::25, lip=2001:db8::1, mpid=12, TLS, session=<s>");
        assert_eq!(p.ip, ip("2001:db8::25"));
    }

    #[test]
    fn elements_in_any_order() {
        let p = msg_one("imap-login: Login: rip=192.0.2.7, TLS, method=CRAM-MD5, user=<dave>, session=<s>, lip=192.0.2.1");
        assert_eq!(p.user, Some(&b"dave"[..]));
        assert_eq!(p.ip, ip("192.0.2.7"));
        assert_eq!(p.method, Some(&b"CRAM-MD5"[..]));
        assert_eq!(p.tls, Some(true));
        // User last, with ports configured.
        let p = msg_one("imap-login: Login: method=PLAIN, rip=192.0.2.8, rport=50123, lip=192.0.2.1, lport=993, user=<erin>");
        assert_eq!(p.user, Some(&b"erin"[..]));
        assert_eq!(p.ip, ip("192.0.2.8"));
        assert_eq!(p.tls, Some(false));
    }

    #[test]
    fn user_name_with_rip_injection() {
        // The client typed `<evil>, rip=203.0.113.66` as its user name.
        let p = one("Nov 26 08:51:18 mx1 dovecot: imap-login: Login: user=<<evil>, rip=203.0.113.66>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=12345, TLS, session=<q454Xu/vMwBZApgg>");
        assert_eq!(p.user, Some(&b"<evil>, rip=203.0.113.66"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        assert_eq!(p.tls, Some(true));
    }

    #[test]
    fn user_name_with_element_injection_in_failure() {
        let p = one("Nov 26 08:51:18 mx1 dovecot: imap-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<x>, method=EVIL, rip=203.0.113.66, TLS, y>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, session=<q454Xu/vMwBZApgg>");
        assert_eq!(
            p.user,
            Some(&b"x>, method=EVIL, rip=203.0.113.66, TLS, y"[..])
        );
        assert_eq!(p.ip, ip("192.0.2.10"));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        assert_eq!(p.tls, Some(false));
        assert_eq!(p.count, 2);
    }

    #[test]
    fn user_name_with_spaces_and_from() {
        let p = one("Nov 26 08:51:18 mx1 dovecot: imap-login: Login: user=<john smith from 203.0.113.9>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=3, TLS, session=<s>");
        assert_eq!(p.user, Some(&b"john smith from 203.0.113.9"[..]));
        assert_eq!(p.ip, ip("192.0.2.10"));
    }

    #[test]
    fn user_name_with_gt_and_no_rip() {
        // No rip element: the first `>, ` before a known element ends it.
        let p = msg_one("imap-login: Login: user=<a>b>, method=PLAIN, lip=192.0.2.1, TLS");
        assert_eq!(p.user, Some(&b"a>b"[..]));
        assert_eq!(p.ip, None);
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
    }

    // -- failures ----------------------------------------------------------

    #[test]
    fn aborted_login_auth_failed() {
        let p = one("Jul 02 13:49:31 mail1 dovecot[442]: pop3-login: Aborted login (auth failed, 1 attempts in 17 secs): user=<test>, method=PLAIN, rip=198.51.100.13, lip=203.0.113.17, session=<YADINsQCDs5BH8Pg>");
        assert_eq!(p.kind, Kind::Login);
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.service, Service::Pop3);
        assert_eq!(p.user, Some(&b"test"[..]));
        assert_eq!(p.ip, ip("198.51.100.13"));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.count, 1);
        assert_eq!(p.tls, Some(false));
        assert!(!p.detail);
    }

    #[test]
    fn disconnected_auth_failed_counts_attempts() {
        let p = one("Jan 14 15:54:30 mail1 dovecot: pop3-login: Disconnected (auth failed, 3 attempts in 12 secs): user=<ivo>, method=PLAIN, rip=192.0.2.4, lip=192.0.2.1, TLS: Disconnected, session=<q454Xu/vMwBZApgg>");
        assert_eq!(p.count, 3);
        assert_eq!(p.user, Some(&b"ivo"[..]));
        assert_eq!(p.ip, ip("192.0.2.4"));
        assert_eq!(p.tls, Some(true));
    }

    #[test]
    fn disconnected_free_text_with_colons_and_parens() {
        let p = one("Aug 28 06:38:52 web1 dovecot: imap-login: Disconnected: Connection closed: read(size=1003) failed: Connection reset by peer (auth failed, 1 attempts in 0 secs): user=<test@example.com>, rip=192.0.2.4, lip=127.0.0.19, session=<Lsz0Oo7WXti3b7xe>");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.user, Some(&b"test@example.com"[..]));
        assert_eq!(p.ip, ip("192.0.2.4"));
        assert_eq!(p.method, None);
        let p = one("Jan 13 20:51:05 mail1 dovecot: pop3-login: Disconnected: Inactivity (auth failed, 1 attempts in 178 secs): user=<ivo>, method=PLAIN, rip=192.0.2.4, lip=192.0.2.1, session=<6brQWt/vCADDhP/+>");
        assert_eq!(p.count, 1);
        let p = one("Jul 26 11:12:19 mail1 dovecot: imap-login: Disconnected: Too many invalid commands (auth failed, 1 attempts in 17 secs): user=<test>, method=PLAIN, rip=192.0.2.2, lip=192.168.1.1, TLS, session=<g3ZKeDECFqlWWMbU>");
        assert_eq!(p.tls, Some(true));
    }

    #[test]
    fn other_summary_prefixes() {
        let p = one("Aug 29 03:17:18 mx2 dovecot: submission-login: Client has quit the connection (auth failed, 1 attempts in 2 secs): user=<user1>, method=LOGIN, rip=192.0.2.133, lip=0.0.0.0");
        assert_eq!(p.service, Service::Smtp);
        assert_eq!(p.user, Some(&b"user1"[..]));
        assert_eq!(p.method, Some(&b"LOGIN"[..]));
        assert_eq!(p.ip, ip("192.0.2.133"));
        let p = msg_one("imap-login: Remote closed connection (auth failed, 4 attempts in 9 secs): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>");
        assert_eq!(p.count, 4);
        let p = msg_one("imap-login: Aborted login by logging out (auth failed, 2 attempts in 9 secs): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>");
        assert_eq!(p.count, 2);
    }

    #[test]
    fn login_aborted_24() {
        let p = one("Jun 12 19:07:29 mail3 dovecot[241]: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<9ZHq02g3J8S60fan>");
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.count, 3);
        assert_eq!(p.user, Some(&b"test"[..]));
        assert_eq!(p.ip, ip("192.0.2.241"));
        assert_eq!(p.method, Some(&b"PLAIN"[..]));
        assert_eq!(p.tls, Some(true));
        let p = one("Jun 13 16:35:56 mx dovecot[241]: managesieve-login: Login aborted: Logged out (auth failed, 1 attempts in 10 secs) (auth_failed): user=<user@example.org>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<Dp8j1Ho3suQYdo+k>");
        assert_eq!(p.service, Service::Sieve);
        assert_eq!(p.count, 1);
    }

    #[test]
    fn login_aborted_24_own_log() {
        let p = one("Aug 30 00:11:05 imap-login: Info: Login aborted: Connection closed (auth failed, 2 attempts in 5 secs) (auth_failed): user=<info@example.com>, method=LOGIN, rip=198.51.100.110, lip=192.0.2.1, TLS, session=<CvN+E95Uf4e7eEnj>");
        assert_eq!(p.count, 2);
        assert_eq!(p.user, Some(&b"info@example.com"[..]));
        assert_eq!(p.ip, ip("198.51.100.110"));
    }

    #[test]
    fn failure_reasons() {
        let p = msg_one("imap-login: Disconnected (authorization failed, 1 attempts in 0 secs): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, session=<s>");
        assert_eq!((p.reason, p.count), (Some(Reason::Other), 1));
        let p = msg_one("imap-login: Disconnected (user disabled): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, session=<s>");
        assert_eq!((p.reason, p.count), (Some(Reason::Disabled), 1));
        let p = msg_one("imap-login: Disconnected (password expired): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, session=<s>");
        assert_eq!((p.reason, p.count), (Some(Reason::Expired), 1));
        let p = one("Jul 17 09:21:22 mailproxy dovecot: imap-login: Disconnected (proxy dest auth failed): user=<rt@example.com>, method=PLAIN, rip=192.0.2.4, lip=192.168.1.2, session=<NTI4FiZxcQCSud4G>");
        assert_eq!((p.reason, p.count), (Some(Reason::BadPassword), 1));
        assert_eq!(p.user, Some(&b"rt@example.com"[..]));
        // 2.4 wordings.
        let p = msg_one("imap-login: Login aborted: Connection closed (user disabled, 1 attempts in 3 secs) (user_disabled): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>");
        assert_eq!(p.reason, Some(Reason::Disabled));
        let p = msg_one("imap-login: Login aborted: Connection closed (password expired, 2 attempts in 3 secs) (password_expired): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>");
        assert_eq!((p.reason, p.count), (Some(Reason::Expired), 2));
        let p = msg_one("imap-login: Login aborted: Connection closed (proxy dest authentication failure, 1 attempts in 3 secs) (proxy_dest_auth_failed): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>");
        assert_eq!((p.reason, p.count), (Some(Reason::BadPassword), 1));
        let p = msg_one("imap-login: Login aborted: Connection closed (authorization failed, 1/1 successful auths in 0 secs) (authorization_failed): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, session=<s>");
        assert_eq!((p.reason, p.count), (Some(Reason::Other), 1));
    }

    #[test]
    fn unknown_human_reason_with_known_event_reason() {
        let p = msg_one("imap-login: Login aborted: Connection closed (password rejected, 5 attempts in 30 secs) (auth_failed): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>");
        assert_eq!((p.reason, p.count), (Some(Reason::BadPassword), 5));
        assert_eq!(p.user, Some(&b"u"[..]));
    }

    #[test]
    fn failure_with_empty_user() {
        let p = msg_one("imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>");
        assert_eq!(p.user, None);
        assert_eq!(p.ip, ip("192.0.2.5"));
    }

    #[test]
    fn user_cannot_inject_a_failure() {
        // No auth attempt: the reason in the user field is not read.
        assert_eq!(
            msg_verdict("imap-login: Disconnected (no auth attempts in 0 secs): user=<(auth failed, 99 attempts in 1 secs)>, rip=192.0.2.5, lip=192.0.2.1, session=<s>"),
            Verdict::Ignored
        );
        assert_eq!(
            msg_verdict("imap-login: Disconnected: Inactivity: user=<(auth failed, 9 attempts in 1 secs)>, rip=192.0.2.5"),
            Verdict::Ignored
        );
    }

    // -- not attempts ------------------------------------------------------

    #[test]
    fn no_auth_attempts_are_ignored() {
        for l in [
            "Jun 13 20:48:11 mail1 dovecot: pop3-login: Disconnected (no auth attempts): rip=203.0.113.254, lip=198.51.100.194, TLS: Disconnected",
            "Jul 02 13:49:32 mail1 dovecot[442]: pop3-login: Disconnected (no auth attempts in 58 secs): user=<>, rip=198.51.100.13, lip=203.0.113.17, session=<LgDINsQCkttVIMPg>",
            "Aug 29 01:49:33 mail1 dovecot[459]: imap-login: Disconnected: Connection closed: SSL_accept() failed: error:1408F10B:SSL routines:ssl3_get_record:wrong version number (no auth attempts in 0 secs): user=<>, rip=192.0.2.5, lip=127.0.0.1, TLS handshaking: SSL_accept() failed: error:1408F10B:SSL routines:ssl3_get_record:wrong version number",
            "Dec 21 22:16:16 mail1 dovecot: imap-login: Aborted login (no auth attempts in 0 secs): user=<>, rip=172.22.1.5, lip=172.22.1.6, TLS, TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
            "Aug 30 00:11:05 imap-login: Info: Login aborted: Connection closed (no auth attempts in 0 secs) (no_auth_attempts): user=<>, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>",
        ] {
            assert_eq!(verdict(l), Verdict::Ignored, "{l}");
        }
    }

    #[test]
    fn non_password_reasons_are_ignored() {
        for m in [
            "imap-login: Disconnected (auth service reported temporary failure): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, session=<s>",
            "imap-login: Login aborted: Connection closed (auth service reported temporary failure, 1 attempts in 0 secs) (temp_fail): user=<u>, method=PLAIN, rip=192.0.2.5",
            "imap-login: Disconnected (disconnected before auth was ready, waited 0 secs): user=<>, rip=192.0.2.5, lip=192.0.2.1",
            "imap-login: Login aborted: Connection closed (disconnected during TLS handshake) (tls_handshake_not_finished): user=<>, rip=192.0.2.5, lip=192.0.2.1, TLS handshaking",
            "imap-login: Disconnected (client didn't finish SASL auth, waited 0 secs): user=<>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1",
            "imap-login: Disconnected (aborted authentication): user=<>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1",
            "imap-login: Disconnected (disconnected while authenticating, waited 5 secs): user=<>, method=PLAIN, rip=192.0.2.5",
            "imap-login: Disconnected (tried to use disallowed plaintext auth): user=<>, rip=192.0.2.5, lip=192.0.2.1, session=<s>",
            "imap-login: Login aborted: Connection closed (tried to use disallowed cleartext auth, 1 attempts in 0 secs) (cleartext_auth_disabled): user=<u>, method=PLAIN, rip=192.0.2.5",
            "imap-login: Disconnected (tried to use unsupported auth mechanism): user=<>, rip=192.0.2.5",
            "imap-login: Disconnected (internal failure, 1 successful auths): user=<u>, method=PLAIN, rip=192.0.2.5",
            "imap-login: Login aborted: Connection closed (auth aborted by client, 1 attempts in 2 secs) (auth_aborted_by_client): user=<>, method=LOGIN, rip=192.0.2.5",
            "imap-login: Login aborted: Connection closed (proxy dest connection failed, 1 attempts in 2 secs) (proxy_dest_connect_failed): user=<u>, method=PLAIN, rip=192.0.2.5",
            "imap-login: Login failed: Cleartext authentication disabled: user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, session=<s>",
            "imap-login: Login failed: SSL required for authentication: user=<>, rip=192.0.2.5, lip=192.0.2.1, session=<s>",
        ] {
            assert_eq!(msg_verdict(m), Verdict::Ignored, "{m}");
        }
    }

    #[test]
    fn session_and_delivery_lines_are_ignored() {
        for l in [
            "Jan 15 10:36:22 mail2 dovecot: imap(support@example.com): Disconnected: Logged out in=120 out=757",
            "Nov 26 08:51:18 mx1 dovecot[241]: imap(alice@example.org)<12345><q454Xu/vMwBZApgg>: Disconnected: Logged out in=120 out=757 deleted=0 expunged=0",
            "Nov 26 08:51:18 mx1 dovecot: lmtp(alice@example.org): msgid=<x@example.net>: saved mail to INBOX",
            "Nov 26 08:51:18 mx1 dovecot[241]: lmtp(alice@example.org)<4242><abcd>: sieve: msgid=<a@b>: stored mail into mailbox 'INBOX'",
            "Nov 26 08:51:18 mx1 dovecot: master: Dovecot v2.3.21 (47349e2482) starting up for imap, pop3, lmtp",
            "Nov 26 08:51:18 mx1 dovecot: imap-login: Disconnected: Connection closed: user=<>, rip=192.0.2.5, lip=192.0.2.1",
            "Nov 26 08:51:18 mx1 dovecot: imap-login: proxy(alice): started proxying to 192.0.2.50:143: user=<alice>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1",
            "Nov 26 08:51:18 mx1 dovecot: imap-login: proxy(alice,192.0.2.50:143): Login failed: NO [AUTHENTICATIONFAILED] Authentication failed.: user=<alice>, rip=192.0.2.5",
            "Nov 26 08:51:18 mx1 dovecot: imap-login: Warning: Auth process not responding, delayed sending initial response (greeting): user=<>, rip=192.0.2.5",
            "Nov 26 08:51:18 mx1 dovecot: imap-login: Error: read(auth-client) failed: Connection reset by peer",
        ] {
            assert_eq!(verdict(l), Verdict::Ignored, "{l}");
        }
    }

    #[test]
    fn proxy_prefixed_summary_is_read() {
        let p = msg_one("imap-login: proxy(alice,192.0.2.50:143): Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<alice>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, TLS, session=<s>");
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, ip("192.0.2.5"));
    }

    #[test]
    fn unrecognized_login_wording() {
        assert_eq!(
            msg_verdict(
                "imap-login: Login succeeded: user=<alice>, method=PLAIN, rip=192.0.2.5, TLS"
            ),
            Verdict::Unrecognized
        );
        assert_eq!(
            msg_verdict("imap-login: Login aborted: Connection closed (auth refused, 1 attempts in 2 secs) (auth_refused): user=<alice>, rip=192.0.2.5"),
            Verdict::Unrecognized
        );
        assert_eq!(
            msg_verdict("imap-login: Disconnected (auth failed, many attempts in 2 secs): user=<alice>, rip=192.0.2.5"),
            Verdict::Unrecognized
        );
        assert_eq!(
            msg_verdict("imap-login: Login failed: Something new: user=<alice>, rip=192.0.2.5"),
            Verdict::Unrecognized
        );
    }

    // -- auth process detail lines -----------------------------------------

    #[test]
    fn auth23_unknown_user() {
        let p = one(
            "Jan 29 05:13:50 mail dovecot: auth: passwd-file(username,192.0.2.4): unknown user",
        );
        assert_eq!(p.outcome, Outcome::Failure);
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, Some(&b"username"[..]));
        assert_eq!(p.ip, ip("192.0.2.4"));
        assert!(p.detail);
        assert_eq!(p.count, 1);
        assert_eq!(p.source, Source::Dovecot);
    }

    #[test]
    fn auth23_password_mismatch_with_session() {
        let p = one("Jun 11 13:57:17 main dovecot: auth: sql(admin@example.org,198.51.100.226,<6rXunFtu493AqJDi>): Password mismatch");
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"admin@example.org"[..]));
        assert_eq!(p.ip, ip("198.51.100.226"));
        assert!(p.detail);
    }

    #[test]
    fn auth23_pam_worker() {
        let p = one("Jan 29 05:32:50 mail dovecot: auth-worker(304): pam(username,192.0.2.4): pam_authenticate() failed: Authentication failure (password mismatch?)");
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"username"[..]));
        assert_eq!(p.ip, ip("192.0.2.4"));
        assert!(p.detail);
        // Own log file: program auth-worker, pid 304.
        let p = one("Jan 29 05:32:50 auth-worker(304): Info: pam(username,192.0.2.4): pam_authenticate() failed: Authentication failure (password mismatch?)");
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"username"[..]));
    }

    #[test]
    fn auth23_own_log_and_variants() {
        let p = one("Jan 29 05:13:50 auth: Info: passwd-file(bob,192.0.2.4,<sess1>): unknown user");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, Some(&b"bob"[..]));
        // Trailing empty session (older LDAP lines), master user, no IP.
        let p = msg_one("auth: ldap(dog,192.0.2.37,): Password mismatch");
        assert_eq!((p.user, p.ip), (Some(&b"dog"[..]), ip("192.0.2.37")));
        let p = msg_one("auth: sql(alice,192.0.2.9,master,<s>): Password mismatch");
        assert_eq!((p.user, p.ip), (Some(&b"alice"[..]), ip("192.0.2.9")));
        let p = msg_one("auth: passwd-file(carol): unknown user");
        assert_eq!((p.user, p.ip), (Some(&b"carol"[..]), None));
        let p = msg_one("auth: passwd-file(?,192.0.2.9): unknown user");
        assert_eq!((p.user, p.ip), (None, ip("192.0.2.9")));
        let p = msg_one(
            "auth: sql(eve,::ffff:192.0.2.77,<s>): Password mismatch (given password: hunter2)",
        );
        assert_eq!(p.ip, ip("192.0.2.77"));
        let p = msg_one("auth: sql(eve,192.0.2.77): unknown user  - trying the next passdb");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
    }

    #[test]
    fn auth_user_with_commas_and_parens() {
        let p = msg_one("auth: sql(a,b@example.org,192.0.2.8,<s>): Password mismatch");
        assert_eq!(p.user, Some(&b"a,b@example.org"[..]));
        assert_eq!(p.ip, ip("192.0.2.8"));
        // The user name carries a fake prefix end and message.
        let p =
            msg_one("auth: passwd-file(x,203.0.113.1): unknown user,192.0.2.8): Password mismatch");
        assert_eq!(p.user, Some(&b"x,203.0.113.1): unknown user"[..]));
        assert_eq!(p.ip, ip("192.0.2.8"));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        // The given password carries a fake prefix end: the first wins.
        let p = msg_one("auth: sql(bob,192.0.2.8): Password mismatch (given password: a,203.0.113.1): unknown user)");
        assert_eq!(p.user, Some(&b"bob"[..]));
        assert_eq!(p.ip, ip("192.0.2.8"));
        assert_eq!(p.reason, Some(Reason::BadPassword));
    }

    #[test]
    fn auth24_syslog() {
        let p = one("Nov 26 08:51:18 mx1 dovecot[241]: auth(alice@example.org,192.0.2.110,sasl:plain)<CvN+E95Uf4e7eEnj>: sql: Password mismatch");
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"alice@example.org"[..]));
        assert_eq!(p.ip, ip("192.0.2.110"));
        assert_eq!(p.method, Some(&b"plain"[..]));
        assert!(p.detail);
        let p = msg_one("auth-worker(alice,192.0.2.110)<4001084><CvN+E95Uf4e7eEnj>: request [12]: passwd-file: unknown user");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, Some(&b"alice"[..]));
        assert_eq!(p.ip, ip("192.0.2.110"));
        // A user name with `)<x>: ` inside.
        let p = msg_one("auth(x)<y>: sql: unknown user,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: sql: Password mismatch");
        assert_eq!(p.user, Some(&b"x)<y>: sql: unknown user"[..]));
        assert_eq!(p.ip, ip("192.0.2.110"));
        assert_eq!(p.reason, Some(Reason::BadPassword));
        // Master user login.
        let p = msg_one("auth(alice*admin,192.0.2.1,sasl:plain,master)<s>: sql: Password mismatch");
        assert_eq!((p.user, p.ip), (Some(&b"alice*admin"[..]), ip("192.0.2.1")));
    }

    #[test]
    fn auth24_own_log_tag_as_program() {
        let l: &'static [u8] = b"Aug 30 00:10:57 auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: Info: sql: Password mismatch (given password: XxxxXXxx123)";
        // What the envelope split makes of it: the whole tag is the program.
        let h = header::split(l).unwrap();
        assert_eq!(
            h.program,
            &b"auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>"[..]
        );
        assert_eq!(h.pid, b"");
        assert_eq!(
            h.msg,
            &b"Info: sql: Password mismatch (given password: XxxxXXxx123)"[..]
        );
        let mut out = Vec::new();
        assert_eq!(parse(&h, h.msg, &mut out), Verdict::Events);
        let p = &out[0];
        assert_eq!(p.reason, Some(Reason::BadPassword));
        assert_eq!(p.user, Some(&b"info@example.com"[..]));
        assert_eq!(p.ip, ip("192.0.2.110"));
        assert_eq!(p.method, Some(&b"login"[..]));
        assert!(p.detail);
        // Through the dispatch, which routes such a tag to Dovecot.
        let (v, out) = line("Aug 30 00:10:57 auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: Info: sql: Password mismatch (given password: XxxxXXxx123)");
        assert_eq!(v, Verdict::Events);
        assert_eq!(out[0].reason, Some(Reason::BadPassword));
        assert!(out[0].detail);
    }

    #[test]
    fn auth24_own_log_worker_tag() {
        let l: &'static [u8] = b"Jun 23 00:10:49 auth-worker(info@example.com,192.0.2.4)<4001084><CvN+E95Uf4e7eEnj>: request [12]: Info: sql: Password mismatch (given password: XxxxXXxx123)";
        let h = header::split(l).unwrap();
        let mut out = Vec::new();
        assert_eq!(parse(&h, h.msg, &mut out), Verdict::Events);
        assert_eq!(out[0].user, Some(&b"info@example.com"[..]));
        assert_eq!(out[0].ip, ip("192.0.2.4"));
        assert_eq!(out[0].method, None);
        assert!(out[0].detail);
    }

    #[test]
    fn auth24_own_log_without_session_goes_through_dispatch() {
        // No session (e.g. a Postfix SASL request): the tag ends with `)`,
        // so the split gives program `auth` and the context as pid.
        let p = one("Aug 30 00:10:57 auth(bob@example.com,192.0.2.110,sasl:plain): Info: passwd-file: unknown user");
        assert_eq!(p.reason, Some(Reason::UnknownUser));
        assert_eq!(p.user, Some(&b"bob@example.com"[..]));
        assert_eq!(p.ip, ip("192.0.2.110"));
        assert_eq!(p.method, Some(&b"plain"[..]));
        assert!(p.detail);
    }

    #[test]
    fn auth_noise() {
        for m in [
            "auth: Warning: auth client 1234 disconnected with 1 pending requests: EOF",
            "auth: Error: sql(alice,192.0.2.1): Password query failed: connection lost",
            "auth-worker(304): Error: pam(alice,192.0.2.1): pam_authenticate() failed: Authentication failure (/etc/pam.d/dovecot missing?)",
            "auth: Debug: sql(alice,192.0.2.1,<s>): query: SELECT password FROM users",
            "auth: login(?,192.0.2.1,<s>): Username contains disallowed character: 0x27",
            "auth-worker(304): Info: Connection closed",
        ] {
            assert_eq!(msg_verdict(m), Verdict::Ignored, "{m}");
        }
        assert_eq!(
            msg_verdict("auth: sql(alice,192.0.2.1): Password is wrong"),
            Verdict::Unrecognized
        );
    }

    #[test]
    fn message_repeated_multiplies_count() {
        let (v, out) = line("Nov 26 08:51:18 mx1 dovecot: message repeated 3 times: [ imap-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<u>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1, session=<s>]");
        assert_eq!(v, Verdict::Events);
        assert_eq!(out[0].count, 6);
    }

    #[test]
    fn other_envelopes() {
        let p = one("2025-11-26T08:51:18.123456+01:00 mx1 dovecot[241]: imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=1, TLS, session=<s>");
        assert_eq!(p.user, Some(&b"alice"[..]));
        let p = one("<38>1 2025-11-26T08:51:18.123456+01:00 mx1 dovecot 241 - - imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=1, TLS, session=<s>");
        assert_eq!(p.ip, ip("192.0.2.10"));
        // Space-padded day.
        let p = one("Dec  2 22:24:22 mx1 dovecot: pop3-login: Aborted login (auth failed, 1 attempts in 3 secs): user=<frank>, method=PLAIN, rip=192.0.2.12, lip=192.0.2.1, session=<s>");
        assert_eq!(p.user, Some(&b"frank"[..]));
    }

    // -- robustness --------------------------------------------------------

    const SAMPLES: &[&str] = &[
        "imap-login: Login: user=<<evil>, rip=203.0.113.66>, method=PLAIN, rip=192.0.2.10, lip=198.51.100.5, mpid=12345, TLS, session=<q454Xu/vMwBZApgg>",
        "imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<9ZHq02g3J8S60fan>",
        "imap-login: Disconnected: Connection closed: read(size=1003) failed: Connection reset by peer (auth failed, 1 attempts in 0 secs): user=<test@example.com>, rip=192.0.2.4",
        "auth: sql(admin@example.org,198.51.100.226,<6rXunFtu493AqJDi>): Password mismatch (given password: x)",
        "auth-worker(304): pam(username,192.0.2.4): pam_authenticate() failed: Authentication failure (password mismatch?)",
        "auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: Info: sql: Password mismatch",
        "auth-worker(info@example.com,192.0.2.4)<4001084><CvN+E95Uf4e7eEnj>: request [12]: Info: sql: Password mismatch",
        "imap-login: proxy(alice,192.0.2.50:143): Login aborted: x (auth failed, 1 attempts in 2 secs): user=<a>",
    ];

    /// Prefixes, suffixes, random bytes and mutations of the samples, under
    /// every program name and pid shape Dovecot lines come with.
    #[test]
    fn junk_never_panics() {
        crate::parse::testing::fuzz_with_pids(
            parse,
            &[
                b"dovecot",
                b"imap-login",
                b"auth",
                b"auth-worker",
                b"auth(a,192.0.2.1)<s>",
                b"auth-worker(",
                b"auth(",
                b"dovecot-auth",
            ],
            &[b"", b"304", b"a,192.0.2.1,sasl:plain", b",", b"("],
            SAMPLES,
            b"()<>,: =[]auth-login user rip TLS0123456789.\xff\x00",
        );
    }

    #[test]
    fn internals() {
        assert_eq!(attempts(b", 3 attempts in 16 secs"), Some(3));
        assert_eq!(attempts(b""), Some(1));
        assert_eq!(attempts(b", 1/3 successful auths in 2 secs"), Some(2));
        assert_eq!(attempts(b", 0 attempts in 1 secs"), Some(1));
        assert_eq!(attempts(b", 99999999999 attempts"), None);
        assert_eq!(attempts(b" junk"), None);
        assert_eq!(
            split_context(b"a,b,192.0.2.1,sasl:plain,master"),
            (Some(&b"a,b"[..]), ip("192.0.2.1"), Some(&b"plain"[..]))
        );
        assert_eq!(split_context(b""), (None, None, None));
        assert_eq!(split_context(b",,,"), (None, None, None));
        assert_eq!(tag_close(b"auth(a)<1><s>"), Some(6));
        assert_eq!(tag_close(b"auth(a)<1 2>"), None);
        assert_eq!(
            tag_context(b"auth-worker(a,192.0.2.1)<1><s>"),
            Some(&b"a,192.0.2.1"[..])
        );
        assert_eq!(tag_context(b"auth()"), Some(&b""[..]));
        assert_eq!(tag_context(b"auth("), None);
        assert_eq!(rfind_key(b"rip=1, rip=2", b"rip=", 0), Some(7));
        assert_eq!(rfind_key(b"xrip=1", b"rip=", 0), None);
        assert_eq!(find_key(b"a, rip=1", b"rip=", 0, 3), None);
    }
}
