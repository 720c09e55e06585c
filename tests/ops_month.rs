//! Operations data and tickets on the bundled example month (examples/month.jsonl
//! with examples/stores.csv and examples/volume.csv), with the default model.
//!
//! The busy station store GZ-008 doubles its orders on the holiday 2026-10-31 and
//! its queue complaints double with them (tests/common/ops_month.rs). Without
//! volume that is an issue; with volume as the spike test's exposure it is not,
//! and the month's incidents are still found. Tickets: one per red or yellow
//! issue, escalating when late.
//!
//! The month is analyzed once and shared by the tests (about two minutes in a
//! release build: `cargo test --release --test ops_month -- --nocapture`).

#[path = "common/analyze.rs"]
mod analyze;
#[path = "common/month.rs"]
mod month;
#[path = "common/ops_month.rs"]
mod ops_month;

use fankui::{Analysis, Analyzer, Feed, Issue, IssueDetector, IssueOptions, Kind, LocalTime, PipelineConfig};
use fankui::{Level, RecordMeta, Severity, Stores, TicketBook, TicketOptions, TicketStatus, Volume};
use month::{Truth, INCIDENTS};
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

const SEED: u64 = 20261001;
const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

struct Month {
    records: Vec<month::Record>,
    analyses: Vec<Analysis>,
    analyzer: Analyzer,
}

fn the_month() -> &'static Month {
    static M: OnceLock<Month> = OnceLock::new();
    M.get_or_init(|| {
        let records = ops_month::generate_with_station(SEED);
        // The bundled file is this generator's output.
        let file = std::fs::read_to_string(Path::new(EXAMPLES).join("month.jsonl")).unwrap();
        assert_eq!(file.lines().count(), records.len(), "examples/month.jsonl is make_month --ops output");
        for (line, r) in file.lines().zip(&records) {
            assert_eq!(line, r.to_json());
        }
        let analyzer = Analyzer::new(PipelineConfig::default()).expect("default model loads");
        let started = std::time::Instant::now();
        let analyses = analyze::analyze_all(&analyzer, records.iter().map(|r| (r.text.as_str(), r.voice)));
        eprintln!("{} records analyzed in {:.0?}", records.len(), started.elapsed());
        Month { records, analyses, analyzer }
    })
}

fn stores() -> Stores {
    Stores::from_csv_path(&Path::new(EXAMPLES).join("stores.csv")).unwrap()
}

fn volume() -> Volume {
    Volume::from_csv_path(&Path::new(EXAMPLES).join("volume.csv")).unwrap()
}

/// Runs the detector over the month, with or without stores and volume.
fn detect(with_ops: bool) -> Vec<Issue> {
    let m = the_month();
    let fingerprint = m.analyzer.classifier().unwrap().model().fingerprint().to_string();
    let options = IssueOptions::default().with_group_fields(["store", "region"]).with_now(Some("2026-11-05".into()));
    let mut detector = IssueDetector::new(options, &fingerprint);
    if with_ops {
        detector.set_stores(stores());
        detector.set_volume(volume()).unwrap();
    }
    let feed: Vec<(RecordMeta, Feed)> = m
        .records
        .iter()
        .zip(&m.analyses)
        .map(|(r, a)| {
            // With stores.csv the region comes from the store: leave it out of the records.
            let region = if with_ops { None } else { Some(r.region.clone()) };
            let meta = RecordMeta {
                id: r.id.clone(),
                time: LocalTime::parse(&r.time).unwrap(),
                groups: vec![Some(r.store.clone()), region],
            };
            (meta, Feed::Analyzed(Box::new(a.clone())))
        })
        .collect();
    let summary = detector.process(&m.analyzer, feed, |_| {}).unwrap();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let issues = detector.issues(None);
    println!("--- {} ---", if with_ops { "with stores and volume" } else { "without volume" });
    for i in &issues {
        let station = station_share(i);
        println!(
            "  {:?} {:?} {} {}..{} count {} expected {:.1} score {:.1} (station share {station:.2})",
            i.severity, i.kind, i.name, i.start, i.end, i.count, i.expected, i.score
        );
    }
    issues
}

/// Share of an issue's records that are the station's queue complaints.
fn station_share(i: &Issue) -> f64 {
    let n = i.record_ids.iter().filter(|id| id.starts_with('s')).count();
    n as f64 / i.record_ids.len().max(1) as f64
}

fn is_holiday_station_issue(i: &Issue) -> bool {
    i.start.as_str() <= "2026-10-31" && i.end.as_str() >= "2026-10-31" && station_share(i) >= 0.5
}

