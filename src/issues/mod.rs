//! Named issues: complaint (and praise) clusters whose counts spike.
//!
//! [`IssueDetector`] takes analyzed records window by window (in time order)
//! and reports issues with a stable id, a readable name ("薯条·味道怪"), a
//! severity, counts, groups and examples. Its state (clusters, baselines, issue
//! ids) saves to a file so the next run continues where this one stopped.
//!
//! # Design: from clause to issue
//!
//! 1. **Units.** Each clause whose sentiment score is at most −[`IssueOptions::min_polarity`]
//!    (0.5) is a complaint unit, at least +0.5 a praise unit: clauses the model is
//!    unsure of would blur the clusters. Junk records are not counted.
//! 2. **Clusters** ([`crate::cluster`]): a unit joins the closest cluster of its kind
//!    when cosine + a bonus for a shared key term reaches 0.58; food-safety
//!    (`hygiene`) units form their own clusters; a unit naming another lexicon
//!    object (薯条 vs 汉堡) never joins. Clusters under 3 members or with cohesion
//!    under 0.5 are background (counted, never reported).
//! 3. **Spikes** ([`crate::spike`]): each cluster's count per window in each store,
//!    region and the chain is tested against its own deseasonalized history
//!    (Poisson tail, Bonferroni over all tests of the window, family-wise 1 %); a
//!    brand-new cluster must come from 3 stores before it counts above store level.
//!    Consecutive alerts of a cluster (at most 2 windows apart) are one episode.
//! 4. **Slow burns** (`slow_burn`): complaints are also counted by topic × store and
//!    topic × region, whatever their wording, and the last 2–7 windows are scanned:
//!    at least 8 complaints on 2+ days, 3× the baseline, Bonferroni 1 %. This
//!    finds rude staff at one store (5–8 a day, each worded differently), which no
//!    single cluster shows.
//! 5. **One incident, one issue** (`incident`): an episode takes in other clusters
//!    that rose with it (≥ 2 reports, ≥ 3× expected, mostly in the alerting
//!    groups) and share its object, or its topic and problem; then issues of one
//!    kind that overlap in time, share a group and an object or topic (and do not
//!    name two different objects) are folded into one.
//! 6. **Names** ([`naming`]): `object·problem` from lexicons, topic name and topic
//!    predicate as fallback, never raw words. Praise without a lexicon object
//!    ("很不错") is no issue; a complaint with neither object nor topic is at most green.
//! 7. **Severity** ([`SeverityOptions`]): red at `-log10 p` ≥ 10 with ≥ 10 reports, or
//!    a `hygiene` issue with ≥ 3; yellow at ≥ 5 with ≥ 5; praise is green. The
//!    Bonferroni-corrected tests keep a month of random real reviews below one
//!    yellow issue a fortnight; the counts keep one-off coincidences green.

mod incident;
pub mod naming;
mod operations;
mod slow_burn;
mod state;

pub use state::StateLock;

use crate::cluster::{ClusterOptions, Clusterer, Kind, Unit};
use crate::error::{Error, Result};
use crate::pipeline::{Analysis, Analyzer, Input, Source};
use crate::quality::QualityFlag;
use crate::segment::Segmenter;
use crate::spike::{Alert, Group, Observation, SpikeDetector, SpikeOptions, CHAIN};
use crate::window::{format_window, Clock, LocalTime, WindowSize, Zone, DEFAULT_TIMEZONE};
use serde::{Deserialize, Serialize};
use state::State;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// How urgent an issue is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look.
    Green,
    /// Needs attention.
    Yellow,
    /// Open a ticket that must be answered within 24 hours.
    Red,
}

/// Thresholds of the severities; chains set their own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SeverityOptions {
    /// Red: an alert at least this strong (`-log10 p`, default 10) ...
    pub red_score: f64,
    /// ... with at least this many reports in the window (default 10).
    pub red_min_count: u64,
    /// Yellow: an alert at least this strong (default 5) ...
    pub yellow_score: f64,
    /// ... with at least this many reports (default 5).
    pub yellow_min_count: u64,
    /// Topics that are red as soon as they alert with `red_topic_min_count` reports (default: hygiene).
    pub red_topics: Vec<String>,
    /// Reports needed for a red topic (default 3).
    pub red_topic_min_count: u64,
}

