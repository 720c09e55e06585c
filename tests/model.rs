//! The model runtime on a tiny checked-in model (tests/data/tiny_model, built by
//! tests/data/make_tiny_model.py): batching, padding, ordering, the session pool; and on the
//! bundled model, its first layer computed in fankui (`first_layer.bin`).

use fankui::model::{Model, ModelOptions};
use fankui::Error;
use std::path::PathBuf;

fn tiny_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny_model"))
}

fn tiny(batch_size: usize, sessions: usize) -> Model {
    Model::load(&ModelOptions::default().with_dir(tiny_dir()).with_batch_size(batch_size).with_sessions(sessions))
        .expect("tiny model loads (is onnxruntime installed? run scripts/setup.sh)")
}

const TEXTS: &[&str] = &[
    "薯条味道怪",
    "好吃",
    "骑手送餐太慢了，汉堡都凉了，服务态度也差",
    "",
    "小程序支付不了",
    "头发",
    "奶茶很好吃但是太贵了",
    "退款",
    "这个汉堡不错",
];

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-4)
}

#[test]
fn batch_results_equal_one_by_one_results_in_input_order() {
    let model = tiny(3, 2);
    let batch = model.run(TEXTS).unwrap();
    assert_eq!(batch.len(), TEXTS.len());
    for (text, out) in TEXTS.iter().zip(&batch) {
        let single = &model.run(&[text]).unwrap()[0];
        assert!(close(&out.sentiment, &single.sentiment), "{text}: {:?} vs {:?}", out.sentiment, single.sentiment);
        assert!(close(&out.topics, &single.topics), "{text}");
        assert!(close(&out.embedding, &single.embedding), "{text}");
    }
}

#[test]
fn outputs_have_the_declared_shapes_and_ranges() {
    let model = tiny(4, 1);
    let cfg = model.config().clone();
    for out in model.run(TEXTS).unwrap() {
        assert_eq!(out.sentiment.len(), cfg.sentiment.len());
        assert_eq!(out.topics.len(), cfg.topics.len());
        assert_eq!(out.embedding.len(), cfg.embedding_dim);
        assert!((out.sentiment.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(out.topics.iter().all(|p| (0.0..=1.0).contains(p)));
        let norm: f32 = out.embedding.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!(norm < 1.0 + 1e-4);
    }
}

#[test]
fn padding_does_not_change_a_result() {
    // Alone, "好吃" is padded to nothing; with a long text in its batch it is padded to 20+.
    let model = tiny(8, 1);
    let alone = model.run(&["好吃"]).unwrap().remove(0);
    let padded = model.run(&["好吃", "骑手送餐太慢了，汉堡都凉了，服务态度也差"]).unwrap().remove(0);
    assert!(close(&alone.sentiment, &padded.sentiment));
    assert!(close(&alone.embedding, &padded.embedding));
}

#[test]
fn repeated_texts_in_a_batch_get_the_same_output_as_alone() {
    let model = tiny(4, 1);
    let texts = ["好吃", "送餐很快", "好吃", "薯条凉了", "送餐很快", "好吃"];
    let out = model.run(&texts).unwrap();
    assert_eq!(out.len(), texts.len());
    for (text, got) in texts.iter().zip(&out) {
        let alone = &model.run(&[text]).unwrap()[0];
        assert!(close(&got.sentiment, &alone.sentiment) && close(&got.embedding, &alone.embedding), "{text}");
    }
    assert!(!close(&out[0].embedding, &out[1].embedding));
}

#[test]
fn different_texts_get_different_outputs() {
    let model = tiny(8, 1);
    let out = model.run(&["薯条味道怪", "小程序支付不了"]).unwrap();
    assert!(!close(&out[0].embedding, &out[1].embedding));
}

#[test]
fn many_threads_share_one_model() {
    let model = tiny(5, 2);
    let texts: Vec<String> = (0..200).map(|i| format!("{}{}", TEXTS[i % TEXTS.len()], "好".repeat(i % 7))).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let expected = model.run(&refs).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let got = model.run(&refs).unwrap();
                for (a, b) in got.iter().zip(&expected) {
                    assert!(close(&a.sentiment, &b.sentiment));
                }
            });
        }
    });
}

