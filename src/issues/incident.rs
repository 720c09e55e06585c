//! One incident, one issue.
//!
//! A real incident is worded many ways, and the clusterer splits it: "虾滑有股怪味"
//! and "虾滑是酸的，肯定变质了" may land in different clusters, and only the
//! biggest alerts. Two steps put it back together:
//!
//! 1. **Expansion** ([`IssueDetector::expand`]): an alerting episode takes in the
//!    members of other clusters of its kind that rose in the same windows
//!    (at least [`MIN_COUNT`] reports and [`MIN_RATIO`] times their expected
//!    count), mostly in the groups that alerted, and that share its object (a
//!    lexicon object) or, without one, its topic and problem.
//! 2. **Merging** ([`merge_incidents`]): issues of the same kind whose windows
//!    overlap, whose alerts share a group (or whose records do), and that share
//!    a problem, or an object or a topic without naming two different objects,
//!    are one issue (a generic complaint, 其他·差评, shares with any);
//!    the name of the one with a lexicon object (then the one furthest above
//!    its expected count) is kept.

use super::feed::Groups;
use super::{naming, Episode, GroupCount, Issue, IssueDetector};
use crate::spike::CHAIN;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Reports another cluster needs in the episode's windows to join it.
pub const MIN_COUNT: u64 = 2;
/// ... and how many times its expected count that must be (it rose with the incident).
pub const MIN_RATIO: f64 = 3.0;

/// The object part of a name (`虾滑` of `虾滑·味道怪`), when it is a lexicon object.
fn lexicon_object(name: &str) -> Option<&str> {
    let o = name.split('·').next()?;
    naming::object_of(o).filter(|c| *c == o)
}

fn problem(name: &str) -> &str {
    name.rsplit('·').next().unwrap_or(name)
}

impl IssueDetector {
    /// Whether a record (by index) belongs to a group `e` alerted in: every record
    /// does when the chain alerted (or nothing did). A store's incident is that store's reports,
    /// not the same complaint elsewhere the same day.
    pub(super) fn in_alerted_groups<'a>(&'a self, e: &'a Episode) -> impl Fn(u32) -> bool + 'a {
        let chain_alert = e.alerts.is_empty() || e.alerts.iter().any(|a| a.group.field == CHAIN);
        let alerted: HashSet<(&str, &str)> =
            e.alerts.iter().map(|a| (a.group.field.as_str(), a.group.value.as_str())).collect();
        move |record: u32| -> bool { chain_alert || self.in_groups(self.groups_of(record), &alerted) }
    }

    /// Whether a record is in one of the `alerted` (field, value) groups.
    pub(super) fn in_groups(&self, groups: &Groups, alerted: &HashSet<(&str, &str)>) -> bool {
        (groups.iter().zip(&self.options.group_fields))
            .any(|(v, f)| v.as_deref().is_some_and(|v| alerted.contains(&(f.as_str(), v))))
    }

    /// Adds to `issue` (made from episode `e`) the members of other clusters that
    /// rose with it; see the module docs.
    pub(super) fn expand(&self, issue: &mut Issue, e: &Episode) {
        let in_groups = self.in_alerted_groups(e);
        let own_object = lexicon_object(&issue.name);
        let own_topic = issue.topics.iter().find(|t| t.as_str() != crate::classify::OTHER).cloned();
        // Members of other clusters in the episode's windows, by cluster.
        let own = self.cluster_keys.get(&e.cluster);
        let mut others: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, m) in self.members.iter().enumerate() {
            if m.window >= e.start && m.window <= e.end && Some(m.cluster) != own {
                others.entry(self.cluster_keys.value(m.cluster)).or_default().push(i);
            }
        }
        let have: HashSet<String> = issue.record_ids.iter().cloned().collect();
        let mut added: BTreeSet<u32> = BTreeSet::new();
        for (cluster, idx) in others {
            let Some(ci) = self.state.clusterer.position(cluster) else { continue };
            let c = &self.state.clusterer.clusters()[ci];
            if c.kind != e.kind {
                continue;
            }
            let records: BTreeSet<u32> = idx.iter().map(|&i| self.members[i].record).collect();
            let count = records.len() as u64;
            let expected: f64 = (e.start..=e.end)
                .filter_map(|w| self.chain_stats.get(&(cluster.to_string(), w)))
                .map(|(_, x)| *x)
                .sum();
            if count < MIN_COUNT || (count as f64) < MIN_RATIO * expected {
                continue;
            }
            if records.iter().filter(|&&r| in_groups(r)).count() * 2 < records.len() {
                continue;
            }
            let texts: Vec<&str> = idx.iter().map(|&i| self.text(&self.members[i])).collect();
            let topics = c.top_topics(2);
            let name = naming::name_kind(e.kind == crate::cluster::Kind::Praise, &texts, &topics);
            let same = match (own_object, lexicon_object(&name)) {
                (Some(a), Some(b)) => a == b,
                (Some(_), None) | (None, Some(_)) => false,
                (None, None) => {
                    own_topic.as_deref().is_some_and(|t| topics.contains(&t)) && problem(&name) == problem(&issue.name)
                }
            };
            if same {
                added.extend(records.into_iter().filter(|&r| in_groups(r)));
            }
        }
        for r in added {
            let id = &*self.records[r as usize].id;
            if !have.contains(id) {
                issue.record_ids.push(id.to_string());
            }
        }
        issue.count = issue.count.max(issue.record_ids.len() as u64);
    }
}

