//! A time series of buckets: a vector sorted by time unit (minute or hour).
//!
//! Events arrive mostly in time order, so adding is nearly always an
//! append; a sorted vector holds buckets with no per-node overhead (a
//! `BTreeMap` spends about half again on its nodes, and the success
//! buckets are the largest part of the aggregate).

use serde::{Deserialize, Serialize};

/// Buckets sorted by key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series<V> {
    items: Vec<(u32, V)>,
}

impl<V> Default for Series<V> {
    fn default() -> Self {
        Series { items: Vec::new() }
    }
}

impl<V: Clone> Series<V> {
    /// The bucket at `key`, made with `make` when missing.
    #[inline]
    pub fn entry(&mut self, key: u32, make: impl FnOnce() -> V) -> &mut V {
        let pos = match self.items.last() {
            Some((k, _)) if *k == key => self.items.len() - 1,
            Some((k, _)) if *k < key => {
                self.items.push((key, make()));
                self.items.len() - 1
            }
            None => {
                self.items.push((key, make()));
                0
            }
            _ => match self.items.binary_search_by_key(&key, |x| x.0) {
                Ok(i) => i,
                Err(i) => {
                    self.items.insert(i, (key, make()));
                    i
                }
            },
        };
        &mut self.items[pos].1
    }

    /// Merge `other` in, combining buckets of the same key with `f` (which
    /// must give the same bucket whichever side it merges into: the
    /// shorter series is merged into the longer).
    pub fn merge(&mut self, mut other: Series<V>, f: impl Fn(&mut V, &V)) {
        if other.items.len() > self.items.len() {
            std::mem::swap(self, &mut other);
        }
        if other.items.is_empty() {
            return;
        }
        if other.items.len() * 8 < self.items.len() {
            // A few buckets (a block's worth) into a long series: look each
            // up (nearly always an append at the end).
            for (k, v) in other.items {
                let mut v = Some(v);
                let slot = self.entry(k, || v.take().expect("made once"));
                if let Some(v) = v {
                    f(slot, &v);
                }
            }
            return;
        }
        let mut out = Vec::with_capacity(self.items.len() + other.items.len());
        let mut a = std::mem::take(&mut self.items).into_iter().peekable();
        let mut b = other.items.into_iter().peekable();
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 < y.0 => out.push(a.next().expect("peeked")),
                (Some(x), Some(y)) if x.0 > y.0 => out.push(b.next().expect("peeked")),
                (Some(_), Some(_)) => {
                    let mut x = a.next().expect("peeked");
                    f(&mut x.1, &b.next().expect("peeked").1);
                    out.push(x);
                }
                (Some(_), None) => out.push(a.next().expect("peeked")),
                (None, Some(_)) => out.push(b.next().expect("peeked")),
                (None, None) => break,
            }
        }
        self.items = out;
    }
}

impl<V> Series<V> {
    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no bucket.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Buckets in key order.
    pub fn iter(&self) -> std::slice::Iter<'_, (u32, V)> {
        self.items.iter()
    }

    /// Bucket values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.items.iter().map(|x| &x.1)
    }

    /// Buckets with keys in `range`.
    pub fn range(&self, range: std::ops::Range<u32>) -> std::slice::Iter<'_, (u32, V)> {
        let lo = self.items.partition_point(|x| x.0 < range.start);
        let hi = self.items.partition_point(|x| x.0 < range.end);
        self.items[lo..hi.max(lo)].iter()
    }

    /// The buckets' values, to change in place (not their keys).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.items.iter_mut().map(|(_, v)| v)
    }
}

impl<'a, V> IntoIterator for &'a Series<V> {
    type Item = &'a (u32, V);
    type IntoIter = std::slice::Iter<'a, (u32, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_stay_sorted_and_merge_adds() {
        let mut a: Series<u32> = Series::default();
        for k in [5, 7, 7, 2, 9, 6] {
            *a.entry(k, || 0) += 1;
        }
        let keys: Vec<u32> = a.iter().map(|x| x.0).collect();
        assert_eq!(keys, vec![2, 5, 6, 7, 9]);
        assert_eq!(*a.entry(7, || 0), 2);
        let mut b: Series<u32> = Series::default();
        *b.entry(1, || 0) += 1;
        *b.entry(7, || 0) += 10;
        let mut ab = a.clone();
        ab.merge(b.clone(), |x, y| *x += y);
        let mut ba = b.clone();
        ba.merge(a.clone(), |x, y| *x += y);
        assert_eq!(ab, ba);
        assert_eq!(
            ab.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            vec![(1, 1), (2, 1), (5, 1), (6, 1), (7, 12), (9, 1)]
        );
        assert_eq!(ab.range(5..8).count(), 3);
        assert_eq!(ab.range(10..20).count(), 0);
    }
}
