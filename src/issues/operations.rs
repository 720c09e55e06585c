//! Operations data joined into issue detection: store attributes fill in a
//! record's missing group values (its region, ...), and daily orders become the
//! spike test's exposure ([`crate::spike`]).

use super::{IssueDetector, RecordMeta};
use crate::error::{Error, Result};
use crate::ops::{Stores, Volume};
use crate::spike::{Exposure, Group};
use crate::window::{window_day, WindowSize};
use std::collections::HashMap;
use std::sync::Arc;

/// Stores and volume of a detector.
#[derive(Clone, Debug, Default)]
pub(super) struct Ops {
    stores: Option<Arc<Stores>>,
    volume: Option<Arc<Volume>>,
}

impl IssueDetector {
    /// Joins store attributes (`stores.csv`): a record without a value for a group
    /// field named like a store attribute (`region`, `city`, `manager`) takes its
    /// store's (the first group field's) value, and region totals of the volume are
    /// the sums of their stores' orders.
    pub fn set_stores(&mut self, stores: Stores) {
        self.ops.stores = Some(Arc::new(stores));
    }

    /// Uses daily orders per store (`volume.csv`) as the spike test's exposure:
    /// a window's expected count is the group's orders × its complaints per order
    /// so far. The chain's orders are all stores' orders, a region's those of its
    /// stores (by [`Self::set_stores`]); groups with unknown orders are tested on
    /// counts as before. Orders are daily: hourly windows are refused.
    pub fn set_volume(&mut self, volume: Volume) -> Result<()> {
        if self.options.window != WindowSize::Day {
            return Err(Error::InvalidOption {
                option: "volume",
                reason: "orders are given per day: volume needs daily windows (--window 1d)".into(),
            });
        }
        self.ops.volume = Some(Arc::new(volume));
        Ok(())
    }

    /// The store attributes joined in, if any.
    pub fn stores(&self) -> Option<&Stores> {
        self.ops.stores.as_deref()
    }

    /// The daily orders joined in, if any.
    pub fn volume(&self) -> Option<&Volume> {
        self.ops.volume.as_deref()
    }

    /// Fills a record's missing group values from its store's attributes.
    pub(super) fn join_stores(&self, meta: &mut RecordMeta) {
        let Some(stores) = &self.ops.stores else { return };
        let Some(Some(store)) = meta.groups.first() else { return };
        let Some(info) = stores.get(store) else { return };
        for (field, value) in self.options.group_fields.iter().zip(meta.groups.iter_mut()).skip(1) {
            if value.is_none() {
                *value = info.attribute(field).map(str::to_string);
            }
        }
    }

    /// The window's exposure, when volume is joined in: the orders of the chain,
    /// of every store with a row that day, and of every value of the other group
    /// fields that the stores carry as an attribute (their stores' sum); and, as
    /// `parents` ([`IssueDetector::store_parents`]), for each store reporting in
    /// the window, the groups it belongs to.
    pub(super) fn exposure(&self, window: i64, parents: HashMap<Group, Vec<Group>>) -> Option<Exposure> {
        let volume = self.ops.volume.as_deref()?;
        let stores = self.ops.stores.as_deref();
        let day = window_day(window, self.options.window);
        let fields = &self.options.group_fields;
        let mut e = Exposure::default();
        if let Some(n) = volume.chain_orders_on(day) {
            e.orders.insert(Group::chain(), n);
        }
        let Some(store_field) = fields.first() else { return Some(e) };
        for (store, n) in volume.day(day) {
            e.orders.insert(Group::new(store_field.clone(), store), n);
        }
        if let Some(stores) = stores {
            for field in fields.iter().skip(1) {
                let mut sums: HashMap<&str, f64> = HashMap::new();
                for info in stores.iter() {
                    if let (Some(v), Some(n)) = (info.attribute(field), volume.orders_on(&info.store, day)) {
                        *sums.entry(v).or_insert(0.0) += n;
                    }
                }
                e.orders.extend(sums.into_iter().map(|(v, n)| (Group::new(field.clone(), v), n)));
            }
        }
        e.parents = parents;
        Some(e)
    }

    /// Notes the parent groups (chain, region, ...) of `meta`'s store, once per
    /// store, for the window's exposure (only when volume is joined in).
    pub(super) fn store_parents(&self, parents: &mut HashMap<Group, Vec<Group>>, meta: &RecordMeta) {
        if self.ops.volume.is_none() {
            return;
        }
        let fields = &self.options.group_fields;
        let (Some(store_field), Some(Some(store))) = (fields.first(), meta.groups.first()) else { return };
        let g = Group::new(store_field.clone(), store.clone());
        if parents.contains_key(&g) {
            return;
        }
        let mut list = vec![Group::chain()];
        for (field, v) in fields.iter().zip(&meta.groups).skip(1) {
            if let Some(v) = v {
                list.push(Group::new(field.clone(), v.clone()));
            }
        }
        parents.insert(g, list);
    }
}
