//! Spike detection: is this window's count for a cluster in a group more than
//! its history explains?
//!
//! For every cluster and every group (a store, a region, the whole chain) the
//! detector keeps an exponentially weighted mean of the per-window count,
//! deseasonalized by the stream's own weekday (or hour-of-day) profile. A
//! window's count `x` is tested against a Poisson with mean
//! `λ = max(own history, cluster's chain rate × group's share of volume, floor)`
//! (upper tail, `P(X ≥ x)`).
//!
//! **Volume as exposure.** When the caller passes each group's orders for the
//! window ([`SpikeDetector::process_window_with_exposure`]), the history is
//! kept per order instead: a store's `λ = its orders in the window × its
//! complaints per order so far`; a region's (the chain's) is the sum of that
//! over the stores reporting the cluster in the window, plus its other orders ×
//! the other stores' complaints per order. Twice the customers with twice the
//! complaints is then no spike, at the store or above it, while more complaints
//! per order at a flat count can be. Groups without known orders keep the count
//! model.
//!
//! A cluster without history (brand new) gets a small
//! prior rate instead, and must be reported from enough distinct stores before
//! it counts at chain or region level. False alarms across the many
//! clusters × groups tested in one window are controlled with Bonferroni: a
//! test alerts when `p × m ≤ alpha`.

use crate::window::{season, seasons, WindowSize};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The whole chain: the group every record belongs to.
pub const CHAIN: &str = "chain";

/// A group a count is kept for: `("store", "SH-011")`, `("region", "east")` or `("chain", "*")`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Group {
    /// Field name (`chain` for the whole chain).
    pub field: String,
    /// Field value.
    pub value: String,
}

impl Group {
    /// The whole chain.
    pub fn chain() -> Self {
        Group { field: CHAIN.into(), value: "*".into() }
    }
    /// A group by field and value.
    pub fn new(field: impl Into<String>, value: impl Into<String>) -> Self {
        Group { field: field.into(), value: value.into() }
    }
}

/// Spike-test options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SpikeOptions {
    /// Probability of at least one false alarm per window over all tests (default 0.01).
    pub alpha: f64,
    /// Weight of the newest window in the moving mean (default 0.1, about two weeks of memory).
    pub smoothing: f64,
    /// Windows of history needed before any alert (default 7).
    pub warmup_windows: u32,
    /// Smallest count that can alert (default 3).
    pub min_count: u64,
    /// Distinct values of the first group field (stores) a new cluster needs before it alerts above store level (default 3).
    pub min_groups_new: usize,
    /// Expected chain-wide count per window for a cluster without history (default 0.5).
    pub new_cluster_rate: f64,
    /// A cluster is new while its history is shorter than this many windows (default 3).
    pub new_cluster_windows: i64,
}

impl Default for SpikeOptions {
    fn default() -> Self {
        SpikeOptions {
            alpha: 0.01,
            smoothing: 0.1,
            warmup_windows: 7,
            min_count: 3,
            min_groups_new: 3,
            new_cluster_rate: 0.5,
            new_cluster_windows: 3,
        }
    }
}

impl SpikeOptions {
    /// Sets the family-wise false-alarm rate per window.
    pub fn with_alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }
    /// Sets the warm-up length in windows.
    pub fn with_warmup_windows(mut self, n: u32) -> Self {
        self.warmup_windows = n;
        self
    }
    /// Sets the smallest count that can alert.
    pub fn with_min_count(mut self, n: u64) -> Self {
        self.min_count = n;
        self
    }
}

/// An exponentially weighted moving mean of a per-window count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Ewma {
    level: f64,
    last: i64,
    seen: u32,
}

impl Ewma {
    /// The mean as of window `w` (windows since the last update count as zeros).
    fn at(&self, w: i64, smoothing: f64) -> f64 {
        if self.seen == 0 {
            return 0.0;
        }
        let gap = (w.saturating_sub(self.last).saturating_sub(1)).clamp(0, i64::from(i32::MAX)) as i32;
        self.level * (1.0 - smoothing).powi(gap)
    }

    fn update(&mut self, w: i64, x: f64, smoothing: f64) {
        if self.seen == 0 {
            self.level = x;
        } else {
            self.level = self.at(w, smoothing) * (1.0 - smoothing) + x * smoothing;
        }
        self.last = w;
        self.seen += 1;
    }
}

