// The whole conformance corpus through the npm package's Node flavour: every
// answer must equal the native core's, exactly (messages included), and
// match the case's expectation. Cases with a snapshot run a second time
// through a loaded `Company`, which must answer the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const policy = require(join(process.env.INTERIM_NPM_PACKAGE, 'nodejs/interim_policy.js'));
const cases = JSON.parse(readFileSync(process.env.INTERIM_CORPUS_ANSWERS, 'utf8'));

/** Runs `fn`, turning a thrown MalformedInput into the core's malformed answer. */
function answerOf(fn) {
  try {
    return fn();
  } catch (e) {
    assert.equal(e.name, 'MalformedInput', `only malformed input throws: ${e}`);
    return { type: 'malformed', message: e.message, errors: e.errors };
  }
}

/** The corpus's comparison: given keys match; errors as multisets of (field, code). */
function matches(expect, actual, path = '') {
  if (Array.isArray(expect)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal(actual.length, expect.length, `${path}: length`);
    expect.forEach((e, i) => matches(e, actual[i], `${path}[${i}]`));
  } else if (expect && typeof expect === 'object') {
    for (const [k, v] of Object.entries(expect)) {
      assert.ok(actual && k in actual, `${path}.${k}: missing`);
      if (k === 'errors') {
        const pairs = (list) => list.map((x) => `${x.field} ${x.code}`).sort();
        assert.deepEqual(pairs(actual[k]), pairs(v), `${path}.errors`);
      } else {
        matches(v, actual[k], `${path}.${k}`);
      }
    }
  } else {
    assert.deepEqual(actual, expect, path);
  }
}

test(`the corpus (${cases.length} cases) gives the native core's answers`, () => {
  let viaCompany = 0, asText = 0;
  for (const c of cases) {
    // Integers beyond 2^53 do not survive a JavaScript number: such calls go as JSON text.
    const exact = typeof c.call === 'string' || !/\d{16,}/.test(c.callText);
    if (!exact) asText++;
    const answer = answerOf(() => policy.call(exact ? c.call : c.callText));
    assert.deepEqual(answer, c.answer, `${c.id}: identical to the native core`);
    matches(c.expect, answer, c.id);
    if (exact && typeof c.call === 'object' && c.call.snapshot && c.answer.type !== 'malformed') {
      const { snapshot, ...rest } = c.call;
      const company = new policy.Company(snapshot);
      const again = answerOf(() => company.call(rest));
      assert.deepEqual(again, c.answer, `${c.id}: the same through a loaded company`);
      company.free();
      viaCompany++;
    }
  }
  console.log(`corpus: ${cases.length} cases identical to the native core (${asText} sent as JSON text), ${viaCompany} also through a loaded Company`);
});

test('each operation has its own function, the same as `call`', () => {
  const ops = new Set(cases.map((c) => c.op));
  for (const c of cases) {
    if (typeof c.call !== 'object' || /\d{16,}/.test(c.callText) || ['matrix', 'catalogue'].includes(c.op)) continue;
    const { op, ...rest } = c.call;
    if (c.answer.type === 'malformed' && c.answer.errors.some((e) => e.field === 'op')) continue; // not an operation
    assert.equal(typeof policy[op], 'function', `${op} is exported`);
    assert.deepEqual(answerOf(() => policy[op](rest)), c.answer, `${c.id} through ${op}()`);
  }
  // The plain getters give what the `matrix` and `catalogue` ops answer.
  assert.deepEqual(policy.matrix(), policy.call({ op: 'matrix' }).roles);
  assert.deepEqual(policy.catalogue(), policy.call({ op: 'catalogue' }).operations);
  assert.equal(policy.matrix().length, 7, 'seven roles');
  assert.equal(policy.catalogue().length, 32, 'thirty-two operations');
  assert.ok(ops.size >= 20, `the corpus covers ${ops.size} operations`);
});

test('malformed input throws, naming what is wrong; refusals do not throw', () => {
  assert.throws(() => policy.validateGrant({ now: 'yesterday', input: {} }), (e) => e.name === 'MalformedInput' && /“now”/.test(e.message) && e.errors[0].field === 'now');
  assert.throws(() => policy.call('{"op": '), (e) => e.name === 'MalformedInput' && e.errors[0].code === 'body.json.malformed');
  assert.throws(() => policy.validateGrant({ now: '2026-11-22T10:00:00Z', input: { colour: 'red' } }), (e) => e.errors.some((v) => v.field === 'input.colour'));
  const refused = policy.validateGrant({ now: '2026-11-22T10:00:00Z', input: { agentPoolIds: [], userEmails: [], roles: ['Standard'], expirationDate: '2026-11-23T10:00:00Z' } });
  assert.equal(refused.type, 'failure');
  assert.ok(refused.errors.length >= 2, 'every problem at once');
  // Shape errors are worded in JSON's terms, not Rust's.
  assert.throws(() => policy.call(42), (e) => e.message === 'invalid type: integer `42`, expected an object');
  assert.throws(() => policy.validateGrantForm({ op: 'decide', now: '2026-11-22T10:00:00Z', input: {} }), (e) => e.errors[0].field === 'op');
  assert.throws(() => policy.validateLimits({ input: { maxUsersPerGrant: -1, maxPoolsPerGrant: 1, maxGrantDays: 1, maxActiveGrants: 1 } }),
    (e) => e.errors[0].field === 'input.maxUsersPerGrant' && /expected a whole number from 0 to 4294967295/.test(e.message));
  // A missing input is an empty one: the first field it lacks is named.
  assert.throws(() => policy.explainPoolAccess({ now: '2026-11-22T10:00:00Z', snapshot: { rbacEnabled: true } }),
    (e) => e.errors[0].code === 'body.field.missing' && e.errors[0].field === 'input.user');
  // A decimal typed where a whole number goes is a refusal, as the same text typed would be.
  const form = (expiry) => policy.validateGrantForm({ now: '2026-11-22T10:00:00Z', input: { role: 'Standard', agentPoolIds: ['p'], userEmails: ['a@b.co'], expiryKind: 'days', expiry } });
  for (const expiry of [1.5, '1.5']) assert.deepEqual(form(expiry).errors.map((e) => e.message), ['enter a whole number']);
  assert.deepEqual(form(1e20).errors.map((e) => e.code), ['grant.expiry.out_of_range']);
  assert.equal(form(3.0).type, 'success');
});

