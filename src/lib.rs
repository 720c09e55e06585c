//! # fankui (反馈) — mine Chinese customer feedback
//!
//! fankui turns a stream of open-ended Chinese comments (survey answers, reviews,
//! transcribed voice messages) into clean, segmented, quality-checked records that
//! later stages score and cluster.
//!
//! ```
//! use fankui::{Analyzer, Input};
//!
//! let analyzer = Analyzer::new(Default::default())?;
//! let out = analyzer.analyze(&Input::new("汉堡还可以，就是薯條味道怪怪的！！！我电话13812345678"));
//! assert_eq!(out.clauses.len(), 3);
//! assert!(out.text.contains("薯条"));          // Traditional → Simplified
//! assert!(out.text.contains("<PHONE>"));      // the phone number never leaves the pipeline
//! assert!(out.quality.ok);
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
pub mod pipeline;
pub mod quality;
pub mod segment;
pub mod spike;
pub mod text;
pub mod voice;
pub mod window;

pub use clause::{Clause, ClauseOptions, ClauseSplitter};
pub use cluster::{Cluster, ClusterOptions, Clusterer, Kind};
pub use error::{Error, Result};
pub use issues::{Feed, Issue, IssueDetector, IssueOptions, ProcessSummary, RecordFields, RecordMeta, Severity, SeverityOptions};
pub use normalize::{NormalizeOptions, Normalizer};
pub use classify::{Classification, Classifier, ClassifyOptions, Sentiment, TopicScore};
pub use model::{Model, ModelConfig, ModelOptions, ModelOutput};
pub use pipeline::{Analysis, Analyzer, Input, PipelineConfig, ScoredClause, Source};
pub use quality::{DuplicateIndex, Quality, QualityChecker, QualityFlag, QualityOptions};
pub use segment::{SegmentOptions, Segmenter};
pub use spike::{Alert, Group, SpikeDetector, SpikeOptions};
pub use text::{MappedText, Span};
pub use voice::{TranscriptCleaner, VoiceOptions};
pub use window::{LocalTime, WindowSize};

/// The code examples of README.md, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
