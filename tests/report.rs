//! The HTML report: what it computes (headline, scorecard lights against the
//! standards, drill-down records), that it is self-contained, and `fankui report`
//! end to end. No model is needed: records come in already analyzed.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/scratch.rs"]
mod scratch;

use cli::fankui;
use fankui::report::{read_tickets, Lang, Report, ReportOptions, ReportRecord, Standards};
use fankui::Issue;
use scratch::scratch;
use serde_json::{json, Value};

const TINY_MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny_model");

/// Days since 1970-01-01 of 2026-10-01.
const OCT1: i64 = 20727;

fn record(id: &str, day: i64, store: &str, region: &str, label: &str, complaints: &[&str]) -> ReportRecord {
    serde_json::from_value(json!({
        "id": id,
        "time": format!("day {day} 12:00"),
        "day": day,
        "groups": [store, region],
        "text": format!("text of {id} </script><!--"),
        "junk": false,
        "score": match label { "negative" => -0.9, "positive" => 0.9, _ => 0.0 },
        "label": label,
        "complaints": complaints,
        "praise": [],
    }))
    .unwrap()
}

/// 14 days, 2 stores, 12 records a store a day. In the last 7 days store A has 4
/// taste complaints a day (a third of its records), store B none.
fn records() -> Vec<ReportRecord> {
    let mut out = Vec::new();
    for d in 0..14 {
        for k in 0..12 {
            let late = d >= 7;
            let (label, topics): (&str, &[&str]) = if late && k < 4 { ("negative", &["taste"]) } else { ("positive", &[]) };
            out.push(record(&format!("a{d}-{k}"), OCT1 + d, "A", "east", label, topics));
            let (label, topics): (&str, &[&str]) = if k == 0 { ("negative", &["delivery"]) } else { ("positive", &[]) };
            out.push(record(&format!("b{d}-{k}"), OCT1 + d, "B", "west", label, topics));
        }
    }
    out
}

fn issue() -> Issue {
    serde_json::from_value(json!({
        "id": "c-1-2026-10-12", "name": "薯条·味道怪", "keywords": ["薯条"], "kind": "complaint", "severity": "red",
        "topics": ["taste"], "start": "2026-10-12", "end": "2026-10-13", "count": 8, "expected": 1.5, "score": 12.0,
        "groups": [{"field": "store", "value": "A", "count": 8}, {"field": "region", "value": "east", "count": 8}],
        "alerts": [], "record_ids": ["a11-0", "a11-1", "a11-2", "a11-3", "a12-0", "a12-1", "a12-2", "a12-3"],
        "examples": [{"id": "a11-0", "text": "薯条有股怪味"}], "cluster": "c-1"
    }))
    .unwrap()
}

fn render(options: ReportOptions) -> String {
    let mut report = Report::new(options.with_group_fields(["store", "region"])).with_issues(vec![issue()]);
    for r in records() {
        report.add_record(r);
    }
    report.render().unwrap()
}

