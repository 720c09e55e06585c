//! Operations data ("o-data") read alongside the feedback: store attributes
//! ([`Stores`], from `stores.csv`) and daily orders per store ([`Volume`], from
//! `volume.csv`).
//!
//! Both are small CSV files with a header row, read with the `csv` crate
//! (quoting, a UTF-8 BOM and surrounding spaces are handled); every error names
//! the file, the line and the column.
//!
//! ```text
//! store,region,city,manager,opened          date,store,orders
//! SH-001,east,上海,王芳,2019-05-01          2026-10-01,SH-001,812
//! ```

mod stores;
mod volume;

pub use stores::{StoreInfo, Stores};
pub use volume::Volume;

use crate::error::{Error, Result};
use std::path::Path;

/// A CSV file read into its header and records, with the file name for errors.
pub(crate) struct Table {
    path: std::path::PathBuf,
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    /// Reads a whole CSV file (header row first).
    pub(crate) fn read(path: &Path) -> Result<Table> {
        let file = std::fs::File::open(path).map_err(|e| Error::Data {
            path: path.to_path_buf(),
            line: 0,
            column: None,
            reason: format!("cannot open: {e}"),
        })?;
        Self::from_reader(file, path)
    }

    /// Reads CSV from any reader; `path` names it in errors.
    pub(crate) fn from_reader(reader: impl std::io::Read, path: &Path) -> Result<Table> {
        let err = |line: u64, reason: String| Error::Data { path: path.to_path_buf(), line, column: None, reason };
        let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(reader);
        let header: Vec<String> = r
            .headers()
            .map_err(|e| err(e.position().map_or(1, |p| p.line()), csv_reason(&e)))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(err(1, "empty file: a header row is needed".into()));
        }
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| err(e.position().map_or(0, |p| p.line()), csv_reason(&e)))?;
            if rec.iter().all(str::is_empty) {
                continue;
            }
            let line = rec.position().map_or(0, |p| p.line());
            rows.push((line, rec));
        }
        Ok(Table { path: path.to_path_buf(), header, rows })
    }

    /// The index of a column, or an error naming the columns present when it is required.
    pub(crate) fn column(&self, name: &str, required: bool) -> Result<Option<usize>> {
        match self.header.iter().position(|h| h == name) {
            Some(i) => Ok(Some(i)),
            None if required => Err(Error::Data {
                path: self.path.clone(),
                line: 1,
                column: Some(name.into()),
                reason: format!("the header has no `{name}` column (it has: {})", self.header.join(", ")),
            }),
            None => Ok(None),
        }
    }

    /// An error about one cell.
    pub(crate) fn error(&self, line: u64, column: &str, reason: impl Into<String>) -> Error {
        Error::Data { path: self.path.clone(), line, column: Some(column.into()), reason: reason.into() }
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields, but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".into(),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

/// Parses a `YYYY-MM-DD` date.
pub(crate) fn parse_date(s: &str) -> std::result::Result<jiff::civil::Date, String> {
    let bytes = s.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return Err(format!("`{s}` is not a date of the form YYYY-MM-DD"));
    }
    s.parse::<jiff::civil::Date>().map_err(|_| format!("`{s}` is not a valid date"))
}

/// Day number (days since 1970-01-01) of a civil date: the index of a daily window.
pub(crate) fn day_number(d: jiff::civil::Date) -> i64 {
    crate::window::days_from_civil(i64::from(d.year()), d.month() as u32, d.day() as u32)
}
