// The campaign's actions, checked in the built site and in a real browser: the take-action page
// in every language (the decoded mailto: body is the letter text, the editable letter updates the
// link), every page's share block (each share URL carries the localised message and the page URL,
// no tracking parameter, no third-party proxy), the .ics files (parsed: CRLF, folding, required
// properties), the mobile header (headline and primary action above the fold at 360×640), the side
// column (beside the text at 1280 px on every page that has one, so no page is half empty; the
// take-part box only there) and the handout (one A4 page with the V.i.S.d.P. line and a QR code
// that decodes to the site, without the screen-only wording).
//
//   node --test tests/browser/site-action.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildSite, here, htmlFiles, isRedirectPage, serveDir, tempDir, urlPathOf, CHROMIUM, CHROMIUM_ARGS } from './site-lib.mjs';

const SHOTS = path.join(here, 'screenshots');
const ACTION_PAGES = { de: '/mitmachen/', en: '/en/take-action/', fr: '/fr/agir/', ar: '/ar/sharik/' };
const TRACKING = /[?&](utm_[a-z]+|fbclid|gclid|mc_eid|ref|source)=/i;
let site;
let browser;

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = tempDir('ludd-site-action-');
  const server = await serveDir(dir);
  buildSite({ output: dir, baseUrl: server.origin });
  site = { dir, server };
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await site?.server.close();
  if (site) fs.rmSync(site.dir, { recursive: true, force: true });
});

async function open(urlPath, width = 1280, height = 800) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.hostname !== '127.0.0.1' && u.protocol !== 'data:') errors.push(`request to another host: ${r.url()}`);
  });
  await page.goto(site.server.origin + urlPath, { waitUntil: 'load' });
  return { page, context, errors };
}

/** The query parameters of a mailto: URL, decoded (RFC 6068: percent-encoding, no `+`). */
function mailtoParams(href) {
  assert.match(href, /^mailto:/);
  const query = href.slice(href.indexOf('?') + 1);
  const out = {};
  for (const part of query.split('&')) {
    const [k, v = ''] = part.split('=');
    assert.ok(!/[ \n]/.test(v), `mailto: values must be percent-encoded: ${v.slice(0, 40)}`);
    out[k] = decodeURIComponent(v);
  }
  return out;
}

test('take action: the mailto: link carries the letter exactly, and follows edits', async () => {
  for (const [lang, urlPath] of Object.entries(ACTION_PAGES)) {
    const { page, context, errors } = await open(urlPath);
    try {
      const letter = await page.evaluate(() => ({
        subject: document.querySelector('#letter-subject').value,
        body: document.querySelector('#letter-body').value,
        href: document.querySelector('.letter-send').getAttribute('href'),
        lang: document.documentElement.lang,
      }));
      assert.equal(letter.lang, lang);
      assert.ok(letter.body.length > 200, `${urlPath}: the letter is there`);
      // the link as built (without JavaScript) …
      const html = fs.readFileSync(path.join(site.dir, urlPath, 'index.html'), 'utf8');
      const built = mailtoParams(html.match(/class="button letter-send" href="([^"]+)"/)[1].replace(/&amp;/g, '&'));
      assert.equal(built.body, letter.body, `${urlPath}: decoded mailto: body = letter text`);
      assert.equal(built.subject, letter.subject, `${urlPath}: decoded mailto: subject`);
      // … and after editing, with an address
      await page.fill('#letter-to', 'rat@example.org');
      await page.fill('#letter-body', `${letter.body}\n\nP.S. & ? = # 100 %`);
      const edited = await page.evaluate(() => document.querySelector('.letter-send').getAttribute('href'));
      assert.ok(edited.startsWith('mailto:rat@example.org?'), edited);
      assert.equal(mailtoParams(edited).body, `${letter.body}\n\nP.S. & ? = # 100 %`);
      // the printable version: only the letter, as edited, on paper
      await page.evaluate(() => {
        window.print = () => {
          window.__printed = { cls: document.body.className, text: document.querySelector('.letter-printout').textContent };
        };
      });
      await page.click('.letter-print');
      const printed = await page.evaluate(() => window.__printed);
      assert.match(printed.cls, /\bprint-letter\b/, `${urlPath}: printing the letter prints the letter only`);
      assert.equal(printed.text, `${letter.subject}\n\n${letter.body}\n\nP.S. & ? = # 100 %`);
      assert.deepEqual(errors, [], `${urlPath}: console errors or foreign requests`);
    } finally {
      await context.close();
    }
  }
});

