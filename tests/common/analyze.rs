//! Analyzing a test month's records for issue detection (tests/ops_month.rs).

use fankui::{Analysis, Analyzer, Input, Source};

/// Analyzes `(text, is voice)` records as `fankui score` does: in chunks of 4,096
/// with one duplicate index across them. Clauses past the scoring limit carry no
/// embedding and are dropped (the detector skips them anyway).
pub fn analyze_all<'a>(analyzer: &Analyzer, records: impl IntoIterator<Item = (&'a str, bool)>) -> Vec<Analysis> {
    let records: Vec<(&str, bool)> = records.into_iter().collect();
    let mut index = analyzer.duplicate_index();
    let mut analyses = Vec::with_capacity(records.len());
    for chunk in records.chunks(4096) {
        let inputs: Vec<Input<'_>> = chunk
            .iter()
            .map(|&(text, voice)| Input::new(text).with_source(if voice { Source::Voice } else { Source::Text }))
            .collect();
        for a in analyzer.analyze_batch_with(&inputs, &mut index).expect("analysis runs") {
            let mut a = a.expect("record analyzed");
            a.clauses.retain(|c| !c.embedding.is_empty());
            analyses.push(a);
        }
    }
    analyses
}