impl Default for SeverityOptions {
    fn default() -> Self {
        SeverityOptions {
            red_score: 10.0,
            red_min_count: 10,
            yellow_score: 5.0,
            yellow_min_count: 5,
            red_topics: vec!["hygiene".into()],
            red_topic_min_count: 3,
        }
    }
}

/// Options of issue detection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct IssueOptions {
    /// Window length (default one day).
    pub window: WindowSize,
    /// Record fields to count by, finest first (e.g. `["store", "region"]`); the whole chain is always counted.
    pub group_fields: Vec<String>,
    /// Clustering.
    pub cluster: ClusterOptions,
    /// Spike tests.
    pub spike: SpikeOptions,
    /// Severities.
    pub severity: SeverityOptions,
    /// Representative examples per issue (default 5).
    pub examples: usize,
    /// Alerts of one cluster at most this many windows apart belong to one issue (default 2).
    pub episode_gap: i64,
    /// Track praise too (default true).
    pub praise: bool,
    /// A clause counts as a complaint (praise) only when its sentiment score
    /// (P(positive) − P(negative)) is at most −this (at least this); default 0.5.
    /// Clauses the model is unsure of stay out of the clusters.
    pub min_polarity: f32,
    /// Business time zone, an IANA name (default `Asia/Shanghai`): every time is
    /// converted to it and a store's day is its local day there. A time written
    /// without an offset, or a date alone, is local to this zone.
    pub timezone: String,
    /// The run's clock (RFC 3339 or a date); default: the system clock when
    /// [`IssueDetector::process`] starts. Set it for reproducible runs.
    pub now: Option<String>,
    /// A record whose time is more than this many hours after the clock is an
    /// error record, and does not move the state (default 24).
    pub max_future_hours: u32,
    /// A record whose time is more than this many days before the clock is an
    /// error record (default: no limit; a time before the state's last window is
    /// skipped as already processed anyway).
    pub max_past_days: Option<u32>,
}

impl Default for IssueOptions {
    fn default() -> Self {
        IssueOptions {
            window: WindowSize::Day,
            group_fields: vec!["store".into()],
            cluster: ClusterOptions::default(),
            spike: SpikeOptions::default(),
            severity: SeverityOptions::default(),
            examples: 5,
            episode_gap: 2,
            praise: true,
            min_polarity: 0.5,
            timezone: DEFAULT_TIMEZONE.into(),
            now: None,
            max_future_hours: 24,
            max_past_days: None,
        }
    }
}

impl IssueOptions {
    /// Sets the window length.
    pub fn with_window(mut self, window: WindowSize) -> Self {
        self.window = window;
        self
    }
    /// Sets the group fields, finest first.
    pub fn with_group_fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.group_fields = fields.into_iter().map(Into::into).collect();
        self
    }
    /// Sets the clustering options.
    pub fn with_cluster(mut self, options: ClusterOptions) -> Self {
        self.cluster = options;
        self
    }
    /// Sets the spike-test options.
    pub fn with_spike(mut self, options: SpikeOptions) -> Self {
        self.spike = options;
        self
    }
    /// Sets the severity thresholds.
    pub fn with_severity(mut self, options: SeverityOptions) -> Self {
        self.severity = options;
        self
    }
    /// Sets the business time zone (an IANA name such as `Asia/Shanghai`).
    pub fn with_timezone(mut self, zone: impl Into<String>) -> Self {
        self.timezone = zone.into();
        self
    }
    /// Sets the run's clock (RFC 3339 or a date); `None` is the system clock.
    pub fn with_now(mut self, now: Option<String>) -> Self {
        self.now = now;
        self
    }
    /// Sets how many hours after the clock a record's time may be.
    pub fn with_max_future_hours(mut self, hours: u32) -> Self {
        self.max_future_hours = hours;
        self
    }
    /// Sets how many days before the clock a record's time may be (`None`: no limit).
    pub fn with_max_past_days(mut self, days: Option<u32>) -> Self {
        self.max_past_days = days;
        self
    }
    /// The run's clock from these options: time zone, now and limits. Fails on an
    /// unknown time zone or a malformed `now`.
    pub fn clock(&self) -> Result<Clock> {
        Clock::new(Zone::named(&self.timezone)?, self.now.as_deref(), self.max_future_hours, self.max_past_days)
    }
}

/// Where and when a record was written.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordMeta {
    /// Record id.
    pub id: String,
    /// The time as written; its window is taken in [`IssueOptions::timezone`].
    pub time: LocalTime,
    /// Values of the group fields, in [`IssueOptions::group_fields`] order (`None` when missing).
    pub groups: Vec<Option<String>>,
}

