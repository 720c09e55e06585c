//! One record as the report shows it: where and when, the masked text, its
//! sentiment and the topics it complains about or praises.

use crate::issues::RecordMeta;
use crate::pipeline::Analysis;
use crate::window::{format_window, WindowSize, Zone};
use serde::{Deserialize, Serialize};

/// A record reduced to what the report needs (no embeddings, no clauses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReportRecord {
    /// Record id.
    pub id: String,
    /// Local time in the business time zone, `YYYY-MM-DD HH:MM`.
    pub time: String,
    /// Local day, days since 1970-01-01.
    pub day: i64,
    /// Group values (store, region, ...), in the report's group-field order.
    pub groups: Vec<Option<String>>,
    /// The normalized, PII-masked text.
    pub text: String,
    /// Junk (empty, gibberish, spam ...): counted in the junk share only.
    pub junk: bool,
    /// Sentiment score, P(positive) − P(negative), when scored.
    pub score: Option<f32>,
    /// Sentiment label (`negative`, `neutral`, `positive`), when scored.
    pub label: Option<String>,
    /// Topics complained about.
    pub complaints: Vec<String>,
    /// Topics praised.
    pub praise: Vec<String>,
}

impl ReportRecord {
    /// The report's view of an analyzed record; times are read in `zone`.
    ///
    /// The sentiment is the comment's own; a comment scored clause by clause only
    /// (issue detection does that when the model cannot score spans) takes the
    /// strongest clause's. A topic is a complaint (praise) when the record reports
    /// it negative (positive): see [`crate::RecordOptions`].
    pub fn from_analysis(meta: &RecordMeta, analysis: &Analysis, zone: &Zone) -> Self {
        let local = meta.time.local_in(zone);
        let day = meta.time.window_in(WindowSize::Day, zone);
        let sentiment = analysis.sentiment.clone().or_else(|| {
            analysis
                .clauses
                .iter()
                .filter_map(|c| c.sentiment.as_ref())
                .max_by(|a, b| a.score.abs().total_cmp(&b.score.abs()))
                .cloned()
        });
        let mut complaints = Vec::new();
        let mut praise = Vec::new();
        for t in &analysis.topics {
            let list = match t.sentiment.as_str() {
                "negative" => &mut complaints,
                "positive" => &mut praise,
                _ => continue,
            };
            if !list.contains(&t.label) {
                list.push(t.label.clone());
            }
        }
        ReportRecord {
            id: meta.id.clone(),
            time: format!("{} {:02}:{:02}", format_window(day, WindowSize::Day), local.hour(), local.minute()),
            day,
            groups: meta.groups.clone(),
            text: analysis.text.clone(),
            junk: crate::issues::is_junk(analysis),
            score: sentiment.as_ref().map(|s| s.score),
            label: sentiment.map(|s| s.label),
            complaints,
            praise,
        }
    }

    /// Negative overall.
    pub fn is_negative(&self) -> bool {
        self.label.as_deref() == Some("negative")
    }

    /// Positive overall.
    pub fn is_positive(&self) -> bool {
        self.label.as_deref() == Some("positive")
    }
}
