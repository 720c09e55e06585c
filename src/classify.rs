//! Sentiment and topics from an ONNX model, plus custom topics matched through
//! the embedding.
//!
//! ```no_run
//! use fankui::{Classifier, ClassifyOptions};
//! let options = ClassifyOptions::default()
//!     .with_custom_topic("新品反馈", ["新出的鸡腿堡", "新品好吃吗", "新品上市"]);
//! let classifier = Classifier::new(options)?;
//! let out = classifier.classify_batch(&["送餐很快", "薯条凉了"])?;
//! assert_eq!(out[1].sentiment.label, "negative");
//! # Ok::<(), fankui::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::model::{Model, ModelConfig, ModelOptions, ModelOutput, SpanInput};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The topic reported when no topic passes its threshold.
pub const OTHER: &str = "other";

/// Options of a [`Classifier`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClassifyOptions {
    /// Which model and how to run it.
    pub model: ModelOptions,
    /// Extra topics defined by a handful of example phrases each, matched by
    /// cosine similarity of embeddings; no retraining needed.
    pub custom_topics: BTreeMap<String, Vec<String>>,
    /// Cosine similarity to a custom topic's closest example needed to report it (default 0.6).
    pub custom_topic_threshold: f32,
    /// At most this many topics per text, highest first (default 3).
    pub max_topics: usize,
    /// P(neutral) the text needs for its topics to be neutral (default 0.9). Below it, a topic
    /// takes the text's lean: positive when P(positive) > P(negative), else negative. A
    /// customer who names an aspect nearly always judges it, and the model's neutral is
    /// often a weak verdict ("服务员还行", "量不多", "而且价格略贵"): on the dev shops' real
    /// text, aspect sentiment went from 0.705 to 0.743 (real_dev, 1,367 polar aspects; 46
    /// labelled aspects are neutral) and from 0.692 to 0.739 (ASAP); counting neutral
    /// aspects too, from 0.694 to 0.725 and 0.510 to 0.528. Never neutral (above 1) did
    /// best on polar aspects only and worse on ASAP's neutral ones. The text's own sentiment
    /// is not changed by this.
    pub topic_neutral_min: f32,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        ClassifyOptions {
            model: ModelOptions::default(),
            custom_topics: BTreeMap::new(),
            custom_topic_threshold: 0.6,
            max_topics: 3,
            topic_neutral_min: 0.9,
        }
    }
}

impl ClassifyOptions {
    /// Sets the model options.
    pub fn with_model(mut self, model: ModelOptions) -> Self {
        self.model = model;
        self
    }
    /// Adds a custom topic from example phrases.
    pub fn with_custom_topic<I, S>(mut self, name: impl Into<String>, examples: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.custom_topics.insert(name.into(), examples.into_iter().map(Into::into).collect());
        self
    }
    /// Sets the similarity needed for a custom topic.
    pub fn with_custom_topic_threshold(mut self, threshold: f32) -> Self {
        self.custom_topic_threshold = threshold;
        self
    }
    /// Sets the most topics reported per text.
    pub fn with_max_topics(mut self, n: usize) -> Self {
        self.max_topics = n;
        self
    }
    /// Sets the P(neutral) a text needs for its topics to be neutral.
    pub fn with_topic_neutral_min(mut self, p: f32) -> Self {
        self.topic_neutral_min = p;
        self
    }
}

/// Sentiment of a text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// The most probable label (`negative`, `neutral`, `positive` for the default model).
    pub label: String,
    /// P(positive) − P(negative), in [-1, 1].
    pub score: f32,
    /// Probability of each label.
    pub probs: BTreeMap<String, f32>,
}

/// One topic of a text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicScore {
    /// Topic id (`taste`, `delivery`, ..., a custom topic's name, or `other`).
    pub label: String,
    /// The model's probability (for custom topics: the cosine similarity; for a record's topic
    /// that only a topic word of a clause reports: [`crate::record::TOPIC_WORD_SCORE`]).
    pub score: f32,
    /// Sentiment label of the text (or clause) the topic was found in.
    pub sentiment: String,
}

/// What the classifier says about one text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// Sentiment.
    pub sentiment: Sentiment,
    /// Topics above their thresholds, highest first; `other` when none is.
    pub topics: Vec<TopicScore>,
    /// L2-normalized sentence embedding.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub embedding: Vec<f32>,
}

