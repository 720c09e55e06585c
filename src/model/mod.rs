//! Running an ONNX model over texts: model directory, tokenizer, session pool,
//! length-sorted parallel batches.
//!
//! A model directory holds `model.onnx`, `tokenizer.json` (Hugging Face
//! `tokenizers` format) and `labels.json` ([`ModelConfig`]). The model takes
//! `input_ids` and `attention_mask` (int64, `[batch, seq]`) and returns
//! `sentiment` (`[batch, n_sentiment]` probabilities), `topics`
//! (`[batch, n_topics]` independent probabilities) and `embedding`
//! (`[batch, dim]`, L2-normalized). Names can be remapped in `labels.json`, so a
//! fine-tuned BERT exported with optimum fits once its outputs are named there.
//!
//! A model may also score **spans** of a text (its clauses) in the same run as the
//! text: it then takes a third input `span_mask` (float32, `[batch, spans, seq]`,
//! 1 where a token belongs to the span) and returns `span_sentiment`,
//! `span_topics` and `span_embedding` (`[batch, spans, ...]`). The bundled model
//! does; [`Model::supports_spans`] tells, and callers fall back to scoring each
//! span as a text of its own when it does not.
//!
//! A model whose graph has an input `first_layer` comes with `first_layer.bin`: the first
//! n-gram layer of its encoder, which fankui computes itself (faster than in the graph; see
//! `first_layer.rs` and `models/build/first_layer.py`). The bundled model does.

mod first_layer;
mod pool;
pub mod runtime;

use crate::error::{Error, Result};
use first_layer::FirstLayer;
use pool::SessionPool;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Where to find a model and how to run it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ModelOptions {
    /// Model directory, or the name of a bundled model (`accurate`: multilingual-e5-small,
    /// slower and more accurate). `None`: `$FANKUI_MODEL_DIR`, else the bundled
    /// `models/default`.
    pub dir: Option<PathBuf>,
    /// ONNX Runtime library (file or directory). `None`: search, see [`runtime`].
    pub runtime: Option<PathBuf>,
    /// Sessions in the pool; 0 = one per rayon worker thread.
    pub sessions: usize,
    /// ONNX Runtime intra-op threads per session. Default 1: parallelism comes from
    /// running one batch per rayon worker, and more threads per session would fight them.
    pub intra_threads: usize,
    /// Texts per model call (default 16). Batches are formed after sorting by token count.
    pub batch_size: usize,
    /// Most padded positions per model call (default 512): a batch holds at most
    /// `batch_size` texts, and fewer when `texts × (tokens + spans)` of its longest
    /// would pass this. The model's activations grow with it (the bundled model keeps
    /// 16 KB of features per token), so 32 texts at the 256-token truncation would
    /// take 134 MB for one tensor. Small batches keep a call's tensors in the CPU's
    /// caches: on the 2-core bench machine, 16 texts and 512 positions scored short
    /// comments 2–9 % and 300-character reviews 3–19 % faster than 32 and 2,048
    /// (`benches/compare_snownlp.sh` inputs, four interleaved pairs each).
    pub batch_tokens: usize,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions { dir: None, runtime: None, sessions: 0, intra_threads: 1, batch_size: 16, batch_tokens: 512 }
    }
}