/// One count to test: a cluster in a group in a window.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Cluster id.
    pub cluster: String,
    /// The group.
    pub group: Group,
    /// Count in the window.
    pub count: u64,
    /// Distinct values of the first group field (stores) among the counted units.
    pub distinct_groups: usize,
    /// Whether the group is of the finest level (a single store).
    pub finest: bool,
}

/// Orders (or transactions) of one window: the spike test's exposure.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exposure {
    /// Orders in the window per group: stores, regions, the chain. A group without
    /// an entry has unknown orders and is tested on counts alone.
    pub orders: HashMap<Group, f64>,
    /// For each store (a group of the finest level), the coarser groups it
    /// belongs to (its region, the chain).
    pub parents: HashMap<Group, Vec<Group>>,
}

/// A test result that passed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Cluster id.
    pub cluster: String,
    /// The group that spiked.
    pub group: Group,
    /// The window.
    pub window: i64,
    /// Count in the window.
    pub count: u64,
    /// Expected count.
    pub expected: f64,
    /// `-log10 P(X ≥ count)`.
    pub score: f64,
    /// Whether the cluster had no history.
    pub new_cluster: bool,
}

/// The detector's state: moving means per cluster × group and per group volume.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SpikeDetector {
    options: SpikeOptions,
    size: WindowSize,
    /// Per `cluster \u{1f} field \u{1f} value`.
    rates: HashMap<String, Ewma>,
    /// Records per group per window.
    volume: HashMap<String, Ewma>,
    /// Records per seasonal slot: (sum, windows).
    season_sums: Vec<(f64, u32)>,
    /// Windows seen so far.
    windows_seen: u32,
    /// Latest window seen.
    last_window: Option<i64>,
    /// Per `cluster \u{1f} field \u{1f} value`: count per order, for windows with known orders.
    #[serde(default)]
    per_order: HashMap<String, Ewma>,
    /// Orders per group per window, for windows with known orders.
    #[serde(default)]
    orders: HashMap<String, Ewma>,
}

fn key(cluster: &str, g: &Group) -> String {
    format!("{cluster}\u{1f}{}", group_key(g))
}

/// A group as a map key, `field \u{1f} value` (also the slow-burn scan's orders key).
pub(crate) fn group_key(g: &Group) -> String {
    format!("{}\u{1f}{}", g.field, g.value)
}

impl SpikeDetector {
    /// A detector without history.
    pub fn new(options: SpikeOptions, size: WindowSize) -> Self {
        SpikeDetector { options, size, season_sums: vec![(0.0, 0); seasons(size)], ..Default::default() }
    }

    /// The options in force.
    pub fn options(&self) -> &SpikeOptions {
        &self.options
    }

    /// Replaces the options.
    pub fn set_options(&mut self, options: SpikeOptions) {
        self.options = options;
    }

    /// The latest window processed.
    pub fn last_window(&self) -> Option<i64> {
        self.last_window
    }

    /// Windows of history seen.
    pub fn windows_seen(&self) -> u32 {
        self.windows_seen
    }

    /// The seasonal factor of window `w` (1.0 until each slot has data).
    fn season_factor(&self, w: i64) -> f64 {
        let slots: Vec<f64> = self.season_sums.iter().filter(|(_, n)| *n > 0).map(|(s, n)| s / f64::from(*n)).collect();
        if slots.len() < self.season_sums.len() {
            return 1.0;
        }
        let mean = slots.iter().sum::<f64>() / slots.len() as f64;
        let (s, n) = self.season_sums[season(w, self.size)];
        if mean <= 0.0 {
            1.0
        } else {
            (s / f64::from(n) / mean).clamp(0.2, 5.0)
        }
    }

    /// Tests one window's observations; then folds them (and the window's record
    /// volumes) into the history. `volumes` are record counts per group in the window;
    /// `cluster_first_window` tells when each cluster was first seen.
    pub fn process_window(
        &mut self,
        w: i64,
        observations: &[Observation],
        volumes: &HashMap<Group, u64>,
        cluster_first_window: &dyn Fn(&str) -> Option<i64>,
    ) -> Vec<Alert> {
        self.process_window_with_exposure(w, observations, volumes, None, cluster_first_window)
    }

