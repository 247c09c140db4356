//! Every user's entries in one flat list, as of the last indexing: what a
//! decision searches unless the user's grants changed since.

use super::index::{Csr, Shared, lower_bound};
use super::temporal::UserTemporal;
use super::{AccessEntry, Directory, PoolIdx, Snapshot, UserIdx};
use crate::role::RoleSet;

/// Every user's entries (memberships, grants, requests) in one list each,
/// sorted by pool then source, and their pools apart for the search.
#[derive(Debug)]
pub(super) struct Merged {
    pub(super) access: Csr<AccessEntry>,
    pub(super) pools: Vec<PoolIdx>,
}

impl Merged {
    pub(super) fn empty() -> Merged {
        Merged {
            access: Csr::new(),
            pools: Vec::new(),
        }
    }

    /// The lists of `dir` and `temporal`, merged.
    pub(super) fn of(dir: &Directory, temporal: &Shared<UserTemporal>) -> Merged {
        let mut access = Csr::with_capacity(dir.users.len(), dir.fixed.items.len());
        for u in 0..dir.users.len() {
            let (a, b) = dir.fixed.bounds(u);
            access.push_list(|items| {
                let start = items.len();
                items.extend_from_slice(dir.fixed.items.get(a..b).unwrap_or(&[]));
                if let Some(t) = temporal.get(u) {
                    items.extend_from_slice(&t.entries);
                    if let Some(list) = items.get_mut(start..) {
                        crate::order::sort_slice_by_key(list, |e| (e.pool, e.source));
                    }
                }
            });
        }
        let pools = access.items.iter().map(|e| e.pool).collect();
        Merged { access, pools }
    }
}

/// The entries for `pool` in one user's part of a list sorted by pool,
/// whose pools are `keys` (branch-free search, then the run of equal keys).
#[inline]
pub(super) fn entries_for<'a>(
    items: &'a [AccessEntry],
    keys: &[PoolIdx],
    pool: PoolIdx,
) -> &'a [AccessEntry] {
    let first = lower_bound(keys, pool);
    let count = keys
        .get(first..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&k| k == pool)
        .count();
    items.get(first..first + count).unwrap_or(&[])
}

/// What pool decisions read (users' flags, the pool count, every user's
/// flat list), taken out of the snapshot once. A batch reads them from
/// here: in wasm, reads through the snapshot would be made again for every
/// pair, as a store to the answer might have changed them.
#[derive(Clone, Copy, Debug)]
pub struct PoolLists<'a> {
    pub(super) snapshot: &'a Snapshot,
    pub(super) hot: &'a [(bool, RoleSet)],
    pub(super) pools: usize,
    pub rbac_enabled: bool,
    /// No user's grants changed since the flat lists were made.
    pub(super) fresh: bool,
    pub(super) offsets: &'a [u32],
    pub(super) keys: &'a [PoolIdx],
    pub(super) items: &'a [AccessEntry],
}

impl PoolLists<'_> {
    /// Whether the user is enabled, and their recorded roles.
    #[inline]
    pub fn user_flags(&self, u: UserIdx) -> Option<(bool, RoleSet)> {
        self.hot.get(u.get()).copied()
    }

    #[inline]
    pub fn has_pool(&self, p: PoolIdx) -> bool {
        p.get() < self.pools
    }

    /// Whether any of the user's entries for `pool` passes `test`: what
    /// [`Snapshot::access_entries`] lists, searched and tested in one pass.
    #[inline]
    pub fn any_entry(
        &self,
        u: UserIdx,
        pool: PoolIdx,
        test: impl Fn(&AccessEntry) -> bool,
    ) -> bool {
        if !self.fresh && self.snapshot.stale.contains(&u.0) {
            return self.snapshot.access_entries(u, pool).iter().any(test);
        }
        let (start, end) = match (self.offsets.get(u.get()), self.offsets.get(u.get() + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => return false,
        };
        let keys = self.keys.get(start..end).unwrap_or(&[]);
        let items = self.items.get(start..end).unwrap_or(&[]);
        // A plain loop: wasm at -Oz does not inline iterator adapters.
        let mut i = lower_bound(keys, pool);
        while let (Some(&k), Some(e)) = (keys.get(i), items.get(i)) {
            if k != pool {
                return false;
            }
            if test(e) {
                return true;
            }
            i += 1;
        }
        false
    }
}
