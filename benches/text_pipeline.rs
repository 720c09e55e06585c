//! Throughput of the text pipeline (normalize + voice cleanup + clauses +
//! keywords + quality + duplicates) in comments/s, and of voice cleanup alone on
//! run-on transcripts with and without the learned clause breaks.
//!
//! The corpus is the `text` field of `examples/feedback.jsonl` (or of the JSONL
//! file named by `FANKUI_BENCH_CORPUS`), cycled to 6,000 comments.
//! `benches/compare_jieba.sh` runs this bench and Python jieba over the same
//! comments in one run and prints the ratio.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fankui::{Analyzer, Input, Normalizer, PipelineConfig, TranscriptCleaner, VoiceOptions};
use std::hint::black_box;

const N: usize = 6_000;

fn corpus() -> Vec<(String, bool)> {
    let path = std::env::var("FANKUI_BENCH_CORPUS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/examples/feedback.jsonl").to_string());
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let base: Vec<(String, bool)> = data
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let voice = v.get("source").and_then(|s| s.as_str()) == Some("voice");
            v.get("text").and_then(|t| t.as_str()).map(|t| (t.to_string(), voice))
        })
        .collect();
    assert!(!base.is_empty(), "no texts in {path}");
    base.iter().cycle().take(N).cloned().collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let inputs: Vec<Input<'_>> =
        texts.iter().map(|(t, voice)| if *voice { Input::voice(t) } else { Input::new(t) }).collect();
    let analyzer = Analyzer::new(PipelineConfig::text_only()).unwrap();

    let mut group = c.benchmark_group("text_pipeline");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.sample_size(10);
    group.bench_function("analyze_batch", |b| b.iter(|| black_box(analyzer.analyze_batch(black_box(&inputs)))));
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    group.bench_function("analyze_batch_1_thread", |b| {
        b.iter(|| one.install(|| black_box(analyzer.analyze_batch(black_box(&inputs)))))
    });
    group.finish();

    // Voice cleanup of run-on transcripts (the same comments with their punctuation taken
    // out), with the rules only and with the learned clause breaks too.
    let normalizer = Normalizer::default();
    let speech: Vec<_> = texts
        .iter()
        .map(|(t, _)| t.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .map(|t| normalizer.normalize(&t))
        .collect();
    let mut group = c.benchmark_group("voice_cleanup");
    group.throughput(Throughput::Elements(speech.len() as u64));
    group.sample_size(10);
    for (name, learned) in [("rules", false), ("rules_and_learned_breaks", true)] {
        let cleaner = TranscriptCleaner::new(VoiceOptions::default().with_learned_breaks(learned)).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| speech.iter().map(|t| black_box(cleaner.clean(t)).as_str().len()).sum::<usize>())
        });
    }
    group.finish();

    // The same comments scored by the bundled model too (sentiment, topics, clause
    // embeddings): the whole per-record work of `fankui score`.
    let scored = match Analyzer::new(PipelineConfig::default()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("skipping the scoring bench: {e}");
            return;
        }
    };
    let few = &inputs[..1_000];
    let mut group = c.benchmark_group("scoring");
    group.throughput(Throughput::Elements(few.len() as u64));
    group.sample_size(10);
    group.bench_function("analyze_batch_with_model", |b| b.iter(|| black_box(scored.analyze_batch(black_box(few)))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
