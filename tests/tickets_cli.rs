//! `fankui issues --tickets` with a state, and `fankui tickets close|list`, end to
//! end on the first 17 days of the example month (the default model): the hair
//! incident at BJ-007 (2026-10-15) opens a red store ticket; a later run without
//! an answer finds it overdue and escalated to the store's region; closing it
//! stops the escalation.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/scratch.rs"]
mod scratch;

use cli::{fankui, stderr};
use scratch::scratch;
use serde_json::Value;
use std::path::Path;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

fn tickets(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn tickets_persist_escalate_and_close_across_runs() {
    let dir = scratch("runs");
    let state = dir.join("state.json");
    let out = dir.join("tickets.jsonl");
    let (s, t) = (state.to_str().unwrap(), out.to_str().unwrap());
    let stores = format!("{EXAMPLES}/stores.csv");
    let volume = format!("{EXAMPLES}/volume.csv");
    let month = std::fs::read_to_string(format!("{EXAMPLES}/month.jsonl")).unwrap();
    let first: String = month
        .lines()
        .filter(|l| serde_json::from_str::<Value>(l).unwrap()["time"].as_str().unwrap() < "2026-10-18")
        .flat_map(|l| [l, "\n"])
        .collect();
    let run = |now: &str, input: &[u8], extra: &[&str]| {
        let mut args = vec!["issues", "--group-field", "store", "--state", s, "--tickets", t, "--now", now];
        args.extend(["--stores", &stores, "--volume", &volume, "-o", "/dev/null"]);
        args.extend(extra);
        let o = fankui(&args, input);
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };

    // Day 1: the hair incident of 2026-10-15 opens a red ticket at BJ-007, due in 24 hours.
    let o = run("2026-10-18T08:00:00+08:00", first.as_bytes(), &[]);
    assert!(stderr(&o).contains("fankui issues: tickets: "), "{}", stderr(&o));
    let all = tickets(&out);
    let hair = all
        .iter()
        .find(|x| x["level"] == "store" && x["scope"] == "BJ-007" && x["severity"] == "red")
        .unwrap_or_else(|| panic!("no red ticket for BJ-007: {all:#?}"))
        .clone();
    let id = hair["ticket_id"].as_str().unwrap().to_string();
    assert_eq!(hair["opened_at"], "2026-10-18T08:00:00+08:00");
    assert_eq!(hair["due_at"], "2026-10-19T08:00:00+08:00");
    assert_eq!(hair["status"], "open");
    assert!(hair["summary"].as_str().unwrap().contains("BJ-007"), "{hair}");
    // The region comes from stores.csv: the records were grouped by store only.
    assert_eq!(hair["region"], "north");
    let sidecar = dir.join("state.json.tickets.jsonl");
    assert_eq!(tickets(&sidecar), all, "the state keeps the tickets beside it");

    // Day 2, nobody answered: overdue, escalated to the region, a further due time.
    run("2026-10-19T09:00:00+08:00", b"", &[]);
    let now = tickets(&out);
    let h = now.iter().find(|x| x["ticket_id"] == id.as_str()).unwrap();
    assert_eq!(
        (&h["status"], &h["level"], &h["scope"], &h["escalations"]),
        (&"overdue".into(), &"region".into(), &"north".into(), &1.into())
    );
    assert_eq!(h["due_at"], "2026-10-20T08:00:00+08:00");
    assert_eq!(now.len(), all.len(), "no duplicate tickets");

    // `tickets list` looks ahead without saving.
    let o =
        fankui(&["tickets", "list", "--state", s, "--now", "2026-10-20T09:00:00+08:00", "--status", "overdue"], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let listed: Vec<Value> =
        String::from_utf8(o.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let h = listed.iter().find(|x| x["ticket_id"] == id.as_str()).unwrap();
    assert_eq!((&h["level"], &h["escalations"]), (&"chain".into(), &2.into()));
    assert!(listed.iter().all(|x| x["status"] == "overdue"));
    assert_eq!(tickets(&sidecar).iter().find(|x| x["ticket_id"] == id.as_str()).unwrap()["escalations"], 1);

    // Closed: it stays closed and stops escalating.
    let o = fankui(&["tickets", "close", &id, "--state", s, "--at", "2026-10-19T10:00:00+08:00"], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    // A closed-tickets file with the same id (already closed) and an unknown one.
    let closed = dir.join("closed.jsonl");
    std::fs::write(&closed, format!("{{\"ticket_id\":\"{id}\"}}\n{{\"ticket_id\":\"Tunknown\"}}\n")).unwrap();
    let o = run("2026-10-25T09:00:00+08:00", b"", &["--closed", closed.to_str().unwrap()]);
    assert!(stderr(&o).contains("unknown ids ignored: Tunknown"), "{}", stderr(&o));
    let h = tickets(&out).into_iter().find(|x| x["ticket_id"] == id.as_str()).unwrap();
    assert_eq!(
        (&h["status"], &h["closed_at"], &h["escalations"]),
        (&"closed".into(), &"2026-10-19T10:00:00+08:00".into(), &1.into())
    );

    // An unknown id is refused, naming it.
    let o = fankui(&["tickets", "close", "Tnope", "--state", s], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no ticket `Tnope`"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_operations_files_are_refused_before_any_work() {
    let dir = scratch("bad");
    let bad = dir.join("volume.csv");
    std::fs::write(&bad, "date,store,orders\n2026-10-01,SH-001,many\n").unwrap();
    let o = fankui(&["issues", "--volume", bad.to_str().unwrap(), "--now", "2026-11-05"], b"");
    assert_eq!(o.status.code(), Some(1));
    let msg = stderr(&o);
    assert!(msg.contains("volume.csv, line 2, column `orders`"), "{msg}");
    let o = fankui(
        &["issues", "--volume", &format!("{EXAMPLES}/volume.csv"), "--window", "1h", "--now", "2026-11-05"],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("daily windows"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}
