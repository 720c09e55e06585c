//! From episodes to issues: records, examples and groups of each episode,
//! expansion and merging into incidents, generic names demoted, most severe first.

use super::feed::Groups;
use super::slow_burn::TAIL_SHARE;
use super::{incident, naming, Episode, Example, GroupCount, Issue, IssueDetector, Member, Severity};
use crate::cluster::Kind;
use crate::spike::CHAIN;
use crate::window::{format_window, WindowSize};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

impl IssueDetector {
    /// The issues this run alerted on (including ones continuing from earlier
    /// runs), most severe first, then strongest. With `since`, only issues whose
    /// last alert is at or after that window.
    pub fn issues(&self, since: Option<i64>) -> Vec<Issue> {
        let size = self.options.window;
        let sb = &self.state.slow_burn;
        // Episodes of earlier runs that end near this run's are context: they bring
        // no records, only their ids and start into the incident they belong to, so
        // that a resumed run reports a continuing incident under the id it had.
        let context_from = (self.state.episodes.iter().filter(|e| self.touched.contains(&e.id)))
            .chain(sb.episodes.iter().filter(|e| sb.touched.contains(&e.id)))
            .map(|e| e.start)
            .min()
            .map(|s| s - self.options.episode_gap);
        let out: Vec<Issue> = self
            .state
            .episodes
            .iter()
            .filter(|e| in_view(self.touched.contains(&e.id), e.end, since, context_from))
            .filter_map(|e| {
                let mut issue = self.issue(e, size)?;
                if self.touched.contains(&e.id) {
                    self.expand(&mut issue, e);
                } else {
                    as_context(&mut issue);
                }
                Some(issue)
            })
            .chain(self.burn_issues(since, context_from))
            // Generic praise ("很不错", "还会再买") is no issue; a generic complaint is at most green.
            .filter(|i| !(i.kind == Kind::Praise && naming::is_generic(&i.name, true)))
            .map(|mut i| {
                if naming::is_generic(&i.name, false) {
                    i.severity = i.severity.min(Severity::Green);
                }
                i
            })
            .collect();
        let starts: HashMap<String, String> = out.iter().map(|i| (i.id.clone(), i.start.clone())).collect();
        let mut out = incident::merge_incidents(merge_same_name(out, self.options.examples), self.options.examples);
        incident::keep_first_ids(&mut out, &starts);
        let clauses = self.clauses_by_record();
        // Record index by id: its meta in `records`, its topics in `record_topics`.
        let index: HashMap<&str, usize> = self.records.iter().enumerate().map(|(i, r)| (&*r.id, i)).collect();
        let topic_bits = |id: &str| index.get(id).map_or(0, |&i| self.record_topics[i]);
        for issue in out.iter_mut() {
            purify(issue, &clauses, &topic_bits);
            keep_core(issue, &clauses);
            let group = self.focus(issue, &index);
            // Late reports of the issue's problem, in the group it was narrowed to;
            // they are fitted to the name like the others.
            let in_group =
                |id: &str| group.as_ref().is_none_or(|(level, value)| self.has_group_value(&index, id, *level, value));
            if self.gather(issue, &in_group) {
                purify(issue, &clauses, &topic_bits);
                keep_core(issue, &clauses);
            }
            self.refine(issue, &clauses);
            self.regroup(issue);
            self.cap_severity(issue);
        }
        let mut out = incident::drop_echoes(out);
        let touched = |id: &String| self.touched.contains(id) || sb.touched.contains(id);
        out.retain(|i| !i.record_ids.is_empty() && (touched(&i.id) || i.merged_ids.iter().any(touched)));
        out.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.score.total_cmp(&a.score)).then(a.id.cmp(&b.id)));
        out
    }

    fn issue(&self, e: &Episode, size: WindowSize) -> Option<Issue> {
        let ci = self.state.clusterer.position(&e.cluster)?;
        let c = &self.state.clusterer.clusters()[ci];
        let name = e.name.clone().or_else(|| c.name.clone()).unwrap_or_else(|| self.name_cluster(ci));
        let in_groups = self.in_alerted_groups(e);
        let key = self.cluster_keys.get(&e.cluster);
        let members: Vec<&Member> = self
            .members
            .iter()
            .filter(|m| m.window >= e.start && m.window <= e.end && Some(m.cluster) == key && in_groups(m.record))
            .collect();
        let mut record_ids: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        for m in &members {
            if seen.insert(m.record) {
                record_ids.push(self.records[m.record as usize].id.to_string());
            }
        }
        let groups = self.group_counts(seen.iter().map(|&r| self.groups_of(r)));
        let mut ranked: Vec<&Member> = members.clone();
        ranked.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.record.cmp(&b.record)));
        let mut examples: Vec<Example> = Vec::new();
        for m in ranked {
            if examples.len() >= self.options.examples {
                break;
            }
            let text = self.text(m);
            if !examples.iter().any(|x| x.text == text) {
                examples.push(Example { id: self.records[m.record as usize].id.to_string(), text: text.to_string() });
            }
        }
        let (count_hist, expected) = (e.start..=e.end)
            .filter_map(|w| self.chain_stats.get(&(e.cluster.clone(), w)))
            .fold((0u64, 0.0f64), |(n, x), (c, l)| (n + c, x + l));
        let mut alerts: Vec<GroupCount> = e
            .alerts
            .iter()
            .map(|a| GroupCount { field: a.group.field.clone(), value: a.group.value.clone(), count: a.count })
            .collect();
        alerts.sort_by(|a, b| (a.field == CHAIN).cmp(&(b.field == CHAIN)).reverse().then(b.count.cmp(&a.count)));
        alerts.dedup_by(|a, b| a.field == b.field && a.value == b.value);
        let count = if record_ids.is_empty() { count_hist } else { record_ids.len() as u64 };
        Some(Issue {
            id: e.id.clone(),
            name,
            keywords: c.top_terms(5).into_iter().map(|(t, _)| t.to_string()).collect(),
            kind: e.kind,
            severity: e.severity,
            topics: c.top_topics(3).into_iter().map(str::to_string).collect(),
            start: format_window(e.start, size),
            end: format_window(e.end, size),
            count,
            expected: (expected * 100.0).round() / 100.0,
            score: (e.score * 100.0).round() / 100.0,
            groups,
            alerts,
            record_ids,
            examples,
            cluster: e.cluster.clone(),
            merged_ids: Vec::new(),
        })
    }
}

