//! Daily orders in the slow-burn scan (`IssueDetector::set_volume`).
//!
//! Twelve stores over 28 days, each with about one staff-attitude complaint a day
//! among its praise. Store P runs a promotion on days 10–15: its orders and all its
//! records grow sixfold, complaints included (six a day). Store Q has six
//! complaints a day on days 19–24 while its orders stay flat. Over six days that
//! is a slow burn. Without volume both stores have an
//! issue; with orders joined in only Q has one (P's complaints per order did not
//! change). The records are two analyses of the default model, cloned: what is
//! tested is the detector, not the model.

use fankui::Volume;
use fankui::{
    Analysis, Analyzer, Feed, Input, Issue, IssueDetector, IssueOptions, LocalTime, PipelineConfig, RecordMeta,
};
use std::fmt::Write as _;

const DAYS: u32 = 28;
const STORES: usize = 12;
/// Promotion days of store P.
const PROMOTION: std::ops::RangeInclusive<u32> = 10..=15;
/// Burn days of store Q (not the same days: two stores burning together with the
/// same complaint are one incident).
const BURN: std::ops::RangeInclusive<u32> = 19..=24;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

fn store(i: usize) -> String {
    match i {
        0 => "P".into(),
        1 => "Q".into(),
        _ => format!("S{i:02}"),
    }
}

fn date(day: u32) -> String {
    format!("2026-10-{day:02}")
}

struct Month {
    analyzer: Analyzer,
    /// (store, day, complaint?)
    records: Vec<(String, u32, bool)>,
    complaint: Analysis,
    praise: Analysis,
}

fn month() -> Month {
    let analyzer = Analyzer::new(PipelineConfig::default()).expect("default model loads");
    let analyze = |t: &str| analyzer.analyze(&Input::new(t)).expect("analysis");
    let complaint = analyze("服务员态度很差，爱答不理的");
    let praise = analyze("味道很好，下次还来");
    let negative_service = complaint.clauses.iter().any(|c| {
        c.sentiment.as_ref().is_some_and(|s| s.label == "negative") && c.topics.iter().any(|t| t.label == "service")
    });
    assert!(negative_service, "the complaint must be a negative service clause: {complaint:?}");
    let mut rng = Rng::new(20261015);
    let mut records = Vec::new();
    for day in 1..=DAYS {
        for i in 0..STORES {
            let busy = if i == 0 && PROMOTION.contains(&day) { 6.0 } else { 1.0 };
            let angry = if i == 1 && BURN.contains(&day) { 6.0 } else { 1.0 };
            for _ in 0..rng.poisson(8.0 * busy) {
                records.push((store(i), day, false));
            }
            // Six complaints a day during the promotion or burn, about one otherwise;
            // exactly one on the first day, which sets every store's baseline.
            let complaints = match (busy * angry > 1.0, day) {
                (true, _) => 6,
                (false, 1) => 1,
                (false, _) => rng.poisson(1.0),
            };
            for _ in 0..complaints {
                records.push((store(i), day, true));
            }
        }
    }
    for s in ["P", "Q"] {
        let per_day: Vec<usize> =
            (1..=DAYS).map(|d| records.iter().filter(|(x, day, c)| x == s && *day == d && *c).count()).collect();
        println!("  {s}: complaints per day {per_day:?}");
    }
    Month { analyzer, records, complaint, praise }
}

fn volume() -> Volume {
    let mut csv = String::from("date,store,orders\n");
    for day in 1..=DAYS {
        for i in 0..STORES {
            let orders = if i == 0 && PROMOTION.contains(&day) { 3000 } else { 500 };
            writeln!(csv, "{},{},{orders}", date(day), store(i)).unwrap();
        }
    }
    Volume::from_csv_reader(csv.as_bytes(), "volume.csv").unwrap()
}

