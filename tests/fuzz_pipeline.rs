//! A short, deterministic fuzz run of the whole text pipeline (normalize → voice cleanup →
//! clauses → keywords → quality → duplicates) and, on fewer cases, of scoring with the bundled
//! model, over hostile input: arbitrary Unicode, control characters, lone combining marks,
//! emoji sequences, mixed scripts, full-width and Traditional text, PII, and huge repeats
//! (some over `max_chars`). Every batch must give one result per input, and every result must
//! keep the invariants of `fuzz/src/check.rs` (no panic; clause offsets valid character
//! offsets into the input; strings intact; scores finite; JSON round trip).
//!
//! CI runs it with a fixed seed and a fixed count, so a failure is reproducible (proptest
//! shrinks it to a small input and prints it). A long run, e.g. overnight:
//!
//! ```sh
//! FANKUI_FUZZ_CASES=1000000 cargo test --release --test fuzz_pipeline -- --nocapture
//! FANKUI_FUZZ_SEED=7 FANKUI_FUZZ_CASES=100000 cargo test --release --test fuzz_pipeline   # another seed
//! ```
//!
//! `FANKUI_FUZZ_CASES` sets the text-stage batches (default 1,500); the model run takes a
//! tenth of it (default 150). Coverage-guided fuzzing of the same targets: `fuzz/README.md`.

#[path = "../fuzz/src/check.rs"]
mod check;

use fankui::{Analyzer, Input, PipelineConfig, Source};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::RefCell;
use std::time::Instant;

/// Fixed pieces that have broken text pipelines before: PII, punctuation runs, emoji
/// sequences (ZWJ, skin tones, flags, keycaps), invisible and bidi controls, compatibility
/// characters that expand under NFKC, other scripts, voice fillers, markup.
const PIECES: &[&str] = &[
    "薯条有股怪味",
    "送餐很快",
    "但是汉堡凉了",
    "服务态度差",
    "小程序付不了款",
    "薯條",
    "點餐",
    "頭髮",
    "ＡＢＣ１２３",
    "ｈｅｌｌｏ",
    "ｶﾀｶﾅ",
    "１３８１２３４５６７８",
    "13812345678",
    "+86 138-1234-5678",
    "订单号123456789012345",
    "http://x.cn/a?b=1",
    "www.example.com",
    "加微信abc123",
    "a@b.cn",
    "，",
    "。",
    "！",
    "？",
    "；",
    "：",
    "…",
    "～",
    "、",
    "!!!",
    "???",
    "...",
    "——",
    "「",
    "」",
    "《",
    "》",
    "😡",
    "👍🏽",
    "👨\u{200d}👩\u{200d}👧\u{200d}👦",
    "🇨🇳",
    "1\u{fe0f}\u{20e3}",
    "❤\u{fe0f}",
    "🏳\u{fe0f}\u{200d}🌈",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{202e}",
    "\u{2066}",
    "\u{2028}",
    "\u{2029}",
    "\u{a0}",
    "\u{3000}",
    "\u{301}",
    "\u{20dd}",
    "\u{336}",
    "\u{e49}",
    "\u{93f}",
    "\u{302a}",
    "葛\u{e0100}",
    "\u{e0061}\u{e007f}",
    "مرحبا",
    "नमस्ते",
    "สวัสดี",
    "안녕하세요",
    "Привет",
    "Ελληνικά",
    "עברית",
    "①②③",
    "㈱",
    "﷽",
    "ﬁ",
    "𝐀𝐁𝐂",
    "𠮷野家",
    "Ⅻ",
    "½",
    "嗯",
    "那个",
    "就是说",
    "呃",
    "啊啊啊",
    "我我我",
    "哈哈哈哈",
    "然后然后",
    "<PHONE>",
    "<ORDER>",
    "<",
    ">",
    "\\",
    "\"",
    "{}",
    "[]",
    "&amp;",
    "<b>",
    "\r\n",
    "\n",
    "\t",
    " ",
    "\u{0}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{9f}",
    "\u{fffd}",
    "\u{e000}",
    "\u{10ffff}",
];

