//! Sorting with one sort in the binary.
//!
//! The standard library's sorts are generic, so each element type the policy
//! sorts (pools, roles, periods, report rows, …) gets its own copy of a few
//! kilobytes: a fifth of the wasm package's code before this module. Here
//! one sort orders positions through a comparison passed by reference, and
//! each element type only moves its elements into that order. The lists
//! the policy sorts are small (a user's pools, a report's rows), so the
//! indirection costs nothing measurable there.
//!
//! Natively, size does not matter and indexing a large company sorts many
//! lists: there the standard library's in-place stable sort is used (it
//! finds the sorted runs a merged list is made of).

use std::cmp::Ordering;

/// The positions `0..len` in the order `cmp` gives them (stable: equal
/// elements keep their order).
fn positions(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Sorts `v` by `cmp`, stably.
#[cfg_attr(
    not(target_arch = "wasm32"),
    allow(clippy::ptr_arg, reason = "the wasm build's sort needs the Vec")
)]
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    #[cfg(not(target_arch = "wasm32"))]
    v.sort_by(cmp);
    #[cfg(target_arch = "wasm32")]
    sort_by_positions(v, cmp);
}

/// Sorts `v` by `cmp`, stably, through [`positions`] (one sort for every
/// element type: the wasm build's).
#[cfg_attr(
    not(target_arch = "wasm32"),
    allow(dead_code, reason = "tested natively")
)]
fn sort_by_positions<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        positions(items.len(), &|a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        })
    };
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

/// Sorts `v` by the key `key` gives each element, stably.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts the slice `v` by the key `key` gives each element, stably.
pub fn sort_slice_by_key<T: Copy, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    #[cfg(not(target_arch = "wasm32"))]
    v.sort_by_key(key);
    #[cfg(target_arch = "wasm32")]
    {
        let mut sorted = v.to_vec();
        sort_by_key(&mut sorted, key);
        v.copy_from_slice(&sorted);
    }
}

/// Sorts `v` in its natural order, stably.
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_library_does() {
        let mut seed = 7u64;
        for len in 0..40 {
            let mut v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_by_key(|&(k, _)| k);
            let mut by_positions = v.clone();
            sort_by_positions(&mut by_positions, |a, b| a.0.cmp(&b.0));
            assert_eq!(
                by_positions, expected,
                "the wasm build's sort: stable, by key"
            );
            sort_by_key(&mut v, |&(k, _)| k);
            assert_eq!(v, expected, "stable, by key");
            let mut w = v.clone();
            w.reverse();
            sort(&mut w);
            let mut natural = v.clone();
            natural.sort();
            assert_eq!(w, natural);
        }
    }
}
