//! What a bundled model must read right (tests/default_model.rs, tests/accurate_model.rs).

use fankui::{Analysis, Classification, Classifier};

/// The labels of the topics a classification reports.
pub fn topics(c: &Classification) -> Vec<&str> {
    c.topics.iter().map(|t| t.label.as_str()).collect()
}

/// Scores `(text, sentiment label, topic)` cases in one batch: each must get its label and,
/// when one is given, report its topic. Returns the classifications in case order.
pub fn assert_reads(c: &Classifier, cases: &[(&str, &str, Option<&str>)]) -> Vec<Classification> {
    let texts: Vec<&str> = cases.iter().map(|(text, ..)| *text).collect();
    let out = c.classify_batch(&texts).unwrap();
    for ((text, label, topic), o) in cases.iter().zip(&out) {
        assert_eq!(o.sentiment.label, *label, "{text}");
        if let Some(topic) = topic {
            assert!(topics(o).contains(topic), "{text}: {:?}", topics(o));
        }
    }
    out
}

/// The sentiment the record gives its topic `label`, if it reports that topic.
pub fn topic_sentiment<'a>(a: &'a Analysis, label: &str) -> Option<&'a str> {
    a.topics.iter().find(|t| t.label == label).map(|t| t.sentiment.as_str())
}