fn control() -> impl Strategy<Value = char> {
    prop_oneof![(0u32..0x20), Just(0x7f), (0x80u32..0xa0)].prop_map(|c| char::from_u32(c).unwrap())
}

/// One piece of a hostile text; `repeat` bounds the huge repeats.
fn piece(repeat: usize) -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(PIECES);
    prop_oneof![
        5 => fixed.clone().prop_map(str::to_string),
        3 => prop::collection::vec(any::<char>(), 0..12).prop_map(|v| v.into_iter().collect::<String>()),
        2 => "\\PC{0,16}",
        1 => prop::collection::vec(control(), 1..6).prop_map(|v| v.into_iter().collect::<String>()),
        1 => (fixed, 1..repeat).prop_map(|(p, k)| p.repeat(k)),
        1 => (any::<char>(), 1..repeat).prop_map(|(c, k)| c.to_string().repeat(k)),
    ]
}

fn text(pieces: usize, repeat: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(repeat), 0..pieces).prop_map(|v| v.concat())
}

/// A batch of texts with their sources; some texts repeat (the duplicate index sees them).
fn batch(size: usize, pieces: usize, repeat: usize) -> impl Strategy<Value = Vec<(String, bool)>> {
    prop::collection::vec((text(pieces, repeat), any::<bool>()), 0..size).prop_flat_map(|v| {
        let n = v.len();
        (Just(v), prop::collection::vec(any::<prop::sample::Index>(), 0..3)).prop_map(move |(mut v, dups)| {
            if n > 0 {
                for d in dups {
                    let x = v[d.index(n)].clone();
                    v.push(x);
                }
            }
            v
        })
    })
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

fn seed() -> u64 {
    env_usize("FANKUI_FUZZ_SEED", 0x6661_6e6b_7569) as u64 // "fankui"
}

/// What a run went through, so that a generator that stopped producing hostile input
/// (no over-long texts, no clauses, no voice) fails the test instead of passing quietly.
#[derive(Default, Debug)]
struct Seen {
    texts: usize,
    too_long: usize,
    voice: usize,
    clauses: usize,
    scored_clauses: usize,
    longest: usize,
}

/// Runs `cases` batches through `analyzer` with a deterministic RNG, checking every result.
fn fuzz(analyzer: &Analyzer, cases: u32, strategy: impl Strategy<Value = Vec<(String, bool)>>, scored: bool) -> Seen {
    let config = Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed().to_le_bytes());
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let max_chars = analyzer.config().max_chars;
    let started = Instant::now();
    let seen = RefCell::new(Seen::default());
    let result = runner.run(&strategy, |batch| {
        let inputs: Vec<Input<'_>> = batch
            .iter()
            .map(|(t, voice)| Input::new(t).with_source(if *voice { Source::Voice } else { Source::Text }))
            .collect();
        let results = analyzer.analyze_batch(&inputs).map_err(|e| TestCaseError::fail(format!("batch failed: {e}")))?;
        check::check_batch(&inputs, &results, max_chars, scored).map_err(TestCaseError::fail)?;
        // One at a time gives the same texts and clauses as the batch (duplicate flags aside).
        for (input, r) in inputs.iter().zip(&results).take(2) {
            if let (Ok(a), Ok(b)) = (r, analyzer.analyze(input)) {
                prop_assert_eq!(&a.text, &b.text);
                prop_assert_eq!(
                    &a.clauses.iter().map(|c| &c.clause).collect::<Vec<_>>(),
                    &b.clauses.iter().map(|c| &c.clause).collect::<Vec<_>>()
                );
            }
        }
        let mut seen = seen.borrow_mut();
        for ((text, voice), r) in batch.iter().zip(&results) {
            seen.texts += 1;
            seen.voice += usize::from(*voice);
            seen.longest = seen.longest.max(text.chars().count());
            match r {
                Ok(a) => {
                    seen.clauses += a.clauses.len();
                    seen.scored_clauses += a.clauses.iter().filter(|c| c.sentiment.is_some()).count();
                }
                Err(_) => seen.too_long += 1,
            }
        }
        Ok(())
    });
    let seen = seen.into_inner();
    eprintln!(
        "fuzz_pipeline: {cases} batches ({}) in {:.1} s, seed {}: {seen:?}",
        if scored { "bundled model" } else { "text stages" },
        started.elapsed().as_secs_f64(),
        seed()
    );
    match result {
        Ok(()) => seen,
        Err(TestError::Fail(why, batch)) => {
            panic!("{why}\nminimal failing batch (seed {}): {batch:?}", seed())
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn text_stages_on_hostile_input() {
    let cases = env_usize("FANKUI_FUZZ_CASES", 1500) as u32;
    // A lower max_chars than the default keeps the huge repeats cheap while some still cross it.
    let analyzer = Analyzer::new(PipelineConfig::text_only().with_max_chars(3000)).unwrap();
    let seen = fuzz(&analyzer, cases, batch(6, 10, 1200), false);
    if cases >= 500 {
        assert!(seen.too_long > 0 && seen.voice > 0 && seen.clauses > seen.texts, "{seen:?}");
    }
}

#[test]
fn bundled_model_on_hostile_input() {
    let cases = (env_usize("FANKUI_FUZZ_CASES", 1500) / 10).max(1) as u32;
    let analyzer = Analyzer::new(PipelineConfig::default().with_max_chars(600))
        .expect("the bundled model loads (run scripts/setup.sh for ONNX Runtime)");
    let seen = fuzz(&analyzer, cases, batch(4, 8, 250), true);
    if cases >= 100 {
        assert!(seen.too_long > 0 && seen.scored_clauses > 0, "{seen:?}");
    }
}

/// The checks themselves can fail: each broken result is caught.
#[test]
fn the_checks_catch_broken_results() {
    let analyzer = Analyzer::new(PipelineConfig::text_only().with_max_chars(20)).unwrap();
    let text = "送餐很快，但是薯条凉了";
    let input = [Input::new(text)];
    let good = analyzer.analyze_batch(&input).unwrap();
    assert_eq!(check::check_batch(&input, &good, 20, false), Ok(()));
    let broken = |f: &dyn Fn(&mut fankui::Analysis)| {
        let mut a = good[0].as_ref().unwrap().clone();
        f(&mut a);
        check::check_batch(&input, &[Ok(a)], 20, false)
    };
    let n = text.chars().count();
    assert!(broken(&|a| a.clauses[1].clause.end = n + 1).unwrap_err().contains("offsets"));
    assert!(broken(&|a| a.clauses[0].clause.start = a.clauses[0].clause.end).unwrap_err().contains("offsets"));
    assert!(broken(&|a| a.clauses[1].clause.start = 0).unwrap_err().contains("before the previous clause"));
    assert!(broken(&|a| a.clauses[0].clause.text = String::new()).unwrap_err().contains("empty"));
    assert!(broken(&|a| a.text.push('\u{FFFD}')).unwrap_err().contains("U+FFFD"));
    assert!(broken(&|a| a.keywords.push(String::new())).unwrap_err().contains("keyword"));
    assert!(check::check_batch(&input, &[], 20, false).unwrap_err().contains("0 results for 1 inputs"));
    let long = "好".repeat(21);
    let over = [Input::new(&long)];
    assert!(check::check_batch(&over, &analyzer.analyze_batch(&over).unwrap(), 20, false).is_ok());
    assert!(check::check_batch(&input, &analyzer.analyze_batch(&over).unwrap(), 20, false).is_err());
}
