//! The whole pipeline with the model: the bundled one, or the model directory in
//! `FANKUI_MODEL_DIR` (ONNX Runtime found as usual: ORT_DYLIB_PATH, the project's .venv, ...).
//! Slower than `text_pipeline` (a model run per input), so it is a target of its own.
#![no_main]

use fankui::{Analyzer, PipelineConfig};
use fankui_fuzz::{check, inputs, texts};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| {
        Analyzer::new(PipelineConfig::default().with_max_chars(1000))
            .expect("the model loads (run scripts/setup.sh for ONNX Runtime, or set FANKUI_MODEL_DIR)")
    })
}

fuzz_target!(|data: &[u8]| {
    let (texts, flags) = texts(data);
    let inputs = inputs(&texts, flags);
    let a = analyzer();
    let results = a.analyze_batch(&inputs).expect("the model does not fail a whole batch");
    if let Err(e) = check::check_batch(&inputs, &results, a.config().max_chars, true) {
        panic!("{e}");
    }
});
