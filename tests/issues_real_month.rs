//! `fankui issues` on a month whose background is real customer text
//! (tests/common/real_month.rs): 14,000 real reviews over 200 stores and 28 days,
//! with 8 incidents written for fankui injected on top.
//!
//! Seeds: **seed A** ([`SEED_A`]) is the test month and is kept out of any tuning;
//! thresholds are tuned on **seed B** ([`SEED_B`], `tuning_month_seed_b`, ignored).
//!
//! The real data is read from `../shared/data/real/` at test time (never copied
//! into the project); without it the tests print why and pass without checking.
//!
//! The detector runs take minutes in a debug build, so every test that runs the
//! model is `#[ignore]`d; run them in release:
//!
//! ```text
//! cargo test --release --test issues_real_month -- --ignored --nocapture real_month_report   # the table (seed A)
//! cargo test --release --test issues_real_month -- --ignored --nocapture                     # and the assertions
//! ```
//!
//! Fresh months: `scripts/issues_seed_sweep.sh` runs the tuning table on seeds
//! not looked at while tuning (default 201–220, not run yet) and counts, per
//! incident, the months where it is on target. On seeds 101–120 (2026-12-05), 12 of 20 months
//! had at least one incident off target; per incident, on target in new-item
//! praise 13, hair 19, price increase 16, payment outage 19, ingredient 19,
//! delivery outage 20, rude staff 18, soup leaks 19 of 20; every quiet month had
//! 0 red and at most 1 yellow. (15 of 20 before slow burns were dated from their
//! first strong day: 5 of those misses were issues starting the day before the
//! incident. Seeds 101–120 have since judged that change and the focus fix, so
//! they are no longer unseen: sweep other seeds to judge the next one.)
//!
//! Analyses are cached in the target directory, so a second run scores nothing.
//! With `FANKUI_DEBUG=1` the table also lists, per incident, the matched issue's
//! merged ids and up to 12 of its records that are not the incident's.

#[path = "common/real_month.rs"]
mod real_month;

use fankui::{Analysis, Analyzer, Feed, Input, Issue, IssueDetector, IssueOptions, Kind, LocalTime, PipelineConfig};
use fankui::{RecordMeta, Severity, Source};
use real_month::{Record, Want, WantSeverity, INCIDENTS};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The test month. Never tune on it.
const SEED_A: u64 = 20261013;
/// The tuning month.
const SEED_B: u64 = 4242;

/// A month with every record analyzed once (the detector runs reuse the analyses).
struct Month {
    records: Vec<Record>,
    analyses: Vec<Analysis>,
}

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| Analyzer::new(PipelineConfig::default()).expect("default model loads"))
}

fn build(seed: u64) -> Option<Month> {
    let records = match real_month::generate(seed, true) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("SKIPPED: the real-text month needs ../shared/data/real/ ({e})");
            return None;
        }
    };
    let started = std::time::Instant::now();
    let analyzer = analyzer();
    let fingerprint = analyzer.classifier().unwrap().model().fingerprint().to_string();
    // Analyses are cached in the target directory (keyed by seed, model and texts):
    // a rerun, or a change to the detector only, does not score 14,000 records again.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for r in &records {
        for b in r.text.bytes().chain(r.id.bytes()) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("real_month-{seed}-{}-{hash:016x}", fingerprint.replace(['/', ':', '.'], "_")));
    if let Some(analyses) = read_cache(&cache, records.len()) {
        eprintln!("month {seed}: {} analyses read from {}", analyses.len(), cache.display());
        return Some(Month { records, analyses });
    }
    let mut index = analyzer.duplicate_index();
    let mut analyses = Vec::with_capacity(records.len());
    for chunk in records.chunks(4096) {
        let inputs: Vec<Input<'_>> = chunk
            .iter()
            .map(|r| Input::new(&r.text).with_source(if r.voice { Source::Voice } else { Source::Text }))
            .collect();
        for a in analyzer.analyze_batch_with(&inputs, &mut index).expect("analysis runs") {
            let mut a = a.expect("record analyzed");
            // Clauses past the scoring limit carry no embedding; the detector skips them anyway.
            a.clauses.retain(|c| !c.embedding.is_empty());
            analyses.push(a);
        }
    }
    eprintln!("month {seed}: {} records analyzed in {:.0?}", records.len(), started.elapsed());
    write_cache(&cache, &analyses);
    Some(Month { records, analyses })
}