test('share block: one per page, every URL carries the message and the page URL, no tracking, no proxy', async () => {
  const pages = htmlFiles(site.dir).filter((rel) => !isRedirectPage(path.join(site.dir, rel)) && !rel.endsWith('404.html'));
  let checked = 0;
  for (const rel of pages) {
    const html = fs.readFileSync(path.join(site.dir, rel), 'utf8');
    assert.ok(!html.includes('toot.kytta.dev'), `${rel}: no third-party Mastodon proxy`);
    const blocks = html.match(/<aside class="share"/g) || [];
    const legal = /(datenschutz|impressum|privacy|imprint|confidentialite|mentions-legales)\//.test(rel);
    if (legal || rel.startsWith('tags/') || rel.includes('/tags/')) continue;
    assert.equal(blocks.length, 1, `${rel}: exactly one share block, found ${blocks.length}`);
    const block = html.slice(html.indexOf('<aside class="share"'), html.indexOf('</aside>', html.indexOf('<aside class="share"')));
    const pageUrl = site.server.origin + urlPathOf(rel);
    const message = block.match(/data-share-text="([^"]+)"/)[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"');
    const hrefs = [...block.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    assert.ok(hrefs.length >= 4, `${rel}: e-mail, WhatsApp, Telegram, Bluesky`);
    for (const href of hrefs) {
      assert.ok(!TRACKING.test(href), `${rel}: tracking parameter in ${href}`);
      const decoded = decodeURIComponent(href);
      assert.ok(decoded.includes(pageUrl), `${rel}: ${href} must carry the page URL ${pageUrl}`);
      const words = message.replace(pageUrl, '').trim();
      assert.ok(decoded.includes(words), `${rel}: ${href} must carry the message “${words}”`);
    }
    checked++;
  }
  assert.ok(checked >= 20, `checked ${checked} pages`);
});

