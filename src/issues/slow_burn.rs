//! Slow burns: an excess that builds over days at one store or region.
//!
//! Rude staff at one store is 5–8 complaints a day, each worded differently: no
//! cluster gets big enough in one window to spike. So complaints are also counted
//! by **topic × group** (a store's `service` complaints, a region's `delivery`
//! complaints), whatever their wording, and each day the last 2..=[`MAX_DAYS`]
//! windows are scanned: the count over the span is tested against the span's
//! length times the group's baseline (Poisson tail, Bonferroni over all spans and
//! keys tested that window). A span alerts when it holds at least [`MIN_COUNT`]
//! complaints on at least two days, at least [`MIN_RATIO`] times the baseline
//! (a tripling), and `p × tests ≤` [`ALPHA`]. The baseline is an exponentially
//! weighted mean ([`SMOOTHING`], about a month of memory), floored at the topic's
//! chain-wide rate spread over the group's peers (a store never seen with a
//! complaint is not expected to have none), and frozen while the key alerts, so
//! that the burn does not become its own baseline; a key first seen after the
//! first window starts from a level of zero (it had none on every window before).
//! A burn is dated from the first day of the run of days in excess that ends with
//! the alerting one, not from the span's first day.
//!
//! **Volume.** With daily orders joined in ([`IssueDetector::set_volume`]), a
//! window's expectation is scaled by the group's orders that day over its usual
//! orders (an exponentially weighted mean, [`SMOOTHING`]), and the baseline learns
//! complaints per usual day of orders: a store whose orders triple for a week of
//! promotion and whose complaints triple with them has no slow burn. Groups with
//! unknown orders are tested on counts.
//!
//! Complaints are counted by **lexicon problem** (`p:涨价`, `p:支付失败`, for
//! clauses naming no lexicon object) across the chain and by **lexicon object ×
//! problem** (`o:虾滑·味道怪`) per store,
//! region and chain: these keys are specific enough to test chain-wide, where a
//! topic's complaints are too many for a tripling to mean one thing (and a
//! problem alone, 味道怪 in one region, is everyday background). They find
//! a chain-wide price increase (a tripling of "涨价" while "贵" is everyday
//! background) and keep a three-day ingredient incident one issue when its
//! wordings are spread over many clusters.

use super::{naming, strings::Strings, Episode, Example, GroupCount, Issue, IssueDetector};
use crate::cluster::Kind;
use crate::pipeline::Analysis;
use crate::spike::{group_key, poisson_sf, Alert, Exposure, Group, CHAIN};
use crate::window::format_window;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// Longest span scanned, in windows.
pub const MAX_DAYS: usize = 7;
/// Fewest complaints in an alerting span.
pub const MIN_COUNT: u64 = 8;
/// The span's count must be at least this many times its baseline.
pub const MIN_RATIO: f64 = 3.0;
/// Family-wise false-alarm rate per window.
pub const ALPHA: f64 = 0.01;
/// A window extends a burn only with at least this share of the burn's mean day
/// (besides being in excess itself): an incident that has faded has ended.
pub const TAIL_SHARE: f64 = 0.5;
/// Prefix of a series keyed by a lexicon problem.
const PROBLEM: &str = "p:";
/// Prefix of a series keyed by a lexicon object and problem.
const OBJECT: &str = "o:";
/// Weight of the newest window in the baseline.
pub const SMOOTHING: f64 = 0.05;
/// Windows of history before any alert.
pub const WARMUP: u32 = 7;

/// One topic × group series.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Series {
    /// Exponentially weighted sum of complaints per usual day, over every window
    /// since the detector's first (windows without complaints count as zero).
    level: f64,
    /// The weights that sum holds (1 − (1 − [`SMOOTHING`])^windows): the baseline is
    /// `level / weight`, the weighted mean day so far. A key first seen on the
    /// detector's 11th day with 4 complaints every day since has, on its 15th, a
    /// baseline of about 1.7 a day, not the 0.9 a sum starting from zero gives
    /// (with which a chain's everyday 拉肚子 alarmed all month). States written
    /// before this field hold a mean: weight 1.
    #[serde(default = "full_weight")]
    weight: f64,
    seen: u32,
    last: i64,
    /// (window, count) of the last [`MAX_DAYS`] windows with complaints.
    recent: VecDeque<(i64, u64)>,
    /// Window of the last alert.
    alerting: Option<i64>,
}

