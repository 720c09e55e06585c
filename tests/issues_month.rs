//! Complaint clustering and spike detection on a synthetic month
//! (tests/common/month.rs): each injected complaint incident must come out as a
//! named issue on its first or second day, made mostly of the incident's own
//! records; the praise burst must not be a complaint; quiet weeks raise no red issue.
//!
//! Run with `--nocapture` to see precision, recall and first-detection day per incident.

#[path = "common/month.rs"]
mod month;
#[path = "common/scratch.rs"]
mod scratch;

use fankui::{
    Analyzer, Feed, Issue, IssueDetector, IssueOptions, Kind, LocalTime, PipelineConfig, RecordMeta, Severity, Source,
};
use month::{Truth, INCIDENTS};
use scratch::scratch;
use std::collections::{BTreeMap, HashSet};

fn feed(records: &[month::Record]) -> Vec<(RecordMeta, Feed)> {
    records
        .iter()
        .map(|r| {
            let meta = RecordMeta {
                id: r.id.clone(),
                time: LocalTime::parse(&r.time).unwrap(),
                groups: vec![Some(r.store.clone()), Some(r.region.clone())],
            };
            let source = if r.voice { Source::Voice } else { Source::Text };
            (meta, Feed::Text { text: r.text.clone(), source })
        })
        .collect()
}

fn options() -> IssueOptions {
    IssueOptions::default().with_group_fields(["store", "region"])
}

struct Scored<'a> {
    issue: &'a Issue,
    precision: f64,
    recall: f64,
}

/// The issue that best matches an incident: most of the incident's records.
fn best_match<'a>(issues: &'a [Issue], ids: &HashSet<&str>) -> Option<Scored<'a>> {
    issues
        .iter()
        .map(|issue| {
            let hits = issue.record_ids.iter().filter(|id| ids.contains(id.as_str())).count();
            Scored {
                issue,
                precision: hits as f64 / issue.record_ids.len().max(1) as f64,
                recall: hits as f64 / ids.len().max(1) as f64,
            }
        })
        .filter(|s| s.recall > 0.0)
        .max_by(|a, b| a.recall.total_cmp(&b.recall))
}

