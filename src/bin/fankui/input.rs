//! Reading feedback records from JSONL or CSV, one outcome per record, never losing one.
//!
//! Both readers keep at most `max_line_bytes + 1` bytes of a line (row): a longer one
//! becomes an error record and reading goes on, so no input line can take more memory
//! than that. A UTF-8 byte-order mark at the start of the input is skipped; a UTF-16
//! one is refused (the whole input would be unreadable).
//!
//! Ids and passthrough fields are held either as `serde_json::Value`s ([`Parsed`],
//! what `fankui issues` works with) or as their JSON text ([`Raw`], what `fankui
//! score` echoes: an id `18446744073709551617` or a price `3.10` comes out exactly as
//! it came in, where a `Value` would make them `1.8446744073709552e19` and `3.1`).

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, ErrorKind};
use std::marker::PhantomData;

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

/// How a record's id and passthrough fields are held.
pub trait Repr {
    /// One field's value.
    type Value: std::fmt::Debug;
    /// An object's fields, in input order.
    type Map: std::fmt::Debug + Default;
    /// Parses one JSON line: its fields, or what kind of JSON value it is when not an object.
    fn parse(line: &str) -> serde_json::Result<Result<Self::Map, &'static str>>;
    /// Removes field `key`; the other fields keep their order.
    fn take(map: &mut Self::Map, key: &str) -> Option<Self::Value>;
    /// Field `key`, when it is a JSON string.
    fn get_str(map: &Self::Map, key: &str) -> Option<String>;
    /// The text of a JSON string, or what kind of value it is instead.
    fn into_string(value: Self::Value) -> Result<String, &'static str>;
    fn is_null(value: &Self::Value) -> bool;
    /// A line (row) number, the id of a record without one.
    fn number(n: usize) -> Self::Value;
    /// Adds a string field (a CSV column).
    fn insert_string(map: &mut Self::Map, key: String, value: String);
}

/// Ids and fields as `serde_json::Value`s (numbers as `u64`, `i64` or `f64`).
#[derive(Debug)]
pub struct Parsed;

impl Repr for Parsed {
    type Value = Value;
    type Map = Map<String, Value>;

    fn parse(line: &str) -> serde_json::Result<Result<Self::Map, &'static str>> {
        Ok(match serde_json::from_str::<Value>(line)? {
            Value::Object(obj) => Ok(obj),
            other => Err(kind(&other)),
        })
    }
    fn take(map: &mut Self::Map, key: &str) -> Option<Value> {
        // `shift_remove`: `remove` would move the last field into the hole.
        map.shift_remove(key)
    }
    fn get_str(map: &Self::Map, key: &str) -> Option<String> {
        map.get(key).and_then(Value::as_str).map(str::to_string)
    }
    fn into_string(value: Value) -> Result<String, &'static str> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(kind(&other)),
        }
    }
    fn is_null(value: &Value) -> bool {
        value.is_null()
    }
    fn number(n: usize) -> Value {
        Value::from(n)
    }
    fn insert_string(map: &mut Self::Map, key: String, value: String) {
        map.insert(key, Value::String(value));
    }
}

/// Ids and fields as their JSON text, echoed exactly.
#[derive(Debug)]
pub struct Raw;

/// An object's fields as JSON text, in input order (a repeated key keeps its first
/// place and its last value, as `serde_json` reads it).
#[derive(Debug, Default)]
pub struct RawFields(pub Vec<(String, Box<RawValue>)>);