impl ModelOptions {
    /// Sets the model directory.
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }
    /// Sets the ONNX Runtime library path.
    pub fn with_runtime(mut self, path: impl Into<PathBuf>) -> Self {
        self.runtime = Some(path.into());
        self
    }
    /// Sets the number of pooled sessions (0 = one per rayon thread).
    pub fn with_sessions(mut self, n: usize) -> Self {
        self.sessions = n;
        self
    }
    /// Sets ONNX Runtime's intra-op threads per session.
    pub fn with_intra_threads(mut self, n: usize) -> Self {
        self.intra_threads = n;
        self
    }
    /// Sets the batch size.
    pub fn with_batch_size(mut self, n: usize) -> Self {
        self.batch_size = n;
        self
    }
    /// Sets the most padded positions (tokens plus spans, per text) per model call.
    pub fn with_batch_tokens(mut self, n: usize) -> Self {
        self.batch_tokens = n;
        self
    }

    /// The model directory these options select. A `dir` (or `$FANKUI_MODEL_DIR`) that is a
    /// bare name such as `accurate` and no directory of that name exists names a bundled model
    /// ([`bundled_model_dir`]).
    pub fn resolve_dir(&self) -> PathBuf {
        let chosen = match &self.dir {
            Some(d) => d.clone(),
            None => match std::env::var_os("FANKUI_MODEL_DIR") {
                Some(d) => PathBuf::from(d),
                None => return default_model_dir(),
            },
        };
        if chosen.parent() == Some(Path::new("")) && !chosen.exists() {
            if let Some(bundled) = chosen.to_str().and_then(bundled_model_dir) {
                return bundled;
            }
        }
        chosen
    }
}

/// The bundled model: `models/default` (see [`bundled_model_dir`]).
pub fn default_model_dir() -> PathBuf {
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default");
    bundled_model_dir("default").unwrap_or(built)
}

/// A model bundled with fankui, by name (`default`, `accurate`): `models/<name>` next to the
/// crate sources, or next to the executable (`<exe dir>/models/<name>`,
/// `<exe dir>/../share/fankui/models/<name>`). `None` when none of them is a directory.
pub fn bundled_model_dir(name: &str) -> Option<PathBuf> {
    let sub = Path::new("models").join(name);
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(&sub);
    let exe_dir = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf));
    std::iter::once(built)
        .chain(exe_dir.into_iter().flat_map(|d| [d.join(&sub), d.join("../share/fankui").join(&sub)]))
        .find(|d| d.is_dir())
}

/// Tensor names used by a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TensorNames {
    /// Token ids input.
    pub input_ids: String,
    /// Attention mask input.
    pub attention_mask: String,
    /// Sentiment probabilities output.
    pub sentiment: String,
    /// Topic probabilities output.
    pub topics: String,
    /// Sentence embedding output.
    pub embedding: String,
    /// Span selection input (optional: only models that score spans have it).
    pub span_mask: String,
    /// Per-span sentiment output.
    pub span_sentiment: String,
    /// Per-span topics output.
    pub span_topics: String,
    /// Per-span embedding output.
    pub span_embedding: String,
    /// The encoder's first layer, computed by fankui from `first_layer.bin` (optional: only
    /// models built with `models/build/first_layer.py` have it).
    pub first_layer: String,
}

impl Default for TensorNames {
    fn default() -> Self {
        TensorNames {
            input_ids: "input_ids".into(),
            attention_mask: "attention_mask".into(),
            sentiment: "sentiment".into(),
            topics: "topics".into(),
            embedding: "embedding".into(),
            span_mask: "span_mask".into(),
            span_sentiment: "span_sentiment".into(),
            span_topics: "span_topics".into(),
            span_embedding: "span_embedding".into(),
            first_layer: "first_layer".into(),
        }
    }
}

/// `labels.json`: what a model's outputs mean.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelConfig {
    /// Model name.
    #[serde(default)]
    pub name: String,
    /// Model version.
    #[serde(default)]
    pub version: String,
    /// Sentiment labels in output order, e.g. `["negative", "neutral", "positive"]`.
    pub sentiment: Vec<String>,
    /// Topic labels in output order.
    pub topics: Vec<String>,
    /// Per-topic probability thresholds (missing topics use 0.5).
    #[serde(default)]
    pub topic_thresholds: BTreeMap<String, f32>,
    /// Embedding size.
    pub embedding_dim: usize,
    /// Longest input in tokens; longer inputs are truncated.
    #[serde(default = "default_max_length")]
    pub max_length: usize,
    /// Token id used for padding.
    #[serde(default)]
    pub pad_id: i64,
    /// Tensor names, for the input side.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// Tensor names, for the output side.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
    /// Most texts per model call, whatever `ModelOptions::batch_size` asks. `1` for a graph
    /// whose outputs depend on the other texts of its batch: ONNX Runtime's dynamic int8
    /// quantisation scales the activations of a whole call at once, so a text scored beside
    /// others would not score as alone (the bundled accurate model). `None`: no limit.
    #[serde(default)]
    pub max_batch: Option<usize>,
}

