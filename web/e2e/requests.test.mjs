// Just-in-time access end to end in Chromium, three people at once in
// their own browser contexts: an admin locks pools (one default, one group
// override), a Developer requests access, a Group Admin approves it for a
// shorter period, and the Developer sees the access counting down. An
// auto-approval without a reason is refused in the form before any request
// leaves the browser. Run by `cargo xtask test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { CHROMIUM, axe, chromium, expectCount, shot, signIn, startServer } from './harness.mjs';

const ADMIN = 'admin@example.com';
const DEV = 'dana.dev@example.com';
const REVIEWER = 'gil.groupadmin@example.com';

let server, base, browser, receiver;
const people = {};
// What the team's chat would receive: the server's webhooks.
const hooks = [];

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { hooks.push(JSON.parse(body)); res.end('ok'); });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  ({ server, base } = await startServer(['--webhook-url', `http://127.0.0.1:${receiver.address().port}/hook`]));
  browser = await chromium.launch(CHROMIUM);
  for (const [who, email] of [['admin', ADMIN], ['dev', DEV], ['reviewer', REVIEWER]]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, base, email);
    people[who] = page;
  }
});

after(async () => {
  await browser?.close();
  server?.kill('SIGKILL');
  receiver?.close();
});

/** Waits until a webhook matching `pred` has arrived. */
async function hook(pred) {
  for (let i = 0; i < 100; i++) {
    const found = hooks.find(pred);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no such webhook among ${JSON.stringify(hooks)}`);
}

/** Opens a page of the portal through its navigation, as a person would. */
async function open(page, link) {
  await page.getByRole('link', { name: link, exact: true }).click();
}

test('an admin locks a pool for every group, and overrides one assignment', async () => {
  const page = people.admin;
  await open(page, 'Pools & groups');
  const prod = page.locator('[data-testid="pool-row"][data-pool="pool-payments-prod"]');
  await prod.getByTestId('edit-settings').click();
  // Requests on with no period are refused as they are changed.
  await prod.getByTestId('period-1h').uncheck();
  await prod.getByText('choose at least one access period').waitFor();
  assert.equal(await prod.getByTestId('save-settings').isDisabled(), true);
  await prod.getByTestId('period-4h').check();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'period-4h',
    'a click changes the control and keeps the focus (the form is not rebuilt)');
  await prod.getByTestId('period-1d').check();
  await expectCount(prod.getByText('choose at least one access period'), 0);
  await prod.getByTestId('save-settings').click();
  await prod.getByTestId('settings-summary').filter({ hasText: 'locked: 4 hours, 1 day · approved by a reviewer' }).waitFor();

  const payments = page.locator('[data-testid="group"][data-name="Payments"]');
  const inherited = payments.locator('[data-testid="request-settings"][data-key="group-payments-pool-payments-prod"]');
  await inherited.getByTestId('settings-summary').filter({ hasText: 'inherited from the pool — locked: 4 hours, 1 day' }).waitFor();
  const staging = payments.locator('[data-testid="request-settings"][data-key="group-payments-pool-payments-staging"]');
  assert.match(await staging.getByTestId('settings-summary').textContent(), /inherited from the pool — open/);
  await staging.getByTestId('edit-settings').click();
  await staging.getByTestId('approval-auto').check();
  await staging.getByTestId('period-custom').check();
  await staging.getByTestId('save-settings').click();
  await staging.getByTestId('settings-summary').filter({ hasText: 'overridden — locked: 1 hour, custom up to 7 days · self-approved with a reason · reason required' }).waitFor();
  // Putting the pool's settings back is asked first; refused, nothing changes.
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await staging.getByTestId('clear-settings').click();
  assert.match(asked, /Use the request settings of Payments staging for this group\?/);
  await staging.getByTestId('settings-summary').filter({ hasText: 'overridden — ' }).waitFor();
  await axe(page, 'pools with request settings');
  await shot(page, '20-request-settings');
});

test('a self-approval without a reason is refused in the form, before any request is sent', async () => {
  const page = people.dev;
  const sent = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/access-requests') && r.method() === 'POST') sent.push(r.url());
  });
  await page.reload();
  await open(page, 'Requests');
  await page.getByTestId('locked-pools').waitFor();
  await expectCount(page.getByTestId('locked-pool'), 2, 'both locked pools of her group');
  await page.getByTestId('request-pool').selectOption('pool-payments-staging');
  await page.getByTestId('request-period').selectOption('custom');
  await page.getByTestId('request-minutes').fill('0');
  await page.locator('#request-minutes-errors li').first().waitFor();
  await page.getByTestId('request-minutes').fill('1');
  await expectCount(page.locator('#request-minutes-errors li'), 0);
  await page.locator('#request-reason-errors').getByText('self-approval needs a reason').waitFor();
  assert.equal(await page.getByTestId('send-request').isDisabled(), true);
  await page.getByTestId('request-form').evaluate((f) => f.requestSubmit());
  assert.deepEqual(sent, [], 'no request left the browser');
  await axe(page, 'request form with an error');
  await shot(page, '21-request-refused');

  // With a reason the same request is approved at once, for one minute.
  await page.getByTestId('request-reason').fill('check the staging payment retries');
  await page.getByTestId('send-request').click();
  await page.getByTestId('request-sent').filter({ hasText: 'is yours now, for 1 minute' }).waitFor();
  assert.equal(sent.length, 1);
});

test('a Developer requests, a reviewer approves for less in another browser, the Developer sees the countdown', async () => {
  const dev = people.dev;
  await dev.getByTestId('request-pool').selectOption('pool-payments-prod');
  await dev.getByTestId('request-period').selectOption('4h');
  await dev.getByTestId('request-reason').fill('deploy the refund hotfix');
  await dev.getByTestId('request-ticket').fill('OPS-812');
  await dev.getByTestId('send-request').click();
  await dev.getByTestId('request-sent').filter({ hasText: 'waits for a reviewer' }).waitFor();
  const mine = dev.locator('[data-testid="my-request"][data-pool="pool-payments-prod"]');
  await mine.getByTestId('request-status').filter({ hasText: 'pending' }).waitFor();

  const told = await hook((h) => h.event === 'request.created' && h.request.requester === DEV);
  assert.match(told.text, /dana\.dev@example\.com\* requests access to \*Payments production/);

  const reviewer = people.reviewer;
  await reviewer.reload();
  await open(reviewer, 'Reviews');
  const review = reviewer.locator(`[data-testid="review"][data-requester="${DEV}"]`);
  await review.waitFor();
  assert.match(await review.textContent(), /For 4 hours · reason: deploy the refund hotfix · ticket OPS-812/);
  await axe(reviewer, 'review queue');
  await shot(reviewer, '22-review-queue');
  // Longer than asked is refused by the server, at the field.
  await review.getByTestId('approve-minutes').fill('600');
  await review.getByRole('button', { name: `Approve ${DEV}'s request for Payments production` }).click();
  await review.locator('.field-errors li').first().waitFor();
  await review.getByTestId('approve-minutes').fill('60');
  await review.getByTestId('review-comment').fill('an hour is enough for the hotfix');
  await review.getByTestId('approve').click();
  await reviewer.getByTestId('queue-empty').waitFor();
  await reviewer.getByTestId('running').filter({ hasText: 'Payments production' }).filter({ hasText: '1 hour (asked 4 hours)' }).waitFor();

  const outcome = await hook((h) => h.event === 'request.approved' && h.request.agentPoolId === 'pool-payments-prod');
  assert.match(outcome.text, /approved by gil\.groupadmin@example\.com for 1 hour \(asked 4 hours\)/);
  assert.match(outcome.text, /Comment: an hour is enough for the hotfix/);

  await dev.reload();
  await mine.getByTestId('request-status').filter({ hasText: 'approved' }).waitFor();
  assert.equal(await mine.getByTestId('granted-period').textContent(), '1 hour (asked 4 hours)');
  assert.match(await mine.textContent(), /reviewer: an hour is enough for the hotfix/);
  const left = await mine.getByTestId('request-countdown').textContent();
  assert.match(left, /^(00:5\d:\d\d|01:00:00)$/, `an hour at most is left: ${left}`);
  await dev.waitForTimeout(1100);
  assert.notEqual(await mine.getByTestId('request-countdown').textContent(), left, 'the countdown moves');
  await axe(dev, 'my requests');
  await shot(dev, '23-my-requests');
});

