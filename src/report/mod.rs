//! `Report`: one self-contained HTML file a store manager opens every morning.
//!
//! It shows, for a period (by default the last 7 days of the data): a headline
//! (records, junk share, net sentiment and its change against the previous period
//! of the same length, issues by severity), the issues most severe first (a light,
//! daily counts against the expected line, stores and regions, 3 PII-masked
//! examples), complaints and praise per topic over time, a store scorecard
//! coloured against management's [`Standards`] with a region rollup, open and
//! overdue tickets, and a drill-down from any issue, store or topic to its records.
//!
//! Everything is inline: the page is made by a template engine (minijinja, the
//! templates under `src/report/templates/` compiled in), its charts are drawn by
//! the vendored ECharts (`vendor/echarts/`, compiled in) and its data is one JSON
//! blob. It needs no network and opens from a file or a mail attachment.
//!
//! ```no_run
//! use fankui::report::{Report, ReportOptions, Lang};
//! use fankui::{Analyzer, IssueOptions, PipelineConfig};
//! # fn records() -> Vec<(fankui::RecordMeta, fankui::Feed)> { Vec::new() }
//! let analyzer = Analyzer::new(PipelineConfig::default())?;
//! let mut report = Report::new(ReportOptions::default().with_lang(Lang::En));
//! // Scores the records and, as no issues were given, finds them.
//! report.process(&analyzer, records(), IssueOptions::default())?;
//! std::fs::write("report.html", report.render()?)?;
//! # Ok::<(), fankui::Error>(())
//! ```

mod i18n;
mod record;
mod standards;
mod tickets;
mod view;

pub use i18n::Lang;
pub use record::ReportRecord;
pub use standards::{Light, Standards, Threshold};
pub use tickets::{read_tickets, Ticket};

use crate::error::{Error, Result};
use crate::issues::{Feed, Issue, IssueDetector, IssueOptions, ProcessSummary, RecordMeta};
use crate::pipeline::{Analyzer, Input};
use crate::ops::{Stores, Volume};
use crate::window::{civil_from_days, LocalTime, WindowSize, Zone, DEFAULT_TIMEZONE};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const ECHARTS: &str = include_str!("../../vendor/echarts/echarts.min.js");
const TEMPLATE: &str = include_str!("templates/report.html");
const SCRIPT: &str = include_str!("templates/report.js");
const STYLE: &str = include_str!("templates/report.css");

/// Options of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ReportOptions {
    /// Language of the page (default Chinese).
    pub lang: Lang,
    /// Title; default "顾客反馈日报" / "Customer feedback report".
    pub title: Option<String>,
    /// First day of the period (`YYYY-MM-DD` or RFC 3339); default: `days` days before `until`.
    pub since: Option<String>,
    /// Last day of the period; default: the day of the latest record.
    pub until: Option<String>,
    /// Length of the default period in days (default 7).
    pub days: u32,
    /// Group fields of the records, finest first (default `["store"]`): the first is
    /// the scorecard's row, the second (if any) its rollup.
    pub group_fields: Vec<String>,
    /// Business time zone (IANA name, default `Asia/Shanghai`): a record's day is its local day there.
    pub timezone: String,
    /// The scorecard's standards.
    pub standards: Standards,
    /// Most records embedded for drill-down (default 10,000): issue members first,
    /// then the period's negative records, then the rest of the period. The page says
    /// how many it holds.
    pub max_records: usize,
    /// Most issues shown (default 40), most severe first.
    pub max_issues: usize,
    /// Examples per issue (default 3).
    pub examples: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            lang: Lang::Zh,
            title: None,
            since: None,
            until: None,
            days: 7,
            group_fields: vec!["store".into()],
            timezone: DEFAULT_TIMEZONE.into(),
            standards: Standards::default(),
            max_records: 10_000,
            max_issues: 40,
            examples: 3,
        }
    }
}