fn default_max_length() -> usize {
    256
}

impl ModelConfig {
    /// The tensor names, with `inputs`/`outputs` overrides applied.
    pub fn tensor_names(&self) -> TensorNames {
        let mut names = TensorNames::default();
        let pick = |map: &BTreeMap<String, String>, key: &str, slot: &mut String| {
            if let Some(v) = map.get(key) {
                *slot = v.clone();
            }
        };
        pick(&self.inputs, "input_ids", &mut names.input_ids);
        pick(&self.inputs, "attention_mask", &mut names.attention_mask);
        pick(&self.outputs, "sentiment", &mut names.sentiment);
        pick(&self.outputs, "topics", &mut names.topics);
        pick(&self.outputs, "embedding", &mut names.embedding);
        pick(&self.inputs, "span_mask", &mut names.span_mask);
        pick(&self.outputs, "span_sentiment", &mut names.span_sentiment);
        pick(&self.outputs, "span_topics", &mut names.span_topics);
        pick(&self.outputs, "span_embedding", &mut names.span_embedding);
        pick(&self.inputs, "first_layer", &mut names.first_layer);
        names
    }

    /// Threshold for topic `label`.
    pub fn threshold(&self, label: &str) -> f32 {
        self.topic_thresholds.get(label).copied().unwrap_or(0.5)
    }
}

/// What the model says about one text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelOutput {
    /// Sentiment probabilities, in [`ModelConfig::sentiment`] order.
    pub sentiment: Vec<f32>,
    /// Topic probabilities, in [`ModelConfig::topics`] order.
    pub topics: Vec<f32>,
    /// L2-normalized sentence embedding.
    pub embedding: Vec<f32>,
}

/// A text and byte ranges of it (its clauses) to score in the same model run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanInput<'a> {
    /// The whole text.
    pub text: &'a str,
    /// Byte ranges of `text`, each on character boundaries.
    pub spans: &'a [Range<usize>],
}

/// What the model says about a text and each of its spans.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanOutput {
    /// The whole text.
    pub whole: ModelOutput,
    /// One per span, in order; `None` when the span has no token the model saw
    /// (it lies past the truncation at `max_length`, or holds only whitespace).
    pub spans: Vec<Option<ModelOutput>>,
}

/// A tokenized row: ids, the positions of special tokens (`<s>`, `</s>`, which
/// every span also pools) and each span as a range of token positions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Row {
    ids: Vec<i64>,
    specials: Vec<usize>,
    spans: Vec<Range<usize>>,
}

/// A loaded model with its tokenizer and a pool of sessions. `Send + Sync`.
pub struct Model {
    dir: PathBuf,
    config: ModelConfig,
    names: TensorNames,
    spans: bool,
    tokenizer: tokenizers::Tokenizer,
    pool: SessionPool,
    first_layer: Option<FirstLayer>,
    batch_size: usize,
    batch_tokens: usize,
    fingerprint: String,
}