fn without_volume() -> &'static Vec<Issue> {
    static I: OnceLock<Vec<Issue>> = OnceLock::new();
    I.get_or_init(|| detect(false))
}

fn with_volume() -> &'static Vec<Issue> {
    static I: OnceLock<Vec<Issue>> = OnceLock::new();
    I.get_or_init(|| detect(true))
}

#[test]
fn the_holiday_rush_is_an_issue_on_counts_but_not_with_volume() {
    let before = without_volume();
    let rush = before
        .iter()
        .find(|i| is_holiday_station_issue(i) && i.severity >= Severity::Yellow)
        .expect("on counts alone, the station's doubled complaints on 2026-10-31 are a yellow or red issue");
    assert!(rush.groups.iter().any(|g| g.value == ops_month::STATION), "{rush:?}");
    let after = with_volume();
    let left: Vec<&Issue> = after.iter().filter(|i| is_holiday_station_issue(i)).collect();
    assert!(left.is_empty(), "with volume, more customers are no issue: {left:#?}");
}

#[test]
fn with_volume_the_incidents_are_still_found() {
    let m = the_month();
    let truth = month::truth_ids(&m.records);
    let issues = with_volume();
    for inc in INCIDENTS.iter().filter(|i| i.truth != Truth::Praise) {
        let ids: HashSet<&str> = truth[&inc.truth].iter().map(String::as_str).collect();
        let best = issues
            .iter()
            .filter(|i| i.kind == Kind::Complaint)
            .max_by_key(|i| i.record_ids.iter().filter(|id| ids.contains(id.as_str())).count())
            .unwrap_or_else(|| panic!("{:?}: no complaint issue", inc.truth));
        let hits = best.record_ids.iter().filter(|id| ids.contains(id.as_str())).count();
        assert!(hits * 2 > ids.len(), "{:?}: best issue {} holds {hits} of {}", inc.truth, best.name, ids.len());
        assert!(best.severity >= Severity::Yellow, "{:?}: {} is {:?}", inc.truth, best.name, best.severity);
        // The same issue as on counts: the example chain's orders are steady. Its
        // severity may differ by a level: with volume a region's expectation is
        // built from each reporting store's own complaints per order, which for a
        // wide cluster (model 0.6.0's taste cluster holding the fries) is higher
        // than the count model's (fries: red at 15.3 on counts, yellow at 7.4).
        let on_counts = without_volume().iter().find(|i| i.id == best.id).expect("same issue without volume");
        assert!(
            on_counts.severity.max(best.severity) == Severity::Red || on_counts.severity == best.severity,
            "{}: {:?} on counts, {:?} with volume",
            best.name,
            on_counts.severity,
            best.severity
        );
    }
}

#[test]
fn tickets_on_the_example_month_open_once_and_escalate_when_late() {
    let issues = with_volume();
    let stores = stores();
    let o = TicketOptions::default();
    let now: jiff::Timestamp = "2026-11-05T09:00:00+08:00".parse().unwrap();
    let mut book = TicketBook::new();
    let opened = book.open_for(issues, now, &o, Some(&stores)).unwrap();
    let wanted: Vec<&Issue> = issues
        .iter()
        .filter(|i| i.kind == Kind::Complaint && matches!(i.severity, Severity::Red | Severity::Yellow))
        .collect();
    println!("{} tickets for {} issues:", opened.len(), issues.len());
    for t in book.tickets() {
        println!("  {} {:?} {:?} {} due {}: {}", t.ticket_id, t.severity, t.level, t.scope, t.due_at, t.summary);
    }
    assert_eq!(opened.len(), wanted.len(), "one ticket per red or yellow complaint issue");
    assert!(!opened.is_empty());
    // A rerun with the same issues opens nothing.
    assert!(book.open_for(issues, now, &o, Some(&stores)).unwrap().is_empty());

    // The hair in the food at BJ-007 is the store's ticket, red, due in 24 hours.
    let truth = month::truth_ids(&the_month().records);
    let hair: HashSet<&str> = truth[&Truth::Hair].iter().map(String::as_str).collect();
    let hair_issue = wanted.iter().find(|i| i.record_ids.iter().any(|id| hair.contains(id.as_str()))).unwrap();
    let t = book.tickets().iter().find(|t| t.issue_id == hair_issue.id).unwrap().clone();
    assert_eq!((t.severity, t.level, t.scope.as_str()), (Severity::Red, Level::Store, "BJ-007"));
    assert_eq!(t.due_at, "2026-11-06T09:00:00+08:00");
    assert_eq!(t.region.as_deref(), Some("north"), "BJ-007's region from stores.csv");
    // The fries in 25 east stores belong to the region.
    let fries: HashSet<&str> = truth[&Truth::Fries].iter().map(String::as_str).collect();
    let fries_issue = wanted.iter().find(|i| i.record_ids.iter().any(|id| fries.contains(id.as_str()))).unwrap();
    let f = book.tickets().iter().find(|t| t.issue_id == fries_issue.id).unwrap();
    assert_eq!((f.level, f.scope.as_str()), (Level::Region, "east"));

    // Nobody answers: 25 hours later every red ticket is overdue one level up.
    let later: jiff::Timestamp = "2026-11-06T10:00:00+08:00".parse().unwrap();
    book.close(&f.ticket_id.clone(), "2026-11-06T08:00:00+08:00".parse().unwrap(), &o).unwrap();
    book.update(later, &o).unwrap();
    let h = book.get(&t.ticket_id).unwrap();
    assert_eq!(
        (h.status, h.level, h.scope.as_str(), h.escalations),
        (TicketStatus::Overdue, Level::Region, "north", 1)
    );
    let f = book.tickets().iter().find(|t| t.issue_id == fries_issue.id).unwrap();
    assert_eq!((f.status, f.escalations), (TicketStatus::Closed, 0), "answered in time");
    for y in book.tickets().iter().filter(|t| t.severity == Severity::Yellow && t.issue_id != fries_issue.id) {
        assert_eq!((y.status, y.escalations), (TicketStatus::Open, 0), "yellow has 72 hours");
    }
}

