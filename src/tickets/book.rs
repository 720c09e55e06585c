//! The set of tickets of a state: opening, escalating and closing.

use super::{Level, Ticket, TicketOptions, TicketStatus};
use crate::cluster::Kind;
use crate::error::{Error, Result};
use crate::issues::{Issue, Severity};
use crate::ops::Stores;
use crate::window::Zone;
use jiff::Timestamp;
use std::collections::HashMap;

/// Every ticket of a state (or of one run), in the order they were opened.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TicketBook {
    pub(super) tickets: Vec<Ticket>,
}

impl TicketBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every ticket, oldest first.
    pub fn tickets(&self) -> &[Ticket] {
        &self.tickets
    }

    /// A ticket by id.
    pub fn get(&self, ticket_id: &str) -> Option<&Ticket> {
        self.tickets.iter().find(|t| t.ticket_id == ticket_id)
    }

    /// Tickets still waiting for an answer (open or overdue).
    pub fn active(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.iter().filter(|t| t.is_active())
    }

    /// Opens one ticket per red or yellow complaint issue that has none yet
    /// (same id: same issue, scope and severity), at `now`. `stores` gives a
    /// store's region, where its ticket escalates to. Returns the ids of the new
    /// tickets. A yellow ticket whose issue is now red, and the active tickets of
    /// issues folded into one of `issues` ([`Issue::merged_ids`]), are closed as
    /// superseded.
    pub fn open_for(
        &mut self,
        issues: &[Issue],
        now: Timestamp,
        options: &TicketOptions,
        stores: Option<&Stores>,
    ) -> Result<Vec<String>> {
        options.check()?;
        let zone = Zone::named(&options.timezone)?;
        let mut opened = Vec::new();
        for issue in issues {
            if !matches!(issue.severity, Severity::Red | Severity::Yellow) || issue.kind != Kind::Complaint {
                continue;
            }
            let owner = owner(issue, options, stores);
            let id = ticket_id(&issue.id, &owner.scope, issue.severity);
            if self.get(&id).is_none() {
                let due = add_hours(now, options.hours(issue.severity));
                self.tickets.push(Ticket {
                    ticket_id: id.clone(),
                    issue_id: issue.id.clone(),
                    severity: issue.severity,
                    level: owner.level,
                    scope: owner.scope.clone(),
                    opened_at: zone.format(now),
                    due_at: zone.format(due),
                    status: TicketStatus::Open,
                    closed_at: None,
                    escalations: 0,
                    summary: summary(issue, &owner),
                    examples: issue.examples.iter().map(|e| one_line(&e.text)).collect(),
                    store: owner.store,
                    region: owner.region,
                    superseded_by: None,
                });
                opened.push(id.clone());
            }
            // Superseded: the yellow ticket of an issue now red, the tickets of folded issues.
            for t in self.tickets.iter_mut().filter(|t| t.is_active() && t.ticket_id != id) {
                let upgraded = t.issue_id == issue.id && t.severity < issue.severity;
                let folded = issue.merged_ids.contains(&t.issue_id);
                if upgraded || folded {
                    t.status = TicketStatus::Closed;
                    t.closed_at = Some(zone.format(now));
                    t.superseded_by = Some(id.clone());
                }
            }
        }
        Ok(opened)
    }

    /// Checks every active ticket against `now`: one past its due time becomes
    /// overdue and escalates one level per due time it passed (each further due
    /// time is one period — 24 h red, 72 h yellow — after the last). Returns the
    /// ids of the tickets that escalated.
    pub fn update(&mut self, now: Timestamp, options: &TicketOptions) -> Result<Vec<String>> {
        options.check()?;
        let zone = Zone::named(&options.timezone)?;
        let mut escalated = Vec::new();
        for t in self.tickets.iter_mut().filter(|t| t.is_active()) {
            let due =
                parse_time(&t.due_at).map_err(|reason| Error::Input(format!("ticket {}: {reason}", t.ticket_id)))?;
            if now <= due {
                continue;
            }
            let period = i64::from(options.hours(t.severity)) * 3600;
            let late = now.as_second() - due.as_second();
            // Due times passed: the current one, and one per full period after it.
            let passed = late.saturating_sub(1) / period + 1;
            let steps = u32::try_from(passed).unwrap_or(u32::MAX);
            t.status = TicketStatus::Overdue;
            t.escalations = t.escalations.saturating_add(steps);
            for _ in 0..steps.min(2) {
                escalate(t);
            }
            let next = due.as_second().saturating_add(passed.saturating_mul(period));
            t.due_at = zone.format(Timestamp::from_second(next).unwrap_or(Timestamp::MAX));
            escalated.push(t.ticket_id.clone());
        }
        Ok(escalated)
    }

    /// Closes a ticket at `at`. Closing a closed ticket changes nothing (returns
    /// `false`); an unknown id is an error.
    pub fn close(&mut self, ticket_id: &str, at: Timestamp, options: &TicketOptions) -> Result<bool> {
        let zone = Zone::named(&options.timezone)?;
        let t =
            self.tickets.iter_mut().find(|t| t.ticket_id == ticket_id.trim()).ok_or_else(|| {
                Error::Input(format!("no ticket `{}` (see the tickets file for ids)", ticket_id.trim()))
            })?;
        if t.status == TicketStatus::Closed {
            return Ok(false);
        }
        t.status = TicketStatus::Closed;
        t.closed_at = Some(zone.format(at));
        Ok(true)
    }
}

