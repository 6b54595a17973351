//! Decoding timestamps, including the year of yearless syslog lines.
//!
//! The year is never read from a clock here: the caller injects an anchor
//! (the file's modification time, or the run's clock for stdin) or a fixed
//! year. A yearless line gets the latest year that does not put it after the
//! anchor (with a day of tolerance for clock skew). A file written from
//! November to February, last modified in February, so gets November and
//! December of one year and January and February of the next, and each line
//! is decided on its own, which keeps the answer the same however the file
//! is cut into chunks.

use super::header::{month_number, RawStamp};
use chrono::{LocalResult, NaiveDate, Offset, TimeZone};

/// The zone of timestamps that carry none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// UTC.
    Utc,
    /// An IANA zone.
    Named(chrono_tz::Tz),
}

impl Zone {
    /// Parse `UTC` or an IANA zone name.
    pub fn parse(name: &str) -> Option<Zone> {
        if name.eq_ignore_ascii_case("utc") || name == "Z" {
            return Some(Zone::Utc);
        }
        name.parse::<chrono_tz::Tz>().ok().map(Zone::Named)
    }

    /// The zone's name (`UTC` or the IANA name), as [`Zone::parse`] reads it.
    pub fn name(self) -> String {
        match self {
            Zone::Utc => "UTC".to_string(),
            Zone::Named(tz) => tz.name().to_string(),
        }
    }

    /// The machine's local zone (falls back to UTC when it cannot be told).
    pub fn local() -> Zone {
        iana_time_zone::get_timezone()
            .ok()
            .and_then(|n| Zone::parse(&n))
            .unwrap_or(Zone::Utc)
    }

    /// Offset from UTC, in seconds, of the given UTC instant.
    pub fn offset_at_utc(self, utc: i64) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Named(tz) => match chrono::DateTime::from_timestamp(utc, 0) {
                Some(dt) => tz
                    .offset_from_utc_datetime(&dt.naive_utc())
                    .fix()
                    .local_minus_utc(),
                None => 0,
            },
        }
    }

    /// Offset, in seconds, of a local wall-clock time (earliest on an
    /// ambiguous hour, the offset before the gap on a skipped hour).
    fn offset_of_local(self, local_secs: i64) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Named(tz) => {
                let Some(dt) = chrono::DateTime::from_timestamp(local_secs, 0) else {
                    return 0;
                };
                let naive = dt.naive_utc();
                match tz.offset_from_local_datetime(&naive) {
                    LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => {
                        o.fix().local_minus_utc()
                    }
                    LocalResult::None => tz
                        .offset_from_utc_datetime(&(naive - chrono::Duration::hours(3)))
                        .fix()
                        .local_minus_utc(),
                }
            }
        }
    }
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// How far past the anchor a yearless line may be and still take the
/// anchor's year (clock skew between hosts, a zone given wrong).
const YEAR_TOLERANCE: i64 = 86_400;

/// Decodes timestamps for one file (or one chunk of it). Holds small caches,
/// so make one per worker.
#[derive(Clone, Debug)]
pub struct TimeResolver {
    zone: Zone,
    anchor: i64,
    fixed_year: Option<i32>,
    anchor_year: i32,
    year_cache: [i32; 12 * 32],
    offset_cache: (i64, i32),
}

impl TimeResolver {
    /// `anchor`: UTC seconds no yearless line is later than (the file's
    /// modification time); `fixed_year`: `--year`.
    pub fn new(zone: Zone, anchor: i64, fixed_year: Option<i32>) -> TimeResolver {
        let local_anchor = anchor + zone.offset_at_utc(anchor) as i64;
        let anchor_year = chrono::DateTime::from_timestamp(local_anchor, 0)
            .map(|d| chrono::Datelike::year(&d))
            .unwrap_or(1970);
        TimeResolver {
            zone,
            anchor,
            fixed_year,
            anchor_year,
            year_cache: [0; 12 * 32],
            offset_cache: (i64::MIN, 0),
        }
    }

    /// The zone used for timestamps that carry none.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// UTC seconds and the offset (seconds east) to show, or `None` when the
    /// stamp is not a valid time.
    pub fn resolve(&mut self, stamp: RawStamp<'_>) -> Option<(i64, i32)> {
        match stamp {
            RawStamp::Bsd(b) => self.resolve_bsd(b),
            RawStamp::Iso(b) => self.resolve_iso(b),
            RawStamp::Roundcube(b) => resolve_roundcube(b),
            RawStamp::Tai64n(b) => {
                let utc = tai64n_unix(b)?;
                Some((utc, self.zone.offset_at_utc(utc)))
            }
            RawStamp::Journal(b, _) => {
                let utc = journal_unix(b)?;
                Some((utc, self.zone.offset_at_utc(utc)))
            }
            RawStamp::Ctime(b) => self.resolve_ctime(b),
        }
    }

