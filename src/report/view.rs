//! What the report shows, computed from the records, issues and tickets: the
//! context of the template and the JSON blob the page's script reads.

use super::record::ReportRecord;
use super::standards::Light;
use super::tickets::Ticket;
use super::{ReportOptions, StoreAttrs};
use crate::cluster::Kind;
use crate::issues::{Issue, Severity};
use crate::window::{days_from_civil, format_window, WindowSize};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The report's period: days since 1970-01-01, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Period {
    pub since: i64,
    pub until: i64,
}

impl Period {
    pub fn days(&self) -> i64 {
        self.until - self.since + 1
    }
    pub fn contains(&self, day: i64) -> bool {
        day >= self.since && day <= self.until
    }
    pub fn previous(&self) -> Period {
        Period { since: self.since - self.days(), until: self.since - 1 }
    }
}

/// `YYYY-MM-DD` (or the date part of a longer window string) as days since 1970-01-01.
pub(crate) fn parse_day(s: &str) -> Option<i64> {
    let d = s.get(..10)?;
    let mut it = d.split('-');
    let (y, m, dd) = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&dd) {
        return None;
    }
    Some(days_from_civil(y, m, dd))
}

pub(crate) fn day_str(day: i64) -> String {
    format_window(day, WindowSize::Day)
}

#[derive(Debug, Serialize)]
pub(crate) struct Headline {
    pub records: usize,
    pub junk: usize,
    pub junk_share: f64,
    pub index: Option<f64>,
    pub index_prev: Option<f64>,
    pub index_change: Option<f64>,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct IssueView {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub praise: bool,
    pub start: String,
    pub end: String,
    pub count: u64,
    pub expected: f64,
    pub score: f64,
    pub topics: Vec<String>,
    pub stores: Vec<(String, u64)>,
    pub regions: Vec<(String, u64)>,
    pub examples: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TopicRow {
    pub topic: String,
    pub label: String,
    pub complaints: usize,
    pub share: f64,
    pub prev: usize,
    pub prev_share: f64,
    pub change: f64,
}

#[derive(Debug, Serialize)]
pub(crate) struct Cell {
    pub share: f64,
    pub count: usize,
    pub baseline: Option<f64>,
    pub light: Light,
}

#[derive(Debug, Serialize)]
pub(crate) struct ScoreRow {
    pub name: String,
    pub region: String,
    pub city: String,
    pub manager: String,
    pub records: usize,
    pub complaints: usize,
    pub share: f64,
    pub per_k_orders: Option<f64>,
    pub orders: Option<f64>,
    pub worst: Light,
    pub cells: Vec<Cell>,
}

/// Everything the template shows.
#[derive(Debug, Serialize)]
pub(crate) struct View {
    pub since: String,
    pub until: String,
    pub prev_since: String,
    pub prev_until: String,
    pub headline: Headline,
    pub issues: Vec<IssueView>,
    pub issues_hidden: usize,
    pub top_topics: Vec<TopicRow>,
    pub columns: Vec<(String, String)>,
    pub stores: Vec<ScoreRow>,
    pub regions: Vec<ScoreRow>,
    pub store_field: String,
    pub region_field: String,
    pub has_volume: bool,
    pub tickets: Vec<Ticket>,
    pub has_tickets: bool,
    pub embedded: usize,
    pub in_scope: usize,
}

/// The data the page's script reads (charts, drill-down).
#[derive(Debug, Serialize)]
pub(crate) struct Data {
    pub days: Vec<String>,
    pub period: (String, String),
    pub daily_records: Vec<usize>,
    pub daily_index: Vec<Option<f64>>,
    pub topics: Vec<TopicSeries>,
    pub issues: Vec<IssueSeries>,
    /// `[id, time, store, region, text, score, complaints, praise, in period]`.
    pub records: Vec<(String, String, String, String, String, Option<f64>, Vec<String>, Vec<String>, bool)>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TopicSeries {
    pub id: String,
    pub label: String,
    pub complaints: Vec<usize>,
    pub praise: Vec<usize>,
}

#[derive(Debug, Serialize)]
pub(crate) struct IssueSeries {
    pub id: String,
    pub days: Vec<String>,
    pub counts: Vec<usize>,
    pub expected: Vec<Option<f64>>,
    pub records: Vec<usize>,
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Net sentiment: 100 × (positive − negative) / scored records.
fn index<'a>(records: impl Iterator<Item = &'a ReportRecord>) -> Option<f64> {
    let (mut n, mut net) = (0usize, 0i64);
    for r in records.filter(|r| !r.junk && r.label.is_some()) {
        n += 1;
        net += i64::from(r.is_positive()) - i64::from(r.is_negative());
    }
    (n > 0).then(|| round(100.0 * net as f64 / n as f64, 1))
}

pub(crate) struct Inputs<'a> {
    pub options: &'a ReportOptions,
    pub records: &'a [ReportRecord],
    pub issues: &'a [Issue],
    pub tickets: &'a [Ticket],
    pub stores: &'a HashMap<String, StoreAttrs>,
    pub orders: Option<&'a (dyn Fn(&str, i64) -> Option<f64> + Send + Sync)>,
    pub topic_label: &'a dyn Fn(&str) -> String,
}

/// The period: `since`/`until` from the options, else the last `days` days of the data.
pub(crate) fn period(options: &ReportOptions, records: &[ReportRecord], since: Option<i64>, until: Option<i64>) -> Period {
    let last = records.iter().map(|r| r.day).max();
    let until = until.or(last).unwrap_or(0);
    let since = since.unwrap_or(until - i64::from(options.days.max(1)) + 1).min(until);
    Period { since, until }
}

pub(crate) fn build(inp: &Inputs<'_>, period: Period) -> (View, Data) {
    let opts = inp.options;
    let prev = period.previous();
    let level_of = |field: &str| opts.group_fields.iter().position(|f| f == field);
    let store_field = opts.group_fields.first().cloned().unwrap_or_default();
    let region_level = opts.group_fields.get(1).map(|_| 1usize);
    let store_of = |r: &ReportRecord| r.groups.first().cloned().flatten();
    let region_of = |r: &ReportRecord| -> Option<String> {
        match region_level {
            Some(l) => r.groups.get(l).cloned().flatten(),
            None => store_of(r).and_then(|s| inp.stores.get(&s).and_then(|a| a.region.clone())),
        }
    };
    let region_field = match region_level {
        Some(l) => opts.group_fields[l].clone(),
        None if !inp.stores.is_empty() => "region".to_string(),
        None => String::new(),
    };

    // Headline.
    let in_period: Vec<&ReportRecord> = inp.records.iter().filter(|r| period.contains(r.day)).collect();
    let junk = in_period.iter().filter(|r| r.junk).count();
    let idx = index(in_period.iter().copied());
    let idx_prev = index(inp.records.iter().filter(|r| prev.contains(r.day)));
    let overlapping = |i: &Issue| {
        let (s, e) = (parse_day(&i.start), parse_day(&i.end));
        s.is_none_or(|s| s <= period.until) && e.is_none_or(|e| e >= period.since)
    };
    let mut issues: Vec<&Issue> = inp.issues.iter().filter(|i| overlapping(i)).collect();
    issues.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.score.total_cmp(&a.score)).then(a.id.cmp(&b.id)));
    let count_sev = |s: Severity| issues.iter().filter(|i| i.severity == s).count();
    let headline = Headline {
        records: in_period.len(),
        junk,
        junk_share: if in_period.is_empty() { 0.0 } else { junk as f64 / in_period.len() as f64 },
        index: idx,
        index_prev: idx_prev,
        index_change: idx.zip(idx_prev).map(|(a, b)| round(a - b, 1)),
        red: count_sev(Severity::Red),
        yellow: count_sev(Severity::Yellow),
        green: count_sev(Severity::Green),
    };