fn detect(m: &Month, with_volume: bool) -> Vec<Issue> {
    let fingerprint = m.analyzer.classifier().unwrap().model().fingerprint().to_string();
    let options = IssueOptions::default().with_group_fields(["store"]).with_now(Some("2026-11-01".into()));
    let mut detector = IssueDetector::new(options, &fingerprint);
    if with_volume {
        detector.set_volume(volume()).unwrap();
    }
    let feed: Vec<(RecordMeta, Feed)> = m
        .records
        .iter()
        .enumerate()
        .map(|(n, (s, day, complaint))| {
            let meta = RecordMeta {
                id: format!("{s}-{n}"),
                time: LocalTime::parse(&format!("{} 12:00", date(*day))).unwrap(),
                groups: vec![Some(s.clone())],
            };
            let a = if *complaint { &m.complaint } else { &m.praise };
            (meta, Feed::Analyzed(Box::new(a.clone())))
        })
        .collect();
    let summary = detector.process(&m.analyzer, feed, |_| {}).unwrap();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let issues = detector.issues(None);
    for i in &issues {
        println!(
            "  volume {with_volume}: {:?} {} {}..{} count {} expected {:.1} ({} from P, {} from Q)",
            i.severity,
            i.name,
            i.start,
            i.end,
            i.count,
            i.expected,
            from(i, "P"),
            from(i, "Q")
        );
    }
    issues
}

/// Records of an issue from one store.
fn from(issue: &Issue, store: &str) -> usize {
    issue.record_ids.iter().filter(|id| id.split('-').next() == Some(store)).count()
}

/// The complaint issues whose records are mostly one store's.
fn of_store<'a>(issues: &'a [Issue], store: &str) -> Vec<&'a Issue> {
    issues.iter().filter(|i| from(i, store) * 2 > i.record_ids.len()).collect()
}

#[test]
fn slow_burn_expectation_follows_daily_orders() {
    let m = month();
    let without = detect(&m, false);
    let with = detect(&m, true);
    assert!(
        !of_store(&without, "P").is_empty(),
        "without volume the promotion store's sixfold complaints are an issue"
    );
    assert!(
        of_store(&with, "P").is_empty(),
        "with volume the promotion store has no issue: its complaints per order did not change"
    );
    for issues in [&without, &with] {
        let q = of_store(issues, "Q");
        assert_eq!(q.len(), 1, "store Q's burn is one issue with or without volume");
        assert!(q[0].start.as_str() <= "2026-10-20", "Q's burn starts within the first days: {}", q[0].start);
    }
    // The other stores are quiet.
    for i in with.iter().chain(&without) {
        assert!(from(i, "P") + from(i, "Q") > 0, "a quiet store's complaints made an issue: {}", i.name);
    }
}

/// A burn is dated from its first day in excess, not from a day of background
/// just above a baseline near zero: store R, with no complaint since day 1, has
/// two on day 17 (enough to be in excess of nearly nothing) and ten a day on days
/// 18–21. The issue starts on day 18 (the day before it began on day 17 when any
/// day with two complaints over MIN_RATIO × the baseline opened the burn).
#[test]
fn a_burn_starts_on_its_first_strong_day() {
    let Month { analyzer, complaint, praise, .. } = month();
    let mut records = Vec::new();
    for day in 1..=DAYS {
        for i in 0..STORES {
            let s = if i == 0 { "R".to_string() } else { store(i) };
            records.extend(std::iter::repeat_n((s.clone(), day, false), 8));
            let complaints = match (i, day) {
                (_, 1) => 1,
                (0, 17) => 2,
                (0, 18..=21) => 10,
                _ => 0,
            };
            records.extend(std::iter::repeat_n((s, day, true), complaints));
        }
    }
    let m = Month { analyzer, records, complaint, praise };
    let issues = detect(&m, false);
    let r = of_store(&issues, "R");
    assert_eq!(r.len(), 1, "store R's burn is one issue");
    assert_eq!(r[0].start, "2026-10-18", "dated from its first strong day");
}