/// A group's share of an issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupCount {
    /// Field name.
    pub field: String,
    /// Field value.
    pub value: String,
    /// Reports from this group.
    pub count: u64,
}

/// A representative report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Record id.
    pub id: String,
    /// The clause.
    pub text: String,
}

/// One record to feed to [`IssueDetector::process`]: raw text, or the analysis an
/// earlier `fankui score --embeddings` made (then nothing is scored twice).
#[derive(Clone, Debug)]
pub enum Feed {
    /// Text to analyze and score.
    Text {
        /// The raw text.
        text: String,
        /// Typed or voice.
        source: Source,
    },
    /// An analysis with clause embeddings.
    Analyzed(Box<Analysis>),
}

/// Which fields of a JSON record hold what, for [`Feed::from_json`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RecordFields {
    /// Record id (default `id`).
    pub id: String,
    /// Text (default `text`).
    pub text: String,
    /// RFC 3339 time (default `time`).
    pub time: String,
    /// Voice marker (default `source`).
    pub source: String,
    /// Group fields, finest first (default `["store"]`).
    pub groups: Vec<String>,
}

impl Default for RecordFields {
    fn default() -> Self {
        RecordFields {
            id: "id".into(),
            text: "text".into(),
            time: "time".into(),
            source: "source".into(),
            groups: vec!["store".into()],
        }
    }
}

impl Feed {
    /// Reads one JSON record: raw feedback, or a line of `fankui score --embeddings`
    /// output (reused as is). `line` is the record's position, its id when it has none.
    pub fn from_json(
        mut obj: serde_json::Map<String, serde_json::Value>,
        fields: &RecordFields,
        line: usize,
    ) -> std::result::Result<(RecordMeta, Feed), (String, String)> {
        use serde_json::Value;
        let id = match obj.get(&fields.id) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => line.to_string(),
            Some(other) => other.to_string(),
        };
        let fail = |reason: String| (id.clone(), reason);
        let time = match obj.get(&fields.time) {
            Some(Value::String(s)) => LocalTime::parse(s).map_err(|e| fail(e.to_string()))?,
            Some(_) => return Err(fail(format!("field `{}` is not a string", fields.time))),
            None => return Err(fail(format!("missing field `{}`", fields.time))),
        };
        let groups = fields
            .groups
            .iter()
            .map(|f| match obj.get(f) {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
            .collect();
        let voice = obj.get(&fields.source).and_then(Value::as_str).map(Source::from_field) == Some(Source::Voice);
        let text = match obj.remove(&fields.text) {
            Some(Value::String(s)) => s,
            None => return Err(fail(format!("missing field `{}`", fields.text))),
            Some(_) => return Err(fail(format!("field `{}` is not a string", fields.text))),
        };
        let meta = RecordMeta { id: id.clone(), time, groups };
        let scored = obj
            .get("clauses")
            .and_then(Value::as_array)
            .is_some_and(|cs| !cs.is_empty() && cs.iter().all(|c| c.get("embedding").is_some()));
        if scored && obj.contains_key("quality") {
            obj.insert("text".into(), Value::String(text.clone()));
            if let Ok(a) = serde_json::from_value::<Analysis>(Value::Object(obj)) {
                return Ok((meta, Feed::Analyzed(Box::new(a))));
            }
        }
        let source = if voice { Source::Voice } else { Source::Text };
        Ok((meta, Feed::Text { text, source }))
    }
}

/// What [`IssueDetector::process`] did.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ProcessSummary {
    /// Records fed.
    pub records: usize,
    /// Records flagged as junk (not counted).
    pub junk: usize,
    /// Windows processed.
    pub windows: usize,
    /// Records that could not be analyzed, with the reason.
    pub errors: Vec<(String, String)>,
}

