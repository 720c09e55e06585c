//! Tickets: a to-do for every red or yellow issue, with a due time, that
//! escalates when it is late.
//!
//! A [`TicketBook`] holds the tickets of a state (or of one run). Each run
//! [opens](TicketBook::open_for) one ticket per red or yellow issue — at most
//! once: the ticket id is a hash of the issue id, the scope and the severity — and
//! [updates](TicketBook::update) the others against the clock:
//!
//! - **due**: `opened_at` + 24 h for red, 72 h for yellow ([`TicketOptions`]);
//! - **overdue**: a ticket past its due time without `closed_at` becomes
//!   `overdue` and escalates one level (store → region → chain), and gets a
//!   further due time one period later; each further due it passes escalates it
//!   again (`escalations` counts them; the chain is the top level);
//! - **closed**: [`TicketBook::close`] (`fankui tickets close ID`) or a closed-tickets
//!   file ([`TicketBook::close_from_path`]) sets `closed_at`; a closed ticket never
//!   escalates. A yellow ticket whose issue turns red is closed as superseded by
//!   the red one, and so are the tickets of issues folded into another.
//!
//! Tickets are written as JSONL, one [`Ticket`] per line ([`TicketBook::save`]);
//! with a state file they live beside it ([`TicketBook::beside_state`]) under the
//! state's lock.

mod book;
mod file;

pub use book::TicketBook;

use crate::issues::Severity;
use crate::window::DEFAULT_TIMEZONE;
use serde::{Deserialize, Serialize};

/// Who a ticket is for: one store, a region, or the whole chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One store's manager.
    Store,
    /// A region's manager.
    Region,
    /// Head office.
    Chain,
}

impl Level {
    /// `store`, `region` or `chain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Store => "store",
            Level::Region => "region",
            Level::Chain => "chain",
        }
    }

    /// The level a late ticket escalates to.
    pub fn up(self) -> Level {
        match self {
            Level::Store => Level::Region,
            Level::Region | Level::Chain => Level::Chain,
        }
    }
}

/// Where a ticket stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for an answer, not yet due.
    Open,
    /// Passed its due time without being closed (and escalated).
    Overdue,
    /// Answered.
    Closed,
}

/// One ticket: a line of `tickets.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// Stable id (`T` + 16 hex digits, a hash of issue id, opening scope and severity).
    pub ticket_id: String,
    /// The issue ([`crate::Issue::id`]).
    pub issue_id: String,
    /// `red` or `yellow`.
    pub severity: Severity,
    /// Current level: `store`, `region` or `chain` (moves up on escalation).
    pub level: Level,
    /// Current scope at that level: a store id, a region, or `chain`.
    pub scope: String,
    /// When the ticket was opened (RFC 3339, business time zone).
    pub opened_at: String,
    /// When an answer is due (RFC 3339, business time zone); moves one period on at each escalation.
    pub due_at: String,
    /// `open`, `overdue` or `closed`.
    pub status: TicketStatus,
    /// When the ticket was closed.
    pub closed_at: Option<String>,
    /// How many times it escalated.
    pub escalations: u32,
    /// One line in Chinese: where, what, how many.
    pub summary: String,
    /// Example reports (PII-masked, as every text fankui outputs).
    pub examples: Vec<String>,
    /// The store the issue is concentrated in, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// The region the issue is concentrated in (or the store's region): where a store ticket escalates to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The ticket that replaced this one (a yellow ticket whose issue turned red, or
    /// the ticket of the issue this one's issue was folded into).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
}

impl Ticket {
    /// Whether the ticket still waits for an answer (open or overdue).
    pub fn is_active(&self) -> bool {
        self.status != TicketStatus::Closed
    }
}

/// Due times and ownership rules of tickets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TicketOptions {
    /// Hours to answer a red ticket (default 24).
    pub red_hours: u32,
    /// Hours to answer a yellow ticket (default 72).
    pub yellow_hours: u32,
    /// The record field that holds the store (default `store`: the first group field).
    pub store_field: String,
    /// The record field that holds the region (default `region`).
    pub region_field: String,
    /// A store (region) owns an issue when at least this share of its reports
    /// come from it (default 0.8); otherwise the level above does.
    pub owner_share: f64,
    /// Business time zone of the written times (default `Asia/Shanghai`).
    pub timezone: String,
}

impl Default for TicketOptions {
    fn default() -> Self {
        TicketOptions {
            red_hours: 24,
            yellow_hours: 72,
            store_field: "store".into(),
            region_field: "region".into(),
            owner_share: 0.8,
            timezone: DEFAULT_TIMEZONE.into(),
        }
    }
}

impl TicketOptions {
    /// Sets the hours to answer a red ticket.
    pub fn with_red_hours(mut self, hours: u32) -> Self {
        self.red_hours = hours;
        self
    }
    /// Sets the hours to answer a yellow ticket.
    pub fn with_yellow_hours(mut self, hours: u32) -> Self {
        self.yellow_hours = hours;
        self
    }
    /// Sets the store and region fields (e.g. the first and second group fields).
    pub fn with_fields(mut self, store: impl Into<String>, region: impl Into<String>) -> Self {
        self.store_field = store.into();
        self.region_field = region.into();
        self
    }
    /// Sets the share of reports that makes a store (region) the owner.
    pub fn with_owner_share(mut self, share: f64) -> Self {
        self.owner_share = share;
        self
    }
    /// Sets the business time zone.
    pub fn with_timezone(mut self, zone: impl Into<String>) -> Self {
        self.timezone = zone.into();
        self
    }

    /// Hours to answer a ticket of `severity`.
    pub fn hours(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Red => self.red_hours,
            _ => self.yellow_hours,
        }
    }

    pub(crate) fn check(&self) -> crate::Result<()> {
        let bad = |option, reason: &str| Err(crate::Error::InvalidOption { option, reason: reason.into() });
        if self.red_hours == 0 {
            return bad("red_hours", "a ticket needs at least one hour to be answered");
        }
        if self.yellow_hours == 0 {
            return bad("yellow_hours", "a ticket needs at least one hour to be answered");
        }
        if !(self.owner_share > 0.0 && self.owner_share <= 1.0) {
            return bad("owner_share", "a share in (0, 1]");
        }
        Ok(())
    }
}
