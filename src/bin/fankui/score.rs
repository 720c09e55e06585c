//! `fankui score`: the per-record pipeline over a JSONL or CSV stream.

use crate::input::{CsvSource, Fields, Format, JsonlSource, Raw, RawFields, RecordSource};
use crate::Outcome;
use anyhow::Context;
use fankui::{Analysis, Analyzer, Input, PipelineConfig, Source};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::value::RawValue;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct ScoreArgs {
    /// Input file (JSONL or CSV); `-` or absent reads standard input.
    file: Option<String>,
    /// Input format; by default `.csv` files are CSV and everything else JSONL.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Field holding the comment text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// Field holding the record id (records without one get their line number).
    #[arg(long, default_value = "id")]
    id_field: String,
    /// Field that marks voice transcripts (value "voice").
    #[arg(long, default_value = "source")]
    source_field: String,
    /// Treat every record as a voice transcript.
    #[arg(long)]
    voice: bool,
    /// Pipeline configuration (JSON), see `PipelineConfig`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Model directory (model.onnx + tokenizer.json + labels.json [+ first_layer.bin]), or
    /// `accurate` for the bundled accurate model (slower); default: the bundled default model.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Skip the model: text stages only (no sentiment/topics, no ONNX Runtime needed).
    #[arg(long)]
    no_model: bool,
    /// Custom topics: a JSON file mapping topic name -> example phrases.
    #[arg(long)]
    custom_topics: Option<PathBuf>,
    /// Include the comment and clause embeddings in the output.
    #[arg(long)]
    embeddings: bool,
    /// Extra jieba user dictionary (repeatable).
    #[arg(long = "user-dict")]
    user_dicts: Vec<PathBuf>,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Write JSONL here instead of standard output (atomically: the file appears
    /// complete when the run ends, never half-written; it may not be the input).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Records processed per parallel chunk.
    #[arg(long, default_value_t = 4096, hide = true)]
    chunk: usize,
    /// Input bytes per parallel chunk: a chunk ends at `--chunk` records or at this
    /// many bytes, whichever comes first, so long comments make smaller chunks.
    #[arg(long, default_value_t = 2 << 20, hide = true)]
    chunk_bytes: usize,
    /// Longest input line accepted, in bytes; longer lines become error records.
    #[arg(long, default_value_t = 4 << 20)]
    max_line_bytes: usize,
    /// Do not print the summary line.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: ScoreArgs) -> anyhow::Result<Outcome> {
    crate::output::check_output(args.output.as_deref(), args.file.as_deref(), &[])?;
    let path = args.file.as_deref().filter(|p| *p != "-");
    crate::init_threads(args.threads)?;
    let mut config = match &args.config {
        Some(path) => {
            PipelineConfig::from_json_file(path).with_context(|| format!("reading config {}", path.display()))?
        }
        None => PipelineConfig::default(),
    };
    if args.voice {
        config.voice_mode = true;
    }
    config.segment.user_dicts.extend(args.user_dicts.iter().cloned());
    if args.no_model {
        config.scoring = false;
    }
    if let Some(dir) = &args.model {
        config.classify.model.dir = Some(dir.clone());
    }
    if let Some(path) = &args.custom_topics {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let topics: std::collections::BTreeMap<String, Vec<String>> = serde_json::from_str(&text)
            .with_context(|| format!("{}: expected {{\"topic\": [\"example\", ...]}}", path.display()))?;
        config.classify.custom_topics.extend(topics);
    }
    let analyzer = Analyzer::new(config).context("building the text pipeline")?;

    let fields = Fields { text: args.text_field.clone(), id: args.id_field.clone(), source: args.source_field.clone() };
    let format = args.format.unwrap_or_else(|| path.map(Format::from_path).unwrap_or(Format::Jsonl));
    let (reader, total_bytes): (Box<dyn BufRead>, Option<u64>) = match path {
        Some(p) => {
            let file = File::open(p).with_context(|| format!("opening {p}"))?;
            let len = file.metadata().ok().map(|m| m.len());
            (Box::new(BufReader::with_capacity(1 << 16, file)), len)
        }
        None => (Box::new(std::io::stdin().lock()), None),
    };
    let progress = Progress::new(total_bytes);
    let reader: Box<dyn BufRead> = match &progress.bar {
        Some(bar) if total_bytes.is_some() => Box::new(BufReader::new(bar.wrap_read(reader))),
        _ => reader,
    };
    // Ids and passthrough fields are kept as their JSON text and echoed exactly.
    let mut source: Box<dyn RecordSource<Raw>> = match format {
        Format::Jsonl => Box::new(JsonlSource::raw(reader, fields, args.max_line_bytes)),
        Format::Csv => Box::new(CsvSource::raw(reader, fields, args.max_line_bytes)?),
    };

    let mut out = crate::output::Output::create(args.output.as_deref())?;

    let start = Instant::now();
    let mut stats = Stats::default();
    let mut index = analyzer.duplicate_index();
    let mut items = Vec::with_capacity(args.chunk.max(1));
    let mut line = Vec::new();
    loop {
        items.clear();
        let more =
            source.next_chunk_within(args.chunk.max(1), args.chunk_bytes.max(1), &mut items).context("reading input")?;
        let inputs: Vec<Input<'_>> = items
            .iter()
            .filter_map(|item| item.outcome.as_ref().ok())
            .map(|r| Input::new(&r.text).with_source(if r.voice { Source::Voice } else { Source::Text }))
            .collect();
        let mut results = analyzer.analyze_batch_with(&inputs, &mut index).context("scoring")?.into_iter();
        for item in items.drain(..) {
            line.clear();
            match item.outcome {
                Ok(record) => match results.next().expect("one result per well-formed record") {
                    Ok(mut analysis) => {
                        stats.junk += usize::from(!analysis.quality.ok);
                        if !args.embeddings {
                            analysis.strip_embeddings();
                        }
                        output_line(&mut line, &item.id, &record.extra, &analysis)?;
                    }
                    Err(e) => error_line(&mut line, &item.id, &e.to_string(), &mut stats)?,
                },
                Err(reason) => error_line(&mut line, &item.id, &reason, &mut stats)?,
            };
            stats.records += 1;
            line.push(b'\n');
            out.write_all(&line)?;
        }
        progress.set_records(stats.records);
        if !more {
            break;
        }
    }
    out.finish()?;
    progress.finish();
    let secs = start.elapsed().as_secs_f64();
    if !args.quiet {
        eprintln!(
            "fankui score: {} records, {} junk, {} errors in {:.2} s ({:.0} records/s)",
            stats.records,
            stats.junk,
            stats.errors,
            secs,
            stats.records as f64 / secs.max(1e-9)
        );
    }
    Ok(Outcome { failed_records: stats.errors })
}

#[derive(Default)]
struct Stats {
    records: usize,
    junk: usize,
    errors: usize,
}

/// Writes `{"id": ..., <passthrough fields>, <analysis fields>}` to `line`, the id
/// and passthrough fields exactly as they were written in the input. A passthrough
/// field named like a field of the analysis gives way to it.
fn output_line(line: &mut Vec<u8>, id: &RawValue, extra: &RawFields, analysis: &Analysis) -> serde_json::Result<()> {
    let fields = serde_json::to_vec(analysis)?;
    let taken = top_level_keys(&fields);
    line.extend_from_slice(b"{\"id\":");
    line.extend_from_slice(id.get().as_bytes());
    for (key, value) in extra.0.iter().filter(|(k, _)| !taken.contains(&k.as_str())) {
        line.push(b',');
        serde_json::to_writer(&mut *line, key)?;
        line.push(b':');
        line.extend_from_slice(value.get().as_bytes());
    }
    match fields.strip_prefix(b"{}") {
        Some(_) => line.push(b'}'),
        None => {
            line.push(b',');
            line.extend_from_slice(&fields[1..]);
        }
    }
    Ok(())
}

/// The keys of a serialized JSON object (its own, not those of nested objects).
/// Keys come out as written: fine for the analysis's field names, which need no escapes.
fn top_level_keys(json: &[u8]) -> Vec<&str> {
    let mut keys = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut want_key) = (0usize, false, false, false);
    let mut key_start = None;
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if let Some(start) = key_start.take() {
                    keys.extend(std::str::from_utf8(&json[start..i]).ok());
                }
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                if depth == 1 && want_key {
                    key_start = Some(i + 1);
                    want_key = false;
                }
            }
            b'{' | b'[' => {
                depth += 1;
                want_key = depth == 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => want_key = true,
            _ => {}
        }
    }
    keys
}