/// `path.json`: the analyses without embeddings; `path.f32`: the embeddings, little-endian.
fn write_cache(path: &std::path::Path, analyses: &[Analysis]) {
    let mut floats: Vec<u8> = Vec::new();
    let mut stripped = Vec::with_capacity(analyses.len());
    for a in analyses {
        let mut a = a.clone();
        for c in &mut a.clauses {
            for x in std::mem::take(&mut c.embedding) {
                floats.extend_from_slice(&x.to_le_bytes());
            }
        }
        stripped.push(a);
    }
    let json = serde_json::to_vec(&stripped).expect("analyses serialize");
    let _ = std::fs::write(path.with_extension("json"), json)
        .and_then(|_| std::fs::write(path.with_extension("f32"), floats));
}

fn read_cache(path: &std::path::Path, n: usize) -> Option<Vec<Analysis>> {
    let json = std::fs::read(path.with_extension("json")).ok()?;
    let floats = std::fs::read(path.with_extension("f32")).ok()?;
    let mut analyses: Vec<Analysis> = serde_json::from_slice(&json).ok()?;
    let clauses: usize = analyses.iter().map(|a| a.clauses.len()).sum();
    let dim = floats.len() / 4 / clauses.max(1);
    if analyses.len() != n || dim == 0 || floats.len() != clauses * dim * 4 {
        return None;
    }
    let mut chunks = floats.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    for a in &mut analyses {
        for c in &mut a.clauses {
            c.embedding = chunks.by_ref().take(dim).collect();
        }
    }
    Some(analyses)
}

fn month(seed: u64) -> Option<&'static Month> {
    static A: OnceLock<Option<Month>> = OnceLock::new();
    static B: OnceLock<Option<Month>> = OnceLock::new();
    let cell = if seed == SEED_A { &A } else { &B };
    cell.get_or_init(|| build(seed)).as_ref()
}

fn options() -> IssueOptions {
    IssueOptions::default().with_group_fields(["store", "region"])
}

/// Runs the detector over the month, with or without its incidents.
fn detect(m: &Month, with_incidents: bool) -> Vec<Issue> {
    let analyzer = analyzer();
    let fingerprint = analyzer.classifier().unwrap().model().fingerprint().to_string();
    let feed: Vec<(RecordMeta, Feed)> = m
        .records
        .iter()
        .zip(&m.analyses)
        .filter(|(r, _)| with_incidents || r.incident.is_none())
        .map(|(r, a)| {
            let meta = RecordMeta {
                id: r.id.clone(),
                time: LocalTime::parse(&r.time).unwrap(),
                groups: vec![Some(r.store.clone()), Some(r.region.clone())],
            };
            (meta, Feed::Analyzed(Box::new(a.clone())))
        })
        .collect();
    let n = feed.len();
    let started = std::time::Instant::now();
    let mut detector = IssueDetector::new(options(), &fingerprint);
    let summary = detector.process(analyzer, feed, |_| {}).unwrap();
    assert_eq!(summary.records, n);
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let issues = detector.issues(None);
    eprintln!("detector: {n} records in {:.0?}", started.elapsed());
    issues
}

/// How one incident came out.
struct Row {
    incident: usize,
    reports: usize,
    name: String,
    kind: Option<Kind>,
    severity: Option<Severity>,
    start: Option<u32>,
    precision: f64,
    /// Real background reviews among `reports` ([`real_month::Incident::natural`]).
    natural: usize,
    /// Precision counting the injected reports only as right (the natural ones as wrong).
    precision_injected: f64,
    recall: f64,
    /// Issues whose records are mostly this incident's.
    fragments: usize,
    failures: Vec<String>,
}

/// Which incident (if any) makes up most of an issue's records.
fn majority(issue: &Issue, records: &std::collections::HashMap<&str, Option<usize>>) -> Option<usize> {
    let mut counts = vec![0usize; INCIDENTS.len()];
    for id in &issue.record_ids {
        if let Some(Some(k)) = records.get(id.as_str()) {
            counts[*k] += 1;
        }
    }
    let (k, &n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    (n * 2 > issue.record_ids.len()).then_some(k)
}

/// Debug aid: up to 12 of `ids` (marked `label`), each clause with its sentiment score and
/// topics.
fn print_records<'a>(m: &Month, label: &str, ids: impl Iterator<Item = &'a str>) {
    let by_id: std::collections::HashMap<&str, (&Record, &Analysis)> =
        m.records.iter().zip(&m.analyses).map(|(r, a)| (r.id.as_str(), (r, a))).collect();
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    for id in ids.into_iter().take(12) {
        let (r, analysis) = by_id[id];
        let clauses: Vec<String> = analysis
            .clauses
            .iter()
            .map(|c| {
                let s = c.sentiment.as_ref().map(|s| s.score).unwrap_or(f32::NAN);
                let t: Vec<&str> = c.topics.iter().map(|t| t.label.as_str()).collect();
                format!("{}[{s:.2} {}]", c.clause.text, t.join(","))
            })
            .collect();
        eprintln!("     {label} d{} {} {}", r.day, r.store, clauses.join(" | "));
    }
}

