//! Time values and windows: strict RFC 3339 parsing, one business time zone,
//! local days or hours.
//!
//! A chain's "day" is its stores' local day. Every timestamp is converted to
//! one configured business time zone (default `Asia/Shanghai`, see
//! [`DEFAULT_TIMEZONE`]) and bucketed by the local date and hour there:
//! `2026-11-09T23:30:00Z` is 2026-11-10 07:30 in Shanghai, so it counts for
//! 2026-11-10, and `2026-11-09T23:30:00+08:00` counts for 2026-11-09. A value
//! without an offset (`2026-11-09 23:30:00`) or a date alone (`2026-11-09`) is
//! a wall-clock time (midnight for a date) in the business time zone. The time
//! zone rules come from the IANA database compiled into the binary (jiff's
//! bundled tzdb): no `/usr/share/zoneinfo` is read, so every machine gives the
//! same answer.
//!
//! [`LocalTime::parse`] is strict. It accepts exactly
//! `YYYY-MM-DD` and `YYYY-MM-DD(T|t| )HH:MM[:SS[.fraction]][Z|z|±HH:MM]` (the
//! fraction has 1 to 9 digits), with valid calendar dates, hours 00–23,
//! minutes and seconds 00–59 (no leap second), offsets up to ±23:59 and years
//! [`MIN_YEAR`]–[`MAX_YEAR`] (so `0000-01-01` and `9999-12-31` placeholders are
//! errors). Surrounding ASCII whitespace is ignored; anything else (a trailing
//! NUL, `10:00garbage`, a `[zone]` annotation, the basic format
//! `20261109T1000`) is an error. Times too far from the run's clock are refused
//! by [`Clock::check`], so that one mistyped year cannot move a state file
//! years ahead.

use crate::error::{Error, Result};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The business time zone used when none is configured.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";
/// Earliest year [`LocalTime::parse`] accepts.
pub const MIN_YEAR: i16 = 1970;
/// Latest year [`LocalTime::parse`] accepts.
pub const MAX_YEAR: i16 = 2199;

/// Window length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowSize {
    /// Calendar days (default).
    #[default]
    Day,
    /// Clock hours.
    Hour,
}

impl FromStr for WindowSize {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1d" | "d" | "day" | "24h" => Ok(WindowSize::Day),
            "1h" | "h" | "hour" => Ok(WindowSize::Hour),
            other => Err(Error::InvalidOption { option: "window", reason: format!("`{other}`: use 1d or 1h") }),
        }
    }
}

impl fmt::Display for WindowSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WindowSize::Day => "1d",
            WindowSize::Hour => "1h",
        })
    }
}

/// A record's time as written: an instant (with `Z` or an offset), or a
/// wall-clock time or date of the business time zone (without one). Which
/// local day and hour it belongs to depends on the business time zone:
/// see [`LocalTime::window_in`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocalTime {
    repr: Repr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Repr {
    /// An instant, with the offset it was written with.
    Instant(Timestamp, Offset),
    /// A wall-clock time in the business time zone.
    Wall(DateTime),
    /// A date in the business time zone.
    Date(Date),
}

impl LocalTime {
    /// Parses a time strictly (the accepted forms are in the [module docs](self)).
    pub fn parse(s: &str) -> Result<Self> {
        parse_strict(s.trim_ascii()).map_err(|why| {
            let shown: String = s.chars().take(64).flat_map(char::escape_debug).collect();
            Error::Input(format!(
                "time `{shown}` is not a valid RFC 3339 time ({why}; e.g. 2026-11-09T12:30:00+08:00 or 2026-11-09)"
            ))
        })
    }

    /// The local date and time in `zone`: an instant is converted, a wall-clock
    /// time or date is taken as it is (it is already local).
    pub fn local_in(&self, zone: &Zone) -> DateTime {
        match self.repr {
            Repr::Instant(t, _) => zone.tz.to_datetime(t),
            Repr::Wall(dt) => dt,
            Repr::Date(d) => d.to_datetime(Time::midnight()),
        }
    }

    /// The instant this time stands for in `zone` (a wall-clock time that a
    /// daylight-saving change skips or repeats takes the usual "compatible"
    /// reading: the later offset for a gap, the earlier for a fold).
    pub fn instant_in(&self, zone: &Zone) -> Timestamp {
        match self.repr {
            Repr::Instant(t, _) => t,
            Repr::Wall(_) | Repr::Date(_) => {
                let dt = self.local_in(zone);
                // In range by construction (years MIN_YEAR..=MAX_YEAR); fall back
                // to the zone's offset at that time read as UTC otherwise.
                zone.tz
                    .to_ambiguous_timestamp(dt)
                    .compatible()
                    .unwrap_or_else(|_| Offset::UTC.to_timestamp(dt).unwrap_or(Timestamp::UNIX_EPOCH))
            }
        }
    }

