//! One window: clauses become complaint and praise units, units join clusters,
//! each cluster's counts per store, region and chain are spike-tested, and alerts
//! extend episodes (steps 1–3 of the design note in the module docs).

use super::feed::{is_complaint, is_junk, Groups};
use super::slow_burn::BurnCounts;
use super::{naming, Episode, IssueDetector, Member, RecordMeta, Seen, Severity};
use crate::cluster::{Kind, Unit};
use crate::pipeline::Analysis;
use crate::segment::Segmenter;
use crate::spike::{Alert, Group, Observation};
use crate::window::format_window;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A window being filled, chunk by chunk ([`IssueDetector::add_records`]): what
/// its records add before it is tested ([`IssueDetector::close_window`]). Only
/// counts are kept, so a window's analyses (and their embeddings) need not be
/// held all at once.
pub(super) struct OpenWindow {
    window: i64,
    /// Records per group (junk excluded).
    volumes: HashMap<Group, u64>,
    /// (cluster index) -> records and their groups.
    hits: BTreeMap<usize, Vec<(u32, Groups)>>,
    /// Each store's parent groups, for the exposure (with volume joined in).
    parents: HashMap<Group, Vec<Group>>,
    burns: BurnCounts,
}

impl OpenWindow {
    pub(super) fn new(window: i64) -> Self {
        OpenWindow {
            window,
            volumes: HashMap::new(),
            hits: BTreeMap::new(),
            parents: HashMap::new(),
            burns: BurnCounts::default(),
        }
    }
}

impl IssueDetector {
    /// Adds one window of analyzed records. Windows must come in increasing order;
    /// a window already processed (by this or an earlier run) is skipped. Unlike
    /// [`IssueDetector::process`], this does not check the window against the
    /// clock: a window far ahead moves the state there.
    pub fn add_window(&mut self, window: i64, batch: &[(RecordMeta, Analysis)], segmenter: &Segmenter) -> Vec<Alert> {
        match self.open_window(window) {
            Some(mut open) => {
                self.add_records(&mut open, batch, segmenter);
                self.close_window(open)
            }
            None => {
                self.skipped_old += batch.len();
                Vec::new()
            }
        }
    }

    /// A new window to fill, or `None` when the window was already processed.
    pub(super) fn open_window(&self, window: i64) -> Option<OpenWindow> {
        (!self.last_window().is_some_and(|l| window <= l)).then(|| OpenWindow::new(window))
    }