fn full_weight() -> f64 {
    1.0
}

impl Series {
    /// The decay of the windows without complaints between the last fold and `w`.
    fn decay(&self, w: i64) -> f64 {
        (1.0 - SMOOTHING).powi((w - self.last - 1).max(0) as i32)
    }

    /// The baseline (complaints per usual day) for window `w`.
    fn level_at(&self, w: i64) -> f64 {
        if self.seen == 0 {
            return 0.0;
        }
        let d = self.decay(w);
        self.level * d / (1.0 - (1.0 - self.weight) * d).max(f64::EPSILON)
    }

    /// Folds window `w`'s count in; `before` is how many windows the detector saw
    /// before it (zeros, for a key seen for the first time).
    fn fold(&mut self, w: i64, usual: f64, before: u32) {
        if self.seen == 0 && before == 0 {
            // The detector's first window sets the level, as one full weight: the
            // month's first days would otherwise move it a fifth a day.
            (self.level, self.weight, self.last, self.seen) = (usual, 1.0, w, 1);
            return;
        }
        if self.seen == 0 {
            self.level = 0.0;
            self.weight = 1.0 - (1.0 - SMOOTHING).powi(before as i32);
            self.last = w - 1;
        }
        let d = self.decay(w) * (1.0 - SMOOTHING);
        self.level = self.level * d + usual * SMOOTHING;
        self.weight = 1.0 - (1.0 - self.weight) * d;
        self.last = w;
        self.seen += 1;
    }
}

/// A group's daily orders: their usual level and the last [`MAX_DAYS`] days.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Orders {
    level: f64,
    /// (window, orders / usual orders) of the last [`MAX_DAYS`] windows with orders.
    recent: VecDeque<(i64, f64)>,
}

impl Orders {
    /// The window's orders over the usual ones (1 when unknown).
    fn factor(&self, w: i64) -> f64 {
        self.recent.iter().find(|(x, _)| *x == w).map_or(1.0, |(_, f)| *f)
    }

    /// Adds a window's orders; the first window sets the usual level.
    fn update(&mut self, w: i64, orders: f64) {
        if !(orders.is_finite() && orders > 0.0) {
            return;
        }
        let factor = if self.level > 0.0 { (orders / self.level).clamp(0.1, 10.0) } else { 1.0 };
        self.level = if self.level > 0.0 { self.level * (1.0 - SMOOTHING) + orders * SMOOTHING } else { orders };
        self.recent.push_back((w, factor));
        while self.recent.front().is_some_and(|(x, _)| w - x >= MAX_DAYS as i64) {
            self.recent.pop_front();
        }
    }
}

/// The slow-burn detector's state (kept in the state file).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SlowBurn {
    series: HashMap<String, Series>,
    /// Daily orders per group (`field\u{1f}value`), when volume is joined in.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    orders: HashMap<String, Orders>,
    windows: u32,
    pub(super) episodes: Vec<Episode>,
    /// Reports of this run.
    #[serde(skip)]
    hits: Vec<Hit>,
    /// The series keys and clause topics of `hits`.
    #[serde(skip)]
    names: Strings,
    #[serde(skip)]
    pub(super) touched: HashSet<String>,
}

/// A report counted in a series this run (compact: a run has millions).
#[derive(Clone, Debug)]
struct Hit {
    /// The series key, in [`SlowBurn::names`].
    key: u32,
    window: i64,
    /// The record, its index in the detector's records.
    record: u32,
    /// The clause's topic (or ""), in [`SlowBurn::names`].
    topic: u32,
    /// The clause, in the detector's texts.
    text: u32,
}

/// Whether a series is keyed by the lexicon (a problem, or an object and problem).
fn lexicon_key(series: &str) -> bool {
    series.starts_with(PROBLEM) || series.starts_with(OBJECT)
}

