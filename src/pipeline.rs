//! The whole per-record pipeline: normalize → (voice cleanup) → clauses →
//! keywords → quality → sentiment and topics, for the comment and each clause.
//!
//! [`Analyzer`] bundles every stage behind one [`PipelineConfig`] that
//! round-trips through JSON, so a deployment's whole configuration can live in
//! one file.

use crate::classify::{topic_sentiment, Classification, Classifier, ClassifyOptions, Sentiment, TopicScore};
use crate::clause::{Clause, ClauseOptions, ClauseSplitter};
use crate::error::{Error, Result};
use crate::model::SpanInput;
use crate::normalize::{NormalizeOptions, Normalizer};
use crate::quality::{DuplicateIndex, Quality, QualityChecker, QualityFlag, QualityOptions};
use crate::record::{self, RecordOptions};
use crate::segment::{SegmentOptions, Segmenter};
use crate::voice::{TranscriptCleaner, VoiceOptions};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Where a text comes from. Voice transcripts get filler removal and run-on splitting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Source {
    /// Typed text (survey answer, review, chat message).
    #[default]
    Text,
    /// An ASR transcript of a voice message: no punctuation, fillers, false starts.
    Voice,
}

impl Source {
    /// Parses a record's `source` field: `"voice"`, `"asr"`, `"speech"` and
    /// `"transcript"` mean [`Source::Voice`]; anything else is [`Source::Text`].
    pub fn from_field(value: &str) -> Source {
        match value.trim().to_ascii_lowercase().as_str() {
            "voice" | "asr" | "speech" | "transcript" => Source::Voice,
            _ => Source::Text,
        }
    }
}

/// One text to analyze.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Input<'a> {
    /// The raw text as the customer wrote or said it.
    pub text: &'a str,
    /// Where it comes from.
    pub source: Source,
}

impl<'a> Input<'a> {
    /// A typed text.
    pub fn new(text: &'a str) -> Self {
        Input { text, source: Source::Text }
    }

    /// A voice transcript.
    pub fn voice(text: &'a str) -> Self {
        Input { text, source: Source::Voice }
    }

    /// The same text with another source.
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }
}

impl<'a> From<&'a str> for Input<'a> {
    fn from(text: &'a str) -> Self {
        Input::new(text)
    }
}

/// Default of [`PipelineConfig::max_scored_clauses`].
pub const DEFAULT_MAX_SCORED_CLAUSES: usize = 64;

/// Configuration of the whole text pipeline. Serializes to and from JSON.
///
/// ```
/// use fankui::PipelineConfig;
/// let config = PipelineConfig::default().with_voice_mode(true).with_max_chars(2_000);
/// let json = serde_json::to_string(&config).unwrap();
/// let back: PipelineConfig = serde_json::from_str(&json).unwrap();
/// assert_eq!(config, back);
/// // Partial files are fine: missing keys take their defaults.
/// let partial: PipelineConfig = serde_json::from_str(r#"{"max_chars": 500}"#).unwrap();
/// assert_eq!(partial.max_chars, 500);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct PipelineConfig {
    /// Normalization (full-width, Traditional → Simplified, PII masking, ...).
    pub normalize: NormalizeOptions,
    /// Voice-transcript cleanup, applied to records whose source is voice.
    pub voice: VoiceOptions,
    /// Clause splitting.
    pub clause: ClauseOptions,
    /// Segmentation and keywords.
    pub segment: SegmentOptions,
    /// Quality checks.
    pub quality: QualityOptions,
    /// Treat every record as a voice transcript.
    pub voice_mode: bool,
    /// Texts longer than this many characters are refused with an error (default 10 000).
    pub max_chars: usize,
    /// At most this many clauses of a comment are scored (default 64): the first
    /// ones with something to score. The rest keep their text and offsets but get no
    /// sentiment or topics, and [`Analysis::unscored_clauses`] counts them. This
    /// bounds the model work and memory a single comment can take (a comment of
    /// 10,000 characters can hold 3,333 clauses); the comment itself is always scored.
    pub max_scored_clauses: usize,
    /// Score sentiment and topics with the model (default true). Without it the
    /// pipeline needs neither a model nor ONNX Runtime.
    pub scoring: bool,
    /// The model and how sentiment and topics are read from it.
    pub classify: ClassifyOptions,
    /// How a record's topics and sentiment are formed from its comment and clauses.
    pub record: RecordOptions,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            normalize: NormalizeOptions::default(),
            voice: VoiceOptions::default(),
            clause: ClauseOptions::default(),
            segment: SegmentOptions::default(),
            quality: QualityOptions::default(),
            voice_mode: false,
            max_chars: 10_000,
            max_scored_clauses: DEFAULT_MAX_SCORED_CLAUSES,
            scoring: true,
            classify: ClassifyOptions::default(),
            record: RecordOptions::default(),
        }
    }
}

