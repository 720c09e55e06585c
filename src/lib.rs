//! # fankui (反馈) — mine Chinese customer feedback
//!
//! fankui turns a stream of open-ended Chinese comments (survey answers, reviews,
//! transcribed voice messages) into clean, segmented, quality-checked records scored
//! for sentiment and topics by an ONNX model, and clusters complaints into named
//! issues with spike detection ([`IssueDetector`]).
//!
//! ```
//! use fankui::{Analyzer, Input, PipelineConfig};
//!
//! // The bundled model and the ONNX Runtime library are found automatically
//! // (see `model::ModelOptions`); a missing runtime is an `Error::RuntimeNotFound`.
//! let analyzer = Analyzer::new(PipelineConfig::default())?;
//! let out = analyzer.analyze(&Input::new("汉堡还可以，就是薯條味道怪怪的！！！我电话13812345678"))?;
//! assert!(out.text.contains("薯条")); // Traditional → Simplified
//! assert!(out.text.contains("<PHONE>")); // the phone number never leaves the pipeline
//! assert!(out.quality.ok);
//! assert!(out.clauses.len() >= 2); // "汉堡还可以" | "就是薯条味道怪怪的" | ...
//! let fries = out.clauses.iter().find(|c| c.clause.text.contains("薯条")).unwrap();
//! assert_eq!(fries.sentiment.as_ref().unwrap().label, "negative");
//! assert!(fries.topics.iter().any(|t| t.label == "taste"));
//! # Ok::<(), fankui::Error>(())
//! ```
//!
//! The stages are also usable one by one: [`Normalizer`], [`TranscriptCleaner`],
//! [`ClauseSplitter`], [`Segmenter`], [`QualityChecker`]. Every public type is
//! `Send + Sync`: build it once and share it between threads. Batch methods take
//! slices and run on rayon.

#![warn(missing_docs)]

pub mod classify;
pub mod clause;
pub mod cluster;
pub mod error;
pub mod issues;
pub mod model;
pub mod normalize;
pub mod ops;
pub mod pipeline;
pub mod quality;
pub mod record;
#[cfg(feature = "report")]
pub mod report;
pub mod segment;
pub mod spike;
pub mod text;
pub mod tickets;
pub mod voice;
pub mod window;

pub use classify::{Classification, Classifier, ClassifyOptions, Sentiment, TopicScore};
pub use clause::{Clause, ClauseOptions, ClauseSplitter};
pub use cluster::{Cluster, ClusterOptions, Clusterer, Kind};
pub use error::{Error, Result};
pub use issues::{
    Feed, Issue, IssueDetector, IssueOptions, ProcessSummary, RecordFields, RecordMeta, Severity, SeverityOptions,
};
pub use model::{Model, ModelConfig, ModelOptions, ModelOutput, SpanInput, SpanOutput};
pub use normalize::{NormalizeOptions, Normalizer};
pub use ops::{StoreInfo, Stores, Volume};
pub use pipeline::{Analysis, Analyzer, Input, PipelineConfig, ScoredClause, Source};
pub use quality::{DuplicateIndex, Quality, QualityChecker, QualityFlag, QualityOptions};
pub use record::RecordOptions;
#[cfg(feature = "report")]
pub use report::{Lang, Report, ReportOptions, ReportRecord, Standards};
pub use segment::{SegmentOptions, Segmenter};
pub use spike::{Alert, Exposure, Group, SpikeDetector, SpikeOptions};
pub use text::{MappedText, Span};
pub use tickets::{Level, Ticket, TicketBook, TicketOptions, TicketStatus};
pub use voice::{TranscriptCleaner, VoiceOptions};
pub use window::{LocalTime, WindowSize};

/// The code examples of README.md, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