/// A series key, `topic \u{1f} field \u{1f} value`: its tail after the topic is the group's
/// [`group_key`], which keys the orders.
fn key(topic: &str, field: &str, value: &str) -> String {
    format!("{topic}\u{1f}{field}\u{1f}{value}")
}

/// One window's complaints by series key and group, counted record by record
/// ([`IssueDetector::count_burns`]) before the window is scanned.
#[derive(Debug, Default)]
pub(super) struct BurnCounts {
    counts: BTreeMap<String, u64>,
    /// The distinct values of each group field (by level) with a counted record.
    peers: Vec<HashSet<String>>,
}

impl IssueDetector {
    /// Counts the complaints of a record (not junk; `record` is its index in
    /// `records`) by topic × group (and lexicon problem, and object × problem)
    /// into `into`, and keeps its clauses for the burns' reports.
    pub(super) fn count_burns(
        &mut self,
        into: &mut BurnCounts,
        window: i64,
        record: u32,
        meta: &super::RecordMeta,
        analysis: &Analysis,
    ) {
        let polarity = self.options.min_polarity;
        let fields = &self.options.group_fields;
        let sb = &mut self.state.slow_burn;
        let BurnCounts { counts, peers } = into;
        peers.resize_with(fields.len(), HashSet::new);
        for (level, v) in meta.groups.iter().take(fields.len()).enumerate() {
            if let Some(v) = v {
                if !peers[level].contains(v) {
                    peers[level].insert(v.clone());
                }
            }
        }
        // Series keys of the record: topics (`service`), lexicon problems (`p:涨价`)
        // and objects × problems (`o:虾滑·味道怪`), each with one of its clauses.
        let mut keys: BTreeMap<String, (&str, &str)> = BTreeMap::new();
        let negative: Vec<bool> = analysis.clauses.iter().map(|c| super::feed::is_complaint(c, polarity)).collect();
        // In a complaint (a record with a complaint clause) every clause's lexicon
        // problem counts, whatever the model made of that clause: it often calls
        // "服务员很没礼貌" or "虾滑腥得很，鲜虾滑有异味" positive next to a clear complaint.
        let complaint = negative.contains(&true);
        for (c, &negative) in analysis.clauses.iter().zip(&negative) {
            let text = c.clause.text.as_str();
            let topic = c.topics.iter().map(|t| t.label.as_str()).find(|t| *t != crate::classify::OTHER);
            if negative {
                for t in c.topics.iter().filter(|t| t.label != crate::classify::OTHER) {
                    keys.entry(t.label.clone()).or_insert((text, t.label.as_str()));
                }
            }
            if !complaint {
                continue;
            }
            // A problem with a lexicon object counts under the object (米饭·味道怪),
            // without one under the problem alone (涨价了, 支付失败). (Lending a clause
            // without an object the previous clause's changed nothing on the tuning month.)
            let objects: Vec<&str> = naming::objects_in(text).collect();
            for p in naming::problems_in(text) {
                if objects.is_empty() {
                    keys.entry(format!("{PROBLEM}{p}")).or_insert((text, topic.unwrap_or("")));
                }
                for o in &objects {
                    keys.entry(format!("{OBJECT}{o}·{p}")).or_insert((text, topic.unwrap_or("")));
                }
            }
        }
        for (series, (text, clause_topic)) in keys {
            let topic = sb.names.intern(clause_topic);
            let text = self.texts.intern(text);
            let mut hit = |k: &str| Hit { key: sb.names.intern(k), window, record, topic, text };
            let chain = key(&series, CHAIN, "*");
            *counts.entry(chain.clone()).or_insert(0) += 1;
            if lexicon_key(&series) {
                sb.hits.push(hit(&chain));
            }
            for (f, v) in fields.iter().zip(&meta.groups) {
                if series.starts_with(PROBLEM) {
                    break; // a problem alone is tested chain-wide only
                }
                if let Some(v) = v {
                    let k = key(&series, f, v);
                    *counts.entry(k.clone()).or_insert(0) += 1;
                    sb.hits.push(hit(&k));
                }
            }
        }
    }