impl Model {
    /// Loads the model selected by `options`.
    pub fn load(options: &ModelOptions) -> Result<Self> {
        if options.batch_size == 0 {
            return Err(Error::InvalidOption { option: "batch_size", reason: "must be at least 1".into() });
        }
        if options.batch_tokens == 0 {
            return Err(Error::InvalidOption { option: "batch_tokens", reason: "must be at least 1".into() });
        }
        if options.intra_threads == 0 {
            return Err(Error::InvalidOption { option: "intra_threads", reason: "must be at least 1".into() });
        }
        let dir = options.resolve_dir();
        let model_err = |path: &Path, reason: String| Error::Model { path: path.to_path_buf(), reason };
        if !dir.is_dir() {
            return Err(model_err(
                &dir,
                "no such model directory (expected model.onnx, tokenizer.json, labels.json)".into(),
            ));
        }
        let labels_path = dir.join("labels.json");
        let labels = std::fs::read(&labels_path).map_err(|e| model_err(&labels_path, e.to_string()))?;
        let config: ModelConfig =
            serde_json::from_slice(&labels).map_err(|e| model_err(&labels_path, e.to_string()))?;
        if config.sentiment.is_empty() {
            return Err(model_err(&labels_path, "`sentiment` lists no labels".into()));
        }
        let tok_path = dir.join("tokenizer.json");
        if !tok_path.is_file() {
            return Err(model_err(&tok_path, "missing".into()));
        }
        let tokenizer = tokenizers::Tokenizer::from_file(&tok_path).map_err(|e| model_err(&tok_path, e.to_string()))?;
        let onnx_path = dir.join("model.onnx");
        let onnx = std::fs::read(&onnx_path).map_err(|e| model_err(&onnx_path, e.to_string()))?;

        let env = runtime::environment(options.runtime.as_deref())?;
        let n = if options.sessions == 0 { rayon::current_num_threads().max(1) } else { options.sessions };
        // Sessions are built in parallel: each one optimizes the graph, which dominates start-up.
        let sessions: Vec<ort::session::Session> = (0..n)
            .into_par_iter()
            .map(|_| {
                let builder = ort::session::Session::builder(&env).map_err(|e| model_err(&onnx_path, e.to_string()))?;
                let mut builder = builder
                    .with_intra_threads(options.intra_threads)
                    .map_err(|e| model_err(&onnx_path, e.to_string()))?;
                builder
                    .commit_from_memory(&onnx)
                    .map_err(|e| model_err(&onnx_path, format!("ONNX Runtime cannot load it: {e}")))
            })
            .collect::<Result<_>>()?;
        let names = config.tensor_names();
        check_outlets(&sessions[0], &names, &onnx_path)?;
        let spans = has_span_outlets(&sessions[0], &names);
        let mut fingerprint = format!("{}@{}#{:016x}", config.name, config.version, fnv1a(&onnx));
        let first_layer = if sessions[0].inputs().iter().any(|i| i.name() == names.first_layer) {
            let path = dir.join(first_layer::FILE);
            let bytes = std::fs::read(&path).map_err(|e| model_err(&path, e.to_string()))?;
            let layer = FirstLayer::parse(&bytes).map_err(|reason| model_err(&path, reason))?;
            fingerprint.push_str(&format!("-{:016x}", fnv1a(&bytes)));
            Some(layer)
        } else {
            None
        };
        let batch_size = config.max_batch.map_or(options.batch_size, |m| m.clamp(1, options.batch_size));
        Ok(Model {
            dir,
            config,
            names,
            spans,
            tokenizer,
            pool: SessionPool::new(sessions),
            first_layer,
            batch_size,
            batch_tokens: options.batch_tokens,
            fingerprint,
        })
    }

    /// The model directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the outputs mean.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Identifies the exact model (name, version and a hash of `model.onnx`),
    /// so state built with one model is not reused with another.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Number of pooled sessions.
    pub fn sessions(&self) -> usize {
        self.pool.size()
    }

    /// Whether the model scores spans of a text in the same run ([`run_spans`](Self::run_spans)).
    pub fn supports_spans(&self) -> bool {
        self.spans
    }

    /// Token ids for `text`, truncated to `max_length` and never empty.
    pub fn token_ids(&self, text: &str) -> Result<Vec<i64>> {
        Ok(self.row(text, &[])?.ids)
    }