    // Days of the charts: from the first record (at most 92 days back) to the period's end.
    let first = inp.records.iter().map(|r| r.day).min().unwrap_or(period.since).max(period.until - 91);
    let first = first.min(period.since);
    let ndays = (period.until - first + 1).max(1) as usize;
    let day_pos = |d: i64| (d >= first && d <= period.until).then(|| (d - first) as usize);
    let days: Vec<String> = (0..ndays as i64).map(|i| day_str(first + i)).collect();

    // Which records are embedded for drill-down: issue members first, then
    // negative records of the period, then the rest of the period, up to the cap.
    let shown_issues: Vec<&Issue> = issues.iter().copied().take(opts.max_issues).collect();
    let pos_by_id: HashMap<&str, usize> = inp.records.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let mut chosen: Vec<usize> = Vec::new();
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    let mut take = |i: usize, chosen: &mut Vec<usize>| {
        if chosen.len() < opts.max_records && taken.insert(i) {
            chosen.push(i);
        }
    };
    for issue in &shown_issues {
        for id in &issue.record_ids {
            if let Some(&i) = pos_by_id.get(id.as_str()) {
                take(i, &mut chosen);
            }
        }
    }
    let scope: Vec<usize> =
        inp.records.iter().enumerate().filter(|(_, r)| period.contains(r.day) && !r.junk).map(|(i, _)| i).collect();
    for &i in &scope {
        if inp.records[i].is_negative() || !inp.records[i].complaints.is_empty() {
            take(i, &mut chosen);
        }
    }
    for &i in &scope {
        take(i, &mut chosen);
    }
    chosen.sort_by(|a, b| inp.records[*a].time.cmp(&inp.records[*b].time).then(a.cmp(b)));
    let embed_pos: HashMap<usize, usize> = chosen.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let data_records = chosen
        .iter()
        .map(|&i| {
            let r = &inp.records[i];
            (
                r.id.clone(),
                r.time.clone(),
                store_of(r).unwrap_or_default(),
                region_of(r).unwrap_or_default(),
                r.text.clone(),
                r.score.map(|s| round(f64::from(s), 2)),
                r.complaints.clone(),
                r.praise.clone(),
                period.contains(r.day),
            )
        })
        .collect();