    /// Adds records of the open window: their clauses join clusters, and their
    /// counts are kept for the window's tests.
    pub(super) fn add_records(
        &mut self,
        open: &mut OpenWindow,
        batch: &[(RecordMeta, Analysis)],
        segmenter: &Segmenter,
    ) {
        let window = open.window;
        let fields = self.options.group_fields.clone();
        let volumes = &mut open.volumes;
        let hits = &mut open.hits;
        for (meta, analysis) in batch {
            self.store_parents(&mut open.parents, meta);
            if is_junk(analysis) {
                continue;
            }
            *volumes.entry(Group::chain()).or_insert(0) += 1;
            for (f, v) in fields.iter().zip(&meta.groups) {
                if let Some(v) = v {
                    *volumes.entry(Group::new(f.clone(), v.clone())).or_insert(0) += 1;
                }
            }
            let record = self.records.len() as u32;
            let groups = self.group_sets.intern(&meta.groups);
            self.records.push(Seen { id: meta.id.as_str().into(), groups });
            self.count_burns(&mut open.burns, window, record, meta, analysis);
            let topic_bits = (analysis.clauses.iter().flat_map(|c| &c.topics))
                .fold(0u16, |bits, t| bits | naming::topic_bit(&t.label));
            self.record_topics.push(topic_bits);
            for clause in &analysis.clauses {
                let Some(sentiment) = &clause.sentiment else { continue };
                let polarity = self.options.min_polarity;
                let kind = match sentiment.label.as_str() {
                    _ if is_complaint(clause, polarity) => Kind::Complaint,
                    "positive" if self.options.praise && sentiment.score >= polarity => Kind::Praise,
                    _ => continue,
                };
                // (`process` refuses records whose embeddings have another size.)
                if clause.embedding.is_empty()
                    || self.state.clusterer.embedding_dim().is_some_and(|d| d != clause.embedding.len())
                {
                    continue;
                }
                let mut terms: Vec<String> = Vec::new();
                // Key terms: words of two or more characters (单字 such as 里/吃/出 are
                // too common to tell complaints apart).
                for w in segmenter.words(&clause.clause.text) {
                    if w.chars().count() >= 2 && !terms.contains(&w) && terms.len() < 8 {
                        terms.push(w);
                    }
                }
                let topics: Vec<String> = clause.topics.iter().map(|t| t.label.clone()).collect();
                let unit = Unit { kind, embedding: &clause.embedding, terms: &terms, topics: &topics, window };
                let (ci, similarity) = self.state.clusterer.assign(&unit);
                let entry = hits.entry(ci).or_default();
                if entry.last().map(|(r, _)| *r) != Some(record) {
                    entry.push((record, meta.groups.clone()));
                }
                let cluster = self.cluster_keys.intern(&self.state.clusterer.clusters()[ci].id);
                let text = self.texts.intern(clause.clause.text.as_str());
                self.members.push(Member { record, cluster, window, similarity, kind, text });
            }
        }
    }

    /// Tests the filled window: every cluster's counts per group for spikes, and
    /// the complaints per topic × group for slow burns. Returns the spikes' alerts.
    pub(super) fn close_window(&mut self, open: OpenWindow) -> Vec<Alert> {
        let OpenWindow { window, volumes, hits, parents, burns } = open;
        let fields = self.options.group_fields.clone();
        // Count per cluster per group.
        let mut observations = Vec::new();
        let mut reportable: HashMap<String, bool> = HashMap::new();
        for (&ci, recs) in &hits {
            let cluster_id = self.state.clusterer.clusters()[ci].id.clone();
            reportable.insert(cluster_id.clone(), self.state.clusterer.is_reportable(ci));
            let finest = |g: &Vec<Option<String>>| g.first().cloned().flatten();
            let distinct_all: BTreeSet<Option<String>> = recs.iter().map(|(_, g)| finest(g)).collect();
            let distinct = if fields.is_empty() { recs.len() } else { distinct_all.len() };
            let expected = self.state.spikes.expected(&cluster_id, &Group::chain(), window);
            self.chain_stats.insert((cluster_id.clone(), window), (recs.len() as u64, expected));
            observations.push(Observation {
                cluster: cluster_id.clone(),
                group: Group::chain(),
                count: recs.len() as u64,
                distinct_groups: distinct,
                finest: fields.is_empty(),
            });
            for (level, field) in fields.iter().enumerate() {
                let mut by_value: BTreeMap<&str, (u64, BTreeSet<Option<String>>)> = BTreeMap::new();
                for (_, g) in recs {
                    if let Some(Some(v)) = g.get(level) {
                        let e = by_value.entry(v.as_str()).or_default();
                        e.0 += 1;
                        e.1.insert(finest(g));
                    }
                }
                for (value, (count, stores)) in by_value {
                    observations.push(Observation {
                        cluster: cluster_id.clone(),
                        group: Group::new(field.clone(), value),
                        count,
                        distinct_groups: stores.len(),
                        finest: level == 0,
                    });
                }
            }
        }
        let exposure = self.exposure(window, parents);
        let clusters = &self.state.clusterer;
        // A map, not `position` per observation: real data leaves tens of thousands of clusters.
        let firsts: HashMap<&str, i64> = clusters.clusters().iter().map(|c| (c.id.as_str(), c.first_window)).collect();
        let first_window = |id: &str| firsts.get(id).copied();
        let alerts = self.state.spikes.process_window_with_exposure(
            window,
            &observations,
            &volumes,
            exposure.as_ref(),
            &first_window,
        );
        let alerts: Vec<Alert> =
            alerts.into_iter().filter(|a| reportable.get(&a.cluster).copied().unwrap_or(false)).collect();
        for alert in &alerts {
            self.record_alert(alert);
        }
        self.scan_window(window, burns, exposure.as_ref());
        let forgotten = self.state.clusterer.forget_stale(window);
        self.state.spikes.forget(&forgotten);
        alerts
    }