    /// Tokenizes `text` and maps each byte range in `spans` to the tokens that start in it.
    fn row(&self, text: &str, spans: &[Range<usize>]) -> Result<Row> {
        let enc = self.tokenizer.encode(text, true).map_err(|e| Error::Inference(format!("tokenizer: {e}")))?;
        let max = self.config.max_length.max(1);
        let mut ids: Vec<i64> = enc.get_ids().iter().map(|&i| i64::from(i)).collect();
        ids.truncate(max);
        if ids.is_empty() {
            ids.push(self.config.pad_id);
        }
        let special = enc.get_special_tokens_mask();
        let specials = (0..ids.len()).filter(|&k| special.get(k).is_some_and(|&m| m == 1)).collect();
        let offsets = enc.get_offsets();
        let offsets = &offsets[..ids.len().min(offsets.len())];
        let spans = spans.iter().map(|r| span_tokens(offsets, special, r)).collect();
        Ok(Row { ids, specials, spans })
    }

    /// Runs the model over `texts` in parallel, length-sorted batches; results in input order.
    pub fn run(&self, texts: &[&str]) -> Result<Vec<ModelOutput>> {
        let rows: Vec<Row> = texts.par_iter().map(|t| self.row(t, &[])).collect::<Result<_>>()?;
        Ok(self.run_rows(rows)?.into_iter().map(|o| o.whole).collect())
    }

    /// Scores each text and each of its spans in one model run per batch; results
    /// in input order. Fails with [`Error::InvalidOption`] when the model does not
    /// [support spans](Self::supports_spans).
    pub fn run_spans(&self, inputs: &[SpanInput<'_>]) -> Result<Vec<SpanOutput>> {
        if !self.spans && inputs.iter().any(|i| !i.spans.is_empty()) {
            return Err(Error::InvalidOption {
                option: "spans",
                reason: format!("model `{}` has no `{}` input", self.config.name, self.names.span_mask),
            });
        }
        let rows: Vec<Row> = inputs.par_iter().map(|i| self.row(i.text, i.spans)).collect::<Result<_>>()?;
        self.run_rows(rows)
    }

    fn run_rows(&self, all: Vec<Row>) -> Result<Vec<SpanOutput>> {
        // Identical rows (short clauses such as 好吃 or 送餐很快 repeat a lot in
        // feedback) run once.
        let mut unique: HashMap<&Row, usize> = HashMap::with_capacity(all.len());
        let mut rows: Vec<&Row> = Vec::with_capacity(all.len());
        let slot: Vec<usize> = all
            .iter()
            .map(|r| {
                *unique.entry(r).or_insert_with(|| {
                    rows.push(r);
                    rows.len() - 1
                })
            })
            .collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| rows[i].ids.len());
        let batches: Vec<Vec<SpanOutput>> = batch_ranges(&order, &rows, self.batch_size, self.batch_tokens)
            .into_par_iter()
            .map(|range| {
                let batch: Vec<&Row> = order[range].iter().map(|&i| rows[i]).collect();
                self.run_padded(&batch)
            })
            .collect::<Result<_>>()?;
        let mut out: Vec<Option<SpanOutput>> = vec![None; rows.len()];
        for (&i, o) in order.iter().zip(batches.into_iter().flatten()) {
            out[i] = Some(o);
        }
        // Each output moves to its last user; only repeated inputs are cloned.
        let mut uses = vec![0usize; out.len()];
        for &i in &slot {
            uses[i] += 1;
        }
        Ok(slot
            .into_iter()
            .map(|i| {
                uses[i] -= 1;
                let o = if uses[i] == 0 { out[i].take() } else { out[i].clone() };
                o.expect("every input has an output")
            })
            .collect())
    }

