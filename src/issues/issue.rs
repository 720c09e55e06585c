//! What comes out: an [`Issue`] with its groups and examples, and the run's summary.

use super::Severity;
use crate::cluster::Kind;
use serde::{Deserialize, Serialize};

/// A group's share of an issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupCount {
    /// Field name.
    pub field: String,
    /// Field value.
    pub value: String,
    /// Reports from this group.
    pub count: u64,
}

/// A representative report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Record id.
    pub id: String,
    /// The clause.
    pub text: String,
}

/// What [`IssueDetector::process`](super::IssueDetector::process) did.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ProcessSummary {
    /// Records fed.
    pub records: usize,
    /// Records flagged as junk (not counted).
    pub junk: usize,
    /// Windows processed.
    pub windows: usize,
    /// Records that could not be analyzed, with the reason.
    pub errors: Vec<(String, String)>,
}

/// A named issue, ready for a ticketing system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Issue {
    /// Stable id: the same issue keeps it across runs (cluster id + first alert window).
    pub id: String,
    /// Readable name, e.g. `薯条·味道怪`.
    pub name: String,
    /// Top keywords of the cluster.
    pub keywords: Vec<String>,
    /// Complaint or praise.
    pub kind: Kind,
    /// Red, yellow or green.
    pub severity: Severity,
    /// The classifier's topics for the cluster, most frequent first.
    pub topics: Vec<String>,
    /// First alerting window.
    pub start: String,
    /// Last alerting window.
    pub end: String,
    /// Reports in the issue's windows (this run).
    pub count: u64,
    /// Chain-wide count expected from history over the same windows.
    pub expected: f64,
    /// Strongest test statistic, `-log10 p`.
    pub score: f64,
    /// Reports per group value, largest first.
    pub groups: Vec<GroupCount>,
    /// The groups whose counts spiked.
    pub alerts: Vec<GroupCount>,
    /// Every member record id (this run).
    pub record_ids: Vec<String>,
    /// Representative reports.
    pub examples: Vec<Example>,
    /// The cluster behind the issue.
    pub cluster: String,
    /// Ids of other issues folded into this one: same kind and name, overlapping
    /// windows (a paraphrase the clusterer kept apart). A ticketing system can
    /// close tickets opened under these ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_ids: Vec<String>,
}
