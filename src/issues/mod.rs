//! Named issues: complaint (and praise) clusters whose counts spike.
//!
//! [`IssueDetector`] takes analyzed records window by window (in time order)
//! and reports issues with a stable id, a readable name ("薯条·味道怪"), a
//! severity, counts, groups and examples. Its state (clusters, baselines, issue
//! ids) saves to a file so the next run continues where this one stopped.
//!
//! # Design: from clause to issue
//!
//! 1. **Units.** Each clause whose sentiment score is at most −[`IssueOptions::min_polarity`]
//!    (0.5) is a complaint unit, at least +0.5 a praise unit: clauses the model is
//!    unsure of would blur the clusters. A clause naming a sure complaint of the
//!    lexicon (异味, 漏汤, 没礼貌, 涨价: [`naming::sure_complaint`]), not negated
//!    just before, is a complaint unit whatever the model scored: the model calls
//!    "鲜虾滑有异味" and "包装换了以后每次都漏汤" positive. Likewise a clause naming
//!    sure praise (不贵, 收费合理, 性价比高: [`naming::sure_praise`]) is never a
//!    complaint unit: the model calls "也不是很贵" negative. Junk records are not counted.
//! 2. **Clusters** ([`crate::cluster`]): a unit joins the closest cluster of its kind
//!    when cosine + a bonus for a shared key term reaches 0.58; food-safety
//!    (`hygiene`) units form their own clusters; a unit naming another lexicon
//!    object (薯条 vs 汉堡) never joins. Clusters under 3 members or with cohesion
//!    under 0.5 are background (counted, never reported).
//! 3. **Spikes** ([`crate::spike`]): each cluster's count per window in each store,
//!    region and the chain is tested against its own deseasonalized history
//!    (Poisson tail, Bonferroni over all tests of the window, family-wise 1 %); a
//!    brand-new cluster must come from 3 stores before it counts above store level.
//!    Consecutive alerts of a cluster (at most 2 windows apart) are one episode.
//! 4. **Slow burns** (`slow_burn`): complaints are also counted by topic × store and
//!    topic × region, by lexicon object × problem (虾滑·味道怪) per store, region and
//!    chain, and by lexicon problem (涨价, 支付失败) chain-wide, whatever their
//!    wording (in a record with a complaint clause, every clause's lexicon problem
//!    counts: the model calls "服务员很没礼貌" positive next to a clear complaint);
//!    the last 2–7 windows are scanned: at least 8 complaints on 2+ days, 3× the
//!    baseline (a key's baseline is its weighted mean day since the detector's
//!    first window, zeros included: one complaint a week before is not one a day,
//!    and four a day since day 10 are not 0.2), Bonferroni 1 %, and the newest window itself in excess (a
//!    burn ends when the problem does: a window extends it only when it holds at
//!    least half the burn's mean day; it starts with the run of days in excess,
//!    each with half the burn's mean day too, that ends with its first alert: two
//!    everyday "涨价了" the day before a price increase do not open it). This finds rude staff at one store (5–8 a
//!    day, each worded differently) and a chain-wide price increase, which no
//!    single cluster shows. With daily orders, a day's expectation scales with the
//!    group's orders over its usual orders (more customers is not a burn).
//! 5. **One incident, one issue** (`incident`): an episode takes in other clusters
//!    that rose with it (≥ 2 reports, ≥ 3× expected, mostly in the alerting
//!    groups) and share its object, or its topic and problem; then issues of one
//!    kind that overlap in time, share a group and a problem, or an object or
//!    topic without naming two different objects, are folded into one; a generic
//!    complaint (其他·差评: no object, no topic) folds into the incident it rose with;
//!    an issue whose reports are mostly a bigger issue's at the same time is that
//!    issue ("外卖超时一个多小时，饭都凉透了" is the delivery outage, not 米饭·凉了).
//! 6. **Names** ([`naming`]): `object·problem` from lexicons, topic name and topic
//!    predicate as fallback, never raw words; named from the clauses that spiked
//!    (the alerting window and group), not from the cluster's whole month. An
//!    issue keeps only the reports with a clause that fits its name (no other
//!    lexicon object or problem, [`naming::fits`]; for food safety and leaks the
//!    problem alone decides: hair in the rice is the burger's incident): a cluster, or a topic's slow
//!    burn, is wider than the incident. A report must also speak of the issue:
//!    a clause of it has the issue's topic (the name's, for 价格·涨价; else its two
//!    leading ones) or names its lexicon object or problem ("服务有待改进" rose
//!    with a price increase but is not one of its reports), and a report that names
//!    another lexicon problem and neither the issue's object nor its problem is
//!    that problem's ("价格稍贵了点" is 太贵, not 涨价; a region's "拉肚子" is not
//!    the store's hair). When three quarters of
//!    a complaint's reports name its lexicon object (虾滑·味道怪; one wrong
//!    character allowed, 虾华), the others are dropped: a taste burn folds in the
//!    everyday "咸的一逼" of those days (`keep_core`; not for a topic's name such as
//!    价格·涨价, nor for hair, leaks and late delivery, whose object is incidental).
//!    Then an issue one alerting group holds two
//!    thirds of is narrowed to that group (rude staff at one store also lifts the
//!    chain's 态度差; the other stores' are background). A complaint named with a
//!    lexicon problem then takes in that problem's reports, with any object, from
//!    all its days in the groups where it or a burn of the problem alerted (within
//!    the group it was narrowed to), fitted to the name like the rest: a burn's
//!    episode may stop a day before the incident, "锅底涨到四十八" fell in a cluster
//!    of "太离谱了", and "送餐慢得离谱，等了一个半小时" in one of long waits
//!    (`gather`). Praise whose clauses
//!    mostly name a longer item than the lexicon object (藤椒牛肉 for 牛肉, a new
//!    item) takes that name and the reports naming it. Praise without a lexicon object
//!    ("很不错") is no issue; a complaint with neither object nor topic is at most green.
//!    Last, an issue whose settled reports are mostly a bigger issue's at the same
//!    time is dropped into it (its id among the bigger one's merged ids): three
//!    "锅底涨到四十八，太离谱了" of a price increase are not a second issue 其他·差评.
//! 7. **Severity** ([`SeverityOptions`]): red at `-log10 p` ≥ 10 with ≥ 10 reports, or
//!    a `hygiene` issue with ≥ 3; yellow at ≥ 5 with ≥ 5; praise is green. The
//!    Bonferroni-corrected tests keep a month of random real reviews below one
//!    yellow issue a fortnight; the counts keep one-off coincidences green. An
//!    issue left with fewer reports once they are fitted to its name (step 6)
//!    keeps only the severity its reports support.
//!
//! **Memory.** A run holds the month's records until they are sorted, then
//! scores and adds them in chunks of 4,096 (a window is tested once its last
//! chunk is in), so only one chunk's analyses and embeddings live at a time.
//! What a run keeps for its report is compact: per record a boxed id and a key
//! to its interned group values; per complaint or praise clause (a member) a
//! cluster key and a clause key; per slow-burn report an interned series key and
//! a clause key. Clauses live once each in one buffer (`texts`): short ones such
//! as "味道一般" recur thousands of times. On 1.5 million distinct comments this
//! took the peak from 4.25 GiB to 1.64 GiB (README, Benchmarks).

