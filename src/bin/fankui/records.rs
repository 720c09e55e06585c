//! What `fankui issues` and `fankui report` share: the record fields and model
//! options on the command line, and reading every record of the input.

use crate::input::{CsvSource, Fields, Format, Item, JsonlSource, RecordSource};
use anyhow::Context;
use fankui::issues::{Feed, RecordFields};
use fankui::report::feed_from_json;
use fankui::{IssueOptions, PipelineConfig, RecordMeta};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The fields of a record that `fankui issues` and `fankui report` read.
#[derive(clap::Args)]
pub struct RecordArgs {
    /// Field holding the comment text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Field holding the record id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// Field that marks voice transcripts.
    #[arg(long, default_value = "source")]
    pub source_field: String,
    /// Field holding the RFC 3339 time.
    #[arg(long, default_value = "time")]
    pub time_field: String,
    /// Field to count by, finest first (repeatable): --group-field store --group-field region.
    #[arg(long = "group-field", default_values_t = vec!["store".to_string()])]
    pub group_fields: Vec<String>,
}

impl RecordArgs {
    /// The fields as the issue detector reads them.
    pub fn record_fields(&self) -> RecordFields {
        let mut fields = RecordFields::default();
        fields.id = self.id_field.clone();
        fields.text = self.text_field.clone();
        fields.time = self.time_field.clone();
        fields.source = self.source_field.clone();
        fields.groups = self.group_fields.clone();
        fields
    }
}

/// The model and pipeline options of `fankui issues` and `fankui report`.
#[derive(clap::Args)]
pub struct ModelArgs {
    /// Model directory, or `accurate` for the bundled accurate model (slower); default: the
    /// bundled default model.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Pipeline configuration (JSON), see `PipelineConfig`.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

impl ModelArgs {
    /// The pipeline configuration (--config, else the default) with scoring on and --model.
    pub fn scoring_config(&self) -> anyhow::Result<PipelineConfig> {
        let mut config = match &self.config {
            Some(p) => PipelineConfig::from_json_file(p).with_context(|| format!("reading {}", p.display()))?,
            None => PipelineConfig::default(),
        };
        config.scoring = true;
        if let Some(dir) = &self.model {
            config.classify.model.dir = Some(dir.clone());
        }
        Ok(config)
    }
}

/// Issue-detection options from an `--issue-config` file, else the defaults.
pub fn read_issue_options(path: Option<&Path>) -> anyhow::Result<IssueOptions> {
    Ok(match path {
        Some(p) => serde_json::from_slice(&std::fs::read(p).with_context(|| format!("reading {}", p.display()))?)
            .with_context(|| format!("parsing {}", p.display()))?,
        None => IssueOptions::default(),
    })
}

/// Every record of an input, read.
pub struct Records {
    /// The records that could be read, in input order.
    pub feeds: Vec<(RecordMeta, Feed)>,
    /// One `record ID: reason` per record that could not.
    pub errors: Vec<String>,
    /// Records in the input, read or not.
    pub total: usize,
}

/// Reads every record of `file` (`-` or absent: standard input; `format` by default
/// from its name) as [`Feed::from_json`] does; with `reuse_scored`, a scored record
/// is used as it is even without embeddings (see [`feed_from_json`]).
pub fn read_records(
    file: Option<&str>,
    format: Option<Format>,
    args: &RecordArgs,
    max_line_bytes: usize,
    reuse_scored: bool,
) -> anyhow::Result<Records> {
    let mut stream = open_records(file, format, args, max_line_bytes, reuse_scored)?;
    let feeds: Vec<(RecordMeta, Feed)> = stream.by_ref().collect();
    let RecordStream { errors, total, failed, .. } = stream;
    match failed {
        Some(e) => Err(e),
        None => Ok(Records { feeds, errors, total }),
    }
}

/// Opens `file` as [`read_records`] does, to read its records as they are taken.
pub fn open_records(
    file: Option<&str>,
    format: Option<Format>,
    args: &RecordArgs,
    max_line_bytes: usize,
    reuse_scored: bool,
) -> anyhow::Result<RecordStream> {
    let fields = Fields { text: args.text_field.clone(), id: args.id_field.clone(), source: args.source_field.clone() };
    let path = file.filter(|p| *p != "-");
    let format = format.unwrap_or_else(|| path.map(Format::from_path).unwrap_or(Format::Jsonl));
    let reader: Box<dyn BufRead> = match path {
        Some(p) => Box::new(BufReader::with_capacity(1 << 16, File::open(p).with_context(|| format!("opening {p}"))?)),
        None => Box::new(std::io::stdin().lock()),
    };
    let source: Box<dyn RecordSource> = match format {
        Format::Jsonl => Box::new(JsonlSource::new(reader, fields, max_line_bytes)),
        Format::Csv => Box::new(CsvSource::new(reader, fields, max_line_bytes)?),
    };
    Ok(RecordStream {
        source,
        fields: args.record_fields(),
        reuse_scored,
        items: Vec::new().into_iter(),
        more: true,
        errors: Vec::new(),
        total: 0,
        failed: None,
    })
}

/// The records of an input, read chunk by chunk as they are taken: `fankui
/// issues` hands them to the detector one by one, so that a run over millions
/// holds each record once, in the detector's compact form. Records that cannot
/// be read are kept in `errors`; an input error ends the stream (`failed`).
pub struct RecordStream {
    source: Box<dyn RecordSource>,
    fields: RecordFields,
    reuse_scored: bool,
    items: std::vec::IntoIter<Item>,
    more: bool,
    /// One `record ID: reason` per record that could not be read.
    pub errors: Vec<String>,
    /// Records taken from the input so far, read or not.
    pub total: usize,
    /// The input error that ended the stream, if one did.
    pub failed: Option<anyhow::Error>,
}

impl Iterator for RecordStream {
    type Item = (RecordMeta, Feed);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            for item in self.items.by_ref() {
                self.total += 1;
                match prepare(item, &self.fields, self.total, self.reuse_scored) {
                    Ok(r) => return Some(r),
                    Err(e) => self.errors.push(e),
                }
            }
            if !self.more {
                return None;
            }
            let mut chunk = Vec::new();
            match self.source.next_chunk(8192, &mut chunk).context("reading input") {
                Ok(more) => self.more = more,
                Err(e) => {
                    self.failed = Some(e);
                    self.more = false;
                }
            }
            self.items = chunk.into_iter();
        }
    }
}

/// Time, groups and text (or the earlier analysis) of one record.
fn prepare(item: Item, fields: &RecordFields, line: usize, reuse_scored: bool) -> Result<(RecordMeta, Feed), String> {
    use serde_json::Value;
    let id = match &item.id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let record = item.outcome.map_err(|e| format!("record {id}: {e}"))?;
    let mut obj = record.extra;
    obj.insert(fields.id.clone(), item.id);
    obj.insert(fields.text.clone(), Value::String(record.text));
    if record.voice {
        obj.insert(fields.source.clone(), Value::String("voice".into()));
    }
    feed_from_json(obj, fields, line, reuse_scored).map_err(|(id, e)| format!("record {id}: {e}"))
}
