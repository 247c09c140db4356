// The example page (no framework, the `web` flavour) in Chromium: typing a
// corpus case into the form shows exactly the violations the corpus names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.env.INTERIM_TOOLS, 'package.json'));
const { chromium } = require('playwright-core');
const pkg = process.env.INTERIM_NPM_PACKAGE;
const example = join(dirname(fileURLToPath(import.meta.url)), '../example');
const shots = process.env.INTERIM_SCREENSHOTS;
mkdirSync(shots, { recursive: true });
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

let server, base, context, page;

before(async () => {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = path.startsWith('/pkg/') ? join(pkg, path.slice(5)) : join(example, path === '/' ? 'index.html' : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'interim-npm-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? (await context.newPage());
});

after(async () => {
  await context?.close();
  server?.close();
});

const cases = JSON.parse(readFileSync(process.env.INTERIM_CORPUS_ANSWERS, 'utf8'));
const ROLES = ['Standard', 'Privileged'];
const KINDS = ['days', 'hours', 'custom'];
// The context-free form cases a person can type into this form.
const typable = cases.filter((c) => c.op === 'validateGrantForm' && typeof c.call === 'object' && !c.call.snapshot
  && c.expect.type !== 'malformed' && ['undefined', 'string', 'number'].includes(typeof c.call.input.expiry)
  && (c.call.input.role === undefined || ROLES.includes(c.call.input.role))
  && (c.call.input.expiryKind === undefined || KINDS.includes(c.call.input.expiryKind)));

test(`typing ${typable.length} corpus cases into the example page shows the corpus's violations`, async () => {
  assert.ok(typable.length >= 15, `enough cases: ${typable.length}`);
  for (const c of typable) {
    await page.clock.setFixedTime(new Date(c.call.now));
    await page.goto(base + '/');
    await page.locator('body[data-ready="true"]').waitFor();
    const input = c.call.input;
    for (const id of ['name', 'expiry', 'incidentId']) {
      if (input[id] !== undefined) await page.locator('#' + id).fill(String(input[id]));
    }
    for (const id of ['role', 'expiryKind']) {
      if (input[id] !== undefined) await page.locator('#' + id).selectOption(input[id]);
    }
    for (const id of ['agentPoolIds', 'userEmails']) {
      if (input[id] !== undefined) await page.locator('#' + id).pressSequentially(input[id].join('\n'), { delay: 0 });
    }
    const shown = await page.locator('li[data-code]').evaluateAll((items) => items.map((li) => `${li.dataset.field} ${li.dataset.code}`).sort());
    const expected = (c.expect.type === 'failure' ? c.expect.errors : []).map((e) => `${e.field} ${e.code}`).sort();
    assert.deepEqual(shown, expected, c.id);
    if (c.expect.type === 'success') {
      assert.match(await page.locator('#verdict').textContent(), /^Valid: expires /, c.id);
    }
  }
  await page.screenshot({ path: join(shots, 'npm-example-form.png'), fullPage: true });
});
