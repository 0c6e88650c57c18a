// `ludd serve` in a real browser: live reload after a Markdown edit, a CSS edit swapped in
// place while the page keeps its state (scroll position, form input, no navigation), and the
// build-error overlay (shown with the file name, accessible per axe-core, present on pages opened
// while the error lasts, gone once the error is fixed). The fixture's strict
// Content-Security-Policy (script-src 'self', style-src 'self') must not get in the way.
//
//   cargo build && (cd tests/browser && npm install) && node --test tests/browser/
//
// Needs /usr/bin/chromium (apt-get install -y chromium). LUDD_BIN overrides the ludd binary
// (default target/debug/ludd, built with cargo if missing). Screenshots go to
// tests/browser/screenshots/serve-*.png (gitignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROMIUM_ARGS } from './site-lib.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const SHOTS = path.join(here, 'screenshots');
const WAIT = 20_000;

let work; // temp folder: site copy + the server's TMPDIR
let site; // the site copy
let server; // { child, url, log }
let browser;

function luddBin() {
  const bin = path.resolve(repoRoot, process.env.LUDD_BIN || path.join('target', 'debug', 'ludd'));
  if (!process.env.LUDD_BIN) {
    const r = spawnSync('cargo', ['build', '--quiet'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    assert.equal(r.status, 0, 'cargo build failed');
  }
  assert.ok(fs.existsSync(bin), `${bin} missing`);
  return bin;
}

/** Starts `ludd serve --port 0`; resolves once it printed its URL and finished the first build. */
function startServer(root, tmp) {
  return new Promise((resolve, reject) => {
    const child = spawn(luddBin(), ['serve', '--root', root, '--port', '0'], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = [];
    let url = null;
    let pending = '';
    const timer = setTimeout(() => reject(new Error(`ludd serve did not start:\n${log.join('\n')}`)), WAIT);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        log.push(line);
        if (!url && line.startsWith('serving ')) url = line.slice('serving '.length).replace(/\/$/, '');
        if (url && /^built |^build failed/.test(line)) {
          clearTimeout(timer);
          resolve({ child, url, log });
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => log.push(...chunk.trimEnd().split('\n')));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ludd serve exited (${code}):\n${log.join('\n')}`));
    });
  });
}

function write(rel, text) {
  fs.writeFileSync(path.join(site, rel), text);
}

function page1Text(n) {
  return `---\ntitle: Hallo\n---\n${n} Entwurf des Textes.\n`;
}

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}. Install it: apt-get update && apt-get install -y chromium`);
  fs.mkdirSync(SHOTS, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ludd-serve-browser-'));
  site = path.join(work, 'site');
  fs.cpSync(path.join(repoRoot, 'tests', 'fixtures', 'serve-site'), site, { recursive: true });
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp);
  server = await startServer(site, tmp);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (server && server.child.exitCode === null) {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const connected = () => window.__luddReload && window.__luddReload.connected;

async function runAxe(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not restrict.
  await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    }),
  );
}

test('ludd serve: live reload, CSS swap and the error overlay', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|reload\.js/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });

  await page.goto(`${server.url}/hallo/`);
  await page.waitForFunction(connected, null, { timeout: WAIT });
  assert.match(await page.textContent('article'), /Erster Entwurf des Textes/);

  // 1. A Markdown edit shows up without reloading by hand.
  write('content/hallo.md', page1Text('Zweiter'));
  await page.waitForFunction(() => document.body.textContent.includes('Zweiter Entwurf'), null, { timeout: WAIT });
  await page.waitForFunction(connected, null, { timeout: WAIT });
  await page.screenshot({ path: path.join(SHOTS, 'serve-1-edited.png') });

  // 2. A CSS edit is swapped in; scroll position, form input and JS state stay.
  // The field sits below a tall spacer: filling it scrolls the page down.
  await page.fill('#note', 'meine Notiz');
  await page.evaluate(() => {
    window.scrollBy(0, 200);
    window.__keptState = 'kept';
  });
  const scrollY = await page.evaluate(() => window.scrollY);
  assert.ok(scrollY > 1000, `scrolled to ${scrollY}`);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), 'rgb(20, 20, 20)');
  const navigationsBefore = navigations;
  const css = fs.readFileSync(path.join(site, 'static/css/site.css'), 'utf8');
  write('static/css/site.css', css.replace('color: rgb(20, 20, 20)', 'color: rgb(180, 0, 0)'));
  await page.waitForFunction(() => getComputedStyle(document.body).color === 'rgb(180, 0, 0)', null, { timeout: WAIT });
  assert.equal(navigations, navigationsBefore, 'the CSS change navigated');
  assert.equal(await page.evaluate(() => window.__keptState), 'kept');
  assert.equal(await page.inputValue('#note'), 'meine Notiz');
  assert.equal(await page.evaluate(() => window.scrollY), scrollY);
  assert.equal(await page.locator('link[rel~="stylesheet"]').count(), 1, 'the old stylesheet link is gone');
  await page.screenshot({ path: path.join(SHOTS, 'serve-2-css-swapped.png') });

  // 3. Broken front matter: an overlay names the file; the page keeps the last good text.
  await page.evaluate(() => window.scrollTo(0, 0));
  write('content/hallo.md', '---\ntitle: [Hallo\n---\nKaputt.\n');
  const dialog = page.locator('[role="alertdialog"]');
  await dialog.waitFor({ state: 'visible', timeout: WAIT });
  const overlayText = await dialog.textContent();
  assert.match(overlayText, /content\/hallo\.md:\d+/);
  assert.match(overlayText, /front matter/);
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  assert.ok(await dialog.getAttribute('aria-labelledby'));
  assert.match(await page.textContent('article'), /Zweiter Entwurf/);
  const violations = (await runAxe(page)).violations;
  assert.deepEqual(
    violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
  );
  await page.screenshot({ path: path.join(SHOTS, 'serve-3-error-overlay.png') });

  // A page opened while the error lasts shows the overlay at once, over the last good build.
  const late = await context.newPage();
  late.on('pageerror', (e) => problems.push(`late page error: ${e}`));
  await late.goto(`${server.url}/hallo/`);
  await late.locator('[role="alertdialog"]').waitFor({ state: 'visible', timeout: WAIT });
  assert.match(await late.textContent('article'), /Zweiter Entwurf/);

  // 4. The fix clears the overlay everywhere and the pages show the new text.
  write('content/hallo.md', page1Text('Dritter'));
  for (const p of [page, late]) {
    await p.locator('[role="alertdialog"]').waitFor({ state: 'detached', timeout: WAIT });
    await p.waitForFunction(() => document.body.textContent.includes('Dritter Entwurf'), null, { timeout: WAIT });
  }
  await page.screenshot({ path: path.join(SHOTS, 'serve-4-fixed.png') });

  assert.deepEqual(problems, []);
  await context.close();
});