/// Who owns an issue at opening.
struct Owner {
    level: Level,
    scope: String,
    store: Option<String>,
    region: Option<String>,
}

/// A store owns an issue when at least `owner_share` of its reports come from it;
/// else a region (by the region field, or by the stores' regions); else the chain.
fn owner(issue: &Issue, options: &TicketOptions, stores: Option<&Stores>) -> Owner {
    let total = issue.count.max(1) as f64;
    let top = |field: &str| {
        issue
            .groups
            .iter()
            .filter(|g| g.field == field)
            .max_by(|a, b| a.count.cmp(&b.count).then(b.value.cmp(&a.value)))
    };
    let store = top(&options.store_field);
    let mut region = top(&options.region_field).map(|g| (g.value.clone(), g.count));
    if let (None, Some(stores)) = (&region, stores) {
        // Regions from stores.csv: add up the stores' reports per region.
        let mut by_region: HashMap<&str, u64> = HashMap::new();
        for g in issue.groups.iter().filter(|g| g.field == options.store_field) {
            if let Some(r) = stores.region_of(&g.value) {
                *by_region.entry(r).or_insert(0) += g.count;
            }
        }
        region = by_region.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(r, n)| (r.to_string(), n));
    }
    if let Some(s) = store.filter(|s| s.count as f64 >= options.owner_share * total) {
        let region = stores.and_then(|st| st.region_of(&s.value)).map(str::to_string).or(region.map(|r| r.0));
        return Owner { level: Level::Store, scope: s.value.clone(), store: Some(s.value.clone()), region };
    }
    if let Some((r, _)) = region.filter(|(_, n)| *n as f64 >= options.owner_share * total) {
        return Owner { level: Level::Region, scope: r.clone(), store: None, region: Some(r) };
    }
    Owner { level: Level::Chain, scope: "chain".into(), store: None, region: None }
}

/// One level up: a store ticket goes to its region (or the chain when the region is unknown).
fn escalate(t: &mut Ticket) {
    match (t.level, &t.region) {
        (Level::Store, Some(r)) => {
            t.level = Level::Region;
            t.scope = r.clone();
        }
        (Level::Chain, _) => {}
        _ => {
            t.level = Level::Chain;
            t.scope = "chain".into();
        }
    }
}

/// `T` + 16 hex digits of FNV-1a 64 over issue id, scope and severity: the same
/// issue at the same scope and severity always gets the same id.
pub(crate) fn ticket_id(issue_id: &str, scope: &str, severity: Severity) -> String {
    let sev = match severity {
        Severity::Red => "red",
        Severity::Yellow => "yellow",
        Severity::Green => "green",
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in issue_id.bytes().chain([0x1f]).chain(scope.bytes()).chain([0x1f]).chain(sev.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("T{h:016x}")
}

fn summary(issue: &Issue, owner: &Owner) -> String {
    let light = if issue.severity == Severity::Red { "红" } else { "黄" };
    let place = match owner.level {
        Level::Store => format!("门店 {}", owner.scope),
        Level::Region => format!("区域 {}", owner.scope),
        Level::Chain => "全部门店".to_string(),
    };
    let when =
        if issue.start == issue.end { issue.start.clone() } else { format!("{} 至 {}", issue.start, issue.end) };
    one_line(&format!(
        "【{light}】{place}：{}，{when} 共 {} 条反馈（预期 {:.1} 条）",
        issue.name, issue.count, issue.expected
    ))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn add_hours(t: Timestamp, hours: u32) -> Timestamp {
    Timestamp::from_second(t.as_second().saturating_add(i64::from(hours) * 3600)).unwrap_or(Timestamp::MAX)
}

/// Parses an RFC 3339 time with offset.
pub(crate) fn parse_time(s: &str) -> std::result::Result<Timestamp, String> {
    s.parse::<Timestamp>().map_err(|_| format!("`{s}` is not an RFC 3339 time with an offset"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_differ_by_scope_and_severity() {
        let a = ticket_id("c1-2026-10-15", "BJ-007", Severity::Red);
        assert_eq!(a, ticket_id("c1-2026-10-15", "BJ-007", Severity::Red));
        assert_ne!(a, ticket_id("c1-2026-10-15", "BJ-008", Severity::Red));
        assert_ne!(a, ticket_id("c1-2026-10-15", "BJ-007", Severity::Yellow));
        assert_eq!(a.len(), 17);
    }
}
