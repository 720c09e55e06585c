//! Operations data for the synthetic month (tests/common/month.rs): store
//! attributes (stores.csv), daily orders per store (volume.csv), and a busy
//! railway-station store, GZ-008, whose queue complaints follow its orders
//! (about 1 per 100 orders). On the holiday 2026-10-31 its orders double, and its
//! complaints with them: more customers, not a worse store.
//!
//! Seeded like the month, from its own random stream: the month's other records
//! are the same with or without the station's.
#![allow(dead_code)]

use crate::month::{self, Record, Rng, Truth, DAYS, REGIONS, STORES_PER_REGION};

/// The busy station store.
pub const STATION: &str = "GZ-008";
/// The holiday (day 30, 2026-10-31) on which its orders double.
pub const HOLIDAY: u32 = 30;
/// Its queue complaints per order.
pub const STATION_RATE: f64 = 0.01;

const CITIES: [(&str, &str); 4] = [("east", "上海"), ("north", "北京"), ("south", "广州"), ("west", "成都")];
const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙"];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军"];

fn date(day: u32) -> String {
    let (m, d) = if day < 31 { (10, day + 1) } else { (11, day - 30) };
    format!("2026-{m:02}-{d:02}")
}

/// Store ids and regions, in the month's order.
pub fn store_list() -> Vec<(String, String)> {
    REGIONS
        .iter()
        .flat_map(|(region, code)| (1..=STORES_PER_REGION).map(move |i| (format!("{code}-{i:03}"), region.to_string())))
        .collect()
}

/// stores.csv: `store,region,city,manager,opened`.
pub fn stores_csv(seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x5709_e5);
    let mut out = String::from("store,region,city,manager,opened\n");
    for (store, region) in store_list() {
        let city = CITIES.iter().find(|(r, _)| *r == region).map(|(_, c)| *c).unwrap_or("");
        let manager = format!("{}{}", SURNAMES[rng.below(SURNAMES.len())], GIVEN[rng.below(GIVEN.len())]);
        let (y, m, d) = (2012 + rng.below(14), 1 + rng.below(12), 1 + rng.below(28));
        out += &format!("{store},{region},{city},{manager},{y:04}-{m:02}-{d:02}\n");
    }
    out
}

/// Orders per day (0..DAYS) and store: 400–1,000 a weekday per store (a third
/// more at weekends, ±5 % noise), 2,400 at the station, doubled on the holiday.
pub fn orders(seed: u64) -> Vec<(u32, String, u32)> {
    let mut rng = Rng::new(seed ^ 0x0_5de5);
    let stores = store_list();
    let base: Vec<f64> =
        stores.iter().map(|(s, _)| if s == STATION { 2400.0 } else { 400.0 + rng.below(601) as f64 }).collect();
    let mut out = Vec::new();
    for day in 0..DAYS {
        let weekend = if month::weekday(day) >= 5 { 1.3 } else { 1.0 };
        for ((store, _), b) in stores.iter().zip(&base) {
            let holiday = if store == STATION && day == HOLIDAY { 2.0 } else { 1.0 };
            let noise = 0.95 + 0.1 * rng.unit();
            out.push((day, store.clone(), (b * weekend * holiday * noise).round() as u32));
        }
    }
    out
}

/// volume.csv: `date,store,orders`.
pub fn volume_csv(seed: u64) -> String {
    let mut out = String::from("date,store,orders\n");
    for (day, store, n) in orders(seed) {
        out += &format!("{},{store},{n}\n", date(day));
    }
    out
}

/// The station's queue complaints: Poisson(orders × [`STATION_RATE`]) a day, ids `s00001`…
pub fn station_records(seed: u64) -> Vec<Record> {
    let mut rng = Rng::new(seed ^ 0x57a7_1011);
    let pool = month::pool("station_queue");
    let mut raw = Vec::new();
    for (day, store, n) in orders(seed) {
        if store != STATION {
            continue;
        }
        for _ in 0..rng.poisson(f64::from(n) * STATION_RATE) {
            let peak = if rng.unit() < 0.5 { 12 * 60 } else { 18 * 60 + 30 };
            let minute = (peak as i64 + (rng.unit() * 240.0 - 120.0) as i64).clamp(7 * 60, 23 * 60) as u32;
            raw.push((day, minute, rng.pick(&pool).to_string()));
        }
    }
    raw.sort_by_key(|(d, m, _)| (*d, *m));
    raw.into_iter()
        .enumerate()
        .map(|(i, (day, m, text))| Record {
            id: format!("s{:05}", i + 1),
            day,
            time: format!("{}T{:02}:{:02}:00+08:00", date(day), m / 60, m % 60),
            store: STATION.into(),
            region: "south".into(),
            voice: !text.contains('，'),
            text,
            truth: Truth::Background,
        })
        .collect()
}

/// The month with the station's records merged in, in time order (the month's
/// own records keep their ids).
pub fn generate_with_station(seed: u64) -> Vec<Record> {
    let mut records = month::generate(seed);
    records.extend(station_records(seed));
    // Times share one offset and format: the string order is the time order.
    records.sort_by(|a, b| a.time.cmp(&b.time));
    records
}
