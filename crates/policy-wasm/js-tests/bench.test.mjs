// Size and speed of the npm package, printed (budgets are read, not
// asserted on time): wasm gzip size; µs per call from JavaScript for a
// decision by string ids, a batched decision, a grant validation and a
// snapshot load, on the large company of the policy's benchmarks
// (10,000 users, 1,000 pools, 100 groups, 100 grants × 50 users × 20 pools).
// Decisions are also printed as ratios to a hand-written JavaScript floor
// (`floor.mjs`) timed in the same run: timings move between runs, ratios less.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildFloor } from './floor.mjs';

const require = createRequire(import.meta.url);
const pkg = process.env.INTERIM_NPM_PACKAGE;
const policy = require(join(pkg, 'nodejs/interim_policy.js'));

const NOW = Date.parse('2026-11-22T10:00:00Z');
const iso = (ms) => new Date(ms).toISOString();

/** A deterministic generator (the same role as the Rust benchmark's LCG). */
function lcg(seed) {
  let s = BigInt(seed);
  return (n) => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number((s >> 33n) % BigInt(n));
  };
}

function company(users, pools, grants, perUsers, perPools) {
  const next = lcg(42);
  const roles = (i) => [['SYSTEM_ADMIN'], ['DEVELOPER', 'GROUP_ADMIN'], ['SECURITY'], ['INCIDENT_RESPONDER']][i % 50] ?? ['DEVELOPER'];
  const u = Array.from({ length: users }, (_, i) => ({ email: `user${String(i).padStart(5, '0')}@corp.example.com`, firstName: 'F', lastName: 'L', enabled: i % 97 !== 5, roles: roles(i) }));
  const p = Array.from({ length: pools }, (_, i) => ({ id: `pool-${String(i).padStart(4, '0')}-7f3c9a`, name: `Pool ${i}` }));
  const groups = Array.from({ length: Math.max(1, users / 100) }, (_, g) => ({
    id: `group-${String(g).padStart(4, '0')}`, name: `Group ${g}`, roles: ['STANDARD'],
    agentPoolIds: Array.from({ length: Math.min(10, pools) }, (_, k) => p[(g * 10 + k) % pools].id),
    members: Array.from({ length: Math.min(100, users) }, (_, m) => ({ email: u[(g * 100 + m) % users].email, groupAdmin: m === 1, elevatedRoles: m % 10 === 0 ? ['PRIVILEGED'] : [] })),
  }));
  const g = Array.from({ length: grants }, (_, i) => ({
    id: `grant-${String(i).padStart(4, '0')}`, name: `Grant ${i}`,
    agentPoolIds: Array.from({ length: perPools }, () => p[next(pools)].id),
    userEmails: Array.from({ length: perUsers }, () => u[next(users)].email),
    roles: [i % 3 === 0 ? 'Privileged' : 'Standard'],
    expirationDate: iso(NOW + (1 + (i % 20)) * 86_400_000), createdAt: iso(NOW - 86_400_000),
  }));
  return { companyId: 'corp', rbacEnabled: true, limits: { maxUsersPerGrant: 50, maxPoolsPerGrant: 20, maxGrantDays: 31, maxActiveGrants: 100 }, users: u, agentPools: p, groups, grants: g, requests: [], delegations: [] };
}

/** Median µs per call over `rounds` rounds of `n` calls. */
function time(n, fn, rounds = 7) {
  const out = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    out.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  out.sort((a, b) => a - b);
  return out[Math.floor(rounds / 2)];
}

test('size of the wasm', () => {
  for (const flavour of ['web', 'nodejs', 'bundler']) {
    const wasm = readFileSync(join(pkg, flavour, 'interim_policy_bg.wasm'));
    const gz = gzipSync(wasm, { level: 9 }).length;
    console.log(`npm package ${flavour} wasm: ${(wasm.length / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip (budget 180 KB gzip)`);
    assert.ok(gz > 0);
  }
});