mod alerts;
mod detector;
mod feed;
mod incident;
mod issue;
pub mod naming;
mod operations;
mod options;
mod report;
mod slow_burn;
mod state;
mod strings;

pub(crate) use feed::is_junk;
pub use feed::{Feed, RecordFields, RecordMeta};
pub use issue::{Example, GroupCount, Issue, ProcessSummary};
pub use options::{IssueOptions, Severity, SeverityOptions};
pub use state::StateLock;

use crate::cluster::Kind;
use crate::spike::Alert;
use serde::{Deserialize, Serialize};
use state::State;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// An issue's life: consecutive alerts of one cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Episode {
    id: String,
    cluster: String,
    kind: Kind,
    start: i64,
    end: i64,
    severity: Severity,
    score: f64,
    alerts: Vec<Alert>,
    /// The name given at the first alert, from the clauses that spiked (see
    /// `alerts::name_spike`); `None` in states written before names were per episode.
    #[serde(default)]
    name: Option<String>,
}

/// One clause assigned to a cluster during this run (compact: a run keeps
/// millions of them).
#[derive(Clone, Debug)]
struct Member {
    record: u32,
    /// The cluster, as its key in [`IssueDetector::cluster_keys`].
    cluster: u32,
    window: i64,
    similarity: f32,
    kind: Kind,
    /// The clause, as its key in [`IssueDetector::texts`].
    text: u32,
}

/// A record of this run, compact (a run keeps millions): its id and its
/// groups' key in [`IssueDetector::group_sets`].
#[derive(Clone, Debug)]
struct Seen {
    id: Box<str>,
    groups: u32,
}

/// Values as small keys: the group values of records (strings have
/// [`strings::Strings`]).
#[derive(Clone, Debug)]
struct Interner<T> {
    values: Vec<T>,
    keys: HashMap<T, u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Interner { values: Vec::new(), keys: HashMap::new() }
    }
}

impl<T: std::hash::Hash + Eq + Clone> Interner<T> {
    /// The key of `value`, given on first sight.
    fn intern<Q>(&mut self, value: &Q) -> u32
    where
        T: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = T> + ?Sized,
    {
        if let Some(&k) = self.keys.get(value) {
            return k;
        }
        let k = self.values.len() as u32;
        self.values.push(value.to_owned());
        self.keys.insert(value.to_owned(), k);
        k
    }

    /// The value of key `k`.
    fn value(&self, k: u32) -> &T {
        &self.values[k as usize]
    }
}

impl IssueDetector {
    /// The group values of record `r` (its index in `records`).
    fn groups_of(&self, r: u32) -> &feed::Groups {
        self.group_sets.value(self.records[r as usize].groups)
    }

    /// The clause of a member.
    fn text(&self, m: &Member) -> &str {
        self.texts.value(m.text)
    }
}

/// Finds named issues in a stream of analyzed records. Feed windows in time order.
pub struct IssueDetector {
    options: IssueOptions,
    state: State,
    records: Vec<Seen>,
    /// The topics any clause of each record (same index) names, one bit per
    /// [`naming::topic_bit`]: what a report speaks of, whatever its sentiment.
    record_topics: Vec<u16>,
    members: Vec<Member>,
    cluster_keys: strings::Strings,
    /// The clauses of `members` and of the slow-burn reports.
    texts: strings::Strings,
    /// The distinct group values of `records`.
    group_sets: Interner<feed::Groups>,
    /// Chain-level (count, expected) per cluster per window, this run.
    chain_stats: HashMap<(String, i64), (u64, f64)>,
    touched: BTreeSet<String>,
    skipped_old: usize,
    /// The state file this detector was resumed from, for messages.
    state_path: Option<PathBuf>,
    /// The lock on that file, held until the detector is dropped.
    lock: Option<StateLock>,
    /// Operations data joined in (`operations`): store attributes and daily orders.
    ops: operations::Ops,
}
