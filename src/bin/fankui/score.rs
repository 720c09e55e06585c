//! `fankui score`: the per-record pipeline over a JSONL or CSV stream.

use crate::input::{CsvSource, Fields, Format, JsonlSource, RecordSource};
use crate::Outcome;
use anyhow::Context;
use fankui::{Analysis, Analyzer, Input, PipelineConfig, Source};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
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
    /// Model directory (model.onnx + tokenizer.json + labels.json); default: the bundled model.
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
    /// Write JSONL here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Records processed per parallel chunk.
    #[arg(long, default_value_t = 4096, hide = true)]
    chunk: usize,
    /// Longest input line accepted, in bytes; longer lines become error records.
    #[arg(long, default_value_t = 4 << 20)]
    max_line_bytes: usize,
    /// Do not print the summary line.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: ScoreArgs) -> anyhow::Result<Outcome> {
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
    let path = args.file.as_deref().filter(|p| *p != "-");
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
    let mut source: Box<dyn RecordSource> = match format {
        Format::Jsonl => Box::new(JsonlSource::new(reader, fields, args.max_line_bytes)),
        Format::Csv => Box::new(CsvSource::new(reader, fields, args.max_line_bytes)?),
    };

    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, out);

    let start = Instant::now();
    let mut stats = Stats::default();
    let mut index = analyzer.duplicate_index();
    let mut items = Vec::with_capacity(args.chunk.max(1));
    loop {
        items.clear();
        let more = source.next_chunk(args.chunk.max(1), &mut items).context("reading input")?;
        let inputs: Vec<Input<'_>> = items
            .iter()
            .filter_map(|item| item.outcome.as_ref().ok())
            .map(|r| Input::new(&r.text).with_source(if r.voice { Source::Voice } else { Source::Text }))
            .collect();
        let mut results = analyzer.analyze_batch_with(&inputs, &mut index).context("scoring")?.into_iter();
        for item in items.drain(..) {
            let line = match item.outcome {
                Ok(record) => match results.next().expect("one result per well-formed record") {
                    Ok(mut analysis) => {
                        stats.junk += usize::from(!analysis.quality.ok);
                        if !args.embeddings {
                            analysis.strip_embeddings();
                        }
                        output_line(item.id, record.extra, analysis)
                    }
                    Err(e) => error_line(item.id, &e.to_string(), &mut stats),
                },
                Err(reason) => error_line(item.id, &reason, &mut stats),
            };
            stats.records += 1;
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
        progress.set_records(stats.records);
        if !more {
            break;
        }
    }
    out.flush()?;
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

fn output_line(id: Value, extra: Map<String, Value>, analysis: Analysis) -> Value {
    let mut obj = Map::with_capacity(extra.len() + 6);
    obj.insert("id".into(), id);
    obj.extend(extra);
    let Value::Object(fields) = serde_json::to_value(analysis).expect("Analysis serializes") else {
        unreachable!("Analysis is a struct")
    };
    obj.extend(fields);
    Value::Object(obj)
}

fn error_line(id: Value, reason: &str, stats: &mut Stats) -> Value {
    stats.errors += 1;
    let mut obj = Map::with_capacity(2);
    obj.insert("id".into(), id);
    obj.insert("error".into(), Value::String(reason.to_string()));
    Value::Object(obj)
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
