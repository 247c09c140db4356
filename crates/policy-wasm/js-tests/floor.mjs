// The practical floor from JavaScript: the same hand-written engine as
// `crates/policy/benches/floor.rs`, in plain JavaScript over typed arrays,
// for this model and nothing else: ids interned through a `Map`, per user
// one sorted array of (pool, level, period) from group memberships and
// grants, one branch-free search, a yes or no and no reason (RBAC on, no
// requests: the benchmark company's shape). The bench prints the package's
// figures beside these, measured in the same run.

const LEVEL = { STANDARD: 0, PRIVILEGED: 1, Standard: 0, Privileged: 1 };

/** Indexes a company snapshot in the wire shape. */
export function buildFloor(wire) {
  const users = new Map(wire.users.map((u, i) => [u.email.toLowerCase(), i]));
  const pools = new Map(wire.agentPools.map((p, i) => [p.id, i]));
  const lists = wire.users.map(() => []);
  for (const g of wire.groups) {
    const groupLevel = Math.max(-1, ...g.roles.map((r) => LEVEL[r]));
    for (const m of g.members) {
      const u = users.get(m.email.toLowerCase());
      const level = Math.max(groupLevel, ...(m.elevatedRoles ?? []).map((r) => LEVEL[r]));
      if (u === undefined || level < 0) continue;
      for (const id of g.agentPoolIds) {
        const p = pools.get(id);
        if (p !== undefined) lists[u].push([p, level, -Infinity, Infinity]);
      }
    }
  }
  for (const g of wire.grants) {
    const level = Math.max(0, ...g.roles.map((r) => LEVEL[r]));
    const from = Date.parse(g.createdAt);
    const to = Date.parse(g.expirationDate);
    for (const email of g.userEmails) {
      const u = users.get(email.toLowerCase());
      if (u === undefined) continue;
      for (const id of g.agentPoolIds) {
        const p = pools.get(id);
        if (p !== undefined) lists[u].push([p, level, from, to]);
      }
    }
  }
  const total = lists.reduce((n, l) => n + l.length, 0);
  const offsets = new Uint32Array(lists.length + 1);
  const keys = new Uint32Array(total);
  const levels = new Uint8Array(total);
  const froms = new Float64Array(total);
  const tos = new Float64Array(total);
  let at = 0;
  lists.forEach((list, u) => {
    list.sort((a, b) => a[0] - b[0]);
    for (const [p, level, from, to] of list) {
      keys[at] = p; levels[at] = level; froms[at] = from; tos[at] = to; at++;
    }
    offsets[u + 1] = at;
  });
  const enabled = Uint8Array.from(wire.users, (u) => (u.enabled ? 1 : 0));

  /** Whether user `u` may use pool `p` at `need` (0 Standard, 1 Privileged). */
  function allowed(u, p, need, nowMs) {
    if (!enabled[u]) return false;
    const a = offsets[u];
    let base = a;
    let len = offsets[u + 1] - a;
    while (len > 1) {
      const half = len >>> 1;
      base += (keys[base + half] < p) * half;
      len -= half;
    }
    const end = offsets[u + 1];
    let i = base + (base < end && keys[base] < p);
    for (; i < end && keys[i] === p; i++) {
      if (levels[i] >= need && froms[i] <= nowMs && nowMs < tos[i]) return true;
    }
    return false;
  }

  return {
    userIndex: (email) => users.get(email.toLowerCase()) ?? -1,
    poolIndex: (id) => pools.get(id) ?? -1,
    allowed,
    /** By string ids: both lookups, then the search. */
    canUsePool(email, id, nowMs) {
      const u = users.get(email.toLowerCase());
      const p = pools.get(id);
      return u !== undefined && p !== undefined && allowed(u, p, 0, nowMs);
    },
    /** A batch by indices, into a `Uint8Array` as the package answers. */
    canUsePools(us, ps, nowMs) {
      const out = new Uint8Array(us.length);
      for (let i = 0; i < us.length; i++) out[i] = allowed(us[i], ps[i], 0, nowMs) ? 1 : 0;
      return out;
    },
  };
}