/// One JSON line read as [`RawFields`], or the kind of value it is when not an object.
struct RawLine(Result<RawFields, &'static str>);

impl<'de> Deserialize<'de> for RawLine {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LineVisitor;
        impl<'de> Visitor<'de> for LineVisitor {
            type Value = RawLine;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawLine, A::Error> {
                let mut fields: Vec<(String, Box<RawValue>)> = Vec::new();
                let mut seen: HashMap<String, usize> = HashMap::new();
                while let Some((key, value)) = map.next_entry::<String, Box<RawValue>>()? {
                    match seen.get(&key) {
                        Some(&at) => fields[at].1 = value,
                        None => {
                            seen.insert(key.clone(), fields.len());
                            fields.push((key, value));
                        }
                    }
                }
                Ok(RawLine(Ok(RawFields(fields))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawLine, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawLine(Err("an array")))
            }
            fn visit_bool<E>(self, _: bool) -> Result<RawLine, E> {
                Ok(RawLine(Err("a boolean")))
            }
            fn visit_i64<E>(self, _: i64) -> Result<RawLine, E> {
                Ok(RawLine(Err("a number")))
            }
            fn visit_u64<E>(self, _: u64) -> Result<RawLine, E> {
                Ok(RawLine(Err("a number")))
            }
            fn visit_f64<E>(self, _: f64) -> Result<RawLine, E> {
                Ok(RawLine(Err("a number")))
            }
            fn visit_str<E>(self, _: &str) -> Result<RawLine, E> {
                Ok(RawLine(Err("a string")))
            }
            fn visit_unit<E>(self) -> Result<RawLine, E> {
                Ok(RawLine(Err("null")))
            }
        }
        deserializer.deserialize_any(LineVisitor)
    }
}

/// What kind of JSON value a raw value is, from its first character.
fn raw_kind(value: &RawValue) -> &'static str {
    match value.get().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

impl Repr for Raw {
    type Value = Box<RawValue>;
    type Map = RawFields;

    fn parse(line: &str) -> serde_json::Result<Result<RawFields, &'static str>> {
        Ok(serde_json::from_str::<RawLine>(line)?.0)
    }
    fn take(map: &mut RawFields, key: &str) -> Option<Box<RawValue>> {
        let at = map.0.iter().position(|(k, _)| k == key)?;
        Some(map.0.remove(at).1)
    }
    fn get_str(map: &RawFields, key: &str) -> Option<String> {
        let (_, value) = map.0.iter().find(|(k, _)| k == key)?;
        serde_json::from_str::<String>(value.get()).ok()
    }
    fn into_string(value: Box<RawValue>) -> Result<String, &'static str> {
        match raw_kind(&value) {
            "a string" => serde_json::from_str::<String>(value.get()).map_err(|_| "a string with an invalid escape"),
            other => Err(other),
        }
    }
    fn is_null(value: &Box<RawValue>) -> bool {
        value.get() == "null"
    }
    fn number(n: usize) -> Box<RawValue> {
        RawValue::from_string(n.to_string()).expect("a number is JSON")
    }
    fn insert_string(map: &mut RawFields, key: String, value: String) {
        let value = serde_json::value::to_raw_value(&value).expect("a string serializes");
        match map.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => map.0.push((key, value)),
        }
    }
}

/// One input record, or the reason it could not be read.
#[derive(Debug)]
pub struct Item<T: Repr = Parsed> {
    /// The record's id: its id field when present, else its 1-based line (or row) number.
    pub id: T::Value,
    pub outcome: Result<Record<T>, String>,
    /// Bytes the record took in the input (its line or row), for batching by size.
    pub bytes: usize,
}

/// A well-formed record.
#[derive(Debug)]
pub struct Record<T: Repr = Parsed> {
    pub text: String,
    pub voice: bool,
    /// Every other field of the input, passed through to the output unchanged.
    pub extra: T::Map,
}

/// Reads records one by one or in chunks.
pub trait RecordSource<T: Repr = Parsed> {
    /// The next item, or `None` once the input is exhausted.
    fn next_item(&mut self) -> std::io::Result<Option<Item<T>>>;

    /// Appends up to `n` items to `out`; returns false once the input is exhausted.
    fn next_chunk(&mut self, n: usize, out: &mut Vec<Item<T>>) -> std::io::Result<bool> {
        self.next_chunk_within(n, usize::MAX, out)
    }