/// Whether two issues are one incident; see the module docs.
fn one_incident(a: &Issue, b: &Issue) -> bool {
    if a.kind != b.kind || b.start > a.end || a.start > b.end {
        return false;
    }
    let (oa, ob) = (lexicon_object(&a.name), lexicon_object(&b.name));
    // The same problem in the same groups at the same time is one incident even
    // under two objects (骑手·送餐慢 and 外卖·送餐慢 in the south on one evening).
    let same_problem = problem(&a.name) == problem(&b.name) && !["差评", "好评"].contains(&problem(&a.name));
    if matches!((oa, ob), (Some(x), Some(y)) if x != y) && !same_problem {
        return false;
    }
    let topic = |i: &Issue| -> BTreeSet<String> {
        i.topics.iter().take(2).filter(|t| t.as_str() != crate::classify::OTHER).cloned().collect()
    };
    // A generic complaint (其他·差评: no object, no topic) says nothing against
    // the incident it rose with: "太失望了" beside "虾滑有股怪味" on the same day.
    let generic = |i: &Issue| naming::is_generic(&i.name, false);
    let shares = a.name == b.name
        || same_problem
        || (oa.is_some() && oa == ob)
        || !topic(a).is_disjoint(&topic(b))
        || generic(a)
        || generic(b);
    if !shares {
        return false;
    }
    let alerts = |i: &Issue| -> BTreeSet<(String, String)> {
        i.alerts.iter().map(|g| (g.field.clone(), g.value.clone())).collect()
    };
    let groups_meet = !alerts(a).is_disjoint(&alerts(b)) || {
        let ra: HashSet<&str> = a.record_ids.iter().map(String::as_str).collect();
        b.record_ids.iter().any(|r| ra.contains(r.as_str()))
    };
    groups_meet
}

/// Folds issues that are one incident into one (see the module docs). The group
/// counts of a merged issue are left to be recounted from its record ids.
pub(super) fn merge_incidents(mut issues: Vec<Issue>, max_examples: usize) -> Vec<Issue> {
    // The named (lexicon object) and biggest first: they give the merged issue its name and id.
    // The most specific name wins: one with a lexicon object, then the issue
    // furthest above its expectation (a burn of "涨价" over a cluster of "太贵").
    let lift = |i: &Issue| i.count as f64 / i.expected.max(0.5);
    issues.sort_by(|a, b| {
        lexicon_object(&b.name)
            .is_some()
            .cmp(&lexicon_object(&a.name).is_some())
            .then(lift(b).total_cmp(&lift(a)))
            .then(a.id.cmp(&b.id))
    });
    let mut out: Vec<Issue> = Vec::with_capacity(issues.len());
    for issue in issues {
        let Some(o) = out.iter_mut().find(|o| one_incident(o, &issue)) else {
            out.push(issue);
            continue;
        };
        fold(o, issue, max_examples);
    }
    absorb_echoes(out, max_examples)
}

/// Folds an issue whose reports are mostly (at least [`ECHO_SHARE`]) reports of a
/// bigger issue of its kind, at the same time, into that one: the same customers
/// telling another side of one incident ("外卖超时一个多小时，饭都凉透了" is a
/// delivery outage, not a second issue 米饭·凉了). The bigger issue keeps its name.
fn absorb_echoes(issues: Vec<Issue>, max_examples: usize) -> Vec<Issue> {
    settle_echoes(issues, |o, issue| fold(o, issue, max_examples))
}