impl IssueDetector {
    /// Takes in the reports of the issue's lexicon problem counted in any window of
    /// the incident, in the groups where it or a burn of the problem alerted
    /// ([`IssueDetector::problem_hits`]): the 涨价 of the incident's last day, which
    /// the burn's episode no longer covered and which fell in a cluster of
    /// "太离谱了", is one of its reports; so is a region's "配送太慢了" that fell in
    /// a cluster of long waits.
    /// Only records for which `keep` holds are taken; true when any was.
    fn gather(&self, issue: &mut Issue, keep: &dyn Fn(&str) -> bool) -> bool {
        let sb = &self.state.slow_burn;
        let Some((_, problem)) = issue.name.split_once('·') else { return false };
        let ids: Vec<&str> =
            std::iter::once(issue.id.as_str()).chain(issue.merged_ids.iter().map(String::as_str)).collect();
        let span = (self.state.episodes.iter().chain(&sb.episodes))
            .filter(|e| ids.contains(&e.id.as_str()))
            .fold(None, |s: Option<(i64, i64)>, e| {
                Some(s.map_or((e.start, e.end), |(a, b)| (a.min(e.start), b.max(e.end))))
            });
        let Some((from, to)) = span else { return false };
        let before = issue.record_ids.len();
        let mut have: HashSet<String> = issue.record_ids.iter().cloned().collect();
        for id in self.problem_hits(&ids, &issue.alerts, problem, from, to) {
            if keep(id) && have.insert(id.to_string()) {
                issue.record_ids.push(id.to_string());
            }
        }
        issue.count = issue.record_ids.len() as u64;
        issue.record_ids.len() > before
    }

