//! A small set that keeps at most `N` values: enough to know "at least N".

use serde::{Deserialize, Serialize};

/// A sorted set of at most `N` distinct values. When more arrive, the `N`
/// smallest are kept, so merging two sets in any order gives the same set.
/// Two values are stored inline: most buckets hold one or two.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapSet<T: Ord + Copy, const N: usize> {
    items: smallvec::SmallVec<[T; 2]>,
    /// Whether values were dropped because the set was full.
    saturated: bool,
}

impl<T: Ord + Copy, const N: usize> CapSet<T, N> {
    /// Add a value.
    pub fn insert(&mut self, v: T) {
        match self.items.binary_search(&v) {
            Ok(_) => {}
            Err(pos) => {
                if self.items.len() < N {
                    self.items.insert(pos, v);
                } else {
                    self.saturated = true;
                    if pos < N {
                        self.items.insert(pos, v);
                        self.items.pop();
                    }
                }
            }
        }
    }

    /// Add every value of `other` (of any capacity: detectors gather the
    /// small sets of many buckets into one larger set).
    pub fn merge<const M: usize>(&mut self, other: &CapSet<T, M>) {
        for &v in &other.items {
            self.insert(v);
        }
        self.saturated |= other.saturated;
    }

    /// Number of values kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no value is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether some values were dropped (the true count is larger).
    pub fn is_saturated(&self) -> bool {
        self.saturated
    }

    /// The values kept, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }

    /// Whether `v` is kept.
    pub fn contains(&self, v: &T) -> bool {
        self.items.binary_search(v).is_ok()
    }

    /// Replace every value `v` by `f(v)` (values that become equal count
    /// once).
    pub fn map_in_place(&mut self, f: impl Fn(T) -> T) {
        let old = std::mem::take(&mut self.items);
        let saturated = self.saturated;
        for v in old {
            self.insert(f(v));
        }
        self.saturated |= saturated;
    }
}

/// A distinct count that stops growing at `N` values: a hash set, so adding
/// is O(1) however many values there are. Only its size is read, and that
/// is `min(N, true count)` whatever the order of inserts and merges.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DistinctCount<T: std::hash::Hash + Eq + Copy, const N: usize> {
    #[serde(serialize_with = "sorted_set", bound(serialize = "T: Serialize + Ord"))]
    items: rustc_hash::FxHashSet<T>,
    saturated: bool,
    /// The value added last: adding it again changes nothing (it is kept,
    /// or the set was full and is saturated already), and an account
    /// mostly logs in from the address it used last, so most adds skip the
    /// hash table (a cache miss on a table of its own per account). Not
    /// part of the value: not compared, not saved.
    #[serde(skip)]
    last: Option<T>,
}

impl<T: std::hash::Hash + Eq + Copy, const N: usize> PartialEq for DistinctCount<T, N> {
    fn eq(&self, o: &Self) -> bool {
        self.items == o.items && self.saturated == o.saturated
    }
}

impl<T: std::hash::Hash + Eq + Copy, const N: usize> Eq for DistinctCount<T, N> {}

impl<T: std::hash::Hash + Eq + Copy, const N: usize> DistinctCount<T, N> {
    /// Add a value.
    #[inline]
    pub fn insert(&mut self, v: T) {
        if self.last == Some(v) {
            return;
        }
        self.last = Some(v);
        if self.items.len() < N {
            self.items.insert(v);
        } else if !self.items.contains(&v) {
            self.saturated = true;
        }
    }

    /// Add every value of `other` (the smaller set into the larger).
    pub fn merge(&mut self, mut other: Self) {
        if other.items.len() > self.items.len() {
            std::mem::swap(&mut self.items, &mut other.items);
            self.last = None;
        }
        for v in other.items {
            self.insert(v);
        }
        self.saturated |= other.saturated;
    }

    /// The count (at most `N`).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether `v` was added (and kept: not past `N`).
    pub fn contains(&self, v: &T) -> bool {
        self.items.contains(v)
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether the true count is larger than [`Self::len`].
    pub fn is_saturated(&self) -> bool {
        self.saturated
    }
}

/// A hash set written in sorted order, so equal sets give equal bytes.
fn sorted_set<T: Serialize + Ord, S: serde::Serializer>(
    set: &rustc_hash::FxHashSet<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut v: Vec<&T> = set.iter().collect();
    v.sort_unstable();
    s.collect_seq(v)
}

/// A hash map written in key order, so equal maps give equal bytes.
pub fn sorted_map<K: Serialize + Ord, V: Serialize, S: serde::Serializer>(
    map: &rustc_hash::FxHashMap<K, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut v: Vec<(&K, &V)> = map.iter().collect();
    v.sort_unstable_by(|a, b| a.0.cmp(b.0));
    s.collect_map(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_smallest_in_any_order() {
        let mut a: CapSet<u32, 3> = CapSet::default();
        for v in [9, 1, 5, 7, 3] {
            a.insert(v);
        }
        let mut b: CapSet<u32, 3> = CapSet::default();
        for v in [3, 7, 1, 9, 5] {
            b.insert(v);
        }
        assert_eq!(a, b);
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), vec![1, 3, 5]);
        assert!(a.is_saturated());
    }

    #[test]
    fn distinct_count_is_order_independent() {
        let mut a: DistinctCount<u32, 4> = DistinctCount::default();
        let mut b: DistinctCount<u32, 4> = DistinctCount::default();
        for v in [1, 2, 3] {
            a.insert(v);
        }
        for v in [3, 4, 5, 6] {
            b.insert(v);
        }
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b.clone();
        ba.merge(a.clone());
        assert_eq!(ab.len(), 4);
        assert_eq!(ba.len(), 4);
        assert!(ab.is_saturated() && ba.is_saturated());
        a.insert(2);
        assert_eq!(a.len(), 3);
        assert!(!a.is_saturated());
        // A value added again right after (skipped by the last-value
        // check) changes nothing, kept or not.
        let mut full: DistinctCount<u32, 2> = DistinctCount::default();
        for v in [1, 2, 3, 3, 2, 2] {
            full.insert(v);
        }
        assert_eq!(full.len(), 2);
        assert!(full.is_saturated());
        let mut other: DistinctCount<u32, 2> = DistinctCount::default();
        for v in [2, 3, 1] {
            other.insert(v);
        }
        assert_eq!(full.is_saturated(), other.is_saturated());
    }
}