    /// Like [`Self::process_window`], with the window's orders per group: once
    /// the detector has seen orders in an earlier window, a group with orders is
    /// tested against its complaints per order × its orders now (see the module
    /// documentation). A group without (or with zero) orders is tested on counts.
    pub fn process_window_with_exposure(
        &mut self,
        w: i64,
        observations: &[Observation],
        volumes: &HashMap<Group, u64>,
        exposure: Option<&Exposure>,
        cluster_first_window: &dyn Fn(&str) -> Option<i64>,
    ) -> Vec<Alert> {
        let o = self.options.clone();
        let orders_of =
            |g: &Group| exposure.and_then(|e| e.orders.get(g)).copied().filter(|n| n.is_finite() && *n > 0.0);
        let per_order = |cluster: &str, g: &Group| {
            self.per_order.get(&key(cluster, g)).map(|e| e.at(w, o.smoothing)).unwrap_or(0.0)
        };
        let usual_orders = |g: &Group| self.orders.get(&group_key(g)).map(|e| e.at(w, o.smoothing)).unwrap_or(0.0);
        // Typical chain orders per window: the scale of the new-cluster prior.
        let chain_orders = usual_orders(&Group::chain());
        // Per cluster and coarser group: the stores reporting the cluster in this window,
        // as (Σ rate × orders now, Σ orders now, Σ rate × usual orders, Σ usual orders).
        let mut reporting: HashMap<(&str, &Group), [f64; 4]> = HashMap::new();
        if let Some(e) = exposure {
            for obs in observations.iter().filter(|x| x.finest) {
                let (Some(now), Some(parents)) = (orders_of(&obs.group), e.parents.get(&obs.group)) else { continue };
                let (rate, usual) = (per_order(&obs.cluster, &obs.group), usual_orders(&obs.group));
                for p in parents {
                    let s = reporting.entry((obs.cluster.as_str(), p)).or_default();
                    for (x, d) in s.iter_mut().zip([rate * now, now, rate * usual, usual]) {
                        *x += d;
                    }
                }
            }
        }
        let f = self.season_factor(w);
        let chain_volume = self.volume.get(&group_key(&Group::chain())).map(|e| e.at(w, o.smoothing)).unwrap_or(0.0);
        let share = |g: &Group| -> f64 {
            if g.field == CHAIN || chain_volume <= 0.0 {
                return 1.0;
            }
            let v = self.volume.get(&group_key(g)).map(|e| e.at(w, o.smoothing)).unwrap_or(0.0);
            (v / chain_volume).clamp(1e-4, 1.0)
        };
        let mut tests = Vec::new();
        for obs in observations {
            if obs.count < o.min_count {
                continue;
            }
            let first = cluster_first_window(&obs.cluster).unwrap_or(w);
            let chain_hist = self.rates.get(&key(&obs.cluster, &Group::chain()));
            let history = chain_hist.map(|e| e.seen).unwrap_or(0);
            let is_new = w - first < o.new_cluster_windows || history == 0;
            let own = self.rates.get(&key(&obs.cluster, &obs.group)).map(|e| e.at(w, o.smoothing)).unwrap_or(0.0);
            let chain_rate = chain_hist.map(|e| e.at(w, o.smoothing)).unwrap_or(0.0);
            let prior = if is_new { o.new_cluster_rate } else { chain_rate };
            let lambda = match orders_of(&obs.group).filter(|_| chain_orders > 0.0) {
                // Exposure: rates per order × this window's orders (which carry the season).
                Some(n) => {
                    let rate = per_order(&obs.cluster, &obs.group);
                    let prior = if is_new {
                        o.new_cluster_rate / chain_orders
                    } else {
                        per_order(&obs.cluster, &Group::chain())
                    };
                    let own = match reporting.get(&(obs.cluster.as_str(), &obs.group)) {
                        // The reporting stores at their own rates, the rest of the group at the rest's rate.
                        Some(&[rate_now, orders_now, rate_usual, usual]) if !obs.finest => {
                            let rest_usual = usual_orders(&obs.group) - usual;
                            let rest_rate = if rest_usual > 1e-9 {
                                (rate * usual_orders(&obs.group) - rate_usual).max(0.0) / rest_usual
                            } else {
                                0.0
                            };
                            rate_now + rest_rate * (n - orders_now).max(0.0)
                        }
                        _ => rate * n,
                    };
                    own.max(prior * n).max(1e-3)
                }
                None => (own * f).max(prior * f * share(&obs.group)).max(1e-3),
            };
            if is_new && !obs.finest && obs.distinct_groups < o.min_groups_new {
                // A new cluster reported from few stores is tested only store by store.
                continue;
            }
            let p = poisson_sf(obs.count, lambda);
            tests.push((obs, lambda, p, is_new));
        }
        let m = tests.len().max(1) as f64;
        let warm = self.windows_seen >= o.warmup_windows;
        let alerts = tests
            .into_iter()
            .filter(|(_, _, p, _)| warm && p * m <= o.alpha)
            .map(|(obs, lambda, p, is_new)| Alert {
                cluster: obs.cluster.clone(),
                group: obs.group.clone(),
                window: w,
                count: obs.count,
                expected: lambda,
                score: -p.max(1e-300).log10(),
                new_cluster: is_new,
            })
            .collect();

        // Fold the window into the history, deseasonalized.
        for obs in observations {
            self.rates.entry(key(&obs.cluster, &obs.group)).or_default().update(w, obs.count as f64 / f, o.smoothing);
        }
        for (g, &n) in volumes {
            self.volume.entry(group_key(g)).or_default().update(w, n as f64, o.smoothing);
        }
        if let Some(exposure) = exposure {
            for obs in observations {
                if let Some(n) = orders_of(&obs.group) {
                    self.per_order.entry(key(&obs.cluster, &obs.group)).or_default().update(
                        w,
                        obs.count as f64 / n,
                        o.smoothing,
                    );
                }
            }
            for g in exposure.orders.keys() {
                if let Some(n) = orders_of(g) {
                    self.orders.entry(group_key(g)).or_default().update(w, n, o.smoothing);
                }
            }
        }
        let total = volumes.get(&Group::chain()).copied().unwrap_or(0) as f64;
        let slot = &mut self.season_sums[season(w, self.size)];
        slot.0 += total;
        slot.1 += 1;
        if self.last_window.is_none_or(|l| w > l) {
            self.windows_seen += 1;
            self.last_window = Some(w);
        }
        alerts
    }

