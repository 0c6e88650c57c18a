// Site quality in a real browser: every generated page at 360, 375 and 1280 px with axe-core
// (WCAG 2.2 AA), console/page errors, third-party requests, page weight, 320 px overflow, plus
// dark mode, reduced motion, an RTL build, keyboard skip link and the print stylesheet.
//
//   node --test tests/browser/site-a11y.test.mjs
//
// Needs /usr/bin/chromium (apt-get install -y chromium) and `npm install` in tests/browser.
// LUDD_BIN overrides the ludd binary (default target/debug/ludd, built with cargo if missing).
// Screenshots, the print PDF and weights.txt go to tests/browser/screenshots/ (gitignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import {
  buildSite,
  here,
  htmlFiles,
  isRedirectPage,
  makeRtlSite,
  pageName,
  serveDir,
  tempDir,
  urlPathOf,
  CHROMIUM,
  CHROMIUM_ARGS,
} from './site-lib.mjs';

const require = createRequire(import.meta.url);
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const WIDTHS = [360, 375, 1280];
const HEIGHT = { 320: 640, 360: 640, 375: 812, 1280: 800 };
const MAX_PAGE_BYTES = 100 * 1000; // 100 kB, gzip-compressed
const SHOTS = path.join(here, 'screenshots');

let browser;
let site; // { dir, server, pages: [rel…] }
let rtl; // { src, dir, server } (built lazily by the RTL test)
const weights = new Map(); // url path → { bytes, requests }
const tmpDirs = [];

function requireChromium() {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `Chromium not found at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y chromium`,
  );
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = tempDir('ludd-site-a11y-');
  tmpDirs.push(dir);
  const server = await serveDir(dir);
  try {
    buildSite({ output: dir, baseUrl: server.origin });
  } catch (e) {
    await server.close();
    throw e;
  }
  const pages = htmlFiles(dir).filter((rel) => !isRedirectPage(path.join(dir, rel)));
  site = { dir, server, pages };
  if (fs.existsSync(CHROMIUM)) {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }
});