    /// One model call on rows padded to the longest (and, for spans, to the most spans).
    fn run_padded(&self, rows: &[&Row]) -> Result<Vec<SpanOutput>> {
        let n = rows.len();
        let width = rows.iter().map(|r| r.ids.len()).max().unwrap_or(1).max(1);
        let mut input_ids = ndarray::Array2::<i64>::from_elem((n, width), self.config.pad_id);
        let mut mask = ndarray::Array2::<i64>::zeros((n, width));
        for (r, row) in rows.iter().enumerate() {
            for (c, &id) in row.ids.iter().enumerate() {
                input_ids[[r, c]] = id;
                mask[[r, c]] = 1;
            }
        }
        let infer = |e: ort::Error| Error::Inference(e.to_string());
        let first = self.first_layer.as_ref().map(|fl| {
            let lens: Vec<usize> = rows.iter().map(|r| r.ids.len()).collect();
            let ids = input_ids.as_slice().expect("a new array is contiguous");
            (fl.dim(), fl.input(ids, &lens, width))
        });
        let ids_t = ort::value::Tensor::from_array(input_ids).map_err(infer)?;
        let mask_t = ort::value::Tensor::from_array(mask).map_err(infer)?;
        let mut inputs =
            ort::inputs![self.names.input_ids.as_str() => ids_t, self.names.attention_mask.as_str() => mask_t];
        if let Some((dim, values)) = first {
            let first_t = ort::value::Tensor::from_array(([n, width, dim], values)).map_err(infer)?;
            inputs.push((self.names.first_layer.as_str().into(), first_t.into()));
        }
        // Only spans with a token the model sees take a column of the span mask: a
        // comment of thousands of clauses past the truncation at `max_length` would
        // otherwise make the mask and every span output [batch, thousands, ...] (77 MB
        // for one comment of 3,333 clauses). Seen spans hold distinct tokens, so a row
        // has at most `width` of them.
        let seen = |row: &Row| row.spans.iter().filter(|r| !r.is_empty()).count();
        let n_spans = rows.iter().map(|r| seen(r)).max().unwrap_or(0);
        if self.spans {
            // Unused columns are all-zero; a batch without spans still passes one.
            let mut span = ndarray::Array3::<f32>::zeros((n, n_spans.max(1), width));
            for (r, row) in rows.iter().enumerate() {
                for (j, range) in row.spans.iter().filter(|range| !range.is_empty()).enumerate() {
                    for k in range.clone().chain(row.specials.iter().copied()) {
                        span[[r, j, k]] = 1.0;
                    }
                }
            }
            let span_t = ort::value::Tensor::from_array(span).map_err(infer)?;
            inputs.push((self.names.span_mask.as_str().into(), span_t.into()));
        }
        self.pool.with(|session| {
            let outputs = session.run(inputs).map_err(infer)?;
            // Rows of `k` values each: `n` of them for the texts, `n * s` for spans.
            let take = |name: &str, lead: &[usize], expect: Option<usize>| -> Result<Vec<Vec<f32>>> {
                let value =
                    outputs.get(name).ok_or_else(|| Error::Inference(format!("model produced no output `{name}`")))?;
                let (shape, data) = value.try_extract_tensor::<f32>().map_err(infer)?;
                let dims: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
                let ok = dims.len() == lead.len() + 1
                    && dims[..lead.len()] == *lead
                    && expect.is_none_or(|k| dims[lead.len()] == k);
                if !ok {
                    return Err(Error::Inference(format!(
                        "output `{name}` has shape {dims:?}, expected {lead:?} + [{expect:?}]"
                    )));
                }
                let k = dims[lead.len()];
                Ok(data.chunks(k.max(1)).take(lead.iter().product()).map(<[f32]>::to_vec).collect())
            };
            let outputs_of =
                |lead: &[usize], sentiment: &str, topics: &str, embedding: &str| -> Result<Vec<ModelOutput>> {
                    let s = take(sentiment, lead, Some(self.config.sentiment.len()))?;
                    let t = take(topics, lead, Some(self.config.topics.len()))?;
                    let e = take(embedding, lead, Some(self.config.embedding_dim))?;
                    Ok(s.into_iter()
                        .zip(t)
                        .zip(e)
                        .map(|((sentiment, topics), embedding)| ModelOutput { sentiment, topics, embedding })
                        .collect())
                };
            let names = &self.names;
            let whole = outputs_of(&[n], &names.sentiment, &names.topics, &names.embedding)?;
            let mut per_span = if n_spans > 0 {
                outputs_of(&[n, n_spans], &names.span_sentiment, &names.span_topics, &names.span_embedding)?
            } else {
                Vec::new()
            }
            .into_iter();
            Ok(whole
                .into_iter()
                .zip(rows)
                .map(|(whole, row)| {
                    // This row's columns: one per seen span, in order, then padding.
                    let mut columns: Vec<ModelOutput> = per_span.by_ref().take(n_spans).collect();
                    columns.truncate(seen(row));
                    let mut columns = columns.into_iter();
                    let spans = row
                        .spans
                        .iter()
                        .map(|range| (!range.is_empty()).then(|| columns.next().expect("one column per seen span")))
                        .collect();
                    SpanOutput { whole, spans }
                })
                .collect())
        })
    }
}

