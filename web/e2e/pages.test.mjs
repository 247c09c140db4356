// Every page, for each kind of person: screenshots at 1280 and 390 px wide,
// no horizontal scroll on a phone, axe on each, and the sweep "no visible
// enabled control leads to a 403": every enabled button a person sees is
// pressed (confirmations accepted), and the server refuses none of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, axe, chromium, shot, signIn, startServer, watchCsp } from './harness.mjs';

let server, base, browser;

before(async () => {
  ({ server, base } = await startServer());
  browser = await chromium.launch(CHROMIUM);
});

after(async () => {
  await browser?.close();
  server?.kill('SIGKILL');
});

/** A fresh browser for one person, in a zone that is not UTC. */
async function personPage(width) {
  const context = await browser.newContext({
    viewport: { width, height: width < 768 ? 844 : 900 },
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  watchCsp(page);
  return page;
}

/** The pages the navigation offers this person, as (href, text). */
async function navLinks(page) {
  return page.$$eval('#main-nav a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
}

async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 10000 });
}

const slug = (href) => (href === '/' ? 'temporary-access' : href.slice(1));

for (const [who, email] of [
  ['admin', 'admin@example.com'],
  ['viewer', 'vic.viewer@example.com'],
  ['group-admin', 'gil.groupadmin@example.com'],
  ['developer', 'dana.dev@example.com'],
]) {
  test(`every page ${who} sees, at 1280 and at 390 px`, async () => {
    for (const width of [1280, 390]) {
      const page = await personPage(width);
      await signIn(page, base, email);
      if (width === 1280) {
        const nav = await page.locator('#main-nav').boundingBox();
        assert.ok(nav.height < 60, `the navigation fits one line at 1280 px (${nav.height} px high)`);
      }
      const links = await navLinks(page);
      assert.ok(links.length > 0, 'some page to go to');
      for (const [href] of [...links, ['/profile']]) {
        await page.goto(base + href);
        await settle(page);
        const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
        assert.ok(scroll <= inner, `${who} on ${href} at ${width} px: no horizontal scroll (${scroll} > ${inner})`);
        await axe(page, `${href} as ${who} at ${width} px`);
        await shot(page, `pages/${who}-${slug(href)}-${width}`);
      }
      if (width === 390) {
        // The menu opens, names its pages, and closes on the way to one.
        await page.getByTestId('menu').click();
        await page.locator('#main-nav a').first().waitFor();
        await shot(page, `pages/${who}-menu-390`);
        await page.locator('#main-nav a').last().click();
        await page.locator('#main-nav').waitFor({ state: 'hidden' });
      }
      await page.context().close();
    }
  });
}

for (const [who, email] of [
  ['viewer', 'vic.viewer@example.com'],
  ['group-admin', 'gil.groupadmin@example.com'],
  ['developer', 'dana.dev@example.com'],
  ['security', 'sam.security@example.com'],
]) {
  test(`no enabled control ${who} sees leads to a 403`, async () => {
    const page = await personPage(1280);
    await signIn(page, base, email);
    const refused = [];
    page.on('response', (r) => {
      if (r.status() === 403) refused.push(`${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    page.on('dialog', (d) => d.accept());
    for (const [href] of await navLinks(page)) {
      if (href === '/profile') continue; // its only write is my own password
      await page.goto(base + href);
      await settle(page);
      // Every enabled button in the page's content, one by one (a press may
      // redraw the page, so they are found again each time by position).
      const count = await page.locator('main button:enabled').count();
      for (let i = 0; i < count; i++) {
        const button = page.locator('main button:enabled').nth(i);
        if (!(await button.isVisible().catch(() => false))) continue;
        await button.click({ timeout: 2000 }).catch(() => {});
        await page.waitForLoadState('networkidle');
      }
    }
    assert.deepEqual(refused, [], `what the server refused ${who} after a click`);
    await page.context().close();
  });
}