impl ReportOptions {
    /// Sets the language.
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
    /// Sets the title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    /// Sets the first day of the period.
    pub fn with_since(mut self, since: Option<String>) -> Self {
        self.since = since;
        self
    }
    /// Sets the last day of the period.
    pub fn with_until(mut self, until: Option<String>) -> Self {
        self.until = until;
        self
    }
    /// Sets the length of the default period in days.
    pub fn with_days(mut self, days: u32) -> Self {
        self.days = days;
        self
    }
    /// Sets the group fields, finest first.
    pub fn with_group_fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.group_fields = fields.into_iter().map(Into::into).collect();
        self
    }
    /// Sets the business time zone.
    pub fn with_timezone(mut self, zone: impl Into<String>) -> Self {
        self.timezone = zone.into();
        self
    }
    /// Sets the scorecard's standards.
    pub fn with_standards(mut self, standards: Standards) -> Self {
        self.standards = standards;
        self
    }
    /// Sets the most records embedded for drill-down.
    pub fn with_max_records(mut self, n: usize) -> Self {
        self.max_records = n;
        self
    }
    /// Sets the most issues shown.
    pub fn with_max_issues(mut self, n: usize) -> Self {
        self.max_issues = n;
        self
    }
    /// Sets the examples shown per issue.
    pub fn with_examples(mut self, n: usize) -> Self {
        self.examples = n;
        self
    }
}

/// A store's attributes as the scorecard shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct StoreAttrs {
    pub region: Option<String>,
    pub city: Option<String>,
    pub manager: Option<String>,
}

/// Orders of a store on a day (days since 1970-01-01).
type Orders = Box<dyn Fn(&str, i64) -> Option<f64> + Send + Sync>;

/// Builds the HTML report from records, issues and (optionally) tickets and operations data.
pub struct Report {
    options: ReportOptions,
    records: Vec<ReportRecord>,
    issues: Option<Vec<Issue>>,
    tickets: Vec<Ticket>,
    stores: HashMap<String, StoreAttrs>,
    orders: Option<Orders>,
    ops_stores: Option<Stores>,
    ops_volume: Option<Volume>,
}

impl Report {
    /// An empty report.
    pub fn new(options: ReportOptions) -> Self {
        Report {
            options,
            records: Vec::new(),
            issues: None,
            tickets: Vec::new(),
            stores: HashMap::new(),
            orders: None,
            ops_stores: None,
            ops_volume: None,
        }
    }

    /// The options.
    pub fn options(&self) -> &ReportOptions {
        &self.options
    }

    /// The records added so far.
    pub fn records(&self) -> &[ReportRecord] {
        &self.records
    }

    /// The issues (given, or found by [`Report::process`]).
    pub fn issues(&self) -> Option<&[Issue]> {
        self.issues.as_deref()
    }

    /// Uses these issues (e.g. read from `fankui issues` output) instead of finding them.
    pub fn with_issues(mut self, issues: Vec<Issue>) -> Self {
        self.issues = Some(issues);
        self
    }

    /// Lists these tickets' open and overdue ones.
    pub fn with_tickets(mut self, tickets: Vec<Ticket>) -> Self {
        self.tickets = tickets;
        self
    }

    /// Store attributes (`stores.csv`): region (the scorecard's rollup when the
    /// records have no second group field), city and manager; issue detection
    /// joins them too.
    pub fn with_stores(mut self, stores: Stores) -> Self {
        self.stores = stores
            .iter()
            .map(|s| {
                let attrs =
                    StoreAttrs { region: s.region.clone(), city: s.city.clone(), manager: s.manager.clone() };
                (s.store.clone(), attrs)
            })
            .collect();
        self.ops_stores = Some(stores);
        self
    }

    /// Daily orders per store (`volume.csv`): the scorecard shows complaints per
    /// 1,000 orders, and issue detection uses the orders as the spike test's exposure.
    pub fn with_volume(mut self, volume: Volume) -> Self {
        let lookup = volume.clone();
        self.orders = Some(Box::new(move |store: &str, day: i64| {
            let (y, m, d) = civil_from_days(day);
            let date = jiff::civil::Date::new(i16::try_from(y).ok()?, m as i8, d as i8).ok()?;
            lookup.orders(store, date)
        }));
        self.ops_volume = Some(volume);
        self
    }

    /// The business time zone of the options.
    fn zone(&self) -> Result<Zone> {
        Zone::named(&self.options.timezone)
    }

