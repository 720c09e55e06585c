//! Record times through the public API: strict parsing, one business time zone,
//! the run's clock; never a panic.

use fankui::window::{format_window, Clock, Zone};
use fankui::{LocalTime, WindowSize};
use proptest::prelude::*;

fn day_in(s: &str, zone: &str) -> String {
    let zone = Zone::named(zone).unwrap();
    format_window(LocalTime::parse(s).unwrap().window_in(WindowSize::Day, &zone), WindowSize::Day)
}

#[test]
fn values_that_used_to_pass_are_refused() {
    for bad in [
        "2026-11-09T10:00:99",
        "2026-11-09T10:00:00+99:99",
        "2026-11-09T10:00garbage",
        "2026-11-09T10:00:00+08:00\0",
        "0000-01-01",
        "0000-01-01T10:00:00+08:00",
        "9999-12-31",
        "9999-12-31T10:00:00+08:00",
    ] {
        let err = LocalTime::parse(bad).expect_err(bad).to_string();
        assert!(err.contains("not a valid RFC 3339 time"), "{bad:?}: {err}");
    }
}

#[test]
fn the_offset_is_not_ignored() {
    assert_eq!(day_in("2026-11-09T23:30:00Z", "Asia/Shanghai"), "2026-11-10");
    assert_eq!(day_in("2026-11-09T23:30:00+08:00", "Asia/Shanghai"), "2026-11-09");
    let zone = Zone::default();
    assert_eq!(zone.name(), "Asia/Shanghai");
    let hour =
        |s: &str| format_window(LocalTime::parse(s).unwrap().window_in(WindowSize::Hour, &zone), WindowSize::Hour);
    assert_eq!(hour("2026-11-09T23:30:00Z"), "2026-11-10T07:00");
    assert_eq!(hour("2026-11-09T23:30:00+08:00"), "2026-11-09T23:00");
    assert_eq!(hour("2026-11-09T10:00:00-05:00"), "2026-11-09T23:00");
}

#[test]
fn a_date_is_a_local_date_of_the_business_zone() {
    for zone in ["Asia/Shanghai", "UTC", "America/Los_Angeles", "Pacific/Kiritimati"] {
        assert_eq!(day_in("2026-11-09", zone), "2026-11-09", "{zone}");
        assert_eq!(day_in("2026-11-09 23:59:59", zone), "2026-11-09", "{zone}");
    }
}

#[test]
fn the_clock_bounds_accepted_times() {
    let clock = Clock::new(Zone::default(), Some("2026-11-09T12:00:00+08:00"), 24, None).unwrap();
    let check = |s: &str| clock.check(&LocalTime::parse(s).unwrap());
    assert!(check("2026-11-10T11:59:59+08:00").is_ok());
    assert!(check("2026-11-10T04:00:00Z").is_ok(), "exactly a day ahead");
    assert!(check("2026-11-10T04:00:01Z").is_err());
    assert!(check("2027-11-09T10:00:00+08:00").unwrap_err().contains("more than 24 hours after"));
    assert!(check("1970-01-01").is_ok(), "no past limit by default");
    assert!(Zone::named("Asia/Shanghai ").is_ok());
    assert!(Zone::named("Asia/Shangai").is_err());
}

proptest! {
    #[test]
    fn no_input_panics(s in "\\PC{0,40}") {
        let _ = LocalTime::parse(&s);
    }

    #[test]
    fn near_misses_never_panic(
        y in 0u32..10000, mo in 0u32..100, d in 0u32..100, h in 0u32..100, mi in 0u32..100, se in 0u32..100,
        oh in 0u32..100, om in 0u32..100, sep in "[T t_]", sign in "[+\\-Zz ]", tail in "[0-9a-z:.\\x00]{0,3}",
    ) {
        let s = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{se:02}{sign}{oh:02}:{om:02}{tail}");
        if let Ok(t) = LocalTime::parse(&s) {
            // Accepted only when every field is in range.
            prop_assert!((1970..=2199).contains(&y) && (1..=12).contains(&mo) && h < 24 && mi < 60 && se < 60);
            let zone = Zone::default();
            let _ = t.window_in(WindowSize::Hour, &zone);
            let _ = t.instant_in(&zone);
        }
    }
}