    /// Scans one window's counts ([`IssueDetector::count_burns`]) for slow burns.
    /// `exposure` holds the window's orders when volume is joined in.
    pub(super) fn scan_window(&mut self, window: i64, counted: BurnCounts, exposure: Option<&Exposure>) {
        let BurnCounts { counts, peers } = counted;
        let fields = &self.options.group_fields;
        let peers: HashMap<&str, usize> = fields.iter().zip(&peers).map(|(f, p)| (f.as_str(), p.len())).collect();
        let sb = &mut self.state.slow_burn;
        for (g, &n) in exposure.map(|e| &e.orders).into_iter().flatten() {
            sb.orders.entry(group_key(g)).or_default().update(window, n);
        }
        // Test every key with complaints this window.
        let warm = sb.windows >= WARMUP;
        let mut tests: Vec<(String, u64, f64, f64, i64)> = Vec::new(); // key, count, expected, p, start
        for (k, &n) in &counts {
            let (topic, group) = k.split_once('\u{1f}').unwrap_or((k.as_str(), ""));
            let field = group.split('\u{1f}').next().unwrap_or("");
            // The group's orders on a window over its usual orders (1 without volume).
            let orders = sb.orders.get(group);
            let factor = |w: i64| orders.map_or(1.0, |o| o.factor(w));
            // A topic is tested per store and region only, a problem chain-wide only
            // (涨价 everywhere; 味道怪 in one region is everyday background), an
            // object and problem at every level.
            let tested = match field {
                CHAIN => lexicon_key(topic),
                _ => !topic.starts_with(PROBLEM),
            };
            if !tested {
                continue;
            }
            let chain = sb.series.get(&key(topic, CHAIN, "*")).map(|s| s.level_at(window)).unwrap_or(0.0);
            let floor = chain / peers.get(field).copied().unwrap_or(1).max(1) as f64;
            let s = sb.series.get(k);
            let base = s.map(|s| s.level_at(window)).unwrap_or(0.0).max(floor).max(0.02);
            let recent: Vec<(i64, u64)> = s
                .map(|s| s.recent.iter().copied().filter(|(w, _)| window - w < MAX_DAYS as i64).collect())
                .unwrap_or_default();
            let mut best: Option<(u64, f64, f64, i64)> = None; // total, expected, p, span
            for span in 2..=MAX_DAYS as i64 {
                let inside: Vec<(i64, u64)> = recent.iter().copied().filter(|(w, _)| window - w < span).collect();
                if inside.is_empty() {
                    continue;
                }
                let total = n + inside.iter().map(|(_, c)| c).sum::<u64>();
                let expected = base * (0..span).map(|j| factor(window - j)).sum::<f64>();
                let p = poisson_sf(total, expected);
                if total >= MIN_COUNT && total as f64 >= MIN_RATIO * expected && best.is_none_or(|b| p < b.2) {
                    best = Some((total, expected, p, span));
                }
            }
            // Only a window that is itself in excess extends a burn: a span that
            // alerts on the strength of days past would drag the issue on after
            // the problem ended.
            let hot = |w: i64, c: u64| c >= 2 && c as f64 >= MIN_RATIO * base * factor(w);
            // ... and holds at least TAIL_SHARE of the span's mean day: with a baseline
            // near zero, two everyday "涨价了" the day after a price increase would
            // otherwise keep the burn going.
            let strong = |w: i64, c: u64, span: i64, total: u64| {
                hot(w, c) && c as f64 >= TAIL_SHARE * total as f64 / span as f64
            };
            if let Some((total, expected, p, span)) = best.filter(|b| strong(window, n, b.3, b.0)) {
                // Dated from the first day of the run of strong days (in excess and
                // with TAIL_SHARE of the span's mean day) that ends with this one: a
                // span may open with ordinary days, or with an earlier day of
                // background a little above its baseline.
                let mut start = window;
                while recent.iter().any(|&(w, c)| w == start - 1 && strong(w, c, span, total)) {
                    start -= 1;
                }
                tests.push((k.clone(), total, expected, p, start));
            }
        }
        let m = (counts.len() * (MAX_DAYS - 1)).max(1) as f64;
        let mut alerts = Vec::new();
        for (k, total, expected, p, start) in tests {
            if warm && p * m <= ALPHA {
                alerts.push((k, total, expected, -p.max(1e-300).log10(), start));
            }
        }
        // Fold the window into the baselines (frozen while alerting). A key first
        // seen after the detector's first window had zero on every window before:
        // its baseline is the mean over all of them (a store's first service
        // complaint on day 10 is one in ten days, not one a day).
        let alerting: HashSet<&String> = alerts.iter().map(|a| &a.0).collect();
        let before = sb.windows;
        for (k, &n) in &counts {
            let group = k.split_once('\u{1f}').map_or("", |(_, g)| g);
            // In complaints per usual day of orders.
            let usual = n as f64 / sb.orders.get(group).map_or(1.0, |o| o.factor(window));
            let s = sb.series.entry(k.clone()).or_default();
            s.recent.push_back((window, n));
            while s.recent.front().is_some_and(|(w, _)| window - w >= MAX_DAYS as i64) {
                s.recent.pop_front();
            }
            if alerting.contains(k) {
                s.alerting = Some(window);
                continue;
            }
            s.fold(window, usual, before);
        }
        sb.windows += 1;
        for (k, total, expected, score, start) in alerts {
            self.record_burn(&k, window, start, total, expected, score);
        }
    }

