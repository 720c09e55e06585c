//! The detector's life: new or resumed from a state file, saved, and fed records
//! window by window ([`IssueDetector::process`]).

use super::alerts::OpenWindow;
use super::feed::{check_embeddings, is_junk, model_of};
use super::state::{self, State};
use super::{Feed, IssueDetector, IssueOptions, ProcessSummary, RecordMeta, StateLock};
use crate::cluster::Clusterer;
use crate::error::{Error, Result};
use crate::pipeline::{Analysis, Analyzer, Input};
use crate::quality::DuplicateIndex;
use crate::spike::SpikeDetector;
use crate::window::LocalTime;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

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
            record_topics: Vec::new(),
            members: Vec::new(),
            texts: Default::default(),
            cluster_keys: Default::default(),
            group_sets: Default::default(),
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

    /// Takes `records` (a `Vec`, or any iterator: a reader that yields records
    /// as it reads never holds the whole input twice), sorts them by time,
    /// analyzes those given as text (in parallel, in chunks of 4,096 records),
    /// and adds them window by window; a window is tested once its last chunk is
    /// in. Until its chunk is scored a record is kept compact (its group values
    /// interned), and only one chunk's analyses (with their embeddings) are
    /// held at a time. `progress` is called with the number of records done
    /// after each chunk.
    ///
    /// Times are bucketed in [`IssueOptions::timezone`]. A record whose time is
    /// too far from the clock ([`IssueOptions::max_future_hours`],
    /// [`IssueOptions::max_past_days`]) or whose earlier analysis carries
    /// embeddings of the wrong size is an error record ([`ProcessSummary::errors`])
    /// and changes nothing.
    pub fn process(
        &mut self,
        analyzer: &Analyzer,
        records: impl IntoIterator<Item = (RecordMeta, Feed)>,
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
        records: impl IntoIterator<Item = (RecordMeta, Feed)>,
        mut progress: impl FnMut(usize),
        mut inspect: impl FnMut(&RecordMeta, &Analysis),
    ) -> Result<ProcessSummary> {
        let clock = self.options.clock()?;
        self.check_analyzer(analyzer)?;
        let dim = analyzer.classifier().map(|c| c.model().config().embedding_dim);
        let size = self.options.window;
        let mut summary = ProcessSummary::default();
        // Each record is kept compact until its chunk is scored: its groups as a
        // key of `group_sets` (a run may hold millions of records at once).
        let mut timed: Vec<Timed> = Vec::new();
        for (mut meta, feed) in records {
            summary.records += 1;
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
            let instant = meta.time.instant_in(clock.zone()).as_nanosecond() as i64;
            let groups = self.group_sets.intern(&meta.groups);
            timed.push(Timed { window, instant, id: meta.id.into(), time: meta.time, groups, feed });
        }
        // In time order (stable: input order within one instant).
        timed.sort_by_key(|t| (t.window, t.instant));
        // Chunks of up to CHUNK records of one window each, each its own vector,
        // freed once added (the sorted vector is consumed here).
        let mut chunks: Vec<Vec<Timed>> = Vec::new();
        for t in timed {
            match chunks.last_mut() {
                Some(chunk) if chunk.len() < CHUNK && chunk[0].window == t.window => chunk.push(t),
                _ => chunks.push(vec![t]),
            }
        }
        let mut done = summary.errors.len();
        // The window being filled, and whether it is new (else it was already processed).
        let mut current: Option<(i64, Option<OpenWindow>)> = None;
        // The next chunk is scored (on the thread pool) while this one is
        // clustered here, which would otherwise leave the pool idle. Chunks are
        // still scored one after the other, and a window is tested once its last
        // chunk is in: only one chunk's analyses (and embeddings) are held at a time.
        std::thread::scope(|s| -> Result<()> {
            let mut chunks = chunks.into_iter();
            let index = analyzer.duplicate_index();
            let mut next = chunks.next().map(|this| s.spawn(move || score_chunk(analyzer, this, index)));
            while let Some(handle) = next.take() {
                let (this, scored, index) = handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                let mut scored = scored?.into_iter();
                next = chunks.next().map(|next| s.spawn(move || score_chunk(analyzer, next, index)));
                let w = this[0].window;
                if current.as_ref().is_some_and(|(cw, _)| *cw != w) {
                    self.finish_window(current.take(), &mut summary);
                }
                let records = this.len();
                let mut batch: Vec<(RecordMeta, Analysis)> = Vec::with_capacity(records);
                for t in this {
                    let mut analysis = match t.feed {
                        Feed::Text { .. } => match scored.next().expect("one result per text") {
                            Ok(a) => a,
                            Err(e) => {
                                summary.errors.push((t.id.into(), e.to_string()));
                                continue;
                            }
                        },
                        Feed::Analyzed(a) => *a,
                    };
                    let groups = self.group_sets.value(t.groups).clone();
                    let meta = RecordMeta { id: t.id.into(), time: t.time, groups };
                    summary.junk += usize::from(is_junk(&analysis));
                    inspect(&meta, &analysis);
                    // Clauses are clustered, not comments: the comment's embedding only takes memory.
                    analysis.embedding = Vec::new();
                    batch.push((meta, analysis));
                }
                if current.is_none() {
                    current = Some((w, self.open_window(w)));
                }
                match current.as_mut().and_then(|(_, open)| open.as_mut()) {
                    Some(open) => self.add_records(open, &batch, analyzer.segmenter()),
                    None => self.skipped_old += batch.len(),
                }
                done += records;
                progress(done);
            }
            Ok(())
        })?;
        self.finish_window(current, &mut summary);
        Ok(summary)
    }
}

impl IssueDetector {
    /// Tests the window being filled, if any (one already processed is only counted).
    fn finish_window(&mut self, current: Option<(i64, Option<OpenWindow>)>, summary: &mut ProcessSummary) {
        if let Some((_, open)) = current {
            if let Some(open) = open {
                self.close_window(open);
            }
            summary.windows += 1;
        }
    }
}

/// A record waiting for its chunk: its window and instant, and its meta with
/// the groups as a key of [`IssueDetector::group_sets`].
struct Timed {
    window: i64,
    instant: i64,
    id: Box<str>,
    time: LocalTime,
    groups: u32,
    feed: Feed,
}

/// Records scored at a time: the unit of work handed to the thread pool.
const CHUNK: usize = 4096;

/// Analyzes the records of one chunk given as text; one result per text, in
/// order. Gives back the chunk and the duplicate index.
fn score_chunk(
    analyzer: &Analyzer,
    this: Vec<Timed>,
    mut index: DuplicateIndex,
) -> (Vec<Timed>, Result<Vec<Result<Analysis>>>, DuplicateIndex) {
    let raw: Vec<Input<'_>> = this
        .iter()
        .filter_map(|t| match &t.feed {
            Feed::Text { text, source } => Some(Input::new(text).with_source(*source)),
            Feed::Analyzed(_) => None,
        })
        .collect();
    let scored = analyzer.analyze_batch_clauses(&raw, &mut index);
    (this, scored, index)
}
