//! A synthetic month of restaurant-chain feedback with injected incidents, for
//! testing complaint clustering and spike detection (tests/issues_month.rs) and
//! for the demo file examples/month.jsonl (`cargo run --example make_month`).
//!
//! 200 stores in 4 regions, 35 days from 2026-10-01, about two records per store
//! per day with weekend peaks, drawn from the pools in tests/data/month/
//! (everyday complaints, praise and neutral comments, all written for fankui).
//! Injected on top:
//! - day 14: one store gets four reports of hair in the food;
//! - days 15–19: a burst of praise for a new item, chain-wide;
//! - days 20–22: fries taste off in 25 stores of the east region (a bad potato batch);
//! - day 28: mini-program payment fails chain-wide.
//!
//! Everything is seeded: the same seed gives the same month.
#![allow(dead_code)]

use std::collections::BTreeMap;

pub const START: &str = "2026-10-01";
pub const DAYS: u32 = 35;
pub const REGIONS: [(&str, &str); 4] = [("east", "SH"), ("north", "BJ"), ("south", "GZ"), ("west", "CD")];
pub const STORES_PER_REGION: usize = 50;

/// Which incident a record belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Truth {
    Background,
    Hair,
    Praise,
    Fries,
    Payment,
}

/// One incident: what, where and when.
pub struct Incident {
    pub truth: Truth,
    pub first_day: u32,
    pub last_day: u32,
    /// A word the name must contain.
    pub object: &'static str,
}

pub const INCIDENTS: [Incident; 4] = [
    Incident { truth: Truth::Hair, first_day: 14, last_day: 14, object: "头发" },
    Incident { truth: Truth::Praise, first_day: 15, last_day: 19, object: "鸡腿堡" },
    Incident { truth: Truth::Fries, first_day: 20, last_day: 22, object: "薯条" },
    Incident { truth: Truth::Payment, first_day: 28, last_day: 28, object: "支付" },
];

/// Days with no incident at all, after the detector's one-week warm-up.
pub fn quiet_days() -> Vec<u32> {
    (7..DAYS).filter(|d| !INCIDENTS.iter().any(|i| (i.first_day..=i.last_day + 1).contains(d))).collect()
}

pub struct Record {
    pub id: String,
    pub day: u32,
    pub time: String,
    pub store: String,
    pub region: String,
    pub text: String,
    pub voice: bool,
    pub truth: Truth,
}

impl Record {
    pub fn to_json(&self) -> String {
        let mut v = serde_json::json!({
            "id": self.id, "time": self.time, "store": self.store, "region": self.region, "text": self.text,
        });
        if self.voice {
            v["source"] = "voice".into();
        }
        v.to_string()
    }
}

#[path = "rng.rs"]
mod rng;
pub use rng::Rng;

