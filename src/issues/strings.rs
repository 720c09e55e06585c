//! Strings as small keys, each distinct one kept once in one buffer: the
//! clauses a run keeps (one per member and per slow-burn report, millions of
//! them), cluster ids, slow-burn series keys.

use hashbrown::HashTable;
use std::hash::{BuildHasher, RandomState};

/// Strings by key. A key costs its holder 4 bytes; a distinct string costs
/// its bytes and about 13 more (no allocation of its own). Short clauses such
/// as "味道一般" recur thousands of times; a string of its own would cost a
/// `Box<str>` (16 bytes) and an allocation each time.
#[derive(Clone, Debug, Default)]
pub(super) struct Strings {
    buf: String,
    /// End of text `k` in `buf` (text `k` starts where `k - 1` ends).
    ends: Vec<usize>,
    /// Keys, found by the hash of their text.
    table: HashTable<u32>,
    state: RandomState,
}

impl Strings {
    /// The key of `text`, given on first sight.
    pub(super) fn intern(&mut self, text: &str) -> u32 {
        let Strings { buf, ends, table, state } = self;
        let hash = state.hash_one(text);
        let get = |k: u32| span(buf, ends, k);
        if let Some(&k) = table.find(hash, |&k| get(k) == text) {
            return k;
        }
        let k = ends.len() as u32;
        buf.push_str(text);
        ends.push(buf.len());
        table.insert_unique(hash, k, |&k| state.hash_one(span(buf, ends, k)));
        k
    }

    /// The key of `text`, if it was given one.
    pub(super) fn get(&self, text: &str) -> Option<u32> {
        self.table.find(self.state.hash_one(text), |&k| self.value(k) == text).copied()
    }

    /// The string of key `k`.
    pub(super) fn value(&self, k: u32) -> &str {
        span(&self.buf, &self.ends, k)
    }

    /// Number of distinct strings.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.ends.len()
    }
}

fn span<'a>(buf: &'a str, ends: &[usize], k: u32) -> &'a str {
    let k = k as usize;
    let start = if k == 0 { 0 } else { ends[k - 1] };
    &buf[start..ends[k]]
}

#[cfg(test)]
mod tests {
    use super::Strings;

    #[test]
    fn each_distinct_text_once() {
        let mut texts = Strings::default();
        let words = ["味道一般", "", "薯条有股怪味", "味道一般", "", "汤洒了", "薯条有股怪味"];
        let keys: Vec<u32> = words.iter().map(|w| texts.intern(w)).collect();
        assert_eq!(keys, [0, 1, 2, 0, 1, 3, 2]);
        assert_eq!(texts.len(), 4);
        for (w, k) in words.iter().zip(&keys) {
            assert_eq!(texts.value(*k), *w);
            assert_eq!(texts.get(w), Some(*k));
        }
        assert_eq!(texts.get("没见过"), None);
    }

    #[test]
    fn many_texts_survive_growth() {
        let mut texts = Strings::default();
        let keys: Vec<u32> = (0..20_000).map(|i| texts.intern(&format!("第{}条", i % 7_000))).collect();
        assert_eq!(texts.len(), 7_000);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(texts.value(*k), format!("第{}条", i % 7_000));
        }
    }
}