/// Scores texts with a model. `Send + Sync`: build once, share between threads.
pub struct Classifier {
    model: Model,
    options: ClassifyOptions,
    /// Custom topics: name and the normalized embeddings of its examples.
    custom: Vec<(String, Vec<Vec<f32>>)>,
}

impl Classifier {
    /// Loads the model and embeds the custom topics' examples.
    pub fn new(options: ClassifyOptions) -> Result<Self> {
        if options.max_topics == 0 {
            return Err(Error::InvalidOption { option: "max_topics", reason: "must be at least 1".into() });
        }
        let model = Model::load(&options.model)?;
        let mut custom = Vec::with_capacity(options.custom_topics.len());
        for (name, examples) in &options.custom_topics {
            if examples.is_empty() {
                return Err(Error::InvalidOption {
                    option: "custom_topics",
                    reason: format!("topic `{name}` has no example phrases"),
                });
            }
            let refs: Vec<&str> = examples.iter().map(String::as_str).collect();
            let embeddings = model.run(&refs)?.into_iter().map(|o| o.embedding).collect();
            custom.push((name.clone(), embeddings));
        }
        Ok(Classifier { model, options, custom })
    }

    /// The underlying model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The options this classifier was built with.
    pub fn options(&self) -> &ClassifyOptions {
        &self.options
    }

    /// Classifies one text.
    pub fn classify(&self, text: &str) -> Result<Classification> {
        Ok(self.classify_batch(&[text])?.remove(0))
    }

    /// Classifies texts (whole comments or clauses) in parallel batches; results in input order.
    pub fn classify_batch(&self, texts: &[&str]) -> Result<Vec<Classification>> {
        let outputs = self.model.run(texts)?;
        Ok(outputs.into_iter().map(|o| self.interpret(o)).collect())
    }

    /// Classifies each text and each of its spans (byte ranges, e.g. its clauses);
    /// results in input order, one per span. With a model that
    /// [supports spans](Model::supports_spans) (the bundled one does) a text and its
    /// spans take one model run: the text's token features are computed once and
    /// pooled per span. Otherwise, and for a span the model did not see (past
    /// `max_length`), the span is scored as a text of its own.
    ///
    /// ```no_run
    /// use fankui::{Classifier, ClassifyOptions, SpanInput};
    /// let classifier = Classifier::new(ClassifyOptions::default())?;
    /// let text = "送餐很快，但是薯条凉了";
    /// let spans = [0..text.find('，').unwrap(), text.find('但').unwrap()..text.len()];
    /// let out = classifier.classify_spans(&[SpanInput { text, spans: &spans }])?;
    /// let (_whole, clauses) = &out[0];
    /// assert_eq!(clauses[0].sentiment.label, "positive");
    /// assert_eq!(clauses[1].sentiment.label, "negative");
    /// # Ok::<(), fankui::Error>(())
    /// ```
    pub fn classify_spans(&self, inputs: &[SpanInput<'_>]) -> Result<Vec<(Classification, Vec<Classification>)>> {
        for input in inputs {
            if let Some(range) = input.spans.iter().find(|r| input.text.get((*r).clone()).is_none()) {
                return Err(Error::InvalidOption {
                    option: "spans",
                    reason: format!("{range:?} is not a character range of a {}-byte text", input.text.len()),
                });
            }
        }
        let (wholes, mut spans): (Vec<ModelOutput>, Vec<Vec<Option<ModelOutput>>>) = if self.model.supports_spans() {
            self.model.run_spans(inputs)?.into_iter().map(|o| (o.whole, o.spans)).unzip()
        } else {
            let texts: Vec<&str> = inputs.iter().map(|i| i.text).collect();
            (self.model.run(&texts)?, inputs.iter().map(|i| vec![None; i.spans.len()]).collect())
        };
        // Spans without an output run on their own.
        let mut alone: Vec<&str> = Vec::new();
        for (input, outs) in inputs.iter().zip(&spans) {
            for (range, o) in input.spans.iter().zip(outs) {
                if o.is_none() {
                    alone.push(&input.text[range.clone()]); // checked above
                }
            }
        }
        let mut alone = self.model.run(&alone)?.into_iter();
        Ok(wholes
            .into_iter()
            .zip(spans.iter_mut())
            .map(|(whole, outs)| {
                let clauses = outs
                    .iter_mut()
                    .map(|o| self.interpret(o.take().unwrap_or_else(|| alone.next().expect("one output per span"))))
                    .collect();
                (self.interpret(whole), clauses)
            })
            .collect())
    }

    /// Sentence embeddings only.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        Ok(self.model.run(texts)?.into_iter().map(|o| o.embedding).collect())
    }

