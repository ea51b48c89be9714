//! Items grouped by key, for the lookups of the cross-object index: each distinct key is
//! stored once, in a dense list, and a hash table holds only group numbers (4 bytes a slot,
//! where a map from the key to a list of indices holds the key and the list in each slot,
//! empty slots included). The indices of a group lie together, in the order they were
//! given. On a set of 100,000 objects this is the difference between megabytes and tens of
//! megabytes held through the cross-object phase.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::{BuildHasher, Hash};

/// Indices (into a list of facts) grouped by a key.
#[derive(Debug)]
pub struct Grouped<K> {
    /// Each group's number, found by the hash of its key.
    table: HashTable<u32>,
    /// Each group's key, by group number.
    keys: Vec<K>,
    /// Where each group's indices start in `ids`, then where the last one ends.
    starts: Vec<u32>,
    /// The indices, a group after another.
    ids: Vec<u32>,
}

impl<K> Default for Grouped<K> {
    fn default() -> Grouped<K> {
        Grouped {
            table: HashTable::new(),
            keys: Vec::new(),
            starts: vec![0],
            ids: Vec::new(),
        }
    }
}

fn hash<K: Hash>(key: &K) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl<K: Hash + Eq> Grouped<K> {
    /// Groups the indices by their keys; within a group, indices keep the order given.
    pub fn build(entries: impl IntoIterator<Item = (K, usize)>) -> Grouped<K> {
        let mut table: HashTable<u32> = HashTable::new();
        let mut keys: Vec<K> = Vec::new();
        let mut sizes: Vec<u32> = Vec::new();
        // Each entry's group and index, in the order given.
        let mut placed: Vec<(u32, u32)> = Vec::new();
        for (key, id) in entries {
            let h = hash(&key);
            let group = match table.find(h, |g| keys[*g as usize] == key) {
                Some(g) => *g,
                None => {
                    let g = to_u32(keys.len());
                    table.insert_unique(h, g, |g| hash(&keys[*g as usize]));
                    keys.push(key);
                    sizes.push(0);
                    g
                }
            };
            sizes[group as usize] += 1;
            placed.push((group, to_u32(id)));
        }
        let mut starts = Vec::with_capacity(sizes.len() + 1);
        let mut end = 0u32;
        starts.push(0);
        for size in &sizes {
            end += size;
            starts.push(end);
        }
        // A counting sort: each group's indices in the order given.
        let mut next: Vec<u32> = starts[..sizes.len()].to_vec();
        drop(sizes);
        let mut ids = vec![0u32; placed.len()];
        for (group, id) in placed {
            let at = &mut next[group as usize];
            ids[*at as usize] = id;
            *at += 1;
        }
        keys.shrink_to_fit();
        table.shrink_to_fit(|g| hash(&keys[*g as usize]));
        Grouped {
            table,
            keys,
            starts,
            ids,
        }
    }

    /// The indices grouped under `key`, in the order given; empty when there are none.
    pub fn get(&self, key: &K) -> &[u32] {
        match self.table.find(hash(key), |g| self.keys[*g as usize] == *key) {
            Some(g) => self.group(*g as usize),
            None => &[],
        }
    }
}

impl<K> Grouped<K> {
    fn group(&self, g: usize) -> &[u32] {
        &self.ids[self.starts[g] as usize..self.starts[g + 1] as usize]
    }

    /// Every group's indices, groups in the order their keys first came.
    pub fn groups(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.keys.len()).map(|g| self.group(g))
    }
}

/// An index as stored: the cross-object index holds far fewer than 2³² facts of a kind
/// (each takes tens of bytes).
fn to_u32(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 facts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_keep_the_order_given_and_unknown_keys_find_nothing() {
        let g = Grouped::build([("b", 0), ("a", 1), ("b", 2), ("c", 3), ("a", 4), ("b", 5)]);
        assert_eq!(g.get(&"b"), [0, 2, 5]);
        assert_eq!(g.get(&"a"), [1, 4]);
        assert_eq!(g.get(&"c"), [3]);
        assert_eq!(g.get(&"d"), [] as [u32; 0]);
        let all: Vec<&[u32]> = g.groups().collect();
        assert_eq!(all, [&[0, 2, 5][..], &[1, 4], &[3]]);
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let g: Grouped<&str> = Grouped::default();
        assert_eq!(g.get(&"a"), [] as [u32; 0]);
        assert_eq!(g.groups().count(), 0);
        let g: Grouped<&str> = Grouped::build([]);
        assert_eq!(g.get(&"a"), [] as [u32; 0]);
    }

    /// Many keys: the table grows and is shrunk, and every key still finds its group.
    #[test]
    fn every_key_of_a_large_index_finds_its_group() {
        let g = Grouped::build((0..10_000usize).map(|i| (i % 3_001, i)));
        for k in 0..3_001usize {
            let want: Vec<u32> = (0..10_000u32).filter(|i| *i as usize % 3_001 == k).collect();
            assert_eq!(g.get(&k), want);
        }
        assert_eq!(g.get(&3_001), [] as [u32; 0]);
    }
}
