//! Operations data and tickets on the command line: `--stores`, `--volume`,
//! `--tickets`, `--closed` of `fankui issues`, and `fankui tickets close|list`.

use anyhow::{bail, Context};
use fankui::issues::StateLock;
use fankui::window::{Clock, Zone};
use fankui::{Issue, IssueOptions, Stores, TicketBook, TicketOptions, TicketStatus, Volume};
use std::path::{Path, PathBuf};

/// Options of `fankui issues` for operations data and tickets.
#[derive(clap::Args)]
pub struct OpsArgs {
    /// Store attributes, CSV with the header `store,region,city,manager,opened` (all but
    /// `store` optional): fills in records' missing region (city, manager) group values,
    /// gives regions their stores' orders, and store tickets the region they escalate to.
    #[arg(long)]
    stores: Option<PathBuf>,
    /// Daily orders per store, CSV with the header `date,store,orders`: the spike test's
    /// exposure (expected = orders × complaints per order so far). Needs --window 1d.
    #[arg(long)]
    volume: Option<PathBuf>,
    /// Write one ticket per red or yellow issue here (JSONL). With --state the tickets
    /// persist beside it (STATE.tickets.jsonl) and every run marks late ones overdue and
    /// escalates them (store → region → chain); this file then lists all of them.
    #[arg(long)]
    tickets: Option<PathBuf>,
    /// Closed tickets to apply first: JSONL with `ticket_id` and optionally `closed_at`
    /// (default: the run's clock); an edited tickets file works.
    #[arg(long, requires = "tickets")]
    closed: Option<PathBuf>,
    /// Hours to answer a red ticket.
    #[arg(long, default_value_t = 24)]
    red_due_hours: u32,
    /// Hours to answer a yellow ticket.
    #[arg(long, default_value_t = 72)]
    yellow_due_hours: u32,
}

impl OpsArgs {
    /// Refuses a tickets file that is also an input, the state or the output.
    pub fn check_outputs(
        &self,
        input: Option<&str>,
        state: Option<&Path>,
        output: Option<&Path>,
    ) -> anyhow::Result<()> {
        let sidecar = state.map(TicketBook::beside_state);
        crate::output::check_output(
            self.tickets.as_deref(),
            input,
            &[
                (state, "the state file"),
                (output, "the output"),
                (self.stores.as_deref(), "--stores"),
                (self.volume.as_deref(), "--volume"),
                (self.closed.as_deref(), "--closed"),
                (sidecar.as_deref(), "the state's tickets"),
            ],
        )
    }

    /// Reads --stores and --volume (orders are daily: refused with hourly windows).
    pub fn read_ops(&self, window: fankui::WindowSize) -> anyhow::Result<(Option<Stores>, Option<Volume>)> {
        if self.volume.is_some() && window != fankui::WindowSize::Day {
            bail!("--volume: orders are given per day: volume needs daily windows (--window 1d)");
        }
        let stores = self.stores.as_deref().map(Stores::from_csv_path).transpose().context("--stores")?;
        let volume = self.volume.as_deref().map(Volume::from_csv_path).transpose().context("--volume")?;
        Ok((stores, volume))
    }

    /// Ticket options from these flags and the issue options (time zone, group fields).
    pub fn ticket_options(&self, issues: &IssueOptions) -> TicketOptions {
        let fields = &issues.group_fields;
        let store = fields.first().cloned().unwrap_or_else(|| "store".into());
        let region = if fields.iter().any(|f| f == "region") {
            "region".to_string()
        } else {
            fields.get(1).cloned().unwrap_or_else(|| "region".into())
        };
        TicketOptions::default()
            .with_red_hours(self.red_due_hours)
            .with_yellow_hours(self.yellow_due_hours)
            .with_fields(store, region)
            .with_timezone(issues.timezone.clone())
    }

    /// Opens, updates and writes the tickets of this run (with --tickets); the
    /// state's tickets are updated under its lock, which the caller holds.
    /// Returns a summary line.
    pub fn write_tickets(
        &self,
        issues: &[Issue],
        clock: &Clock,
        options: &TicketOptions,
        stores: Option<&Stores>,
        state: Option<&Path>,
    ) -> anyhow::Result<Option<String>> {
        let Some(out) = &self.tickets else { return Ok(None) };
        let sidecar = state.map(TicketBook::beside_state);
        let mut book = match &sidecar {
            Some(p) => TicketBook::load(p)?,
            None => TicketBook::new(),
        };
        let now = clock.now();
        let mut closed_msg = String::new();
        if let Some(closed) = &self.closed {
            let (closed, unknown) = book.close_from_path(closed, now, options)?;
            closed_msg = format!(", {} closed from {}", closed.len(), self.closed.as_ref().expect("set").display());
            if !unknown.is_empty() {
                closed_msg += &format!(" ({} unknown ids ignored: {})", unknown.len(), unknown.join(", "));
            }
        }
        let opened = book.open_for(issues, now, options, stores)?;
        let escalated = book.update(now, options)?;
        if let Some(p) = &sidecar {
            book.save(p)?;
        }
        book.save(out).with_context(|| format!("writing {}", out.display()))?;
        let count = |s: TicketStatus| book.tickets().iter().filter(|t| t.status == s).count();
        Ok(Some(format!(
            "fankui issues: tickets: {} new, {} escalated{closed_msg}; {} open, {} overdue, {} closed -> {}",
            opened.len(),
            escalated.len(),
            count(TicketStatus::Open),
            count(TicketStatus::Overdue),
            count(TicketStatus::Closed),
            out.display()
        )))
    }
}

