//! Strings interned for the run: the facts kept for cross-object rules repeat the same few
//! strings (namespaces, kinds, apiVersions, label keys and values, images, names shared by
//! an app's objects) tens of thousands of times. Each is stored once and shared as a
//! [`Str`]; keys of the index built from the facts are [`Str`]s too, and a lookup by text
//! that the run never interned cannot match anything.

use rustc_hash::{FxBuildHasher, FxHashSet};
use std::hash::BuildHasher;
use std::sync::Mutex;

/// An interned string: cheap to clone, compare and hash, and one pointer wide (its length
/// lives with its bytes), which keeps the facts and the keys of the index small.
pub type Str = arcstr::ArcStr;

/// Shards, so that threads loading files in parallel rarely wait for one another.
const SHARDS: usize = 16;

/// The run's interned strings.
#[derive(Debug, Default)]
pub struct Interner {
    shards: [Mutex<FxHashSet<Str>>; SHARDS],
}

impl Interner {
    fn shard(&self, s: &str) -> std::sync::MutexGuard<'_, FxHashSet<Str>> {
        let i = (FxBuildHasher.hash_one(s) as usize) % SHARDS;
        self.shards[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The shared copy of `s`, stored on first use.
    pub fn intern(&self, s: &str) -> Str {
        let mut shard = self.shard(s);
        if let Some(found) = shard.get(s) {
            return found.clone();
        }
        let new = Str::from(s);
        shard.insert(new.clone());
        new
    }

    /// The shared copy of `s`, if the run has stored it.
    pub fn get(&self, s: &str) -> Option<Str> {
        self.shard(s).get(s).cloned()
    }

    /// Every interned string so far, for read-only lookups by the index.
    pub fn to_set(&self) -> FxHashSet<Str> {
        let mut all = FxHashSet::default();
        for shard in &self.shards {
            all.extend(shard.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned());
        }
        all
    }
}

/// A map keyed by pairs of [`Str`]s (namespace and name) that [`Pair`] looks up.
pub type PairMap<V> = hashbrown::HashMap<(Str, Str), V, FxBuildHasher>;

/// Two strings that look up a [`PairMap`] without being made [`Str`]s first: they hash as
/// the pair of [`Str`]s does (a `Str` hashes as its text).
#[derive(Hash)]
pub struct Pair<'a>(pub &'a str, pub &'a str);

impl hashbrown::Equivalent<(Str, Str)> for Pair<'_> {
    fn equivalent(&self, key: &(Str, Str)) -> bool {
        same(self.0, &key.0) && same(self.1, &key.1)
    }
}

/// Whether a text is the text of a [`Str`]: by address first (a text read out of the run's
/// facts is often that very `Str`), then by bytes.
fn same(text: &str, s: &Str) -> bool {
    text.len() == s.len() && (std::ptr::eq(text.as_ptr(), s.as_ptr()) || text == s.as_str())
}

/// Three strings that look up a map or a [`Grouped`](super::grouped::Grouped) keyed by
/// triples of [`Str`]s, as [`Pair`] does pairs: no [`Str`] is looked up or cloned for it.
#[derive(Hash)]
pub struct Triple<'a>(pub &'a str, pub &'a str, pub &'a str);

impl hashbrown::Equivalent<(Str, Str, Str)> for Triple<'_> {
    fn equivalent(&self, key: &(Str, Str, Str)) -> bool {
        same(self.0, &key.0) && same(self.1, &key.1) && same(self.2, &key.2)
    }
}

/// Labels (or any string map) kept compactly: interned pairs sorted by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Box<[(Str, Str)]>);

impl Labels {
    pub fn new<'a>(interner: &Interner, pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Labels {
        let mut v: Vec<(Str, Str)> = pairs
            .into_iter()
            .map(|(k, v)| (interner.intern(k), interner.intern(v)))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.dedup_by(|a, b| a.0 == b.0);
        Labels(v.into_boxed_slice())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|i| &*self.0[i].1)
    }

    /// These labels with one more pair (replacing the key's value).
    pub fn with(&self, key: Str, value: Str) -> Labels {
        let mut v: Vec<(Str, Str)> = self.0.iter().filter(|(k, _)| *k != key).cloned().collect();
        v.push((key, value));
        v.sort_by(|a, b| a.0.cmp(&b.0));
        Labels(v.into_boxed_slice())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Str, &Str)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// What a label selector reads: the value of a key.
pub trait LabelSet {
    fn label(&self, key: &str) -> Option<&str>;
}

impl LabelSet for Labels {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key)
    }
}

impl LabelSet for std::collections::BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_strings_are_shared() {
        let i = Interner::default();
        let a = i.intern("default");
        let b = i.intern("default");
        assert!(Str::ptr_eq(&a, &b));
        assert!(i.get("default").is_some());
        assert!(i.get("other").is_none());
    }

    #[test]
    fn labels_look_up_by_key() {
        let i = Interner::default();
        let map: std::collections::BTreeMap<String, String> = [
            ("tier".to_string(), "web".to_string()),
            ("app".to_string(), "shop".to_string()),
        ]
        .into();
        let l = Labels::new(&i, &map);
        assert_eq!(l.get("app"), Some("shop"));
        assert_eq!(l.get("tier"), Some("web"));
        assert_eq!(l.get("zone"), None);
        assert_eq!(l.len(), 2);
    }
}