fn error_line(line: &mut Vec<u8>, id: &RawValue, reason: &str, stats: &mut Stats) -> serde_json::Result<()> {
    stats.errors += 1;
    line.extend_from_slice(b"{\"id\":");
    line.extend_from_slice(id.get().as_bytes());
    line.extend_from_slice(b",\"error\":");
    serde_json::to_writer(&mut *line, reason)?;
    line.push(b'}');
    Ok(())
}

/// A progress bar on stderr, shown only when stderr is a terminal.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(total_bytes: Option<u64>) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = match total_bytes {
            Some(len) => ProgressBar::new(len).with_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} (eta {eta})",
                )
                .expect("valid template"),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}").expect("valid template"),
            ),
        };
        Progress { bar: Some(bar) }
    }

    fn set_records(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{n} records"));
            bar.tick();
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys_skip_nested_objects_and_strings() {
        let json = br#"{"a":1,"b":{"c":[{"d":"}],{\"e\":"}]},"f\"g":"x,\"h\":1","i":[]}"#;
        assert_eq!(top_level_keys(json), ["a", "b", "f\\\"g", "i"]);
        assert!(top_level_keys(b"{}").is_empty());
    }

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_string()).unwrap()
    }

    #[test]
    fn output_lines_are_what_merging_json_objects_gives() {
        use serde_json::{Map, Value};
        let mut analysis = Analysis::default();
        analysis.text = "好吃".into();
        analysis.embedding = vec![0.1, 2.5e-8];
        let extra = RawFields(vec![
            ("store".into(), raw("\"S1\"")),
            ("text".into(), raw("\"raw text gives way\"")),
            ("sentiment".into(), raw("\"kept: the analysis has none\"")),
            ("n".into(), raw("18446744073709551617")),
            ("o".into(), raw("{\"p\": 3.10}")),
        ]);
        let mut line = Vec::new();
        output_line(&mut line, &raw("1.50"), &extra, &analysis).unwrap();
        let text = String::from_utf8(line).unwrap();
        assert!(
            text.starts_with(r#"{"id":1.50,"store":"S1","sentiment":"kept: the analysis has none","n":18446744073709551617,"o":{"p": 3.10},"text":"好吃","#),
            "{text}"
        );
        let got: Map<String, Value> = serde_json::from_str(&text).unwrap();
        let mut expected = Map::new();
        expected.insert("id".into(), serde_json::from_str("1.50").unwrap());
        for (k, v) in &extra.0 {
            expected.insert(k.clone(), serde_json::from_str(v.get()).unwrap());
        }
        let fields: Map<String, Value> = serde_json::from_slice(&serde_json::to_vec(&analysis).unwrap()).unwrap();
        expected.extend(fields);
        assert_eq!(Value::Object(got), Value::Object(expected));
        let mut line = Vec::new();
        error_line(&mut line, &raw("3"), "bad \"x\"", &mut Stats::default()).unwrap();
        assert_eq!(line, br#"{"id":3,"error":"bad \"x\""}"#);
    }
}
