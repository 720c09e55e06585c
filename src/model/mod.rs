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

mod pool;
pub mod runtime;

use crate::error::{Error, Result};
use pool::SessionPool;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where to find a model and how to run it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ModelOptions {
    /// Model directory. `None`: `$FANKUI_MODEL_DIR`, else the bundled `models/default`.
    pub dir: Option<PathBuf>,
    /// ONNX Runtime library (file or directory). `None`: search, see [`runtime`].
    pub runtime: Option<PathBuf>,
    /// Sessions in the pool; 0 = one per rayon worker thread.
    pub sessions: usize,
    /// ONNX Runtime intra-op threads per session. Default 1: parallelism comes from
    /// running one batch per rayon worker, and more threads per session would fight them.
    pub intra_threads: usize,
    /// Texts per model call (default 32). Batches are formed after sorting by token count.
    pub batch_size: usize,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions { dir: None, runtime: None, sessions: 0, intra_threads: 1, batch_size: 32 }
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

    /// The model directory these options select.
    pub fn resolve_dir(&self) -> PathBuf {
        if let Some(d) = &self.dir {
            return d.clone();
        }
        if let Some(d) = std::env::var_os("FANKUI_MODEL_DIR") {
            return PathBuf::from(d);
        }
        default_model_dir()
    }
}

/// The bundled model: `models/default` next to the crate sources, or next to the
/// executable (`<exe dir>/models/default`, `<exe dir>/../share/fankui/models/default`).
pub fn default_model_dir() -> PathBuf {
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default");
    if built.is_dir() {
        return built;
    }
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        for candidate in [exe_dir.join("models/default"), exe_dir.join("../share/fankui/models/default")] {
            if candidate.is_dir() {
                return candidate;
            }
        }
    }
    built
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
}

