//! The bundled accurate model (models/accurate, multilingual-e5-small), selected by name:
//! unambiguous cases, a mixed comment's clauses, batch = one by one, and bad input.

use fankui::{Analyzer, Classifier, ClassifyOptions, Input, ModelOptions, PipelineConfig};
use std::sync::OnceLock;

#[path = "common/reads.rs"]
mod reads;
use reads::{assert_reads, topic_sentiment, topics};

fn options() -> ClassifyOptions {
    ClassifyOptions::default().with_model(ModelOptions::default().with_dir("accurate"))
}

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::new(options()).expect("accurate model loads (run scripts/setup.sh)"))
}

#[test]
fn the_name_accurate_selects_the_bundled_e5_model() {
    let model = classifier().model();
    assert_eq!(model.config().name, "fankui-accurate");
    assert_eq!(model.config().embedding_dim, 384);
    // Clauses are scored as texts of their own: spans pooled in the comment's context blurred
    // their sentiment on real_dev (models/README.md).
    assert!(!model.supports_spans());
}

#[test]
fn unambiguous_comments() {
    let out = assert_reads(
        classifier(),
        &[
            ("薯条凉了", "negative", Some("temperature")),
            ("汉堡里有头发", "negative", Some("hygiene")),
            ("送餐很快，味道很好，下次还点", "positive", None),
            ("服务员态度很差", "negative", Some("service")),
        ],
    );
    for o in &out {
        let norm: f32 = o.embedding.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "embedding norm {norm}");
    }
}

#[test]
fn a_batch_scores_as_one_by_one() {
    let c = classifier();
    let texts = ["送餐很快，但是薯条凉了", "好吃", "排队排了半小时，只有一个人在做餐，店员也不道歉", ""];
    let batch = c.classify_batch(&texts).unwrap();
    for (text, b) in texts.iter().zip(&batch) {
        let one = c.classify(text).unwrap();
        assert!((one.sentiment.score - b.sentiment.score).abs() <= 1e-4, "{text}");
        assert_eq!(topics(&one), topics(b), "{text}");
    }
}

#[test]
fn each_clause_of_a_mixed_comment_keeps_its_own_sentiment() {
    let mut config = PipelineConfig::default();
    config.classify = options();
    let analyzer = Analyzer::new(config).unwrap();
    let a = analyzer.analyze(&Input::new("味道很好，但是服务员态度很差")).unwrap();
    assert_eq!(a.clauses.len(), 2);
    assert_eq!(a.clauses[0].sentiment.as_ref().unwrap().label, "positive", "{:?}", a.clauses[0]);
    assert_eq!(a.clauses[1].sentiment.as_ref().unwrap().label, "negative", "{:?}", a.clauses[1]);
    assert_eq!(topic_sentiment(&a, "taste"), Some("positive"), "{:?}", a.topics);
    assert_eq!(topic_sentiment(&a, "service"), Some("negative"), "{:?}", a.topics);
}

#[test]
fn hostile_text_is_scored_not_a_panic() {
    let c = classifier();
    let long = "汉堡很好吃".repeat(20_000); // 100,000 characters, far past max_length
    let junk: String = (0u32..2_000).filter_map(char::from_u32).collect();
    let out = c.classify_batch(&[long.as_str(), junk.as_str(), "\u{0}\u{feff}", "🍔🍟😡"]).unwrap();
    assert_eq!(out.len(), 4);
    for o in &out {
        assert!(o.sentiment.score.is_finite());
    }
}