test('a loaded company decides by ids, as the JSON interface does', () => {
  const c = cases.find((x) => x.op === 'decide' && x.answer.type === 'success' && x.call.input.poolAccess && x.answer.decision.allowed);
  assert.ok(c, 'the corpus has an allowed pool decision');
  const company = new policy.Company(c.call.snapshot);
  const now = Date.parse(c.call.now);
  const { user, pool, poolAccess } = c.call.input;
  assert.equal(company.canUsePool(user, pool, now, poolAccess), true);
  assert.equal(company.canUsePool('nobody@example.com', pool, now, poolAccess), false, 'an unknown user is refused, not thrown');
  const u = company.userIndex(user), p = company.poolIndex(pool);
  assert.ok(u >= 0 && p >= 0);
  assert.deepEqual([...company.canUsePools(new Uint32Array([u, u]), new Uint32Array([p, p]), now, poolAccess)], [1, 1]);
  // Batches take typed arrays or arrays of whole numbers; an index naming
  // nobody (userIndex's -1) is refused; anything else is thrown, never read as 0.
  assert.deepEqual([...company.canUsePools([u, -1, 4294967295], [p, p, p], now, poolAccess)], [1, 0, 0]);
  assert.deepEqual([...company.canUsePools(new Int32Array([u, -1]), new Int32Array([p, p]), now, poolAccess)], [1, 0]);
  const malformedAt = (field) => (e) => e.name === 'MalformedInput' && e.errors[0].field === field;
  assert.throws(() => company.canUsePools([user], [pool], now), malformedAt('users[0]'), 'ids, not indices');
  assert.throws(() => company.canUsePools([u], [0.5], now), malformedAt('pools[0]'), 'a decimal is not an index');
  assert.throws(() => company.canUsePools(null, null, now), malformedAt('users'));
  assert.throws(() => company.canUsePools([u, u], [p], now), (e) => malformedAt('pools')(e) && /2 users but 1 pools/.test(e.message));
  // Text arguments of another type are MalformedInput, not wasm-bindgen's TypeError or a trap.
  assert.throws(() => company.may(undefined, 'company.users', 'view', now), malformedAt('user'));
  assert.throws(() => company.may(7, 'company.users', 'view', now), malformedAt('user'));
  assert.throws(() => company.may(user, 'company.users', 'view', now, 5), malformedAt('pool'));
  assert.throws(() => company.canUsePool(user, pool, now, 1), malformedAt('level'));
  assert.throws(() => company.canUsePools([u], [p], now, {}), malformedAt('level'));
  assert.throws(() => company.userIndex(0), malformedAt('user'));
  assert.throws(() => company.poolIndex(null), malformedAt('pool'));
  assert.equal(company.canUsePool(user, pool, now, null), company.canUsePool(user, pool, now), 'a null level is the default');
  assert.equal(company.userIndex('nobody@example.com'), -1);
  // Ids are looked up in the company's JavaScript Maps first; a miss falls
  // back to the policy's own lookup, which reads e-mail in any letter case.
  assert.equal(company.userIndex(user.toUpperCase()), u, 'another letter case names the same user');
  assert.equal(company.canUsePool(user.toUpperCase(), pool, now, poolAccess), true);
  assert.equal(company.poolIndex(pool.toUpperCase() === pool ? `${pool}-x` : pool.toUpperCase()), -1, 'pool ids are exact');
  assert.throws(() => company.canUsePool(7, pool, now), (e) => e.name === 'MalformedInput' && /`user` must be a string/.test(e.message));
  assert.throws(() => company.canUsePool(user, pool, now, 'ROOT'), /STANDARD or PRIVILEGED/);
  assert.throws(() => company.may(user, 'company.nothing', 'view', now), /no operation/);
  assert.equal(typeof company.may(user, 'company.users', 'view', now), 'boolean');
  assert.throws(() => company.call({ op: 'decide', snapshot: c.call.snapshot, now: c.call.now, input: c.call.input }), /leave `snapshot` out/);
  assert.throws(() => new policy.Company({ users: 'nope' }), (e) => e.name === 'MalformedInput');
  company.free();
});
