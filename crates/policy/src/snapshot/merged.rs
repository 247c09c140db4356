//! Every user's entries in one flat list, as of the last indexing: what a
//! decision searches unless the user's grants changed since.

use super::index::{Csr, Shared, lower_bound};
use super::temporal::UserTemporal;
use super::{AccessEntry, Directory, PoolIdx};

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
