//! The bundled default model (models/default): a few unambiguous cases, stability
//! (batch = one by one), and scoring clauses as spans of their comment.
#![allow(clippy::single_range_in_vec_init, clippy::reversed_empty_ranges)]

use fankui::{Analyzer, Classifier, ClassifyOptions, Input, PipelineConfig, SpanInput};
use std::sync::OnceLock;

#[path = "common/reads.rs"]
mod reads;
use reads::{assert_reads, topic_sentiment};

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::new(ClassifyOptions::default()).expect("default model loads (run scripts/setup.sh)"))
}

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-4)
}

/// Byte ranges of the clauses of `text`, split at `，`.
fn comma_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('，') {
        out.push(start..i);
        start = i + '，'.len_utf8();
    }
    out.push(start..text.len());
    out
}

#[test]
fn the_default_model_supports_spans() {
    assert!(classifier().model().supports_spans());
}

#[test]
fn unambiguous_comments() {
    assert_reads(
        classifier(),
        &[
            ("薯条凉了", "negative", Some("temperature")),
            ("汉堡里有头发", "negative", Some("hygiene")),
            ("送餐很快，味道很好，下次还点", "positive", None),
            ("小程序付不了款", "negative", Some("app")),
        ],
    );
}

#[test]
fn aspect_sentiment_from_clauses() {
    let analyzer = Analyzer::new(PipelineConfig::default()).unwrap();
    let a = analyzer.analyze(&Input::new("送餐很快，但是薯条凉了")).unwrap();
    assert_eq!(a.clauses.len(), 2);
    let first = a.clauses[0].sentiment.as_ref().unwrap();
    let second = a.clauses[1].sentiment.as_ref().unwrap();
    assert_eq!(first.label, "positive", "{:?}", a.clauses[0]);
    assert_eq!(second.label, "negative", "{:?}", a.clauses[1]);
    assert_eq!(topic_sentiment(&a, "delivery"), Some("positive"), "{:?}", a.topics);
    assert_eq!(topic_sentiment(&a, "temperature"), Some("negative"), "{:?}", a.topics);
}

#[test]
fn a_span_covering_the_whole_text_equals_the_text() {
    let c = classifier();
    let texts = ["薯条有股怪味", "骑手送餐太慢了，汉堡都凉了，服务态度也差", "馄饨馅儿馊了"];
    let spans: Vec<Vec<std::ops::Range<usize>>> = texts.iter().map(|t| vec![0..t.len()]).collect();
    let inputs: Vec<SpanInput> = texts.iter().zip(&spans).map(|(t, s)| SpanInput { text: t, spans: s }).collect();
    for (whole, clauses) in c.classify_spans(&inputs).unwrap() {
        assert!(close(&whole.embedding, &clauses[0].embedding));
        assert_eq!(whole.sentiment.label, clauses[0].sentiment.label);
        assert!((whole.sentiment.score - clauses[0].sentiment.score).abs() <= 1e-4);
    }
}

#[test]
fn span_results_in_a_batch_equal_one_by_one() {
    let c = classifier();
    let texts = [
        "送餐很快，但是薯条凉了",
        "汉堡好吃，可乐没气",
        "排队排了半小时，只有一个人在做餐，店员也不道歉",
        "好吃",
        "小程序点单很方便，到店直接取，不用排队",
    ];
    let spans: Vec<_> = texts.iter().map(|t| comma_spans(t)).collect();
    let inputs: Vec<SpanInput> = texts.iter().zip(&spans).map(|(t, s)| SpanInput { text: t, spans: s }).collect();
    let batch = c.classify_spans(&inputs).unwrap();
    for (input, (whole, clauses)) in inputs.iter().zip(&batch) {
        let (w1, c1) = c.classify_spans(std::slice::from_ref(input)).unwrap().remove(0);
        assert!(close(&whole.embedding, &w1.embedding), "{}", input.text);
        assert_eq!(clauses.len(), input.spans.len());
        for (a, b) in clauses.iter().zip(&c1) {
            assert!(close(&a.embedding, &b.embedding), "{}", input.text);
            assert!((a.sentiment.score - b.sentiment.score).abs() <= 1e-4);
        }
        // The comment itself is scored exactly as without spans.
        let plain = c.classify(input.text).unwrap();
        assert!(close(&whole.embedding, &plain.embedding), "{}", input.text);
    }
}

#[test]
fn a_span_past_the_token_limit_is_scored_on_its_own() {
    let c = classifier();
    // Far more than max_length (256) tokens before the last clause.
    let text = format!("{}，薯条有股怪味", "今天中午点了一份套餐".repeat(60));
    let spans = comma_spans(&text);
    assert_eq!(spans.len(), 2);
    let out = c.classify_spans(&[SpanInput { text: &text, spans: &spans }]).unwrap().remove(0);
    let alone = c.classify("薯条有股怪味").unwrap();
    assert!(close(&out.1[1].embedding, &alone.embedding));
    assert_eq!(out.1[1].sentiment.label, "negative");
}

#[test]
fn a_span_that_is_not_a_character_range_is_an_error_not_a_panic() {
    let c = classifier();
    let text = "薯条有股怪味"; // 18 bytes, 3 per character
    for spans in [[1..5], [0..100], [6..3]] {
        let err = c.classify_spans(&[SpanInput { text, spans: &spans }]).err().unwrap();
        assert!(matches!(err, fankui::Error::InvalidOption { option: "spans", .. }), "{err}");
    }
}

#[test]
fn a_complaint_after_a_contrast_decides_a_short_comment() {
    // Low ratings on a delivery platform, though most of the words praise (see src/record.rs).
    let analyzer = Analyzer::new(PipelineConfig::default()).unwrap();
    for text in ["别的都很好，就是汤洒了", "挺不错的，就是送得太慢了，一个半小时才到"] {
        let a = analyzer.analyze(&Input::new(text)).unwrap();
        assert_eq!(a.sentiment.as_ref().unwrap().label, "negative", "{text}: {:?}", a.sentiment);
    }
    // Praise after the contrast keeps a comment positive.
    let a = analyzer.analyze(&Input::new("虽然贵了点，但是真的很好吃")).unwrap();
    assert_eq!(a.sentiment.as_ref().unwrap().label, "positive", "{:?}", a.sentiment);
}

#[test]
fn a_record_has_the_topics_of_all_its_clauses() {
    let analyzer = Analyzer::new(PipelineConfig::default()).unwrap();
    let a = analyzer.analyze(&Input::new("味道很好，服务员态度也热情，就是环境有点吵，价格也偏贵")).unwrap();
    let labels: Vec<&str> = a.topics.iter().map(|t| t.label.as_str()).collect();
    for want in ["taste", "service", "environment", "price"] {
        assert!(labels.contains(&want), "{want} missing from {labels:?}");
    }
    // each topic carries the sentiment of the clause that reports it
    let env = a.topics.iter().find(|t| t.label == "environment").unwrap();
    let clause = a.clauses.iter().find(|c| c.clause.text.contains("环境")).unwrap();
    assert_eq!(env.sentiment, clause.sentiment.as_ref().unwrap().label, "{:?}", a.topics);
    assert_ne!(env.sentiment, "positive", "{:?}", a.topics);
}
