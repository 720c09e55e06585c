//! Options of issue detection: windows, groups, polarity cut, severities.

use crate::cluster::ClusterOptions;
use crate::error::Result;
use crate::spike::SpikeOptions;
use crate::window::{Clock, WindowSize, Zone, DEFAULT_TIMEZONE};
use serde::{Deserialize, Serialize};

/// How urgent an issue is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look.
    Green,
    /// Needs attention.
    Yellow,
    /// Open a ticket that must be answered within 24 hours.
    Red,
}

/// Thresholds of the severities; chains set their own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SeverityOptions {
    /// Red: an alert at least this strong (`-log10 p`, default 10) ...
    pub red_score: f64,
    /// ... with at least this many reports in the window (default 10).
    pub red_min_count: u64,
    /// Yellow: an alert at least this strong (default 5) ...
    pub yellow_score: f64,
    /// ... with at least this many reports (default 5).
    pub yellow_min_count: u64,
    /// Topics that are red as soon as they alert with `red_topic_min_count` reports (default: hygiene).
    pub red_topics: Vec<String>,
    /// Reports needed for a red topic (default 3).
    pub red_topic_min_count: u64,
}

impl SeverityOptions {
    /// The severity that `count` reports with a leading topic `topic` support: with `score`
    /// (an alert's strength) both the score and the count thresholds apply; without it (an
    /// issue merged from several alerts, whose severity is capped by its reports), the counts only.
    pub(crate) fn grade(&self, topic: Option<&String>, count: u64, score: Option<f64>) -> Severity {
        let strong = |min: f64| score.is_none_or(|s| s >= min);
        let red_topic = topic.is_some_and(|t| self.red_topics.contains(t));
        if (strong(self.red_score) && count >= self.red_min_count) || (red_topic && count >= self.red_topic_min_count) {
            Severity::Red
        } else if strong(self.yellow_score) && count >= self.yellow_min_count {
            Severity::Yellow
        } else {
            Severity::Green
        }
    }
}

impl Default for SeverityOptions {
    fn default() -> Self {
        SeverityOptions {
            red_score: 10.0,
            red_min_count: 10,
            yellow_score: 5.0,
            yellow_min_count: 5,
            red_topics: vec!["hygiene".into()],
            red_topic_min_count: 3,
        }
    }
}

/// Options of issue detection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct IssueOptions {
    /// Window length (default one day).
    pub window: WindowSize,
    /// Record fields to count by, finest first (e.g. `["store", "region"]`); the whole chain is always counted.
    pub group_fields: Vec<String>,
    /// Clustering.
    pub cluster: ClusterOptions,
    /// Spike tests.
    pub spike: SpikeOptions,
    /// Severities.
    pub severity: SeverityOptions,
    /// Representative examples per issue (default 5).
    pub examples: usize,
    /// Alerts of one cluster at most this many windows apart belong to one issue (default 2).
    pub episode_gap: i64,
    /// Track praise too (default true).
    pub praise: bool,
    /// A clause counts as a complaint (praise) only when its sentiment score
    /// (P(positive) − P(negative)) is at most −this (at least this); default 0.5.
    /// Clauses the model is unsure of stay out of the clusters.
    pub min_polarity: f32,
    /// Business time zone, an IANA name (default `Asia/Shanghai`): every time is
    /// converted to it and a store's day is its local day there. A time written
    /// without an offset, or a date alone, is local to this zone.
    pub timezone: String,
    /// The run's clock (RFC 3339 or a date); default: the system clock when
    /// [`IssueDetector::process`](super::IssueDetector::process) starts. Set it for reproducible runs.
    pub now: Option<String>,
    /// A record whose time is more than this many hours after the clock is an
    /// error record, and does not move the state (default 24).
    pub max_future_hours: u32,
    /// A record whose time is more than this many days before the clock is an
    /// error record (default: no limit; a time before the state's last window is
    /// skipped as already processed anyway).
    pub max_past_days: Option<u32>,
}

impl Default for IssueOptions {
    fn default() -> Self {
        IssueOptions {
            window: WindowSize::Day,
            group_fields: vec!["store".into()],
            cluster: ClusterOptions::default(),
            spike: SpikeOptions::default(),
            severity: SeverityOptions::default(),
            examples: 5,
            episode_gap: 2,
            praise: true,
            min_polarity: 0.5,
            timezone: DEFAULT_TIMEZONE.into(),
            now: None,
            max_future_hours: 24,
            max_past_days: None,
        }
    }
}

impl IssueOptions {
    /// Sets the window length.
    pub fn with_window(mut self, window: WindowSize) -> Self {
        self.window = window;
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
    /// Sets the clustering options.
    pub fn with_cluster(mut self, options: ClusterOptions) -> Self {
        self.cluster = options;
        self
    }
    /// Sets the spike-test options.
    pub fn with_spike(mut self, options: SpikeOptions) -> Self {
        self.spike = options;
        self
    }
    /// Sets the severity thresholds.
    pub fn with_severity(mut self, options: SeverityOptions) -> Self {
        self.severity = options;
        self
    }
    /// Sets the business time zone (an IANA name such as `Asia/Shanghai`).
    pub fn with_timezone(mut self, zone: impl Into<String>) -> Self {
        self.timezone = zone.into();
        self
    }
    /// Sets the run's clock (RFC 3339 or a date); `None` is the system clock.
    pub fn with_now(mut self, now: Option<String>) -> Self {
        self.now = now;
        self
    }
    /// Sets how many hours after the clock a record's time may be.
    pub fn with_max_future_hours(mut self, hours: u32) -> Self {
        self.max_future_hours = hours;
        self
    }
    /// Sets how many days before the clock a record's time may be (`None`: no limit).
    pub fn with_max_past_days(mut self, days: Option<u32>) -> Self {
        self.max_past_days = days;
        self
    }
    /// The run's clock from these options: time zone, now and limits. Fails on an
    /// unknown time zone or a malformed `now`.
    pub fn clock(&self) -> Result<Clock> {
        Clock::new(Zone::named(&self.timezone)?, self.now.as_deref(), self.max_future_hours, self.max_past_days)
    }
}
