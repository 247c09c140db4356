//! The compact structures a snapshot is indexed into: interned string ids,
//! per-user lists in one allocation, per-user lists that a new snapshot
//! shares with the one it was made from, and a branch-free search.

use std::hash::Hasher;
use std::sync::Arc;

use hashbrown::HashTable;
use rustc_hash::FxHasher;

use super::PoolIdx;

pub(super) fn idx(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Interned string ids: the keys in one arena, a hash table of indices.
/// A lookup touches the table and one key, both compact, so large
/// companies stay in cache.
#[derive(Clone, Default)]
pub(super) struct Interner {
    arena: String,
    spans: Vec<(u32, u32)>,
    table: HashTable<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} keys)", self.spans.len())
    }
}

fn hash_key(key: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(key.as_bytes());
    h.finish()
}

fn span<'a>(arena: &'a str, spans: &[(u32, u32)], i: u32) -> &'a str {
    spans
        .get(i as usize)
        .and_then(|&(a, b)| arena.get(a as usize..b as usize))
        .unwrap_or_default()
}

impl Interner {
    pub(super) fn with_capacity(n: usize) -> Interner {
        Interner {
            arena: String::with_capacity(n * 24),
            spans: Vec::with_capacity(n),
            table: HashTable::with_capacity(n),
        }
    }

    #[inline]
    pub(super) fn get(&self, key: &str) -> Option<u32> {
        self.table
            .find(hash_key(key), |&i| span(&self.arena, &self.spans, i) == key)
            .copied()
    }

    /// Adds `key` as the next index, or says it is already there.
    pub(super) fn insert(&mut self, key: &str) -> bool {
        if self.get(key).is_some() {
            return false;
        }
        let Interner {
            arena,
            spans,
            table,
        } = self;
        let i = idx(spans.len());
        let start = idx(arena.len());
        arena.push_str(key);
        spans.push((start, idx(arena.len())));
        table.insert_unique(hash_key(key), i, |&j| hash_key(span(arena, spans, j)));
        true
    }
}

/// Per-user lists in one allocation each: `items[offsets[u]..offsets[u + 1]]`.
#[derive(Clone, Debug)]
pub(super) struct Csr<T> {
    pub(super) offsets: Vec<u32>,
    pub(super) items: Vec<T>,
}

impl<T> Csr<T> {
    pub(super) fn new() -> Csr<T> {
        Csr {
            offsets: vec![0],
            items: Vec::new(),
        }
    }

    pub(super) fn with_capacity(lists: usize, items: usize) -> Csr<T> {
        let mut offsets = Vec::with_capacity(lists + 1);
        offsets.push(0);
        Csr {
            offsets,
            items: Vec::with_capacity(items),
        }
    }

    /// Adds the next list: what `fill` appends to the items.
    pub(super) fn push_list(&mut self, fill: impl FnOnce(&mut Vec<T>)) {
        fill(&mut self.items);
        self.offsets.push(idx(self.items.len()));
    }

    pub(super) fn from_lists(lists: impl IntoIterator<Item = Vec<T>>) -> Csr<T> {
        let mut csr = Csr::new();
        for list in lists {
            csr.items.extend(list);
            csr.offsets.push(idx(csr.items.len()));
        }
        csr
    }

    pub(super) fn get(&self, i: usize) -> &[T] {
        let (a, b) = self.bounds(i);
        self.items.get(a..b).unwrap_or(&[])
    }

    /// Where list `i` lies in `items` (empty for an unknown `i`).
    #[inline(always)]
    pub(super) fn bounds(&self, i: usize) -> (usize, usize) {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        }
    }
}

/// Users per shared chunk of a [`Shared`] list.
const CHUNK: usize = 64;

/// A value per user, most of them absent, in chunks that a copy shares
/// until one of its users changes: copying costs one pointer per 64 users,
/// changing a user copies one chunk of pointers and that user's value.
#[derive(Clone, Debug)]
pub(super) struct Shared<T> {
    chunks: Vec<Arc<Vec<Option<Arc<T>>>>>,
}