#[derive(clap::Subcommand)]
pub enum TicketsCommand {
    /// Close tickets by id (kept beside --state, or in a --tickets file).
    Close(CloseArgs),
    /// Print tickets as JSONL, checked against the clock (overdue, escalated) without saving.
    List(ListArgs),
}

/// Where the tickets are.
#[derive(clap::Args)]
pub struct Where {
    /// The state file of `fankui issues --state`: its tickets (STATE.tickets.jsonl), under its lock.
    #[arg(long, required_unless_present = "tickets")]
    state: Option<PathBuf>,
    /// A tickets file (with --state: also rewritten from the state's tickets).
    #[arg(long)]
    tickets: Option<PathBuf>,
    /// Business time zone (IANA name) [default: Asia/Shanghai].
    #[arg(long)]
    timezone: Option<String>,
}

#[derive(clap::Args)]
pub struct CloseArgs {
    /// Ticket ids.
    #[arg(required = true)]
    ids: Vec<String>,
    #[command(flatten)]
    place: Where,
    /// When they were closed (RFC 3339 or YYYY-MM-DD) [default: now].
    #[arg(long)]
    at: Option<String>,
}

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    place: Where,
    /// The clock (RFC 3339 or YYYY-MM-DD) [default: now].
    #[arg(long)]
    now: Option<String>,
    /// Only tickets with this status.
    #[arg(long, value_parser = ["open", "overdue", "closed"])]
    status: Option<String>,
    /// Hours to answer a red ticket.
    #[arg(long, default_value_t = 24)]
    red_due_hours: u32,
    /// Hours to answer a yellow ticket.
    #[arg(long, default_value_t = 72)]
    yellow_due_hours: u32,
}

pub fn run(cmd: TicketsCommand) -> anyhow::Result<crate::Outcome> {
    match cmd {
        TicketsCommand::Close(a) => close(a),
        TicketsCommand::List(a) => list(a),
    }
}

fn options(place: &Where) -> TicketOptions {
    let mut o = TicketOptions::default();
    if let Some(z) = &place.timezone {
        o = o.with_timezone(z.clone());
    }
    o
}

fn clock(options: &TicketOptions, at: Option<&str>) -> anyhow::Result<Clock> {
    Ok(Clock::new(Zone::named(&options.timezone)?, at, 24, None)?)
}

/// The tickets file to read: the state's, or --tickets.
fn source(place: &Where) -> PathBuf {
    match (&place.state, &place.tickets) {
        (Some(s), _) => TicketBook::beside_state(s),
        (None, Some(t)) => t.clone(),
        (None, None) => unreachable!("clap requires one"),
    }
}

fn close(a: CloseArgs) -> anyhow::Result<crate::Outcome> {
    let options = options(&a.place);
    let at = clock(&options, a.at.as_deref()).context("--at")?.now();
    let _lock = a.place.state.as_deref().map(StateLock::acquire).transpose()?;
    let path = source(&a.place);
    if !path.exists() {
        bail!("{}: no tickets yet (run `fankui issues --tickets ...` first)", path.display());
    }
    let mut book = TicketBook::load(&path)?;
    let mut closed = 0;
    for id in &a.ids {
        if book.close(id, at, &options)? {
            closed += 1;
        } else {
            eprintln!("fankui tickets: {id} was already closed");
        }
    }
    book.save(&path)?;
    if let (Some(_), Some(t)) = (&a.place.state, &a.place.tickets) {
        book.save(t)?;
    }
    eprintln!("fankui tickets: closed {closed} of {} in {}", a.ids.len(), path.display());
    Ok(crate::Outcome { failed_records: 0 })
}

fn list(a: ListArgs) -> anyhow::Result<crate::Outcome> {
    let options = options(&a.place).with_red_hours(a.red_due_hours).with_yellow_hours(a.yellow_due_hours);
    let now = clock(&options, a.now.as_deref()).context("--now")?.now();
    let path = source(&a.place);
    let mut book = TicketBook::load(&path)?;
    book.update(now, &options)?;
    let mut out = crate::output::Output::create(None)?;
    for t in book.tickets() {
        if a.status.as_deref().is_none_or(|s| serde_json::to_value(t.status).is_ok_and(|v| v == s)) {
            serde_json::to_writer(&mut out, t)?;
            std::io::Write::write_all(&mut out, b"\n")?;
        }
    }
    out.finish()?;
    Ok(crate::Outcome { failed_records: 0 })
}
