//! Items grouped by key, for the lookups of the cross-object index. A hash table holds only
//! group numbers (4 bytes a slot, where a map from a key to a list of indices holds the key
//! and the list in every slot, empty ones included); the indices of a group lie together,
//! in the order given. [`Grouped`] stores each distinct key once, in a dense list;
//! [`Keyless`] stores none and reads a group's key from its first item. On the 100,000-
//! document mix of the scaling benchmark, the index's maps took about 21 MB as hash maps
//! of keys to lists, and about 12 MB with [`Grouped`] (heaptrack, at the heap's peak).

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

fn hash<K: Hash + ?Sized>(key: &K) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl<K: Hash + Eq> Grouped<K> {
    /// Groups the indices by their keys; within a group, indices keep the order given.
    pub fn build(entries: impl IntoIterator<Item = (K, usize)>) -> Grouped<K> {
        let mut table: HashTable<u32> = HashTable::new();
        let mut keys: Vec<K> = Vec::new();
        let mut hashes = Hashes::default();
        let mut sizes: Vec<u32> = Vec::new();
        // Each entry's group and index, in the order given.
        let mut placed: Vec<(u32, u32)> = Vec::new();
        for (key, id) in entries {
            let h = hash(&key);
            let group = match table.find(h, |g| keys[*g as usize] == key) {
                Some(g) => *g,
                None => {
                    let g = hashes.insert(&mut table, h);
                    keys.push(key);
                    sizes.push(0);
                    g
                }
            };
            sizes[group as usize] += 1;
            placed.push((group, to_u32(id)));
        }
        let (starts, ids) = place(placed, sizes);
        keys.shrink_to_fit();
        hashes.shrink(&mut table);
        Grouped {
            table,
            keys,
            starts,
            ids,
        }
    }

    /// The indices grouped under `key` (a key, or what hashes and compares as one:
    /// [`Pair`](super::intern::Pair), [`Triple`](super::intern::Triple)), in the order
    /// given; empty when there are none.
    pub fn get<Q: Hash + hashbrown::Equivalent<K> + ?Sized>(&self, key: &Q) -> &[u32] {
        match self.table.find(hash(key), |g| key.equivalent(&self.keys[*g as usize])) {
            Some(g) => self.group(*g as usize),
            None => &[],
        }
    }
}

impl<K> Grouped<K> {
    fn group(&self, g: usize) -> &[u32] {
        group(&self.starts, &self.ids, g)
    }

    /// Every group's indices, groups in the order their keys first came.
    pub fn groups(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.keys.len()).map(|g| self.group(g))
    }

    /// Every group's key and indices, groups in the order their keys first came.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &[u32])> + '_ {
        self.keys.iter().enumerate().map(|(g, k)| (k, self.group(g)))
    }
}

/// Each group's hash, by group number, while a table of group numbers is built: the table
/// grows (and is shrunk at the end) by these, not by hashing each group's key again, which
/// reads keys from all over the heap (a [`Keyless`] group's from its first item).
#[derive(Default)]
struct Hashes(Vec<u64>);

impl Hashes {
    /// Adds the next group, of hash `h`, to `table`; returns its number.
    fn insert(&mut self, table: &mut HashTable<u32>, h: u64) -> u32 {
        let g = to_u32(self.0.len());
        table.insert_unique(h, g, |g| self.0[*g as usize]);
        self.0.push(h);
        g
    }

    /// Shrinks `table` to its groups.
    fn shrink(self, table: &mut HashTable<u32>) {
        table.shrink_to_fit(|g| self.0[*g as usize]);
    }
}

/// Lays out the indices a group after another (a counting sort: each group's indices in
/// the order given): where each group starts, then where the last one ends, and the
/// indices. `placed` holds each entry's group and index, `sizes` each group's size.
fn place(placed: Vec<(u32, u32)>, sizes: Vec<u32>) -> (Vec<u32>, Vec<u32>) {
    let mut starts = Vec::with_capacity(sizes.len() + 1);
    let mut end = 0u32;
    starts.push(0);
    for size in &sizes {
        end += size;
        starts.push(end);
    }
    let mut next: Vec<u32> = starts[..sizes.len()].to_vec();
    drop(sizes);
    let mut ids = vec![0u32; placed.len()];
    for (group, id) in placed {
        let at = &mut next[group as usize];
        ids[*at as usize] = id;
        *at += 1;
    }
    (starts, ids)
}