impl PipelineConfig {
    /// The text stages only: no model, no ONNX Runtime needed.
    pub fn text_only() -> Self {
        PipelineConfig { scoring: false, ..PipelineConfig::default() }
    }
    /// Turns model scoring on or off.
    pub fn with_scoring(mut self, on: bool) -> Self {
        self.scoring = on;
        self
    }
    /// Sets how a record's topics and sentiment are formed from its comment and clauses.
    pub fn with_record(mut self, options: RecordOptions) -> Self {
        self.record = options;
        self
    }
    /// Sets the classifier options (model directory, custom topics, ...).
    pub fn with_classify(mut self, options: ClassifyOptions) -> Self {
        self.classify = options;
        self
    }
    /// Sets the normalization options.
    pub fn with_normalize(mut self, options: NormalizeOptions) -> Self {
        self.normalize = options;
        self
    }
    /// Sets the voice-transcript options.
    pub fn with_voice(mut self, options: VoiceOptions) -> Self {
        self.voice = options;
        self
    }
    /// Sets the clause-splitting options.
    pub fn with_clause(mut self, options: ClauseOptions) -> Self {
        self.clause = options;
        self
    }
    /// Sets the segmentation options.
    pub fn with_segment(mut self, options: SegmentOptions) -> Self {
        self.segment = options;
        self
    }
    /// Sets the quality options.
    pub fn with_quality(mut self, options: QualityOptions) -> Self {
        self.quality = options;
        self
    }
    /// Treats every record as a voice transcript.
    pub fn with_voice_mode(mut self, on: bool) -> Self {
        self.voice_mode = on;
        self
    }
    /// Sets the longest text accepted, in characters.
    pub fn with_max_chars(mut self, max_chars: usize) -> Self {
        self.max_chars = max_chars;
        self
    }
    /// Sets the most clauses scored per comment.
    pub fn with_max_scored_clauses(mut self, n: usize) -> Self {
        self.max_scored_clauses = n;
        self
    }

    /// Reads a configuration from a JSON file.
    pub fn from_json_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let bytes = std::fs::read(path.as_ref())?;
        Ok(serde_json::from_slice(&bytes)?)
    }
}

/// A clause with its own sentiment and topics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScoredClause {
    /// The clause text and its offsets into the original text.
    #[serde(flatten)]
    pub clause: Clause,
    /// The clause's sentiment (when scoring is on).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sentiment: Option<Sentiment>,
    /// The clause's topics, each with the clause's sentiment.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub topics: Vec<TopicScore>,
    /// The clause's embedding (for clustering).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub embedding: Vec<f32>,
}

/// The result of analyzing one text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Analysis {
    /// The normalized text (Simplified, half-width, PII masked; voice fillers removed).
    pub text: String,
    /// Where the text came from.
    pub source: Source,
    /// Clauses with character offsets into the *original* text.
    pub clauses: Vec<ScoredClause>,
    /// Top keywords (TF-IDF).
    pub keywords: Vec<String>,
    /// Quality verdict. `duplicate` is only set by the batch methods.
    pub quality: Quality,
    /// Sentiment of the whole comment (when scoring is on and the text is not empty).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sentiment: Option<Sentiment>,
    /// Topics of the comment (as the model finds them in the whole comment), each
    /// with the sentiment of the clause that reports it most strongly (aspect
    /// sentiment): "送餐很快，但是薯条凉了" gives delivery → positive,
    /// temperature → negative.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub topics: Vec<TopicScore>,
    /// The comment's embedding (for clustering).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub embedding: Vec<f32>,
    /// Clauses left without sentiment and topics because the comment has more than
    /// [`PipelineConfig::max_scored_clauses`] clauses to score (0, and absent from
    /// JSON, when every clause was scored).
    #[serde(skip_serializing_if = "is_zero", default)]
    pub unscored_clauses: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Analysis {
    /// Drops the embeddings (they are large and most consumers do not need them).
    pub fn strip_embeddings(&mut self) {
        self.embedding = Vec::new();
        for c in &mut self.clauses {
            c.embedding = Vec::new();
        }
    }
}