after(async () => {
  await browser?.close();
  await site?.server.close();
  await rtl?.server?.close();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `      ${n.target.join(' ')}\n        ${(n.failureSummary || '').replace(/\n/g, '\n        ')}`)
        .join('\n');
      return `  axe ${v.id} [${v.impact}]: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

async function runAxe(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
}

const tabs = new Map(); // one reusable page per viewport width and emulation (see visit)

/** A page for `width` and `contextOptions`: shared by the visits with the same key, or `fresh`. */
async function openTab(width, contextOptions, fresh) {
  const key = JSON.stringify([width, contextOptions]);
  if (!fresh && tabs.has(key)) return tabs.get(key);
  const context = await browser.newContext({
    viewport: { width, height: HEIGHT[width] || 800 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'no-preference',
    ...contextOptions,
  });
  const page = await context.newPage();
  const tab = { context, page, rec: null, width };
  // listeners report into the record of the visit in progress
  const note = (msg) => tab.rec?.problems.push(msg);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // the browser logs the expected status of a deliberate 404 visit as an error
    const expected = tab.rec && tab.rec.status !== 200 && m.location().url === tab.rec.url;
    if (!(expected && m.text().includes(`status of ${tab.rec.status}`))) note(`console error: ${m.text()} (${m.location().url || ''})`);
  });
  page.on('pageerror', (e) => note(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (u.hostname !== '127.0.0.1') note(`request to another host: ${r.url()}`);
  });
  page.on('requestfailed', (r) => note(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    const rec = tab.rec;
    if (!rec) return;
    if (r.status() >= 400 && r.url() !== rec.url) rec.problems.push(`HTTP ${r.status()}: ${r.url()}`);
    if (r.status() >= 300 && r.status() < 400) return; // a redirect has no body of its own
    // transferred size: the body as a server would send it gzip-compressed
    rec.bodies.push(r.body().then((b) => zlib.gzipSync(b, { level: 9 }).length, () => 0));
  });
  if (!fresh) tabs.set(key, tab);
  return tab;
}

/**
 * Loads `origin + urlPath` at `width` and checks it: console and page errors, requests to other
 * hosts, failed requests, axe-core, optionally a full-page screenshot. The server sends no-store,
 * so every visit loads everything again. Returns { problems, bytes, requests, page, context }; a
 * `fresh` visit gets its own context, which the caller closes.
 */
async function visit(origin, urlPath, width, opts = {}) {
  const { axe = true, screenshot = null, contextOptions = {}, fresh = false, status = 200 } = opts;
  const tab = await openTab(width, contextOptions, fresh);
  const { page } = tab;
  const rec = { url: origin + urlPath, status, problems: [], bodies: [] };
  const where = `${urlPath} @${width}px${contextOptions.colorScheme === 'dark' ? ' dark' : ''}${
    contextOptions.reducedMotion === 'reduce' ? ' reduced-motion' : ''
  }`;
  await page.setViewportSize({ width, height: HEIGHT[width] || 800 });
  tab.rec = rec;
  const res = await page.goto(rec.url, { waitUntil: 'load' });
  if (res?.status() !== status) rec.problems.push(`status ${res?.status()} for ${urlPath}, expected ${status}`);
  await page.waitForLoadState('networkidle');
  const sizes = await Promise.all(rec.bodies);
  if (axe) {
    const result = await runAxe(page);
    if (result.violations.length) rec.problems.push(`axe violations:\n${formatViolations(result.violations)}`);
  }
  if (screenshot) await page.screenshot({ path: path.join(SHOTS, `${screenshot}.png`), fullPage: true });
  tab.rec = null;
  return {
    problems: rec.problems.map((p) => `${where}: ${p}`),
    bytes: sizes.reduce((a, b) => a + b, 0),
    requests: sizes.length,
    page,
    context: tab.context,
  };
}

/** Narrows the (already loaded) page to `width` and returns null or what sticks out. */
async function overflowAt(page, width = 320) {
  await page.setViewportSize({ width, height: HEIGHT[width] || 800 });
  return page.evaluate((w) => {
    const sw = document.scrollingElement.scrollWidth;
    if (sw <= w) return null;
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width && (r.right > w + 0.5 || r.left < -0.5)) {
        const id = el.id ? `#${el.id}` : '';
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        culprits.push(`${el.tagName.toLowerCase()}${id}${cls} [${Math.round(r.left)}…${Math.round(r.right)}]`);
      }
    }
    return { scrollWidth: sw, culprits: culprits.slice(0, 8) };
  }, width);
}

function fail(problems) {
  if (problems.length) assert.fail(`${problems.length} problem(s):\n${problems.join('\n')}`);
}

test('chromium is installed', () => requireChromium());

test('every page: no errors, only 127.0.0.1, no axe violations, fits 320 px', async (t) => {
  requireChromium();
  assert.ok(site.pages.length >= 10, `expected the whole site, found only ${site.pages.length} pages`);
  for (const rel of site.pages) {
    const urlPath = urlPathOf(rel);
    await t.test(urlPath, async () => {
      const problems = [];
      let weight = { bytes: 0, requests: 0 };
      for (const width of WIDTHS) {
        const r = await visit(site.server.origin, urlPath, width, { screenshot: `${pageName(rel)}-${width}` });
        problems.push(...r.problems);
        if (r.bytes > weight.bytes) weight = { bytes: r.bytes, requests: r.requests };
        if (width === 375) {
          const overflow = await overflowAt(r.page, 320);
          if (overflow) {
            problems.push(
              `${urlPath} @320px: horizontal overflow, scrollWidth ${overflow.scrollWidth} > 320; sticking out:\n    ${overflow.culprits.join('\n    ')}`,
            );
          }
        }
      }
      weights.set(urlPath, weight);
      fail(problems);
    });
  }
});

