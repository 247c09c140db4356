// What every e2e file shares: the real server on a temporary SQLite
// database (the demo company), Debian's Chromium through playwright-core,
// axe-core and screenshots. Not a test file itself (node --test runs
// `*.test.mjs`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(join(process.env.INTERIM_TOOLS, 'package.json'));
export const { chromium } = require('playwright-core');
// Evaluated through the DevTools protocol, which the portal's Content
// Security Policy does not govern (a script tag would be refused, as it
// should be).
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const portal = process.env.INTERIM_PORTAL;
const shots = process.env.INTERIM_SCREENSHOTS;
mkdirSync(shots, { recursive: true });

export const PASSWORD = 'interim-demo-2026';
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** Starts the server binary with the demo company; resolves `{ server, base }`. */
export async function startServer(extraArgs = [], env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'interim-e2e-'));
  const server = spawn(process.env.INTERIM_SERVER, ['--listen', '127.0.0.1:0', '--database', join(dir, 'e2e.db'), '--demo', '--portal', portal, ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Interim listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { server, base, db: join(dir, 'e2e.db') };
}

const refusals = new WeakMap();

/** Records what the page's Content Security Policy refuses, from now on. */
export function watchCsp(page) {
  if (refusals.has(page)) return;
  const seen = [];
  refusals.set(page, seen);
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
}

export async function signIn(page, base, email) {
  watchCsp(page);
  await page.goto(base + '/');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('sign-out').waitFor();
}

/** No serious or critical accessibility violation on the page, and nothing
 * the Content Security Policy refused since the page was first watched. */
export async function axe(page, name) {
  watchCsp(page);
  assert.deepEqual(refusals.get(page), [], `what the Content Security Policy refused on ${name}`);
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `accessibility of ${name}`);
}

export async function shot(page, name) {
  mkdirSync(dirname(join(shots, name)), { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** `locator` comes to match `n` elements within 5 s (what is on screen
 * after an action settles; a single read during a redraw once saw none),
 * else the assertion fails with the last count. */
export async function expectCount(locator, n, message) {
  const until = Date.now() + 5000;
  let count = await locator.count();
  while (count !== n && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    count = await locator.count();
  }
  assert.equal(count, n, message);
}

