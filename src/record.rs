//! A record's own result from its parts: the comment's topics and sentiment, read from the
//! model's outputs for the whole comment and for each of its clauses.
//!
//! Rules, each decided on real reviews of shops no training data comes from (`real_dev`,
//! see `models/README.md`):
//!
//! * **Topics are the union** of the whole comment's topics and every clause's topics, each with
//!   the sentiment of the clause that reports it most strongly. A long review that talks about
//!   five aspects gets five topics, not the one or two the whole-comment head picks. A clause
//!   that contains a **topic word** (`lexicons/topic_words.txt`: 口感, 空调, 性价比, ...)
//!   also reports that topic, with the clause's lean, when the model did not: real reviews
//!   name aspects the model misses, and a missed aspect is a wrong one for aspect sentiment.
//! * **A topic's sentiment** is that clause's, except in two cases where the record's own
//!   sentiment (below) decides: the topic's clauses disagree ("味道还不错，就是煮到后面有一点苦味了"
//!   is one taste, and a low rating), or the clause is neutral and the record is not (the
//!   record's *lean*: a neutral record that is not sure of it leans to its larger side)
//!   ([`RecordOptions::mixed_topic_record`], [`RecordOptions::neutral_topic_record`]).
//! * **A complaint after a contrast decides a short comment.** "别的都很好，就是汤洒了" and
//!   "挺不错，就是时间有点长" are low ratings on a delivery platform: when a clause after the first
//!   opens with a contrast marker (就是, 但是, 不过, 可惜, ...) and is negative, a comment of at
//!   most [`RecordOptions::contrast_max_chars`] characters takes that clause's sentiment. Longer
//!   reviews keep their own: a 300-character review of praise with one "但是" is still a
//!   five-star review.

use crate::classify::{Classification, Sentiment, TopicScore, OTHER};
use crate::pipeline::ScoredClause;
use serde::{Deserialize, Serialize};

/// Contrast markers that make the clause they open decide a short comment's sentiment.
const CONTRAST_MARKERS: &[&str] =
    &["但是", "可是", "不过", "只不过", "然而", "只是", "就是", "可惜", "唯一", "美中不足", "遗憾的是", "缺点是", "但"];

/// How a record's topics and sentiment are formed from its comment and clauses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RecordOptions {
    /// Report the union of the comment's and its clauses' topics (default true). Off: the
    /// comment's own topics only, each with the sentiment of the clause that reports it.
    pub topic_union: bool,
    /// Let a negative clause opened by a contrast marker decide a short comment's sentiment
    /// (default true).
    pub contrast: bool,
    /// Longest comment, in characters of normalized text, the contrast rule applies to
    /// (default 100).
    pub contrast_max_chars: usize,
    /// P(negative) the contrast clause needs (default 0.5).
    pub contrast_min_negative: f32,
    /// Probability a model topic found only in a clause (not in the whole comment) needs to
    /// join the record's topics (default 0.9). Clauses are short and their topics less sure;
    /// the whole comment's topics need only their threshold. Custom topics are not affected.
    pub clause_topic_min: f32,
    /// Let a clause containing a topic word (`lexicons/topic_words.txt`) report that topic when
    /// the model did not (default true; model topics only). Such a topic carries the score
    /// [`TOPIC_WORD_SCORE`] and the sentiment the clause's topics have. On real reviews of shops
    /// no training data or word choice comes from (`real_dev`, 1,236 units): topic micro-F1
    /// 0.822 to 0.828, aspect sentiment 0.741 to 0.751.
    pub topic_words: bool,
    /// A topic that its clauses report with different sentiments takes the record's lean
    /// (default true): in "味道还不错，就是煮到后面有一点苦味了" taste is what the review
    /// complains of. Aspect sentiment, real_dev 0.751 to 0.763 (0.733 to 0.745 with the
    /// neutral gold aspects counted); ASAP 0.731 to 0.744 (3-way 0.522 to 0.513: ASAP calls an
    /// aspect with both polarities neutral). The record's lean is its sentiment read the way a
    /// clause's is for its topics ([`ClassifyOptions::topic_neutral_min`](crate::ClassifyOptions)):
    /// a neutral record with P(neutral) below 0.9 leans to the larger of P(positive) and
    /// P(negative). Taking the lean rather than the label: real_dev 0.772 to 0.778, train shops'
    /// labelled units 0.939 to 0.942.
    pub mixed_topic_record: bool,
    /// A topic whose clause is neutral takes the record's lean when that is not neutral
    /// (default true): real reviewers rarely mention an aspect without a lean (46 of 1,413
    /// aspects of real_dev are neutral). With [`RecordOptions::mixed_topic_record`]: real_dev
    /// 0.763 to 0.772 (3-way 0.745 to 0.752); ASAP 0.744 (3-way 0.513 to 0.507).
    pub neutral_topic_record: bool,
}