/// `process` adds a window in chunks of 4,096 records and tests it once its last
/// chunk is in; `add_window` takes a whole window at once. On the month with its
/// first eleven days folded into one window (about 4,600 records: two chunks),
/// with stores and volume joined in, both give the same issues.
#[test]
fn chunked_process_gives_what_whole_windows_give() {
    let m = the_month();
    let fingerprint = m.analyzer.classifier().unwrap().model().fingerprint().to_string();
    let options = IssueOptions::default().with_group_fields(["store", "region"]).with_now(Some("2026-11-05".into()));
    let detector = || {
        let mut d = IssueDetector::new(options.clone(), &fingerprint);
        d.set_stores(stores());
        d.set_volume(volume()).unwrap();
        d
    };
    // Day i of the month (from 2026-10-01) becomes day 1 + max(i - 10, 0), at the same time of day.
    let day_of = |time: &str| {
        let date = &time[..10];
        let (month, day): (u32, u32) = (date[5..7].parse().unwrap(), date[8..10].parse().unwrap());
        if month == 10 {
            day - 1
        } else {
            31 + day - 1
        }
    };
    let days = m.records.iter().map(|r| day_of(&r.time)).max().unwrap() + 1;
    let feed: Vec<(RecordMeta, Analysis)> = m
        .records
        .iter()
        .zip(&m.analyses)
        .map(|(r, a)| {
            let time = format!("2026-10-{:02}{}", 1 + day_of(&r.time).saturating_sub(10), &r.time[10..]);
            let meta = RecordMeta {
                id: r.id.clone(),
                time: LocalTime::parse(&time).unwrap(),
                groups: vec![Some(r.store.clone()), Some(r.region.clone())],
            };
            (meta, a.clone())
        })
        .collect();

    let mut chunked = detector();
    let records = feed.iter().map(|(meta, a)| (meta.clone(), Feed::Analyzed(Box::new(a.clone()))));
    let summary = chunked.process(&m.analyzer, records, |_| {}).unwrap();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(summary.windows, days as usize - 10);

    let mut whole = detector();
    let clock = options.clock().unwrap();
    let size = options.window;
    let mut order: Vec<(i64, i64, usize)> = (feed.iter().enumerate())
        .map(|(i, (meta, _))| {
            let instant = meta.time.instant_in(clock.zone()).as_nanosecond() as i64;
            (clock.window(&meta.time, size), instant, i)
        })
        .collect();
    order.sort_by_key(|&(w, t, _)| (w, t));
    let mut largest = 0;
    for window in order.chunk_by(|a, b| a.0 == b.0) {
        let batch: Vec<(RecordMeta, Analysis)> = window.iter().map(|&(_, _, i)| feed[i].clone()).collect();
        largest = largest.max(batch.len());
        whole.add_window(window[0].0, &batch, m.analyzer.segmenter());
    }
    assert!(largest > 4096, "a window must span two chunks, the largest has {largest} records");

    let (a, b) = (chunked.issues(None), whole.issues(None));
    assert!(!a.is_empty(), "the folded month raises issues");
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
}