/// A named issue, ready for a ticketing system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Issue {
    /// Stable id: the same issue keeps it across runs (cluster id + first alert window).
    pub id: String,
    /// Readable name, e.g. `薯条·味道怪`.
    pub name: String,
    /// Top keywords of the cluster.
    pub keywords: Vec<String>,
    /// Complaint or praise.
    pub kind: Kind,
    /// Red, yellow or green.
    pub severity: Severity,
    /// The classifier's topics for the cluster, most frequent first.
    pub topics: Vec<String>,
    /// First alerting window.
    pub start: String,
    /// Last alerting window.
    pub end: String,
    /// Reports in the issue's windows (this run).
    pub count: u64,
    /// Chain-wide count expected from history over the same windows.
    pub expected: f64,
    /// Strongest test statistic, `-log10 p`.
    pub score: f64,
    /// Reports per group value, largest first.
    pub groups: Vec<GroupCount>,
    /// The groups whose counts spiked.
    pub alerts: Vec<GroupCount>,
    /// Every member record id (this run).
    pub record_ids: Vec<String>,
    /// Representative reports.
    pub examples: Vec<Example>,
    /// The cluster behind the issue.
    pub cluster: String,
    /// Ids of other issues folded into this one: same kind and name, overlapping
    /// windows (a paraphrase the clusterer kept apart). A ticketing system can
    /// close tickets opened under these ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_ids: Vec<String>,
}

/// An issue's life: consecutive alerts of one cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Episode {
    id: String,
    cluster: String,
    kind: Kind,
    start: i64,
    end: i64,
    severity: Severity,
    score: f64,
    alerts: Vec<Alert>,
}

/// One clause assigned to a cluster during this run.
#[derive(Clone, Debug)]
struct Member {
    record: u32,
    cluster: String,
    window: i64,
    similarity: f32,
    text: String,
}

/// Finds named issues in a stream of analyzed records. Feed windows in time order.
pub struct IssueDetector {
    options: IssueOptions,
    state: State,
    records: Vec<RecordMeta>,
    members: Vec<Member>,
    /// Chain-level (count, expected) per cluster per window, this run.
    chain_stats: HashMap<(String, i64), (u64, f64)>,
    touched: BTreeSet<String>,
    skipped_old: usize,
    /// The state file this detector was resumed from, for messages.
    state_path: Option<PathBuf>,
    /// The lock on that file, held until the detector is dropped.
    lock: Option<StateLock>,
    /// Operations data joined in (`operations`): store attributes and daily orders.
    ops: operations::Ops,
}

impl IssueDetector {
    /// A detector without history. `model` is the fingerprint of the model that
    /// makes the embeddings ([`crate::Model::fingerprint`]).
    pub fn new(options: IssueOptions, model: &str) -> Self {
        let state = State {
            format: state::FORMAT.into(),
            version: state::VERSION,
            model: model.into(),
            window: options.window,
            group_fields: options.group_fields.clone(),
            clusterer: Clusterer::new(options.cluster.clone()),
            spikes: SpikeDetector::new(options.spike.clone(), options.window),
            episodes: Vec::new(),
            slow_burn: Default::default(),
        };
        Self::from_state(options, state)
    }

    /// Continues from a state file (or starts fresh when `path` does not exist).
    /// A state from another model, window size or group fields is refused, and
    /// so is an inconsistent one (embeddings of several sizes, windows out of
    /// range, a last window after the clock plus [`IssueOptions::max_future_hours`]).
    ///
    /// This does not lock the file: a job that may run twice at once should use
    /// [`IssueDetector::open`] (or [`StateLock::acquire`] and
    /// [`IssueDetector::resume_locked`]); [`IssueDetector::save`] takes the lock
    /// for the time of the write either way.
    pub fn resume(options: IssueOptions, model: &str, path: &Path) -> Result<Self> {
        Self::load(options, model, None, path, None)
    }

    /// Locks the state file, then continues from it (or starts fresh when it does
    /// not exist) with the model of `analyzer`. The lock is held until the detector
    /// is dropped; a second run on the same file fails at once with [`Error::State`].
    pub fn open(options: IssueOptions, analyzer: &Analyzer, path: &Path) -> Result<Self> {
        Self::resume_locked(options, analyzer, StateLock::acquire(path)?)
    }

    /// Continues from the state file `lock` holds (or starts fresh when it does
    /// not exist), checking it against the model of `analyzer` (fingerprint and
    /// embedding size). The detector keeps the lock until it is dropped.
    pub fn resume_locked(options: IssueOptions, analyzer: &Analyzer, lock: StateLock) -> Result<Self> {
        let (model, dim) = model_of(analyzer)?;
        let path = lock.path().to_path_buf();
        Self::load(options, &model, Some(dim), &path, Some(lock))
    }

