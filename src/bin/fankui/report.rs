//! `fankui report`: one self-contained HTML file for a period.

use crate::input::Format;
use crate::records::{read_issue_options, read_records, ModelArgs, RecordArgs, Records};
use crate::Outcome;
use anyhow::{bail, Context};
use fankui::issues::Feed;
use fankui::report::{read_tickets, Lang, Report, ReportOptions, Standards};
use fankui::{Analyzer, Issue, Stores, Volume};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct ReportArgs {
    /// Input: raw feedback or the output of `fankui score` (JSONL or CSV); `-` or absent reads standard input.
    file: Option<String>,
    /// Input format; by default `.csv` files are CSV and everything else JSONL.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The issues (output of `fankui issues`); without it, issues are found here.
    #[arg(long)]
    issues: Option<PathBuf>,
    /// Tickets (JSONL, as `fankui issues --tickets` writes them): open and overdue ones are listed.
    #[arg(long)]
    tickets: Option<PathBuf>,
    /// Store attributes (CSV: store,region,city,manager,opened): region rollup, city and manager in the scorecard.
    #[arg(long)]
    stores: Option<PathBuf>,
    /// Daily orders per store (CSV: date,store,orders): complaints per 1,000 orders, and the spike test's exposure.
    #[arg(long)]
    volume: Option<PathBuf>,
    /// Scorecard standards (JSON): per-topic red/yellow thresholds; see the README for the format and defaults.
    #[arg(long)]
    standards: Option<PathBuf>,
    /// First day of the period (YYYY-MM-DD or RFC 3339) [default: 6 days before --until].
    #[arg(long)]
    since: Option<String>,
    /// Last day of the period [default: the day of the latest record].
    #[arg(long)]
    until: Option<String>,
    /// Language of the report: zh or en.
    #[arg(long, default_value = "zh")]
    lang: Lang,
    /// Title of the report.
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    fields: RecordArgs,
    /// Business time zone (IANA name) [default: Asia/Shanghai].
    #[arg(long)]
    timezone: Option<String>,
    /// Most records embedded for drill-down (issue and negative records first).
    #[arg(long, default_value_t = 10_000)]
    max_records: usize,
    #[command(flatten)]
    model: ModelArgs,
    /// Issue-detection options (JSON), see `IssueOptions` (used when --issues is not given).
    #[arg(long)]
    issue_config: Option<PathBuf>,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Write the HTML here (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Longest input line accepted, in bytes.
    #[arg(long, default_value_t = 4 << 20)]
    max_line_bytes: usize,
    /// Do not print the summary line.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: ReportArgs) -> anyhow::Result<Outcome> {
    let others = [
        (args.issues.as_deref(), "the issues file"),
        (args.tickets.as_deref(), "the tickets file"),
        (args.stores.as_deref(), "the stores file"),
        (args.volume.as_deref(), "the volume file"),
    ];
    crate::output::check_output(args.output.as_deref(), args.file.as_deref(), &others)?;
    crate::init_threads(args.threads)?;
    let start = Instant::now();
    let mut options = ReportOptions::default()
        .with_lang(args.lang)
        .with_since(args.since.clone())
        .with_until(args.until.clone())
        .with_group_fields(args.fields.group_fields.clone())
        .with_max_records(args.max_records);
    if let Some(title) = &args.title {
        options = options.with_title(title.clone());
    }
    if let Some(zone) = &args.timezone {
        options = options.with_timezone(zone.clone());
    }
    if let Some(p) = &args.standards {
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        options = options.with_standards(Standards::from_json(&text).with_context(|| format!("parsing {}", p.display()))?);
    }
    let mut report = Report::new(options);
    let given_issues = args.issues.is_some();
    if let Some(p) = &args.issues {
        report = report.with_issues(read_issues(p)?);
    }
    if let Some(p) = &args.tickets {
        let file = File::open(p).with_context(|| format!("opening {}", p.display()))?;
        report = report.with_tickets(read_tickets(BufReader::new(file)).with_context(|| format!("reading {}", p.display()))?);
    }
    if let Some(p) = &args.stores {
        report = report.with_stores(Stores::from_csv_path(p)?);
    }
    if let Some(p) = &args.volume {
        report = report.with_volume(Volume::from_csv_path(p)?);
    }
    // Refuse a bad --since/--until/--timezone/standards before any scoring.
    Report::new(report.options().clone()).render().context("checking the report options")?;

    let Records { feeds, mut errors, total } =
        read_records(args.file.as_deref(), args.format, &args.fields, args.max_line_bytes, given_issues)?;
    let needs_model = !given_issues || feeds.iter().any(|(_, f)| matches!(f, Feed::Text { .. }));
    let mut junk = 0;
    if needs_model {
        let config = args.model.scoring_config()?;
        let issue_options = read_issue_options(args.issue_config.as_deref())?;
        let analyzer = Analyzer::new(config).context("building the pipeline")?;
        let summary = report.process(&analyzer, feeds, issue_options).context("scoring")?;
        errors.extend(summary.errors.iter().map(|(id, e)| format!("record {id}: {e}")));
        junk = summary.junk;
    } else {
        for (meta, feed) in &feeds {
            if let Feed::Analyzed(a) = feed {
                report.add_analysis(meta, a)?;
                junk += usize::from(report.records().last().is_some_and(|r| r.junk));
            }
        }
    }
    if report.records().is_empty() && total > 0 && errors.len() == total {
        bail!("no record could be read ({} errors; the first: {})", errors.len(), errors[0]);
    }
    let html = report.render()?;
    let mut out = crate::output::Output::create(args.output.as_deref())?;
    out.write_all(html.as_bytes())?;
    out.finish()?;
    if !args.quiet {
        for e in errors.iter().take(10) {
            eprintln!("fankui report: skipped {e}");
        }
        eprintln!(
            "fankui report: {total} records ({} errors, {junk} junk), {} issues, {} bytes of HTML in {:.1} s",
            errors.len(),
            report.issues().map_or(0, <[Issue]>::len),
            html.len(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(Outcome { failed_records: errors.len() })
}

/// Reads `fankui issues` output: one issue a line.
fn read_issues(path: &std::path::Path) -> anyhow::Result<Vec<Issue>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        out.push(serde_json::from_str(line).with_context(|| format!("{}, line {}", path.display(), i + 1))?);
    }
    Ok(out)
}