    fn record_alert(&mut self, alert: &Alert) {
        let Some(ci) = self.state.clusterer.position(&alert.cluster) else { return };
        let kind = self.state.clusterer.clusters()[ci].kind;
        let topics: Vec<String> =
            self.state.clusterer.clusters()[ci].top_topics(2).into_iter().map(str::to_string).collect();
        let severity = self.severity(kind, &topics, alert);
        let gap = self.options.episode_gap;
        let size = self.options.window;
        let episode = match self
            .state
            .episodes
            .iter_mut()
            .rev()
            .find(|e| e.cluster == alert.cluster && alert.window - e.end <= gap)
        {
            Some(e) => e,
            None => {
                let name = self.name_spike(ci, alert);
                self.state.episodes.push(Episode {
                    id: format!("{}-{}", alert.cluster, format_window(alert.window, size)),
                    cluster: alert.cluster.clone(),
                    kind,
                    start: alert.window,
                    end: alert.window,
                    severity,
                    score: alert.score,
                    alerts: Vec::new(),
                    name: Some(name),
                });
                self.state.episodes.last_mut().expect("just pushed")
            }
        };
        episode.end = episode.end.max(alert.window);
        episode.severity = episode.severity.max(severity);
        episode.score = episode.score.max(alert.score);
        episode.alerts.push(alert.clone());
        self.touched.insert(episode.id.clone());
        if self.state.clusterer.clusters()[ci].name.is_none() {
            let name = self.name_cluster(ci);
            self.state.clusterer.cluster_mut(ci).name = Some(name);
        }
    }

    pub(super) fn severity(&self, kind: Kind, topics: &[String], alert: &Alert) -> Severity {
        if kind == Kind::Praise {
            return Severity::Green;
        }
        self.options.severity.grade(topics.first(), alert.count, Some(alert.score))
    }

    /// The name of a spike: from the cluster's clauses in the alerting window and
    /// group, the ones that rose (a cluster's clauses over the whole month are
    /// mostly everyday background: "味道差" all month, "薯条味道怪" on the spike's day).
    fn name_spike(&self, ci: usize, alert: &Alert) -> String {
        let c = &self.state.clusterer.clusters()[ci];
        let level = self.options.group_fields.iter().position(|f| *f == alert.group.field);
        let key = self.cluster_keys.get(&c.id);
        let texts: Vec<&str> = self
            .members
            .iter()
            .filter(|m| m.window == alert.window && Some(m.cluster) == key)
            .filter(|m| {
                level.is_none_or(|l| {
                    self.groups_of(m.record).get(l).and_then(|v| v.as_deref()) == Some(alert.group.value.as_str())
                })
            })
            .map(|m| self.text(m))
            .collect();
        if texts.is_empty() {
            return self.name_cluster(ci);
        }
        naming::name_kind(c.kind == Kind::Praise, &texts, &c.top_topics(2))
    }

    pub(super) fn name_cluster(&self, ci: usize) -> String {
        let c = &self.state.clusterer.clusters()[ci];
        let key = self.cluster_keys.get(&c.id);
        let texts: Vec<&str> = self.members.iter().filter(|m| Some(m.cluster) == key).map(|m| self.text(m)).collect();
        naming::name_kind(c.kind == Kind::Praise, &texts, &c.top_topics(2))
    }
}
