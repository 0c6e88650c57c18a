// Shared helpers for the site-*.test.mjs files: build the campaign site with ludd into a temp
// folder, walk its HTML pages and serve it from 127.0.0.1 with a tiny static server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

/** Debian's Chromium, started headless with nothing that reaches the network. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Path of the ludd binary: $LUDD_BIN (relative to the repo root) or debug/ludd in
 * $CARGO_TARGET_DIR (default target/), built if missing.
 */
export function luddBin() {
  const targetDir = process.env.CARGO_TARGET_DIR || 'target';
  const bin = path.resolve(repoRoot, process.env.LUDD_BIN || path.join(targetDir, 'debug', 'ludd'));
  if (!fs.existsSync(bin)) {
    if (process.env.LUDD_BIN) throw new Error(`LUDD_BIN=${process.env.LUDD_BIN} does not exist (${bin})`);
    const r = spawnSync('cargo', ['build', '--quiet'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0 || !fs.existsSync(bin)) throw new Error(`cargo build failed (status ${r.status}); ${bin} missing`);
  }
  return bin;
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs `ludd build` for the site in `root` into `output`; throws with ludd's output on failure. */
export function buildSite({ root = repoRoot, output, baseUrl }) {
  const args = ['build', '--quiet', '--root', root, '--output', output];
  if (baseUrl) args.push('--base-url', baseUrl);
  const r = spawnSync(luddBin(), args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`ludd ${args.join(' ')} failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return output;
}

/**
 * Copies the campaign site's sources (site.toml, content/, themes/, data/ and the site's own
 * templates/, static/, i18n/ if present) into a new temp folder and returns it; `editConfig`
 * (a function of the site.toml text) changes its configuration.
 */
export function copySite(prefix, editConfig = (toml) => toml) {
  const dir = tempDir(prefix);
  for (const name of ['site.toml', 'content', 'themes', 'templates', 'static', 'i18n', 'data']) {
    const from = path.join(repoRoot, name);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, name), { recursive: true });
  }
  const config = path.join(dir, 'site.toml');
  fs.writeFileSync(config, editConfig(fs.readFileSync(config, 'utf8')));
  return dir;
}

/**
 * Copies the site sources (site.toml, content/, themes/ and the site's own templates/, static/,
 * i18n/ if present) into a temp folder and adds Arabic as a right-to-left language.
 */
export function makeRtlSite() {
  const dir = copySite('ludd-site-rtl-src-');
  // The campaign site has Arabic (partly translated) itself; older copies get it added.
  if (!fs.readFileSync(path.join(dir, 'site.toml'), 'utf8').includes('[languages.ar]')) {
    fs.appendFileSync(
      path.join(dir, 'site.toml'),
      '\n[languages.ar]\nname = "العربية"\ndirection = "rtl"\nfallback = true\n',
    );
    fs.copyFileSync(path.join(dir, 'content', '_index.md'), path.join(dir, 'content', '_index.ar.md'));
  }
  return dir;
}

/** All .html files below `dir`, as paths relative to it with forward slashes, sorted. */
export function htmlFiles(dir) {
  const out = [];
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  })(dir);
  return out.sort();
}

/** True for alias redirect pages (a `<meta http-equiv="refresh">`). */
export function isRedirectPage(file) {
  return /<meta[^>]+http-equiv=["']?refresh/i.test(fs.readFileSync(file, 'utf8'));
}

/** URL path of an output file: `en/demands/index.html` → `/en/demands/`, `404.html` → `/404.html`. */
export function urlPathOf(rel) {
  if (rel === 'index.html') return '/';
  if (rel.endsWith('/index.html')) return '/' + rel.slice(0, -'index.html'.length);
  return '/' + rel;
}

/** A file-name-friendly name of an output file: `en/demands/index.html` → `en-demands`. */
export function pageName(rel) {
  const p = rel.replace(/(^|\/)index\.html$/, '').replace(/\.html$/, '');
  return p === '' ? 'index' : p.replace(/\//g, '-');
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

export function contentType(file) {
  return TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

/**
 * Starts a static server for `root` on 127.0.0.1 (a free port). A folder serves its index.html;
 * a missing file answers 404 with the 404.html of the language folder it is in (or the root's).
 * `headers` go with every response (a Content-Security-Policy, say). Returns { server, port,
 * origin, close() }.
 */
export async function serveDir(root, { headers = {} } = {}) {
  const server = http.createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = path.join(root, path.normalize(pathname));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    } catch {
      /* handled below */
    }
    let status = 200;
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      status = 404;
      const first = pathname.split('/').filter(Boolean)[0];
      const lang404 = first && path.join(root, first, '404.html');
      file = lang404 && fs.existsSync(lang404) ? lang404 : path.join(root, '404.html');
      if (!fs.existsSync(file)) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
    }
    const body = fs.readFileSync(file);
    res.writeHead(status, {
      'content-type': contentType(file),
      'content-length': body.length,
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