    /// `Sat Jul 17 12:00:00 2021` (day space padded), local time.
    fn resolve_ctime(&mut self, b: &[u8]) -> Option<(i64, i32)> {
        if b.len() != 24 {
            return None;
        }
        let month = month_number(&b[4..7])? as u32;
        let day = match (b[8], b[9]) {
            (b' ', d) if d.is_ascii_digit() => (d - b'0') as u32,
            (a, d) if a.is_ascii_digit() && d.is_ascii_digit() => {
                ((a - b'0') * 10 + d - b'0') as u32
            }
            _ => return None,
        };
        let secs = hms(&b[11..19])?;
        let year = digits(&b[20..24])? as i32;
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let local = days_from_civil(year, month, day) * 86_400 + secs;
        Some(self.local_to_utc(local))
    }

    fn local_to_utc(&mut self, local: i64) -> (i64, i32) {
        let hour = local.div_euclid(3600);
        let off = if self.offset_cache.0 == hour {
            self.offset_cache.1
        } else {
            let o = self.zone.offset_of_local(local);
            self.offset_cache = (hour, o);
            o
        };
        (local - off as i64, off)
    }

    fn resolve_bsd(&mut self, b: &[u8]) -> Option<(i64, i32)> {
        let month = month_number(&b[..3])? as u32;
        let day = match (b[4], b[5]) {
            (b' ', d) if d.is_ascii_digit() => (d - b'0') as u32,
            (a, d) if a.is_ascii_digit() && d.is_ascii_digit() => {
                ((a - b'0') * 10 + d - b'0') as u32
            }
            _ => return None,
        };
        let secs = hms(&b[7..15])?;
        if day == 0 || day > 31 {
            return None;
        }
        let slot = ((month - 1) * 32 + day) as usize;
        let year = match self.fixed_year {
            Some(y) => y,
            None if self.year_cache[slot] != 0 => self.year_cache[slot],
            None => {
                let y = self.pick_year(month, day)?;
                self.year_cache[slot] = y;
                y
            }
        };
        if day > days_in_month(year, month) {
            return None;
        }
        let local = days_from_civil(year, month, day) * 86_400 + secs;
        Some(self.local_to_utc(local))
    }

    /// The latest year (from the anchor's, going back) in which this date
    /// exists and is not after the anchor. The time of day is left out:
    /// the tolerance of a day covers it.
    fn pick_year(&mut self, month: u32, day: u32) -> Option<i32> {
        for y in (self.anchor_year - 8..=self.anchor_year + 1).rev() {
            if day > days_in_month(y, month) {
                continue;
            }
            let local = days_from_civil(y, month, day) * 86_400;
            let (utc, _) = self.local_to_utc(local);
            if utc <= self.anchor + YEAR_TOLERANCE {
                return Some(y);
            }
        }
        None
    }

    fn resolve_iso(&mut self, b: &[u8]) -> Option<(i64, i32)> {
        if b.len() < 19 {
            return None;
        }
        let year = digits(&b[0..4])? as i32;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let secs = hms(&b[11..19])?;
        let local = days_from_civil(year, month, day) * 86_400 + secs;
        let mut rest = &b[19..];
        if rest.first() == Some(&b'.') || rest.first() == Some(&b',') {
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            rest = &rest[1 + n..];
        }
        // Exim's `log_timezone`: ` +0100` after a space.
        if rest.len() == 6 && rest[0] == b' ' {
            rest = &rest[1..];
        }
        match rest {
            [] => Some(self.local_to_utc(local)),
            [b'Z'] | [b'z'] => Some((local, 0)),
            _ => {
                let off = parse_offset(rest)?;
                Some((local - off as i64, off))
            }
        }
    }
}

/// Seconds of the TAI64 epoch offset: a TAI64 label is 2^62 plus TAI
/// seconds, and daemontools' `tai64n` writes UNIX time + 10 (the TAI-UTC
/// difference of 1970, leap seconds ignored), as `tai64nlocal` assumes.
const TAI64_UNIX_BASE: u64 = (1 << 62) + 10;

/// UNIX seconds of a TAI64N label (24 hex digits; the nanoseconds are
/// dropped).
pub fn tai64n_unix(b: &[u8]) -> Option<i64> {
    if b.len() != 24 {
        return None;
    }
    let mut secs: u64 = 0;
    for &c in &b[..16] {
        secs = (secs << 4) | (c as char).to_digit(16)? as u64;
    }
    let unix = secs.checked_sub(TAI64_UNIX_BASE)?;
    i64::try_from(unix).ok()
}

/// UNIX seconds of journald's `__REALTIME_TIMESTAMP` (microseconds).
pub fn journal_unix(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut us: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        us = us.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    i64::try_from(us / 1_000_000).ok()
}