/// After the reports of each issue are settled (fitted to its name, narrowed to
/// its group, its late reports taken in), an issue whose reports are mostly those
/// of a bigger issue of its kind at the same time tells nothing new: it is dropped,
/// and its id is listed among the bigger one's merged ids. Three "锅底涨到四十八，
/// 太离谱了" of a price increase are not a second issue 其他·差评.
pub(super) fn drop_echoes(issues: Vec<Issue>) -> Vec<Issue> {
    settle_echoes(issues, |o, issue| {
        o.merged_ids.push(issue.id);
        o.merged_ids.extend(issue.merged_ids);
    })
}

/// Biggest first, hands each issue that [`echoes`] one already kept to `into`
/// together with that one; keeps the others.
fn settle_echoes(mut issues: Vec<Issue>, mut into: impl FnMut(&mut Issue, Issue)) -> Vec<Issue> {
    issues.sort_by(|a, b| b.record_ids.len().cmp(&a.record_ids.len()).then(a.id.cmp(&b.id)));
    let mut out: Vec<Issue> = Vec::with_capacity(issues.len());
    for issue in issues {
        match out.iter_mut().find(|o| echoes(&issue, o)) {
            Some(o) => into(o, issue),
            None => out.push(issue),
        }
    }
    out
}

/// Whether at least [`ECHO_SHARE`] of `issue`'s reports are reports of `of`, an
/// issue of its kind whose days overlap its days.
fn echoes(issue: &Issue, of: &Issue) -> bool {
    let have: HashSet<&str> = of.record_ids.iter().map(String::as_str).collect();
    let shared = issue.record_ids.iter().filter(|r| have.contains(r.as_str())).count();
    of.kind == issue.kind
        && issue.start <= of.end
        && of.start <= issue.end
        && !issue.record_ids.is_empty()
        && shared as f64 >= ECHO_SHARE * issue.record_ids.len() as f64
}

/// Share of an issue's reports a bigger issue must hold to absorb it ([`absorb_echoes`]).
pub const ECHO_SHARE: f64 = 0.5;

/// Gives each merged issue the id of its earliest episode (the oldest cluster on a
/// tie; `starts` holds every episode's start), whichever gave it its name: a
/// resumed run that sees more of an incident, where another cluster has grown
/// bigger, reports it under the same id.
pub(super) fn keep_first_ids(out: &mut [Issue], starts: &HashMap<String, String>) {
    for o in out.iter_mut().filter(|o| !o.merged_ids.is_empty()) {
        let first = std::iter::once(&o.id)
            .chain(&o.merged_ids)
            .filter_map(|id| starts.get(id).map(|start| (start, id)))
            .min()
            .map(|(_, id)| id.clone());
        if let Some(first) = first.filter(|f| *f != o.id) {
            let named = std::mem::replace(&mut o.id, first.clone());
            o.merged_ids.retain(|id| *id != first);
            o.merged_ids.insert(0, named);
        }
    }
}

/// Folds `issue` into `o`: records, counts, windows, topics, alerts, examples and ids.
pub(super) fn fold(o: &mut Issue, issue: Issue, max_examples: usize) {
    let have: HashSet<String> = o.record_ids.iter().cloned().collect();
    o.record_ids.extend(issue.record_ids.into_iter().filter(|id| !have.contains(id)));
    o.count = (o.record_ids.len() as u64).max(o.count);
    o.expected = ((o.expected + issue.expected) * 100.0).round() / 100.0;
    o.score = o.score.max(issue.score);
    o.severity = o.severity.max(issue.severity);
    if issue.start < o.start {
        o.start = issue.start;
    }
    if issue.end > o.end {
        o.end = issue.end;
    }
    for t in issue.topics {
        if !o.topics.contains(&t) {
            o.topics.push(t);
        }
    }
    for a in issue.alerts {
        if !o.alerts.iter().any(|x: &GroupCount| x.field == a.field && x.value == a.value) {
            o.alerts.push(a);
        }
    }
    for ex in issue.examples {
        if o.examples.len() < max_examples && !o.examples.iter().any(|x| x.text == ex.text) {
            o.examples.push(ex);
        }
    }
    o.merged_ids.push(issue.id);
    o.merged_ids.extend(issue.merged_ids);
}