/// The tokens of a span (a byte range of the text): those that are not special and overlap
/// it, first to last; `0..0` when none does. A token is taken by overlap, not by where it
/// starts: the tokenizer fuses a blank with the character after it ("很辣 不好吃" gives
/// `▁不` at the blank's offset), and a clause cut at that blank must keep its `不`.
fn span_tokens(offsets: &[(usize, usize)], special: &[u32], r: &Range<usize>) -> Range<usize> {
    let inside = |k: &usize| special.get(*k) == Some(&0) && offsets[*k].0 < r.end && offsets[*k].1 > r.start;
    let first = (0..offsets.len()).find(inside);
    let last = (0..offsets.len()).rev().find(inside);
    match (first, last) {
        (Some(a), Some(b)) => a..b + 1,
        _ => 0..0,
    }
}

/// Cuts rows (in `order`, sorted by length) into batches of at most `max_rows` rows
/// and, beyond a batch's first row, at most `max_tokens` padded positions: rows ×
/// (longest row + most spans a row has a column for).
fn batch_ranges(order: &[usize], rows: &[&Row], max_rows: usize, max_tokens: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut width, mut spans) = (0, 0, 0);
    for (k, &i) in order.iter().enumerate() {
        let row = rows[i];
        let w = width.max(row.ids.len());
        let s = spans.max(row.spans.iter().filter(|r| !r.is_empty()).count());
        let n = k - start + 1;
        if n > 1 && (n > max_rows || n.saturating_mul(w + s) > max_tokens) {
            out.push(start..k);
            start = k;
            width = row.ids.len();
            spans = row.spans.iter().filter(|r| !r.is_empty()).count();
        } else {
            width = w;
            spans = s;
        }
    }
    if start < order.len() {
        out.push(start..order.len());
    }
    out
}

fn check_outlets(session: &ort::session::Session, names: &TensorNames, path: &Path) -> Result<()> {
    let inputs: Vec<&str> = session.inputs().iter().map(|o| o.name()).collect();
    let outputs: Vec<&str> = session.outputs().iter().map(|o| o.name()).collect();
    for (kind, want, have) in [
        ("input", &names.input_ids, &inputs),
        ("input", &names.attention_mask, &inputs),
        ("output", &names.sentiment, &outputs),
        ("output", &names.topics, &outputs),
        ("output", &names.embedding, &outputs),
    ] {
        if !have.contains(&want.as_str()) {
            return Err(Error::Model {
                path: path.to_path_buf(),
                reason: format!("has no {kind} named `{want}` (it has {have:?}); rename it in labels.json"),
            });
        }
    }
    Ok(())
}

/// Whether the session has the span input and all three span outputs.
fn has_span_outlets(session: &ort::session::Session, names: &TensorNames) -> bool {
    let input = session.inputs().iter().any(|o| o.name() == names.span_mask);
    let outputs = [&names.span_sentiment, &names.span_topics, &names.span_embedding]
        .iter()
        .all(|want| session.outputs().iter().any(|o| o.name() == want.as_str()));
    input && outputs
}