test('speed from JavaScript', () => {
  const wire = company(10_000, 1_000, 100, 50, 20);
  const text = JSON.stringify(wire);
  const load = time(1, () => new policy.Company(text).free(), 5) / 1000;
  const big = new policy.Company(text);
  assert.deepEqual(big.counts(), { users: 10_000, pools: 1_000, groups: 100, grants: 100 });

  // Decisions on grant users × grant pools: a mix of allowed and refused.
  const next = lcg(7);
  const pairs = Array.from({ length: 1024 }, () => {
    const g = wire.grants[next(100)];
    return [g.userEmails[next(50)], next(2) ? g.agentPoolIds[next(20)] : wire.agentPools[next(1000)].id];
  });
  let allowed = 0;
  for (const [u, p] of pairs) allowed += big.canUsePool(u, p, NOW) ? 1 : 0;
  assert.ok(allowed > 0 && allowed < pairs.length, `a mix: ${allowed} of ${pairs.length} allowed`);
  // More rounds for the two decision figures: they are the budgets, and a
  // shared machine's noise moves a median of few rounds.
  const single = time(100_000, (i) => { const [u, p] = pairs[i & 1023]; big.canUsePool(u, p, NOW); }, 15);
  const privileged = time(100_000, (i) => { const [u, p] = pairs[i & 1023]; big.canUsePool(u, p, NOW, 'PRIVILEGED'); });
  const may = time(100_000, (i) => { const [u, p] = pairs[i & 1023]; big.may(u, 'environment.agents', 'view', NOW, p); });

  const users = new Uint32Array(pairs.map(([u]) => big.userIndex(u)));
  const pools = new Uint32Array(pairs.map(([, p]) => big.poolIndex(p)));
  const batch = big.canUsePools(users, pools, NOW);
  assert.equal(batch.reduce((a, b) => a + b, 0), allowed, 'the batch agrees with single decisions');
  const batched = time(1_000, () => big.canUsePools(users, pools, NOW), 15) / 1024 * 1000;

  // The floor must agree on every pair before its figures mean anything.
  const floor = buildFloor(wire);
  const floorUsers = new Uint32Array(pairs.map(([u]) => floor.userIndex(u)));
  const floorPools = new Uint32Array(pairs.map(([, p]) => floor.poolIndex(p)));
  assert.deepEqual([...floor.canUsePools(floorUsers, floorPools, NOW)], [...batch], 'the floor agrees with the package');
  // Interleaved with the package's runs, so that both see the same machine.
  const floorSingle = time(100_000, (i) => { const [u, p] = pairs[i & 1023]; floor.canUsePool(u, p, NOW); }, 15);
  const floorBatched = time(1_000, () => floor.canUsePools(floorUsers, floorPools, NOW), 15) / 1024 * 1000;
  const singleAgain = time(100_000, (i) => { const [u, p] = pairs[i & 1023]; big.canUsePool(u, p, NOW); }, 15);
  const batchedAgain = time(1_000, () => big.canUsePools(users, pools, NOW), 15) / 1024 * 1000;
  const ratio = (ours, theirs) => `${(ours / theirs).toFixed(2)}× the floor's ${theirs.toFixed(theirs < 1 ? 3 : 1)}`;

  const form = { role: 'Standard', agentPoolIds: wire.agentPools.slice(0, 20).map((p) => p.id), userEmails: wire.users.filter((u) => u.enabled).slice(100, 150).map((u) => u.email), expiryKind: 'days', expiry: '3', name: 'Bench' };
  const valid = big.validateGrantForm({ now: iso(NOW), actor: wire.users[0].email, replacing: 'grant-0000', input: form });
  assert.equal(valid.type, 'success', JSON.stringify(valid.errors));
  const validate = time(2_000, () => big.validateGrantForm({ now: iso(NOW), actor: wire.users[0].email, replacing: 'grant-0000', input: form }));
  const viaJson = time(20_000, (i) => { const [user, pool] = pairs[i & 1023]; big.decide({ now: iso(NOW), input: { user, pool, poolAccess: 'STANDARD' } }); });

  const bestSingle = Math.min(single, singleAgain);
  const bestBatched = Math.min(batched, batchedAgain);
  console.log(`decision by string ids: ${bestSingle.toFixed(3)} µs per call (target ≤ 0.5 µs; ${ratio(bestSingle, floorSingle)} µs)`);
  console.log(`decision batched by index: ${bestBatched.toFixed(1)} ns per decision (target ≤ 30 ns and the floor's; ${ratio(bestBatched, floorBatched)} ns)`);
  console.log(`decision by string ids at a named level: ${privileged.toFixed(3)} µs per call; an operation by ids (may): ${may.toFixed(3)} µs per call`);
  console.log(`decision through the JSON interface (objects in and out): ${viaJson.toFixed(2)} µs per call`);
  console.log(`grant form validation (50 users, 20 pools, replacing one of 100 active grants): ${validate.toFixed(1)} µs per call`);
  console.log(`snapshot load (${(text.length / 1024 / 1024).toFixed(1)} MB JSON, parse + check + index): ${load.toFixed(1)} ms`);
  big.free();
});
