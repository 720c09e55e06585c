//! Store attributes from `stores.csv`: region, city, manager, opening date.

use super::{parse_date, Table};
use crate::error::Result;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// One store's attributes (one row of `stores.csv`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreInfo {
    /// Store id, as in the feedback's first group field (e.g. `SH-011`).
    pub store: String,
    /// Region (e.g. `east`).
    pub region: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Store manager.
    pub manager: Option<String>,
    /// Opening date.
    pub opened: Option<Date>,
}

impl StoreInfo {
    /// The value of an attribute by column name (`region`, `city`, `manager`; `store` is the id).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        match name {
            "store" => Some(&self.store),
            "region" => self.region.as_deref(),
            "city" => self.city.as_deref(),
            "manager" => self.manager.as_deref(),
            _ => None,
        }
    }
}

/// Every store's attributes, keyed by store id.
///
/// Read from a CSV file with the header `store,region,city,manager,opened`:
/// `store` is required and unique, the other columns are optional (a missing
/// column or an empty cell is `None`), `opened` is `YYYY-MM-DD`, other columns
/// are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stores {
    by_id: BTreeMap<String, StoreInfo>,
}

impl Stores {
    /// Reads `stores.csv`.
    pub fn from_csv_path(path: &Path) -> Result<Stores> {
        Self::from_table(Table::read(path)?)
    }

    /// Reads stores CSV from any reader; `name` names it in errors.
    pub fn from_csv_reader(reader: impl std::io::Read, name: &str) -> Result<Stores> {
        Self::from_table(Table::from_reader(reader, Path::new(name))?)
    }

    /// Stores from a list (e.g. built in code).
    pub fn from_infos(infos: impl IntoIterator<Item = StoreInfo>) -> Stores {
        Stores { by_id: infos.into_iter().map(|i| (i.store.clone(), i)).collect() }
    }

    fn from_table(t: Table) -> Result<Stores> {
        let store = t.column("store", true)?.expect("required");
        let region = t.column("region", false)?;
        let city = t.column("city", false)?;
        let manager = t.column("manager", false)?;
        let opened = t.column("opened", false)?;
        let cell = |rec: &csv::StringRecord, i: Option<usize>| {
            i.and_then(|i| rec.get(i)).filter(|s| !s.is_empty()).map(str::to_string)
        };
        let mut by_id = BTreeMap::new();
        for (line, rec) in &t.rows {
            let Some(id) = cell(rec, Some(store)) else {
                return Err(t.error(*line, "store", "empty store id"));
            };
            let opened = match cell(rec, opened) {
                Some(s) => Some(parse_date(&s).map_err(|e| t.error(*line, "opened", e))?),
                None => None,
            };
            let info = StoreInfo {
                store: id.clone(),
                region: cell(rec, region),
                city: cell(rec, city),
                manager: cell(rec, manager),
                opened,
            };
            if by_id.insert(id.clone(), info).is_some() {
                return Err(t.error(*line, "store", format!("store `{id}` appears twice")));
            }
        }
        Ok(Stores { by_id })
    }

    /// A store's attributes.
    pub fn get(&self, store: &str) -> Option<&StoreInfo> {
        self.by_id.get(store)
    }

    /// Every store, by id.
    pub fn iter(&self) -> impl Iterator<Item = &StoreInfo> {
        self.by_id.values()
    }

    /// Number of stores.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there is no store.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// A store's region.
    pub fn region_of(&self, store: &str) -> Option<&str> {
        self.get(store).and_then(|s| s.region.as_deref())
    }

    /// Whether the stores carry an attribute column `name` (any store has a value).
    pub fn has_attribute(&self, name: &str) -> bool {
        name == "store" || self.iter().any(|s| s.attribute(name).is_some())
    }

    /// The stores whose attribute `name` is `value` (e.g. every store of region `east`).
    pub fn with_attribute<'a>(&'a self, name: &'a str, value: &'a str) -> impl Iterator<Item = &'a StoreInfo> + 'a {
        self.iter().filter(move |s| s.attribute(name) == Some(value))
    }
}