/// The pipeline, built once and shared between threads.
pub struct Analyzer {
    config: PipelineConfig,
    normalizer: Normalizer,
    cleaner: TranscriptCleaner,
    splitter: ClauseSplitter,
    segmenter: Segmenter,
    quality: QualityChecker,
    classifier: Option<Classifier>,
}

impl Analyzer {
    /// Builds every stage from `config`; loads the model when `config.scoring` is on.
    pub fn new(config: PipelineConfig) -> Result<Self> {
        if config.max_chars == 0 {
            return Err(Error::InvalidOption { option: "max_chars", reason: "must be at least 1".into() });
        }
        if config.max_scored_clauses == 0 {
            return Err(Error::InvalidOption { option: "max_scored_clauses", reason: "must be at least 1".into() });
        }
        // The model and the segmenter's dictionary are the slow parts of start-up: load them side by side.
        let (classifier, segmenter) = rayon::join(
            || config.scoring.then(|| Classifier::new(config.classify.clone())).transpose(),
            || Segmenter::new(config.segment.clone()),
        );
        let (classifier, segmenter) = (classifier?, segmenter?);
        Ok(Analyzer {
            normalizer: Normalizer::new(config.normalize.clone())?,
            cleaner: TranscriptCleaner::new(config.voice.clone())?,
            splitter: ClauseSplitter::new(config.clause.clone())?,
            segmenter,
            quality: QualityChecker::new(config.quality.clone())?,
            classifier,
            config,
        })
    }

    /// The configuration this analyzer was built from.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// The segmenter (for callers who need tokens).
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The classifier, when scoring is on.
    pub fn classifier(&self) -> Option<&Classifier> {
        self.classifier.as_ref()
    }

    /// Analyzes one text. Fails when the text exceeds `max_chars` or the model fails.
    pub fn analyze(&self, input: &Input<'_>) -> Result<Analysis> {
        let mut analysis = self.text_stages(input)?;
        self.score(std::slice::from_mut(&mut analysis))?;
        Ok(analysis)
    }