    fn load(
        options: IssueOptions,
        model: &str,
        dim: Option<usize>,
        path: &Path,
        lock: Option<StateLock>,
    ) -> Result<Self> {
        let clock = options.clock()?;
        let mut detector = if path.exists() {
            let mut state = State::load(path, model, options.window, &options.group_fields)?;
            state
                .validate(dim, clock.latest_window(options.window))
                .map_err(|reason| Error::State { path: path.to_path_buf(), reason })?;
            state.clusterer.set_options(options.cluster.clone());
            state.spikes.set_options(options.spike.clone());
            Self::from_state(options, state)
        } else {
            Self::new(options, model)
        };
        detector.state_path = Some(path.to_path_buf());
        detector.lock = lock;
        Ok(detector)
    }

    /// Checks that the state's clusters are made of embeddings of `analyzer`'s
    /// size (a state file can be resumed without the model; see [`Self::resume`]).
    pub fn check_analyzer(&self, analyzer: &Analyzer) -> Result<()> {
        let (_, dim) = model_of(analyzer)?;
        match self.state.clusterer.embedding_dim() {
            Some(d) if d != dim => {
                let reason = format!("its clusters have embeddings of {d} values, but the model makes {dim}");
                Err(match &self.state_path {
                    Some(path) => Error::State { path: path.clone(), reason },
                    None => Error::InvalidOption { option: "state", reason },
                })
            }
            _ => Ok(()),
        }
    }

    fn from_state(options: IssueOptions, state: State) -> Self {
        IssueDetector {
            options,
            state,
            records: Vec::new(),
            members: Vec::new(),
            chain_stats: HashMap::new(),
            touched: BTreeSet::new(),
            skipped_old: 0,
            state_path: None,
            lock: None,
            ops: Default::default(),
        }
    }

    /// Saves the state atomically (temporary file + rename), under the state's
    /// lock: the one this detector holds, or one taken for the write (which fails
    /// when another run holds it).
    pub fn save(&self, path: &Path) -> Result<()> {
        let _write_lock = match &self.lock {
            Some(lock) if lock.covers(path) => None,
            _ => Some(StateLock::acquire(path)?),
        };
        self.state.save(path)
    }

    /// The options in force.
    pub fn options(&self) -> &IssueOptions {
        &self.options
    }

    /// The latest window processed (over all runs).
    pub fn last_window(&self) -> Option<i64> {
        self.state.spikes.last_window()
    }

    /// Records skipped because their window had already been processed by an earlier run.
    pub fn skipped_old(&self) -> usize {
        self.skipped_old
    }

    /// Clusters (background included).
    pub fn clusterer(&self) -> &Clusterer {
        &self.state.clusterer
    }

    /// Sorts `records` by time, analyzes those given as text (in parallel chunks),
    /// and adds them window by window. `progress` is called with the number of
    /// records done after each window.
    ///
    /// Times are bucketed in [`IssueOptions::timezone`]. A record whose time is
    /// too far from the clock ([`IssueOptions::max_future_hours`],
    /// [`IssueOptions::max_past_days`]) or whose earlier analysis carries
    /// embeddings of the wrong size is an error record ([`ProcessSummary::errors`])
    /// and changes nothing.
    pub fn process(
        &mut self,
        analyzer: &Analyzer,
        records: Vec<(RecordMeta, Feed)>,
        progress: impl FnMut(usize),
    ) -> Result<ProcessSummary> {
        self.process_inspect(analyzer, records, progress, |_, _| {})
    }