    /// Reports per group value over `records` (each counted once), the 20 largest first.
    fn group_counts<'a>(&self, records: impl Iterator<Item = &'a Groups>) -> Vec<GroupCount> {
        let mut counts: BTreeMap<(usize, &str), u64> = BTreeMap::new();
        for groups in records {
            for (level, v) in groups.iter().enumerate() {
                if let Some(v) = v {
                    *counts.entry((level, v.as_str())).or_insert(0) += 1;
                }
            }
        }
        let mut groups: Vec<GroupCount> = counts
            .into_iter()
            .map(|((level, value), count)| GroupCount {
                field: self.options.group_fields[level].clone(),
                value: value.to_string(),
                count,
            })
            .collect();
        top_groups(&mut groups);
        groups
    }

    /// The complaint and praise clauses of this run's records, by record id.
    fn clauses_by_record(&self) -> RecordClauses<'_> {
        let mut out =
            RecordClauses { members: &self.members, texts: &self.texts, ranges: HashMap::new(), more: HashMap::new() };
        // A record's members are consecutive (added record by record).
        let mut start = 0;
        for run in self.members.chunk_by(|a, b| a.record == b.record) {
            let range = (start, start + run.len());
            start = range.1;
            match out.ranges.entry(&*self.records[run[0].record as usize].id) {
                Entry::Vacant(e) => {
                    e.insert(range);
                }
                // Another record with the same id: its clauses count under that id too.
                Entry::Occupied(e) => out.more.entry(*e.key()).or_default().push(range),
            }
        }
        out
    }

    /// Narrows an issue to one group that alerted and holds at least
    /// [`FOCUS_SHARE`] of its reports, the finest such group: rude staff at one
    /// store also lifts the chain's count of 态度差, but the incident is the store's,
    /// and the same complaint at other stores that week is the everyday background.
    /// Returns the group (level, value) it was narrowed to, also when that group
    /// already held all its reports: a region's delivery outage whose reports all
    /// came from the region (the chain's count rose with it) is the region's, and
    /// its late reports are gathered there only.
    fn focus(&self, issue: &mut Issue, index: &HashMap<&str, usize>) -> Option<(usize, String)> {
        let n = issue.record_ids.len();
        let fields = &self.options.group_fields;
        let in_group = |id: &str, level: usize, value: &str| self.has_group_value(index, id, level, value);
        for (level, field) in fields.iter().enumerate() {
            let best = (issue.alerts.iter().filter(|a| a.field == *field))
                .map(|a| (a.value.as_str(), issue.record_ids.iter().filter(|id| in_group(id, level, &a.value)).count()))
                .max_by_key(|&(_, k)| k);
            if let Some((value, k)) = best.filter(|&(_, k)| k > 0 && k as f64 >= FOCUS_SHARE * n as f64) {
                let value = value.to_string();
                issue.record_ids.retain(|id| in_group(id, level, &value));
                issue.count = k as u64;
                return Some((level, value));
            }
        }
        None
    }

    /// Whether the record `id` (its index in `records` by `index`) has the group
    /// value `value` at level `level`.
    fn has_group_value(&self, index: &HashMap<&str, usize>, id: &str, level: usize, value: &str) -> bool {
        index.get(id).and_then(|&i| self.groups_of(i as u32).get(level)).is_some_and(|v| v.as_deref() == Some(value))
    }

    /// Praise of a new item: when most praise clauses of an issue named `牛肉·好吃`
    /// say 藤椒牛肉, the issue is 藤椒牛肉·好吃. It keeps the reports that name the
    /// item, and takes in every praise of it in its windows and groups, whatever
    /// cluster it fell in (praise of 牛肉 is everyday background at a hot-pot chain;
    /// a new item's burst is not).
    fn refine(&self, issue: &mut Issue, clauses: &RecordClauses<'_>) {
        if issue.kind != Kind::Praise {
            return;
        }
        let Some((object, problem)) = issue.name.split_once('·') else { return };
        if naming::object_of(object) != Some(object) {
            return;
        }
        let own = |id: &str| -> Vec<&str> {
            clauses.get(id).into_iter().flatten().filter(|(k, _)| *k == Kind::Praise).map(|(_, t)| t).collect()
        };
        let texts: Vec<&str> = issue.record_ids.iter().flat_map(|id| own(id)).collect();
        let Some(item) = naming::refine_object(object, &texts, REFINE_SHARE) else { return };
        issue.record_ids.retain(|id| own(id).iter().any(|t| naming::names_item(t, &item, object)));
        let chain = issue.alerts.iter().any(|a| a.field == CHAIN);
        let alerted: HashSet<(&str, &str)> =
            issue.alerts.iter().map(|a| (a.field.as_str(), a.value.as_str())).collect();
        let size = self.options.window;
        // The item's praise per window (distinct records), whatever cluster it fell in.
        let mut per: BTreeMap<i64, BTreeSet<u32>> = BTreeMap::new();
        for m in
            self.members.iter().filter(|m| m.kind == Kind::Praise && naming::names_item(self.text(m), &item, object))
        {
            if chain || self.in_groups(self.groups_of(m.record), &alerted) {
                per.entry(m.window).or_default().insert(m.record);
            }
        }
        let inside: Vec<i64> = (per.keys().copied())
            .filter(|&w| {
                let f = format_window(w, size);
                f >= issue.start && f <= issue.end
            })
            .collect();
        if let (Some(&first), Some(&last)) = (inside.first(), inside.last()) {
            // The burst goes on while a window holds at least TAIL_SHARE of its mean
            // window (the cluster's own alerts may stop first: its baseline rises).
            let total: usize = inside.iter().map(|w| per[w].len()).sum();
            let mean = total as f64 / (last - first + 1) as f64;
            let mut end = last;
            while per.get(&(end + 1)).is_some_and(|r| r.len() >= 2 && r.len() as f64 >= TAIL_SHARE * mean) {
                end += 1;
            }
            let end_label = format_window(end, size);
            if end_label > issue.end {
                issue.end = end_label;
            }
            let mut have: HashSet<String> = issue.record_ids.iter().cloned().collect();
            for r in per.range(first..=end).flat_map(|(_, r)| r) {
                let id = &*self.records[*r as usize].id;
                if have.insert(id.to_string()) {
                    issue.record_ids.push(id.to_string());
                }
            }
        }
        issue.examples.retain(|x| naming::names_item(&x.text, &item, object));
        issue.count = issue.record_ids.len() as u64;
        issue.name = format!("{item}·{problem}");
    }

    /// An issue left with fewer reports than its severity needs (after `purify`)
    /// keeps the severity its reports support: two reports are never yellow.
    fn cap_severity(&self, issue: &mut Issue) {
        let supported = self.options.severity.grade(issue.topics.first(), issue.count, None);
        issue.severity = issue.severity.min(supported);
    }

    /// Group counts of a merged issue, from its (deduplicated) record ids.
    fn regroup(&self, issue: &mut Issue) {
        let ids: HashSet<&str> = issue.record_ids.iter().map(String::as_str).collect();
        issue.groups = self.group_counts(
            self.records.iter().filter(|r| ids.contains(&*r.id)).map(|r| self.group_sets.value(r.groups)),
        );
    }
}

