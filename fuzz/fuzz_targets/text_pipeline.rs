//! normalize → voice cleanup → clauses → keywords → quality → duplicates, without the model.
#![no_main]

use fankui::{Analyzer, PipelineConfig};
use fankui_fuzz::{check, inputs, texts};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| Analyzer::new(PipelineConfig::text_only().with_max_chars(3000)).expect("text-only analyzer"))
}

fuzz_target!(|data: &[u8]| {
    let (texts, flags) = texts(data);
    let inputs = inputs(&texts, flags);
    let a = analyzer();
    let results = a.analyze_batch(&inputs).expect("the text stages never fail a whole batch");
    if let Err(e) = check::check_batch(&inputs, &results, a.config().max_chars, false) {
        panic!("{e}");
    }
});