test('share block: Mastodon goes to the visitor’s own instance, remembered in localStorage only', async () => {
  const { page, context, errors } = await open('/en/demands/');
  try {
    const popups = [];
    await page.exposeFunction('__opened', (u) => popups.push(u));
    await page.evaluate(() => { window.open = (u) => { window.__opened(u); return null; }; });
    await page.fill('#mastodon-instance', 'https://social.example.net/@someone');
    await page.click('.mastodon-share button');
    await page.waitForFunction(() => localStorage.getItem('ludd-mastodon-instance'));
    assert.equal(popups.length, 1);
    const u = new URL(popups[0]);
    assert.equal(u.origin, 'https://social.example.net');
    assert.equal(u.pathname, '/share');
    assert.ok(u.searchParams.get('text').includes(`${site.server.origin}/en/demands/`), popups[0]);
    assert.equal(await page.evaluate(() => localStorage.getItem('ludd-mastodon-instance')), 'social.example.net');
    await page.reload();
    assert.equal(await page.inputValue('#mastodon-instance'), 'social.example.net', 'remembered in this browser');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** A small RFC 5545 reader: checks CRLF and folding, unfolds, returns the components. */
function parseIcs(text, name) {
  assert.ok(text.endsWith('\r\n'), `${name}: ends with CRLF`);
  assert.ok(!/[^\r]\n/.test(text), `${name}: every line ends with CRLF`);
  for (const line of text.split('\r\n')) {
    assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `${name}: line longer than 75 octets: ${line}`);
  }
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean);
  const stack = [];
  const events = [];
  let cal = null;
  for (const line of lines) {
    const colon = line.indexOf(':');
    assert.ok(colon > 0, `${name}: not a content line: ${line}`);
    const [nameParams, value] = [line.slice(0, colon), line.slice(colon + 1)];
    const prop = nameParams.split(';')[0];
    if (prop === 'BEGIN') {
      const comp = { type: value, props: {} };
      if (value === 'VCALENDAR') cal = comp;
      if (value === 'VEVENT') events.push(comp);
      stack.push(comp);
    } else if (prop === 'END') {
      assert.equal(stack.pop()?.type, value, `${name}: END:${value} closes what was opened`);
    } else {
      const unescaped = value.replace(/\\([\\;,nN])/g, (_, c) => (c === 'n' || c === 'N' ? '\n' : c));
      stack.at(-1).props[prop] = unescaped;
    }
  }
  assert.equal(stack.length, 0, `${name}: every component is closed`);
  assert.ok(cal, `${name}: a VCALENDAR`);
  return { cal, events };
}

test('.ics files: one per event and one for all, valid iCalendar in every language', () => {
  for (const prefix of ['', 'en/', 'fr/', 'ar/']) {
    const folder = path.join(site.dir, prefix, 'events');
    const files = fs.readdirSync(folder).filter((f) => f.endsWith('.ics'));
    assert.ok(files.includes('all.ics') && files.length >= 2, `${folder}: ${files}`);
    const all = parseIcs(fs.readFileSync(path.join(folder, 'all.ics'), 'utf8'), `${prefix}events/all.ics`);
    assert.equal(all.cal.props.VERSION, '2.0');
    assert.ok(all.cal.props.PRODID);
    assert.equal(all.events.length, files.length - 1, 'all.ics holds every event');
    for (const e of all.events) {
      for (const p of ['UID', 'DTSTAMP', 'DTSTART', 'SUMMARY']) assert.ok(e.props[p], `${prefix}: event lacks ${p}`);
      assert.match(e.props.DTSTART, /^\d{8}T\d{6}Z$/);
      const one = parseIcs(fs.readFileSync(path.join(folder, `${e.props.UID.split('@')[0]}.ics`), 'utf8'), e.props.UID);
      assert.equal(one.events.length, 1);
      assert.deepEqual(one.events[0].props, e.props, 'the single-event file has the same event');
    }
    // the page lists the same events and links their files
    const action = Object.values(ACTION_PAGES).find((p) => p.startsWith(`/${prefix}`) && (prefix || !/^\/(en|fr|ar)\//.test(p)));
    const html = fs.readFileSync(path.join(site.dir, action, 'index.html'), 'utf8');
    for (const e of all.events) {
      assert.ok(html.includes(`/${prefix}events/${e.props.UID.split('@')[0]}.ics`), `${action} links the event's .ics`);
      assert.ok(html.includes(e.props.SUMMARY.replace(/&/g, '&amp;')), `${action} shows “${e.props.SUMMARY}”`);
    }
  }
});

test('mobile: headline and primary action are above the fold at 360×640 in every language', async () => {
  for (const home of ['/', '/en/', '/fr/', '/ar/']) {
    const { page, context, errors } = await open(home, 360, 640);
    try {
      const r = await page.evaluate(() => {
        const h1 = document.querySelector('.hero h1').getBoundingClientRect();
        const button = document.querySelector('.hero .actions .button').getBoundingClientRect();
        const lang = [...document.querySelectorAll('.lang-nav a')].map((a) => parseFloat(getComputedStyle(a).fontSize));
        return { h1: h1.bottom, button: button.bottom, buttonTop: button.top, lang };
      });
      assert.ok(r.h1 <= 640 && r.button <= 640, `${home}: headline (${r.h1}) and button (${r.button}) within 640 px`);
      assert.ok(r.lang.every((s) => s >= 16), `${home}: the language switcher is at least 16 px: ${r.lang}`);
      await page.screenshot({ path: path.join(SHOTS, `fold-${home.replace(/\//g, '') || 'de'}-360.png`) });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('handout: the demands print on one A4 page with the V.i.S.d.P. line and a QR code, in every language', async () => {
  // the handout's QR code is drawn by ludd's qr() from base_url (here the test server's origin)
  const actionPaths = {
    '/forderungen/': '/mitmachen/',
    '/en/demands/': '/en/take-action/',
    '/fr/revendications/': '/fr/agir/',
    '/ar/matalib/': '/ar/sharik/',
  };
  for (const urlPath of Object.keys(actionPaths)) {
    const { page, context } = await open(urlPath);
    try {
      await page.emulateMedia({ media: 'print' });
      const printed = await page.evaluate(() => {
        const visible = (el) => {
          for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).display === 'none') return false;
          return true;
        };
        return {
          text: document.body.innerText,
          visdp: [...document.querySelectorAll('.visdp')].filter(visible).map((e) => e.textContent),
          wordmark: [...document.querySelectorAll('.handout-head img')].filter(visible).map((i) => ({ src: new URL(i.src).pathname, alt: i.alt })),
        };
      });
      assert.equal(printed.visdp.length, 1, `${urlPath}: the V.i.S.d.P. line prints`);
      assert.match(printed.visdp[0], /^V\.i\.S\.d\.P\.: \S/);
      assert.equal(printed.wordmark.length, 1, `${urlPath}: the wordmark prints`);
      // in the page's language, its text alternative saying what the picture says
      const svg = fs.readFileSync(path.join(site.dir, printed.wordmark[0].src), 'utf8');
      assert.equal(printed.wordmark[0].alt, svg.match(/<title[^>]*>([^<]+)<\/title>/)[1], `${urlPath}: the wordmark's alt is its text`);
      assert.ok(!printed.text.includes('Zum Ausdrucken als einseitiger Handzettel'), `${urlPath}: no screen-only wording on paper`);
      // the QR code (inline SVG from qr()) prints and leads to the take-action page of this build
      await page.addScriptTag({ path: path.join(here, 'node_modules', 'jsqr', 'dist', 'jsQR.js') });
      const qr = await page.evaluate(async () => {
        const code = document.querySelector('.handout-foot svg.qr');
        if (!code) return { error: 'no inline QR code (qr()) in the handout' };
        if (getComputedStyle(code).display === 'none') return { error: 'the QR code does not print' };
        const img = new Image();
        img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(code));
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 400;
        const g = canvas.getContext('2d');
        g.fillStyle = '#fff';
        g.fillRect(0, 0, 400, 400);
        g.drawImage(img, 40, 40, 320, 320);
        const data = g.getImageData(0, 0, 400, 400);
        const rect = code.getBoundingClientRect();
        return { text: window.jsQR(data.data, 400, 400)?.data ?? null, label: code.getAttribute('aria-label'), role: code.getAttribute('role'), width: rect.width };
      });
      assert.equal(qr.error, undefined, `${urlPath}: ${qr.error}`);
      assert.equal(qr.role, 'img', `${urlPath}: the QR code is an image to assistive technology`);
      assert.ok(qr.label && qr.label.includes(site.server.origin + actionPaths[urlPath]), `${urlPath}: the QR code's text alternative names its URL: ${qr.label}`);
      assert.ok(qr.width >= 80, `${urlPath}: the QR code prints at least 80 CSS px (about 21 mm) wide: ${qr.width}`);
      assert.equal(qr.text, site.server.origin + actionPaths[urlPath], `${urlPath}: the QR code decodes to the take-action page of the site`);
      const pdf = await page.pdf({ format: 'A4' });
      fs.writeFileSync(path.join(SHOTS, `handout${urlPath.replace(/\//g, '-')}.pdf`), pdf);
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
      assert.equal(pages, 1, `${urlPath}: exactly one A4 page, got ${pages}`);
    } finally {
      await context.close();
    }
  }
});

test('side column: beside the text at 1280 px on every page with one, the take-part box only on wide screens', async () => {
  const pages = htmlFiles(site.dir).filter((rel) => fs.readFileSync(path.join(site.dir, rel), 'utf8').includes('class="page-body"'));
  assert.ok(pages.length >= 30, `pages with a side column: ${pages.length}`);
  const wide = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const narrow = await browser.newContext({ viewport: { width: 375, height: 812 } });
  try {
    const [w, n] = [await wide.newPage(), await narrow.newPage()];
    for (const rel of pages) {
      const urlPath = urlPathOf(rel);
      await w.goto(site.server.origin + urlPath, { waitUntil: 'load' });
      const g = await w.evaluate(() => {
        const r = (el) => el && el.getBoundingClientRect();
        const main = r(document.querySelector('.page-main'));
        const side = document.querySelector('.page-side');
        const wrap = r(document.querySelector('.page-body'));
        return {
          rtl: document.documentElement.dir === 'rtl',
          main: main && { left: main.left, right: main.right, top: main.top },
          side: side && getComputedStyle(side).display !== 'none' ? { left: r(side).left, right: r(side).right, top: r(side).top, height: r(side).height } : null,
          wrap: wrap && { left: wrap.left, right: wrap.right },
          box: !!document.querySelector('.side-action') && getComputedStyle(document.querySelector('.side-action')).display !== 'none',
          isAction: document.body.classList.contains('action-page'),
        };
      });
      assert.ok(g.side && g.side.height > 0, `${urlPath} @1280: the side column shows`);
      const beside = g.rtl ? g.side.right <= g.main.left : g.side.left >= g.main.right;
      assert.ok(beside && Math.abs(g.side.top - g.main.top) < 2, `${urlPath} @1280: the side column sits beside the text: ${JSON.stringify(g)}`);
      const used = Math.max(g.side.right, g.main.right) - Math.min(g.side.left, g.main.left);
      assert.ok(used >= 0.95 * (g.wrap.right - g.wrap.left), `${urlPath} @1280: text and side column fill the page's width (${used} of ${g.wrap.right - g.wrap.left} px)`);
      assert.equal(g.box, !g.isAction, `${urlPath} @1280: the take-part box shows everywhere but on the take-action page`);
    }
    for (const urlPath of ['/artikel/', '/en/demands/', '/fr/sources/', '/ar/matalib/']) {
      await n.goto(site.server.origin + urlPath, { waitUntil: 'load' });
      const m = await n.evaluate(() => ({
        box: getComputedStyle(document.querySelector('.side-action')).display,
        band: getComputedStyle(document.querySelector('.action-band')).display,
      }));
      assert.deepEqual(m, { box: 'none', band: 'block' }, `${urlPath} @375: the band after the content takes the box's place`);
    }
  } finally {
    await wide.close();
    await narrow.close();
  }
});

/** The `content` of a `<meta property=…>` in `html`, HTML entities decoded. */
function meta(html, property) {
  const m = html.match(new RegExp(`<meta property="${property}" content="([^"]*)"`));
  return m && m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

test('share cards: every page links a 1200×630 PNG of this build that shows its title, and the downloads offer the campaign card', () => {
  const pages = htmlFiles(site.dir).filter((rel) => !isRedirectPage(path.join(site.dir, rel)));
  const fileOf = (url) => {
    assert.ok(url.startsWith(site.server.origin + '/'), `a card of this build: ${url}`);
    return path.join(site.dir, decodeURIComponent(new URL(url).pathname));
  };
  const homes = {};
  for (const lang of ['', 'en/', 'fr/', 'ar/']) {
    const html = fs.readFileSync(path.join(site.dir, lang, 'index.html'), 'utf8');
    homes[lang] = { image: meta(html, 'og:image'), alt: meta(html, 'og:image:alt'), h1: html.match(/<h1[^>]*>([^<]+)<\/h1>/)[1] };
    // the home card shows the home page's headline, not only the site name
    assert.ok(homes[lang].alt.startsWith(homes[lang].h1), `/${lang}: home card alt “${homes[lang].alt}” names the headline “${homes[lang].h1}”`);
  }
  const titlesOfCard = new Map();
  const hashes = new Map();
  let own = 0;
  for (const rel of pages) {
    const html = fs.readFileSync(path.join(site.dir, rel), 'utf8');
    assert.ok(!/img\/card(-[a-z]+)?\.png/.test(html), `${rel}: no link to the removed static cards`);
    const image = meta(html, 'og:image');
    assert.ok(image, `${rel}: og:image`);
    assert.equal(html.match(/<meta name="twitter:image" content="([^"]*)"/)?.[1].replace(/&amp;/g, '&'), image, `${rel}: twitter:image is the same card`);
    const png = fs.readFileSync(fileOf(image));
    assert.equal(png.subarray(1, 4).toString(), 'PNG', `${rel}: ${image} is a PNG`);
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1200, 630], `${rel}: ${image} is 1200×630`);
    const title = meta(html, 'og:title');
    const siteName = meta(html, 'og:site_name');
    const alt = meta(html, 'og:image:alt');
    const lang = (rel.match(/^(en|fr|ar)\//) || ['', ''])[0];
    const ownCard = `${site.server.origin}/cards/${rel.replace(/(^|\/)index\.html$/, '').replace(/\/$/, '') || 'index'}.png`;
    if (image === ownCard && rel !== `${lang}index.html`) {
      // its own card: drawn with the page's title
      assert.equal(alt, title === siteName ? title : `${title} – ${siteName}`, `${rel}: the card's alt is the page title it shows`);
      own++;
    } else {
      // no card of its own (home, tag and 404 pages): the home page's card, described as such
      assert.equal(image, homes[lang].image, `${rel}: a page without its own card shows the home page's (${ownCard})`);
      assert.equal(alt, homes[lang].alt, `${rel}: and describes it as the home page's`);
    }
    const hash = crypto.createHash('sha256').update(png).digest('hex');
    titlesOfCard.set(image, (titlesOfCard.get(image) || new Set()).add(alt));
    hashes.set(hash, (hashes.get(hash) || new Set()).add(alt));
  }
  assert.ok(own >= 25, `pages with a card of their own: ${own}`);
  for (const [card, alts] of titlesOfCard) assert.equal(alts.size, 1, `${card} stands for one title, not ${[...alts].join(' / ')}`);
  for (const alts of hashes.values()) assert.equal(alts.size, 1, `cards with different titles differ: ${[...alts].join(' / ')}`);
  // the press kit and the take-action page offer the campaign card of their language, which exists
  for (const [rel, lang] of [['presse/index.html', ''], ['en/press/index.html', 'en/'], ['fr/presse/index.html', 'fr/'], ...Object.entries(ACTION_PAGES).map(([l, p]) => [`${p.slice(1)}index.html`, l === 'de' ? '' : `${l}/`])]) {
    const html = fs.readFileSync(path.join(site.dir, rel), 'utf8');
    const list = html.slice(html.indexOf('<ul class="download-list">'), html.indexOf('</ul>', html.indexOf('<ul class="download-list">')));
    const links = [...list.matchAll(/href="([^"]+\.png)" download/g)].map((m) => m[1]);
    // a link within the site, so that the download works in `ludd serve` too
    assert.ok(links.every((l) => l.startsWith('/')), `${rel}: the card download is a link within the site: ${links}`);
    const pngs = links.map((l) => new URL(l, site.server.origin + '/').href);
    assert.deepEqual(pngs, [homes[lang].image], `${rel}: the downloads offer the campaign card`);
    assert.ok(fs.existsSync(fileOf(pngs[0])), `${rel}: the offered card exists`);
  }
});
