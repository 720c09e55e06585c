//! The `fankui._fankui` extension module: a thin layer over the Rust core.
//!
//! Results cross the boundary as JSON (made by the same serializer as the CLI's
//! output, so Python and CLI results are identical) and embeddings as raw
//! little-endian f32 bytes for `numpy.frombuffer`. Every batch call releases the
//! GIL. Rust errors become Python exceptions in one place: [`to_py`].

use fankui::issues::{Feed, RecordFields};
use fankui::{Analysis, Analyzer as Core, Error, Input, IssueDetector, IssueOptions, PipelineConfig, Source};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

create_exception!(_fankui, FankuiError, PyException, "Base class of every fankui error.");
create_exception!(_fankui, RuntimeNotFound, FankuiError, "The ONNX Runtime shared library could not be found.");
create_exception!(_fankui, ModelError, FankuiError, "A model directory is missing, malformed, or the model failed.");
create_exception!(_fankui, InputError, FankuiError, "An input record or text cannot be processed.");
create_exception!(_fankui, ConfigError, FankuiError, "An option or configuration value is invalid.");
create_exception!(_fankui, StateError, FankuiError, "A state file is unreadable or belongs to another model or setup.");

/// The one place where Rust errors become Python exceptions.
fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::RuntimeNotFound { .. } => RuntimeNotFound::new_err(msg),
        Error::Model { .. } | Error::Inference(_) => ModelError::new_err(msg),
        Error::Input(_) => InputError::new_err(msg),
        Error::InvalidOption { .. } | Error::Lexicon { .. } | Error::Json(_) => ConfigError::new_err(msg),
        Error::State { .. } => StateError::new_err(msg),
        _ => FankuiError::new_err(msg),
    }
}

fn config_error(e: impl std::fmt::Display) -> PyErr {
    ConfigError::new_err(e.to_string())
}

/// The Rust pipeline, configured from a JSON `PipelineConfig`.
#[pyclass(module = "fankui._fankui", frozen)]
struct Analyzer {
    inner: Arc<Core>,
}

