//! Reading feedback records from JSONL or CSV, one outcome per record, never losing one.

use serde_json::{Map, Value};
use std::io::{BufRead, Read};

/// Input file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

impl Format {
    /// Guesses the format from a file name: `.csv` is CSV, anything else JSONL.
    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".csv") {
            Format::Csv
        } else {
            Format::Jsonl
        }
    }
}

/// Which fields to read.
#[derive(Clone, Debug)]
pub struct Fields {
    pub text: String,
    pub id: String,
    pub source: String,
}

/// One input record, or the reason it could not be read.
#[derive(Debug)]
pub struct Item {
    /// The record's id: its id field when present, else its 1-based line (or row) number.
    pub id: Value,
    pub outcome: Result<Record, String>,
}

/// A well-formed record.
#[derive(Debug)]
pub struct Record {
    pub text: String,
    pub voice: bool,
    /// Every other field of the input, passed through to the output unchanged.
    pub extra: Map<String, Value>,
}

/// Reads records in chunks.
pub trait RecordSource {
    /// Appends up to `n` items to `out`; returns false once the input is exhausted.
    fn next_chunk(&mut self, n: usize, out: &mut Vec<Item>) -> std::io::Result<bool>;
}

/// Turns one parsed object into a record (or an error naming what is wrong).
fn record_from_object(mut obj: Map<String, Value>, fields: &Fields, line: usize) -> Item {
    let id = match obj.remove(&fields.id) {
        Some(Value::Null) | None => Value::from(line),
        Some(v) => v,
    };
    let voice = obj
        .get(&fields.source)
        .and_then(Value::as_str)
        .map(|s| fankui::Source::from_field(s) == fankui::Source::Voice)
        .unwrap_or(false);
    let outcome = match obj.remove(&fields.text) {
        None => Err(format!("missing field `{}`", fields.text)),
        Some(Value::String(text)) => Ok(Record { text, voice, extra: obj }),
        Some(Value::Null) => Err(format!("field `{}` is null", fields.text)),
        Some(other) => Err(format!("field `{}` is not a string but {}", fields.text, kind(&other))),
    };
    Item { id, outcome }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// JSON Lines, read byte-wise so that one bad line cannot stop the run.
pub struct JsonlSource<R> {
    reader: R,
    fields: Fields,
    max_line_bytes: usize,
    line: usize,
    buf: Vec<u8>,
}

impl<R: BufRead> JsonlSource<R> {
    pub fn new(reader: R, fields: Fields, max_line_bytes: usize) -> Self {
        JsonlSource { reader, fields, max_line_bytes, line: 0, buf: Vec::new() }
    }

    /// Reads one line into `self.buf`, keeping at most `max_line_bytes + 1` bytes of it.
    /// Returns (bytes in the line, whether the input had a line at all).
    fn read_line(&mut self) -> std::io::Result<Option<usize>> {
        self.buf.clear();
        let mut total = 0usize;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(if total == 0 { None } else { Some(total) });
            }
            let (chunk, done) = match memchr(b'\n', available) {
                Some(i) => (&available[..i], Some(i + 1)),
                None => (available, None),
            };
            let room = (self.max_line_bytes + 1).saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            total += chunk.len();
            let consumed = done.unwrap_or(chunk.len());
            self.reader.consume(consumed);
            if done.is_some() {
                return Ok(Some(total));
            }
        }
    }

    fn parse_line(&self, len: usize) -> Item {
        let line = self.line;
        if len > self.max_line_bytes {
            return Item {
                id: Value::from(line),
                outcome: Err(format!("line is {len} bytes, longer than the limit of {} bytes", self.max_line_bytes)),
            };
        }
        let bytes = trim_cr(&self.buf);
        match std::str::from_utf8(bytes) {
            Ok(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(obj)) => record_from_object(obj, &self.fields, line),
                Ok(other) => Item {
                    id: Value::from(line),
                    outcome: Err(format!("line is {} JSON value, not an object", kind(&other))),
                },
                Err(e) => Item { id: Value::from(line), outcome: Err(format!("invalid JSON: {e}")) },
            },
            Err(e) => {
                // Recover the id if the rest of the line is readable, so the caller can match the error.
                let lossy = String::from_utf8_lossy(bytes);
                let id = serde_json::from_str::<Value>(&lossy)
                    .ok()
                    .and_then(|v| v.get(&self.fields.id).cloned())
                    .filter(|v| !v.is_null())
                    .unwrap_or_else(|| Value::from(line));
                Item { id, outcome: Err(format!("line is not valid UTF-8 ({e})")) }
            }
        }
    }
}

fn trim_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

impl<R: BufRead> RecordSource for JsonlSource<R> {
    fn next_chunk(&mut self, n: usize, out: &mut Vec<Item>) -> std::io::Result<bool> {
        let mut added = 0;
        while added < n {
            let Some(len) = self.read_line()? else { return Ok(false) };
            self.line += 1;
            // Blank lines hold no record: they are not counted as input.
            if len <= self.max_line_bytes && self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.push(self.parse_line(len));
            added += 1;
        }
        Ok(true)
    }
}

