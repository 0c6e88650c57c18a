// ludd live reload client: served at /__ludd/reload.js by `ludd serve` and injected into HTML
// responses only while serving (never written into files). It listens to /__ludd/events
// (server-sent events, same origin, so a theme's Content-Security-Policy with 'self' allows it):
// a page reloads when its own output file (or a script, image or font it uses) changed,
// swaps its stylesheets in place when only CSS changed (keeping scroll position and form input),
// and shows build errors in an accessible overlay until a later build succeeds.
(function () {
  'use strict';
  if (window.__luddReload) return;
  var state = { connected: false, stamp: null, overlay: false };
  window.__luddReload = state;

  var OVERLAY_ID = 'ludd-error-overlay';
  var host = null;
  var previousFocus = null;

  function navigationEntry() {
    var entries = performance.getEntriesByType ? performance.getEntriesByType('navigation') : [];
    return entries && entries[0];
  }

  // The build this page was served from (Server-Timing: ludd;desc="<server>.<build>").
  (function () {
    var nav = navigationEntry();
    var timings = (nav && nav.serverTiming) || [];
    for (var i = 0; i < timings.length; i++) {
      if (timings[i].name === 'ludd') state.stamp = timings[i].description;
    }
  })();

  function decode(path) {
    try { return decodeURIComponent(path); } catch (e) { return path; }
  }

  // Output path (relative to the output folder) of a same-origin URL, or null.
  function outputPathOf(url) {
    try {
      var u = new URL(url, location.href);
      if (u.origin !== location.origin) return null;
      return decode(u.pathname).replace(/^\/+/, '');
    } catch (e) {
      return null;
    }
  }

  // The output files that could be this page.
  function ownPaths() {
    var p = outputPathOf(location.href) || '';
    if (p === '' || p.slice(-1) === '/') return [p + 'index.html'];
    return [p, p + '/index.html'];
  }

  function isNotFoundPage() {
    var nav = navigationEntry();
    return !!(nav && nav.responseStatus === 404);
  }

  // Same-origin files this page loaded: scripts, images, fonts, stylesheets.
  function usedFiles() {
    var used = new Set();
    var add = function (url) { var p = outputPathOf(url); if (p !== null) used.add(p); };
    (performance.getEntriesByType ? performance.getEntriesByType('resource') : []).forEach(function (e) { add(e.name); });
    document.querySelectorAll('script[src], img[src], source[src], video[src], audio[src], link[href]').forEach(function (el) {
      add(el.src || el.href);
    });
    return used;
  }

  function reload() {
    location.reload();
  }

  function isStylesheet(path) { return /\.css$/i.test(path); }
  function isHtml(path) { return /\.html?$/i.test(path); }

  function swapStylesheets(changed) {
    var links = Array.prototype.slice.call(document.querySelectorAll('link[rel~="stylesheet"][href]'));
    links = links.filter(function (l) { return outputPathOf(l.href) !== null; });
    var targets = links.filter(function (l) { return changed.indexOf(outputPathOf(l.href)) >= 0; });
    // A changed file that no link names directly (@import): refresh every local stylesheet.
    if (targets.length < changed.length) targets = links;
    targets.forEach(function (link) {
      var url = new URL(link.href, location.href);
      url.searchParams.set('ludd-reload', String(Date.now()));
      var next = link.cloneNode(false);
      next.removeAttribute('integrity');
      next.href = url.href;
      var done = function () { if (link.parentNode) link.parentNode.removeChild(link); };
      next.addEventListener('load', done);
      next.addEventListener('error', done);
      link.parentNode.insertBefore(next, link.nextSibling);
    });
  }

  function onChange(change) {
    hideOverlay();
    state.stamp = change.stamp;
    var own = ownPaths();
    var pages = new Set(change.pages.concat(change.removed));
    if (own.some(function (p) { return pages.has(p); })) return reload();
    if (isNotFoundPage() && change.pages.some(function (p) { return /(^|\/)404\.html$/.test(p); })) return reload();
    var used = usedFiles();
    var others = change.written.filter(function (p) { return !isStylesheet(p) && !isHtml(p); }).concat(change.removed);
    if (others.some(function (p) { return used.has(p); })) return reload();
    var css = change.written.filter(isStylesheet);
    if (css.length) swapStylesheets(css);
  }

  function el(tag, styles, text) {
    var node = document.createElement(tag);
    // Style properties, not style attributes or <style>: allowed under a strict CSP.
    if (styles) Object.keys(styles).forEach(function (k) { node.style[k] = styles[k]; });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showOverlay(error) {
    var keepFocus = host ? previousFocus : document.activeElement;
    hideOverlay(true);
    previousFocus = keepFocus;
    host = el('div', { all: 'initial', position: 'fixed', inset: '0', zIndex: '2147483647' });
    host.id = OVERLAY_ID;
    var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    var backdrop = el('div', {
      position: 'fixed', inset: '0', background: 'rgba(0, 0, 0, 0.6)', display: 'flex',
      alignItems: 'flex-start', justifyContent: 'center', padding: '5vh 1rem', boxSizing: 'border-box',
      overflow: 'auto', font: '16px/1.5 system-ui, sans-serif'
    });
    var dialog = el('div', {
      background: '#fff', color: '#1a1a1a', borderTop: '6px solid #b00020', borderRadius: '6px',
      maxWidth: '48rem', width: '100%', padding: '1.25rem 1.5rem', boxShadow: '0 8px 32px rgba(0, 0, 0, 0.4)',
      boxSizing: 'border-box'
    });
    dialog.setAttribute('role', 'alertdialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-labelledby', 'ludd-error-title');
    dialog.setAttribute('aria-describedby', 'ludd-error-intro');
    dialog.tabIndex = -1;
    var title = el('h2', { margin: '0 0 0.5rem', fontSize: '1.25rem', color: '#b00020' }, 'ludd: the site could not be built');
    title.id = 'ludd-error-title';
    var intro = el('p', { margin: '0 0 1rem' }, 'This page still shows the last good build. Fix the problem below and save; this message goes away by itself.');
    intro.id = 'ludd-error-intro';
    dialog.appendChild(title);
    dialog.appendChild(intro);
    var list = el('ul', { listStyle: 'none', margin: '0', padding: '0' });
    var items = (error.diagnostics && error.diagnostics.length) ? error.diagnostics : [{ file: '', line: null, message: error.message || 'unknown error', help: null }];
    items.forEach(function (d) {
      var item = el('li', { margin: '0 0 1rem', padding: '0.75rem', background: '#fdf1f3', borderRadius: '4px' });
      if (d.file) {
        var place = d.file + (d.line ? ':' + d.line : '');
        item.appendChild(el('code', { display: 'block', fontWeight: '700', fontFamily: 'ui-monospace, monospace', wordBreak: 'break-all' }, place));
      }
      item.appendChild(el('p', { margin: '0.25rem 0 0', whiteSpace: 'pre-wrap', fontFamily: 'ui-monospace, monospace', fontSize: '0.9rem' }, d.message));
      if (d.help) item.appendChild(el('p', { margin: '0.5rem 0 0' }, 'Help: ' + d.help));
      list.appendChild(item);
    });
    dialog.appendChild(list);
    var close = el('button', {
      font: 'inherit', padding: '0.4rem 1rem', border: '2px solid #1a1a1a', borderRadius: '4px',
      background: '#fff', color: '#1a1a1a', cursor: 'pointer'
    }, 'Dismiss');
    close.type = 'button';
    close.addEventListener('click', function () { hideOverlay(); });
    dialog.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { e.preventDefault(); hideOverlay(); }
      if (e.key === 'Tab') { e.preventDefault(); close.focus(); }
    });
    dialog.appendChild(close);
    backdrop.appendChild(dialog);
    root.appendChild(backdrop);
    (document.body || document.documentElement).appendChild(host);
    state.overlay = true;
    close.focus();
  }

  function hideOverlay(replacing) {
    if (!host) return;
    if (host.parentNode) host.parentNode.removeChild(host);
    host = null;
    state.overlay = false;
    if (!replacing && previousFocus && previousFocus.focus && document.contains(previousFocus)) previousFocus.focus();
    if (!replacing) previousFocus = null;
  }

  function parse(event) {
    try { return JSON.parse(event.data); } catch (e) { return null; }
  }

  var source = new EventSource('/__ludd/events');
  source.addEventListener('hello', function (event) {
    var hello = parse(event);
    if (!hello) return;
    state.connected = true;
    // The server restarted, or rebuilt while this page was not listening.
    if (state.stamp !== null && state.stamp !== hello.stamp) return reload();
    state.stamp = hello.stamp;
    hideOverlay();
  });
  source.addEventListener('change', function (event) {
    var change = parse(event);
    if (change) onChange(change);
  });
  // The server's `error` event carries data; the browser's own connection errors do not.
  source.addEventListener('error', function (event) {
    if (event instanceof MessageEvent && event.data) {
      var error = parse(event);
      if (error) showOverlay(error);
    } else {
      state.connected = false;
    }
  });
  source.addEventListener('reload', reload);
})();
