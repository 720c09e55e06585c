//! The one error type of the library.

use std::path::PathBuf;

/// Everything that can go wrong in fankui.
///
/// The enum is `#[non_exhaustive]`: new variants may be added in minor releases,
/// so match with a wildcard arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ONNX Runtime shared library could not be found.
    #[error("ONNX Runtime library not found; looked in: {searched}. Install it with `pip install onnxruntime==1.31.1` (the project's scripts/setup.sh does) or set ORT_DYLIB_PATH to libonnxruntime.so")]
    RuntimeNotFound {
        /// Every place that was tried, in order.
        searched: String,
    },
    /// A model directory or model file is missing, malformed or incompatible.
    #[error("model {path}: {reason}")]
    Model {
        /// The file or directory concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Running the model failed.
    #[error("inference failed: {0}")]
    Inference(String),
    /// A lexicon or dictionary file could not be parsed.
    #[error("lexicon {name}, line {line}: {reason}")]
    Lexicon {
        /// Name or path of the lexicon.
        name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An option has a value that cannot work (e.g. batch size 0).
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// Why the value is refused.
        reason: String,
    },
    /// One input record could not be processed (bad JSON, missing field, too long, ...).
    #[error("{0}")]
    Input(String),
    /// A state file is unreadable or belongs to another model/version.
    #[error("state file {path}: {reason}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The report could not be made (a template that fails to render, bad standards).
    #[error("report: {0}")]
    Report(String),
    /// A data file (stores.csv, volume.csv, tickets) has a bad line.
    #[error("{}, line {line}{}: {reason}", path.display(), column.as_ref().map(|c| format!(", column `{c}`")).unwrap_or_default())]
    Data {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when the file as a whole is wrong).
        line: u64,
        /// The column (field name) concerned, when one is.
        column: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// An I/O error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A JSON (de)serialization error.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// `Result` with fankui's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