    // Issues.
    let issue_views: Vec<IssueView> = shown_issues
        .iter()
        .map(|i| {
            let mut stores = Vec::new();
            let mut regions = Vec::new();
            for g in &i.groups {
                match level_of(&g.field) {
                    Some(0) => stores.push((g.value.clone(), g.count)),
                    Some(_) => regions.push((g.value.clone(), g.count)),
                    None => {}
                }
            }
            stores.truncate(8);
            regions.truncate(5);
            IssueView {
                id: i.id.clone(),
                name: i.name.clone(),
                severity: i.severity,
                praise: i.kind == Kind::Praise,
                start: i.start.clone(),
                end: i.end.clone(),
                count: i.count,
                expected: i.expected,
                score: i.score,
                topics: i.topics.iter().map(|t| (inp.topic_label)(t)).collect(),
                stores,
                regions,
                examples: i.examples.iter().take(opts.examples).map(|e| e.text.clone()).collect(),
            }
        })
        .collect();
    let issue_series: Vec<IssueSeries> = shown_issues
        .iter()
        .map(|i| {
            let start = parse_day(&i.start).unwrap_or(period.since);
            let end = parse_day(&i.end).unwrap_or(start).max(start);
            let (lo, hi) = (start - 3, end + 3);
            let mut counts = vec![0usize; (hi - lo + 1) as usize];
            let mut recs = Vec::new();
            for id in &i.record_ids {
                if let Some(&p) = pos_by_id.get(id.as_str()) {
                    let d = inp.records[p].day;
                    if d >= lo && d <= hi {
                        counts[(d - lo) as usize] += 1;
                    }
                    if let Some(&k) = embed_pos.get(&p) {
                        recs.push(k);
                    }
                }
            }
            let per_day = i.expected / (end - start + 1) as f64;
            IssueSeries {
                id: i.id.clone(),
                days: (lo..=hi).map(day_str).collect(),
                counts,
                expected: (lo..=hi).map(|d| (d >= start && d <= end).then(|| round(per_day, 2))).collect(),
                records: recs,
            }
        })
        .collect();

    // Topics over time and the top complaint topics.
    let mut comp: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut praise: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut daily_records = vec![0usize; ndays];
    let mut daily: Vec<Vec<&ReportRecord>> = vec![Vec::new(); ndays];
    for r in inp.records.iter().filter(|r| !r.junk) {
        let Some(p) = day_pos(r.day) else { continue };
        daily_records[p] += 1;
        daily[p].push(r);
        for t in &r.complaints {
            comp.entry(t.as_str()).or_insert_with(|| vec![0; ndays])[p] += 1;
        }
        for t in &r.praise {
            praise.entry(t.as_str()).or_insert_with(|| vec![0; ndays])[p] += 1;
        }
    }
    let daily_index = daily.iter().map(|rs| index(rs.iter().copied())).collect();
    let valid_period = in_period.iter().filter(|r| !r.junk).count();
    let valid_prev = inp.records.iter().filter(|r| !r.junk && prev.contains(r.day)).count();
    let count_topic = |t: &str, p: Period| {
        inp.records.iter().filter(|r| !r.junk && p.contains(r.day) && r.complaints.iter().any(|c| c == t)).count()
    };
    let all_topics: BTreeSet<&str> = comp.keys().chain(praise.keys()).copied().collect();
    let mut top_topics: Vec<TopicRow> = all_topics
        .iter()
        .filter(|t| **t != crate::classify::OTHER)
        .map(|&t| {
            let (now, before) = (count_topic(t, period), count_topic(t, prev));
            let share = if valid_period > 0 { now as f64 / valid_period as f64 } else { 0.0 };
            let prev_share = if valid_prev > 0 { before as f64 / valid_prev as f64 } else { 0.0 };
            TopicRow {
                topic: t.to_string(),
                label: (inp.topic_label)(t),
                complaints: now,
                share,
                prev: before,
                prev_share,
                change: share - prev_share,
            }
        })
        .collect();
    top_topics.sort_by(|a, b| b.complaints.cmp(&a.complaints).then(a.topic.cmp(&b.topic)));
    let columns: Vec<(String, String)> = top_topics.iter().map(|t| (t.topic.clone(), t.label.clone())).collect();
    let mut series_order: Vec<&str> = columns.iter().map(|(t, _)| t.as_str()).collect();
    series_order.sort_by_key(|t| std::cmp::Reverse(comp.get(t).map_or(0, |v| v.iter().sum::<usize>())));
    let topics: Vec<TopicSeries> = series_order
        .iter()
        .map(|&t| TopicSeries {
            id: t.to_string(),
            label: (inp.topic_label)(t),
            complaints: comp.get(t).cloned().unwrap_or_else(|| vec![0; ndays]),
            praise: praise.get(t).cloned().unwrap_or_else(|| vec![0; ndays]),
        })
        .collect();
    top_topics.truncate(10);

