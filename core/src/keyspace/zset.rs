//! Sorted sets: members ordered by (score, member), as Redis orders them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// A score with the order Redis uses. Scores are never NaN (ZADD and
/// ZINCRBY refuse it), and `-0` equals `0`, as C's `<` and `==` say: Redis
/// orders members with equal scores by member, so `ZADD z -0 b 0 a` lists
/// `a` before `b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score(pub f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.partial_cmp(&other.0).unwrap_or(Ordering::Equal)
    }
}

/// Member → score plus an index ordered by (score, member).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SortedSet {
    scores: BTreeMap<Vec<u8>, Score>,
    order: BTreeSet<(Score, Vec<u8>)>,
}

impl SortedSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).map(|s| s.0)
    }

    /// Inserts or updates `member`; returns the previous score.
    pub fn insert(&mut self, member: Vec<u8>, score: f64) -> Option<f64> {
        let old = self.scores.insert(member.clone(), Score(score));
        if let Some(old) = old {
            self.order.remove(&(old, member.clone()));
        }
        self.order.insert((Score(score), member));
        old.map(|s| s.0)
    }

    /// Removes `member`; returns its score if it was present.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let old = self.scores.remove(member)?;
        self.order.remove(&(old, member.to_vec()));
        Some(old.0)
    }

    /// The 0-based position of `member` in ascending order (ZRANK).
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = *self.scores.get(member)?;
        Some(self.order.range(..(score, member.to_vec())).count())
    }

    /// Members with scores in ascending (score, member) order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Vec<u8>, f64)> + ExactSizeIterator {
        self.order.iter().map(|(s, m)| (m, s.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_ties_with_zero_and_orders_by_member() {
        let mut z = SortedSet::new();
        z.insert(b"b".to_vec(), -0.0);
        z.insert(b"a".to_vec(), 0.0);
        let members: Vec<_> = z.iter().map(|(m, _)| m.clone()).collect();
        assert_eq!(members, vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(z.rank(b"b"), Some(1));
        assert_eq!(z.remove(b"b"), Some(-0.0));
        assert_eq!(z.len(), 1);
    }
}
