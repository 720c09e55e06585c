//! Tickets as JSONL: reading (validated), writing (atomically), closed-ticket files.

use super::book::parse_time;
use super::{Ticket, TicketBook, TicketOptions, TicketStatus};
use crate::error::{Error, Result};
use crate::issues::Severity;
use jiff::Timestamp;
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

impl TicketBook {
    /// The tickets file kept beside a state file: `STATE.tickets.jsonl`.
    pub fn beside_state(state: &Path) -> PathBuf {
        let mut name = state.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "state".into());
        name.push(".tickets.jsonl");
        state.with_file_name(name)
    }

    /// Reads a tickets file (one [`Ticket`] per line); a missing file is an empty book.
    /// A malformed or inconsistent line is an error naming the file and line.
    pub fn load(path: &Path) -> Result<TicketBook> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TicketBook::new()),
            Err(e) => return Err(data(path, 0, None, format!("cannot open: {e}"))),
        };
        let mut book = TicketBook::new();
        let mut ids = HashSet::new();
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let n = i as u64 + 1;
            let line = line.map_err(|e| data(path, n, None, e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            let t: Ticket =
                serde_json::from_str(&line).map_err(|e| data(path, n, None, format!("not a ticket: {e}")))?;
            check(&t).map_err(|(col, reason)| data(path, n, Some(col), reason))?;
            if !ids.insert(t.ticket_id.clone()) {
                return Err(data(path, n, Some("ticket_id"), format!("ticket `{}` appears twice", t.ticket_id)));
            }
            book.tickets.push(t);
        }
        Ok(book)
    }

    /// Writes every ticket as JSONL to `path`, atomically (temporary file + rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "tickets".into());
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let result = (|| -> Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            let mut w = std::io::BufWriter::new(&mut file);
            self.write_jsonl(&mut w)?;
            w.flush()?;
            drop(w);
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| data(path, 0, None, format!("cannot write: {e}")))
    }

    /// Writes every ticket as one JSON line.
    pub fn write_jsonl(&self, mut w: impl Write) -> Result<()> {
        for t in &self.tickets {
            serde_json::to_writer(&mut w, t)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Closes the tickets listed in a closed-tickets file: JSONL, one object per
    /// line with `ticket_id` and optionally `closed_at` (RFC 3339; default `now`).
    /// A tickets file with `closed_at` filled in is such a file. Returns the ids
    /// closed now and the ids not in the book (left alone).
    pub fn close_from_path(
        &mut self,
        path: &Path,
        now: Timestamp,
        options: &TicketOptions,
    ) -> Result<(Vec<String>, Vec<String>)> {
        let file = std::fs::File::open(path).map_err(|e| data(path, 0, None, format!("cannot open: {e}")))?;
        let (mut closed, mut unknown) = (Vec::new(), Vec::new());
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let n = i as u64 + 1;
            let line = line.map_err(|e| data(path, n, None, e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(&line).map_err(|e| data(path, n, None, format!("not JSON: {e}")))?;
            let Some(id) = v.get("ticket_id").and_then(|x| x.as_str()) else {
                return Err(data(path, n, Some("ticket_id"), "missing (a string)".into()));
            };
            let at = match v.get("closed_at") {
                None | Some(serde_json::Value::Null) => {
                    if v.get("status").is_some() {
                        continue; // a ticket line that is not closed
                    }
                    now
                }
                Some(serde_json::Value::String(s)) => {
                    parse_time(s).map_err(|reason| data(path, n, Some("closed_at"), reason))?
                }
                Some(_) => return Err(data(path, n, Some("closed_at"), "not a string".into())),
            };
            if self.get(id).is_none() {
                unknown.push(id.to_string());
            } else if self.close(id, at, options)? {
                closed.push(id.to_string());
            }
        }
        Ok((closed, unknown))
    }
}

fn data(path: &Path, line: u64, column: Option<&str>, reason: String) -> Error {
    Error::Data { path: path.to_path_buf(), line, column: column.map(str::to_string), reason }
}

/// A ticket read from a file must be consistent: red or yellow, times that parse,
/// closed exactly when it has `closed_at`.
fn check(t: &Ticket) -> std::result::Result<(), (&'static str, String)> {
    if t.ticket_id.trim().is_empty() {
        return Err(("ticket_id", "empty".into()));
    }
    if t.severity == Severity::Green {
        return Err(("severity", "tickets are red or yellow".into()));
    }
    parse_time(&t.opened_at).map_err(|r| ("opened_at", r))?;
    parse_time(&t.due_at).map_err(|r| ("due_at", r))?;
    match (&t.closed_at, t.status) {
        (Some(c), TicketStatus::Closed) => {
            parse_time(c).map_err(|r| ("closed_at", r))?;
        }
        (None, TicketStatus::Closed) => return Err(("closed_at", "a closed ticket needs closed_at".into())),
        (Some(_), _) => return Err(("status", "a ticket with closed_at must be `closed`".into())),
        (None, _) => {}
    }
    Ok(())
}
