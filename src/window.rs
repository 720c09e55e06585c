//! Time windows for counting: RFC 3339 timestamps to local days or hours.
//!
//! A chain's "day" is the customer's local day, so a timestamp is bucketed by
//! the date and hour written in it (`2026-11-09T23:40:00+08:00` belongs to
//! 2026-11-09 whatever the server's time zone).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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

/// A local timestamp: days since 1970-01-01 of its local date, and minutes into that day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalTime {
    /// Local date as days since 1970-01-01.
    pub day: i64,
    /// Minutes since local midnight.
    pub minute: u32,
}

impl LocalTime {
    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` (a space may replace `T`).
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || Error::Input(format!("time `{s}` is not an RFC 3339 timestamp (e.g. 2026-11-09T12:30:00+08:00)"));
        let b = s.trim().as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = b.get(r)?;
            if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(part).ok()?.parse().ok()
        };
        let year = num(0..4).ok_or_else(bad)?;
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(bad());
        }
        let month = num(5..7).ok_or_else(bad)?;
        let day = num(8..10).ok_or_else(bad)?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year as i64, month) {
            return Err(bad());
        }
        let mut minute = 0;
        if b.len() > 10 {
            if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') {
                return Err(bad());
            }
            let hh = num(11..13).ok_or_else(bad)?;
            let mm = num(14..16).ok_or_else(bad)?;
            if hh > 23 || mm > 59 {
                return Err(bad());
            }
            minute = hh * 60 + mm;
        }
        Ok(LocalTime { day: days_from_civil(year as i64, month, day), minute })
    }

    /// The window this time falls in.
    pub fn window(&self, size: WindowSize) -> i64 {
        match size {
            WindowSize::Day => self.day,
            WindowSize::Hour => self.day * 24 + i64::from(self.minute / 60),
        }
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

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
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

    #[test]
    fn parses_local_dates_and_hours() {
        let t = LocalTime::parse("2026-11-09T23:40:00+08:00").unwrap();
        assert_eq!(format_window(t.window(WindowSize::Day), WindowSize::Day), "2026-11-09");
        assert_eq!(format_window(t.window(WindowSize::Hour), WindowSize::Hour), "2026-11-09T23:00");
        assert_eq!(LocalTime::parse("2026-11-09").unwrap().day, t.day);
        assert_eq!(LocalTime::parse("2026-11-09 08:05:00").unwrap().minute, 485);
        assert_eq!(weekday(t.day), 0, "2026-11-09 is a Monday");
    }

    #[test]
    fn refuses_malformed_times() {
        for bad in ["", "yesterday", "2026-13-01", "2026-02-30", "2026-11-09T25:00", "2026/11/09", "２０２６-11-09"]
        {
            assert!(LocalTime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for z in [-1000, 0, 59, 60, 20_000, 20_766] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }
}
