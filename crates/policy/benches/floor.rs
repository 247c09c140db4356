//! The practical floor for a pool decision, written by hand for this
//! model and nothing else: ids interned through one hash of the (lower
//! case) string, per user one sorted array of (pool, level, period) built
//! from group memberships and grants, one branch-free search, a yes or no
//! and no reason. `cargo xtask bench` prints the engine's figures as ratios
//! to these, measured in the same run.

use rustc_hash::FxHashMap;

use interim_policy::PoolLevel;
use interim_policy::wire::SnapshotWire;

#[derive(Clone, Copy)]
struct Entry {
    level: PoolLevel,
    from_ms: i64,
    to_ms: i64,
}

pub struct Floor {
    users: FxHashMap<Box<str>, u32>,
    pools: FxHashMap<Box<str>, u32>,
    enabled: Vec<bool>,
    offsets: Vec<u32>,
    keys: Vec<u32>,
    entries: Vec<Entry>,
}

/// Lower case, allocating only when the id has a capital or non-ASCII letter.
fn key(id: &str) -> std::borrow::Cow<'_, str> {
    if id
        .bytes()
        .fold(false, |any, b| any | (b >= 0x80) | b.is_ascii_uppercase())
    {
        std::borrow::Cow::Owned(id.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(id)
    }
}

impl Floor {
    /// Indexes the company (RBAC on, no request settings, no requests: the
    /// sample company's shape).
    pub fn build(w: &SnapshotWire) -> Floor {
        let users: FxHashMap<Box<str>, u32> = w
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (key(&u.email).into(), i as u32))
            .collect();
        let pools: FxHashMap<Box<str>, u32> = w
            .agent_pools
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str().into(), i as u32))
            .collect();
        let mut lists: Vec<Vec<(u32, Entry)>> = vec![Vec::new(); w.users.len()];
        for g in &w.groups {
            let level = g.roles.iter().copied().max();
            for m in &g.members {
                let Some(&u) = users.get(key(&m.email).as_ref()) else {
                    continue;
                };
                let Some(level) = level.max(m.elevated_roles.iter().copied().max()) else {
                    continue;
                };
                for p in g
                    .agent_pool_ids
                    .iter()
                    .filter_map(|p| pools.get(p.as_str()))
                {
                    lists[u as usize].push((
                        *p,
                        Entry {
                            level,
                            from_ms: i64::MIN,
                            to_ms: i64::MAX,
                        },
                    ));
                }
            }
        }
        for g in &w.grants {
            let level = g
                .roles
                .iter()
                .map(|r| r.0)
                .max()
                .unwrap_or(PoolLevel::Standard);
            let entry = Entry {
                level,
                from_ms: g.created_at.timestamp_millis(),
                to_ms: g.expiration_date.timestamp_millis(),
            };
            for e in &g.user_emails {
                let Some(&u) = users.get(key(e).as_ref()) else {
                    continue;
                };
                for p in g
                    .agent_pool_ids
                    .iter()
                    .filter_map(|p| pools.get(p.as_str()))
                {
                    lists[u as usize].push((*p, entry));
                }
            }
        }
        let mut floor = Floor {
            enabled: w.users.iter().map(|u| u.enabled).collect(),
            users,
            pools,
            offsets: vec![0],
            keys: Vec::new(),
            entries: Vec::new(),
        };
        for mut list in lists {
            list.sort_by_key(|(p, _)| *p);
            floor.keys.extend(list.iter().map(|(p, _)| *p));
            floor.entries.extend(list.iter().map(|(_, e)| *e));
            floor.offsets.push(floor.keys.len() as u32);
        }
        floor
    }

    pub fn user(&self, email: &str) -> Option<u32> {
        self.users.get(key(email).as_ref()).copied()
    }

    pub fn pool(&self, id: &str) -> Option<u32> {
        self.pools.get(id).copied()
    }

    /// Whether the user may use the pool at `need` at `now_ms`.
    #[inline]
    pub fn allowed(&self, u: u32, p: u32, need: PoolLevel, now_ms: i64) -> bool {
        if !self.enabled[u as usize] {
            return false;
        }
        let (a, b) = (
            self.offsets[u as usize] as usize,
            self.offsets[u as usize + 1] as usize,
        );
        let keys = &self.keys[a..b];
        // Branch-free lower bound.
        let mut base = 0;
        let mut len = keys.len();
        while len > 1 {
            let half = len / 2;
            base += usize::from(keys[base + half] < p) * half;
            len -= half;
        }
        let mut i = base + usize::from(keys.get(base).is_some_and(|&k| k < p));
        while i < keys.len() && keys[i] == p {
            let e = &self.entries[a + i];
            if e.level >= need && e.from_ms <= now_ms && now_ms < e.to_ms {
                return true;
            }
            i += 1;
        }
        false
    }

    /// By string ids: the user's and the pool's lookups, then the search.
    pub fn allowed_by_id(&self, email: &str, pool: &str, need: PoolLevel, now_ms: i64) -> bool {
        match (self.user(email), self.pool(pool)) {
            (Some(u), Some(p)) => self.allowed(u, p, need, now_ms),
            _ => false,
        }
    }
}