#[test]
fn synthetic_month_incidents_become_named_issues() {
    let records = month::generate(20261001);
    let truth = month::truth_ids(&records);
    let analyzer = Analyzer::new(PipelineConfig::default()).expect("default model loads");
    let fingerprint = analyzer.classifier().unwrap().model().fingerprint().to_string();
    let mut detector = IssueDetector::new(options(), &fingerprint);
    let summary = detector.process(&analyzer, feed(&records), |_| {}).unwrap();
    assert_eq!(summary.records, records.len());
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let issues = detector.issues(None);

    println!("{} records, {} issues", records.len(), issues.len());
    for i in &issues {
        println!(
            "  {:?} {:?} {} {}..{} count {} expected {:.1} score {:.1}",
            i.severity, i.kind, i.name, i.start, i.end, i.count, i.expected, i.score
        );
        // Every record counts once per group field, merged issues included.
        for field in ["store", "region"] {
            let total: u64 = i.groups.iter().filter(|g| g.field == field).map(|g| g.count).sum();
            assert!(total <= i.count, "{}: {field} counts add up to {total} > {} records", i.name, i.count);
        }
    }
    println!("| incident | issue | kind | severity | first day (detected) | precision | recall |");
    let mut failures = Vec::new();
    for inc in &INCIDENTS {
        let ids: HashSet<&str> = truth[&inc.truth].iter().map(String::as_str).collect();
        let Some(m) = best_match(&issues, &ids) else {
            failures.push(format!("{:?}: no issue", inc.truth));
            continue;
        };
        let detected = month::day_of(&m.issue.start);
        println!(
            "| {:?} ({} records) | {} | {:?} | {:?} | {} ({}) | {:.2} | {:.2} |",
            inc.truth,
            ids.len(),
            m.issue.name,
            m.issue.kind,
            m.issue.severity,
            inc.first_day,
            detected,
            m.precision,
            m.recall
        );
        if inc.truth == Truth::Praise {
            if m.issue.kind != Kind::Praise {
                failures.push(format!("praise burst reported as {:?}", m.issue.kind));
            }
            continue;
        }
        if m.issue.kind != Kind::Complaint {
            failures.push(format!("{:?}: reported as {:?}", inc.truth, m.issue.kind));
        }
        if !m.issue.name.contains(inc.object) {
            failures.push(format!("{:?}: name {} lacks {}", inc.truth, m.issue.name, inc.object));
        }
        if detected > inc.first_day + 1 {
            failures.push(format!(
                "{:?}: first detected on day {detected}, incident began day {}",
                inc.truth, inc.first_day
            ));
        }
        if m.precision < 0.8 {
            failures.push(format!(
                "{:?}: only {:.0}% of the issue's records are the incident's",
                inc.truth,
                m.precision * 100.0
            ));
        }
    }
    let quiet: HashSet<u32> = month::quiet_days().into_iter().collect();
    let incident_ids: HashSet<&str> = truth
        .iter()
        .filter(|(t, _)| **t != Truth::Background)
        .flat_map(|(_, v)| v.iter().map(String::as_str))
        .collect();
    for i in issues.iter().filter(|i| i.severity == Severity::Red) {
        let from_incidents = i.record_ids.iter().filter(|id| incident_ids.contains(id.as_str())).count();
        if quiet.contains(&month::day_of(&i.start)) && from_incidents * 2 < i.record_ids.len() {
            failures.push(format!("red issue {} in a quiet week ({})", i.name, i.start));
        }
    }
    let by_kind: BTreeMap<String, usize> = issues.iter().fold(BTreeMap::new(), |mut m, i| {
        *m.entry(format!("{:?}/{:?}", i.kind, i.severity)).or_insert(0) += 1;
        m
    });
    println!("issues by kind/severity: {by_kind:?}");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_resumed_run_keeps_issue_ids() {
    let records = month::generate(7);
    let analyzer = Analyzer::new(PipelineConfig::default()).expect("default model loads");
    let fingerprint = analyzer.classifier().unwrap().model().fingerprint().to_string();
    let dir = scratch("resume");
    let state = dir.join("state.json");

    // Nightly job: days 0..=20 first, then the rest.
    let (first, second): (Vec<_>, Vec<_>) = records.iter().partition(|r| r.day <= 20);
    let first: Vec<month::Record> = first.into_iter().map(clone_record).collect();
    let second: Vec<month::Record> = second.into_iter().map(clone_record).collect();
    let mut d1 = IssueDetector::resume(options(), &fingerprint, &state).unwrap();
    d1.process(&analyzer, feed(&first), |_| {}).unwrap();
    let early: Vec<Issue> = d1.issues(None);
    d1.save(&state).unwrap();
    let mut d2 = IssueDetector::resume(options(), &fingerprint, &state).unwrap();
    d2.process(&analyzer, feed(&second), |_| {}).unwrap();
    let late = d2.issues(None);

    let fries_early = early.iter().find(|i| i.name.contains("薯条") && i.kind == Kind::Complaint);
    let fries_late = late.iter().find(|i| i.name.contains("薯条") && i.kind == Kind::Complaint);
    if let (Some(a), Some(b)) = (fries_early, fries_late) {
        assert_eq!(a.id, b.id, "the same incident keeps its id across runs");
    }
    assert!(fries_early.or(fries_late).is_some(), "fries incident found in one of the runs");
    // Feeding the first part again is refused window by window, not double counted.
    let mut d3 = IssueDetector::resume(options(), &fingerprint, &state).unwrap();
    d3.process(&analyzer, feed(&first), |_| {}).unwrap();
    assert_eq!(d3.skipped_old(), first.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn clone_record(r: &month::Record) -> month::Record {
    month::Record {
        id: r.id.clone(),
        day: r.day,
        time: r.time.clone(),
        store: r.store.clone(),
        region: r.region.clone(),
        text: r.text.clone(),
        voice: r.voice,
        truth: r.truth,
    }
}
