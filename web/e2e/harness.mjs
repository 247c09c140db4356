// What every e2e file shares: the real server on a temporary SQLite
// database (the demo company), Debian's Chromium through playwright-core,
// axe-core and screenshots. Not a test file itself (node --test runs
// `*.test.mjs`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(join(process.env.INTERIM_TOOLS, 'package.json'));
export const { chromium } = require('playwright-core');
const axePath = require.resolve('axe-core/axe.min.js');
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
  return { server, base };
}

export async function signIn(page, base, email) {
  await page.goto(base + '/');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('sign-out').waitFor();
}

/** No serious or critical accessibility violation on the page. */
export async function axe(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `accessibility of ${name}`);
}

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}