/// The JSON blob the page's script reads.
fn data(html: &str) -> Value {
    let start = html.find(r#"<script type="application/json" id="report-data">"#).unwrap();
    let rest = &html[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap()
}

#[test]
fn headline_issue_and_period() {
    let html = render(ReportOptions::default());
    // Default period: the last 7 days of the data, 2026-10-08..14; previous: 10-01..07.
    assert!(html.contains("<b>2026-10-08</b> – <b>2026-10-14</b>"), "period");
    assert!(html.contains("2026-10-01 – 2026-10-07"), "previous period");
    // 168 records a period. Net sentiment now: A 8 positive + 4 negative a day, B 11 + 1;
    // before: A 12 positive, B 11 + 1.
    let (pos, neg) = (7 * (8 + 11), 7 * (4 + 1));
    let now = (1000.0 * (pos - neg) as f64 / 168.0).round() / 10.0;
    let before = (1000.0 * (7 * (12 + 11) - 7) as f64 / 168.0).round() / 10.0;
    assert!(html.contains(&format!(">{now:.1}<")), "index {now:.1}");
    // The change is the difference of the two indices as shown (58.3 − 91.7).
    assert!(html.contains(&format!("{:+.1} 较上一期", now - before)), "change {:+.1}", now - before);
    assert!(html.contains("薯条·味道怪") && html.contains("薯条有股怪味"));
    let d = data(&html);
    let series = &d["data"]["issues"][0];
    // Daily counts of the issue's records, 3 days either side of 10-12..10-13.
    assert_eq!(series["days"][0], "2026-10-09");
    assert_eq!(series["counts"], json!([0, 0, 0, 4, 4, 0, 0, 0]));
    assert_eq!(series["expected"][3], json!(0.75));
    assert_eq!(series["records"].as_array().unwrap().len(), 8);
}

#[test]
fn scorecard_lights_follow_the_standards() {
    let html = render(ReportOptions::default());
    let row = |store: &str| {
        let at = html.find(&format!(r#"data-store="{store}""#)).unwrap();
        let start = html[..at].rfind("<tr").unwrap();
        html[start..start + html[start..].find("</tr>").unwrap()].to_string()
    };
    // Store A: taste 4/12 = 33 % ≥ 20 % → red; B: delivery 1/12 = 8.3 % → green.
    assert!(row("A").starts_with(r#"<tr data-worst="red">"#), "{}", row("A"));
    assert!(row("A").contains(r#"class="red" data-v="0.3333"#), "{}", row("A"));
    assert!(row("B").starts_with(r#"<tr data-worst="green">"#), "{}", row("B"));
    // A looser standard: taste red only from 50 %, yellow from 30 %.
    let loose = Standards::from_json(r#"{"topics": {"taste": {"red_share": 0.5, "yellow_share": 0.3, "red_change": 0.9, "yellow_change": 0.8}}}"#).unwrap();
    let html = render(ReportOptions::default().with_standards(loose));
    let at = html.find(r#"data-store="A""#).unwrap();
    let start = html[..at].rfind("<tr").unwrap();
    assert!(html[start..].starts_with(r#"<tr data-worst="yellow">"#));
    // With orders: complaints per 1,000 orders (A: 28 complaining records, 7 × 1,000 orders).
    let mut csv = String::from("date,store,orders\n");
    for d in 1..=14 {
        csv += &format!("2026-10-{d:02},A,1000\n2026-10-{d:02},B,500\n");
    }
    let volume = fankui::Volume::from_csv_reader(csv.as_bytes(), "volume.csv").unwrap();
    let stores = fankui::Stores::from_csv_reader("store,region,city,manager,opened\nA,east,上海,王芳,2019-05-01\n".as_bytes(), "stores.csv").unwrap();
    let mut report = Report::new(ReportOptions::default().with_group_fields(["store"])).with_volume(volume).with_stores(stores);
    for r in records() {
        report.add_record(r);
    }
    let html = report.render().unwrap();
    assert!(html.contains("每千单投诉") && html.contains(r#"<td data-v="4.0">4.0</td>"#), "per 1,000 orders");
    assert!(html.contains("王芳"), "the manager from stores.csv");
    assert!(html.contains(r#"id="regions""#), "region rollup from stores.csv");
    let html = render(ReportOptions::default());
    // The region rollup sits above the store table.
    assert!(html.find(r#"id="regions""#).unwrap() < html.find(r#"id="stores""#).unwrap());
}

#[test]
fn drill_down_records_are_capped_issue_members_first() {
    let html = render(ReportOptions::default().with_max_records(10));
    let d = data(&html);
    let records = d["data"]["records"].as_array().unwrap();
    assert_eq!(records.len(), 10);
    let ids: Vec<&str> = records.iter().map(|r| r[0].as_str().unwrap()).collect();
    for id in issue().record_ids {
        assert!(ids.contains(&id.as_str()), "issue member {id} embedded");
    }
    assert!(html.contains("10 条反馈"), "the page says how many records it holds");
}

#[test]
fn self_contained_and_safe() {
    let html = render(ReportOptions::default().with_lang(Lang::En));
    assert!(!html.contains("<script src") && !html.contains("<link"), "no external resource");
    assert_eq!(html.matches("</script>").count(), 3, "a record's text cannot close a script");
    assert!(html.contains("Store scorecard") && html.contains(r#"lang="en""#));
    assert!(html.contains("echarts"), "ECharts inline");
}

#[test]
fn bad_period_and_standards_are_refused() {
    let r = Report::new(ReportOptions::default().with_since(Some("2026-10-10".into())).with_until(Some("2026-10-01".into())));
    assert!(r.render().is_err());
    let r = Report::new(ReportOptions::default().with_since(Some("yesterday".into())));
    assert!(r.render().is_err());
    assert!(Standards::from_json(r#"{"default": {"red_share": -1}}"#).is_err());
}

#[test]
fn pending_tickets_are_listed() {
    let jsonl = concat!(
        r#"{"ticket_id":"T-1","issue_id":"c-1-2026-10-12","severity":"red","level":"region","scope":"east","opened_at":"2026-10-12T09:00:00+08:00","due_at":"2026-10-13T09:00:00+08:00","status":"overdue","closed_at":null,"escalations":1,"summary":"薯条味道怪，8 条","examples":["薯条有股怪味"]}"#,
        "\n",
        r#"{"ticket_id":"TICKET-CLOSED-77","issue_id":"x","severity":"yellow","status":"closed","closed_at":"2026-10-13T09:00:00+08:00","extra":true}"#,
        "\n"
    );
    let tickets = read_tickets(jsonl.as_bytes()).unwrap();
    let mut report = Report::new(ReportOptions::default()).with_tickets(tickets);
    for r in records() {
        report.add_record(r);
    }
    let html = report.render().unwrap();
    assert!(html.contains("T-1") && html.contains(r#"<tr class="overdue">"#));
    assert!(!html.contains("TICKET-CLOSED-77"), "closed tickets are not listed");
}

#[test]
fn cli_report_from_scored_records_and_issues_needs_no_model() {
    let dir = scratch("scored");
    let scored = dir.join("scored.jsonl");
    let mut lines = String::new();
    for d in 0..3 {
        for (k, (text, label, topic)) in [("薯条有股怪味", "negative", "taste"), ("服务很好", "positive", "service")].iter().enumerate() {
            let s = if *label == "negative" { -0.9 } else { 0.9 };
            let sentiment = json!({"label": label, "score": s, "probs": {}});
            let topics = json!([{"label": topic, "score": 1.0, "sentiment": label}]);
            lines += &json!({
                "id": format!("r{d}{k}"), "time": format!("2026-10-0{}T12:00:00+08:00", d + 1), "store": "SH-001", "text": text,
                "clauses": [{"text": text, "start": 0, "end": 6, "sentiment": sentiment, "topics": topics}],
                "keywords": [], "quality": {"ok": true, "flags": []}, "sentiment": sentiment, "topics": topics
            })
            .to_string();
            lines.push('\n');
        }
    }
    std::fs::write(&scored, lines).unwrap();
    let issues = dir.join("issues.jsonl");
    let mut i = serde_json::to_value(issue()).unwrap();
    i["record_ids"] = json!(["r00", "r10", "r20"]);
    i["start"] = json!("2026-10-01");
    i["end"] = json!("2026-10-03");
    std::fs::write(&issues, format!("{i}\n")).unwrap();
    let out_path = dir.join("report.html");
    // A model directory that does not exist: the run must not need it.
    let out = fankui(&[
        "report", scored.to_str().unwrap(), "--issues", issues.to_str().unwrap(), "--model", "/nonexistent",
        "--lang", "en", "-o", out_path.to_str().unwrap(),
    ], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&out_path).unwrap();
    let d = data(&html);
    assert_eq!(d["data"]["issues"][0]["records"].as_array().unwrap().len(), 3);
    assert_eq!(d["data"]["records"].as_array().unwrap().len(), 6);
    assert!(html.contains(">6<"), "headline: 6 records");
    // A bad --since fails before anything is written.
    let out = fankui(
        &["report", scored.to_str().unwrap(), "--since", "soon", "-o", dir.join("x.html").to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.join("x.html").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cli_report_detects_issues_itself_with_a_model() {
    let dir = scratch("raw");
    let raw = dir.join("raw.jsonl");
    let mut lines = String::new();
    for d in 1..=9 {
        for k in 0..6 {
            let text = if k % 2 == 0 { "薯条凉了，味道很差" } else { "服务很好，送餐很快" };
            lines += &json!({"id": format!("r{d}-{k}"), "time": format!("2026-10-0{d}T1{k}:00:00+08:00"), "store": format!("S{}", k % 3), "text": text}).to_string();
            lines.push('\n');
        }
    }
    std::fs::write(&raw, lines).unwrap();
    let out_path = dir.join("report.html");
    let out = fankui(&["report", raw.to_str().unwrap(), "--model", TINY_MODEL, "-o", out_path.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&out_path).unwrap();
    let d = data(&html);
    // The last 7 days (10-03..10-09): 42 records, every one embedded.
    assert_eq!(d["data"]["period"], json!(["2026-10-03", "2026-10-09"]));
    assert_eq!(d["data"]["records"].as_array().unwrap().len(), 42);
    assert!(String::from_utf8_lossy(&out.stderr).contains("54 records"));
    std::fs::remove_dir_all(&dir).ok();
}
