//! A small set that keeps at most `N` values: enough to know "at least N".

use serde::{Deserialize, Serialize};

/// A sorted set of at most `N` distinct values. When more arrive, the `N`
/// smallest are kept, so merging two sets in any order gives the same set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapSet<T: Ord + Copy, const N: usize> {
    items: Vec<T>,
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

    /// Add every value of `other`.
    pub fn merge(&mut self, other: &Self) {
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
}