fn evaluate(m: &Month, issues: &[Issue]) -> Vec<Row> {
    let by_id: std::collections::HashMap<&str, Option<usize>> =
        m.records.iter().map(|r| (r.id.as_str(), r.incident)).collect();
    let owner: Vec<Option<usize>> = issues.iter().map(|i| majority(i, &by_id)).collect();
    INCIDENTS
        .iter()
        .enumerate()
        .map(|(k, inc)| {
            let own: Vec<&Record> = m.records.iter().filter(|r| r.incident == Some(k)).collect();
            let ids: HashSet<&str> = own.iter().map(|r| r.id.as_str()).collect();
            let fragments = owner.iter().filter(|o| **o == Some(k)).count();
            let best = issues
                .iter()
                .map(|i| (i, i.record_ids.iter().filter(|id| ids.contains(id.as_str())).count()))
                .filter(|(_, hits)| *hits > 0)
                .max_by_key(|(i, hits)| (*hits, std::cmp::Reverse(i.record_ids.len())));
            let mut row = Row {
                incident: k,
                reports: ids.len(),
                name: "—".into(),
                kind: None,
                severity: None,
                start: None,
                precision: 0.0,
                natural: own.iter().filter(|r| r.is_background()).count(),
                precision_injected: 0.0,
                recall: 0.0,
                fragments,
                failures: Vec::new(),
            };
            let Some((issue, hits)) = best else {
                if std::env::var("FANKUI_DEBUG").is_ok() {
                    eprintln!("-- {} <- no issue", inc.name);
                    print_records(m, "missed", ids.iter().copied());
                }
                row.failures.push("no issue".into());
                return row;
            };
            let held: HashSet<&str> = issue.record_ids.iter().map(String::as_str).collect();
            if std::env::var("FANKUI_DEBUG").is_ok() {
                let alerts: Vec<String> =
                    issue.alerts.iter().map(|a| format!("{}={} ({})", a.field, a.value, a.count)).collect();
                eprintln!(
                    "-- {} <- {} {} merged {:?} alerts {:?}",
                    inc.name, issue.name, issue.id, issue.merged_ids, alerts
                );
                let extra = issue.record_ids.iter().map(String::as_str).filter(|id| !ids.contains(id));
                print_records(m, "extra", extra);
                print_records(m, "missed", ids.iter().copied().filter(|id| !held.contains(id)));
            }
            row.name = issue.name.clone();
            row.kind = Some(issue.kind);
            row.severity = Some(issue.severity);
            row.start = Some(real_month::day_of(&issue.start));
            row.precision = hits as f64 / issue.record_ids.len().max(1) as f64;
            let injected = own.iter().filter(|r| !r.is_background() && held.contains(r.id.as_str())).count();
            row.precision_injected = injected as f64 / issue.record_ids.len().max(1) as f64;
            row.recall = hits as f64 / ids.len().max(1) as f64;
            let f = &mut row.failures;
            if fragments != 1 {
                f.push(format!("{fragments} issues made mostly of its reports (want exactly 1)"));
            }
            let want_kind = if inc.kind == Want::Praise { Kind::Praise } else { Kind::Complaint };
            if issue.kind != want_kind {
                f.push(format!("reported as {:?}", issue.kind));
            }
            let severity_ok = match inc.severity {
                WantSeverity::Red => issue.severity == Severity::Red,
                WantSeverity::AtLeastYellow => issue.severity >= Severity::Yellow,
                WantSeverity::Green => issue.severity == Severity::Green,
            };
            if !severity_ok {
                f.push(format!("severity {:?}, want {:?}", issue.severity, inc.severity));
            }
            let start = real_month::day_of(&issue.start);
            if start < inc.first_day || start > inc.first_day + 1 {
                f.push(format!("starts day {start}, incident began day {}", inc.first_day));
            }
            if row.precision < 0.9 {
                f.push(format!("precision {:.2} < 0.9", row.precision));
            }
            if row.recall < 0.8 {
                f.push(format!("recall {:.2} < 0.8", row.recall));
            }
            row
        })
        .collect()
}