    /// Appends up to `n` items to `out`, stopping early once they took `max_bytes`
    /// bytes of input (at least one item is read); returns false once the input is
    /// exhausted. Batching by size as well as by count bounds the work (and memory)
    /// of a chunk: 4,096 comments of 10,000 characters are not 4,096 short ones.
    fn next_chunk_within(&mut self, n: usize, max_bytes: usize, out: &mut Vec<Item<T>>) -> std::io::Result<bool> {
        let mut bytes = 0usize;
        for _ in 0..n {
            if bytes >= max_bytes {
                break;
            }
            match self.next_item()? {
                Some(item) => {
                    bytes = bytes.saturating_add(item.bytes);
                    out.push(item);
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }
}

/// Turns one parsed object into a record (or an error naming what is wrong).
fn record_from_object<T: Repr>(mut obj: T::Map, fields: &Fields, line: usize, bytes: usize) -> Item<T> {
    let id = match T::take(&mut obj, &fields.id) {
        Some(v) if !T::is_null(&v) => v,
        _ => T::number(line),
    };
    let voice = T::get_str(&obj, &fields.source)
        .is_some_and(|s| fankui::Source::from_field(&s) == fankui::Source::Voice);
    let outcome = match T::take(&mut obj, &fields.text) {
        None => Err(format!("missing field `{}`", fields.text)),
        Some(v) if T::is_null(&v) => Err(format!("field `{}` is null", fields.text)),
        Some(v) => match T::into_string(v) {
            Ok(text) => Ok(Record { text, voice, extra: obj }),
            Err(kind) => Err(format!("field `{}` is not a string but {kind}", fields.text)),
        },
    };
    Item { id, outcome, bytes }
}

fn error_item<T: Repr>(line: usize, bytes: usize, reason: String) -> Item<T> {
    Item { id: T::number(line), outcome: Err(reason), bytes }
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

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A reader that skips a UTF-8 byte-order mark at the start of the input and
/// refuses a UTF-16 one (every line would be unreadable). The first bytes are
/// looked at on the first read.
struct BomSkip<R> {
    inner: R,
    started: bool,
    /// First bytes read while looking for a mark that turned out not to be one.
    head: Vec<u8>,
    pos: usize,
}

impl<R: BufRead> BomSkip<R> {
    fn new(inner: R) -> Self {
        BomSkip { inner, started: false, head: Vec::new(), pos: 0 }
    }

    fn start(&mut self) -> std::io::Result<()> {
        self.started = true;
        // A pipe may deliver the first three bytes in more than one read.
        while self.head.len() < UTF8_BOM.len() {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let take = available.len().min(UTF8_BOM.len() - self.head.len());
            self.head.extend_from_slice(&available[..take]);
            self.inner.consume(take);
        }
        if self.head.starts_with(b"\xFF\xFE") || self.head.starts_with(b"\xFE\xFF") {
            return Err(std::io::Error::new(
                ErrorKind::InvalidData,
                "the input starts with a UTF-16 byte-order mark; fankui reads UTF-8 (convert it first, e.g. iconv -f UTF-16 -t UTF-8)",
            ));
        }
        if self.head == UTF8_BOM {
            self.head.clear();
        }
        Ok(())
    }
}

impl<R: BufRead> std::io::Read for BomSkip<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for BomSkip<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if !self.started {
            self.start()?;
        }
        if self.pos < self.head.len() {
            return Ok(&self.head[self.pos..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if self.pos < self.head.len() {
            self.pos = (self.pos + amount).min(self.head.len());
        } else {
            self.inner.consume(amount);
        }
    }
}

/// JSON Lines, read byte-wise so that one bad line cannot stop the run.
pub struct JsonlSource<R, T = Parsed> {
    reader: BomSkip<R>,
    fields: Fields,
    max_line_bytes: usize,
    line: usize,
    buf: Vec<u8>,
    repr: PhantomData<fn() -> T>,
}

impl<R: BufRead> JsonlSource<R, Parsed> {
    /// Ids and fields as `serde_json::Value`s.
    pub fn new(reader: R, fields: Fields, max_line_bytes: usize) -> Self {
        JsonlSource::with_repr(reader, fields, max_line_bytes)
    }
}

impl<R: BufRead> JsonlSource<R, Raw> {
    /// Ids and fields as their JSON text.
    pub fn raw(reader: R, fields: Fields, max_line_bytes: usize) -> Self {
        JsonlSource::with_repr(reader, fields, max_line_bytes)
    }
}

impl<R: BufRead, T: Repr> JsonlSource<R, T> {
    fn with_repr(reader: R, fields: Fields, max_line_bytes: usize) -> Self {
        JsonlSource { reader: BomSkip::new(reader), fields, max_line_bytes, line: 0, buf: Vec::new(), repr: PhantomData }
    }

    /// Reads one line into `self.buf`, keeping at most `max_line_bytes + 1` bytes of it.
    /// Returns the bytes in the line, or `None` at the end of the input.
    fn read_line(&mut self) -> std::io::Result<Option<usize>> {
        self.buf.clear();
        let mut total = 0usize;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
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

    fn parse_line(&self, len: usize) -> Item<T> {
        let line = self.line;
        if len > self.max_line_bytes {
            return error_item(
                line,
                len,
                format!("line is {len} bytes, longer than the limit of {} bytes", self.max_line_bytes),
            );
        }
        let bytes = trim_cr(&self.buf);
        match std::str::from_utf8(bytes) {
            Ok(s) => match T::parse(s) {
                Ok(Ok(obj)) => record_from_object(obj, &self.fields, line, len),
                Ok(Err(kind)) => error_item(line, len, format!("line is {kind} JSON value, not an object")),
                Err(e) => error_item(line, len, format!("invalid JSON: {e}")),
            },
            Err(e) => {
                // Recover the id if the rest of the line is readable, so the caller can match the error.
                let lossy = String::from_utf8_lossy(bytes);
                let id = T::parse(&lossy)
                    .ok()
                    .and_then(Result::ok)
                    .and_then(|mut obj| T::take(&mut obj, &self.fields.id))
                    .filter(|v| !T::is_null(v))
                    .unwrap_or_else(|| T::number(line));
                Item { id, outcome: Err(format!("line is not valid UTF-8 ({e})")), bytes: len }
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

impl<R: BufRead, T: Repr> RecordSource<T> for JsonlSource<R, T> {
    fn next_item(&mut self) -> std::io::Result<Option<Item<T>>> {
        loop {
            let Some(len) = self.read_line()? else { return Ok(None) };
            self.line += 1;
            // Blank lines hold no record: they are not counted as input.
            if len <= self.max_line_bytes && self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(self.parse_line(len)));
        }
    }
}

/// Where the CSV scanner is within a record (the states of RFC 4180 with doubled
/// quotes, as the `csv` crate reads it by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CsvState {
    /// Before the first byte of a record (line breaks here are blank lines).
    StartRecord,
    StartField,
    InField,
    InQuoted,
    /// Just after a quote inside a quoted field: `"` is an escaped quote, anything else ends the quoting.
    QuoteInQuoted,
}

/// One CSV row as read, fields split and unquoted.
#[derive(Debug, Default)]
struct RawRow {
    /// Field bytes, one after another (at most `max_line_bytes + 1` of them kept).
    data: Vec<u8>,
    /// End of each field in `data`.
    ends: Vec<usize>,
    /// Bytes the row took in the input, quotes and separators included.
    bytes: usize,
    /// The line the row starts on (1-based) and the line it ends on.
    first_line: usize,
    last_line: usize,
    /// The input ended inside a quoted field.
    unterminated: bool,
}

impl RawRow {
    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let field = &self.data[start..end];
            start = end;
            field
        })
    }
}

/// CSV with a header row, read by a small streaming scanner rather than a CSV
/// library, so that a row is bounded by `max_line_bytes` like a JSONL line and a
/// quoted field still open at the end of the input is reported, not silently taken
/// for a field holding the rest of the file. Fields are read as bytes so invalid
/// UTF-8 in one row is that row's error.
pub struct CsvSource<R, T = Parsed> {
    reader: BomSkip<R>,
    headers: Vec<String>,
    fields: Fields,
    max_line_bytes: usize,
    /// Data rows read so far (the header is not counted): the default id.
    row: usize,
    /// Lines (`\n`) consumed so far.
    lines: usize,
    raw: RawRow,
    repr: PhantomData<fn() -> T>,
}

impl<R: BufRead> CsvSource<R, Parsed> {
    /// Fields as `serde_json::Value`s; see [`CsvSource::with_repr`].
    pub fn new(reader: R, fields: Fields, max_line_bytes: usize) -> std::io::Result<Self> {
        CsvSource::with_repr(reader, fields, max_line_bytes)
    }
}

impl<R: BufRead> CsvSource<R, Raw> {
    /// Fields as JSON text; see [`CsvSource::with_repr`].
    pub fn raw(reader: R, fields: Fields, max_line_bytes: usize) -> std::io::Result<Self> {
        CsvSource::with_repr(reader, fields, max_line_bytes)
    }
}

impl<R: BufRead, T: Repr> CsvSource<R, T> {
    fn scanner(reader: R, max_line_bytes: usize, fields: Fields) -> Self {
        CsvSource {
            reader: BomSkip::new(reader),
            headers: Vec::new(),
            fields,
            max_line_bytes,
            row: 0,
            lines: 0,
            raw: RawRow::default(),
            repr: PhantomData,
        }
    }

    /// Reads the header row. An input without one (empty, or blank lines only) is
    /// an input of no records.
    fn with_repr(reader: R, fields: Fields, max_line_bytes: usize) -> std::io::Result<Self> {
        let mut source = CsvSource::scanner(reader, max_line_bytes, fields);
        if !source.read_row()? {
            return Ok(source);
        }
        let raw = &source.raw;
        if raw.unterminated {
            return Err(std::io::Error::new(
                ErrorKind::InvalidData,
                format!("CSV header (line {}) has a quoted field that is never closed", raw.first_line),
            ));
        }
        if raw.bytes > max_line_bytes {
            return Err(std::io::Error::new(
                ErrorKind::InvalidData,
                format!("CSV header is {} bytes, longer than the limit of {max_line_bytes} bytes", raw.bytes),
            ));
        }
        source.headers = raw.fields().map(|h| String::from_utf8_lossy(h).into_owned()).collect();
        if !source.headers.contains(&source.fields.text) {
            return Err(std::io::Error::new(
                ErrorKind::InvalidData,
                format!(
                    "CSV header has no `{}` column (columns: {}); use --text-field",
                    source.fields.text,
                    source.headers.join(", ")
                ),
            ));
        }
        Ok(source)
    }

    /// Reads the next row into `self.raw`; false at the end of the input.
    fn read_row(&mut self) -> std::io::Result<bool> {
        let limit = self.max_line_bytes.saturating_add(1);
        let raw = &mut self.raw;
        raw.data.clear();
        raw.ends.clear();
        raw.bytes = 0;
        raw.unterminated = false;
        raw.first_line = self.lines + 1;
        let mut state = CsvState::StartRecord;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                // End of input.
                raw.last_line = self.lines + 1;
                return Ok(match state {
                    CsvState::StartRecord => false,
                    CsvState::InQuoted => {
                        raw.unterminated = true;
                        raw.ends.push(raw.data.len());
                        true
                    }
                    _ => {
                        raw.ends.push(raw.data.len());
                        true
                    }
                });
            }
            let mut used = 0;
            let mut done = false;
            for &b in available {
                used += 1;
                if b == b'\n' {
                    self.lines += 1;
                }
                if state == CsvState::StartRecord {
                    if b == b'\n' || b == b'\r' {
                        raw.first_line = self.lines + 1;
                        continue;
                    }
                    state = CsvState::StartField;
                }
                raw.bytes += 1;
                let keep = raw.data.len() < limit;
                state = match (state, b) {
                    (CsvState::StartField, b'"') => CsvState::InQuoted,
                    (CsvState::InQuoted, b'"') => CsvState::QuoteInQuoted,
                    (CsvState::InQuoted, _) => {
                        if keep {
                            raw.data.push(b);
                        }
                        CsvState::InQuoted
                    }
                    (CsvState::QuoteInQuoted, b'"') => {
                        if keep {
                            raw.data.push(b'"');
                        }
                        CsvState::InQuoted
                    }
                    (_, b',') => {
                        raw.ends.push(raw.data.len());
                        CsvState::StartField
                    }
                    (_, b'\n' | b'\r') => {
                        raw.bytes -= 1; // the line break is not part of the row
                        raw.ends.push(raw.data.len());
                        done = true;
                        CsvState::StartRecord
                    }
                    (_, _) => {
                        if keep {
                            raw.data.push(b);
                        }
                        CsvState::InField
                    }
                };
                if done {
                    break;
                }
            }
            self.reader.consume(used);
            if done {
                raw.last_line = self.lines.max(raw.first_line);
                return Ok(true);
            }
        }
    }

    fn convert(&self) -> Item<T> {
        let row = self.row;
        let raw = &self.raw;
        let bytes = raw.bytes;
        if bytes > self.max_line_bytes {
            let what = if raw.unterminated {
                format!(
                    "row is {bytes} bytes, longer than the limit of {} bytes: a quoted field opened on line {} is never closed, so lines {}..{} were read as one row",
                    self.max_line_bytes, raw.first_line, raw.first_line, raw.last_line
                )
            } else {
                format!("row is {bytes} bytes, longer than the limit of {} bytes", self.max_line_bytes)
            };
            return error_item(row, bytes, what);
        }
        let mut obj = T::Map::default();
        let mut bad = None;
        for (name, field) in self.headers.iter().zip(raw.fields()) {
            match std::str::from_utf8(field) {
                Ok(s) => T::insert_string(&mut obj, name.clone(), s.to_string()),
                Err(e) => {
                    bad.get_or_insert_with(|| format!("column `{name}` is not valid UTF-8 ({e})"));
                }
            }
        }
        let mut item = record_from_object(obj, &self.fields, row, bytes);
        if raw.unterminated {
            item.outcome = Err(format!(
                "unterminated quoted field: a quote opened on line {} is never closed, so lines {}..{} (the rest of the input) were read as this one row",
                raw.first_line, raw.first_line, raw.last_line
            ));
        } else if let Some(reason) = bad {
            item.outcome = Err(reason);
        }
        item
    }
}

impl<R: BufRead, T: Repr> RecordSource<T> for CsvSource<R, T> {
    fn next_item(&mut self) -> std::io::Result<Option<Item<T>>> {
        if self.headers.is_empty() || !self.read_row()? {
            return Ok(None);
        }
        self.row += 1;
        Ok(Some(self.convert()))
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

    fn read_csv(input: &[u8], max: usize) -> std::io::Result<Vec<Item>> {
        let mut src = CsvSource::new(input, fields(), max)?;
        let mut out = Vec::new();
        while src.next_chunk(3, &mut out)? {}
        Ok(out)
    }

    /// Rows as the scanner splits them (header included), for comparison with the `csv` crate.
    fn csv_rows(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut src = CsvSource::<_, Parsed>::scanner(input, usize::MAX - 1, fields());
        let mut rows = Vec::new();
        while src.read_row().unwrap() {
            rows.push(src.raw.fields().map(<[u8]>::to_vec).collect());
        }
        rows
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
    fn raw_records_keep_ids_and_fields_as_written() {
        let input = concat!(
            "{\"id\":18446744073709551617,\"text\":\"\\u597d\\n\",\"price\":3.10,\"o\":{\"a\": [1e400, 0.10]},\"source\":\"voice\"}\n",
            "{\"text\":\"x\",\"id\":null,\"k\":1,\"k\":2,\"m\":0}\n",
            "[1,2]\n",
            "\"just a string\"\n",
            "{\"id\":-0.0,\"text\":7}\n",
            "{\"id\":\"a\",\"text\":\"\\ud800\"}\n",
        );
        let mut src = JsonlSource::raw(input.as_bytes(), fields(), 1000);
        let mut items = Vec::new();
        while src.next_chunk(10, &mut items).unwrap() {}
        assert_eq!(items.len(), 6);
        assert_eq!(items[0].id.get(), "18446744073709551617");
        let r = items[0].outcome.as_ref().unwrap();
        assert_eq!(r.text, "好\n");
        assert!(r.voice);
        let extra: Vec<(&str, &str)> = r.extra.0.iter().map(|(k, v)| (k.as_str(), v.get())).collect();
        assert_eq!(extra, [("price", "3.10"), ("o", "{\"a\": [1e400, 0.10]}"), ("source", "\"voice\"")]);
        // A null id is the line number; a repeated key keeps its first place and last value.
        assert_eq!(items[1].id.get(), "2");
        let extra: Vec<(&str, &str)> =
            items[1].outcome.as_ref().unwrap().extra.0.iter().map(|(k, v)| (k.as_str(), v.get())).collect();
        assert_eq!(extra, [("k", "2"), ("m", "0")]);
        assert!(items[2].outcome.as_ref().unwrap_err().contains("an array JSON value, not an object"));
        assert!(items[3].outcome.as_ref().unwrap_err().contains("a string JSON value"));
        assert_eq!(items[4].id.get(), "-0.0");
        assert!(items[4].outcome.as_ref().unwrap_err().contains("not a string but a number"));
        assert_eq!(items[5].id.get(), "\"a\"");
        assert!(items[5].outcome.is_err(), "a lone surrogate is no text: {:?}", items[5].outcome);
        // CSV fields are strings.
        let mut src = CsvSource::raw("id,text,n\n007,好,3.10\n".as_bytes(), fields(), 1000).unwrap();
        let item = src.next_item().unwrap().unwrap();
        assert_eq!(item.id.get(), "\"007\"");
        assert_eq!(item.outcome.unwrap().extra.0[0].1.get(), "\"3.10\"");
        // The id of a line that is not UTF-8 is still read when the rest is readable.
        let mut src = JsonlSource::raw(&b"{\"id\":123456789012345678901,\"text\":\"\xff\"}\n"[..], fields(), 1000);
        assert_eq!(src.next_item().unwrap().unwrap().id.get(), "123456789012345678901");
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
    fn a_utf8_bom_is_skipped_and_utf16_refused() {
        let items = read_all("\u{feff}{\"id\":\"a\",\"text\":\"好\"}\n{\"text\":\"x\"}\n".as_bytes(), 1000);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id, "a");
        assert_eq!(items[0].outcome.as_ref().unwrap().text, "好");
        // Only at the start: a BOM on a later line is that line's error.
        let items = read_all("{\"text\":\"x\"}\n\u{feff}{\"text\":\"y\"}\n".as_bytes(), 1000);
        assert!(items[1].outcome.is_err());
        // A BOM split over reads (a pipe delivering one byte at a time) is still skipped.
        let bytes = "\u{feff}{\"text\":\"好\"}\n".as_bytes();
        let mut src = JsonlSource::new(std::io::BufReader::with_capacity(1, bytes), fields(), 1000);
        assert_eq!(src.next_item().unwrap().unwrap().outcome.unwrap().text, "好");
        let mut src = JsonlSource::new(&b"\xff\xfe{\x00"[..], fields(), 1000);
        let err = src.next_item().unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
        let items = read_csv("\u{feff}\"id\",text\n1,好\n".as_bytes(), 1000).unwrap();
        assert_eq!(items[0].id, "1");
    }

    #[test]
    fn chunks_stop_at_the_byte_budget() {
        let mut input = String::new();
        for i in 0..10 {
            input.push_str(&format!("{{\"id\":{i},\"text\":\"{}\"}}\n", "好".repeat(if i < 5 { 1000 } else { 1 })));
        }
        let mut src = JsonlSource::new(input.as_bytes(), fields(), 1 << 20);
        let mut out = Vec::new();
        let mut sizes = Vec::new();
        loop {
            out.clear();
            let more = src.next_chunk_within(4, 5000, &mut out).unwrap();
            sizes.push(out.len());
            if !more {
                break;
            }
        }
        // 3,000-byte lines: two fill a 5,000-byte chunk; short lines: four (the count cap).
        assert_eq!(sizes, [2, 2, 4, 2]);
    }

    #[test]
    fn csv_rows_with_bad_utf8_or_missing_text_are_errors() {
        let input: &[u8] = b"id,text,store\n1,\xe5\xa5\xbd,S1\n2,\xff,S2\n3\n";
        let out = read_csv(input, 1000).unwrap();
        assert_eq!(out.len(), 3);
        let ok = out[0].outcome.as_ref().unwrap();
        assert_eq!(ok.text, "好");
        assert_eq!(ok.extra["store"], "S1");
        assert!(out[1].outcome.as_ref().unwrap_err().contains("UTF-8"));
        assert!(out[2].outcome.as_ref().unwrap_err().contains("missing field"));
    }

    #[test]
    fn an_unterminated_csv_quote_is_an_error_record() {
        let input = "id,text\n1,好吃\n2,\"不错\n3,一般\n4,还行\n".as_bytes();
        let out = read_csv(input, 1000).unwrap();
        assert_eq!(out.len(), 2, "the open quote takes the rest of the input");
        assert_eq!(out[0].outcome.as_ref().unwrap().text, "好吃");
        assert_eq!(out[1].id, "2", "the id before the quote is still read");
        let err = out[1].outcome.as_ref().unwrap_err();
        assert!(err.contains("unterminated quoted field") && err.contains("line 3") && err.contains("3..6"), "{err}");
        // The same past the size limit: still said to be an open quote.
        let out = read_csv(input, 10).unwrap();
        assert!(out[1].outcome.as_ref().unwrap_err().contains("never closed"), "{:?}", out[1].outcome);
        // A quote closed at the very end is fine.
        let out = read_csv(b"id,text\n1,\"a\nb\"", 1000).unwrap();
        assert_eq!(out[0].outcome.as_ref().unwrap().text, "a\nb");
        // An unterminated header is a fatal error.
        assert!(read_csv(b"id,\"text\n1,a\n", 1000).is_err());
    }

    #[test]
    fn overlong_csv_rows_are_errors_and_reading_goes_on() {
        let input = format!("id,text\n1,{}\n2,ok\n", "好".repeat(100));
        let out = read_csv(input.as_bytes(), 50).unwrap();
        assert_eq!(out.len(), 2);
        assert!(out[0].outcome.as_ref().unwrap_err().contains("longer than the limit"));
        assert_eq!(out[1].outcome.as_ref().unwrap().text, "ok");
    }

    #[test]
    fn an_empty_csv_has_no_records() {
        for input in [&b""[..], b"\n\n", b"\xEF\xBB\xBF", b"id,text\n", b"id,text"] {
            assert_eq!(read_csv(input, 1000).unwrap().len(), 0, "{input:?}");
        }
        assert!(read_csv(b"id,comment\n1,x\n", 1000).unwrap_err().to_string().contains("no `text` column"));
    }

    /// The scanner splits rows and fields exactly as the `csv` crate does (flexible
    /// rows, default quoting) on any input whose quotes are closed.
    #[test]
    fn the_csv_scanner_agrees_with_the_csv_crate() {
        use proptest::prelude::*;
        let alphabet = prop::sample::select(vec![b'a', b',', b'"', b'\n', b'\r', b' ', 0xE5, 0xA5, 0xBD]);
        proptest!(ProptestConfig::with_cases(2000), |(input in prop::collection::vec(alphabet, 0..40))| {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&input[..]);
            let expected: Vec<Vec<Vec<u8>>> = reader
                .byte_records()
                .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
                .collect();
            let mut src = CsvSource::<_, Parsed>::scanner(&input[..], 1 << 20, fields());
            let mut got = Vec::new();
            let mut open = false;
            while src.read_row().unwrap() {
                open |= src.raw.unterminated;
                got.push(src.raw.fields().map(<[u8]>::to_vec).collect::<Vec<_>>());
            }
            if !open {
                prop_assert_eq!(got, expected);
            }
        });
        assert_eq!(csv_rows(b"a,\"b,\"\"c\"\"\"\r\n\r\nd"), vec![vec![b"a".to_vec(), b"b,\"c\"".to_vec()], vec![b"d".to_vec()]]);
    }
}