    /// The window this time falls in, in the business time zone `zone`.
    pub fn window_in(&self, size: WindowSize, zone: &Zone) -> i64 {
        let dt = self.local_in(zone);
        let day = days_from_civil(i64::from(dt.year()), dt.month() as u32, dt.day() as u32);
        match size {
            WindowSize::Day => day,
            WindowSize::Hour => day * 24 + i64::from(dt.hour()),
        }
    }

    /// The window this time falls in, in the default business time zone
    /// ([`DEFAULT_TIMEZONE`]). Use [`LocalTime::window_in`] with the configured zone.
    pub fn window(&self, size: WindowSize) -> i64 {
        self.window_in(size, &Zone::default())
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.repr {
            Repr::Instant(t, o) => write!(f, "{}", t.display_with_offset(o)),
            Repr::Wall(dt) => write!(f, "{dt}"),
            Repr::Date(d) => write!(f, "{d}"),
        }
    }
}

/// The strict grammar; jiff checks the calendar and does the arithmetic.
fn parse_strict(s: &str) -> std::result::Result<LocalTime, String> {
    let b = s.as_bytes();
    let digits = |at: usize, n: usize| -> Option<u32> {
        let part = b.get(at..at + n)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0')))
    };
    let expect = |at: usize, what: &[u8], name: &str| -> std::result::Result<(), String> {
        match b.get(at) {
            Some(c) if what.contains(c) => Ok(()),
            Some(_) => Err(format!("unexpected character at position {} (expected {name})", at + 1)),
            None => Err(format!("ends early (expected {name} at position {})", at + 1)),
        }
    };
    if s.is_empty() {
        return Err("empty".into());
    }
    let year = digits(0, 4).ok_or("the year must be 4 digits")?;
    expect(4, b"-", "`-`")?;
    let month = digits(5, 2).ok_or("the month must be 2 digits")?;
    expect(7, b"-", "`-`")?;
    let day = digits(8, 2).ok_or("the day must be 2 digits")?;
    if !(i32::from(MIN_YEAR)..=i32::from(MAX_YEAR)).contains(&(year as i32)) {
        return Err(format!("year {year:04} is outside {MIN_YEAR}..={MAX_YEAR}"));
    }
    let date = Date::new(year as i16, month as i8, day as i8)
        .map_err(|_| format!("{year:04}-{month:02}-{day:02} is not a calendar date"))?;
    if b.len() == 10 {
        return Ok(LocalTime { repr: Repr::Date(date) });
    }
    expect(10, b"Tt ", "`T` or a space")?;
    let hour = digits(11, 2).ok_or("the hour must be 2 digits")?;
    expect(13, b":", "`:`")?;
    let minute = digits(14, 2).ok_or("the minute must be 2 digits")?;
    let mut at = 16;
    let mut second = 0;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b':') {
        second = digits(at + 1, 2).ok_or("the second must be 2 digits")?;
        at += 3;
        if b.get(at) == Some(&b'.') {
            let n = b[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return Err("a fraction of a second needs 1 to 9 digits".into());
            }
            nanos = digits(at + 1, n).unwrap_or(0) * 10u32.pow(9 - n as u32);
            at += 1 + n;
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!("{hour:02}:{minute:02}:{second:02} is not a time of day"));
    }
    let time = Time::new(hour as i8, minute as i8, second as i8, nanos as i32)
        .map_err(|_| format!("{hour:02}:{minute:02}:{second:02} is not a time of day"))?;
    let dt = date.to_datetime(time);
    let offset = match b.get(at) {
        None => return Ok(LocalTime { repr: Repr::Wall(dt) }),
        Some(b'Z' | b'z') => {
            at += 1;
            Offset::UTC
        }
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(at + 1, 2).ok_or("the offset hour must be 2 digits")?;
            expect(at + 3, b":", "`:` in the offset")?;
            let om = digits(at + 4, 2).ok_or("the offset minute must be 2 digits")?;
            if oh > 23 || om > 59 {
                return Err(format!("offset {}{oh:02}:{om:02} is out of range", sign as char));
            }
            at += 6;
            let secs = (oh * 3600 + om * 60) as i32;
            Offset::from_seconds(if sign == b'-' { -secs } else { secs }).map_err(|e| e.to_string())?
        }
        Some(_) => return Err(format!("unexpected character at position {} (expected Z or an offset)", at + 1)),
    };
    if at != b.len() {
        return Err(format!("unexpected text after the time at position {}", at + 1));
    }
    let t = offset.to_timestamp(dt).map_err(|e| e.to_string())?;
    Ok(LocalTime { repr: Repr::Instant(t, offset) })
}

