//! Operations data without the model: stores.csv and volume.csv read and
//! refused with file, line and column; the bundled example files match the
//! example month and its generator.

#[path = "common/month.rs"]
mod month;
#[path = "common/ops_month.rs"]
mod ops_month;

use fankui::{Stores, Volume};
use jiff::civil::date;
use std::collections::BTreeSet;
use std::path::Path;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

#[test]
fn stores_read_with_optional_columns_quotes_and_a_bom() {
    let csv =
        "\u{feff}store, region ,city,manager,opened,extra\nSH-001,east,上海,\"王, 芳\",2019-05-01,x\nSH-002,,,,,\n";
    let s = Stores::from_csv_reader(csv.as_bytes(), "stores.csv").unwrap();
    assert_eq!(s.len(), 2);
    let a = s.get("SH-001").unwrap();
    assert_eq!(a.region.as_deref(), Some("east"));
    assert_eq!(a.manager.as_deref(), Some("王, 芳"));
    assert_eq!(a.opened, Some(date(2019, 5, 1)));
    let b = s.get("SH-002").unwrap();
    assert_eq!((b.region.as_ref(), b.opened), (None, None));
    assert!(s.get("SH-003").is_none());
    assert_eq!(s.iter().map(|i| i.store.as_str()).collect::<Vec<_>>(), ["SH-001", "SH-002"]);
    // Only the store column is required.
    let only = Stores::from_csv_reader("store\nA\n".as_bytes(), "s.csv").unwrap();
    assert_eq!(only.get("A").unwrap().city, None);
}

#[test]
fn bad_stores_and_volume_name_file_line_and_column() {
    let stores = [
        ("region\neast\n", "line 1, column `store`", "no `store` column"),
        ("store,opened\nA,2019-13-01\n", "line 2, column `opened`", "not a valid date"),
        ("store,opened\nA,01/05/2019\n", "line 2, column `opened`", "YYYY-MM-DD"),
        ("store,region\nA,east\nB,west\nA,north\n", "line 4, column `store`", "appears twice"),
        ("store,region\nA,east,extra\n", "line 2", "3 fields, but the header has 2"),
        ("store,region\n,east\n", "line 2, column `store`", "empty store id"),
        ("", "line 1", "header row"),
    ];
    for (text, place, reason) in stores {
        let err = Stores::from_csv_reader(text.as_bytes(), "stores.csv").unwrap_err().to_string();
        assert!(err.starts_with("stores.csv, ") && err.contains(place) && err.contains(reason), "{text:?}: {err}");
    }
    let volume = [
        ("date,store\n2026-10-01,A\n", "column `orders`", "no `orders` column"),
        (
            "date,store,orders\n2026-10-01,A,12\n2026-10-01,A,13\n",
            "line 3, column `store`",
            "second row for 2026-10-01",
        ),
        ("date,store,orders\n2026-10-01,A,-1\n", "line 2, column `orders`", "not a number of orders"),
        ("date,store,orders\n2026-10-01,A,lots\n", "line 2, column `orders`", "`lots`"),
        ("date,store,orders\n2026-10-01,A,NaN\n", "line 2, column `orders`", "not a number"),
        ("date,store,orders\n2026-02-30,A,1\n", "line 2, column `date`", "not a valid date"),
    ];
    for (text, place, reason) in volume {
        let err = Volume::from_csv_reader(text.as_bytes(), "volume.csv").unwrap_err().to_string();
        assert!(err.starts_with("volume.csv, ") && err.contains(place) && err.contains(reason), "{text:?}: {err}");
    }
    let missing = Volume::from_csv_path(Path::new("/nonexistent/volume.csv")).unwrap_err().to_string();
    assert!(missing.contains("/nonexistent/volume.csv") && missing.contains("cannot open"), "{missing}");
}

#[test]
fn volume_totals_by_store_region_and_chain() {
    let v = Volume::from_csv_reader(
        "date,store,orders\n2026-10-01,A,100\n2026-10-01,B,50.5\n2026-10-02,A,120\n2026-10-01,C,7\n".as_bytes(),
        "v.csv",
    )
    .unwrap();
    let s = Stores::from_csv_reader("store,region\nA,east\nB,east\nC,west\n".as_bytes(), "s.csv").unwrap();
    let d1 = date(2026, 10, 1);
    assert_eq!(v.orders("A", d1), Some(100.0));
    assert_eq!(v.orders("B", date(2026, 10, 2)), None, "no row is unknown, not 0");
    assert_eq!(v.chain_orders(d1), Some(157.5));
    assert_eq!(v.region_orders(&s, "east", d1), Some(150.5));
    assert_eq!(v.region_orders(&s, "south", d1), None);
    assert_eq!(v.orders_between("A", d1, date(2026, 10, 31)), Some(220.0));
    assert_eq!(v.date_range(), Some((d1, date(2026, 10, 2))));
}

#[test]
fn example_stores_and_volume_cover_the_example_month_and_match_the_generator() {
    let stores = Stores::from_csv_path(&Path::new(EXAMPLES).join("stores.csv")).unwrap();
    let volume = Volume::from_csv_path(&Path::new(EXAMPLES).join("volume.csv")).unwrap();
    assert_eq!(
        std::fs::read_to_string(Path::new(EXAMPLES).join("stores.csv")).unwrap(),
        ops_month::stores_csv(20261001)
    );
    assert_eq!(
        std::fs::read_to_string(Path::new(EXAMPLES).join("volume.csv")).unwrap(),
        ops_month::volume_csv(20261001)
    );
    let month = std::fs::read_to_string(Path::new(EXAMPLES).join("month.jsonl")).unwrap();
    let mut seen = BTreeSet::new();
    for line in month.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let store = r["store"].as_str().unwrap();
        let info = stores.get(store).unwrap_or_else(|| panic!("{store} not in stores.csv"));
        assert_eq!(info.region.as_deref(), r["region"].as_str(), "{store}");
        let day: jiff::civil::Date = r["time"].as_str().unwrap()[..10].parse().unwrap();
        assert!(volume.orders(store, day).is_some_and(|n| n > 0.0), "{store} has no orders on {day}");
        seen.insert(store.to_string());
    }
    assert_eq!(seen.len(), stores.len(), "every store of stores.csv appears in the month");
    // The station store doubles on the holiday; its neighbours' days do not.
    let station = ops_month::STATION;
    let (holiday, week_before) = (date(2026, 10, 31), date(2026, 10, 24));
    let ratio = volume.orders(station, holiday).unwrap() / volume.orders(station, week_before).unwrap();
    assert!((1.8..2.2).contains(&ratio), "{ratio}");
    let chain = volume.chain_orders(holiday).unwrap() / volume.chain_orders(week_before).unwrap();
    assert!((0.97..1.05).contains(&chain), "{chain}");
    // And its complaints rise with them: month.jsonl holds the generator's station records.
    let station_day = |d: &str| month.lines().filter(|l| l.contains("\"id\":\"s") && l.contains(d)).count();
    let (h, b) = (station_day("2026-10-31T"), station_day("2026-10-24T"));
    assert!(h as f64 > 1.5 * b as f64, "holiday {h}, a week before {b}");
    assert_eq!(month.lines().filter(|l| l.contains("\"id\":\"s")).count(), ops_month::station_records(20261001).len());
}