impl Default for TensorNames {
    fn default() -> Self {
        TensorNames {
            input_ids: "input_ids".into(),
            attention_mask: "attention_mask".into(),
            sentiment: "sentiment".into(),
            topics: "topics".into(),
            embedding: "embedding".into(),
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

/// A loaded model with its tokenizer and a pool of sessions. `Send + Sync`.
pub struct Model {
    dir: PathBuf,
    config: ModelConfig,
    names: TensorNames,
    tokenizer: tokenizers::Tokenizer,
    pool: SessionPool,
    batch_size: usize,
    fingerprint: String,
}

impl Model {
    /// Loads the model selected by `options`.
    pub fn load(options: &ModelOptions) -> Result<Self> {
        if options.batch_size == 0 {
            return Err(Error::InvalidOption { option: "batch_size", reason: "must be at least 1".into() });
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
        let fingerprint = format!("{}@{}#{:016x}", config.name, config.version, fnv1a(&onnx));

        let env = runtime::environment(options.runtime.as_deref())?;
        let n = if options.sessions == 0 { rayon::current_num_threads().max(1) } else { options.sessions };
        let mut sessions = Vec::with_capacity(n);
        for _ in 0..n {
            let builder = ort::session::Session::builder(&env).map_err(|e| model_err(&onnx_path, e.to_string()))?;
            let mut builder =
                builder.with_intra_threads(options.intra_threads).map_err(|e| model_err(&onnx_path, e.to_string()))?;
            let session = builder
                .commit_from_memory(&onnx)
                .map_err(|e| model_err(&onnx_path, format!("ONNX Runtime cannot load it: {e}")))?;
            sessions.push(session);
        }
        let names = config.tensor_names();
        check_outlets(&sessions[0], &names, &onnx_path)?;
        Ok(Model {
            dir,
            config,
            names,
            tokenizer,
            pool: SessionPool::new(sessions),
            batch_size: options.batch_size,
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

    /// Token ids for `text`, truncated to `max_length` and never empty.
    pub fn token_ids(&self, text: &str) -> Result<Vec<i64>> {
        let enc = self.tokenizer.encode(text, true).map_err(|e| Error::Inference(format!("tokenizer: {e}")))?;
        let mut ids: Vec<i64> = enc.get_ids().iter().map(|&i| i64::from(i)).collect();
        ids.truncate(self.config.max_length.max(1));
        if ids.is_empty() {
            ids.push(self.config.pad_id);
        }
        Ok(ids)
    }

    /// Runs the model over `texts` in parallel, length-sorted batches; results in input order.
    pub fn run(&self, texts: &[&str]) -> Result<Vec<ModelOutput>> {
        let all: Vec<Vec<i64>> = texts.par_iter().map(|t| self.token_ids(t)).collect::<Result<_>>()?;
        // Identical token sequences (short clauses such as 好吃 or 送餐很快 repeat a lot in
        // feedback) run once.
        let mut unique: HashMap<&[i64], usize> = HashMap::with_capacity(all.len());
        let mut ids: Vec<&[i64]> = Vec::with_capacity(all.len());
        let slot: Vec<usize> = all
            .iter()
            .map(|t| {
                *unique.entry(t.as_slice()).or_insert_with(|| {
                    ids.push(t.as_slice());
                    ids.len() - 1
                })
            })
            .collect();
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let batches: Vec<Vec<ModelOutput>> = order
            .par_chunks(self.batch_size)
            .map(|chunk| {
                let rows: Vec<&[i64]> = chunk.iter().map(|&i| ids[i]).collect();
                self.run_padded(&rows)
            })
            .collect::<Result<_>>()?;
        let mut out: Vec<Option<ModelOutput>> = vec![None; ids.len()];
        for (&i, o) in order.iter().zip(batches.into_iter().flatten()) {
            out[i] = Some(o);
        }
        let out: Vec<ModelOutput> = out.into_iter().map(|o| o.expect("every input has an output")).collect();
        Ok(slot.into_iter().map(|i| out[i].clone()).collect())
    }

    /// One model call on rows padded to the longest.
    fn run_padded(&self, rows: &[&[i64]]) -> Result<Vec<ModelOutput>> {
        let n = rows.len();
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(1).max(1);
        let mut input_ids = ndarray::Array2::<i64>::from_elem((n, width), self.config.pad_id);
        let mut mask = ndarray::Array2::<i64>::zeros((n, width));
        for (r, row) in rows.iter().enumerate() {
            for (c, &id) in row.iter().enumerate() {
                input_ids[[r, c]] = id;
                mask[[r, c]] = 1;
            }
        }
        let infer = |e: ort::Error| Error::Inference(e.to_string());
        let ids_t = ort::value::Tensor::from_array(input_ids).map_err(infer)?;
        let mask_t = ort::value::Tensor::from_array(mask).map_err(infer)?;
        self.pool.with(|session| {
            let outputs = session
                .run(ort::inputs![self.names.input_ids.as_str() => ids_t, self.names.attention_mask.as_str() => mask_t])
                .map_err(infer)?;
            let take = |name: &str, expect: Option<usize>| -> Result<Vec<Vec<f32>>> {
                let value =
                    outputs.get(name).ok_or_else(|| Error::Inference(format!("model produced no output `{name}`")))?;
                let (shape, data) = value.try_extract_tensor::<f32>().map_err(infer)?;
                let dims: Vec<i64> = shape.iter().copied().collect();
                if dims.len() != 2 || dims[0] as usize != n || expect.is_some_and(|k| dims[1] as usize != k) {
                    return Err(Error::Inference(format!(
                        "output `{name}` has shape {dims:?}, expected [{n}, {expect:?}]"
                    )));
                }
                let k = dims[1] as usize;
                Ok(data.chunks(k.max(1)).take(n).map(<[f32]>::to_vec).collect())
            };
            let sentiment = take(&self.names.sentiment, Some(self.config.sentiment.len()))?;
            let topics = take(&self.names.topics, Some(self.config.topics.len()))?;
            let embedding = take(&self.names.embedding, Some(self.config.embedding_dim))?;
            Ok(sentiment
                .into_iter()
                .zip(topics)
                .zip(embedding)
                .map(|((sentiment, topics), embedding)| ModelOutput { sentiment, topics, embedding })
                .collect())
        })
    }
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

/// 64-bit FNV-1a: a cheap, stable fingerprint of the model bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