    /// Adds one analyzed record.
    pub fn add_analysis(&mut self, meta: &RecordMeta, analysis: &crate::pipeline::Analysis) -> Result<()> {
        let zone = self.zone()?;
        self.records.push(ReportRecord::from_analysis(meta, analysis, &zone));
        Ok(())
    }

    /// Adds a record already reduced.
    pub fn add_record(&mut self, record: ReportRecord) {
        self.records.push(record);
    }

    /// Adds records: those given as text are scored with `analyzer` (those carrying
    /// an earlier analysis are used as they are). Without issues given, issues are
    /// found on the way by an [`IssueDetector`] with `issue_options` (its group
    /// fields and time zone are the report's), scoring each record once.
    pub fn process(
        &mut self,
        analyzer: &Analyzer,
        records: Vec<(RecordMeta, Feed)>,
        issue_options: IssueOptions,
    ) -> Result<ProcessSummary> {
        let zone = self.zone()?;
        if self.issues.is_none() {
            let mut options = issue_options;
            options.group_fields = self.options.group_fields.clone();
            options.timezone = self.options.timezone.clone();
            let fingerprint = analyzer
                .classifier()
                .ok_or_else(|| Error::InvalidOption { option: "scoring", reason: "the report needs the model".into() })?
                .model()
                .fingerprint()
                .to_string();
            let mut detector = IssueDetector::new(options, &fingerprint);
            if let Some(stores) = &self.ops_stores {
                detector.set_stores(stores.clone());
            }
            if let Some(volume) = &self.ops_volume {
                detector.set_volume(volume.clone())?;
            }
            let out = &mut self.records;
            let summary = detector.process_inspect(analyzer, records, |_| {}, |meta, a| {
                out.push(ReportRecord::from_analysis(meta, a, &zone));
            })?;
            self.issues = Some(detector.issues(None));
            return Ok(summary);
        }
        let mut summary = ProcessSummary::default();
        summary.records = records.len();
        let mut timed: Vec<(RecordMeta, Feed)> = records;
        timed.sort_by_key(|(m, _)| m.time.instant_in(&zone));
        let mut index = analyzer.duplicate_index();
        for chunk in timed.chunks(4096) {
            let texts: Vec<Input<'_>> = chunk
                .iter()
                .filter_map(|(_, f)| match f {
                    Feed::Text { text, source } => Some(Input::new(text).with_source(*source)),
                    Feed::Analyzed(_) => None,
                })
                .collect();
            let mut scored = analyzer.analyze_batch_with(&texts, &mut index)?.into_iter();
            for (meta, feed) in chunk {
                let analysis = match feed {
                    Feed::Text { .. } => match scored.next().expect("one result per text") {
                        Ok(a) => a,
                        Err(e) => {
                            summary.errors.push((meta.id.clone(), e.to_string()));
                            continue;
                        }
                    },
                    Feed::Analyzed(a) => (**a).clone(),
                };
                let r = ReportRecord::from_analysis(meta, &analysis, &zone);
                summary.junk += usize::from(r.junk);
                self.records.push(r);
            }
        }
        Ok(summary)
    }

