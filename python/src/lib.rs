//! The `fankui._fankui` extension module: a thin layer over the Rust core.
//!
//! Results cross the boundary as JSON (made by the same serializer as the CLI's
//! output, so Python and CLI results are identical) and embeddings as raw
//! little-endian f32 bytes for `numpy.frombuffer`. Every batch call releases the
//! GIL. Rust errors become Python exceptions in one place: [`to_py`].
//!
//! Texts come in as arbitrary Python objects and are checked one by one here, so
//! that one bad item (None, a number, bytes, a `str` with a lone surrogate, which
//! is not valid Unicode) is reported for that item alone, by its index, instead of
//! failing the whole batch with a builtin `TypeError` or `UnicodeEncodeError`.

use fankui::issues::{Feed, RecordFields, StateLock};
use fankui::{Analysis, Analyzer as Core, Error, Input, IssueDetector, IssueOptions, PipelineConfig, Source};
use fankui::{Stores, TicketBook, TicketOptions, Volume};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyFloat, PyString};
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
        Error::Input(_) | Error::Data { .. } => InputError::new_err(msg),
        Error::InvalidOption { .. } | Error::Lexicon { .. } | Error::Json(_) => ConfigError::new_err(msg),
        Error::State { .. } => StateError::new_err(msg),
        _ => FankuiError::new_err(msg),
    }
}

fn config_error(e: impl std::fmt::Display) -> PyErr {
    ConfigError::new_err(e.to_string())
}

/// One Python item as an owned UTF-8 text, or what is wrong with it, worded to
/// follow its subject ("text 3 " + "is None, not a string").
fn read_text(item: &Bound<'_, PyAny>) -> Result<String, String> {
    if let Ok(s) = item.downcast::<PyString>() {
        return match s.to_cow() {
            Ok(t) => Ok(t.into_owned()),
            Err(e) => Err(unicode_reason(item, &e)),
        };
    }
    let type_name = || item.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into());
    Err(if item.is_none() {
        "is None, not a string".to_string()
    } else if item.downcast::<PyFloat>().is_ok_and(|f| f.value().is_nan()) {
        "is NaN (a missing value), not a string".to_string()
    } else if item.is_instance_of::<PyBytes>() || item.is_instance_of::<PyByteArray>() {
        format!("is {}, not a string (decode it first)", type_name())
    } else {
        format!("is {}, not a string", type_name())
    })
}

/// Why a `str` cannot become UTF-8: a lone surrogate (e.g. from `errors="surrogateescape"`
/// or a JSON `"\ud800"`), named with its code and character position.
fn unicode_reason(item: &Bound<'_, PyAny>, e: &PyErr) -> String {
    let py = item.py();
    let start: Option<usize> = e.value(py).getattr("start").and_then(|s| s.extract()).ok();
    let code: Option<u32> = start.and_then(|i| {
        let ch = item.get_item(i).ok()?;
        py.import("builtins").ok()?.getattr("ord").ok()?.call1((ch,)).ok()?.extract().ok()
    });
    match (start, code) {
        (Some(i), Some(c)) => format!("is not valid Unicode: lone surrogate U+{c:04X} at character {i}"),
        _ => "is not valid Unicode (it holds a lone surrogate)".to_string(),
    }
}