/// The score of a topic a clause reports through a topic word only
/// ([`RecordOptions::topic_words`]): below every model threshold, so it sorts after the
/// topics the model is sure of.
pub const TOPIC_WORD_SCORE: f32 = 0.5;

/// The topic words: (topic, words), from `lexicons/topic_words.txt`.
fn topic_words() -> &'static [(String, Vec<String>)] {
    static WORDS: std::sync::OnceLock<Vec<(String, Vec<String>)>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        (include_str!("../lexicons/topic_words.txt").lines())
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(topic, words)| (topic.trim().to_string(), words.split_whitespace().map(str::to_string).collect()))
            .collect()
    })
}

impl Default for RecordOptions {
    fn default() -> Self {
        RecordOptions {
            topic_union: true,
            contrast: true,
            contrast_max_chars: 100,
            contrast_min_negative: 0.5,
            clause_topic_min: 0.9,
            topic_words: true,
            mixed_topic_record: true,
            neutral_topic_record: true,
        }
    }
}

impl RecordOptions {
    /// Sets whether a record's topics are the union of its comment's and clauses' topics.
    pub fn with_topic_union(mut self, on: bool) -> Self {
        self.topic_union = on;
        self
    }
    /// Sets whether a contrast complaint decides a short comment's sentiment.
    pub fn with_contrast(mut self, on: bool) -> Self {
        self.contrast = on;
        self
    }
    /// Sets the longest comment (characters) the contrast rule applies to.
    pub fn with_contrast_max_chars(mut self, chars: usize) -> Self {
        self.contrast_max_chars = chars;
        self
    }
    /// Sets the P(negative) a contrast clause needs.
    pub fn with_contrast_min_negative(mut self, p: f32) -> Self {
        self.contrast_min_negative = p;
        self
    }
    /// Sets the probability a model topic found only in a clause needs.
    pub fn with_clause_topic_min(mut self, p: f32) -> Self {
        self.clause_topic_min = p;
        self
    }
    /// Sets whether a clause's topic words report their topics.
    pub fn with_topic_words(mut self, on: bool) -> Self {
        self.topic_words = on;
        self
    }
    /// Sets whether a topic its clauses disagree on takes the record's sentiment.
    pub fn with_mixed_topic_record(mut self, on: bool) -> Self {
        self.mixed_topic_record = on;
        self
    }
    /// Sets whether a topic of a neutral clause takes the record's (non-neutral) sentiment.
    pub fn with_neutral_topic_record(mut self, on: bool) -> Self {
        self.neutral_topic_record = on;
        self
    }
}

/// The record's sentiment: the comment's own, unless a contrast complaint decides (see the
/// module docs).
pub(crate) fn sentiment(text: &str, whole: &Sentiment, clauses: &[ScoredClause], options: &RecordOptions) -> Sentiment {
    if !options.contrast || clauses.len() < 2 || text.chars().count() > options.contrast_max_chars {
        return whole.clone();
    }
    let negative = |s: &Sentiment| s.probs.get("negative").copied().unwrap_or(0.0);
    clauses[1..]
        .iter()
        .filter(|c| opens_with_contrast(&c.clause.text))
        .filter_map(|c| c.sentiment.as_ref())
        .filter(|s| negative(s) > options.contrast_min_negative)
        .max_by(|a, b| negative(a).total_cmp(&negative(b)))
        .unwrap_or(whole)
        .clone()
}

fn opens_with_contrast(clause: &str) -> bool {
    let t = clause.trim_start_matches(|c: char| {
        c.is_whitespace() || c.is_ascii_punctuation() || "，。、；：！？…—～".contains(c)
    });
    CONTRAST_MARKERS.iter().any(|m| t.starts_with(m))
}