    /// Like [`IssueDetector::process`], and `inspect` sees every record's analysis
    /// (junk included, error records not) before its window is added: a report
    /// reads sentiment and topics from it without scoring anything twice.
    pub fn process_inspect(
        &mut self,
        analyzer: &Analyzer,
        records: Vec<(RecordMeta, Feed)>,
        mut progress: impl FnMut(usize),
        mut inspect: impl FnMut(&RecordMeta, &Analysis),
    ) -> Result<ProcessSummary> {
        let clock = self.options.clock()?;
        self.check_analyzer(analyzer)?;
        let dim = analyzer.classifier().map(|c| c.model().config().embedding_dim);
        let size = self.options.window;
        let mut summary = ProcessSummary { records: records.len(), ..Default::default() };
        let mut timed: Vec<(i64, i64, RecordMeta, Feed)> = Vec::with_capacity(records.len());
        for (mut meta, feed) in records {
            self.join_stores(&mut meta);
            if let Err(reason) = clock.check(&meta.time) {
                summary.errors.push((meta.id, reason));
                continue;
            }
            if let (Feed::Analyzed(a), Some(dim)) = (&feed, dim) {
                if let Err(reason) = check_embeddings(a, dim) {
                    summary.errors.push((meta.id, reason));
                    continue;
                }
            }
            let window = clock.window(&meta.time, size);
            let instant = meta.time.instant_in(clock.zone()).as_nanosecond();
            timed.push((window, instant as i64, meta, feed));
        }
        // In time order (stable: input order within one instant).
        timed.sort_by_key(|(w, t, _, _)| (*w, *t));
        let mut dup_index = analyzer.duplicate_index();
        let mut done = summary.errors.len();
        let mut rest = timed.as_mut_slice();
        while !rest.is_empty() {
            let w = rest[0].0;
            let n = rest.iter().take_while(|(x, ..)| *x == w).count();
            let (this, tail) = rest.split_at_mut(n);
            rest = tail;
            let mut batch: Vec<(RecordMeta, Analysis)> = Vec::with_capacity(n);
            for chunk in this.chunks_mut(4096) {
                let raw: Vec<Input<'_>> = chunk
                    .iter()
                    .filter_map(|(_, _, _, f)| match f {
                        Feed::Text { text, source } => Some(Input::new(text).with_source(*source)),
                        Feed::Analyzed(_) => None,
                    })
                    .collect();
                let mut scored = analyzer.analyze_batch_clauses(&raw, &mut dup_index)?.into_iter();
                for (_, _, meta, feed) in chunk.iter_mut() {
                    let analysis = match feed {
                        Feed::Text { .. } => match scored.next().expect("one result per text") {
                            Ok(a) => a,
                            Err(e) => {
                                summary.errors.push((meta.id.clone(), e.to_string()));
                                continue;
                            }
                        },
                        Feed::Analyzed(a) => std::mem::take(a.as_mut()),
                    };
                    summary.junk += usize::from(is_junk(&analysis));
                    inspect(meta, &analysis);
                    batch.push((meta.clone(), analysis));
                }
            }
            self.add_window(w, &batch, analyzer.segmenter());
            summary.windows += 1;
            done += n;
            progress(done);
        }
        Ok(summary)
    }