fn resolve_roundcube(b: &[u8]) -> Option<(i64, i32)> {
    // 26-Nov-2025 08:51:18 +0100
    if b.len() < 20 {
        return None;
    }
    let day = digits(&b[0..2])?;
    let month = month_number(&b[3..6])? as u32;
    let year = digits(&b[7..11])? as i32;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let secs = hms(&b[12..20])?;
    let local = days_from_civil(year, month, day) * 86_400 + secs;
    let off = match b.get(21..) {
        Some(o) if !o.is_empty() => parse_offset(o)?,
        _ => 0,
    };
    Some((local - off as i64, off))
}

/// `+01:00`, `-0500`, `+01`.
fn parse_offset(b: &[u8]) -> Option<i32> {
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let b = &b[1..];
    let (h, m) = match b.len() {
        2 => (digits(b)?, 0),
        4 => (digits(&b[0..2])?, digits(&b[2..4])?),
        5 if b[2] == b':' => (digits(&b[0..2])?, digits(&b[3..5])?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h as i32 * 3600 + m as i32 * 60))
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// `HH:MM:SS` to seconds of the day.
fn hms(b: &[u8]) -> Option<i64> {
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let h = digits(&b[0..2])?;
    let m = digits(&b[3..5])?;
    let s = digits(&b[6..8])?;
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((h * 3600 + m * 60 + s.min(59)) as i64)
}

/// Parse a user-given time: RFC 3339, or `YYYY-MM-DD` (midnight in `zone`).
pub fn parse_user_time(s: &str, zone: Zone) -> Option<i64> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp());
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let local = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    Some(local - zone.offset_of_local(local) as i64)
}

