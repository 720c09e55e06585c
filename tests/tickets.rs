//! Tickets without the model: opening (one per red/yellow issue, deduplicated),
//! due times, escalation when late, closing, persistence.

#[path = "common/scratch.rs"]
mod scratch;

use fankui::{Issue, Level, StoreInfo, Stores, Ticket, TicketBook, TicketOptions, TicketStatus};
use jiff::Timestamp;
use scratch::scratch;
use serde_json::json;

fn issue(id: &str, severity: &str, groups: serde_json::Value, count: u64) -> Issue {
    serde_json::from_value(json!({
        "id": id, "name": "薯条·味道怪", "keywords": ["薯条"], "kind": "complaint", "severity": severity,
        "topics": ["taste"], "start": "2026-10-21", "end": "2026-10-22", "count": count, "expected": 1.25,
        "score": 12.0, "groups": groups, "alerts": [], "record_ids": [],
        "examples": [{"id": "r1", "text": "薯条有股\n怪味，电话<PHONE>"}], "cluster": "c1"
    }))
    .unwrap()
}

fn store_issue(id: &str, severity: &str) -> Issue {
    issue(
        id,
        severity,
        json!([{"field": "store", "value": "BJ-007", "count": 9}, {"field": "region", "value": "north", "count": 9}]),
        9,
    )
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn one_ticket_per_red_or_yellow_complaint_with_due_times() {
    let mut praise = store_issue("p1", "yellow");
    praise.kind = fankui::Kind::Praise;
    let issues = vec![store_issue("i1", "red"), store_issue("i2", "yellow"), store_issue("i3", "green"), praise];
    let mut book = TicketBook::new();
    let o = TicketOptions::default();
    let opened = book.open_for(&issues, at("2026-10-23T01:00:00Z"), &o, None).unwrap();
    assert_eq!(opened.len(), 2, "red and yellow complaints only");
    let red = &book.tickets()[0];
    assert_eq!(red.issue_id, "i1");
    assert_eq!((red.level, red.scope.as_str()), (Level::Store, "BJ-007"));
    assert_eq!(red.opened_at, "2026-10-23T09:00:00+08:00", "business time zone");
    assert_eq!(red.due_at, "2026-10-24T09:00:00+08:00", "red: 24 h");
    assert_eq!(book.tickets()[1].due_at, "2026-10-26T09:00:00+08:00", "yellow: 72 h");
    assert_eq!(red.status, TicketStatus::Open);
    assert!(red.summary.starts_with("【红】门店 BJ-007：薯条·味道怪"), "{}", red.summary);
    assert!(!red.summary.contains('\n'));
    assert_eq!(red.examples, vec!["薯条有股 怪味，电话<PHONE>"]);
    assert_eq!(red.region.as_deref(), Some("north"), "where it escalates to");

    // The next run sees the same issues: nothing new, same ids.
    let again = book.open_for(&issues, at("2026-10-23T05:00:00Z"), &o, None).unwrap();
    assert!(again.is_empty());
    assert_eq!(book.tickets().len(), 2);

    // Configurable due times.
    let mut other = TicketBook::new();
    let o6 = TicketOptions::default().with_red_hours(6);
    other.open_for(&issues[..1], at("2026-10-23T01:00:00Z"), &o6, None).unwrap();
    assert_eq!(other.tickets()[0].due_at, "2026-10-23T15:00:00+08:00");
    assert_ne!(other.tickets()[0].ticket_id, "", "ids do not depend on due times");
    assert_eq!(other.tickets()[0].ticket_id, book.tickets()[0].ticket_id);
}

#[test]
fn owner_is_the_store_the_region_or_the_chain() {
    let o = TicketOptions::default();
    let region = issue(
        "fries",
        "red",
        json!([{"field": "store", "value": "SH-001", "count": 3}, {"field": "store", "value": "SH-003", "count": 3},
               {"field": "region", "value": "east", "count": 40}]),
        40,
    );
    let chain = issue(
        "pay",
        "red",
        json!([{"field": "region", "value": "east", "count": 30}, {"field": "region", "value": "north", "count": 30}]),
        90,
    );
    let mut book = TicketBook::new();
    book.open_for(&[region, chain], at("2026-10-23T01:00:00Z"), &o, None).unwrap();
    let t = book.tickets();
    assert_eq!((t[0].level, t[0].scope.as_str()), (Level::Region, "east"));
    assert_eq!((t[1].level, t[1].scope.as_str()), (Level::Chain, "chain"));
    assert!(t[1].summary.contains("全部门店"), "{}", t[1].summary);

    // Without a region field, stores.csv gives the stores' regions.
    let no_region = issue(
        "x",
        "yellow",
        json!([{"field": "store", "value": "SH-001", "count": 5}, {"field": "store", "value": "SH-003", "count": 5}]),
        10,
    );
    let info =
        |s: &str| StoreInfo { store: s.into(), region: Some("east".into()), city: None, manager: None, opened: None };
    let stores = Stores::from_infos([info("SH-001"), info("SH-003")]);
    let mut book = TicketBook::new();
    book.open_for(std::slice::from_ref(&no_region), at("2026-10-23T01:00:00Z"), &o, Some(&stores)).unwrap();
    assert_eq!((book.tickets()[0].level, book.tickets()[0].scope.as_str()), (Level::Region, "east"));
    let mut book = TicketBook::new();
    book.open_for(&[no_region], at("2026-10-23T01:00:00Z"), &o, None).unwrap();
    assert_eq!(book.tickets()[0].level, Level::Chain);
}

#[test]
fn a_late_ticket_is_overdue_and_escalates_once_per_missed_due_time() {
    let o = TicketOptions::default();
    let mut book = TicketBook::new();
    book.open_for(&[store_issue("i1", "red")], at("2026-10-23T01:00:00Z"), &o, None).unwrap();
    let id = book.tickets()[0].ticket_id.clone();
    let get = |b: &TicketBook| -> Ticket { b.get(&id).unwrap().clone() };

    // Just at the due time: not late yet.
    assert!(book.update(at("2026-10-24T01:00:00Z"), &o).unwrap().is_empty());
    assert_eq!(get(&book).status, TicketStatus::Open);

    // One second late: overdue, escalated to the store's region, due 24 h later.
    assert_eq!(book.update(at("2026-10-24T01:00:01Z"), &o).unwrap(), vec![id.clone()]);
    let t = get(&book);
    assert_eq!(
        (t.status, t.level, t.scope.as_str(), t.escalations),
        (TicketStatus::Overdue, Level::Region, "north", 1)
    );
    assert_eq!(t.due_at, "2026-10-25T09:00:00+08:00");
    // The same run again changes nothing.
    assert!(book.update(at("2026-10-24T02:00:00Z"), &o).unwrap().is_empty());
    assert_eq!(get(&book).escalations, 1);

    // Past the further due time: the chain.
    book.update(at("2026-10-25T03:00:00Z"), &o).unwrap();
    let t = get(&book);
    assert_eq!((t.level, t.scope.as_str(), t.escalations), (Level::Chain, "chain", 2));
    assert_eq!(t.due_at, "2026-10-26T09:00:00+08:00");

    // Three more days without an answer: three more escalations, still the chain.
    book.update(at("2026-10-28T03:00:00Z"), &o).unwrap();
    let t = get(&book);
    assert_eq!((t.level, t.escalations), (Level::Chain, 5));
    assert_eq!(t.due_at, "2026-10-29T09:00:00+08:00");

    // Closed: never escalates again.
    assert!(book.close(&id, at("2026-10-28T04:00:00Z"), &o).unwrap());
    assert!(!book.close(&id, at("2026-10-28T05:00:00Z"), &o).unwrap(), "closing twice changes nothing");
    book.update(at("2026-11-28T03:00:00Z"), &o).unwrap();
    let t = get(&book);
    assert_eq!((t.status, t.escalations), (TicketStatus::Closed, 5));
    assert_eq!(t.closed_at.as_deref(), Some("2026-10-28T12:00:00+08:00"));

    // Unknown ids are an error.
    let err = book.close("T0000", at("2026-10-28T04:00:00Z"), &o).unwrap_err();
    assert!(err.to_string().contains("no ticket `T0000`"), "{err}");
}

#[test]
fn a_store_ticket_without_a_known_region_escalates_to_the_chain() {
    let o = TicketOptions::default();
    let lone = issue("i9", "yellow", json!([{"field": "store", "value": "X-1", "count": 6}]), 6);
    let mut book = TicketBook::new();
    book.open_for(&[lone], at("2026-10-23T01:00:00Z"), &o, None).unwrap();
    book.update(at("2026-10-26T02:00:00Z"), &o).unwrap();
    let t = &book.tickets()[0];
    assert_eq!((t.level, t.scope.as_str(), t.escalations), (Level::Chain, "chain", 1));
}

#[test]
fn a_yellow_ticket_whose_issue_turns_red_is_superseded() {
    let o = TicketOptions::default();
    let mut book = TicketBook::new();
    book.open_for(&[store_issue("i1", "yellow")], at("2026-10-23T01:00:00Z"), &o, None).unwrap();
    let mut folded = store_issue("i1", "red");
    folded.merged_ids = vec!["i0".into()];
    book.open_for(&[store_issue("i0", "yellow")], at("2026-10-23T01:00:00Z"), &o, None).unwrap();
    book.open_for(&[folded], at("2026-10-24T01:00:00Z"), &o, None).unwrap();
    let t = book.tickets();
    assert_eq!(t.len(), 3);
    let red = t.iter().find(|t| t.severity == fankui::Severity::Red).unwrap();
    for old in t.iter().filter(|t| t.severity == fankui::Severity::Yellow) {
        assert_eq!(old.status, TicketStatus::Closed, "{old:?}");
        assert_eq!(old.superseded_by.as_ref(), Some(&red.ticket_id));
    }
    assert_eq!(book.active().count(), 1);
}

#[test]
fn tickets_round_trip_through_a_file_and_closed_files_close_them() {
    let dir = scratch("file");
    let state = dir.join("state.json");
    let path = TicketBook::beside_state(&state);
    assert_eq!(path, dir.join("state.json.tickets.jsonl"));
    assert_eq!(TicketBook::load(&path).unwrap(), TicketBook::new(), "a missing file is an empty book");
    let o = TicketOptions::default();
    let mut book = TicketBook::new();
    book.open_for(&[store_issue("i1", "red"), store_issue("i2", "yellow")], at("2026-10-23T01:00:00Z"), &o, None)
        .unwrap();
    book.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2);
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for field in [
        "ticket_id",
        "issue_id",
        "severity",
        "level",
        "scope",
        "opened_at",
        "due_at",
        "status",
        "closed_at",
        "escalations",
        "summary",
        "examples",
    ] {
        assert!(line.get(field).is_some(), "{field} missing: {line}");
    }
    assert_eq!(line["severity"], "red");
    assert_eq!(line["status"], "open");
    assert_eq!(line["closed_at"], serde_json::Value::Null);
    let mut back = TicketBook::load(&path).unwrap();
    assert_eq!(back, book);

    // A closed-tickets file: an id with a time, an id without (closed now), an unknown id.
    let ids: Vec<String> = book.tickets().iter().map(|t| t.ticket_id.clone()).collect();
    let closed = dir.join("closed.jsonl");
    std::fs::write(
        &closed,
        format!(
            "{{\"ticket_id\":\"{}\",\"closed_at\":\"2026-10-23T12:30:00+08:00\"}}\n\n{{\"ticket_id\":\"{}\"}}\n{{\"ticket_id\":\"Tnope\"}}\n",
            ids[0], ids[1]
        ),
    )
    .unwrap();
    let (done, unknown) = back.close_from_path(&closed, at("2026-10-23T06:00:00Z"), &o).unwrap();
    assert_eq!(done, ids);
    assert_eq!(unknown, vec!["Tnope"]);
    assert_eq!(back.get(&ids[0]).unwrap().closed_at.as_deref(), Some("2026-10-23T12:30:00+08:00"));
    assert_eq!(back.get(&ids[1]).unwrap().closed_at.as_deref(), Some("2026-10-23T14:00:00+08:00"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_ticket_files_name_the_line_and_column() {
    let dir = scratch("bad");
    let o = TicketOptions::default();
    let mut book = TicketBook::new();
    book.open_for(&[store_issue("i1", "red")], at("2026-10-23T01:00:00Z"), &o, None).unwrap();
    let good = serde_json::to_string(&book.tickets()[0]).unwrap();
    let cases = [
        (format!("{good}\n{good}\n"), "line 2, column `ticket_id`", "appears twice"),
        (format!("{good}\nnot json\n"), "line 2", "not a ticket"),
        (good.replace("\"status\":\"open\"", "\"status\":\"closed\""), "line 1, column `closed_at`", "needs closed_at"),
        (good.replace("+08:00\",\"status\"", "\",\"status\""), "line 1, column `due_at`", "RFC 3339"),
        (good.replace("\"severity\":\"red\"", "\"severity\":\"green\""), "line 1, column `severity`", "red or yellow"),
    ];
    for (i, (text, place, reason)) in cases.iter().enumerate() {
        let p = dir.join(format!("t{i}.jsonl"));
        std::fs::write(&p, text).unwrap();
        let err = TicketBook::load(&p).unwrap_err().to_string();
        assert!(err.contains(&p.display().to_string()) && err.contains(place) && err.contains(reason), "{err}");
    }
    let closed = dir.join("closed.jsonl");
    std::fs::write(&closed, "{\"ticket_id\":\"x\",\"closed_at\":\"yesterday\"}\n").unwrap();
    let err = book.close_from_path(&closed, at("2026-10-23T06:00:00Z"), &o).unwrap_err().to_string();
    assert!(err.contains("line 1, column `closed_at`"), "{err}");
    let err = TicketOptions::default().with_red_hours(0);
    assert!(book.update(at("2026-10-23T06:00:00Z"), &err).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
