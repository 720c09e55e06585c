//! What goes in: a record's time and groups ([`RecordMeta`]), its text or earlier
//! analysis ([`Feed`]), and the checks that keep bad input out of the state
//! (embedding size, junk).

use crate::error::{Error, Result};
use crate::pipeline::{Analysis, Analyzer, Source};
use crate::quality::QualityFlag;
use crate::window::LocalTime;
use serde::{Deserialize, Serialize};

/// Where and when a record was written.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordMeta {
    /// Record id.
    pub id: String,
    /// The time as written; its window is taken in [`IssueOptions::timezone`](super::IssueOptions::timezone).
    pub time: LocalTime,
    /// Values of the group fields, in [`IssueOptions::group_fields`](super::IssueOptions::group_fields) order (`None` when missing).
    pub groups: Vec<Option<String>>,
}

/// One record to feed to [`IssueDetector::process`](super::IssueDetector::process): raw text, or the analysis an
/// earlier `fankui score --embeddings` made (then nothing is scored twice).
#[derive(Clone, Debug)]
pub enum Feed {
    /// Text to analyze and score.
    Text {
        /// The raw text.
        text: String,
        /// Typed or voice.
        source: Source,
    },
    /// An analysis with clause embeddings.
    Analyzed(Box<Analysis>),
}

/// Which fields of a JSON record hold what, for [`Feed::from_json`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RecordFields {
    /// Record id (default `id`).
    pub id: String,
    /// Text (default `text`).
    pub text: String,
    /// RFC 3339 time (default `time`).
    pub time: String,
    /// Voice marker (default `source`).
    pub source: String,
    /// Group fields, finest first (default `["store"]`).
    pub groups: Vec<String>,
}

impl Default for RecordFields {
    fn default() -> Self {
        RecordFields {
            id: "id".into(),
            text: "text".into(),
            time: "time".into(),
            source: "source".into(),
            groups: vec!["store".into()],
        }
    }
}

impl Feed {
    /// Reads one JSON record: raw feedback, or a line of `fankui score --embeddings`
    /// output (reused as is). `line` is the record's position, its id when it has none.
    pub fn from_json(
        mut obj: serde_json::Map<String, serde_json::Value>,
        fields: &RecordFields,
        line: usize,
    ) -> std::result::Result<(RecordMeta, Feed), (String, String)> {
        use serde_json::Value;
        let id = match obj.get(&fields.id) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => line.to_string(),
            Some(other) => other.to_string(),
        };
        let fail = |reason: String| (id.clone(), reason);
        let time = match obj.get(&fields.time) {
            Some(Value::String(s)) => LocalTime::parse(s).map_err(|e| fail(e.to_string()))?,
            Some(_) => return Err(fail(format!("field `{}` is not a string", fields.time))),
            None => return Err(fail(format!("missing field `{}`", fields.time))),
        };
        let groups = fields
            .groups
            .iter()
            .map(|f| match obj.get(f) {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
            .collect();
        let voice = obj.get(&fields.source).and_then(Value::as_str).map(Source::from_field) == Some(Source::Voice);
        let text = match obj.remove(&fields.text) {
            Some(Value::String(s)) => s,
            None => return Err(fail(format!("missing field `{}`", fields.text))),
            Some(_) => return Err(fail(format!("field `{}` is not a string", fields.text))),
        };
        let meta = RecordMeta { id: id.clone(), time, groups };
        let scored = obj
            .get("clauses")
            .and_then(Value::as_array)
            .is_some_and(|cs| !cs.is_empty() && cs.iter().all(|c| c.get("embedding").is_some()));
        if scored && obj.contains_key("quality") {
            obj.insert("text".into(), Value::String(text.clone()));
            if let Ok(a) = serde_json::from_value::<Analysis>(Value::Object(obj)) {
                return Ok((meta, Feed::Analyzed(Box::new(a))));
            }
        }
        let source = if voice { Source::Voice } else { Source::Text };
        Ok((meta, Feed::Text { text, source }))
    }
}

/// The model fingerprint and embedding size of an analyzer.
pub(super) fn model_of(analyzer: &Analyzer) -> Result<(String, usize)> {
    let classifier = analyzer.classifier().ok_or_else(|| Error::InvalidOption {
        option: "scoring",
        reason: "issue detection needs the model (scoring is off)".into(),
    })?;
    let model = classifier.model();
    Ok((model.fingerprint().to_string(), model.config().embedding_dim))
}

/// An earlier analysis is used only when each clause's embedding has the
/// model's size and finite values: another size would be compared with the
/// clusters' centroids value by value, silently, and change them.
pub(super) fn check_embeddings(a: &Analysis, dim: usize) -> std::result::Result<(), String> {
    for (i, c) in a.clauses.iter().enumerate() {
        if c.embedding.len() != dim {
            return Err(format!(
                "clause {} has an embedding of {} values, but the model makes {dim} (scored with another model?)",
                i + 1,
                c.embedding.len()
            ));
        }
        if !c.embedding.iter().all(|x| x.is_finite()) {
            return Err(format!("clause {} has an embedding with a value that is not a finite number", i + 1));
        }
    }
    Ok(())
}

/// A record's group values, finest first.
pub(super) type Groups = Vec<Option<String>>;

/// Whether a clause is a complaint for the detector: naming a sure complaint of the
/// lexicon ([`super::naming::sure_complaint`]), or scored negative at most −`polarity`
/// and naming no sure praise ([`super::naming::sure_praise`]: "也不是很贵").
pub(super) fn is_complaint(clause: &crate::pipeline::ScoredClause, polarity: f32) -> bool {
    let text = &clause.clause.text;
    super::naming::sure_complaint(text)
        || (clause.sentiment.as_ref().is_some_and(|s| s.label == "negative" && s.score <= -polarity)
            && !super::naming::sure_praise(text))
}

/// Junk records (empty, gibberish, spam, ...) are not counted; duplicates are.
pub(crate) fn is_junk(a: &Analysis) -> bool {
    a.quality.flags.iter().any(|f| *f != QualityFlag::Duplicate)
}
