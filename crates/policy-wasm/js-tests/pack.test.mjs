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

  // The TypeScript example, checked against the package's declarations; and
  // every real answer of the corpus, typed as its operation's answer (object
  // literals: an unknown or missing field is an error).
  cpSync(join(here, '../npm/example.ts'), join(app, 'example.ts'));
  const cases = JSON.parse(readFileSync(process.env.INTERIM_CORPUS_ANSWERS, 'utf8'));
  const lines = ["import type * as P from 'interim-policy';"];
  let typed = 0;
  for (const c of cases) {
    if (!['success', 'failure'].includes(c.answer.type) || ['matrix', 'catalogue'].includes(c.op)) continue;
    const name = c.op[0].toUpperCase() + c.op.slice(1);
    lines.push(`export const a${typed++}: P.${name}Answer = ${JSON.stringify(c.answer)};`);
  }
  lines.push(`export const roles: P.Matrix = ${JSON.stringify(JSON.parse(execFileSync('node', ['-e', "console.log(JSON.stringify(require('interim-policy').matrix()))"], { cwd: app, encoding: 'utf8' })))};`);
  lines.push(`export const operations: P.Catalogue = ${JSON.stringify(JSON.parse(execFileSync('node', ['-e', "console.log(JSON.stringify(require('interim-policy').catalogue()))"], { cwd: app, encoding: 'utf8' })))};`);
  writeFileSync(join(app, 'answers.ts'), lines.join('\n') + '\n');

  // Every js and ts block of the package's README, pasted as a user would:
  // the js ones run (CommonJS when they `require`), the ts ones type-checked.
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```(js|ts)\n([\s\S]*?)```/g)];
  const readmeTs = [];
  let output = '';
  blocks.forEach(([, lang, code], i) => {
    if (lang === 'ts') {
      readmeTs.push(`readme${i}.ts`);
      writeFileSync(join(app, `readme${i}.ts`), code);
      return;
    }
    const file = `readme${i}.${/\brequire\(/.test(code) ? 'cjs' : 'mjs'}`;
    writeFileSync(join(app, file), code);
    output += execFileSync('node', [file], { cwd: app, encoding: 'utf8' });
  });
  assert.ok(blocks.length >= 3 && readmeTs.length >= 1, `the README has runnable blocks (${blocks.length})`);
  assert.match(output, /Uint8Array\(3\) \[ 1, 0, 0 \] allow\.group true false/, 'the README answers as its comments say');
  assert.match(output, /\{ grants: 0, groups: 1, pools: 1, users: 2 \}/);

  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'], types: [] }, files: ['example.ts', 'answers.ts', ...readmeTs] }));
  execFileSync(tsc, ['-p', '.'], { cwd: app, stdio: 'inherit' });
  console.log(`tsc --strict: the example, the README's ${blocks.length} blocks and ${typed} corpus answers match the declarations`);
});