test('page weight: every page ≤ 100 kB gzip-compressed', () => {
  requireChromium();
  assert.equal(weights.size, site.pages.length, 'the page test must have measured every page');
  const rows = [...weights.entries()].sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0]));
  const w = Math.max(4, ...rows.map(([p]) => p.length));
  const lines = [
    `${'page'.padEnd(w)}  ${'kB'.padStart(6)}  requests`,
    `${'-'.repeat(w)}  ${'-'.repeat(6)}  --------`,
    ...rows.map(([p, { bytes, requests }]) => `${p.padEnd(w)}  ${(bytes / 1000).toFixed(1).padStart(6)}  ${String(requests).padStart(8)}`),
    '',
    `${rows.length} pages; transferred bytes = sum of gzip-compressed (zlib, level 9) bodies of the document and every subresource the browser loaded; limit ${MAX_PAGE_BYTES / 1000} kB`,
  ];
  const table = lines.join('\n') + '\n';
  fs.writeFileSync(path.join(SHOTS, 'weights.txt'), table);
  console.log(table);
  const heavy = rows.filter(([, { bytes }]) => bytes > MAX_PAGE_BYTES);
  fail(heavy.map(([p, { bytes }]) => `${p}: ${(bytes / 1000).toFixed(1)} kB > ${MAX_PAGE_BYTES / 1000} kB`));
});

test('home page in dark mode and with reduced motion has no axe violations', async () => {
  requireChromium();
  const problems = [];
  for (const width of WIDTHS) {
    const dark = await visit(site.server.origin, '/', width, {
      contextOptions: { colorScheme: 'dark' },
      screenshot: `index-dark-${width}`,
    });
    problems.push(...dark.problems);
    // the dark palette really applies (not just a media query that never matches)
    const bg = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    if (bg === 'rgb(255, 255, 255)' || bg === 'rgb(251, 250, 247)') problems.push(`/ @${width}px dark: body background is still light (${bg})`);
  }
  const reduced = await visit(site.server.origin, '/', 1280, {
    contextOptions: { reducedMotion: 'reduce' },
    screenshot: 'index-reduced-motion-1280',
  });
  problems.push(...reduced.problems);
  fail(problems);
});

test('RTL: a site with Arabic renders right-to-left without axe violations', async () => {
  requireChromium();
  const src = makeRtlSite();
  const dir = tempDir('ludd-site-rtl-');
  tmpDirs.push(src, dir);
  const server = await serveDir(dir);
  rtl = { src, dir, server };
  buildSite({ root: src, output: dir, baseUrl: server.origin });
  const home = fs.readFileSync(path.join(dir, 'ar', 'index.html'), 'utf8');
  assert.match(home, /<html[^>]*\sdir="rtl"/, '/ar/ must have <html dir="rtl">');
  const problems = [];
  for (const width of WIDTHS) {
    const r = await visit(server.origin, '/ar/', width, { screenshot: `ar-${width}` });
    problems.push(...r.problems);
    const attrs = await r.page.evaluate(() => ({
      dir: document.documentElement.getAttribute('dir'),
      lang: document.documentElement.lang,
      direction: getComputedStyle(document.body).direction,
    }));
    assert.deepEqual(attrs, { dir: 'rtl', lang: 'ar', direction: 'rtl' }, 'the Arabic home page is right-to-left');
    if (width === 375) {
      const overflow = await overflowAt(r.page, 320);
      if (overflow) problems.push(`/ar/ @320px: horizontal overflow ${overflow.scrollWidth} > 320: ${overflow.culprits.join(', ')}`);
    }
  }
  fail(problems);
});