fn severity_str(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Red) => "red",
        Some(Severity::Yellow) => "yellow",
        Some(Severity::Green) => "green",
        None => "—",
    }
}

fn print_table(label: &str, m: &Month, issues: &[Issue], rows: &[Row]) {
    eprintln!("\n== {label}: {} records, {} issues", m.records.len(), issues.len());
    eprintln!("| incident | reports (real) | issue | kind | severity | start (began) | precision (injected only) | recall | fragments |");
    eprintln!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let inc = &INCIDENTS[r.incident];
        eprintln!(
            "| {} | {} ({}) | {} | {} | {} | {} ({}) | {:.2} ({:.2}) | {:.2} | {} |",
            inc.name,
            r.reports,
            r.natural,
            r.name,
            r.kind.map(|k| k.as_str()).unwrap_or("—"),
            severity_str(r.severity),
            r.start.map(|d| d.to_string()).unwrap_or("—".into()),
            inc.first_day,
            r.precision,
            r.precision_injected,
            r.recall,
            r.fragments
        );
    }
    let by_id: std::collections::HashMap<&str, Option<usize>> =
        m.records.iter().map(|r| (r.id.as_str(), r.incident)).collect();
    eprintln!("all issues (severity kind name start..end count → incident of most records):");
    for i in issues {
        let owner = majority(i, &by_id).map(|k| INCIDENTS[k].name).unwrap_or("background");
        eprintln!(
            "  {:6} {:9} {} {}..{} n={} score={:.1} → {}",
            severity_str(Some(i.severity)),
            i.kind.as_str(),
            i.name,
            i.start,
            i.end,
            i.count,
            i.score,
            owner
        );
    }
}

/// Red and yellow issues not made mostly of an incident's reports.
fn false_alarms<'a>(m: &Month, issues: &'a [Issue]) -> Vec<&'a Issue> {
    let by_id: std::collections::HashMap<&str, Option<usize>> =
        m.records.iter().map(|r| (r.id.as_str(), r.incident)).collect();
    issues.iter().filter(|i| i.severity >= Severity::Yellow && majority(i, &by_id).is_none()).collect()
}

fn quiet_counts(issues: &[Issue]) -> (usize, usize) {
    let red = issues.iter().filter(|i| i.severity == Severity::Red).count();
    let yellow = issues.iter().filter(|i| i.severity == Severity::Yellow).count();
    (red, yellow)
}

fn report(seed: u64, label: &str) -> Option<(Vec<Row>, usize, usize)> {
    let m = month(seed)?;
    let issues = detect(m, true);
    let rows = evaluate(m, &issues);
    print_table(label, m, &issues, &rows);
    let fa = false_alarms(m, &issues);
    eprintln!(
        "false alarms in the incident month (red/yellow, mostly background): {}",
        fa.iter().map(|i| format!("{} {}", severity_str(Some(i.severity)), i.name)).collect::<Vec<_>>().join(", ")
    );
    let quiet = detect(m, false);
    let (red, yellow) = quiet_counts(&quiet);
    eprintln!("quiet month (same background, no incidents): {red} red, {yellow} yellow");
    for i in quiet.iter().filter(|i| i.severity >= Severity::Yellow) {
        eprintln!("  {} {} {} n={} score={:.1}", severity_str(Some(i.severity)), i.name, i.start, i.count, i.score);
        if std::env::var("FANKUI_DEBUG").is_ok() {
            let alerts: Vec<String> =
                i.alerts.iter().map(|a| format!("{}={} ({})", a.field, a.value, a.count)).collect();
            eprintln!("     {} merged {:?} alerts {:?} expected {}", i.id, i.merged_ids, alerts, i.expected);
            let texts: std::collections::HashMap<&str, &Record> =
                m.records.iter().map(|r| (r.id.as_str(), r)).collect();
            for id in i.record_ids.iter().take(8) {
                let r = texts[id.as_str()];
                eprintln!("     d{} {} {}", r.day, r.store, r.text.chars().take(50).collect::<String>());
            }
        }
    }
    for r in &rows {
        if !r.failures.is_empty() {
            eprintln!("  {}: {}", INCIDENTS[r.incident].name, r.failures.join("; "));
        }
    }
    Some((rows, red, yellow))
}

