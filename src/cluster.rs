//! Incremental clustering of complaint (and praise) units.
//!
//! A unit is one negative (or positive) clause: its embedding and key terms. A
//! unit joins the most similar existing cluster of its kind when the cosine
//! similarity to the cluster's centroid, plus a bonus when they share a key
//! term, reaches [`ClusterOptions::similarity`]; otherwise it starts a new
//! cluster. New data joins existing clusters: history is never re-clustered.
//! Candidates come from an inverted index on key terms and topics, so a unit is
//! compared with a few dozen clusters, not all of them.
//!
//! Clusters smaller than [`ClusterOptions::min_size`] or less cohesive than
//! [`ClusterOptions::min_cohesion`] are background: counted, never reported.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Complaint or praise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A negative clause.
    Complaint,
    /// A positive clause.
    Praise,
}

impl Kind {
    /// `complaint` or `praise`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Complaint => "complaint",
            Kind::Praise => "praise",
        }
    }
}

/// Clustering options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClusterOptions {
    /// Similarity (cosine + term bonus) needed to join a cluster (default 0.58).
    pub similarity: f32,
    /// Added to the cosine when the unit shares a key term with the cluster (default 0.15).
    pub term_bonus: f32,
    /// Topics that partition the clusters (default `["hygiene"]`): a unit with one of
    /// them joins only clusters where a quarter of the members share it, and a unit
    /// without it never joins such a cluster. "汉堡里有头发" is a food-safety
    /// complaint, not one more burger complaint.
    pub separate_topics: Vec<String>,
    /// Similarity needed to join a cluster of a separating topic (default 0.5): the
    /// topic already agrees, and such reports are rare and urgent.
    pub separate_similarity: f32,
    /// Clusters with fewer members are background (default 3).
    pub min_size: u64,
    /// Clusters whose members are on average less similar to the centroid are too diffuse to report (default 0.5).
    pub min_cohesion: f32,
    /// Candidate clusters kept per index entry (default 48).
    pub candidates_per_key: usize,
    /// Background clusters with no new member for this many windows are forgotten (default 21).
    pub forget_after: i64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            similarity: 0.58,
            term_bonus: 0.15,
            separate_topics: vec!["hygiene".to_string()],
            separate_similarity: 0.5,
            min_size: 3,
            min_cohesion: 0.5,
            candidates_per_key: 48,
            forget_after: 21,
        }
    }
}

impl ClusterOptions {
    /// Sets the similarity needed to join a cluster.
    pub fn with_similarity(mut self, s: f32) -> Self {
        self.similarity = s;
        self
    }
    /// Sets the bonus for a shared key term.
    pub fn with_term_bonus(mut self, b: f32) -> Self {
        self.term_bonus = b;
        self
    }
    /// Sets the smallest reportable cluster.
    pub fn with_min_size(mut self, n: u64) -> Self {
        self.min_size = n;
        self
    }
    /// Sets the least cohesion of a reportable cluster.
    pub fn with_min_cohesion(mut self, c: f32) -> Self {
        self.min_cohesion = c;
        self
    }
}

/// One clause to cluster.
#[derive(Clone, Copy, Debug)]
pub struct Unit<'a> {
    /// Complaint or praise.
    pub kind: Kind,
    /// L2-normalized embedding.
    pub embedding: &'a [f32],
    /// Key terms (content words).
    pub terms: &'a [String],
    /// Topic labels from the classifier.
    pub topics: &'a [String],
    /// Window the unit belongs to.
    pub window: i64,
}

/// A group of units that say the same thing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Stable id, e.g. `c-0000017`.
    pub id: String,
    /// Complaint or praise.
    pub kind: Kind,
    /// Members so far (over all runs).
    pub size: u64,
    /// Key-term counts (the most frequent kept).
    pub terms: BTreeMap<String, u32>,
    /// Topic counts.
    pub topics: BTreeMap<String, u32>,
    /// Window of the first member.
    pub first_window: i64,
    /// Window of the latest member.
    pub last_window: i64,
    /// Readable name, fixed the first time the cluster is reported.
    #[serde(default)]
    pub name: Option<String>,
    sum: Vec<f32>,
    sim_sum: f64,
}

impl Cluster {
    /// The L2-normalized mean of the members' embeddings.
    pub fn centroid(&self) -> Vec<f32> {
        let norm = self.sum.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        self.sum.iter().map(|x| x / norm).collect()
    }