/// Civil date (year, month, day) of a day count from 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Format UTC seconds with an offset as RFC 3339 (`2023-09-14T10:22:31+07:00`).
/// Written by hand: reports and `events` print millions of these.
pub fn format_rfc3339(utc: i64, offset: i32) -> String {
    let local = utc + offset as i64;
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    if !(0..=9999).contains(&y) {
        return String::from("invalid");
    }
    let secs = local.rem_euclid(86_400) as u32;
    let mut b = *b"0000-00-00T00:00:00+00:00";
    let two = |b: &mut [u8; 25], at: usize, v: u32| {
        b[at] = b'0' + (v / 10) as u8;
        b[at + 1] = b'0' + (v % 10) as u8;
    };
    let y = y as u32;
    two(&mut b, 0, y / 100);
    two(&mut b, 2, y % 100);
    two(&mut b, 5, mo);
    two(&mut b, 8, d);
    two(&mut b, 11, secs / 3600);
    two(&mut b, 14, secs / 60 % 60);
    two(&mut b, 17, secs % 60);
    if offset < 0 {
        b[19] = b'-';
    }
    let off = offset.unsigned_abs();
    two(&mut b, 20, off / 3600 % 100);
    two(&mut b, 23, off / 60 % 60);
    String::from_utf8(b.to_vec()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn rfc3339_formatting_matches_chrono() {
        for &(t, off) in &[
            (0i64, 0i32),
            (1_694_661_751, 7 * 3600),
            (951_782_400, -5 * 3600 - 1800),
            (1_709_164_800, 0),
            (4_102_444_799, 3600),
            (-86_400, 0),
        ] {
            let want = chrono::DateTime::from_timestamp(t, 0)
                .unwrap()
                .with_timezone(&chrono::FixedOffset::east_opt(off).unwrap())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            assert_eq!(format_rfc3339(t, off), want);
        }
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
        assert_eq!(
            days_from_civil(2024, 2, 29) * 86400,
            utc("2024-02-29T00:00:00Z")
        );
    }

    #[test]
    fn yearless_lines_take_years_back_from_the_anchor() {
        // A log from November to February, last written 9 February 2025.
        let mut r = TimeResolver::new(Zone::Utc, utc("2025-02-09T12:00:00Z"), None);
        let nov = r.resolve(RawStamp::Bsd(b"Nov  1 00:00:01")).unwrap();
        assert_eq!(nov, (utc("2024-11-01T00:00:01Z"), 0));
        let dec = r.resolve(RawStamp::Bsd(b"Dec 31 23:59:59")).unwrap();
        assert_eq!(dec.0, utc("2024-12-31T23:59:59Z"));
        let jan = r.resolve(RawStamp::Bsd(b"Jan  1 00:00:00")).unwrap();
        assert_eq!(jan.0, utc("2025-01-01T00:00:00Z"));
        let feb = r.resolve(RawStamp::Bsd(b"Feb  9 11:59:00")).unwrap();
        assert_eq!(feb.0, utc("2025-02-09T11:59:00Z"));
    }

    #[test]
    fn fixed_year_and_zone() {
        let tz = Zone::parse("Asia/Ho_Chi_Minh").unwrap();
        let mut r = TimeResolver::new(tz, 0, Some(2023));
        let (t, off) = r.resolve(RawStamp::Bsd(b"Sep 14 10:22:31")).unwrap();
        assert_eq!(off, 7 * 3600);
        assert_eq!(format_rfc3339(t, off), "2023-09-14T10:22:31+07:00");
    }

    #[test]
    fn feb_29_goes_to_a_leap_year() {
        let mut r = TimeResolver::new(Zone::Utc, utc("2025-03-01T00:00:00Z"), None);
        let (t, _) = r.resolve(RawStamp::Bsd(b"Feb 29 10:00:00")).unwrap();
        assert_eq!(t, utc("2024-02-29T10:00:00Z"));
    }

    #[test]
    fn iso_and_roundcube() {
        let mut r = TimeResolver::new(Zone::Utc, 0, None);
        let s = r
            .resolve(RawStamp::Iso(b"2025-11-26T08:51:18.123456+01:00"))
            .unwrap();
        assert_eq!(s, (utc("2025-11-26T07:51:18Z"), 3600));
        let s = r.resolve(RawStamp::Iso(b"2025-11-26T08:51:18Z")).unwrap();
        assert_eq!(s.0, utc("2025-11-26T08:51:18Z"));
        let s = r.resolve(RawStamp::Iso(b"2013-01-04 17:03:46")).unwrap();
        assert_eq!(s.0, utc("2013-01-04T17:03:46Z"));
        let s = r
            .resolve(RawStamp::Roundcube(b"22-Jan-2013 22:28:21 +0200"))
            .unwrap();
        assert_eq!(s, (utc("2013-01-22T20:28:21Z"), 7200));
        assert!(r.resolve(RawStamp::Iso(b"2013-02-30T00:00:00Z")).is_none());
        // Exim with log_timezone and millisec.
        let s = r
            .resolve(RawStamp::Iso(b"2013-01-04 17:03:46.123 +0100"))
            .unwrap();
        assert_eq!(s, (utc("2013-01-04T16:03:46Z"), 3600));
        // log4j (Zimbra).
        let s = r
            .resolve(RawStamp::Iso(b"2015-03-26 21:51:36,505"))
            .unwrap();
        assert_eq!(s.0, utc("2015-03-26T21:51:36Z"));
    }

    #[test]
    fn tai64n_journal_and_ctime() {
        let mut r = TimeResolver::new(Zone::Utc, 0, None);
        // 0x4c91b044 = 1284616260 TAI64 seconds past 2^62: UNIX minus 10.
        let (t, off) = r
            .resolve(RawStamp::Tai64n(b"400000004c91b044077a9e94"))
            .unwrap();
        assert_eq!(t, 1_284_616_250);
        assert_eq!(off, 0);
        assert!(r
            .resolve(RawStamp::Tai64n(b"40000000zz91b044077a9e94"))
            .is_none());
        assert!(r
            .resolve(RawStamp::Tai64n(b"000000004c91b044077a9e94"))
            .is_none());
        let (t, _) = r
            .resolve(RawStamp::Journal(
                b"1732607478123456",
                crate::parse::header::JsonMsg::Plain,
            ))
            .unwrap();
        assert_eq!(t, 1_732_607_478);
        assert!(r
            .resolve(RawStamp::Journal(b"", crate::parse::header::JsonMsg::Plain))
            .is_none());
        let (t, _) = r
            .resolve(RawStamp::Ctime(b"Sat Jul 17 12:00:00 2021"))
            .unwrap();
        assert_eq!(t, utc("2021-07-17T12:00:00Z"));
        let (t, _) = r
            .resolve(RawStamp::Ctime(b"Wed Jul  7 09:05:01 2021"))
            .unwrap();
        assert_eq!(t, utc("2021-07-07T09:05:01Z"));
        assert!(r
            .resolve(RawStamp::Ctime(b"Wed Jul 32 09:05:01 2021"))
            .is_none());
        let tz = Zone::parse("Europe/Paris").unwrap();
        let mut r = TimeResolver::new(tz, 0, None);
        let (t, off) = r
            .resolve(RawStamp::Ctime(b"Sat Jul 17 12:00:00 2021"))
            .unwrap();
        assert_eq!((t, off), (utc("2021-07-17T10:00:00Z"), 7200));
    }

    #[test]
    fn user_times() {
        assert_eq!(
            parse_user_time("2024-05-01", Zone::Utc),
            Some(utc("2024-05-01T00:00:00Z"))
        );
        assert_eq!(
            parse_user_time("2024-05-01T10:00:00+02:00", Zone::Utc),
            Some(utc("2024-05-01T08:00:00Z"))
        );
        assert_eq!(parse_user_time("yesterday", Zone::Utc), None);
    }
}