    /// Analyzes a batch in parallel; results are in input order, one per input.
    /// Exact and near duplicates within the batch are flagged (the first occurrence is not).
    ///
    /// The outer `Result` fails only when the model fails for the whole batch; an
    /// inner `Err` is one text that could not be analyzed (too long).
    pub fn analyze_batch(&self, inputs: &[Input<'_>]) -> Result<Vec<Result<Analysis>>> {
        let mut index = self.duplicate_index();
        self.analyze_batch_with(inputs, &mut index)
    }

    /// Like [`analyze_batch`](Self::analyze_batch), but duplicates are looked up in
    /// (and added to) `index`, so a stream read in chunks finds duplicates across chunks.
    pub fn analyze_batch_with(
        &self,
        inputs: &[Input<'_>],
        index: &mut DuplicateIndex,
    ) -> Result<Vec<Result<Analysis>>> {
        self.analyze_batch_inner(inputs, index, true)
    }

    /// For issue detection: like [`analyze_batch_with`](Self::analyze_batch_with), but
    /// with a model that cannot score spans, a comment of several clauses is scored
    /// clause by clause only (its own `sentiment` and `embedding` stay empty; its
    /// `topics` come from the clauses), which saves one model run per multi-clause
    /// comment. With span support the comment comes free with its clauses.
    pub(crate) fn analyze_batch_clauses(
        &self,
        inputs: &[Input<'_>],
        index: &mut DuplicateIndex,
    ) -> Result<Vec<Result<Analysis>>> {
        self.analyze_batch_inner(inputs, index, false)
    }

    fn analyze_batch_inner(
        &self,
        inputs: &[Input<'_>],
        index: &mut DuplicateIndex,
        whole: bool,
    ) -> Result<Vec<Result<Analysis>>> {
        let mut results: Vec<Result<Analysis>> = inputs.par_iter().map(|input| self.text_stages(input)).collect();
        for analysis in results.iter_mut().flatten() {
            self.mark_duplicate(analysis, index);
        }
        let mut ok: Vec<&mut Analysis> = results.iter_mut().flatten().collect();
        self.score_refs(&mut ok, whole)?;
        Ok(results)
    }

    /// The text the model sees: normalized and, for voice, cleaned.
    pub fn normalize(&self, input: &Input<'_>) -> String {
        let mut mapped = self.normalizer.normalize(input.text);
        if self.config.voice_mode || input.source == Source::Voice {
            mapped = self.cleaner.clean(&mapped);
        }
        mapped.into_string()
    }

    /// Sentence embeddings (L2-normalized) of the normalized texts, in input order.
    pub fn embed_batch(&self, inputs: &[Input<'_>]) -> Result<Vec<Vec<f32>>> {
        let classifier = self.classifier.as_ref().ok_or_else(|| Error::InvalidOption {
            option: "scoring",
            reason: "embeddings need the model; this analyzer was built with scoring off".into(),
        })?;
        let texts: Vec<String> = inputs.par_iter().map(|i| self.normalize(i)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        classifier.embed(&refs)
    }

    /// Normalize, clean, split, segment and check one text; no model.
    fn text_stages(&self, input: &Input<'_>) -> Result<Analysis> {
        let chars = input.text.chars().count();
        if chars > self.config.max_chars {
            return Err(Error::Input(format!("text too long: {chars} characters (limit {})", self.config.max_chars)));
        }
        let source = if self.config.voice_mode { Source::Voice } else { input.source };
        let mut mapped = self.normalizer.normalize(input.text);
        if source == Source::Voice {
            mapped = self.cleaner.clean(&mapped);
        }
        let clauses = self
            .splitter
            .split(&mapped)
            .into_iter()
            .map(|clause| ScoredClause { clause, sentiment: None, topics: Vec::new(), embedding: Vec::new() })
            .collect();
        let keywords = self.segmenter.keywords(mapped.as_str());
        let quality = self.quality.check(input.text, mapped.as_str());
        Ok(Analysis {
            text: mapped.into_string(),
            source,
            clauses,
            keywords,
            quality,
            sentiment: None,
            topics: Vec::new(),
            embedding: Vec::new(),
            unscored_clauses: 0,
        })
    }

    fn score(&self, analyses: &mut [Analysis]) -> Result<()> {
        let mut refs: Vec<&mut Analysis> = analyses.iter_mut().collect();
        self.score_refs(&mut refs, true)
    }

    /// Scores every comment and, for comments of several clauses, every clause, in one model batch.
    ///
    /// With a model that scores spans (the bundled one) a comment and its clauses
    /// take one run; otherwise each clause is a text of its own, and `score_whole`
    /// false skips the comment itself when it has several clauses.
    ///
    /// The model sees the text without PII placeholders (`<PHONE>` carries no opinion);
    /// a clause left with nothing but punctuation ("电话<PHONE>" → "电话" is scored,
    /// "<ORDER>" alone is not) gets no sentiment or topics. Of a comment's clauses with
    /// something to score, the first `max_scored_clauses` are scored and the rest
    /// counted in `unscored_clauses`.
    fn score_refs(&self, analyses: &mut [&mut Analysis], score_whole: bool) -> Result<()> {
        let Some(classifier) = &self.classifier else { return Ok(()) };
        // Issue detection (`score_whole` false) uses spans too: clauses scored in their
        // comment's context found the synthetic incidents better than clauses run alone
        // (fries recall 0.83 vs 0.57), though alone, repeated clauses run once per batch
        // (faster on 30,000 distinct comments: 13.8 s vs 22.1 s).
        let spans = classifier.model().supports_spans();
        let model_topics = &classifier.model().config().topics;
        // Per analysis with something to score: the model text, the byte range of each
        // clause scored as a span of it, and how each clause is scored.
        let mut jobs: Vec<Option<ScoreJob>> = Vec::with_capacity(analyses.len());
        // Clauses scored on their own (no span support, or not found in the comment's text).
        let mut alone: Vec<String> = Vec::new();
        for a in analyses.iter() {
            let whole = model_text(&a.text);
            if !has_content(&whole) {
                jobs.push(None);
                continue;
            }
            let mut ranges = Vec::new();
            let mut flags = Vec::new();
            let mut unscored = 0;
            if a.clauses.len() > 1 {
                let mut cursor = 0;
                let mut scored = 0;
                for c in &a.clauses {
                    if scored == self.config.max_scored_clauses {
                        // Past the cap: not even looked at (no text copied, no search).
                        unscored += usize::from(has_content(&model_text(&c.clause.text)));
                        flags.push(ClauseRun::Skip);
                        continue;
                    }
                    let t = model_text(&c.clause.text);
                    if !has_content(&t) {
                        flags.push(ClauseRun::Skip);
                        continue;
                    }
                    scored += 1;
                    match whole[cursor..].find(t.as_str()).filter(|_| spans) {
                        Some(at) => {
                            ranges.push(cursor + at..cursor + at + t.len());
                            cursor += at + t.len();
                            flags.push(ClauseRun::Span);
                        }
                        None => {
                            alone.push(t);
                            flags.push(ClauseRun::Alone);
                        }
                    }
                }
            }
            jobs.push(Some(ScoreJob { text: whole, spans: ranges, runs: flags, unscored }));
        }
        let with_whole = |job: &ScoreJob| spans || score_whole || job.runs.is_empty();
        let inputs: Vec<SpanInput<'_>> = jobs
            .iter()
            .flatten()
            .filter(|job| with_whole(job))
            .map(|job| SpanInput { text: &job.text, spans: &job.spans })
            .collect();
        let mut scored = classifier.classify_spans(&inputs)?.into_iter();
        let alone: Vec<&str> = alone.iter().map(String::as_str).collect();
        let mut alone = classifier.classify_batch(&alone)?.into_iter();
        for (a, job) in analyses.iter_mut().zip(&jobs) {
            let Some(job) = job else { continue };
            a.unscored_clauses = job.unscored;
            let (whole, mut in_span) = match with_whole(job).then(|| scored.next().expect("one result per comment")) {
                Some((w, c)) => (Some(w), c.into_iter()),
                None => (None, Vec::new().into_iter()),
            };
            if a.clauses.len() > 1 {
                for (c, run) in a.clauses.iter_mut().zip(&job.runs) {
                    let cls = match run {
                        ClauseRun::Skip => continue,
                        ClauseRun::Span => in_span.next().expect("one classification per span"),
                        ClauseRun::Alone => alone.next().expect("one classification per clause"),
                    };
                    set_clause(c, cls);
                }
            } else if let (Some(c), Some(w)) = (a.clauses.first_mut(), &whole) {
                set_clause(c, w.clone());
            }
            let sentiment =
                whole.as_ref().map(|w| record::sentiment(&a.text, &w.sentiment, &a.clauses, &self.config.record));
            let lean = sentiment.as_ref().map(|s| topic_sentiment(s, self.config.classify.topic_neutral_min));
            a.topics = record::topics(whole.as_ref(), &a.clauses, model_topics, lean.as_deref(), &self.config.record);
            if let Some(w) = whole {
                a.sentiment = sentiment;
                a.embedding = w.embedding;
            }
        }
        Ok(())
    }

    /// A duplicate index configured from this analyzer's quality options.
    pub fn duplicate_index(&self) -> DuplicateIndex {
        let q = &self.config.quality;
        DuplicateIndex::new(q.near_duplicate_distance, q.duplicate_min_chars)
    }

    /// Flags `analysis` as a duplicate if `index` has seen its text; records it otherwise.
    pub fn mark_duplicate(&self, analysis: &mut Analysis, index: &mut DuplicateIndex) {
        if index.check_and_insert(&analysis.text) && !analysis.quality.flags.contains(&QualityFlag::Duplicate) {
            analysis.quality.flags.push(QualityFlag::Duplicate);
            analysis.quality.ok = false;
        }
    }
}

/// What the model sees of one comment: its text, the byte range of each clause
/// scored as a span of it, and how each clause (of a multi-clause comment) is scored.
struct ScoreJob {
    text: String,
    spans: Vec<Range<usize>>,
    runs: Vec<ClauseRun>,
    /// Clauses with something to score left unscored by `max_scored_clauses`.
    unscored: usize,
}

/// How a clause of a multi-clause comment is scored.
enum ClauseRun {
    /// Nothing to score (punctuation or placeholders only).
    Skip,
    /// As a span of the comment, in the comment's model run.
    Span,
    /// As a text of its own.
    Alone,
}

/// The text the model sees: PII placeholders removed.
fn model_text(text: &str) -> String {
    let mut out = text.to_string();
    for p in [
        crate::normalize::PHONE,
        crate::normalize::ID_CARD,
        crate::normalize::EMAIL,
        crate::normalize::ORDER_NO,
        crate::normalize::URL,
    ] {
        if out.contains(p) {
            out = out.replace(p, "");
        }
    }
    out.trim().to_string()
}

/// Whether a text has something to score: a letter, digit, Han character or emoji
/// (anything but whitespace and punctuation).
fn has_content(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_alphanumeric()
            || (!c.is_ascii() && !c.is_whitespace() && !"，。！？、；：“”‘’（）《》【】…—～·".contains(c))
    })
}

fn set_clause(c: &mut ScoredClause, cls: Classification) {
    c.sentiment = Some(cls.sentiment);
    c.topics = cls.topics;
    c.embedding = cls.embedding;
}