#[pymethods]
impl Analyzer {
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        let config: PipelineConfig = serde_json::from_str(config_json).map_err(config_error)?;
        let inner = py.allow_threads(|| Core::new(config)).map_err(to_py)?;
        Ok(Analyzer { inner: Arc::new(inner) })
    }

    /// The configuration in force, as JSON.
    fn config_json(&self) -> PyResult<String> {
        serde_json::to_string(self.inner.config()).map_err(config_error)
    }

    /// Scores texts; returns a JSON array with one object per text, in order
    /// (`{"error": ...}` for a text that cannot be analyzed).
    #[pyo3(signature = (texts, voice, embeddings=false))]
    fn score_json(&self, py: Python<'_>, texts: Vec<String>, voice: Vec<bool>, embeddings: bool) -> PyResult<String> {
        if voice.len() != texts.len() {
            return Err(InputError::new_err("voice flags and texts differ in length"));
        }
        let inner = self.inner.clone();
        py.allow_threads(move || {
            let inputs: Vec<Input<'_>> = texts
                .iter()
                .zip(&voice)
                .map(|(t, &v)| Input::new(t).with_source(if v { Source::Voice } else { Source::Text }))
                .collect();
            let results = inner.analyze_batch(&inputs)?;
            let values: Vec<Value> = results
                .into_iter()
                .map(|r| match r {
                    Ok(mut a) => {
                        if !embeddings {
                            a.strip_embeddings();
                        }
                        serde_json::to_value(a).map_err(Error::from)
                    }
                    Err(e) => Ok(serde_json::json!({ "error": e.to_string() })),
                })
                .collect::<Result<_, Error>>()?;
            Ok(serde_json::to_string(&values)?)
        })
        .map_err(to_py)
    }

    /// Sentence embeddings of the normalized texts: (little-endian f32 bytes, dim).
    fn embed_bytes<'py>(&self, py: Python<'py>, texts: Vec<String>) -> PyResult<(Bound<'py, PyBytes>, usize)> {
        let inner = self.inner.clone();
        let (bytes, dim) = py
            .allow_threads(move || -> Result<(Vec<u8>, usize), Error> {
                let inputs: Vec<Input<'_>> = texts.iter().map(|t| Input::new(t)).collect();
                let vectors = inner.embed_batch(&inputs)?;
                let dim = inner.classifier().map(|c| c.model().config().embedding_dim).unwrap_or(0);
                let mut bytes = Vec::with_capacity(vectors.len() * dim * 4);
                for v in vectors {
                    for x in v {
                        bytes.extend_from_slice(&x.to_le_bytes());
                    }
                }
                Ok((bytes, dim))
            })
            .map_err(to_py)?;
        Ok((PyBytes::new(py, &bytes), dim))
    }

    /// Finds issues in JSON records (a JSON array of objects); returns
    /// (issues JSON array, summary JSON object).
    #[pyo3(signature = (records_json, fields_json, options_json, state=None, since=None))]
    fn detect_issues_json(
        &self,
        py: Python<'_>,
        records_json: String,
        fields_json: &str,
        options_json: &str,
        state: Option<PathBuf>,
        since: Option<String>,
    ) -> PyResult<(String, String)> {
        let fields: RecordFields = serde_json::from_str(fields_json).map_err(config_error)?;
        let mut options: IssueOptions = serde_json::from_str(options_json).map_err(config_error)?;
        options.group_fields = fields.groups.clone();
        let inner = self.inner.clone();
        py.allow_threads(move || -> Result<(String, String), Error> {
            let records: Vec<Value> = serde_json::from_str(&records_json)?;
            let classifier = inner.classifier().ok_or_else(|| Error::InvalidOption {
                option: "scoring",
                reason: "issue detection needs the model (scoring is off)".into(),
            })?;
            let fingerprint = classifier.model().fingerprint().to_string();
            let window = options.window;
            let mut detector = match &state {
                Some(p) => IssueDetector::resume(options, &fingerprint, p)?,
                None => IssueDetector::new(options, &fingerprint),
            };
            let mut feed = Vec::with_capacity(records.len());
            let mut errors: Vec<Value> = Vec::new();
            for (i, r) in records.into_iter().enumerate() {
                let Value::Object(obj) = r else {
                    errors.push(serde_json::json!({"id": i + 1, "error": "record is not an object"}));
                    continue;
                };
                match Feed::from_json(obj, &fields, i + 1) {
                    Ok(x) => feed.push(x),
                    Err((id, e)) => errors.push(serde_json::json!({"id": id, "error": e})),
                }
            }
            let summary = detector.process(&inner, feed, |_| {})?;
            for (id, e) in &summary.errors {
                errors.push(serde_json::json!({"id": id, "error": e}));
            }
            let since = match since {
                Some(s) => Some(fankui::LocalTime::parse(&s)?.window(window)),
                None => None,
            };
            let issues = detector.issues(since);
            if let Some(p) = &state {
                detector.save(p)?;
            }
            let summary = serde_json::json!({
                "records": summary.records, "junk": summary.junk, "windows": summary.windows, "errors": errors,
            });
            Ok((serde_json::to_string(&issues)?, summary.to_string()))
        })
        .map_err(to_py)
    }
}

/// Normalizes and analyzes one text without the model (for quick checks).
#[pyfunction]
fn analyze_text(py: Python<'_>, text: String) -> PyResult<String> {
    let a: Analysis = py
        .allow_threads(move || Core::new(PipelineConfig::text_only()).and_then(|an| an.analyze(&Input::new(&text))))
        .map_err(to_py)?;
    serde_json::to_string(&a).map_err(config_error)
}

/// The ONNX Runtime library fankui would load, given an explicit candidate.
#[pyfunction]
#[pyo3(signature = (explicit=None))]
fn locate_runtime(explicit: Option<PathBuf>) -> PyResult<String> {
    fankui::model::runtime::locate(explicit.as_deref()).map(|p| p.display().to_string()).map_err(to_py)
}

#[pymodule]
fn _fankui(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Analyzer>()?;
    m.add_function(wrap_pyfunction!(analyze_text, m)?)?;
    m.add_function(wrap_pyfunction!(locate_runtime, m)?)?;
    m.add("FankuiError", py.get_type::<FankuiError>())?;
    m.add("RuntimeNotFound", py.get_type::<RuntimeNotFound>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("StateError", py.get_type::<StateError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