/// Share of an issue's reports one alerting group must hold for the issue to be
/// narrowed to it (`IssueDetector::focus`).
const FOCUS_SHARE: f64 = 2.0 / 3.0;

/// The complaint and praise clauses of this run's records by record id, as
/// ranges of the members (a run may have millions).
struct RecordClauses<'a> {
    members: &'a [Member],
    texts: &'a super::strings::Strings,
    /// The members of the first record with each id.
    ranges: HashMap<&'a str, (usize, usize)>,
    /// Those of later records with the same id, if any.
    more: HashMap<&'a str, Vec<(usize, usize)>>,
}

impl<'a> RecordClauses<'a> {
    /// The clauses of the records with `id`, or `None` when there are none.
    fn get(&self, id: &str) -> Option<Vec<(Kind, &'a str)>> {
        let first = self.ranges.get(id)?;
        let ranges = std::iter::once(first).chain(self.more.get(id).into_iter().flatten());
        Some(ranges.flat_map(|&(a, b)| &self.members[a..b]).map(|m| (m.kind, self.texts.value(m.text))).collect())
    }
}

/// Keeps the reports whose clauses fit the issue's name ([`naming::fits`]): an
/// issue made of a wide cluster, or folded with a topic's slow burn, keeps the
/// reports of its own object and problem. A report without clauses of the
/// issue's kind (none in this run) is kept.
fn purify(issue: &mut Issue, clauses: &RecordClauses<'_>, topic_bits: &dyn Fn(&str) -> u16) {
    let praise = issue.kind == Kind::Praise;
    // What a report must speak of: the issue's two leading topics, or its lexicon
    // object or problem. "服务有待改进" that rose with a price increase is not one
    // of its reports (a generic cluster of such words folds into any incident).
    // A name whose object is a topic (价格·涨价) speaks of that topic alone.
    let named_topic = naming::topic_of_label(issue.name.split('·').next().unwrap_or(""));
    let mask = match named_topic {
        Some(t) => naming::topic_bit(t),
        None => issue.topics.iter().map(|t| naming::topic_bit(t)).filter(|b| *b != 0).take(2).fold(0u16, |m, b| m | b),
    };
    let demanding = mask != 0 || naming::has_lexicon_part(&issue.name, praise);
    let fits = |id: &str| -> bool {
        let Some(cs) = clauses.get(id) else { return true };
        let mut own = cs.iter().filter(|(k, _)| *k == issue.kind).peekable();
        if own.peek().is_none() {
            return true;
        }
        let own: Vec<&str> = own.map(|(_, t)| *t).collect();
        let names_own = own.iter().any(|t| naming::names_part(&issue.name, praise, t));
        let speaks = !demanding || topic_bits(id) & mask != 0 || names_own;
        // A report that names another problem and neither the issue's object nor
        // its problem is that other problem's: "价格稍贵了点，好辣哟" is 太贵, not 涨价.
        let elsewhere = !names_own && own.iter().any(|t| naming::names_other_problem(&issue.name, praise, t));
        speaks && !elsewhere && own.iter().any(|t| naming::fits(&issue.name, praise, t))
    };
    issue.record_ids.retain(|id| fits(id));
    issue.examples.retain(|x| naming::fits(&issue.name, praise, &x.text));
    issue.count = issue.record_ids.len() as u64;
}