    fn record_burn(&mut self, k: &str, window: i64, start: i64, count: u64, expected: f64, score: f64) {
        let mut parts = k.split('\u{1f}');
        let (topic, field, value) =
            (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let alert = Alert {
            cluster: format!("scan:{k}"),
            group: Group::new(field, value),
            window,
            count,
            expected,
            score,
            new_cluster: false,
        };
        let severity = self.severity(Kind::Complaint, &[topic.to_string()], &alert);
        let gap = self.options.episode_gap;
        let size = self.options.window;
        let sb = &mut self.state.slow_burn;
        let episode = match sb.episodes.iter_mut().rev().find(|e| e.cluster == alert.cluster && window - e.end <= gap) {
            Some(e) => e,
            None => {
                sb.episodes.push(Episode {
                    id: format!("s-{topic}-{value}-{}", format_window(start, size)),
                    cluster: alert.cluster.clone(),
                    kind: Kind::Complaint,
                    start,
                    end: window,
                    severity,
                    score,
                    alerts: Vec::new(),
                    name: None,
                });
                sb.episodes.last_mut().expect("just pushed")
            }
        };
        episode.start = episode.start.min(start);
        episode.end = episode.end.max(window);
        episode.severity = episode.severity.max(severity);
        episode.score = episode.score.max(score);
        episode.alerts.push(alert);
        sb.touched.insert(episode.id.clone());
    }

    /// The records of reports of the lexicon problem `problem` (alone or with any
    /// object: 涨价, 锅底·涨价) counted from window `from` to `to` in the `alerted`
    /// groups and those where a burn of that problem among `episodes` alerted. An
    /// incident merged from a burn of 涨价 and a cluster of the same days runs as
    /// long as either, while the burn's own episode may stop a day early (its
    /// baseline rises with the burst); its late reports are the incident's still.
    pub(super) fn problem_hits(
        &self,
        episodes: &[&str],
        alerted: &[GroupCount],
        problem: &str,
        from: i64,
        to: i64,
    ) -> Vec<&str> {
        let sb = &self.state.slow_burn;
        let names_problem = |series: &str| {
            let named = series.strip_prefix(PROBLEM).or_else(|| series.strip_prefix(OBJECT));
            named.is_some_and(|n| n.rsplit('·').next() == Some(problem))
        };
        // The groups (`field\u{1f}value`) of the problem's burns.
        let mut groups: HashSet<String> = (sb.episodes.iter())
            .filter(|e| episodes.contains(&e.id.as_str()))
            .filter_map(|e| e.cluster.trim_start_matches("scan:").split_once('\u{1f}'))
            .filter(|(series, _)| names_problem(series))
            .map(|(_, group)| group.to_string())
            .collect();
        groups.extend(alerted.iter().map(|a| format!("{}\u{1f}{}", a.field, a.value)));
        (sb.hits.iter())
            .filter(|h| h.window >= from && h.window <= to)
            .filter(|h| {
                let k = sb.names.value(h.key);
                k.split_once('\u{1f}').is_some_and(|(series, g)| groups.contains(g) && names_problem(series))
            })
            .map(|h| &*self.records[h.record as usize].id)
            .collect()
    }

    /// The slow-burn issues of this run, and those of earlier runs ending at or
    /// after `context_from` as context ([`super::report::as_context`]).
    pub(super) fn burn_issues(&self, since: Option<i64>, context_from: Option<i64>) -> Vec<Issue> {
        let size = self.options.window;
        let sb = &self.state.slow_burn;
        sb.episodes
            .iter()
            .filter(|e| super::report::in_view(sb.touched.contains(&e.id), e.end, since, context_from))
            .map(|e| {
                let k = e.cluster.trim_start_matches("scan:");
                let series = k.split('\u{1f}').next().unwrap_or("");
                let mut record_ids: Vec<String> = Vec::new();
                let mut texts: Vec<&str> = Vec::new();
                let mut clause_topics: BTreeMap<&str, usize> = BTreeMap::new();
                let mut examples: Vec<Example> = Vec::new();
                let mut seen = HashSet::new();
                let key = sb.names.get(k);
                for h in &sb.hits {
                    let id = &*self.records[h.record as usize].id;
                    if Some(h.key) == key && h.window >= e.start && h.window <= e.end && seen.insert(id) {
                        record_ids.push(id.to_string());
                        let text = self.texts.value(h.text);
                        texts.push(text);
                        *clause_topics.entry(sb.names.value(h.topic)).or_insert(0) += 1;
                        if examples.len() < self.options.examples && !examples.iter().any(|x| x.text == text) {
                            examples.push(Example { id: id.to_string(), text: text.to_string() });
                        }
                    }
                }
                // A lexicon series takes the topic most of its clauses have, and its key as name.
                let topic = if lexicon_key(series) {
                    clause_topics
                        .iter()
                        .filter(|(t, _)| !t.is_empty())
                        .max_by_key(|(_, n)| **n)
                        .map(|(t, _)| t.to_string())
                        .unwrap_or_default()
                } else {
                    series.to_string()
                };
                let name = match (series.strip_prefix(OBJECT), series.strip_prefix(PROBLEM)) {
                    (Some(object_problem), _) => object_problem.to_string(),
                    (None, Some(problem)) => {
                        let fallback = naming::name_kind(false, &texts, &[topic.as_str()]);
                        let object = fallback.split('·').next().unwrap_or("其他");
                        if problem.contains(object) {
                            problem.to_string()
                        } else {
                            format!("{object}·{problem}")
                        }
                    }
                    _ => naming::name_kind(false, &texts, &[topic.as_str()]),
                };
                let last = e.alerts.last();
                let alerts: Vec<GroupCount> = last
                    .map(|a| GroupCount { field: a.group.field.clone(), value: a.group.value.clone(), count: a.count })
                    .into_iter()
                    .collect();
                let mut issue = Issue {
                    id: e.id.clone(),
                    name,
                    keywords: Vec::new(),
                    kind: Kind::Complaint,
                    severity: e.severity,
                    topics: if topic.is_empty() { Vec::new() } else { vec![topic] },
                    start: format_window(e.start, size),
                    end: format_window(e.end, size),
                    count: record_ids.len() as u64,
                    expected: (last.map(|a| a.expected).unwrap_or(0.0) * 100.0).round() / 100.0,
                    score: (e.score * 100.0).round() / 100.0,
                    groups: Vec::new(),
                    alerts,
                    record_ids,
                    examples,
                    cluster: e.cluster.clone(),
                    merged_ids: Vec::new(),
                };
                if !sb.touched.contains(&e.id) {
                    super::report::as_context(&mut issue);
                }
                issue
            })
            .collect()
    }
}
