//! The invariants every analysis must keep, whatever the input: shared by the cargo-fuzz
//! targets (`fuzz/fuzz_targets/`) and the fixed-seed run CI makes (`tests/fuzz_pipeline.rs`,
//! which includes this file with `#[path]`).
//!
//! For a batch: exactly one result per input, in order; an error only for a text over
//! `max_chars` (the one per-text error the pipeline documents), and never success for one.
//! For each analysis: clause offsets are character offsets into the *original* text
//! (`start <= end <= chars`), in order and not overlapping, each clause non-empty and trimmed
//! and covering at least one original character; every string (normalized text, clause texts,
//! keywords, labels) is non-empty where it must be and has no U+FFFD the input did not have
//! (nothing was mangled into replacement characters); every score is finite and in range; and
//! the analysis survives a JSON round trip (what the CLI and the Python package print and
//! `fankui issues` reads back).

use fankui::{Analysis, Input, Sentiment, TopicScore};

/// Checks a batch's results against its inputs.
pub fn check_batch(
    inputs: &[Input<'_>],
    results: &[fankui::Result<Analysis>],
    max_chars: usize,
    scored: bool,
) -> Result<(), String> {
    if results.len() != inputs.len() {
        return Err(format!("{} results for {} inputs", results.len(), inputs.len()));
    }
    for (k, (input, result)) in inputs.iter().zip(results).enumerate() {
        check_one(input.text, result, max_chars, scored)
            .map_err(|e| format!("input {k} {:?}: {e}", preview(input.text)))?;
    }
    Ok(())
}

/// The first characters of a text, for messages (a failing input can be 10,000 characters).
pub fn preview(s: &str) -> String {
    let n = s.chars().count();
    if n <= 80 {
        s.to_string()
    } else {
        format!("{}… ({n} chars)", s.chars().take(80).collect::<String>())
    }
}

/// Checks one result against its original text.
pub fn check_one(
    original: &str,
    result: &fankui::Result<Analysis>,
    max_chars: usize,
    scored: bool,
) -> Result<(), String> {
    let n = original.chars().count();
    let a = match result {
        Err(e) if n > max_chars => {
            let msg = e.to_string();
            return if msg.contains("too long") {
                Ok(())
            } else {
                Err(format!("over-long text, unexpected error: {msg}"))
            };
        }
        Err(e) => return Err(format!("error for a text of {n} chars (limit {max_chars}): {e}")),
        Ok(a) => a,
    };
    if n > max_chars {
        return Err(format!("a text of {n} chars was analyzed despite the limit of {max_chars}"));
    }
    let had_replacement = original.contains('\u{FFFD}');
    let string = |what: &str, s: &str, nonempty: bool| -> Result<(), String> {
        if nonempty && s.is_empty() {
            return Err(format!("{what} is empty"));
        }
        if !had_replacement && s.contains('\u{FFFD}') {
            return Err(format!("{what} {s:?} has U+FFFD, the input had none"));
        }
        Ok(())
    };
    string("text", &a.text, false)?;
    if a.text.chars().count() > n * 18 + 64 {
        return Err(format!("normalized text grew from {n} to {} chars", a.text.chars().count()));
    }
    let mut last_end = 0;
    for (k, c) in a.clauses.iter().enumerate() {
        let cl = &c.clause;
        string(&format!("clause {k}"), &cl.text, true)?;
        if cl.text.trim() != cl.text {
            return Err(format!("clause {k} {:?} is not trimmed", cl.text));
        }
        if !(cl.start < cl.end && cl.end <= n) {
            return Err(format!(
                "clause {k} {:?}: offsets {}..{} are not a non-empty range in 0..{n}",
                cl.text, cl.start, cl.end
            ));
        }
        if cl.start < last_end {
            return Err(format!("clause {k} starts at {} before the previous clause ends at {last_end}", cl.start));
        }
        last_end = cl.end;
        if let Some(s) = &c.sentiment {
            sentiment(&format!("clause {k} sentiment"), s)?;
        }
        for t in &c.topics {
            topic(&format!("clause {k} topic"), t)?;
        }
        finite(&format!("clause {k} embedding"), &c.embedding)?;
    }
    for (k, w) in a.keywords.iter().enumerate() {
        string(&format!("keyword {k}"), w, true)?;
    }
    if a.quality.ok != a.quality.flags.is_empty() {
        return Err(format!("quality.ok {} with flags {:?}", a.quality.ok, a.quality.flags));
    }
    if let Some(s) = &a.sentiment {
        sentiment("sentiment", s)?;
    }
    for t in &a.topics {
        topic("topic", t)?;
    }
    finite("embedding", &a.embedding)?;
    if scored && !a.text.trim().is_empty() && a.sentiment.is_none() && a.clauses.iter().any(|c| c.sentiment.is_some()) {
        return Err("clauses are scored but the comment is not".into());
    }
    let json = serde_json::to_string(a).map_err(|e| format!("not serializable: {e}"))?;
    let back: Analysis = serde_json::from_str(&json).map_err(|e| format!("JSON does not read back: {e}: {json}"))?;
    if back.text != a.text || back.clauses.len() != a.clauses.len() || back.keywords != a.keywords {
        return Err(format!("JSON round trip changed the analysis: {json}"));
    }
    Ok(())
}

fn sentiment(what: &str, s: &Sentiment) -> Result<(), String> {
    if s.label.is_empty() || !s.score.is_finite() || !(-1.0001..=1.0001).contains(&s.score) {
        return Err(format!("{what}: {s:?}"));
    }
    if s.probs.values().any(|p| !p.is_finite() || !(-1e-4..=1.0001).contains(p)) {
        return Err(format!("{what}: probabilities {:?}", s.probs));
    }
    let total: f32 = s.probs.values().sum();
    if !s.probs.is_empty() && (total - 1.0).abs() > 1e-3 {
        return Err(format!("{what}: probabilities sum to {total}"));
    }
    Ok(())
}

fn topic(what: &str, t: &TopicScore) -> Result<(), String> {
    if t.label.is_empty() || t.sentiment.is_empty() || !t.score.is_finite() || !(-1.0001..=1.0001).contains(&t.score) {
        return Err(format!("{what}: {t:?}"));
    }
    Ok(())
}

fn finite(what: &str, v: &[f32]) -> Result<(), String> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(format!("{what}[{i}] is {}", v[i])),
        None => Ok(()),
    }
}