/// The month is built as described (no model needed: runs in every `cargo test`).
#[test]
fn real_month_is_built_as_described() {
    let records = match real_month::generate(SEED_A, true) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("SKIPPED: the real-text month needs ../shared/data/real/ ({e})");
            return;
        }
    };
    let n = records.len();
    assert!((13_000..16_000).contains(&n), "{n} records");
    let stores: HashSet<&str> = records.iter().map(|r| r.store.as_str()).collect();
    assert_eq!(stores.len(), 200);
    let texts: HashSet<&str> = records.iter().filter(|r| r.is_background()).map(|r| r.text.as_str()).collect();
    assert_eq!(texts.len(), records.iter().filter(|r| r.is_background()).count(), "no real text twice");
    // Weekends are busier.
    let per_day = |weekend: bool| {
        let days = (0..real_month::DAYS).filter(|&d| (real_month::weekday(d) >= 5) == weekend).count();
        let n = records.iter().filter(|r| r.is_background() && (real_month::weekday(r.day) >= 5) == weekend).count();
        n as f64 / days as f64
    };
    assert!(per_day(true) > 1.2 * per_day(false));
    for (k, inc) in INCIDENTS.iter().enumerate() {
        let mine: Vec<&Record> = records.iter().filter(|r| r.incident == Some(k)).collect();
        assert!(mine.len() >= 6, "{}: {} reports", inc.name, mine.len());
        assert!(mine.iter().all(|r| (inc.first_day..=inc.last_day).contains(&r.day)));
        let wordings: HashSet<&str> = mine.iter().map(|r| r.text.as_str()).collect();
        assert!(wordings.len() * 2 >= mine.len().min(20), "{}: {} wordings", inc.name, wordings.len());
    }
    let voice = records.iter().filter(|r| r.voice).count();
    assert!(voice >= 40, "{voice} voice reports");
    // A background review is an incident's only when it says the incident's problem.
    for r in records.iter().filter(|r| r.is_background()) {
        if let Some(k) = r.incident {
            assert!(INCIDENTS[k].natural.iter().any(|w| r.text.contains(w)), "{}", r.text);
        }
    }
    // The quiet month is the same background.
    let quiet = real_month::generate(SEED_A, false).unwrap();
    assert_eq!(quiet.len(), records.iter().filter(|r| r.is_background()).count());
}

/// Prints the table of seed A (one row per incident) and the quiet month's alarms.
#[test]
#[ignore = "heavy (minutes in debug): cargo test --release --test issues_real_month -- --ignored --nocapture"]
fn real_month_report() {
    report(SEED_A, "seed A (test month)");
}

/// Each incident is exactly one issue of the right kind and severity, found on its
/// first or second day, with precision ≥ 0.9 and recall ≥ 0.8.
#[test]
#[ignore = "heavy; and fails on the detector of issue 13: precision 0.90 (26 of 29) for the delivery outage"]
fn real_month_each_incident_is_one_issue() {
    let Some(m) = month(SEED_A) else { return };
    let issues = detect(m, true);
    let rows = evaluate(m, &issues);
    let failures: Vec<String> = rows
        .iter()
        .flat_map(|r| r.failures.iter().map(move |f| format!("{}: {f}", INCIDENTS[r.incident].name)))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The same background without incidents: no red issue, at most two yellow.
#[test]
#[ignore = "heavy (minutes in debug): cargo test --release --test issues_real_month -- --ignored --nocapture"]
fn real_month_quiet_has_no_red_and_few_yellow() {
    let Some(m) = month(SEED_A) else { return };
    let issues = detect(m, false);
    let (red, yellow) = quiet_counts(&issues);
    let loud: Vec<String> = issues
        .iter()
        .filter(|i| i.severity >= Severity::Yellow)
        .map(|i| format!("{:?} {}", i.severity, i.name))
        .collect();
    assert!(red == 0 && yellow <= 2, "{red} red, {yellow} yellow: {loud:?}");
}

/// The tuning month (seed B, or the seed in `FANKUI_TUNING_SEED`, never seed A):
/// the table, for tuning thresholds. No assertions.
#[test]
#[ignore = "tuning aid: prints the seed-B table"]
fn tuning_month_seed_b() {
    let seed = std::env::var("FANKUI_TUNING_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(SEED_B);
    assert_ne!(seed, SEED_A, "seed A is the test month: never tune on it");
    report(seed, &format!("seed {seed} (tuning month)"));
}