    /// Mean similarity of members to the centroid when they joined (1.0 for a singleton).
    pub fn cohesion(&self) -> f32 {
        if self.size <= 1 {
            1.0
        } else {
            (self.sim_sum / (self.size - 1) as f64) as f32
        }
    }

    /// The `k` most frequent key terms, most frequent first (ties by term).
    pub fn top_terms(&self, k: usize) -> Vec<(&str, u32)> {
        let mut v: Vec<(&str, u32)> = self.terms.iter().map(|(t, &n)| (t.as_str(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(k);
        v
    }

    /// The most frequent topics, most frequent first.
    pub fn top_topics(&self, k: usize) -> Vec<&str> {
        let mut v: Vec<(&str, u32)> = self.topics.iter().map(|(t, &n)| (t.as_str(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.into_iter().take(k).map(|(t, _)| t).collect()
    }

    /// Whether the unit names an object (薯条, 鸡腿堡, ...; lexicons/issue_names.txt)
    /// while the cluster is about other objects: "薯条有股怪味" does not join
    /// "鸡腿堡的鸡肉有股怪味" however close their embeddings. `unit_objects` are the
    /// unit's objects, `dominant` the cluster's ([`Cluster::dominant_objects`]).
    fn object_conflict(&self, unit_objects: &[&str], dominant: impl FnOnce() -> Vec<&'static str>) -> bool {
        if unit_objects.is_empty() || self.size < 2 {
            return false;
        }
        let dominant = dominant();
        !dominant.is_empty() && !unit_objects.iter().any(|o| dominant.contains(o))
    }

    /// The objects of the terms that at least half of the members share.
    fn dominant_objects(&self) -> Vec<&'static str> {
        self.terms
            .iter()
            .filter(|(_, &n)| u64::from(n) * 2 >= self.size)
            .filter_map(|(t, _)| crate::issues::naming::object_of(t))
            .collect()
    }

    /// Whether the unit and the cluster agree on each separating topic.
    fn same_side(&self, unit: &Unit<'_>, separate: &[String]) -> bool {
        separate.iter().all(|t| {
            let in_cluster = self.topics.get(t).is_some_and(|&n| u64::from(n) * 4 >= self.size);
            unit.topics.contains(t) == in_cluster
        })
    }

    fn similarity(&self, unit: &Unit<'_>, norm: f32) -> f32 {
        let dot: f32 = self.sum.iter().zip(unit.embedding).map(|(a, b)| a * b).sum();
        dot / norm.max(1e-12)
    }

    fn norm(&self) -> f32 {
        self.sum.iter().map(|x| x * x).sum::<f32>().sqrt()
    }
}

/// The incremental clusterer. Its state serializes, so a nightly job continues
/// with yesterday's clusters.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Clusterer {
    options: ClusterOptions,
    clusters: Vec<Cluster>,
    next_id: u64,
    #[serde(skip)]
    index: HashMap<(Kind, String), Vec<u32>>,
    #[serde(skip)]
    derived: Derived,
}

/// What the candidate search needs of each cluster beyond its fields, kept
/// beside the clusters so that it is not recomputed for every unit (a unit is
/// compared with up to a thousand clusters). Not serialized: rebuilt when its
/// length no longer matches the clusters'.
#[derive(Clone, Debug, Default)]
struct Derived {
    /// `Cluster::norm` of each cluster (the same computation, so the same bits).
    norms: Vec<f32>,
    /// `Cluster::dominant_objects` of each cluster, once asked for, until the cluster changes.
    objects: Vec<Option<Vec<&'static str>>>,
    /// `marks[i] == epoch`: cluster `i` was already looked at for the current unit.
    marks: Vec<u64>,
    epoch: u64,
    /// Cluster id → position (the first cluster with that id), for [`Clusterer::position`],
    /// which checks the hit (a renamed cluster falls back to the scan).
    positions: HashMap<String, usize>,
}

impl Derived {
    /// The clusters indexed under any key of `unit`, each once, in index order.
    fn candidates(&mut self, index: &HashMap<(Kind, String), Vec<u32>>, unit: &Unit<'_>) -> Vec<u32> {
        self.epoch += 1;
        let mut out = Vec::with_capacity(64);
        for key in keys(unit) {
            let Some(list) = index.get(&(unit.kind, key)) else { continue };
            for &ci in list {
                let mark = &mut self.marks[ci as usize];
                if *mark != self.epoch {
                    *mark = self.epoch;
                    out.push(ci);
                }
            }
        }
        out
    }
}

const MAX_TERMS_PER_CLUSTER: usize = 48;

impl Clusterer {
    /// An empty clusterer.
    pub fn new(options: ClusterOptions) -> Self {
        Clusterer { options, clusters: Vec::new(), next_id: 1, index: HashMap::new(), derived: Derived::default() }
    }

    /// The options in force.
    pub fn options(&self) -> &ClusterOptions {
        &self.options
    }

    /// Replaces the options (e.g. after loading a state file with the caller's current options).
    pub fn set_options(&mut self, options: ClusterOptions) {
        self.options = options;
    }

    /// All clusters, background included.
    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    /// Mutable access to one cluster (to fix its name).
    pub fn cluster_mut(&mut self, i: usize) -> &mut Cluster {
        // Its terms and size are public: forget what was derived from them.
        if let Some(o) = self.derived.objects.get_mut(i) {
            *o = None;
        }
        &mut self.clusters[i]
    }

    /// Position of the (first) cluster with `id`.
    pub fn position(&self, id: &str) -> Option<usize> {
        // The detector asks this for every alert and every cluster an issue may take in: a scan
        // of all clusters each time cost 5 % of `fankui issues` on 150,000 comments.
        if let Some(&i) = self.derived.positions.get(id) {
            if self.clusters.get(i).is_some_and(|c| c.id == id) {
                return Some(i);
            }
        }
        self.clusters.iter().position(|c| c.id == id)
    }

    /// Whether cluster `i` is big and cohesive enough to report.
    pub fn is_reportable(&self, i: usize) -> bool {
        let c = &self.clusters[i];
        c.size >= self.options.min_size && c.cohesion() >= self.options.min_cohesion
    }

    /// Adds a unit; returns the index of the cluster it joined or started, and its similarity.
    pub fn assign(&mut self, unit: &Unit<'_>) -> (usize, f32) {
        if self.index.is_empty() && !self.clusters.is_empty() {
            self.rebuild_index();
        }
        self.sync_derived();
        let separate = unit.topics.iter().any(|t| self.options.separate_topics.contains(t));
        let threshold = if separate { self.options.separate_similarity } else { self.options.similarity };
        let unit_objects: Vec<&str> = unit.terms.iter().filter_map(|t| crate::issues::naming::object_of(t)).collect();
        let derived = &mut self.derived;
        let looked_at = derived.candidates(&self.index, unit);
        // Both dot products of a candidate (below) differ by less than (n + 8) × 2⁻²⁴ ×
        // ‖sum‖ × ‖embedding‖ (n = 512: 3.1e-5 of the embedding's norm in cosine);
        // `slack` is 30 times that.
        let slack = 1e-3 * unit.embedding.iter().map(|x| x * x).sum::<f32>().sqrt().max(1.0);
        let bonus = self.options.term_bonus;
        // First pass: each candidate's cosine with a fast dot product (eight partial
        // sums, which vectorize); the filters and the term bonus only for those that
        // can still come near the best so far (`top`).
        let mut candidates: Vec<(u32, f32, bool)> = Vec::with_capacity(64);
        let mut top = f32::NEG_INFINITY;
        let mut finite = true;
        for ci in looked_at {
            let i = ci as usize;
            let c = &self.clusters[i];
            let cos = dot_fast(&c.sum, unit.embedding) / derived.norms[i].max(1e-12);
            finite &= cos.is_finite();
            if finite && cos + bonus.max(0.0) + 2.0 * slack < top {
                continue;
            }
            // In a separating topic the problem, not the object, makes the cluster
            // (hair in a burger, in rice, in tea).
            if !c.same_side(unit, &self.options.separate_topics)
                || (!separate
                    && c.object_conflict(&unit_objects, || {
                        derived.objects[i].get_or_insert_with(|| c.dominant_objects()).clone()
                    }))
            {
                continue;
            }
            let shares = unit.terms.iter().any(|t| c.terms.contains_key(t));
            let approx = cos + if shares { bonus } else { 0.0 };
            top = top.max(approx);
            candidates.push((ci, approx, shares));
        }
        // Second pass, in the same order: the exact score (the sequential sum, as
        // always) of the candidates that can be the best, i.e. the first of the
        // highest exact scores. A candidate left out above or here is more than
        // 2 × `slack` below a candidate's fast score, so its exact score is below
        // that candidate's exact score.
        let mut best: Option<(usize, f32, f32)> = None;
        for (ci, approx, shares) in candidates {
            if finite && approx + 2.0 * slack < top {
                continue;
            }
            let c = &self.clusters[ci as usize];
            let cos = c.similarity(unit, derived.norms[ci as usize]);
            let score = cos + if shares { self.options.term_bonus } else { 0.0 };
            if best.is_none_or(|(_, s, _)| score > s) {
                best = Some((ci as usize, score, cos));
            }
        }
        if !finite {
            // Not a number somewhere (never with finite embeddings): no shortcut.
            best = self.best_exact(unit, separate, &unit_objects);
        }
        let (i, sim) = match best {
            Some((i, score, cos)) if score >= threshold => {
                let c = &mut self.clusters[i];
                for (s, e) in c.sum.iter_mut().zip(unit.embedding) {
                    *s += e;
                }
                c.size += 1;
                c.sim_sum += f64::from(cos);
                c.last_window = c.last_window.max(unit.window);
                self.derived.norms[i] = c.norm();
                (i, cos)
            }
            _ => {
                let id = format!("c-{:07}", self.next_id);
                self.next_id += 1;
                self.clusters.push(Cluster {
                    id,
                    kind: unit.kind,
                    size: 1,
                    terms: BTreeMap::new(),
                    topics: BTreeMap::new(),
                    first_window: unit.window,
                    last_window: unit.window,
                    name: None,
                    sum: unit.embedding.to_vec(),
                    sim_sum: 0.0,
                });
                let c = self.clusters.last().expect("just pushed");
                self.derived.norms.push(c.norm());
                self.derived.objects.push(None);
                self.derived.marks.push(0);
                self.derived.positions.entry(c.id.clone()).or_insert(self.clusters.len() - 1);
                (self.clusters.len() - 1, 1.0)
            }
        };
        let c = &mut self.clusters[i];
        for t in unit.terms {
            *c.terms.entry(t.clone()).or_insert(0) += 1;
        }
        if c.terms.len() > MAX_TERMS_PER_CLUSTER * 2 {
            let keep: Vec<String> =
                c.top_terms(MAX_TERMS_PER_CLUSTER).into_iter().map(|(t, _)| t.to_string()).collect();
            c.terms.retain(|t, _| keep.contains(t));
        }
        for t in unit.topics {
            *c.topics.entry(t.clone()).or_insert(0) += 1;
        }
        self.derived.objects[i] = None;
        self.index_unit(i, unit);
        (i, sim)
    }

    /// The best candidate for `unit` by the exact score of every candidate, in index order.
    fn best_exact(&mut self, unit: &Unit<'_>, separate: bool, unit_objects: &[&str]) -> Option<(usize, f32, f32)> {
        let derived = &mut self.derived;
        let mut best: Option<(usize, f32, f32)> = None;
        for ci in derived.candidates(&self.index, unit) {
            let i = ci as usize;
            let c = &self.clusters[i];
            if !c.same_side(unit, &self.options.separate_topics)
                || (!separate && c.object_conflict(unit_objects, || c.dominant_objects()))
            {
                continue;
            }
            let cos = c.similarity(unit, derived.norms[i]);
            let shares = unit.terms.iter().any(|t| c.terms.contains_key(t));
            let score = cos + if shares { self.options.term_bonus } else { 0.0 };
            if best.is_none_or(|(_, s, _)| score > s) {
                best = Some((i, score, cos));
            }
        }
        best
    }

    /// Rebuilds the derived values when they do not cover the clusters (after
    /// loading a state file or forgetting clusters).
    fn sync_derived(&mut self) {
        let d = &mut self.derived;
        if d.norms.len() == self.clusters.len() {
            return;
        }
        d.norms = self.clusters.iter().map(Cluster::norm).collect();
        d.objects = vec![None; self.clusters.len()];
        d.marks = vec![0; self.clusters.len()];
        d.positions.clear();
        for (i, c) in self.clusters.iter().enumerate() {
            d.positions.entry(c.id.clone()).or_insert(i);
        }
    }

    fn index_unit(&mut self, i: usize, unit: &Unit<'_>) {
        let cap = self.options.candidates_per_key.max(1);
        for key in keys(unit) {
            let list = self.index.entry((unit.kind, key)).or_default();
            if list.contains(&(i as u32)) {
                continue;
            }
            list.push(i as u32);
            if list.len() > cap * 2 {
                // Keep the biggest clusters, then the most recent.
                let clusters = &self.clusters;
                list.sort_by_key(|&c| {
                    let c = &clusters[c as usize];
                    std::cmp::Reverse((c.size, c.last_window))
                });
                list.truncate(cap);
            }
        }
    }

    fn rebuild_index(&mut self) {
        self.index.clear();
        let cap = self.options.candidates_per_key.max(1);
        let mut order: Vec<usize> = (0..self.clusters.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse((self.clusters[i].size, self.clusters[i].last_window)));
        for i in order {
            let c = &self.clusters[i];
            let ks = c.top_terms(8).into_iter().map(|(t, _)| format!("w:{t}"));
            let ts = c.top_topics(2).into_iter().map(|t| format!("t:{t}"));
            for key in ks.chain(ts) {
                let list = self.index.entry((c.kind, key)).or_default();
                if list.len() < cap {
                    list.push(i as u32);
                }
            }
        }
    }

    /// The embedding size of the clusters (`None` when there are none).
    pub fn embedding_dim(&self) -> Option<usize> {
        self.clusters.first().map(|c| c.sum.len())
    }

    /// Checks a clusterer read from a state file: unique ids below the next id,
    /// embeddings of one size (`dim` when given) with finite values, sizes of at
    /// least one, windows within `range` and in order.
    pub(crate) fn validate(
        &self,
        dim: Option<usize>,
        range: (i64, i64),
        size: crate::window::WindowSize,
    ) -> Result<(), String> {
        let model_dim = dim.is_some();
        let dim = dim.or_else(|| self.embedding_dim());
        let mut ids = std::collections::HashSet::new();
        for c in &self.clusters {
            let bad = |why: String| Err(format!("cluster {}: {why}", c.id));
            if !ids.insert(c.id.as_str()) {
                return bad("appears twice".into());
            }
            if let Some(n) = c.id.strip_prefix("c-").and_then(|n| n.parse::<u64>().ok()) {
                if n >= self.next_id {
                    return bad(format!("its number is not below the next cluster number ({})", self.next_id));
                }
            }
            if c.sum.is_empty() {
                return bad("its embedding is empty".into());
            }
            if let Some(want) = dim.filter(|&d| d != c.sum.len()) {
                return bad(format!(
                    "its embedding has {} values, but {} {want}",
                    c.sum.len(),
                    if model_dim {
                        "the model's embeddings have".to_string()
                    } else {
                        format!("cluster {}'s has", self.clusters[0].id)
                    }
                ));
            }
            if !c.sum.iter().all(|x| x.is_finite()) || !c.sim_sum.is_finite() {
                return bad("its embedding or cohesion is not a finite number".into());
            }
            if c.size == 0 {
                return bad("it has no members".into());
            }
            if c.first_window > c.last_window || c.first_window < range.0 || c.last_window > range.1 {
                return bad(format!(
                    "its windows {}..{} are out of range",
                    crate::window::describe_window(c.first_window, size),
                    crate::window::describe_window(c.last_window, size)
                ));
            }
        }
        Ok(())
    }

    /// Forgets background clusters that got no member for `forget_after` windows
    /// before `now`. Returns the ids forgotten.
    pub fn forget_stale(&mut self, now: i64) -> Vec<String> {
        let min_size = self.options.min_size;
        let horizon = now - self.options.forget_after;
        let mut gone = Vec::new();
        self.clusters.retain(|c| {
            let keep = c.size >= min_size || c.last_window >= horizon;
            if !keep {
                gone.push(c.id.clone());
            }
            keep
        });
        if !gone.is_empty() {
            self.derived = Derived::default();
            self.sync_derived();
            self.rebuild_index();
        }
        gone
    }
}

/// A dot product in eight partial sums: fast, but not the same bits as the
/// sequential sum of [`Cluster::similarity`] (see [`Clusterer::assign`]).
fn dot_fast(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f32>() + ra.iter().zip(rb).map(|(x, y)| x * y).sum::<f32>()
}

/// Index keys of a unit: its terms and topics.
fn keys<'a>(unit: &'a Unit<'a>) -> impl Iterator<Item = String> + 'a {
    unit.terms
        .iter()
        .map(|t| format!("w:{t}"))
        .chain(unit.topics.iter().filter(|t| t.as_str() != crate::classify::OTHER).map(|t| format!("t:{t}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit<'a>(e: &'a [f32], terms: &'a [String]) -> Unit<'a> {
        Unit { kind: Kind::Complaint, embedding: e, terms, topics: &[], window: 0 }
    }

    fn norm(v: [f32; 3]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn a_food_safety_report_does_not_join_a_look_alike_cluster_of_another_topic() {
        let mut c = Clusterer::new(ClusterOptions::default());
        let burger: Vec<String> = vec!["汉堡".into()];
        let other: Vec<String> = vec!["taste".into()];
        let hygiene: Vec<String> = vec!["hygiene".into()];
        let e = norm([1.0, 0.1, 0.0]);
        let u = |topics| Unit { kind: Kind::Complaint, embedding: &e, terms: &burger, topics, window: 0 };
        let dry = c.assign(&u(&other)).0;
        assert_eq!(c.assign(&u(&other)).0, dry);
        // Same embedding and term, but a hygiene report: its own cluster…
        let hair = c.assign(&u(&hygiene)).0;
        assert_ne!(hair, dry);
        // …which the next hygiene report joins, and a plain taste complaint does not.
        assert_eq!(c.assign(&u(&hygiene)).0, hair);
        assert_eq!(c.assign(&u(&other)).0, dry);
    }

    #[test]
    fn a_complaint_about_another_object_starts_its_own_cluster() {
        let mut c = Clusterer::new(ClusterOptions::default());
        let e = norm([1.0, 0.2, 0.0]);
        let burger: Vec<String> = vec!["鸡腿堡".into(), "怪味".into()];
        let fries: Vec<String> = vec!["薯条".into(), "怪味".into()];
        let b = c.assign(&unit(&e, &burger)).0;
        assert_eq!(c.assign(&unit(&e, &burger)).0, b);
        let f = c.assign(&unit(&e, &fries)).0;
        assert_ne!(f, b, "same embedding, but fries are not the burger");
        assert_eq!(c.assign(&unit(&e, &fries)).0, f);
    }

    #[test]
    fn similar_units_join_and_different_ones_start_clusters() {
        let mut c = Clusterer::new(ClusterOptions::default());
        let fries: Vec<String> = vec!["薯条".into()];
        let hair: Vec<String> = vec!["头发".into()];
        let a = c.assign(&unit(&norm([1.0, 0.1, 0.0]), &fries)).0;
        let b = c.assign(&unit(&norm([0.9, 0.2, 0.0]), &fries)).0;
        let h = c.assign(&unit(&norm([0.0, 0.1, 1.0]), &hair)).0;
        assert_eq!(a, b);
        assert_ne!(a, h);
        assert_eq!(c.clusters()[a].size, 2);
        assert_eq!(c.clusters()[a].top_terms(1)[0].0, "薯条");
    }

    #[test]
    fn complaints_and_praise_never_mix() {
        let mut c = Clusterer::new(ClusterOptions::default());
        let t: Vec<String> = vec!["汉堡".into()];
        let e = norm([1.0, 0.0, 0.0]);
        let a = c.assign(&unit(&e, &t)).0;
        let p = c.assign(&Unit { kind: Kind::Praise, ..unit(&e, &t) }).0;
        assert_ne!(a, p);
    }

    #[test]
    fn state_round_trips_and_keeps_assigning_to_old_clusters() {
        let mut c = Clusterer::new(ClusterOptions::default());
        let t: Vec<String> = vec!["薯条".into()];
        let a = c.assign(&unit(&norm([1.0, 0.1, 0.0]), &t)).0;
        let json = serde_json::to_string(&c).unwrap();
        let mut back: Clusterer = serde_json::from_str(&json).unwrap();
        let b = back.assign(&unit(&norm([1.0, 0.15, 0.0]), &t)).0;
        assert_eq!(back.clusters()[b].id, c.clusters()[a].id);
    }

    #[test]
    fn stale_background_clusters_are_forgotten() {
        let mut c = Clusterer::new(ClusterOptions::default());
        let t: Vec<String> = vec!["可乐".into()];
        c.assign(&unit(&norm([1.0, 0.0, 0.0]), &t));
        assert!(c.forget_stale(5).is_empty());
        assert_eq!(c.forget_stale(100).len(), 1);
        assert!(c.clusters().is_empty());
    }
}