test('an admin sees every notification delivered', async () => {
  const page = people.admin;
  await open(page, 'Settings');
  const table = page.getByTestId('notifications');
  await table.waitFor();
  assert.match(await page.getByTestId('channels').textContent(), /1 webhook/);
  const rows = table.getByTestId('notification');
  await expectCount(rows, hooks.length, 'one row per webhook received');
  await expectCount(rows.filter({ hasText: 'delivered' }), hooks.length);
  await axe(page, 'notifications');
  await shot(page, '25-notifications');
});

test('the access summary shows the approved access, downloadable as CSV and JSON', async () => {
  const page = people.admin;
  await open(page, 'Reports');
  await page.getByTestId('reports').waitFor();
  await axe(page, 'reports');
  await shot(page, '24-reports');
  const csvUrl = await page.getByTestId('report-user-csv').getAttribute('href');
  const csv = await page.request.get(base + csvUrl);
  assert.equal(csv.status(), 200);
  const text = await csv.text();
  assert.ok(text.split('\n').some((l) => l.includes(DEV) && l.includes('pool-payments-prod')), 'the CSV names her access');
  const json = await page.request.get(base + (await page.getByTestId('report-pool-json').getAttribute('href')));
  assert.equal(json.status(), 200);
  assert.ok(JSON.stringify(await json.json()).includes(DEV));
});

