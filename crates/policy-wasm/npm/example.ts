// A TypeScript consumer of the package, type-checked by the package's tests
// (`tsc --noEmit --strict`): every call and answer below is typed.
import { Company, validateGrantForm, validateGrant, matrix, catalogue } from 'interim-policy';
import type { Violation, Snapshot, ValidateGrantFormAnswer } from 'interim-policy';

const now = new Date('2026-11-22T10:00:00Z');

// A form as a person fills it: validated with no server.
const answer: ValidateGrantFormAnswer = validateGrantForm({
  now: now.toISOString(),
  input: { role: 'Standard', agentPoolIds: ['pool-pay'], userEmails: ['dev@acme.io'], expiryKind: 'days', expiry: '2' },
});
if (answer.type === 'success') {
  const expires: string = answer.request.expirationDate ?? '';
  console.log(`valid, expires ${expires}`);
} else {
  const problems: Violation[] = answer.errors;
  for (const v of problems) console.log(`${v.field}: ${v.code} — ${v.message}`);
}

// The vendor's wire shape.
const vendor = validateGrant({ now: now.toISOString(), input: { agentPoolIds: ['pool-pay'], userEmails: ['dev@acme.io'], roles: ['Standard'], expirationDate: '2026-11-23T10:00:00Z' } });
console.log(vendor.type === 'failure' ? vendor.status : 'ok');

// A company loaded once, decisions by ids.
const snapshot: Snapshot = {
  companyId: 'acme',
  rbacEnabled: true,
  users: [{ email: 'dev@acme.io', firstName: 'Dev', lastName: 'Acme', roles: ['DEVELOPER'] }],
  agentPools: [{ id: 'pool-pay', name: 'Payments' }],
  groups: [],
  grants: [],
};
const company = new Company(snapshot);
const allowed: boolean = company.canUsePool('dev@acme.io', 'pool-pay', now.getTime(), 'STANDARD');
const decision = company.decide({ now: now.toISOString(), input: { user: 'dev@acme.io', pool: 'pool-pay', poolAccess: 'STANDARD' } });
if (decision.type === 'success') console.log(allowed, decision.decision.allowed, decision.decision.reason);
company.free();

console.log(matrix().length, catalogue().length);
