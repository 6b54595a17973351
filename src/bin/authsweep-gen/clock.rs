//! Calendar arithmetic and timestamp rendering (UTC only), written out by
//! hand so the hot path of bench mode formats a stamp with a few stores.
//!
//! Times are `i64` microseconds since the Unix epoch throughout.

pub const SEC: i64 = 1_000_000;
pub const MIN: i64 = 60 * SEC;
pub const HOUR: i64 = 60 * MIN;
pub const DAY: i64 = 24 * HOUR;

pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date `(year, month 1-12, day 1-31)` of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Microseconds of `y-m-d h:mi:s` UTC.
pub fn at(y: i64, m: u32, d: u32, h: i64, mi: i64, s: i64) -> i64 {
    days_from_civil(y, m, d) * DAY + h * HOUR + mi * MIN + s * SEC
}

/// Parse `YYYY-MM-DD` into microseconds at midnight UTC.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let bad = || format!("invalid date {s:?}: expected YYYY-MM-DD");
    let mut it = s.splitn(3, '-');
    let y: i64 = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let m: u32 = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let d: u32 = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1900..=9999).contains(&y) {
        return Err(bad());
    }
    let days = days_from_civil(y, m, d);
    if civil_from_days(days) != (y, m, d) {
        return Err(bad());
    }
    Ok(days * DAY)
}

/// Day of week, 0 = Monday.
pub fn weekday(us: i64) -> u32 {
    (us.div_euclid(DAY) + 3).rem_euclid(7) as u32
}

/// Midnight of the day holding `us`.
pub fn midnight(us: i64) -> i64 {
    us.div_euclid(DAY) * DAY
}

#[inline]
fn two(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

fn year4(buf: &mut Vec<u8>, y: i64) {
    let y = y as u32;
    two(buf, y / 100);
    two(buf, y % 100);
}

fn hms(buf: &mut Vec<u8>, secs_of_day: u32) {
    two(buf, secs_of_day / 3600);
    buf.push(b':');
    two(buf, secs_of_day / 60 % 60);
    buf.push(b':');
    two(buf, secs_of_day % 60);
}

/// `2025-01-05T08:51:18+00:00` (RFC 3339, whole seconds).
pub fn rfc3339(us: i64) -> String {
    let mut b = Vec::with_capacity(25);
    let (y, m, d) = civil_from_days(us.div_euclid(DAY));
    year4(&mut b, y);
    b.push(b'-');
    two(&mut b, m);
    b.push(b'-');
    two(&mut b, d);
    b.push(b'T');
    hms(&mut b, (us.rem_euclid(DAY) / SEC) as u32);
    b.extend_from_slice(b"+00:00");
    String::from_utf8(b).expect("ascii")
}

/// `YYYY-MM-DD`.
pub fn ymd(us: i64) -> String {
    let (y, m, d) = civil_from_days(us.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Roundcube file driver date: `05-Jan-2025 08:51:18 +0000`.
pub fn roundcube(buf: &mut Vec<u8>, us: i64) {
    let (y, m, d) = civil_from_days(us.div_euclid(DAY));
    two(buf, d);
    buf.push(b'-');
    buf.extend_from_slice(MONTHS[m as usize - 1].as_bytes());
    buf.push(b'-');
    year4(buf, y);
    buf.push(b' ');
    hms(buf, (us.rem_euclid(DAY) / SEC) as u32);
    buf.extend_from_slice(b" +0000");
}

/// The syslog stamp styles the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// RFC 3164 `Jan  5 08:51:18` (yearless, day space padded).
    Bsd,
    /// rsyslog high precision `2025-01-05T08:51:18.123456+00:00`.
    Iso,
}

/// Writes stamps, caching the date part of the current day.
pub struct Stamper {
    style: Style,
    day: i64,
    prefix: Vec<u8>,
}

impl Stamper {
    pub fn new(style: Style) -> Self {
        Stamper {
            style,
            day: i64::MIN,
            prefix: Vec::new(),
        }
    }

    #[inline]
    pub fn write(&mut self, buf: &mut Vec<u8>, us: i64) {
        let day = us.div_euclid(DAY);
        if day != self.day {
            self.day = day;
            self.prefix.clear();
            let (y, m, d) = civil_from_days(day);
            match self.style {
                Style::Bsd => {
                    self.prefix
                        .extend_from_slice(MONTHS[m as usize - 1].as_bytes());
                    self.prefix.push(b' ');
                    if d < 10 {
                        self.prefix.push(b' ');
                        self.prefix.push(b'0' + d as u8);
                    } else {
                        two(&mut self.prefix, d);
                    }
                    self.prefix.push(b' ');
                }
                Style::Iso => {
                    year4(&mut self.prefix, y);
                    self.prefix.push(b'-');
                    two(&mut self.prefix, m);
                    self.prefix.push(b'-');
                    two(&mut self.prefix, d);
                    self.prefix.push(b'T');
                }
            }
        }
        buf.extend_from_slice(&self.prefix);
        let in_day = us.rem_euclid(DAY);
        hms(buf, (in_day / SEC) as u32);
        if self.style == Style::Iso {
            let frac = (in_day % SEC) as u32;
            buf.push(b'.');
            two(buf, frac / 10_000);
            two(buf, frac / 100 % 100);
            two(buf, frac % 100);
            buf.extend_from_slice(b"+00:00");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in -1000..100_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(weekday(at(2025, 1, 6, 12, 0, 0)), 0); // a Monday
    }

    #[test]
    fn stamps() {
        let t = at(2025, 1, 5, 8, 51, 18) + 123_456;
        let mut b = Vec::new();
        Stamper::new(Style::Bsd).write(&mut b, t);
        assert_eq!(b, b"Jan  5 08:51:18");
        b.clear();
        Stamper::new(Style::Iso).write(&mut b, t);
        assert_eq!(b, b"2025-01-05T08:51:18.123456+00:00");
        b.clear();
        roundcube(&mut b, t);
        assert_eq!(b, b"05-Jan-2025 08:51:18 +0000");
        assert_eq!(rfc3339(t), "2025-01-05T08:51:18+00:00");
        assert_eq!(parse_date("2024-02-29").unwrap(), at(2024, 2, 29, 0, 0, 0));
        assert!(parse_date("2023-02-29").is_err());
    }
}