/// A business time zone: an IANA name resolved in the bundled time zone database.
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// The zone of an IANA name (`Asia/Shanghai`, `Asia/Hong_Kong`, `UTC`, ...).
    pub fn named(name: &str) -> Result<Zone> {
        let tz = TimeZone::get(name.trim()).map_err(|_| Error::InvalidOption {
            option: "timezone",
            reason: format!("`{name}` is not a time zone of the IANA database (e.g. Asia/Shanghai, UTC)"),
        })?;
        Ok(Zone { name: name.trim().to_string(), tz })
    }

    /// The IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Formats an instant as local time with its offset in this zone.
    pub fn format(&self, t: Timestamp) -> String {
        let t = Timestamp::from_second(t.as_second()).unwrap_or(t);
        t.display_with_offset(self.tz.to_offset(t)).to_string()
    }
}

impl Default for Zone {
    /// [`DEFAULT_TIMEZONE`] (Asia/Shanghai).
    fn default() -> Self {
        Zone::named(DEFAULT_TIMEZONE).unwrap_or_else(|_| Zone {
            // The bundled database always has it; a fixed +08:00 is the same zone since 1991.
            name: DEFAULT_TIMEZONE.into(),
            tz: TimeZone::fixed(Offset::from_seconds(8 * 3600).unwrap_or(Offset::UTC)),
        })
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// A run's clock: the business time zone, "now", and how far from now a record's
/// time may be. A time more than `max_future` after now (or `max_past` before
/// it) is an input error: it must not move the state's last window.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    zone: Zone,
    now: Timestamp,
    max_future_secs: i64,
    max_past_secs: Option<i64>,
}

impl Clock {
    /// A clock in `zone`. `now` is an explicit clock (any form [`LocalTime::parse`]
    /// accepts; `None`: the system clock); `max_future_hours` and `max_past_days`
    /// bound the accepted times (`None`: no lower bound).
    pub fn new(zone: Zone, now: Option<&str>, max_future_hours: u32, max_past_days: Option<u32>) -> Result<Clock> {
        let now = match now {
            Some(s) => LocalTime::parse(s)
                .map_err(|e| Error::InvalidOption { option: "now", reason: e.to_string() })?
                .instant_in(&zone),
            None => Timestamp::now(),
        };
        Ok(Clock {
            zone,
            now,
            max_future_secs: i64::from(max_future_hours) * 3600,
            max_past_secs: max_past_days.map(|d| i64::from(d) * 86_400),
        })
    }

    /// The business time zone.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// "Now", as an instant.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Whether a record's time is acceptable; the reason when it is not.
    pub fn check(&self, t: &LocalTime) -> std::result::Result<(), String> {
        let secs = t.instant_in(&self.zone).as_second();
        let now = self.now.as_second();
        if secs > now + self.max_future_secs {
            return Err(format!(
                "time `{t}` is more than {} hours after the run's clock ({}, {}): refused so that it cannot move the issue state ahead (a mistyped year?)",
                self.max_future_secs / 3600,
                self.zone.format(self.now),
                self.zone.name
            ));
        }
        if let Some(past) = self.max_past_secs {
            if secs < now - past {
                return Err(format!(
                    "time `{t}` is more than {} days before the run's clock ({}, {})",
                    past / 86_400,
                    self.zone.format(self.now),
                    self.zone.name
                ));
            }
        }
        Ok(())
    }

    /// The window of a time in the business time zone.
    pub fn window(&self, t: &LocalTime, size: WindowSize) -> i64 {
        t.window_in(size, &self.zone)
    }

