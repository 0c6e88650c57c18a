// Writes the handout's QR codes (static/img/qr-action-<lang>.svg of the site) until ludd's own
// qr() template function (branch `media`) replaces them: node make-qr.mjs <site root>, with the
// npm package `qrcode` installed next to this script (npm install qrcode). It reads base_url
// from site.toml and encodes base_url + the take-action page of each language; run it again when
// base_url or those paths change (the browser test decodes every code and compares).
import QRCode from 'qrcode';
import fs from 'node:fs';
import path from 'node:path';

const root = process.argv[2] || '.';
const config = fs.readFileSync(path.join(root, 'site.toml'), 'utf8');
const base = config.match(/^base_url\s*=\s*"([^"]+)"/m)[1].replace(/\/$/, '');
const pages = { de: '/mitmachen/', en: '/en/take-action/', fr: '/fr/agir/', ar: '/ar/sharik/' };
for (const [lang, page] of Object.entries(pages)) {
  const url = base + page;
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
  const out = path.join(root, 'static', 'img', `qr-action-${lang}.svg`);
  fs.writeFileSync(out, svg.replace('<svg ', `<svg role="img" aria-label="QR code: ${url}" `));
  console.log(out, url);
}