/// Indices grouped by a key that is not stored at all: the items carry it, and each
/// group's key is read from its first item, through the function given to build the
/// groups and to each lookup. For the largest index (every object by identity) this
/// leaves 4 bytes a table slot and 8 an item.
#[derive(Debug)]
pub struct Keyless {
    table: HashTable<u32>,
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl Default for Keyless {
    fn default() -> Keyless {
        Keyless {
            table: HashTable::new(),
            starts: vec![0],
            ids: Vec::new(),
        }
    }
}

impl Keyless {
    /// Groups the indices `0..n` that have a key (`key_of`) by it; within a group, indices
    /// keep their order.
    pub fn build<K: Hash + Eq>(n: usize, key_of: impl Fn(usize) -> Option<K>) -> Keyless {
        let mut table: HashTable<u32> = HashTable::new();
        let mut hashes = Hashes::default();
        // Each group's first index, then each group's size, by group number.
        let mut firsts: Vec<u32> = Vec::new();
        let mut sizes: Vec<u32> = Vec::new();
        let mut placed: Vec<(u32, u32)> = Vec::new();
        let first_key = |firsts: &[u32], g: u32| key_of(firsts[g as usize] as usize);
        for i in 0..n {
            let Some(key) = key_of(i) else { continue };
            let h = hash(&key);
            let group = match table.find(h, |g| first_key(&firsts, *g).as_ref() == Some(&key)) {
                Some(g) => *g,
                None => {
                    let g = hashes.insert(&mut table, h);
                    firsts.push(to_u32(i));
                    sizes.push(0);
                    g
                }
            };
            sizes[group as usize] += 1;
            placed.push((group, to_u32(i)));
        }
        hashes.shrink(&mut table);
        let (starts, ids) = place(placed, sizes);
        Keyless { table, starts, ids }
    }

    /// The indices whose key is `key`, in order; empty when there are none. `key_of` is
    /// the function the groups were built with.
    pub fn get<K: Hash + Eq>(&self, key: &K, key_of: impl Fn(usize) -> Option<K>) -> &[u32] {
        let found = self.table.find(hash(key), |g| {
            key_of(self.ids[self.starts[*g as usize] as usize] as usize).as_ref() == Some(key)
        });
        match found {
            Some(g) => group(&self.starts, &self.ids, *g as usize),
            None => &[],
        }
    }

    /// Every group's indices, groups in the order their first index came.
    pub fn groups(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.starts.len() - 1).map(|g| group(&self.starts, &self.ids, g))
    }
}

fn group<'a>(starts: &[u32], ids: &'a [u32], g: usize) -> &'a [u32] {
    &ids[starts[g] as usize..starts[g + 1] as usize]
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

    #[test]
    fn keyless_groups_read_their_keys_from_the_items() {
        let items = ["b", "", "a", "b", "c", "a", "b"];
        let key_of = |i: usize| Some(items[i]).filter(|k| !k.is_empty());
        let g = Keyless::build(items.len(), key_of);
        assert_eq!(g.get(&"b", key_of), [0, 3, 6]);
        assert_eq!(g.get(&"a", key_of), [2, 5]);
        assert_eq!(g.get(&"c", key_of), [4]);
        assert_eq!(g.get(&"", key_of), [] as [u32; 0]);
        assert_eq!(g.get(&"d", key_of), [] as [u32; 0]);
        let all: Vec<&[u32]> = g.groups().collect();
        assert_eq!(all, [&[0, 3, 6][..], &[2, 5], &[4]]);
        let empty = Keyless::default();
        assert_eq!(empty.get(&"a", key_of), [] as [u32; 0]);
        assert_eq!(empty.groups().count(), 0);
    }

    /// Texts look up groups keyed by interned strings, whether or not they are the key's own
    /// text: [`Pair`] and [`Triple`] hash and compare as the keys do.
    #[test]
    fn texts_find_the_groups_of_interned_keys() {
        use crate::model::intern::{Pair, Str, Triple};
        let s = |t: &str| Str::from(t);
        let triples = Grouped::build([
            ((s("prod"), s("app"), s("web")), 0),
            ((s("prod"), s("app"), s("db")), 1),
            ((s("dev"), s("app"), s("web")), 2),
            ((s("prod"), s("app"), s("web")), 3),
        ]);
        assert_eq!(triples.get(&Triple("prod", "app", "web")), [0, 3]);
        assert_eq!(triples.get(&Triple("dev", "app", "web")), [2]);
        assert_eq!(triples.get(&Triple("dev", "app", "db")), [] as [u32; 0]);
        assert_eq!(triples.get(&Triple("prodapp", "", "web")), [] as [u32; 0]);
        let (key, group) = triples.iter().next().expect("a group");
        assert_eq!(triples.get(&Triple(&key.0, &key.1, &key.2)), group);
        let pairs = Grouped::build([((s("prod"), s("web")), 0), ((s("prod"), s("db")), 1)]);
        assert_eq!(pairs.get(&Pair("prod", "db")), [1]);
        assert_eq!(pairs.get(&Pair("prodd", "b")), [] as [u32; 0]);
        let keys: Vec<_> = triples.iter().map(|(k, g)| (k.2.to_string(), g.to_vec())).collect();
        assert_eq!(
            keys,
            [
                ("web".into(), vec![0, 3]),
                ("db".into(), vec![1]),
                ("web".into(), vec![2])
            ]
        );
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
        let key_of = |i: usize| Some(i % 3_001);
        let g = Keyless::build(10_000, key_of);
        for k in 0..3_001usize {
            let want: Vec<u32> = (0..10_000u32).filter(|i| *i as usize % 3_001 == k).collect();
            assert_eq!(g.get(&k, key_of), want);
        }
        assert_eq!(g.get(&3_001, key_of), [] as [u32; 0]);
    }
}