    /// Renders the page.
    pub fn render(&self) -> Result<String> {
        let zone = self.zone()?;
        self.options.standards.validate()?;
        let day = |s: &Option<String>, what: &str| -> Result<Option<i64>> {
            s.as_deref()
                .map(|s| {
                    LocalTime::parse(s)
                        .map(|t| t.window_in(WindowSize::Day, &zone))
                        .map_err(|e| Error::Report(format!("{what}: {e}")))
                })
                .transpose()
        };
        let (since, until) = (day(&self.options.since, "since")?, day(&self.options.until, "until")?);
        if let (Some(s), Some(u)) = (since, until) {
            if s > u {
                return Err(Error::Report("`since` is after `until`".into()));
            }
        }
        let period = view::period(&self.options, &self.records, since, until);
        let lang = self.options.lang;
        let topic_label = |t: &str| lang.topic(t);
        let issues: &[Issue] = self.issues.as_deref().unwrap_or(&[]);
        let inputs = view::Inputs {
            options: &self.options,
            records: &self.records,
            issues,
            tickets: &self.tickets,
            stores: &self.stores,
            orders: self.orders.as_deref(),
            topic_label: &topic_label,
        };
        let (view, data) = view::build(&inputs, period);
        let strings = lang.strings();
        let blob = serde_json::json!({ "t": strings, "lang": lang, "data": data });
        let title = self.options.title.clone().unwrap_or_else(|| strings["title"].to_string());

        let mut env = minijinja::Environment::new();
        env.add_template("report.html", TEMPLATE).map_err(template_error)?;
        env.add_filter("pct", |x: f64| format!("{:.1}%", x * 100.0));
        env.add_filter("pp", |x: f64| format!("{:+.1}", x * 100.0));
        env.add_filter("signed", |x: f64| format!("{x:+.1}"));
        env.add_filter("fixed", |x: f64| format!("{x:.1}"));
        let tmpl = env.get_template("report.html").map_err(template_error)?;
        let ctx = minijinja::context! {
            lang => lang,
            title => title,
            t => strings,
            v => view,
            generated => env!("CARGO_PKG_VERSION"),
            style => minijinja::Value::from_safe_string(STYLE.to_string()),
            echarts => minijinja::Value::from_safe_string(script_safe(ECHARTS)?),
            script => minijinja::Value::from_safe_string(script_safe(SCRIPT)?),
            data => minijinja::Value::from_safe_string(json_for_script(&blob)?),
        };
        tmpl.render(ctx).map_err(template_error)
    }
}

/// Reads one JSON record as [`Feed::from_json`] does; with `reuse_scored`, a scored
/// record (`fankui score` output: `clauses` and `quality`) is used as it is even
/// without embeddings, which only issue detection needs (so with the issues given,
/// a report on scored records needs no model).
pub fn feed_from_json(
    obj: serde_json::Map<String, serde_json::Value>,
    fields: &crate::issues::RecordFields,
    line: usize,
    reuse_scored: bool,
) -> std::result::Result<(RecordMeta, Feed), (String, String)> {
    use serde_json::Value;
    let scored = (reuse_scored && obj.contains_key("clauses") && obj.contains_key("quality")).then(|| {
        let mut a = obj.clone();
        if let Some(text) = a.remove(&fields.text) {
            a.insert("text".into(), text);
        }
        // The record's own `source` field may say anything ("app", "survey"): the
        // analysis only knows typed text and voice.
        let voice = a.get(&fields.source).and_then(Value::as_str).map(crate::pipeline::Source::from_field)
            == Some(crate::pipeline::Source::Voice);
        a.insert("source".into(), Value::String(if voice { "voice" } else { "text" }.into()));
        a
    });
    let (meta, feed) = Feed::from_json(obj, fields, line)?;
    if let (Feed::Text { .. }, Some(a)) = (&feed, scored) {
        if let Ok(analysis) = serde_json::from_value::<crate::pipeline::Analysis>(Value::Object(a)) {
            return Ok((meta, Feed::Analyzed(Box::new(analysis))));
        }
    }
    Ok((meta, feed))
}

fn template_error(e: minijinja::Error) -> Error {
    Error::Report(format!("template: {e:#}"))
}

/// A script inlined in `<script>` must not close the element early.
fn script_safe(js: &str) -> Result<String> {
    if js.to_ascii_lowercase().contains("</script") || js.contains("<!--") {
        return Err(Error::Report("an inline script contains `</script` or `<!--`".into()));
    }
    Ok(js.to_string())
}

/// JSON that is safe inside `<script type="application/json">`: `<`, `>`, `&` and
/// the JavaScript line separators are written as `\u` escapes (still the same JSON),
/// so no text in the data (`</script>`, `<!--`) can end the element.
pub(crate) fn json_for_script(value: &serde_json::Value) -> Result<String> {
    let s = serde_json::to_string(value)?;
    let mut out = String::with_capacity(s.len() + 64);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_blob_cannot_close_the_script() {
        let v = serde_json::json!({"text": "</script><script>alert(1)</script><!-- & \u{2028}"});
        let s = json_for_script(&v).unwrap();
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v, "same JSON");
    }

    #[test]
    fn vendored_scripts_are_inlinable() {
        assert!(script_safe(ECHARTS).is_ok() && script_safe(SCRIPT).is_ok());
        assert!(ECHARTS.len() > 500_000, "the vendored ECharts is the full build");
    }
}