/// CSV with a header row. Fields are read as bytes so invalid UTF-8 in one row is that row's error.
pub struct CsvSource<R: Read> {
    reader: csv::Reader<R>,
    headers: Vec<String>,
    fields: Fields,
    max_line_bytes: usize,
    row: usize,
    record: csv::ByteRecord,
}

impl<R: Read> CsvSource<R> {
    pub fn new(reader: R, fields: Fields, max_line_bytes: usize) -> std::io::Result<Self> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(reader);
        let headers = reader
            .byte_headers()
            .map_err(std::io::Error::other)?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').to_string())
            .collect::<Vec<_>>();
        if !headers.contains(&fields.text) {
            return Err(std::io::Error::other(format!(
                "CSV header has no `{}` column (columns: {}); use --text-field",
                fields.text,
                headers.join(", ")
            )));
        }
        Ok(CsvSource { reader, headers, fields, max_line_bytes, row: 0, record: csv::ByteRecord::new() })
    }

    fn convert(&self) -> Item {
        let row = self.row;
        let bytes: usize = self.record.as_slice().len();
        if bytes > self.max_line_bytes {
            return Item {
                id: Value::from(row),
                outcome: Err(format!("row is {bytes} bytes, longer than the limit of {} bytes", self.max_line_bytes)),
            };
        }
        let mut obj = Map::new();
        let mut bad = None;
        for (name, field) in self.headers.iter().zip(self.record.iter()) {
            match std::str::from_utf8(field) {
                Ok(s) => {
                    obj.insert(name.clone(), Value::String(s.to_string()));
                }
                Err(e) => {
                    bad.get_or_insert_with(|| format!("column `{name}` is not valid UTF-8 ({e})"));
                }
            }
        }
        let mut item = record_from_object(obj, &self.fields, row);
        if let Some(reason) = bad {
            item.outcome = Err(reason);
        }
        item
    }
}

impl<R: Read> RecordSource for CsvSource<R> {
    fn next_chunk(&mut self, n: usize, out: &mut Vec<Item>) -> std::io::Result<bool> {
        let mut added = 0;
        while added < n {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(false),
                Ok(true) => {
                    self.row += 1;
                    out.push(self.convert());
                }
                Err(e) => {
                    self.row += 1;
                    if let csv::ErrorKind::Io(_) = e.kind() {
                        return Err(std::io::Error::other(e));
                    }
                    out.push(Item { id: Value::from(self.row), outcome: Err(format!("malformed CSV row: {e}")) });
                }
            }
            added += 1;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields { text: "text".into(), id: "id".into(), source: "source".into() }
    }

    fn read_all(input: &[u8], max: usize) -> Vec<Item> {
        let mut src = JsonlSource::new(input, fields(), max);
        let mut out = Vec::new();
        while src.next_chunk(2, &mut out).unwrap() {}
        out
    }

    #[test]
    fn every_jsonl_line_yields_one_item() {
        let mut input = Vec::new();
        input.extend_from_slice(b"{\"id\":\"a\",\"text\":\"\xe5\xa5\xbd\"}\n");
        input.extend_from_slice(b"not json\n");
        input.extend_from_slice(b"{\"id\":\"c\",\"text\":\"\xff\xfe\"}\n");
        input.extend_from_slice(b"\n");
        input.extend_from_slice(b"{\"id\":\"d\"}\n");
        input.extend_from_slice(b"[1,2]\n");
        input.extend_from_slice(b"{\"text\":\"x\"}");
        let items = read_all(&input, 1000);
        let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
        assert_eq!(ids, ["\"a\"", "2", "\"c\"", "\"d\"", "6", "7"]);
        assert!(items[0].outcome.is_ok());
        assert!(items[1].outcome.as_ref().unwrap_err().contains("invalid JSON"));
        assert!(items[2].outcome.as_ref().unwrap_err().contains("UTF-8"));
        assert!(items[3].outcome.as_ref().unwrap_err().contains("missing field `text`"));
        assert!(items[4].outcome.as_ref().unwrap_err().contains("not an object"));
        assert_eq!(items[5].outcome.as_ref().unwrap().text, "x");
    }

    #[test]
    fn overlong_lines_are_errors_and_reading_goes_on() {
        let long = format!("{{\"text\":\"{}\"}}\n{{\"text\":\"ok\"}}\n", "好".repeat(100));
        let items = read_all(long.as_bytes(), 50);
        assert_eq!(items.len(), 2);
        assert!(items[0].outcome.as_ref().unwrap_err().contains("longer than the limit"));
        assert_eq!(items[1].outcome.as_ref().unwrap().text, "ok");
    }

    #[test]
    fn csv_rows_with_bad_utf8_or_missing_text_are_errors() {
        let input: &[u8] = b"id,text,store\n1,\xe5\xa5\xbd,S1\n2,\xff,S2\n3\n";
        let mut src = CsvSource::new(input, fields(), 1000).unwrap();
        let mut out = Vec::new();
        while src.next_chunk(10, &mut out).unwrap() {}
        assert_eq!(out.len(), 3);
        let ok = out[0].outcome.as_ref().unwrap();
        assert_eq!(ok.text, "好");
        assert_eq!(ok.extra["store"], "S1");
        assert!(out[1].outcome.as_ref().unwrap_err().contains("UTF-8"));
        assert!(out[2].outcome.as_ref().unwrap_err().contains("missing field"));
    }
}
