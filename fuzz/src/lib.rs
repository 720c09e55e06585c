//! Shared by the fuzz targets: the invariants ([`check`]) and the input decoding.

pub mod check;

use fankui::{Input, Source};

/// Splits fuzzer bytes into a small batch of texts: the first byte picks voice flags, the rest
/// is cut at 0xFF bytes (never part of UTF-8) and each part decoded as UTF-8; invalid parts are
/// skipped (the pipeline takes `&str`: invalid UTF-8 is refused before it, by the CLI's reader).
pub fn texts(data: &[u8]) -> (Vec<String>, u8) {
    let Some((&flags, rest)) = data.split_first() else { return (Vec::new(), 0) };
    let texts =
        rest.split(|&b| b == 0xFF).take(8).filter_map(|p| std::str::from_utf8(p).ok()).map(str::to_string).collect();
    (texts, flags)
}

/// The inputs for `texts`, bit k of `flags` marking text k as a voice transcript.
pub fn inputs(texts: &[String], flags: u8) -> Vec<Input<'_>> {
    texts
        .iter()
        .enumerate()
        .map(|(k, t)| Input::new(t).with_source(if flags >> (k % 8) & 1 == 1 { Source::Voice } else { Source::Text }))
        .collect()
}