    /// Adds one window of analyzed records. Windows must come in increasing order;
    /// a window already processed (by this or an earlier run) is skipped. Unlike
    /// [`IssueDetector::process`], this does not check the window against the
    /// clock: a window far ahead moves the state there.
    pub fn add_window(&mut self, window: i64, batch: &[(RecordMeta, Analysis)], segmenter: &Segmenter) -> Vec<Alert> {
        if self.last_window().is_some_and(|l| window <= l) {
            self.skipped_old += batch.len();
            return Vec::new();
        }
        let fields = self.options.group_fields.clone();
        let mut volumes: HashMap<Group, u64> = HashMap::new();
        // (cluster index) -> records and their finest group value
        let mut hits: BTreeMap<usize, Vec<(u32, Groups)>> = BTreeMap::new();
        for (meta, analysis) in batch {
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
            self.records.push(meta.clone());
            for clause in &analysis.clauses {
                let Some(sentiment) = &clause.sentiment else { continue };
                let polarity = self.options.min_polarity;
                let kind = match sentiment.label.as_str() {
                    "negative" if sentiment.score <= -polarity => Kind::Complaint,
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
                self.members.push(Member {
                    record,
                    cluster: self.state.clusterer.clusters()[ci].id.clone(),
                    window,
                    similarity,
                    text: clause.clause.text.clone(),
                });
            }
        }

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
        let exposure = self.exposure(window, batch);
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
        self.scan_window(window, batch);
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
                self.state.episodes.push(Episode {
                    id: format!("{}-{}", alert.cluster, format_window(alert.window, size)),
                    cluster: alert.cluster.clone(),
                    kind,
                    start: alert.window,
                    end: alert.window,
                    severity,
                    score: alert.score,
                    alerts: Vec::new(),
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

    fn severity(&self, kind: Kind, topics: &[String], alert: &Alert) -> Severity {
        if kind == Kind::Praise {
            return Severity::Green;
        }
        let s = &self.options.severity;
        let red_topic = topics.first().is_some_and(|t| s.red_topics.contains(t));
        if (alert.score >= s.red_score && alert.count >= s.red_min_count)
            || (red_topic && alert.count >= s.red_topic_min_count)
        {
            Severity::Red
        } else if alert.score >= s.yellow_score && alert.count >= s.yellow_min_count {
            Severity::Yellow
        } else {
            Severity::Green
        }
    }

    fn name_cluster(&self, ci: usize) -> String {
        let c = &self.state.clusterer.clusters()[ci];
        let texts: Vec<&str> = self.members.iter().filter(|m| m.cluster == c.id).map(|m| m.text.as_str()).collect();
        naming::name_kind(c.kind == Kind::Praise, &texts, &c.top_topics(2))
    }

    /// The issues this run alerted on (including ones continuing from earlier
    /// runs), most severe first, then strongest. With `since`, only issues whose
    /// last alert is at or after that window.
    pub fn issues(&self, since: Option<i64>) -> Vec<Issue> {
        let size = self.options.window;
        let out: Vec<Issue> = self
            .state
            .episodes
            .iter()
            .filter(|e| self.touched.contains(&e.id))
            .filter(|e| since.is_none_or(|s| e.end >= s))
            .filter_map(|e| {
                let mut issue = self.issue(e, size)?;
                self.expand(&mut issue, e);
                Some(issue)
            })
            .chain(self.burn_issues(since))
            // Generic praise ("很不错", "还会再买") is no issue; a generic complaint is at most green.
            .filter(|i| !(i.kind == Kind::Praise && naming::is_generic(&i.name, true)))
            .map(|mut i| {
                if naming::is_generic(&i.name, false) {
                    i.severity = i.severity.min(Severity::Green);
                }
                i
            })
            .collect();
        let mut out = incident::merge_incidents(merge_same_name(out, self.options.examples), self.options.examples);
        for issue in out.iter_mut() {
            self.regroup(issue);
        }
        out.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.score.total_cmp(&a.score)).then(a.id.cmp(&b.id)));
        out
    }

    fn issue(&self, e: &Episode, size: WindowSize) -> Option<Issue> {
        let ci = self.state.clusterer.position(&e.cluster)?;
        let c = &self.state.clusterer.clusters()[ci];
        let members: Vec<&Member> = self
            .members
            .iter()
            .filter(|m| m.cluster == e.cluster && m.window >= e.start && m.window <= e.end)
            .collect();
        let mut record_ids: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        for m in &members {
            if seen.insert(m.record) {
                record_ids.push(self.records[m.record as usize].id.clone());
            }
        }
        let groups = self.group_counts(seen.iter().map(|&r| &self.records[r as usize]));
        let mut ranked: Vec<&Member> = members.clone();
        ranked.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.record.cmp(&b.record)));
        let mut examples: Vec<Example> = Vec::new();
        for m in ranked {
            if examples.len() >= self.options.examples {
                break;
            }
            if !examples.iter().any(|x| x.text == m.text) {
                examples.push(Example { id: self.records[m.record as usize].id.clone(), text: m.text.clone() });
            }
        }
        let (count_hist, expected) = (e.start..=e.end)
            .filter_map(|w| self.chain_stats.get(&(e.cluster.clone(), w)))
            .fold((0u64, 0.0f64), |(n, x), (c, l)| (n + c, x + l));
        let mut alerts: Vec<GroupCount> = e
            .alerts
            .iter()
            .map(|a| GroupCount { field: a.group.field.clone(), value: a.group.value.clone(), count: a.count })
            .collect();
        alerts.sort_by(|a, b| (a.field == CHAIN).cmp(&(b.field == CHAIN)).reverse().then(b.count.cmp(&a.count)));
        alerts.dedup_by(|a, b| a.field == b.field && a.value == b.value);
        let count = if record_ids.is_empty() { count_hist } else { record_ids.len() as u64 };
        Some(Issue {
            id: e.id.clone(),
            name: c.name.clone().unwrap_or_else(|| self.name_cluster(ci)),
            keywords: c.top_terms(5).into_iter().map(|(t, _)| t.to_string()).collect(),
            kind: e.kind,
            severity: e.severity,
            topics: c.top_topics(3).into_iter().map(str::to_string).collect(),
            start: format_window(e.start, size),
            end: format_window(e.end, size),
            count,
            expected: (expected * 100.0).round() / 100.0,
            score: (e.score * 100.0).round() / 100.0,
            groups,
            alerts,
            record_ids,
            examples,
            cluster: e.cluster.clone(),
            merged_ids: Vec::new(),
        })
    }
}