test('keyboard: the first Tab focuses a visible skip link with a focus outline', async () => {
  requireChromium();
  for (const width of WIDTHS) {
    const { page, context } = await visit(site.server.origin, '/', width, { axe: false, fresh: true });
    try {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        const cs = getComputedStyle(el);
        return {
          tag: el.tagName.toLowerCase(),
          className: el.className,
          href: el.getAttribute('href'),
          text: el.textContent.trim(),
          target: el.getAttribute('href') && document.querySelector(el.getAttribute('href'))?.tagName.toLowerCase(),
          rect: { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height },
          viewport: { width: innerWidth, height: innerHeight },
          outlineWidth: parseFloat(cs.outlineWidth) || 0,
          outlineStyle: cs.outlineStyle,
          boxShadow: cs.boxShadow,
          visibility: cs.visibility,
          opacity: cs.opacity,
        };
      });
      await page.screenshot({ path: path.join(SHOTS, `index-skip-link-${width}.png`) });
      const where = `/ @${width}px`;
      assert.equal(focus.tag, 'a', `${where}: first Tab should focus the skip link, got ${JSON.stringify(focus)}`);
      assert.match(focus.className, /\bskip-link\b/, `${where}: first Tab should focus .skip-link, got ${JSON.stringify(focus)}`);
      assert.equal(focus.target, 'main', `${where}: the skip link must point at <main> (href ${focus.href})`);
      const { rect, viewport } = focus;
      assert.ok(
        rect.width > 0 && rect.height > 0 && rect.left >= 0 && rect.top >= 0 && rect.right <= viewport.width && rect.bottom <= viewport.height,
        `${where}: focused skip link must be inside the viewport: ${JSON.stringify(rect)} in ${JSON.stringify(viewport)}`,
      );
      assert.ok(focus.visibility === 'visible' && Number(focus.opacity) > 0.5, `${where}: skip link hidden: ${JSON.stringify(focus)}`);
      const outline = focus.outlineStyle !== 'none' && focus.outlineWidth >= 2;
      const shadow = focus.boxShadow && focus.boxShadow !== 'none';
      assert.ok(outline || shadow, `${where}: focused skip link needs an outline ≥ 2px or a box-shadow: ${JSON.stringify(focus)}`);
    } finally {
      await context.close();
    }
  }
});

test('print: the demands page hides navigation and sharing and fits one A4 page', async () => {
  requireChromium();
  const { page, context } = await visit(site.server.origin, '/forderungen/', 1280, { axe: false, fresh: true });
  try {
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() => {
      const selectors = ['.skip-link', 'header.site-header', 'nav', 'footer', '.share', '.demand-share', '.share-list', '.neighbours'];
      const hidden = (el) => {
        for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).display === 'none') return true;
        return false;
      };
      const out = [];
      let checked = 0;
      for (const sel of selectors) {
        for (const el of document.querySelectorAll(sel)) {
          checked++;
          if (!hidden(el)) out.push(`${sel}: <${el.tagName.toLowerCase()} class="${el.className}"> is displayed`);
        }
      }
      return { out, checked, main: getComputedStyle(document.querySelector('main')).display };
    });
    assert.ok(shown.checked >= 5, `expected header, navs, footer and share blocks on /forderungen/, checked ${shown.checked}`);
    assert.notEqual(shown.main, 'none', 'the content itself must print');
    fail(shown.out.map((s) => `/forderungen/ print: ${s}`));
    await page.screenshot({ path: path.join(SHOTS, 'forderungen-print.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    fs.writeFileSync(path.join(SHOTS, 'forderungen-print.pdf'), pdf);
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
    assert.equal(pages, 1, `/forderungen/ should print on exactly one A4 page, got ${pages} (see screenshots/forderungen-print.pdf)`);
  } finally {
    await context.close();
  }
});

test('a missing page gets the 404 page of its language, styled, at any depth', async () => {
  requireChromium();
  const problems = [];
  for (const [urlPath, lang] of [
    ['/gibt-es/nicht/', 'de'],
    ['/en/no/such/page/', 'en'],
    ['/fr/introuvable/', 'fr'],
  ]) {
    const r = await visit(site.server.origin, urlPath, 375, { status: 404 });
    problems.push(...r.problems);
    const got = await r.page.evaluate(() => ({
      lang: document.documentElement.lang,
      styled: getComputedStyle(document.body).display === 'flex',
      home: document.querySelector('.not-found-body a.button')?.getAttribute('href'),
    }));
    if (got.lang !== lang || !got.styled) problems.push(`${urlPath}: expected the styled ${lang} 404 page, got ${JSON.stringify(got)}`);
  }
  fail(problems);
});
