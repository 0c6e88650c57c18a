// Nu HTML Checker (vnu.jar from npm `vnu-jar`) on every generated HTML page and stylesheet.
//
//   node --test tests/browser/site-html.test.mjs
//
// Needs Java (apt-get install -y default-jre-headless) and `npm install` in tests/browser.
// LUDD_BIN overrides the ludd binary (default target/debug/ludd, built with cargo if missing).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { buildSite, tempDir } from './site-lib.mjs';

const require = createRequire(import.meta.url);

let dir;

function javaVersion() {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? null : (r.stderr || r.stdout).split('\n')[0];
}

function requireJava() {
  assert.ok(javaVersion(), 'java not found: install it with apt-get update && apt-get install -y default-jre-headless');
}

function vnuJar() {
  // vnu-jar's main module exports the path of the bundled vnu.jar
  const jar = String(require('vnu-jar'));
  assert.ok(fs.existsSync(jar), `vnu.jar missing at ${jar}: run npm install in tests/browser`);
  return jar;
}

function files(root, ext) {
  const out = [];
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(ext)) out.push(p);
    }
  })(root);
  return out.sort();
}

/** Runs vnu.jar with JSON output on `targets`; returns its messages (vnu writes JSON to stderr). */
function vnu(args, targets) {
  const r = spawnSync('java', ['-jar', vnuJar(), '--errors-only', '--format', 'json', ...args, ...targets], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  let report;
  try {
    report = JSON.parse(r.stderr || r.stdout);
  } catch {
    assert.fail(`vnu.jar gave no JSON report (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return report.messages || [];
}

function format(messages) {
  return messages
    .map((m) => {
      const file = m.url ? path.relative(dir, decodeURIComponent(new URL(m.url).pathname)) : '?';
      const line = m.lastLine ?? m.firstLine ?? '?';
      const col = m.firstColumn ?? m.lastColumn ?? '';
      const extract = m.extract ? `\n      ${m.extract.replace(/\s+/g, ' ').trim()}` : '';
      return `  ${file}:${line}${col ? `:${col}` : ''}: ${m.type}${m.subType ? `/${m.subType}` : ''}: ${m.message}${extract}`;
    })
    .join('\n');
}

before(() => {
  dir = tempDir('ludd-site-html-');
  buildSite({ output: dir, baseUrl: 'http://127.0.0.1:8000' });
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('java is installed', () => requireJava());

test('every generated HTML page is valid (Nu HTML Checker, errors only)', () => {
  requireJava();
  const pages = files(dir, '.html');
  assert.ok(pages.length >= 10, `expected the whole site, found only ${pages.length} HTML files`);
  const errors = vnu([], pages).filter((m) => m.type !== 'info');
  assert.equal(errors.length, 0, `${errors.length} HTML error(s) in ${pages.length} files:\n${format(errors)}`);
});

test('every stylesheet is valid CSS (Nu HTML Checker --css, errors only)', () => {
  requireJava();
  const sheets = files(dir, '.css');
  assert.ok(sheets.length >= 1, 'the site has no stylesheet');
  const errors = vnu(['--css'], sheets).filter((m) => m.type !== 'info');
  assert.equal(errors.length, 0, `${errors.length} CSS error(s) in ${sheets.length} files:\n${format(errors)}`);
});
