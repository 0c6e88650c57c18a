// The campaign theme under another team's configuration, on copies of the campaign site: the
// sign-up form with `[extra.pledge] endpoint` set (a real browser, under the site's own
// Content-Security-Policy with the endpoint added to `[hosting.csp] form-action`, submits it to
// a local test server, which must receive the fields; the privacy note sits beside the form; no
// axe violations) and without it (no form anywhere), and `[[calendars]]` renamed (other data key,
// other folder): the .ics files and the take-action pages' links follow the configuration; and a
// base_url with a path: every image, stylesheet, script and icon reference stays under it.
//
//   node --test tests/browser/site-config.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { buildSite, copySite, htmlFiles, serveDir, tempDir, CHROMIUM, CHROMIUM_ARGS } from './site-lib.mjs';

const require = createRequire(import.meta.url);
const AXE_FILE = '__test-axe.min.js';
const ACTION_PAGES = { de: '/mitmachen/', en: '/en/take-action/', fr: '/fr/agir/', ar: '/ar/sharik/' };
const cleanup = [];
let browser;

before(async () => {
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const c of cleanup.reverse()) await c();
});

/**
 * Builds a copy of the campaign site with `editConfig` applied to its site.toml and serves it
 * with the Content-Security-Policy of the `_headers` file the build wrote, as Netlify would.
 */
async function buildCopy(name, editConfig, prepare = () => {}) {
  const src = copySite(`ludd-${name}-src-`, editConfig);
  prepare(src);
  const out = tempDir(`ludd-${name}-`);
  cleanup.push(() => fs.rmSync(src, { recursive: true, force: true }), () => fs.rmSync(out, { recursive: true, force: true }));
  const headers = {};
  const server = await serveDir(out, { headers });
  cleanup.push(() => server.close());
  buildSite({ root: src, output: out, baseUrl: server.origin });
  const csp = fs.readFileSync(path.join(out, '_headers'), 'utf8').match(/^\s*Content-Security-Policy: (.+)$/m);
  assert.ok(csp, 'the build writes a Content-Security-Policy into _headers');
  headers['content-security-policy'] = csp[1];
  fs.copyFileSync(require.resolve('axe-core/axe.min.js'), path.join(out, AXE_FILE));
  return { dir: out, server, csp: csp[1] };
}

/** A stand-in for the campaign's own sign-up server: records every POST to /pledge. */
async function pledgeServer() {
  const received = [];
  let arrived;
  const next = () => new Promise((resolve) => (arrived = resolve));
  let waiting = next();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/pledge') {
        received.push({ type: req.headers['content-type'], fields: Object.fromEntries(new URLSearchParams(body)) });
        arrived();
        waiting = next();
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>Thanks</title><p>Thanks');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return { endpoint: `http://127.0.0.1:${server.address().port}/pledge`, received, nextPost: () => waiting };
}