    /// Checks a detector read from a state file: window size `size`, one
    /// seasonal slot per weekday (hour), finite non-negative means, windows
    /// within `range` and not after the last window.
    pub(crate) fn validate(&self, size: WindowSize, range: (i64, i64)) -> Result<(), String> {
        if self.size != size {
            return Err(format!("its spike history is kept per {}, not per {size}", self.size));
        }
        if self.season_sums.len() != seasons(size) {
            return Err(format!(
                "its spike history has {} seasonal slots instead of {}",
                self.season_sums.len(),
                seasons(size)
            ));
        }
        if self.season_sums.iter().any(|(s, _)| !s.is_finite() || *s < 0.0) {
            return Err("its seasonal profile is not made of finite counts".into());
        }
        if let Some(l) = self.last_window {
            if l < range.0 || l > range.1 {
                return Err(format!("its last window ({}) is out of range", crate::window::describe_window(l, size)));
            }
        }
        for (name, map) in
            [("count", &self.rates), ("volume", &self.volume), ("per-order", &self.per_order), ("orders", &self.orders)]
        {
            for e in map.values() {
                if !e.level.is_finite() || e.level < 0.0 {
                    return Err(format!("a {name} history is not a finite non-negative number"));
                }
                if e.seen > 0 && (e.last < range.0 || self.last_window.is_none_or(|l| e.last > l)) {
                    return Err(format!(
                        "a {name} history was updated in {}, outside the state's windows",
                        crate::window::describe_window(e.last, size)
                    ));
                }
            }
        }
        Ok(())
    }

    /// The expected count of `cluster` in `group` at window `w`, from history alone.
    pub fn expected(&self, cluster: &str, group: &Group, w: i64) -> f64 {
        self.rates.get(&key(cluster, group)).map(|e| e.at(w, self.options.smoothing)).unwrap_or(0.0)
            * self.season_factor(w)
    }

    /// Drops the history of forgotten clusters.
    pub fn forget(&mut self, clusters: &[String]) {
        if clusters.is_empty() {
            return;
        }
        let gone: std::collections::HashSet<&str> = clusters.iter().map(String::as_str).collect();
        self.rates.retain(|k, _| !gone.contains(k.split('\u{1f}').next().unwrap_or("")));
        self.per_order.retain(|k, _| !gone.contains(k.split('\u{1f}').next().unwrap_or("")));
    }
}

/// `P(X ≥ x)` for `X ~ Poisson(λ)`, accurate in the far tail (computed from the
/// log of the first term and a stable sum of the series).
pub fn poisson_sf(x: u64, lambda: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let xf = x as f64;
    if xf < lambda {
        // Not in the upper tail: 1 − P(X ≤ x−1).
        let mut term = (-lambda).exp();
        let mut cdf = term;
        for k in 1..x {
            term *= lambda / k as f64;
            cdf += term;
        }
        return (1.0 - cdf).clamp(0.0, 1.0);
    }
    // log P(X = x) = x ln λ − λ − ln x!
    let log_first = xf * lambda.ln() - lambda - ln_factorial(x);
    let mut sum = 1.0;
    let mut term = 1.0;
    let mut k = xf;
    loop {
        k += 1.0;
        term *= lambda / k;
        sum += term;
        if term < 1e-16 * sum {
            break;
        }
    }
    (log_first + sum.ln()).exp().clamp(0.0, 1.0)
}

