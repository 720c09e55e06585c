//! Tickets as the report reads them: one JSON object a line (`tickets.jsonl`, as
//! `fankui issues --tickets` writes it). Unknown fields are ignored and every
//! field but the id is optional, so the report reads older and newer files alike.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::BufRead;

/// One ticket: a red or yellow issue that must be answered by `due_at`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Ticket {
    /// Stable ticket id.
    pub ticket_id: String,
    /// The issue the ticket was opened for.
    pub issue_id: String,
    /// `red` or `yellow`.
    pub severity: String,
    /// `store`, `region` or `chain` (escalation raises it).
    pub level: String,
    /// The store, region or chain concerned (e.g. `SH-001`).
    pub scope: String,
    /// RFC 3339.
    pub opened_at: String,
    /// RFC 3339.
    pub due_at: String,
    /// `open`, `overdue` or `closed`.
    pub status: String,
    /// RFC 3339, when closed.
    pub closed_at: Option<String>,
    /// Times escalated.
    pub escalations: u32,
    /// One line.
    pub summary: String,
    /// Example comments (PII-masked).
    pub examples: Vec<String>,
}

impl Ticket {
    /// Still to be answered: open or overdue.
    pub fn is_pending(&self) -> bool {
        self.closed_at.is_none() && self.status != "closed"
    }
}

/// Reads tickets from JSONL; blank lines are skipped, a malformed line is an error naming it.
pub fn read_tickets(reader: impl BufRead) -> Result<Vec<Ticket>> {
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let t: Ticket = serde_json::from_str(line).map_err(|e| Error::Input(format!("tickets, line {}: {e}", i + 1)))?;
        out.push(t);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_reading() {
        let text = "{\"ticket_id\":\"T1\",\"issue_id\":\"c1-2026-10-03\",\"severity\":\"red\",\"status\":\"overdue\",\"closed_at\":null,\"new_field\":[1]}\n\n{\"ticket_id\":\"T2\",\"status\":\"closed\",\"closed_at\":\"2026-10-04T09:00:00+08:00\"}\n";
        let t = read_tickets(text.as_bytes()).unwrap();
        assert_eq!(t.len(), 2);
        assert!(t[0].is_pending() && !t[1].is_pending());
        assert!(read_tickets("{oops".as_bytes()).unwrap_err().to_string().contains("line 1"));
    }
}