/// Keeps a complaint to what its reports have in common: when at least
/// [`CORE_SHARE`] of them name its lexicon object ([`naming::core_part`]) in a
/// complaint clause, a report that does not is dropped, whichever cluster or slow
/// burn it came from. The bad 虾滑 of a chain-wide incident is not every salty or
/// stale hot pot of those days ("咸的一逼", "菜品不新鲜"), which a taste burn folds in.
fn keep_core(issue: &mut Issue, clauses: &RecordClauses<'_>) {
    if issue.kind != Kind::Complaint || issue.record_ids.is_empty() {
        return;
    }
    let Some(object) = naming::core_part(&issue.name) else { return };
    let names = |id: &str| -> bool {
        (clauses.get(id).into_iter().flatten()).any(|(k, t)| k == Kind::Complaint && naming::names_object(object, t))
    };
    let marks: Vec<bool> = issue.record_ids.iter().map(|id| names(id)).collect();
    if (marks.iter().filter(|m| **m).count() as f64) < CORE_SHARE * marks.len() as f64 {
        return;
    }
    let mut marks = marks.into_iter();
    issue.record_ids.retain(|_| marks.next().unwrap_or(true));
    let kept: HashSet<&str> = issue.record_ids.iter().map(String::as_str).collect();
    issue.examples.retain(|x| kept.contains(x.id.as_str()));
    issue.count = issue.record_ids.len() as u64;
}

/// Share of a complaint's reports that must name its lexicon object for the
/// others to be dropped (`keep_core`).
const CORE_SHARE: f64 = 0.75;

/// Share of an issue's praise clauses naming its object that must use one longer
/// name of it for the issue to take that name ([`naming::refine_object`]).
const REFINE_SHARE: f64 = 0.6;

/// Keeps an issue's 20 largest group counts, largest first.
fn top_groups(groups: &mut Vec<GroupCount>) {
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.field.cmp(&b.field)).then(a.value.cmp(&b.value)));
    groups.truncate(20);
}

/// An episode of an earlier run, folded in for its id and start only.
pub(super) fn as_context(issue: &mut Issue) {
    issue.record_ids.clear();
    issue.examples.clear();
    issue.count = 0;
    issue.expected = 0.0;
}

/// Whether an episode enters `issues`: one this run touched when it ends at or
/// after `since`, one of an earlier run as context when it ends at or after
/// `context_from`.
pub(super) fn in_view(touched: bool, end: i64, since: Option<i64>, context_from: Option<i64>) -> bool {
    if touched {
        since.is_none_or(|s| end >= s)
    } else {
        context_from.is_some_and(|c| end >= c)
    }
}

/// Folds issues of the same kind and name whose windows overlap into the one that
/// started first (then the biggest), so one problem is one ticket. The group
/// counts of a merged issue are left to be recounted from its record ids.
fn merge_same_name(mut issues: Vec<Issue>, max_examples: usize) -> Vec<Issue> {
    issues.sort_by(|a, b| a.start.cmp(&b.start).then(b.count.cmp(&a.count)).then(a.id.cmp(&b.id)));
    let mut out: Vec<Issue> = Vec::with_capacity(issues.len());
    for issue in issues {
        let target = out
            .iter_mut()
            .find(|o| o.kind == issue.kind && o.name == issue.name && issue.start <= o.end && o.start <= issue.end);
        match target {
            Some(o) => incident::fold(o, issue, max_examples),
            None => out.push(issue),
        }
    }
    out
}