pub fn pool(name: &str) -> Vec<String> {
    let path = format!("{}/tests/data/month/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect()
}

fn date(day: u32) -> String {
    // 2026-10-01 + day, October has 31 days.
    let (m, d) = if day < 31 { (10, day + 1) } else { (11, day - 30) };
    format!("2026-{m:02}-{d:02}")
}

/// Monday = 0 … Sunday = 6; 2026-10-01 is a Thursday.
pub fn weekday(day: u32) -> u32 {
    (day + 3) % 7
}

fn looks_like_voice(text: &str) -> bool {
    !text.chars().any(|c| "，。！？,.!?；;、~…".contains(c))
}

/// Generates the month, in time order.
pub fn generate(seed: u64) -> Vec<Record> {
    generate_scaled(seed, STORES_PER_REGION, 1.0)
}

/// Like [`generate`] with `stores_per_region` stores per region and background
/// volume multiplied by `volume` (the benchmark's 1.5-million-record month uses
/// 875 stores per region, 3,500 in all, and volume 6). Incidents keep their size.
pub fn generate_scaled(seed: u64, stores_per_region: usize, volume: f64) -> Vec<Record> {
    let mut rng = Rng::new(seed);
    let neg = pool("background_negative");
    let pos = pool("background_positive");
    let neu = pool("background_neutral");
    let fries = pool("incident_fries");
    let hair = pool("incident_hair");
    let pay = pool("incident_payment");
    let praise = pool("praise_new_item");
    let stores: Vec<(String, String)> = REGIONS
        .iter()
        .flat_map(|(region, code)| (1..=stores_per_region).map(move |i| (format!("{code}-{i:03}"), region.to_string())))
        .collect();
    let east: Vec<usize> = (0..stores.len()).filter(|&i| stores[i].1 == "east").collect();
    let fries_stores: Vec<usize> = east.iter().copied().step_by(2).take(25).collect();
    let hair_store = stores.iter().position(|(s, _)| s == "BJ-007").expect("store exists");

    let mut raw: Vec<(u32, u32, usize, String, Truth)> = Vec::new(); // day, minute, store, text, truth
    let minute = |rng: &mut Rng| -> u32 {
        // Meal peaks: lunch and dinner.
        let peak = if rng.unit() < 0.5 { 12 * 60 } else { 18 * 60 + 30 };
        (peak as i64 + (rng.unit() * 240.0 - 120.0) as i64).clamp(7 * 60, 23 * 60) as u32
    };
    for day in 0..DAYS {
        let weekend = weekday(day) >= 5;
        let rate = volume * if weekend { 2.6 } else { 1.8 };
        for s in 0..stores.len() {
            for _ in 0..rng.poisson(rate) {
                let r = rng.unit();
                let text = if r < 0.45 {
                    rng.pick(&neg)
                } else if r < 0.85 {
                    rng.pick(&pos)
                } else {
                    rng.pick(&neu)
                };
                let m = minute(&mut rng);
                raw.push((day, m, s, text.to_string(), Truth::Background));
            }
        }
        let inc = |t: Truth| INCIDENTS.iter().find(|i| i.truth == t).expect("incident");
        let hair_i = inc(Truth::Hair);
        if (hair_i.first_day..=hair_i.last_day).contains(&day) {
            for _ in 0..4 {
                let m = minute(&mut rng);
                raw.push((day, m, hair_store, rng.pick(&hair).to_string(), Truth::Hair));
            }
        }
        let praise_i = inc(Truth::Praise);
        if (praise_i.first_day..=praise_i.last_day).contains(&day) {
            for _ in 0..rng.poisson(18.0) {
                let s = rng.below(stores.len());
                let m = minute(&mut rng);
                raw.push((day, m, s, rng.pick(&praise).to_string(), Truth::Praise));
            }
        }
        let fries_i = inc(Truth::Fries);
        if (fries_i.first_day..=fries_i.last_day).contains(&day) {
            let per_store = [0.6, 1.0, 0.9][(day - fries_i.first_day) as usize];
            for &s in &fries_stores {
                for _ in 0..rng.poisson(per_store) {
                    let m = minute(&mut rng);
                    raw.push((day, m, s, rng.pick(&fries).to_string(), Truth::Fries));
                }
            }
        }
        let pay_i = inc(Truth::Payment);
        if (pay_i.first_day..=pay_i.last_day).contains(&day) {
            for _ in 0..rng.poisson(90.0) {
                let s = rng.below(stores.len());
                let m = minute(&mut rng);
                raw.push((day, m, s, rng.pick(&pay).to_string(), Truth::Payment));
            }
        }
    }
    raw.sort_by_key(|(day, m, s, _, _)| (*day, *m, *s));
    raw.into_iter()
        .enumerate()
        .map(|(i, (day, m, s, text, truth))| Record {
            id: format!("r{:06}", i + 1),
            day,
            time: format!("{}T{:02}:{:02}:00+08:00", date(day), m / 60, m % 60),
            store: stores[s].0.clone(),
            region: stores[s].1.clone(),
            voice: looks_like_voice(&text),
            text,
            truth,
        })
        .collect()
}

/// Record ids per incident.
pub fn truth_ids(records: &[Record]) -> BTreeMap<Truth, Vec<String>> {
    let mut out: BTreeMap<Truth, Vec<String>> = BTreeMap::new();
    for r in records {
        out.entry(r.truth).or_default().push(r.id.clone());
    }
    out
}

pub fn day_of(date_str: &str) -> u32 {
    let m: u32 = date_str[5..7].parse().unwrap();
    let d: u32 = date_str[8..10].parse().unwrap();
    if m == 10 {
        d - 1
    } else {
        30 + d
    }
}