    // Scorecard: one row per store (and per region), each topic's complaint share.
    let rows_by = |key: &dyn Fn(&ReportRecord) -> Option<String>, with_orders: bool| -> Vec<ScoreRow> {
        let mut now: BTreeMap<String, Vec<&ReportRecord>> = BTreeMap::new();
        let mut base: BTreeMap<String, Vec<&ReportRecord>> = BTreeMap::new();
        for r in inp.records.iter().filter(|r| !r.junk && r.day <= period.until) {
            let Some(k) = key(r) else { continue };
            if period.contains(r.day) {
                now.entry(k).or_default().push(r);
            } else {
                base.entry(k).or_default().push(r);
            }
        }
        now.into_iter()
            .map(|(name, rs)| {
                let n = rs.len();
                let b = base.get(&name).map(Vec::as_slice).unwrap_or(&[]);
                let cells: Vec<Cell> = columns
                    .iter()
                    .map(|(t, _)| {
                        let count = rs.iter().filter(|r| r.complaints.contains(t)).count();
                        let share = count as f64 / n as f64;
                        let baseline = (!b.is_empty())
                            .then(|| b.iter().filter(|r| r.complaints.contains(t)).count() as f64 / b.len() as f64);
                        let light = opts.standards.light(t, share, n, baseline.map(|x| (x, b.len())));
                        Cell { share, count, baseline, light }
                    })
                    .collect();
                let complaints = rs.iter().filter(|r| !r.complaints.is_empty()).count();
                let orders = if with_orders {
                    inp.orders.and_then(|f| {
                        let v: Vec<f64> = (period.since..=period.until).filter_map(|d| f(&name, d)).collect();
                        (!v.is_empty()).then(|| v.iter().sum::<f64>())
                    })
                } else {
                    None
                };
                let attrs = inp.stores.get(&name);
                let region = if with_orders { rs.first().and_then(|r| region_of(r)).unwrap_or_default() } else { String::new() };
                ScoreRow {
                    worst: cells.iter().map(|c| c.light).max().unwrap_or(Light::Grey),
                    region,
                    city: attrs.and_then(|a| a.city.clone()).unwrap_or_default(),
                    manager: attrs.and_then(|a| a.manager.clone()).unwrap_or_default(),
                    records: n,
                    complaints,
                    share: complaints as f64 / n as f64,
                    per_k_orders: orders.filter(|o| *o > 0.0).map(|o| round(complaints as f64 * 1000.0 / o, 2)),
                    orders,
                    cells,
                    name,
                }
            })
            .collect()
    };
    let mut stores = if store_field.is_empty() { Vec::new() } else { rows_by(&store_of, true) };
    stores.sort_by(|a, b| b.worst.cmp(&a.worst).then(b.share.total_cmp(&a.share)).then(a.name.cmp(&b.name)));
    let regions = if region_field.is_empty() { Vec::new() } else { rows_by(&region_of, false) };

    let tickets: Vec<Ticket> = {
        let mut t: Vec<Ticket> = inp.tickets.iter().filter(|t| t.is_pending()).cloned().collect();
        t.sort_by(|a, b| {
            (b.status == "overdue").cmp(&(a.status == "overdue")).then(b.severity.cmp(&a.severity)).then(a.due_at.cmp(&b.due_at))
        });
        t
    };
    let view = View {
        since: day_str(period.since),
        until: day_str(period.until),
        prev_since: day_str(prev.since),
        prev_until: day_str(prev.until),
        headline,
        issues_hidden: issues.len() - issue_views.len(),
        issues: issue_views,
        top_topics,
        columns,
        has_volume: inp.orders.is_some(),
        stores,
        regions,
        store_field,
        region_field,
        has_tickets: !inp.tickets.is_empty(),
        tickets,
        embedded: chosen.len(),
        in_scope: scope.len(),
    };
    let data = Data {
        days,
        period: (day_str(period.since), day_str(period.until)),
        daily_records,
        daily_index,
        topics,
        issues: issue_series,
        records: data_records,
    };
    (view, data)
}