    fn interpret(&self, out: ModelOutput) -> Classification {
        let config: &ModelConfig = self.model.config();
        let sentiment = sentiment_of(config, &out.sentiment);
        let aspect = topic_sentiment(&sentiment, self.options.topic_neutral_min);
        let mut topics: Vec<TopicScore> = config
            .topics
            .iter()
            .zip(&out.topics)
            .filter(|(label, &p)| p >= config.threshold(label))
            .map(|(label, &p)| TopicScore { label: label.clone(), score: p, sentiment: aspect.clone() })
            .collect();
        for (name, examples) in &self.custom {
            let best = examples.iter().map(|e| dot(e, &out.embedding)).fold(f32::MIN, f32::max);
            if best >= self.options.custom_topic_threshold {
                topics.push(TopicScore { label: name.clone(), score: best, sentiment: aspect.clone() });
            }
        }
        topics.sort_by(|a, b| b.score.total_cmp(&a.score));
        topics.truncate(self.options.max_topics);
        if topics.is_empty() {
            let best = out.topics.iter().copied().fold(0.0f32, f32::max);
            topics.push(TopicScore { label: OTHER.into(), score: 1.0 - best, sentiment: aspect });
        }
        Classification { sentiment, topics, embedding: out.embedding }
    }
}

fn sentiment_of(config: &ModelConfig, probs: &[f32]) -> Sentiment {
    let (best, _) = probs.iter().enumerate().fold((0, f32::MIN), |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc });
    let prob = |name: &str| config.sentiment.iter().position(|l| l == name).map(|i| probs[i]).unwrap_or(0.0);
    Sentiment {
        label: config.sentiment[best].clone(),
        score: (prob("positive") - prob("negative")).clamp(-1.0, 1.0),
        probs: config.sentiment.iter().cloned().zip(probs.iter().copied()).collect(),
    }
}

/// The sentiment a text gives the topics found in it: its lean unless it is neutral with at
/// least `neutral_min` ([`ClassifyOptions::topic_neutral_min`]). A model without the labels
/// negative / neutral / positive keeps its own label.
pub(crate) fn topic_sentiment(s: &Sentiment, neutral_min: f32) -> String {
    let (Some(&neg), Some(&neu), Some(&pos)) =
        (s.probs.get("negative"), s.probs.get("neutral"), s.probs.get("positive"))
    else {
        return s.label.clone();
    };
    if s.label != "neutral" || neu >= neutral_min {
        s.label.clone()
    } else if pos > neg {
        "positive".into()
    } else {
        "negative".into()
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentiment(neg: f32, neu: f32, pos: f32) -> Sentiment {
        let probs: BTreeMap<String, f32> =
            [("negative", neg), ("neutral", neu), ("positive", pos)].map(|(k, v)| (k.to_string(), v)).into();
        let label = probs.iter().max_by(|a, b| a.1.total_cmp(b.1)).map(|(k, _)| k.clone()).unwrap_or_default();
        Sentiment { label, score: pos - neg, probs }
    }

    #[test]
    fn a_weak_neutral_gives_its_topics_the_lean() {
        assert_eq!(topic_sentiment(&sentiment(0.35, 0.6, 0.05), 0.9), "negative"); // 量不多
        assert_eq!(topic_sentiment(&sentiment(0.1, 0.5, 0.4), 0.9), "positive"); // 服务员还行
        assert_eq!(topic_sentiment(&sentiment(0.02, 0.95, 0.03), 0.9), "neutral");
        assert_eq!(topic_sentiment(&sentiment(0.1, 0.3, 0.6), 0.9), "positive");
        assert_eq!(topic_sentiment(&sentiment(0.1, 0.6, 0.3), 0.5), "neutral");
        assert_eq!(topic_sentiment(&sentiment(0.1, 0.6, 0.3), 1.01), "positive");
    }

    #[test]
    fn other_label_sets_keep_their_label() {
        let s = Sentiment { label: "bad".into(), score: 0.0, probs: [("bad".to_string(), 1.0)].into() };
        assert_eq!(topic_sentiment(&s, 0.9), "bad");
    }
}