test('a reviewer delegates reviewing, checked as it is typed', async () => {
  const page = people.reviewer;
  await page.getByTestId('delegate-to').fill(REVIEWER);
  await page.locator('#delegate-to-errors').getByText('delegate to someone else').waitFor();
  await page.getByTestId('delegate-to').fill('ines.oncall@example.com');
  const tomorrow = new Date(Date.now() + 86_400_000);
  const local = (n) => String(n).padStart(2, '0');
  await page.getByTestId('delegate-ends').fill(`${tomorrow.getFullYear()}-${local(tomorrow.getMonth() + 1)}-${local(tomorrow.getDate())}T09:00`);
  await expectCount(page.locator('#delegate-to-errors li'), 0);
  // Ines is signed in already, and reviews nothing yet.
  const ines = await (await browser.newContext()).newPage();
  await signIn(ines, base, 'ines.oncall@example.com');
  await expectCount(ines.getByRole('link', { name: 'Reviews', exact: true }), 0);
  await page.getByTestId('delegate').click();
  await page.getByTestId('delegations').getByText('ines.oncall@example.com').waitFor();
  await page.getByRole('button', { name: `End the delegation from ${REVIEWER} to ines.oncall@example.com` }).waitFor();
  await shot(page, '26-delegation');

  // Now she reviews too: her portal offers the queue at her next step,
  // without a reload.
  await open(ines, 'Profile');
  await ines.getByRole('link', { name: 'Reviews', exact: true }).waitFor();
  await ines.context().close();
});

test('self-approved access ends by itself at the end of its minute', async () => {
  const dev = people.dev;
  await open(dev, 'Requests');
  const row = dev.locator('[data-testid="my-request"][data-pool="pool-payments-staging"]');
  await row.getByTestId('request-status').filter({ hasText: 'ended' }).waitFor({ timeout: 70_000 });
  // The server agrees: her access to the pool is over.
  const answer = await people.admin.request.get(`${base}/api/v1/explain/pool-access?user=${DEV}&pool=pool-payments-staging`);
  assert.equal(answer.status(), 200);
  assert.equal((await answer.json()).decision.allowed, false);
  await dev.reload();
  await row.getByTestId('request-status').filter({ hasText: 'ended' }).waitFor();
});
