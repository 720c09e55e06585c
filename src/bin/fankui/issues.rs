//! `fankui issues`: cluster complaints, detect spikes, print named issues.

use crate::input::Format;
use crate::records::{open_records, read_issue_options, ModelArgs, RecordArgs};
use crate::Outcome;
use anyhow::Context;
use fankui::issues::StateLock;
use fankui::{Analyzer, IssueDetector, LocalTime, WindowSize};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct IssuesArgs {
    /// Input file: raw feedback or the output of `fankui score --embeddings` (JSONL or CSV); `-` or absent reads standard input.
    file: Option<String>,
    /// Input format; by default `.csv` files are CSV and everything else JSONL.
    #[arg(long, value_enum)]
    format: Option<Format>,
    #[command(flatten)]
    fields: RecordArgs,
    /// Window length: 1d or 1h.
    #[arg(long, default_value = "1d")]
    window: String,
    /// State file carried between runs (clusters, baselines, issue ids); created when missing
    /// (its directory must exist). Locked for the run: a second run on it fails at once.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Only print issues still alerting at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// Business time zone (IANA name): times are converted to it and a store's day is its
    /// local day there; times without an offset are local to it [default: Asia/Shanghai].
    #[arg(long)]
    timezone: Option<String>,
    /// The run's clock (RFC 3339 or YYYY-MM-DD) instead of the system clock, for reproducible runs.
    #[arg(long)]
    now: Option<String>,
    /// Records more than this many hours after the clock are errors and do not move the state [default: 24].
    #[arg(long)]
    max_future_hours: Option<u32>,
    /// Records more than this many days before the clock are errors (`none`: no limit) [default: none].
    #[arg(long, value_parser = parse_days)]
    max_past_days: Option<Limit>,
    #[command(flatten)]
    model: ModelArgs,
    /// Issue-detection options (JSON), see `IssueOptions` (clustering, spike test, severity thresholds).
    #[arg(long)]
    issue_config: Option<PathBuf>,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Write JSONL here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Longest input line accepted, in bytes.
    #[arg(long, default_value_t = 4 << 20)]
    max_line_bytes: usize,
    /// Do not print the summary line.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    ops: crate::tickets::OpsArgs,
}

pub fn run(args: IssuesArgs) -> anyhow::Result<Outcome> {
    crate::output::check_output(args.output.as_deref(), args.file.as_deref(), &[(args.state.as_deref(), "the state file")])?;
    args.ops.check_outputs(args.file.as_deref(), args.state.as_deref(), args.output.as_deref())?;
    crate::init_threads(args.threads)?;
    let start = Instant::now();
    let window: WindowSize = args.window.parse()?;
    let config = args.model.scoring_config()?;
    let mut options = read_issue_options(args.issue_config.as_deref())?;
    options.window = window;
    options.group_fields = args.fields.group_fields.clone();
    if let Some(zone) = &args.timezone {
        options.timezone = zone.clone();
    }
    if let Some(now) = &args.now {
        options.now = Some(now.clone());
    }
    if let Some(hours) = args.max_future_hours {
        options.max_future_hours = hours;
    }
    if let Some(Limit(days)) = args.max_past_days {
        options.max_past_days = days;
    }
    // Everything that can be refused is refused before any work: time zone,
    // clock, --since, and the state file (its directory, its lock).
    let clock = options.clock()?;
    let since = match &args.since {
        Some(s) => Some(clock.window(&LocalTime::parse(s).context("--since")?, window)),
        None => None,
    };
    let lock = args.state.as_deref().map(StateLock::acquire).transpose()?;
    let (stores, volume) = args.ops.read_ops(window)?;
    let ticket_options = args.ops.ticket_options(&options);

    let analyzer = Analyzer::new(config).context("building the pipeline")?;
    let fingerprint = analyzer.classifier().expect("scoring is on").model().fingerprint().to_string();
    let mut detector = match lock {
        Some(lock) => IssueDetector::resume_locked(options, &analyzer, lock)?,
        None => IssueDetector::new(options, &fingerprint),
    };
    if let Some(stores) = stores {
        detector.set_stores(stores);
    }
    if let Some(volume) = volume {
        detector.set_volume(volume).context("--volume")?;
    }

    // The records are taken one by one (the detector keeps them compact) and
    // processed in time order once all are in.
    let mut stream = open_records(args.file.as_deref(), args.format, &args.fields, args.max_line_bytes, false)?;
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} records (eta {eta})")
                .expect("valid template"),
        )
    } else {
        ProgressBar::hidden()
    };
    let taken = std::cell::Cell::new(0u64);
    let records = stream.by_ref().inspect(|_| taken.set(taken.get() + 1));
    let summary = detector
        .process(&analyzer, records, |done| {
            bar.set_length(taken.get());
            bar.set_position(done as u64)
        })
        .context("scoring")?;
    if let Some(e) = stream.failed.take() {
        return Err(e);
    }
    let (mut errors, total) = (std::mem::take(&mut stream.errors), stream.total);
    bar.finish_and_clear();
    errors.extend(summary.errors.iter().map(|(id, e)| format!("record {id}: {e}")));
    let (windows, junk) = (summary.windows, summary.junk);

    let issues = detector.issues(since);
    let mut out = crate::output::Output::create(args.output.as_deref())?;
    for issue in &issues {
        serde_json::to_writer(&mut out, issue)?;
        out.write_all(b"\n")?;
    }
    out.finish()?;
    if let Some(path) = &args.state {
        detector.save(path)?;
    }
    let tickets = args.ops.write_tickets(&issues, &clock, &ticket_options, detector.stores(), args.state.as_deref())?;
    if !args.quiet {
        for e in errors.iter().take(10) {
            eprintln!("fankui issues: skipped {e}");
        }
        let count = |s: fankui::Severity| issues.iter().filter(|i| i.severity == s).count();
        eprintln!(
            "fankui issues: {total} records ({} errors, {junk} junk, {} already processed), {windows} windows, {} clusters, {} issues ({} red, {} yellow, {} green) in {:.1} s",
            errors.len(),
            detector.skipped_old(),
            detector.clusterer().clusters().len(),
            issues.len(),
            count(fankui::Severity::Red),
            count(fankui::Severity::Yellow),
            count(fankui::Severity::Green),
            start.elapsed().as_secs_f64()
        );
        if let Some(t) = tickets {
            eprintln!("{t}");
        }
    }
    Ok(Outcome { failed_records: errors.len() })
}

/// A limit in days, or none.
#[derive(Clone, Copy, Debug)]
struct Limit(Option<u32>);

fn parse_days(s: &str) -> Result<Limit, String> {
    match s.trim() {
        "none" | "off" => Ok(Limit(None)),
        n => n.parse().map(|d| Limit(Some(d))).map_err(|_| format!("`{n}`: a number of days, or none")),
    }
}
