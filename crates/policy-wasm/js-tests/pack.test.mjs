// `npm pack`, installed into a fresh project, imported by name from
// CommonJS and ESM, and type-checked from TypeScript (`tsc --noEmit`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = process.env.INTERIM_NPM_PACKAGE;
const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(process.env.INTERIM_TOOLS, 'node_modules/.bin/tsc');

test('the packed package installs and imports by name from CommonJS, ESM and TypeScript', () => {
  const work = mkdtempSync(join(tmpdir(), 'interim-npm-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work, pkg], { encoding: 'utf8' });
  const [{ filename, size, files }] = JSON.parse(out);
  console.log(`npm pack: ${filename}, ${(size / 1024).toFixed(1)} KB, ${files.length} files`);
  const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
  assert.equal(filename, `interim-policy-${version}.tgz`);

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(work, filename)], { cwd: app, stdio: 'inherit' });

  const grant = `{ now: '2026-11-22T10:00:00Z', input: { role: 'Standard', agentPoolIds: ['pool-pay'], userEmails: ['dev@acme.io'], expiryKind: 'days', expiry: '2' } }`;
  writeFileSync(join(app, 'cjs.cjs'), `const { validateGrantForm } = require('interim-policy');\nconsole.log(JSON.stringify(validateGrantForm(${grant})));\n`);
  writeFileSync(join(app, 'esm.mjs'), `import { validateGrantForm, matrix } from 'interim-policy';\nconsole.log(JSON.stringify(validateGrantForm(${grant})), matrix().length);\n`);
  const cjs = JSON.parse(execFileSync('node', ['cjs.cjs'], { cwd: app, encoding: 'utf8' }));
  assert.equal(cjs.type, 'success');
  assert.equal(cjs.request.expirationDate, '2026-11-24T10:00:00.000Z');
  const [esmJson, roles] = execFileSync('node', ['esm.mjs'], { cwd: app, encoding: 'utf8' }).trim().split(' ');
  assert.deepEqual(JSON.parse(esmJson), cjs, 'ESM and CommonJS give the same answer');
  assert.equal(roles, '7');

  // The TypeScript example, checked against the package's declarations.
  cpSync(join(here, '../npm/example.ts'), join(app, 'example.ts'));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [] }, files: ['example.ts'] }));
  execFileSync(tsc, ['-p', '.'], { cwd: app, stdio: 'inherit' });
});
