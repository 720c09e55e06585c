//! Red/yellow/green standards of the store scorecard: per topic, thresholds on a
//! store's complaint share (absolute) and on its change against the store's own
//! baseline (the records before the report's period).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The thresholds of one topic. Shares are fractions (0.1 = 10 % of a store's
/// records in the period complain about the topic); changes are differences of
/// shares (0.05 = 5 percentage points above the store's baseline).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Threshold {
    /// Red at or above this share (default 0.20).
    pub red_share: f64,
    /// Yellow at or above this share (default 0.12).
    pub yellow_share: f64,
    /// Red when the share is at least this much above the baseline (default 0.15).
    pub red_change: f64,
    /// Yellow when the share is at least this much above the baseline (default 0.08).
    pub yellow_change: f64,
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold { red_share: 0.20, yellow_share: 0.12, red_change: 0.15, yellow_change: 0.08 }
    }
}

impl Threshold {
    /// Thresholds with the given shares and changes.
    pub fn new(red_share: f64, yellow_share: f64, red_change: f64, yellow_change: f64) -> Self {
        Threshold { red_share, yellow_share, red_change, yellow_change }
    }
}

/// A scorecard cell's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Too few records to judge.
    Grey,
    /// Within the standards.
    Green,
    /// Above a yellow threshold.
    Yellow,
    /// Above a red threshold.
    Red,
}

/// The standards management sets, read from a JSON file such as
///
/// ```json
/// {"default": {"red_share": 0.20, "yellow_share": 0.12, "red_change": 0.15, "yellow_change": 0.08},
///  "topics": {"hygiene": {"red_share": 0.08, "yellow_share": 0.03, "red_change": 0.05, "yellow_change": 0.03}},
///  "min_records": 10}
/// ```
///
/// A topic without its own entry uses `default`; a topic entry's missing fields
/// take the built-in defaults of [`Threshold`]. Built in: the defaults above, and
/// stricter ones for `hygiene` (red 8 %, yellow 3 %, change +5 / +3 points).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Standards {
    /// Thresholds of every topic without its own.
    pub default: Threshold,
    /// Per-topic thresholds.
    pub topics: BTreeMap<String, Threshold>,
    /// Fewest records of a store in the period (and in its baseline, for the
    /// change test) for a colour other than grey (default 10).
    pub min_records: usize,
}

impl Default for Standards {
    fn default() -> Self {
        let mut topics = BTreeMap::new();
        topics.insert("hygiene".to_string(), Threshold::new(0.08, 0.03, 0.05, 0.03));
        Standards { default: Threshold::default(), topics, min_records: 10 }
    }
}

impl Standards {
    /// Reads standards from JSON (see the type's docs); checks every threshold.
    pub fn from_json(json: &str) -> Result<Self> {
        let s: Standards = serde_json::from_str(json)?;
        s.validate()?;
        Ok(s)
    }

    /// Sets the thresholds of one topic.
    pub fn with_topic(mut self, topic: impl Into<String>, threshold: Threshold) -> Self {
        self.topics.insert(topic.into(), threshold);
        self
    }

    /// Sets the thresholds of topics without their own.
    pub fn with_default(mut self, threshold: Threshold) -> Self {
        self.default = threshold;
        self
    }

    /// Sets the fewest records for a colour.
    pub fn with_min_records(mut self, n: usize) -> Self {
        self.min_records = n;
        self
    }

    /// The thresholds of `topic`.
    pub fn threshold(&self, topic: &str) -> &Threshold {
        self.topics.get(topic).unwrap_or(&self.default)
    }

    /// Refuses thresholds that cannot work: not finite, negative, or yellow above red.
    pub fn validate(&self) -> Result<()> {
        for (name, t) in std::iter::once(("default", &self.default)).chain(self.topics.iter().map(|(k, v)| (k.as_str(), v))) {
            let all = [t.red_share, t.yellow_share, t.red_change, t.yellow_change];
            if all.iter().any(|x| !x.is_finite() || *x < 0.0) {
                return Err(Error::Report(format!("standards, topic `{name}`: thresholds must be finite and not negative")));
            }
            if t.yellow_share > t.red_share || t.yellow_change > t.red_change {
                return Err(Error::Report(format!("standards, topic `{name}`: a yellow threshold is above the red one")));
            }
        }
        Ok(())
    }

    /// The light of a store's complaint `share` of `topic` over `records` records,
    /// against its `baseline` share over `baseline_records` records (none: no change test).
    pub fn light(&self, topic: &str, share: f64, records: usize, baseline: Option<(f64, usize)>) -> Light {
        if records < self.min_records.max(1) {
            return Light::Grey;
        }
        let t = self.threshold(topic);
        let change = baseline.filter(|(_, n)| *n >= self.min_records.max(1)).map(|(b, _)| share - b);
        // A share of zero is never a problem, whatever the baseline.
        let rises = |limit: f64| share > 0.0 && change.is_some_and(|c| c >= limit);
        if share >= t.red_share || rises(t.red_change) {
            Light::Red
        } else if share >= t.yellow_share || rises(t.yellow_change) {
            Light::Yellow
        } else {
            Light::Green
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_and_change_thresholds() {
        let s = Standards::default();
        assert_eq!(s.light("taste", 0.25, 20, None), Light::Red);
        assert_eq!(s.light("taste", 0.15, 20, None), Light::Yellow);
        assert_eq!(s.light("taste", 0.05, 20, None), Light::Green);
        // 1 % → 10 %: +9 points over the store's own baseline.
        assert_eq!(s.light("taste", 0.10, 20, Some((0.01, 40))), Light::Yellow);
        assert_eq!(s.light("taste", 0.10, 20, Some((0.0, 2))), Light::Green, "baseline too small");
        assert_eq!(s.light("taste", 0.50, 3, None), Light::Grey, "too few records");
        assert_eq!(s.light("hygiene", 0.09, 50, None), Light::Red, "stricter built-in topic");
    }

    #[test]
    fn json_overrides_and_validation() {
        let s = Standards::from_json(r#"{"topics": {"price": {"red_share": 0.5}}, "min_records": 1}"#).unwrap();
        assert_eq!(s.threshold("price").red_share, 0.5);
        assert_eq!(s.threshold("price").yellow_share, 0.12, "fields a topic leaves out keep the defaults");
        assert_eq!(s.threshold("price").yellow_change, 0.08);
        assert!(!s.topics.contains_key("hygiene"), "a file's topics replace the built-in ones");
        assert!(Standards::from_json(r#"{"default": {"red_share": 0.01, "yellow_share": 0.2}}"#).is_err());
        assert!(Standards::from_json(r#"{"defaults": {}}"#).is_err(), "unknown field");
    }
}