impl IssueDetector {
    /// Reports per group value over `records` (each counted once), the 20 largest first.
    fn group_counts<'a>(&self, records: impl Iterator<Item = &'a RecordMeta>) -> Vec<GroupCount> {
        let mut counts: BTreeMap<(usize, &str), u64> = BTreeMap::new();
        for meta in records {
            for (level, v) in meta.groups.iter().enumerate() {
                if let Some(v) = v {
                    *counts.entry((level, v.as_str())).or_insert(0) += 1;
                }
            }
        }
        let mut groups: Vec<GroupCount> = counts
            .into_iter()
            .map(|((level, value), count)| GroupCount {
                field: self.options.group_fields[level].clone(),
                value: value.to_string(),
                count,
            })
            .collect();
        top_groups(&mut groups);
        groups
    }

    /// Group counts of a merged issue, from its (deduplicated) record ids.
    fn regroup(&self, issue: &mut Issue) {
        let ids: HashSet<&str> = issue.record_ids.iter().map(String::as_str).collect();
        issue.groups = self.group_counts(self.records.iter().filter(|r| ids.contains(r.id.as_str())));
    }
}

/// Keeps an issue's 20 largest group counts, largest first.
fn top_groups(groups: &mut Vec<GroupCount>) {
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.field.cmp(&b.field)).then(a.value.cmp(&b.value)));
    groups.truncate(20);
}

/// Folds issues of the same kind and name whose windows overlap into the one that
/// started first (then the biggest), so one problem is one ticket. The group
/// counts of a merged issue are left to be recounted from its record ids.
fn merge_same_name(mut issues: Vec<Issue>, max_examples: usize) -> Vec<Issue> {
    issues.sort_by(|a, b| a.start.cmp(&b.start).then(b.count.cmp(&a.count)).then(a.id.cmp(&b.id)));
    let mut out: Vec<Issue> = Vec::with_capacity(issues.len());
    for issue in issues {
        let target = out
            .iter_mut()
            .find(|o| o.kind == issue.kind && o.name == issue.name && issue.start <= o.end && o.start <= issue.end);
        let Some(o) = target else {
            out.push(issue);
            continue;
        };
        let have: HashSet<String> = o.record_ids.iter().cloned().collect();
        o.record_ids.extend(issue.record_ids.into_iter().filter(|id| !have.contains(id)));
        o.count = (o.record_ids.len() as u64).max(o.count);
        o.expected = ((o.expected + issue.expected) * 100.0).round() / 100.0;
        o.score = o.score.max(issue.score);
        o.severity = o.severity.max(issue.severity);
        o.end = o.end.clone().max(issue.end);
        // o.groups is recounted from the merged record ids by the caller.
        for a in issue.alerts {
            if !o.alerts.iter().any(|x| x.field == a.field && x.value == a.value) {
                o.alerts.push(a);
            }
        }
        for ex in issue.examples {
            if o.examples.len() < max_examples && !o.examples.iter().any(|x| x.text == ex.text) {
                o.examples.push(ex);
            }
        }
        o.merged_ids.push(issue.id);
        o.merged_ids.extend(issue.merged_ids);
    }
    out
}

/// The model fingerprint and embedding size of an analyzer.
fn model_of(analyzer: &Analyzer) -> Result<(String, usize)> {
    let classifier = analyzer.classifier().ok_or_else(|| Error::InvalidOption {
        option: "scoring",
        reason: "issue detection needs the model (scoring is off)".into(),
    })?;
    let model = classifier.model();
    Ok((model.fingerprint().to_string(), model.config().embedding_dim))
}

/// An earlier analysis is used only when each clause's embedding has the
/// model's size and finite values: another size would be compared with the
/// clusters' centroids value by value, silently, and change them.
fn check_embeddings(a: &Analysis, dim: usize) -> std::result::Result<(), String> {
    for (i, c) in a.clauses.iter().enumerate() {
        if c.embedding.len() != dim {
            return Err(format!(
                "clause {} has an embedding of {} values, but the model makes {dim} (scored with another model?)",
                i + 1,
                c.embedding.len()
            ));
        }
        if !c.embedding.iter().all(|x| x.is_finite()) {
            return Err(format!("clause {} has an embedding with a value that is not a finite number", i + 1));
        }
    }
    Ok(())
}

/// A record's group values, finest first.
type Groups = Vec<Option<String>>;

/// Junk records (empty, gibberish, spam, ...) are not counted; duplicates are.
pub(crate) fn is_junk(a: &Analysis) -> bool {
    a.quality.flags.iter().any(|f| *f != QualityFlag::Duplicate)
}