test('sign-up form: with [extra.pledge] endpoint, the browser posts name, e-mail and language there', async () => {
  const pledge = await pledgeServer();
  const origin = new URL(pledge.endpoint).origin;
  const site = await buildCopy(
    'pledge',
    (toml) => `${toml}\n[extra.pledge]\nendpoint = "${pledge.endpoint}"\n\n[hosting.csp]\nform-action = ["${origin}"]\n`,
  );
  assert.match(site.csp, new RegExp(`form-action 'self' ${origin}(;|$)`), 'the CSP lets the form post to the endpoint');
  for (const [lang, urlPath] of Object.entries(ACTION_PAGES)) {
    const html = fs.readFileSync(path.join(site.dir, urlPath, 'index.html'), 'utf8');
    assert.ok(html.includes(`<form class="pledge-form" action="${pledge.endpoint}" method="post"`), `${urlPath}: the form posts to the endpoint`);
    for (const width of [375, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      const problems = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.protocol !== 'data:' && u.hostname !== '127.0.0.1') problems.push(`request to another host: ${r.url()}`);
      });
      try {
        await page.goto(site.server.origin + urlPath, { waitUntil: 'load' });
        const layout = await page.evaluate(() => {
          const box = (sel) => document.querySelector(sel)?.getBoundingClientRect().toJSON();
          const note = document.querySelector('.pledge .privacy-note');
          return {
            form: box('.pledge-form'),
            note: box('.pledge .privacy-note'),
            describedBy: document.querySelector('.pledge-form').getAttribute('aria-describedby'),
            noteId: note?.id,
            privacyLink: note?.querySelector('a')?.getAttribute('href'),
            dir: document.documentElement.dir,
          };
        });
        assert.ok(layout.note, `${urlPath}: a privacy note beside the form`);
        assert.equal(layout.describedBy, layout.noteId, `${urlPath}: the form is described by the privacy note`);
        assert.ok(layout.privacyLink, `${urlPath}: the note links the privacy page`);
        if (width === 1280) {
          const beside = layout.dir === 'rtl' ? layout.note.right <= layout.form.left : layout.note.left >= layout.form.right;
          assert.ok(beside && layout.note.top < layout.form.bottom, `${urlPath} @1280: the note sits beside the form: ${JSON.stringify(layout)}`);
        }
        // from the site's own origin: the CSP allows no inline script
        await page.addScriptTag({ url: `${site.server.origin}/${AXE_FILE}` });
        const axe = await page.evaluate(() =>
          window.axe.run(document.querySelector('.pledge'), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
        );
        assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`), [], `${urlPath} @${width}: axe`);
        if (width === 375) {
          await page.fill('#pledge-name', `Ada ${lang}`);
          await page.fill('#pledge-email', `ada+${lang}@example.org`);
          const posted = pledge.nextPost();
          await page.click('.pledge-form button[type=submit]');
          const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`${urlPath}: no POST arrived at the endpoint within 15 s`)), 15000).unref());
          await Promise.race([posted, timeout]);
          const last = pledge.received.at(-1);
          assert.equal(last.type, 'application/x-www-form-urlencoded');
          assert.deepEqual(last.fields, { name: `Ada ${lang}`, email: `ada+${lang}@example.org`, lang }, `${urlPath}: the POST carries the fields`);
        }
        assert.deepEqual(problems, [], `${urlPath} @${width}`);
      } finally {
        await context.close();
      }
    }
  }
  assert.equal(pledge.received.length, Object.keys(ACTION_PAGES).length, 'one POST per language, nothing else');
});

test('sign-up form: without an endpoint there is no form on any page', async () => {
  const site = await buildCopy('no-pledge', (toml) => toml.replace(/\n\[extra\.pledge\][^[]*/, '\n'));
  for (const rel of htmlFiles(site.dir)) {
    const html = fs.readFileSync(path.join(site.dir, rel), 'utf8');
    assert.ok(!html.includes('pledge-form') && !html.includes('method="post"'), `${rel}: no sign-up form without an endpoint`);
  }
  for (const urlPath of Object.values(ACTION_PAGES)) {
    assert.ok(fs.readFileSync(path.join(site.dir, urlPath, 'index.html'), 'utf8').includes('letter-send'), `${urlPath}: the rest of the page is there`);
  }
});

test('[[calendars]]: another data key and folder move the .ics files and the take-action links', async () => {
  const site = await buildCopy(
    'calendars',
    (toml) => {
      const edited = toml.replace(/\[\[calendars\]\]\ndata = "events"\npath = "events"/, '[[calendars]]\ndata = "agenda"\npath = "termine/ics"');
      assert.notEqual(edited, toml, 'site.toml has the [[calendars]] entry this test renames');
      return edited;
    },
    (src) => {
      for (const f of fs.readdirSync(path.join(src, 'data'))) {
        if (f.startsWith('events.')) fs.renameSync(path.join(src, 'data', f), path.join(src, 'data', f.replace(/^events/, 'agenda')));
      }
    },
  );
  for (const [lang, urlPath] of Object.entries(ACTION_PAGES)) {
    const prefix = lang === 'de' ? '' : `${lang}/`;
    const folder = path.join(site.dir, prefix, 'termine', 'ics');
    const files = fs.readdirSync(folder).filter((f) => f.endsWith('.ics')).sort();
    assert.ok(files.includes('all.ics') && files.length >= 2, `${folder}: ${files}`);
    assert.ok(!fs.existsSync(path.join(site.dir, prefix, 'events')), `${prefix}events/ is not written any more`);
    const html = fs.readFileSync(path.join(site.dir, urlPath, 'index.html'), 'utf8');
    const links = [...html.matchAll(/href="([^"]+\.ics)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(links, files.map((f) => `/${prefix}termine/ics/${f}`).sort(), `${urlPath}: links every .ics file where it is`);
    assert.ok(html.includes('class="event"'), `${urlPath}: the events from data/agenda are listed`);
  }
});

test('base_url with a path: every image, stylesheet, script and icon of every page is under it and exists', () => {
  const src = copySite('ludd-basepath-src-');
  const out = tempDir('ludd-basepath-');
  cleanup.push(() => fs.rmSync(src, { recursive: true, force: true }), () => fs.rmSync(out, { recursive: true, force: true }));
  buildSite({ root: src, output: out, baseUrl: 'https://example.org/project/' });
  let checked = 0;
  for (const rel of htmlFiles(out)) {
    const html = fs.readFileSync(path.join(out, rel), 'utf8');
    for (const [, attr, url] of html.matchAll(/<(?:img|script|link)\b[^>]*?\s(src|href)="([^"]+)"/g)) {
      if (/^(https?:|mailto:|data:)/.test(url) && !url.startsWith('https://example.org/')) continue;
      const pathname = new URL(url, 'https://example.org/').pathname;
      assert.ok(pathname.startsWith('/project/'), `${rel}: ${attr}="${url}" is not under the base path /project/`);
      const file = path.join(out, decodeURIComponent(pathname.slice('/project'.length)));
      assert.ok(fs.existsSync(file.endsWith('/') ? path.join(file, 'index.html') : file), `${rel}: ${url} names no output file`);
      checked++;
    }
  }
  assert.ok(checked > 200, `checked ${checked} references`);
});