impl<T: Clone + Default> Shared<T> {
    pub(super) fn for_users(n: usize) -> Shared<T> {
        Shared {
            chunks: (0..n.div_ceil(CHUNK))
                .map(|_| Arc::new(vec![None; CHUNK]))
                .collect(),
        }
    }

    #[inline]
    pub(super) fn get(&self, u: usize) -> Option<&T> {
        self.chunks
            .get(u / CHUNK)
            .and_then(|c| c.get(u % CHUNK))
            .and_then(Option::as_deref)
    }

    /// Changes user `u`'s value (a default one when absent); a value left
    /// equal to the default is dropped. No-op for an unknown user.
    pub(super) fn update(&mut self, u: usize, change: impl FnOnce(&mut T), empty: fn(&T) -> bool) {
        let Some(chunk) = self.chunks.get_mut(u / CHUNK) else {
            return;
        };
        let Some(slot) = Arc::make_mut(chunk).get_mut(u % CHUNK) else {
            return;
        };
        let value = slot.get_or_insert_with(Arc::default);
        change(Arc::make_mut(value));
        if empty(value) {
            *slot = None;
        }
    }

    /// Every user's value, for a pass over all of them.
    pub(super) fn each_mut(&mut self, mut f: impl FnMut(&mut T)) {
        for chunk in &mut self.chunks {
            for v in Arc::make_mut(chunk).iter_mut().flatten() {
                f(Arc::make_mut(v));
            }
        }
    }
}

/// The first position in sorted `keys` whose key is not below `key`, without
/// branching on the keys: decisions come in any order, so the branches of a
/// binary search would be mispredicted half the time.
#[inline(always)]
pub(super) fn lower_bound(keys: &[PoolIdx], key: PoolIdx) -> usize {
    let mut base = 0;
    let mut len = keys.len();
    while len > 1 {
        let half = len / 2;
        if keys.get(base + half).is_some_and(|&k| k < key) {
            base += half;
        }
        len -= half;
    }
    base + usize::from(keys.get(base).is_some_and(|&k| k < key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bound_agrees_with_a_binary_search() {
        // Every sorted list of up to 9 keys drawn from 0..4 (with repeats),
        // every key asked from 0..5.
        let mut lists: Vec<Vec<u32>> = vec![vec![]];
        for _ in 0..9 {
            let longer: Vec<Vec<u32>> = lists
                .iter()
                .filter(|l| l.len() < 9)
                .flat_map(|l| {
                    let last = l.last().copied().unwrap_or(0);
                    (last..4).map(move |k| {
                        let mut l = l.clone();
                        l.push(k);
                        l
                    })
                })
                .collect();
            lists.extend(longer);
            lists.sort();
            lists.dedup();
        }
        assert!(lists.len() > 200);
        for list in &lists {
            let keys: Vec<PoolIdx> = list.iter().map(|&k| PoolIdx(k)).collect();
            for key in 0..5 {
                let key = PoolIdx(key);
                assert_eq!(
                    lower_bound(&keys, key),
                    keys.partition_point(|&k| k < key),
                    "{list:?} {key:?}"
                );
            }
        }
    }

    #[test]
    fn a_copy_of_a_shared_list_is_not_changed_by_the_original() {
        let mut a: Shared<Vec<u32>> = Shared::for_users(200);
        a.update(130, |v| v.push(1), Vec::is_empty);
        let b = a.clone();
        a.update(130, |v| v.push(2), Vec::is_empty);
        a.update(5, |v| v.push(3), Vec::is_empty);
        assert_eq!(b.get(130), Some(&vec![1]));
        assert_eq!(b.get(5), None);
        assert_eq!(a.get(130), Some(&vec![1, 2]));
        a.update(5, Vec::clear, Vec::is_empty);
        assert_eq!(a.get(5), None);
        a.update(999, |v| v.push(4), Vec::is_empty);
        assert_eq!(a.get(999), None);
    }
}
