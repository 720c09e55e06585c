//! Daily orders per store from `volume.csv`: the exposure of the spike test and
//! the denominator of complaints per 1,000 orders.

use super::{day_number, parse_date, Stores, Table};
use crate::error::Result;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Orders (or transactions) per store per day.
///
/// Read from a CSV file with the header `date,store,orders`: `date` is
/// `YYYY-MM-DD` (a day of the business time zone), `orders` a finite number ≥ 0;
/// a store and date appear at most once. A store or day without a row has no
/// known volume (`None`), which is not the same as 0 orders.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    /// Store → day number → orders.
    by_store: BTreeMap<String, BTreeMap<i64, f64>>,
    /// Day number → orders of every store with a row that day.
    totals: BTreeMap<i64, f64>,
}

impl Volume {
    /// Reads `volume.csv`.
    pub fn from_csv_path(path: &Path) -> Result<Volume> {
        Self::from_table(Table::read(path)?)
    }

    /// Reads volume CSV from any reader; `name` names it in errors.
    pub fn from_csv_reader(reader: impl std::io::Read, name: &str) -> Result<Volume> {
        Self::from_table(Table::from_reader(reader, Path::new(name))?)
    }

    fn from_table(t: Table) -> Result<Volume> {
        let date = t.column("date", true)?.expect("required");
        let store = t.column("store", true)?.expect("required");
        let orders = t.column("orders", true)?.expect("required");
        let mut v = Volume::default();
        for (line, rec) in &t.rows {
            let get = |i: usize| rec.get(i).unwrap_or("");
            let d = parse_date(get(date)).map_err(|e| t.error(*line, "date", e))?;
            let s = get(store);
            if s.is_empty() {
                return Err(t.error(*line, "store", "empty store id"));
            }
            let raw = get(orders);
            let n: f64 = raw
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| t.error(*line, "orders", format!("`{raw}` is not a number of orders (≥ 0)")))?;
            if v.insert(s, d, n).is_some() {
                return Err(t.error(*line, "store", format!("store `{s}` has a second row for {d}")));
            }
        }
        Ok(v)
    }

    /// Adds (or replaces) one store's orders on one day; returns the previous value.
    pub fn insert(&mut self, store: &str, day: Date, orders: f64) -> Option<f64> {
        let d = day_number(day);
        let old = self.by_store.entry(store.to_string()).or_default().insert(d, orders);
        *self.totals.entry(d).or_insert(0.0) += orders - old.unwrap_or(0.0);
        old
    }

    /// A store's orders on a day.
    pub fn orders(&self, store: &str, day: Date) -> Option<f64> {
        self.orders_on(store, day_number(day))
    }

    /// A store's orders from `from` to `to` (both included), over the days with a
    /// row; `None` when there is none.
    pub fn orders_between(&self, store: &str, from: Date, to: Date) -> Option<f64> {
        let days = self.by_store.get(store)?.range(day_number(from)..=day_number(to));
        days.map(|(_, n)| *n).reduce(|a, b| a + b)
    }

    /// The whole chain's orders on a day (every store with a row that day).
    pub fn chain_orders(&self, day: Date) -> Option<f64> {
        self.totals.get(&day_number(day)).copied()
    }

    /// Orders on a day of the stores whose attribute `name` is `value` in
    /// `stores` (e.g. `region`, `east`); `None` when none of them has a row.
    pub fn orders_where(&self, stores: &Stores, name: &str, value: &str, day: Date) -> Option<f64> {
        self.group_orders_on(stores, name, value, day_number(day))
    }

    /// A region's orders on a day (its stores per `stores`).
    pub fn region_orders(&self, stores: &Stores, region: &str, day: Date) -> Option<f64> {
        self.orders_where(stores, "region", region, day)
    }

    /// Store ids with at least one row.
    pub fn stores(&self) -> impl Iterator<Item = &str> {
        self.by_store.keys().map(String::as_str)
    }

    /// The first and last day with a row.
    pub fn date_range(&self) -> Option<(Date, Date)> {
        let first = *self.totals.keys().next()?;
        let last = *self.totals.keys().next_back()?;
        Some((date_of(first), date_of(last)))
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
    }

    pub(crate) fn orders_on(&self, store: &str, day: i64) -> Option<f64> {
        self.by_store.get(store)?.get(&day).copied()
    }

    pub(crate) fn chain_orders_on(&self, day: i64) -> Option<f64> {
        self.totals.get(&day).copied()
    }

    /// Every store's orders on one day.
    pub(crate) fn day(&self, day: i64) -> impl Iterator<Item = (&str, f64)> {
        self.by_store.iter().filter_map(move |(s, days)| Some((s.as_str(), *days.get(&day)?)))
    }

    pub(crate) fn group_orders_on(&self, stores: &Stores, name: &str, value: &str, day: i64) -> Option<f64> {
        stores.with_attribute(name, value).filter_map(|s| self.orders_on(&s.store, day)).reduce(|a, b| a + b)
    }
}

fn date_of(day: i64) -> Date {
    let (y, m, d) = crate::window::civil_from_days(day);
    Date::new(y as i16, m as i8, d as i8).unwrap_or_default()
}
