//! [`SmallMap`]: a map kept as a vector of pairs, in insertion order.
//!
//! The driver's bookkeeping maps hold a handful of entries (one per link,
//! node or connection). A `BTreeMap` brings several KB of tree code into
//! the wasm bundle for every key/value type that removes entries; a vector
//! scanned linearly costs a few hundred bytes and is as fast at this size.

use std::borrow::Borrow;

/// See the module docs. Lookups are linear: keep it to tens of entries.
#[derive(Clone, Debug, PartialEq)]
pub struct SmallMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap { entries: Vec::new() }
    }
}

impl<K: PartialEq, V> SmallMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn index<Q: PartialEq + ?Sized>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
    {
        self.entries.iter().position(|(k, _)| k.borrow() == key)
    }

    pub fn get<Q: PartialEq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.index(key).map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: PartialEq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.index(key).map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: PartialEq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.index(key).is_some()
    }

    /// Sets `key` to `value`; returns the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.index(&key) {
            Some(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// The value of `key`, inserted by `make` first if absent.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.index(&key) {
            Some(i) => i,
            None => {
                self.entries.push((key, make()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }

    pub fn remove<Q: PartialEq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.index(key).map(|i| self.entries.remove(i).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn behaves_like_a_map() {
        let mut m = SmallMap::new();
        assert_eq!(m.insert("a", 1), None);
        assert_eq!(m.insert("b", 2), None);
        assert_eq!(m.insert("a", 3), Some(1));
        assert_eq!((m.get(&"a"), m.get(&"c"), m.len()), (Some(&3), None, 2));
        *m.get_or_insert_with("c", || 0) += 5;
        *m.get_or_insert_with("c", || 0) += 5;
        assert_eq!(m.get(&"c"), Some(&10));
        m.retain(|k, _| *k != "b");
        assert!(!m.contains_key(&"b"));
        assert_eq!(m.remove(&"a"), Some(3));
        assert_eq!(m.remove(&"a"), None);
        assert_eq!(m.len(), 1);
    }
}