fn ln_factorial(n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    if n < 64 {
        return (2..=n).map(|k| (k as f64).ln()).sum();
    }
    // Stirling with two correction terms.
    let n = n as f64;
    n * n.ln() - n + 0.5 * (2.0 * std::f64::consts::PI * n).ln() + 1.0 / (12.0 * n) - 1.0 / (360.0 * n.powi(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tail_matches_known_values() {
        // P(X >= 3 | λ = 1) = 1 − e^-1 (1 + 1 + 1/2)
        let want = 1.0 - (-1.0f64).exp() * 2.5;
        assert!((poisson_sf(3, 1.0) - want).abs() < 1e-12);
        assert_eq!(poisson_sf(0, 5.0), 1.0);
        assert!((poisson_sf(1, 2.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
        let tiny = poisson_sf(30, 0.5);
        assert!(tiny > 0.0 && tiny < 1e-30, "{tiny}");
        // Monotone in x.
        assert!(poisson_sf(10, 4.0) > poisson_sf(11, 4.0));
    }

    fn obs(cluster: &str, g: Group, count: u64, distinct: usize) -> Observation {
        Observation { cluster: cluster.into(), group: g, count, distinct_groups: distinct, finest: false }
    }

    #[test]
    fn steady_background_does_not_alert_but_a_jump_does() {
        let mut d = SpikeDetector::new(SpikeOptions::default(), WindowSize::Day);
        let vol: HashMap<Group, u64> = [(Group::chain(), 1000)].into_iter().collect();
        let first = |_: &str| Some(0);
        for w in 0..28 {
            let count = 20 + (w % 3) as u64; // everyday background
            let alerts = d.process_window(w, &[obs("slow", Group::chain(), count, 30)], &vol, &first);
            assert!(alerts.is_empty(), "window {w}: {alerts:?}");
        }
        let alerts = d.process_window(28, &[obs("slow", Group::chain(), 60, 40)], &vol, &first);
        assert_eq!(alerts.len(), 1);
        assert!(alerts[0].expected > 15.0 && alerts[0].expected < 30.0);
    }

    #[test]
    fn a_new_cluster_alerts_only_when_reported_from_enough_stores() {
        let mut d = SpikeDetector::new(SpikeOptions::default(), WindowSize::Day);
        let vol: HashMap<Group, u64> = [(Group::chain(), 1000)].into_iter().collect();
        for w in 0..10 {
            d.process_window(w, &[], &vol, &|_| None);
        }
        let few = d.process_window(10, &[obs("fries", Group::chain(), 12, 2)], &vol, &|_| Some(10));
        assert!(few.is_empty());
        let many = d.process_window(11, &[obs("fries2", Group::chain(), 12, 8)], &vol, &|_| Some(11));
        assert_eq!(many.len(), 1);
        assert!(many[0].new_cluster);
    }

    fn finest(cluster: &str, g: Group, count: u64) -> Observation {
        Observation { finest: true, ..obs(cluster, g, count, 1) }
    }

    fn exposure<const N: usize>(orders: [(Group, f64); N], store: &Group) -> Exposure {
        Exposure { orders: orders.into(), parents: [(store.clone(), vec![Group::chain()])].into() }
    }

    /// 28 days of a store with 1,000 orders and about 20 complaints a day, then one day
    /// with `orders` orders and `count` complaints: alerts with and without exposure.
    fn store_day(orders: f64, count: u64) -> (Vec<Alert>, Vec<Alert>) {
        let store = Group::new("store", "S1");
        let run = |with_orders: bool| {
            let mut d = SpikeDetector::new(SpikeOptions::default(), WindowSize::Day);
            let first = |_: &str| Some(0);
            let mut last = Vec::new();
            for w in 0..29 {
                let (n, c) = if w < 28 { (1000.0, 20 + (w % 3) as u64) } else { (orders, count) };
                let vol: HashMap<Group, u64> = [(Group::chain(), 100 + c), (store.clone(), 50 + c)].into();
                let exp = exposure([(Group::chain(), n), (store.clone(), n)], &store);
                let obs = [obs("queue", Group::chain(), c, 1), finest("queue", store.clone(), c)];
                last = d.process_window_with_exposure(w, &obs, &vol, with_orders.then_some(&exp), &first);
                if w < 28 {
                    assert!(last.is_empty(), "window {w}: {last:?}");
                }
            }
            last
        };
        (run(true), run(false))
    }

    #[test]
    fn with_exposure_more_customers_are_no_spike() {
        let (with, without) = store_day(2000.0, 42);
        assert!(with.is_empty(), "twice the orders, twice the complaints: {with:?}");
        assert!(!without.is_empty(), "without orders the doubled count is a spike");
        let e = with_exposure_expected(2000.0, 42);
        assert!(e > 35.0 && e < 50.0, "expected {e}");
    }

    #[test]
    fn with_exposure_a_higher_rate_at_a_flat_count_is_a_spike() {
        // Half the orders, the same complaints: twice the rate per order.
        let (with, without) = store_day(400.0, 21);
        assert!(without.is_empty(), "a flat count is no spike without orders: {without:?}");
        assert!(!with.is_empty(), "the rate per order rose 2.5×");
        assert!(with.iter().all(|a| a.expected < 12.0), "{with:?}");
    }

    #[test]
    fn with_exposure_a_busy_store_doubling_is_no_chain_spike() {
        // Store A: 1,000 orders, ~20 complaints a day; ten stores of 1,000 orders with
        // one complaint every other day. On day 28, A doubles its orders and complaints.
        let a = Group::new("store", "A");
        let others: Vec<Group> = (0..10).map(|i| Group::new("store", format!("B{i}"))).collect();
        let run = |with_orders: bool| {
            let mut d = SpikeDetector::new(SpikeOptions::default(), WindowSize::Day);
            let mut last = Vec::new();
            for w in 0..29i64 {
                let holiday = w == 28;
                let (na, ca) = if holiday { (2000.0, 42) } else { (1000.0, 20 + (w % 3) as u64) };
                let mut e = Exposure::default();
                e.orders.insert(a.clone(), na);
                e.parents.insert(a.clone(), vec![Group::chain()]);
                let mut observations = vec![finest("queue", a.clone(), ca)];
                let mut chain = ca;
                for (i, b) in others.iter().enumerate() {
                    e.orders.insert(b.clone(), 1000.0);
                    e.parents.insert(b.clone(), vec![Group::chain()]);
                    if (w + i as i64) % 2 == 0 {
                        observations.push(finest("queue", b.clone(), 1));
                        chain += 1;
                    }
                }
                e.orders.insert(Group::chain(), na + 10_000.0);
                observations.push(obs("queue", Group::chain(), chain, 6));
                let vol: HashMap<Group, u64> = [(Group::chain(), 200)].into();
                last = d.process_window_with_exposure(w, &observations, &vol, with_orders.then_some(&e), &|_| Some(0));
            }
            last
        };
        let with = run(true);
        assert!(with.is_empty(), "{with:?}");
        let without = run(false);
        assert!(without.iter().any(|x| x.group == Group::chain()), "{without:?}");
    }

    fn with_exposure_expected(orders: f64, count: u64) -> f64 {
        let store = Group::new("store", "S1");
        // alpha 1: every test "alerts", to read its expected count.
        let mut d = SpikeDetector::new(SpikeOptions::default().with_alpha(1.0), WindowSize::Day);
        let mut expected = 0.0;
        for w in 0..29 {
            let (n, c) = if w < 28 { (1000.0, 20 + (w % 3) as u64) } else { (orders, count) };
            let vol: HashMap<Group, u64> = [(Group::chain(), 100 + c)].into();
            let exp = exposure([(Group::chain(), n), (store.clone(), n)], &store);
            let o = [finest("queue", store.clone(), c)];
            let alerts = d.process_window_with_exposure(w, &o, &vol, Some(&exp), &|_| Some(0));
            if let Some(a) = alerts.first() {
                expected = a.expected;
            }
        }
        expected
    }

    #[test]
    fn nothing_alerts_during_warm_up() {
        let mut d = SpikeDetector::new(SpikeOptions::default(), WindowSize::Day);
        let vol: HashMap<Group, u64> = [(Group::chain(), 100)].into_iter().collect();
        let alerts = d.process_window(0, &[obs("x", Group::chain(), 50, 10)], &vol, &|_| Some(0));
        assert!(alerts.is_empty());
    }
}