#[test]
fn a_missing_model_dir_is_a_clear_error() {
    let err = Model::load(&ModelOptions::default().with_dir("/nonexistent/model")).err().unwrap();
    assert!(matches!(err, Error::Model { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/model"));
}

#[test]
fn zero_batch_size_is_refused() {
    let err = Model::load(&ModelOptions::default().with_dir(tiny_dir()).with_batch_size(0)).err().unwrap();
    assert!(matches!(err, Error::InvalidOption { option: "batch_size", .. }), "{err}");
}

#[test]
fn a_model_without_span_support_scores_spans_as_texts_of_their_own() {
    use fankui::{Classifier, ClassifyOptions, SpanInput};
    let options = ClassifyOptions::default().with_model(ModelOptions::default().with_dir(tiny_dir()));
    let classifier = Classifier::new(options).unwrap();
    assert!(!classifier.model().supports_spans());
    let text = "骑手送餐太慢了，汉堡都凉了";
    let cut = text.find('，').unwrap();
    let spans = [0..cut, cut + '，'.len_utf8()..text.len()];
    let (whole, clauses) = classifier.classify_spans(&[SpanInput { text, spans: &spans }]).unwrap().remove(0);
    let expected = classifier.classify_batch(&[text, "骑手送餐太慢了", "汉堡都凉了"]).unwrap();
    assert!(close(&whole.embedding, &expected[0].embedding));
    assert!(close(&clauses[0].embedding, &expected[1].embedding));
    assert!(close(&clauses[1].embedding, &expected[2].embedding));
    // Asking the model itself for spans is a clear error.
    let err = classifier.model().run_spans(&[SpanInput { text, spans: &spans }]).err().unwrap();
    assert!(matches!(err, Error::InvalidOption { option: "spans", .. }), "{err}");
}

fn default_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/models/default"))
}

/// A copy of the bundled model's directory (links to its files) with `first_layer.bin`
/// replaced by `first_layer` bytes, or left out when `None`.
#[cfg(unix)]
fn default_with_first_layer(tag: &str, first_layer: Option<&[u8]>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fankui-first-layer-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["model.onnx", "tokenizer.json", "labels.json"] {
        std::os::unix::fs::symlink(default_dir().join(name), dir.join(name)).unwrap();
    }
    if let Some(bytes) = first_layer {
        std::fs::write(dir.join("first_layer.bin"), bytes).unwrap();
    }
    dir
}

#[test]
#[cfg(unix)]
fn a_missing_or_damaged_first_layer_file_is_a_clear_error() {
    let good = std::fs::read(default_dir().join("first_layer.bin")).expect("the bundled model has first_layer.bin");
    let cases: [(&str, Option<&[u8]>, &str); 3] = [
        ("missing", None, "first_layer.bin"),
        ("truncated", Some(&good[..good.len() / 2]), "truncated"),
        ("not-ours", Some(b"PK\x03\x04 a zip file"), "no FKFL magic"),
    ];
    for (tag, bytes, want) in cases {
        let dir = default_with_first_layer(tag, bytes);
        let err = Model::load(&ModelOptions::default().with_dir(&dir)).err().expect("must not load");
        assert!(matches!(err, Error::Model { .. }), "{tag}: {err}");
        assert!(err.to_string().contains(want) && err.to_string().contains("first_layer.bin"), "{tag}: {err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The bundled model computes its first layer in fankui: rows padded in a batch, and runs of
/// characters outside its vocabulary (fused into one <unk>), give what each text gives alone.
#[test]
fn the_bundled_model_gives_the_same_in_a_batch_as_alone() {
    let model = Model::load(&ModelOptions::default().with_batch_size(4)).expect("the bundled model loads");
    let texts = ["好", "薯条有股怪味，汉堡也凉了，骑手还送错了地址", "𠀀𠀁𠀂好吃𠀃", "ok", "服务员态度很差"];
    let batch = model.run(&texts).unwrap();
    for (text, out) in texts.iter().zip(&batch) {
        let single = &model.run(&[text]).unwrap()[0];
        assert!(close(&out.sentiment, &single.sentiment), "{text}: {:?} vs {:?}", out.sentiment, single.sentiment);
        assert!(close(&out.embedding, &single.embedding), "{text}");
    }
    assert!(batch[1].sentiment[0] > 0.5, "a complaint reads negative: {:?}", batch[1].sentiment);
}