    /// The latest window an accepted time can fall in (that of now plus the future limit).
    pub fn latest_window(&self, size: WindowSize) -> i64 {
        let secs = self.now.as_second().saturating_add(self.max_future_secs);
        let t = Timestamp::from_second(secs).unwrap_or(self.now);
        LocalTime { repr: Repr::Instant(t, Offset::UTC) }.window_in(size, &self.zone)
    }
}

/// The earliest window any parsed time can fall in: the day before 1 January
/// of [`MIN_YEAR`] (an offset can move a time there).
pub fn earliest_window(size: WindowSize) -> i64 {
    let day = days_from_civil(i64::from(MIN_YEAR), 1, 1) - 1;
    match size {
        WindowSize::Day => day,
        WindowSize::Hour => day * 24,
    }
}

/// A window for a message: formatted when it is a plausible date, else its number.
pub fn describe_window(window: i64, size: WindowSize) -> String {
    let day = window_day(window, size);
    if (-1_000_000..=1_000_000).contains(&day) {
        format_window(window, size)
    } else {
        format!("{window} (not a plausible date)")
    }
}

/// Day of week of a day number: 0 = Monday … 6 = Sunday.
pub fn weekday(day: i64) -> usize {
    // 1970-01-01 was a Thursday (3).
    (day + 3).rem_euclid(7) as usize
}

/// The first day of a window.
pub fn window_day(window: i64, size: WindowSize) -> i64 {
    match size {
        WindowSize::Day => window,
        WindowSize::Hour => window.div_euclid(24),
    }
}

/// Seasonal slot of a window: weekday for days, hour of day for hours.
pub fn season(window: i64, size: WindowSize) -> usize {
    match size {
        WindowSize::Day => weekday(window),
        WindowSize::Hour => window.rem_euclid(24) as usize,
    }
}

/// Number of seasonal slots for a window size.
pub fn seasons(size: WindowSize) -> usize {
    match size {
        WindowSize::Day => 7,
        WindowSize::Hour => 24,
    }
}

/// Formats a window's start: `2026-11-09` for days, `2026-11-09T13:00` for hours.
pub fn format_window(window: i64, size: WindowSize) -> String {
    let (y, m, d) = civil_from_days(window_day(window, size));
    match size {
        WindowSize::Day => format!("{y:04}-{m:02}-{d:02}"),
        WindowSize::Hour => format!("{y:04}-{m:02}-{d:02}T{:02}:00", window.rem_euclid(24)),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str, zone: &str) -> String {
        let zone = Zone::named(zone).unwrap();
        format_window(LocalTime::parse(s).unwrap().window_in(WindowSize::Day, &zone), WindowSize::Day)
    }

    #[test]
    fn parses_local_dates_and_hours() {
        let t = LocalTime::parse("2026-11-09T23:40:00+08:00").unwrap();
        assert_eq!(format_window(t.window(WindowSize::Day), WindowSize::Day), "2026-11-09");
        assert_eq!(format_window(t.window(WindowSize::Hour), WindowSize::Hour), "2026-11-09T23:00");
        let date = LocalTime::parse("2026-11-09").unwrap();
        assert_eq!(date.window(WindowSize::Day), t.window(WindowSize::Day));
        let wall = LocalTime::parse("2026-11-09 08:05:00").unwrap();
        assert_eq!(format_window(wall.window(WindowSize::Hour), WindowSize::Hour), "2026-11-09T08:00");
        assert_eq!(weekday(t.window(WindowSize::Day)), 0, "2026-11-09 is a Monday");
        assert_eq!(t.to_string(), "2026-11-09T23:40:00+08:00");
    }

    #[test]
    fn the_offset_counts_and_days_are_business_days() {
        // 23:30 UTC is 07:30 the next morning in Shanghai.
        assert_eq!(day("2026-11-09T23:30:00Z", "Asia/Shanghai"), "2026-11-10");
        assert_eq!(day("2026-11-09T23:30:00+08:00", "Asia/Shanghai"), "2026-11-09");
        assert_eq!(day("2026-11-09T23:30:00Z", "UTC"), "2026-11-09");
        assert_eq!(day("2026-11-09T15:59:59.999Z", "Asia/Shanghai"), "2026-11-09");
        assert_eq!(day("2026-11-09T16:00:00Z", "Asia/Shanghai"), "2026-11-10");
        assert_eq!(day("2026-11-10T07:30:00+08:00", "America/New_York"), "2026-11-09");
        // A date or a time without an offset is local to the business zone, whichever it is.
        assert_eq!(day("2026-11-09", "America/New_York"), "2026-11-09");
        assert_eq!(day("2026-11-09T23:30:00", "UTC"), "2026-11-09");
        let z = LocalTime::parse("2026-11-09T23:30:00Z").unwrap();
        let e = LocalTime::parse("2026-11-10T07:30:00+08:00").unwrap();
        assert_ne!(z, LocalTime::parse("2026-11-09T23:30:00+08:00").unwrap());
        assert_eq!(z.instant_in(&Zone::default()), e.instant_in(&Zone::default()));
    }

    #[test]
    fn refuses_malformed_times() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-11-09T25:00",
            "2026/11/09",
            "２０２６-11-09",
            "2026-11-09T10:00:99",
            "2026-11-09T10:00:60Z",
            "2026-11-09T10:60:00Z",
            "2026-11-09T10:00:00+99:99",
            "2026-11-09T10:00:00+24:00",
            "2026-11-09T10:00:00+08:60",
            "2026-11-09T10:00:00+0800",
            "2026-11-09T10:00:00+08",
            "2026-11-09T10:00garbage",
            "2026-11-09T10:00:00Zgarbage",
            "2026-11-09T10:00:00+08:00\0",
            "2026-11-09\0",
            "2026-11-09T10:00:00+08:00[Asia/Shanghai]",
            "2026-11-09T10",
            "2026-11-09T10Z",
            "20261109T100000Z",
            "2026-11-09T10:00:00.",
            "2026-11-09T10:00:00.1234567890Z",
            "0000-01-01",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "1969-12-31",
            "2200-01-01",
            "-2026-11-09",
            "+2026-11-09",
            "2026-11-9",
            "2026-11-09T1:00",
            "2026-11-09X10:00",
            "2026-11-09T10:00:00 +08:00",
        ] {
            let err = LocalTime::parse(bad).err();
            assert!(err.is_some(), "{bad:?} must be refused");
            assert!(err.unwrap().to_string().contains("not a valid RFC 3339 time"));
        }
        for good in [
            "2026-11-09",
            " 2026-11-09T10:00:00+08:00 ",
            "2026-11-09t10:00:00z",
            "2026-11-09 10:00",
            "2026-11-09T10:00:00.123456789-05:30",
            "2026-11-09T10:00:00-00:00",
            "1970-01-01T00:00:00Z",
            "2199-12-31T23:59:59+08:00",
            "2028-02-29",
        ] {
            assert!(LocalTime::parse(good).is_ok(), "{good:?} must be accepted");
        }
    }

    #[test]
    fn the_bundled_time_zone_database_is_used() {
        // No zoneinfo directory is read: this works on a machine without /usr/share/zoneinfo.
        assert!(Zone::named("Asia/Shanghai").is_ok());
        assert!(Zone::named("America/Sao_Paulo").is_ok());
        assert!(Zone::named("Mars/Olympus_Mons").is_err());
        assert!(format!("{:?}", jiff::tz::db()).contains("Bundled"), "{:?}", jiff::tz::db());
    }

    #[test]
    fn the_clock_refuses_times_far_from_now() {
        let clock = Clock::new(Zone::default(), Some("2026-11-09T12:00:00+08:00"), 24, Some(3650)).unwrap();
        let ok = |s: &str| clock.check(&LocalTime::parse(s).unwrap());
        assert!(ok("2026-11-09T12:00:00+08:00").is_ok());
        assert!(ok("2026-11-10T12:00:00+08:00").is_ok());
        assert!(ok("2026-11-10").is_ok());
        let err = ok("2026-11-10T12:00:01+08:00").unwrap_err();
        assert!(err.contains("more than 24 hours after"), "{err}");
        assert!(ok("2062-10-01T10:00:00+08:00").is_err());
        assert!(ok("2016-11-12").is_ok());
        assert!(ok("2016-11-01").unwrap_err().contains("3650 days before"));
        let open = Clock::new(Zone::default(), Some("2026-11-09"), 24, None).unwrap();
        assert!(open.check(&LocalTime::parse("1970-01-01").unwrap()).is_ok());
        assert_eq!(format_window(clock.latest_window(WindowSize::Day), WindowSize::Day), "2026-11-10");
        assert_eq!(format_window(clock.latest_window(WindowSize::Hour), WindowSize::Hour), "2026-11-10T12:00");
        assert_eq!(format_window(earliest_window(WindowSize::Day), WindowSize::Day), "1969-12-31");
        assert_eq!(describe_window(i64::MAX, WindowSize::Day), format!("{} (not a plausible date)", i64::MAX));
        assert!(Clock::new(Zone::default(), Some("soon"), 24, None).is_err());
    }

    #[test]
    fn civil_round_trip() {
        for z in [-1000, 0, 59, 60, 20_000, 20_766] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }
}