/// The record's topics, highest score first, each with the sentiment of the clause that
/// reports it most strongly (or the comment's own when no clause does), or `record_lean`, the
/// record's lean, when its clauses disagree or that clause is neutral (see [`RecordOptions`]);
/// `other` only when no other topic is found. `model_topics`: the model's own topic labels (a
/// clause-only topic among them needs [`RecordOptions::clause_topic_min`]).
pub(crate) fn topics(
    whole: Option<&Classification>,
    clauses: &[ScoredClause],
    model_topics: &[String],
    record_lean: Option<&str>,
    options: &RecordOptions,
) -> Vec<TopicScore> {
    let best_in_clauses = |label: &str| {
        clauses
            .iter()
            .flat_map(|c| c.topics.iter())
            .filter(|t| t.label == label)
            .max_by(|a, b| a.score.total_cmp(&b.score))
    };
    let mut merged: Vec<TopicScore> = Vec::new();
    if let Some(w) = whole {
        for t in w.topics.iter().filter(|t| t.label != OTHER) {
            merged.push(match best_in_clauses(&t.label) {
                Some(c) => TopicScore { sentiment: c.sentiment.clone(), ..t.clone() },
                None => t.clone(),
            });
        }
    }
    if options.topic_union || whole.is_none() {
        let sure =
            |t: &TopicScore| whole.is_none() || t.score >= options.clause_topic_min || !model_topics.contains(&t.label);
        for t in clauses.iter().flat_map(|c| c.topics.iter()).filter(|t| t.label != OTHER && sure(t)) {
            if !merged.iter().any(|m| m.label == t.label) {
                merged.push(best_in_clauses(&t.label).unwrap_or(t).clone());
            }
        }
    }
    if options.topic_words {
        for c in clauses {
            // The clause's lean: the sentiment its topics carry (every scored clause has one).
            let Some(lean) = c.topics.first().map(|t| t.sentiment.clone()) else { continue };
            for (topic, words) in topic_words() {
                let named = words.iter().any(|w| c.clause.text.contains(w.as_str()));
                if named && model_topics.contains(topic) && !merged.iter().any(|m| m.label == *topic) {
                    merged.push(TopicScore { label: topic.clone(), score: TOPIC_WORD_SCORE, sentiment: lean.clone() });
                }
            }
        }
    }
    if merged.is_empty() {
        let fallback = whole.map(|w| w.topics.iter()).into_iter().flatten();
        merged.extend(fallback.chain(clauses.iter().flat_map(|c| c.topics.iter())).take(1).cloned());
    }
    if let Some(lean) = record_lean {
        for m in &mut merged {
            let mut said = clauses.iter().flat_map(|c| c.topics.iter()).filter(|t| t.label == m.label);
            let mixed = said.next().is_some_and(|first| said.any(|t| t.sentiment != first.sentiment));
            let neutral = m.sentiment == "neutral" && lean != "neutral";
            if mixed && options.mixed_topic_record || neutral && options.neutral_topic_record {
                m.sentiment = lean.to_string();
            }
        }
    }
    merged.sort_by(|a, b| b.score.total_cmp(&a.score));
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clause::Clause;
    use std::collections::BTreeMap;

    fn sent(neg: f32, pos: f32) -> Sentiment {
        let probs = BTreeMap::from([
            ("negative".to_string(), neg),
            ("neutral".to_string(), 1.0 - neg - pos),
            ("positive".to_string(), pos),
        ]);
        let label = if neg > pos { "negative" } else { "positive" }.to_string();
        Sentiment { label, score: pos - neg, probs }
    }

    fn topic(label: &str, score: f32, s: &Sentiment) -> TopicScore {
        TopicScore { label: label.into(), score, sentiment: s.label.clone() }
    }

    fn clause(text: &str, s: Sentiment, topics: &[(&str, f32)]) -> ScoredClause {
        let topics = topics.iter().map(|(l, x)| topic(l, *x, &s)).collect();
        ScoredClause {
            clause: Clause { text: text.into(), start: 0, end: text.chars().count() },
            sentiment: Some(s),
            topics,
            embedding: Vec::new(),
        }
    }

    #[test]
    fn contrast_complaint_decides_a_short_comment() {
        let whole = sent(0.1, 0.8);
        let clauses = [clause("别的都很好", sent(0.05, 0.9), &[]), clause("就是汤洒了", sent(0.9, 0.05), &[])];
        let o = RecordOptions::default();
        assert_eq!(sentiment("别的都很好，就是汤洒了", &whole, &clauses, &o).label, "negative");
        // off, too long, or a complaint that is not opened by a contrast marker: the comment's own
        assert_eq!(
            sentiment("别的都很好，就是汤洒了", &whole, &clauses, &o.clone().with_contrast(false)).label,
            "positive"
        );
        assert_eq!(sentiment(&"好".repeat(101), &whole, &clauses, &o).label, "positive");
        let plain = [clause("别的都很好", sent(0.05, 0.9), &[]), clause("汤洒了", sent(0.9, 0.05), &[])];
        assert_eq!(sentiment("别的都很好，汤洒了", &whole, &plain, &o).label, "positive");
        // praise after the contrast does not flip a comment
        let praise = [clause("虽然贵了点", sent(0.7, 0.1), &[]), clause("但是真的好吃", sent(0.05, 0.9), &[])];
        assert_eq!(sentiment("虽然贵了点，但是真的好吃", &whole, &praise, &o).label, "positive");
    }

    #[test]
    fn topics_are_the_union_with_clause_sentiment() {
        let s = sent(0.1, 0.8);
        let whole = Classification { sentiment: s.clone(), topics: vec![topic("taste", 0.9, &s)], embedding: vec![] };
        let clauses = [
            clause("味道不错", sent(0.05, 0.9), &[("taste", 0.95)]),
            clause("服务员态度差", sent(0.9, 0.05), &[("service", 0.8)]),
            clause("环境一般", sent(0.6, 0.2), &[("other", 0.2)]),
        ];
        let model: Vec<String> = ["taste", "service", "environment"].map(String::from).to_vec();
        let o = RecordOptions::default().with_topic_words(false);
        let t = topics(Some(&whole), &clauses, &model, None, &o.clone().with_clause_topic_min(0.5));
        let got: Vec<(&str, &str)> = t.iter().map(|t| (t.label.as_str(), t.sentiment.as_str())).collect();
        assert_eq!(got, [("taste", "positive"), ("service", "negative")]);
        let t = topics(Some(&whole), &clauses, &model, None, &o.clone().with_topic_union(false));
        assert_eq!(t.len(), 1);
        // a clause-only model topic below clause_topic_min stays out; a custom topic does not
        let t = topics(Some(&whole), &clauses, &model, None, &o.clone().with_clause_topic_min(0.85));
        assert_eq!(t.len(), 1, "{t:?}");
        let t = topics(Some(&whole), &clauses, &model[..1], None, &o.clone().with_clause_topic_min(0.85));
        assert_eq!(t.len(), 2, "{t:?}");
        // nothing but `other` anywhere: `other`
        let none = Classification { sentiment: s.clone(), topics: vec![topic("other", 0.1, &s)], embedding: vec![] };
        let t = topics(Some(&none), &clauses[2..], &model, None, &o);
        assert_eq!(t[0].label, "other");
    }

    #[test]
    fn a_topic_word_reports_its_topic_with_the_clause_lean() {
        let s = sent(0.1, 0.8);
        let whole = Classification { sentiment: s.clone(), topics: vec![topic("taste", 0.9, &s)], embedding: vec![] };
        let clauses = [
            clause("味道不错", sent(0.05, 0.9), &[("taste", 0.95)]),
            clause("就是空调太冷了", sent(0.9, 0.05), &[("other", 0.3)]),
        ];
        let model: Vec<String> = ["taste", "environment"].map(String::from).to_vec();
        let t = topics(Some(&whole), &clauses, &model, None, &RecordOptions::default());
        let got: Vec<(&str, &str)> = t.iter().map(|t| (t.label.as_str(), t.sentiment.as_str())).collect();
        assert_eq!(got, [("taste", "positive"), ("environment", "negative")]);
        assert_eq!(t[1].score, TOPIC_WORD_SCORE);
        // off, or a topic the model does not have: not reported
        let off = topics(Some(&whole), &clauses, &model, None, &RecordOptions::default().with_topic_words(false));
        assert_eq!(off.len(), 1);
        let t = topics(Some(&whole), &clauses, &model[..1], None, &RecordOptions::default());
        assert_eq!(t.len(), 1, "{t:?}");
    }

    #[test]
    fn a_topic_takes_the_record_sentiment_when_its_clauses_disagree_or_are_neutral() {
        let record = sent(0.8, 0.1);
        let whole = Classification { sentiment: record.clone(), topics: vec![], embedding: vec![] };
        let mut neutral = sent(0.1, 0.2);
        neutral.label = "neutral".into();
        let clauses = [
            clause("味道还不错", sent(0.05, 0.9), &[("taste", 0.95)]),
            clause("就是煮到后面有一点苦味了", sent(0.9, 0.05), &[("taste", 0.9)]),
            clause("服务员来加了汤", neutral, &[("service", 0.95)]),
            clause("环境挺好", sent(0.05, 0.9), &[("environment", 0.95)]),
        ];
        let model: Vec<String> = ["taste", "service", "environment"].map(String::from).to_vec();
        let o = RecordOptions::default().with_topic_words(false);
        let labels = |t: Vec<TopicScore>| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = t.into_iter().map(|t| (t.label, t.sentiment)).collect();
            v.sort();
            v
        };
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
        };
        let lean = Some(record.label.as_str());
        let t = topics(Some(&whole), &clauses, &model, lean, &o);
        assert_eq!(labels(t), pairs(&[("environment", "positive"), ("service", "negative"), ("taste", "negative")]));
        // each rule off on its own; no record sentiment: the clauses' own
        let t = topics(Some(&whole), &clauses, &model, lean, &o.clone().with_mixed_topic_record(false));
        assert_eq!(labels(t), pairs(&[("environment", "positive"), ("service", "negative"), ("taste", "positive")]));
        let t = topics(Some(&whole), &clauses, &model, lean, &o.clone().with_neutral_topic_record(false));
        assert_eq!(labels(t), pairs(&[("environment", "positive"), ("service", "neutral"), ("taste", "negative")]));
        let t = topics(Some(&whole), &clauses, &model, None, &o);
        assert_eq!(labels(t), pairs(&[("environment", "positive"), ("service", "neutral"), ("taste", "positive")]));
    }
}