/// `subject` with `{i}` replaced by the item's index.
fn subject_of(subject: &str, i: usize) -> String {
    subject.replace("{i}", &i.to_string())
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

    /// Scores texts; returns a JSON array with one object per item, in order:
    /// `{"error": ...}` for an item that is not a valid text (`subject`, with `{i}`
    /// replaced by the index, names it: "text 3 is None, not a string") or that cannot
    /// be analyzed (too long).
    #[pyo3(signature = (texts, voice, embeddings=false, subject="text {i}"))]
    fn score_json(
        &self,
        py: Python<'_>,
        texts: Vec<Bound<'_, PyAny>>,
        voice: Vec<bool>,
        embeddings: bool,
        subject: &str,
    ) -> PyResult<String> {
        if voice.len() != texts.len() {
            return Err(InputError::new_err("voice flags and texts differ in length"));
        }
        let read: Vec<Result<String, String>> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| read_text(t).map_err(|r| format!("{} {r}", subject_of(subject, i))))
            .collect();
        drop(texts);
        let inner = self.inner.clone();
        py.allow_threads(move || {
            let inputs: Vec<Input<'_>> = read
                .iter()
                .zip(&voice)
                .filter_map(|(t, &v)| {
                    let t = t.as_ref().ok()?;
                    Some(Input::new(t).with_source(if v { Source::Voice } else { Source::Text }))
                })
                .collect();
            let mut results = inner.analyze_batch(&inputs)?.into_iter();
            // Each result is written straight from its struct, as the CLI writes it (f32
            // scores in their shortest form, 0.81080735), so both print the very same numbers.
            let mut out = String::from("[");
            for (i, t) in read.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let item = match t {
                    Err(reason) => serde_json::to_string(&serde_json::json!({ "error": reason }))?,
                    Ok(_) => match results.next().expect("one result per valid text") {
                        Ok(mut a) => {
                            if !embeddings {
                                a.strip_embeddings();
                            }
                            serde_json::to_string(&a)?
                        }
                        Err(e) => serde_json::to_string(&serde_json::json!({ "error": e.to_string() }))?,
                    },
                };
                out.push_str(&item);
            }
            out.push(']');
            Ok(out)
        })
        .map_err(to_py)
    }

    /// Sentence embeddings of the normalized texts: (little-endian f32 bytes, dim).
    /// An item that is not a valid text raises `InputError` naming its index (also
    /// the exception's `index` attribute); nothing is embedded then.
    fn embed_bytes<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyBytes>, usize)> {
        let mut good: Vec<String> = Vec::with_capacity(texts.len());
        let mut first_bad: Option<(usize, String)> = None;
        let mut bad = 0usize;
        for (i, t) in texts.iter().enumerate() {
            match read_text(t) {
                Ok(s) => good.push(s),
                Err(reason) => {
                    bad += 1;
                    first_bad.get_or_insert((i, reason));
                }
            }
        }
        if let Some((i, reason)) = first_bad {
            let more = if bad > 1 { format!(" ({bad} bad texts in all)") } else { String::new() };
            let err = InputError::new_err(format!("text {i} {reason}{more}"));
            err.value(py).setattr("index", i)?;
            return Err(err);
        }
        drop(texts);
        let inner = self.inner.clone();
        let (bytes, dim) = py
            .allow_threads(move || -> Result<(Vec<u8>, usize), Error> {
                let inputs: Vec<Input<'_>> = good.iter().map(|t| Input::new(t)).collect();
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

    /// Finds issues in JSON records (UTF-8 bytes of a JSON array of objects); returns
    /// (issues JSON array, summary JSON object). The summary's `errors` lists every
    /// record that was not used: `{"id", "error"}`, plus `"index"` (position in the
    /// array) for records refused before analysis. With `strict`, the first such error
    /// stops the run before anything is analyzed or saved, and an analysis error stops
    /// it before the state file is written (`"saved": false`). `check_only` only checks
    /// the records (the caller refused some already and will raise).
    ///
    /// `ops_json` (optional): `{"stores": path, "volume": path, "tickets": path}`, any
    /// of them null: operations data joined in, and a tickets file written for the
    /// red and yellow issues (with `state`, kept beside it); the summary then has
    /// `"tickets"`, the tickets written.
    #[pyo3(signature = (records_json, fields_json, options_json, state=None, since=None, strict=false, check_only=false, ops_json=None))]
    #[allow(clippy::too_many_arguments)]
    fn detect_issues_json(
        &self,
        py: Python<'_>,
        records_json: &[u8],
        fields_json: &str,
        options_json: &str,
        state: Option<PathBuf>,
        since: Option<String>,
        strict: bool,
        check_only: bool,
        ops_json: Option<String>,
    ) -> PyResult<(String, String)> {
        let fields: RecordFields = serde_json::from_str(fields_json).map_err(config_error)?;
        let mut options: IssueOptions = serde_json::from_str(options_json).map_err(config_error)?;
        options.group_fields = fields.groups.clone();
        let ops: OpsPaths = match &ops_json {
            Some(j) => OpsPaths::from_json(j)?,
            None => OpsPaths::default(),
        };
        let ticket_options = ops.ticket_options(&options);
        let records_json = records_json.to_vec();
        let inner = self.inner.clone();
        py.allow_threads(move || -> Result<(String, String), Error> {
            let classifier = inner.classifier().ok_or_else(|| Error::InvalidOption {
                option: "scoring",
                reason: "issue detection needs the model (scoring is off)".into(),
            })?;
            let window = options.window;
            // A bad `since` fails before hours of scoring, not after.
            let since = match since {
                Some(s) => Some(fankui::LocalTime::parse(&s)?.window(window)),
                None => None,
            };
            let records: Vec<Value> = serde_json::from_slice(&records_json)?;
            drop(records_json);
            let fingerprint = classifier.model().fingerprint().to_string();
            // Operations files are read (and refused) before any work.
            let stores = ops.stores.as_deref().map(Stores::from_csv_path).transpose()?;
            let volume = ops.volume.as_deref().map(Volume::from_csv_path).transpose()?;
            let mut detector = match &state {
                Some(p) => IssueDetector::resume(options, &fingerprint, p)?,
                None => IssueDetector::new(options, &fingerprint),
            };
            if let Some(s) = stores {
                detector.set_stores(s);
            }
            if let Some(v) = volume {
                detector.set_volume(v)?;
            }
            let total = records.len();
            let mut feed = Vec::with_capacity(total);
            let mut errors: Vec<Value> = Vec::new();
            for (i, r) in records.into_iter().enumerate() {
                let Value::Object(obj) = r else {
                    errors.push(
                        serde_json::json!({"index": i, "id": (i + 1).to_string(), "error": "record is not an object"}),
                    );
                    continue;
                };
                match Feed::from_json(obj, &fields, i + 1) {
                    Ok(x) => feed.push(x),
                    Err((id, e)) => errors.push(serde_json::json!({"index": i, "id": id, "error": e})),
                }
            }
            let summary_of =
                |processed: Option<&fankui::issues::ProcessSummary>, errors: &[Value], saved: bool, skipped: usize| {
                    serde_json::json!({
                        "records": total,
                        "junk": processed.map_or(0, |s| s.junk),
                        "windows": processed.map_or(0, |s| s.windows),
                        "already_processed": skipped,
                        "errors": errors,
                        "saved": saved,
                    })
                    .to_string()
                };
            if check_only || (strict && !errors.is_empty()) {
                return Ok(("[]".into(), summary_of(None, &errors, false, 0)));
            }
            let summary = detector.process(&inner, feed, |_| {})?;
            for (id, e) in &summary.errors {
                errors.push(serde_json::json!({"id": id, "error": e}));
            }
            let issues = detector.issues(since);
            // With `strict`, a run that skipped records writes no state: its windows would
            // count as processed, and the rerun with the records fixed would skip them.
            let save = state.is_some() && (!strict || errors.is_empty());
            if let (true, Some(p)) = (save, &state) {
                detector.save(p)?;
            }
            let mut summary: Value =
                serde_json::from_str(&summary_of(Some(&summary), &errors, save, detector.skipped_old()))?;
            if let Some(path) = &ops.tickets {
                let now = detector.options().clock()?.now();
                // With a state, its tickets are read, updated and written under its lock.
                let _lock = match (&state, save) {
                    (Some(p), true) => Some(StateLock::acquire(p)?),
                    _ => None,
                };
                let beside = state.as_deref().filter(|_| save).map(TicketBook::beside_state);
                let mut book = match &beside {
                    Some(p) => TicketBook::load(p)?,
                    None => TicketBook::new(),
                };
                book.open_for(&issues, now, &ticket_options, detector.stores())?;
                book.update(now, &ticket_options)?;
                if let Some(p) = &beside {
                    book.save(p)?;
                }
                book.save(path)?;
                summary["tickets"] = serde_json::to_value(book.tickets())?;
            }
            Ok((serde_json::to_string(&issues)?, summary.to_string()))
        })
        .map_err(to_py)
    }

    /// Renders the HTML report over JSON records (UTF-8 bytes of a JSON array of
    /// objects); returns (HTML, summary JSON). `issues_json` (a JSON array of issues)
    /// skips detection; `tickets_json` is a JSON array of tickets.
    #[pyo3(signature = (records_json, fields_json, options_json, issue_options_json, issues_json=None, tickets_json=None, stores=None, volume=None))]
    #[allow(clippy::too_many_arguments)]
    fn report_json(
        &self,
        py: Python<'_>,
        records_json: &[u8],
        fields_json: &str,
        options_json: &str,
        issue_options_json: &str,
        issues_json: Option<String>,
        tickets_json: Option<String>,
        stores: Option<PathBuf>,
        volume: Option<PathBuf>,
    ) -> PyResult<(String, String)> {
        use fankui::report::{feed_from_json, Report, ReportOptions, Ticket};
        let fields: RecordFields = serde_json::from_str(fields_json).map_err(config_error)?;
        let mut options: ReportOptions = serde_json::from_str(options_json).map_err(config_error)?;
        options.group_fields = fields.groups.clone();
        options.standards.validate().map_err(to_py)?;
        let issue_options: IssueOptions = serde_json::from_str(issue_options_json).map_err(config_error)?;
        let issues: Option<Vec<fankui::Issue>> =
            issues_json.as_deref().map(serde_json::from_str).transpose().map_err(config_error)?;
        let tickets: Vec<Ticket> =
            tickets_json.as_deref().map(serde_json::from_str).transpose().map_err(config_error)?.unwrap_or_default();
        let records_json = records_json.to_vec();
        let inner = self.inner.clone();
        py.allow_threads(move || -> Result<(String, String), Error> {
            let records: Vec<Value> = serde_json::from_slice(&records_json)?;
            drop(records_json);
            let total = records.len();
            let reuse = issues.is_some();
            let mut report = Report::new(options).with_tickets(tickets);
            if let Some(p) = &stores {
                report = report.with_stores(fankui::Stores::from_csv_path(p)?);
            }
            if let Some(p) = &volume {
                report = report.with_volume(fankui::Volume::from_csv_path(p)?);
            }
            if let Some(issues) = issues {
                report = report.with_issues(issues);
            }
            let mut feed = Vec::with_capacity(total);
            let mut errors: Vec<Value> = Vec::new();
            for (i, r) in records.into_iter().enumerate() {
                let Value::Object(obj) = r else {
                    errors.push(serde_json::json!({"index": i, "id": (i + 1).to_string(), "error": "record is not an object"}));
                    continue;
                };
                match feed_from_json(obj, &fields, i + 1, reuse) {
                    Ok(x) => feed.push(x),
                    Err((id, e)) => errors.push(serde_json::json!({"index": i, "id": id, "error": e})),
                }
            }
            let summary = report.process(&inner, feed, issue_options)?;
            for (id, e) in &summary.errors {
                errors.push(serde_json::json!({"id": id, "error": e}));
            }
            let html = report.render()?;
            let summary = serde_json::json!({
                "records": total,
                "junk": summary.junk,
                "issues": report.issues().map_or(0, <[fankui::Issue]>::len),
                "errors": errors,
            });
            Ok((html, summary.to_string()))
        })
        .map_err(to_py)
    }
}

/// Operations files and the tickets file of `detect_issues_json`.
#[derive(Default)]
struct OpsPaths {
    stores: Option<PathBuf>,
    volume: Option<PathBuf>,
    tickets: Option<PathBuf>,
}

impl OpsPaths {
    fn from_json(j: &str) -> PyResult<OpsPaths> {
        let v: Value = serde_json::from_str(j).map_err(config_error)?;
        let Value::Object(map) = v else { return Err(config_error("ops: not an object")) };
        let mut out = OpsPaths::default();
        for (k, v) in map {
            let path = match v {
                Value::Null => None,
                Value::String(s) => Some(PathBuf::from(s)),
                other => return Err(config_error(format!("{k}: a path, not {other}"))),
            };
            match k.as_str() {
                "stores" => out.stores = path,
                "volume" => out.volume = path,
                "tickets" => out.tickets = path,
                _ => return Err(config_error(format!("unknown option `{k}`"))),
            }
        }
        Ok(out)
    }

    /// Ticket options as the CLI makes them: store and region fields from the group fields.
    fn ticket_options(&self, options: &IssueOptions) -> TicketOptions {
        let fields = &options.group_fields;
        let store = fields.first().cloned().unwrap_or_else(|| "store".into());
        let region = if fields.iter().any(|f| f == "region") {
            "region".to_string()
        } else {
            fields.get(1).cloned().unwrap_or_else(|| "region".into())
        };
        TicketOptions::default().with_fields(store, region).with_timezone(options.timezone.clone())
    }
}

/// Normalizes and analyzes one text without the model (for quick checks).
#[pyfunction]
fn analyze_text(py: Python<'_>, text: Bound<'_, PyAny>) -> PyResult<String> {
    let text = read_text(&text).map_err(|r| InputError::new_err(format!("text {r}")))?;
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