/// A cheap, stable fingerprint of the model bytes: 64-bit FNV-1a over 8-byte
/// little-endian words (then the tail bytes), 8× fewer steps than byte-wise.
fn fnv1a(bytes: &[u8]) -> u64 {
    let step = |h: u64, x: u64| (h ^ x).wrapping_mul(0x0100_0000_01b3);
    let mut words = bytes.chunks_exact(8);
    let h = words
        .by_ref()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, w| step(h, u64::from_le_bytes(w.try_into().expect("8 bytes"))));
    words.remainder().iter().fold(h, |h, &b| step(h, u64::from(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_name_selects_a_bundled_model_and_anything_else_stays_a_path() {
        let dir = |d: &str| ModelOptions::default().with_dir(d).resolve_dir();
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        assert_eq!(dir("accurate"), bundled.join("accurate"));
        assert_eq!(dir("default"), bundled.join("default"));
        assert_eq!(
            dir("no-such-model"),
            PathBuf::from("no-such-model"),
            "a missing model stays as given (and fails to load)"
        );
        assert_eq!(dir("./accurate"), PathBuf::from("./accurate"), "a path is never a bundled name");
        assert_eq!(dir("src"), PathBuf::from("src"), "an existing directory wins over a bundled name");
    }

    fn row(tokens: usize, spans: usize) -> Row {
        Row { ids: vec![5; tokens], specials: Vec::new(), spans: (0..spans).map(|k| k..k + 1).collect() }
    }

    #[test]
    fn a_span_keeps_the_token_its_leading_blank_is_fused_into() {
        // "很辣 不好吃 还贵" (bytes): <s> ▁ 很 辣 ▁不 好 吃 ▁ 还 贵 </s>
        let offsets =
            [(0, 0), (0, 3), (0, 3), (3, 6), (6, 10), (10, 13), (13, 16), (16, 17), (17, 20), (20, 23), (0, 0)];
        let special = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(span_tokens(&offsets, &special, &(0..6)), 1..4);
        assert_eq!(span_tokens(&offsets, &special, &(7..16)), 4..7, "the clause 不好吃 keeps ▁不");
        assert_eq!(span_tokens(&offsets, &special, &(17..23)), 8..10);
        assert_eq!(span_tokens(&offsets, &special, &(23..23)), 0..0);
    }

    #[test]
    fn batches_are_bounded_by_rows_and_by_padded_positions() {
        // 40 short rows then 40 rows at the 256-token truncation with 64 spans each.
        let rows: Vec<Row> = (0..40).map(|_| row(20, 2)).chain((0..40).map(|_| row(256, 64))).collect();
        let refs: Vec<&Row> = rows.iter().collect();
        let order: Vec<usize> = (0..rows.len()).collect();
        let ranges = batch_ranges(&order, &refs, 32, 2048);
        let sizes: Vec<usize> = ranges.iter().map(|r| r.len()).collect();
        // Short rows: 32 then 8 (the row cap binds); a batch mixing in a long row
        // is cut there; long rows: 2048 / (256 + 64) = 6 per batch.
        assert_eq!(sizes[..2], [32, 8]);
        assert!(sizes[2..].iter().all(|&n| n == 6 || n == 4), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 80);
        for r in &ranges {
            let width = r.clone().map(|k| rows[order[k]].ids.len()).max().unwrap();
            let spans = r.clone().map(|k| rows[order[k]].spans.len()).max().unwrap();
            assert!(r.len() == 1 || r.len() * (width + spans) <= 2048);
        }
        // A row bigger than the budget still runs, alone.
        let big = [row(4000, 0)];
        let refs: Vec<&Row> = big.iter().collect();
        let alone = batch_ranges(&[0], &refs, 32, 2048);
        assert_eq!((alone.len(), alone[0].start, alone[0].end), (1, 0, 1));
        assert!(batch_ranges(&[], &refs, 32, 2048).is_empty());
    }
}
