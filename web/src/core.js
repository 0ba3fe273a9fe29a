// liuyu map page (流域地图), core: the map, shared state, helpers, an event bus
// and the module registry. Every other file in web/src registers itself with
// `liuyu.module(name, start)`; app.js starts them all once the style has loaded.
// A new feature (e.g. a wind layer, web/src/wind.js) is one more file in the
// list of web/build.mjs that calls liuyu.module('wind', (L) => { ... }).
/* global maplibregl */
(function () {
  'use strict';
  const root = document.getElementById('liuyu-map');
  if (!root) return;

  const handlers = new Map();
  const modules = [];
  const L = {
    state: { ready: false, errors: [] },
    $: (id) => document.getElementById(id),
    esc: (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c])),
    arr: (x) => (Array.isArray(x) ? x : []),
    // Register a module: start(L) runs once the map style has loaded.
    module(name, start) { modules.push({ name, start }); },
    modules,
    on(event, fn) { if (!handlers.has(event)) handlers.set(event, []); handlers.get(event).push(fn); },
    emit(event, ...args) { for (const fn of handlers.get(event) || []) { try { fn(...args); } catch (e) { console.error(`liuyu ${event} handler:`, e); } } },
  };
  window.liuyu = L;

  // Clause citation: " [七、二十]".
  L.cite = (b) => (L.arr(b).length ? ` <span class="id">[${L.arr(b).map(L.esc).join('、')}]</span>` : '');
  L.recon = (p) => (p && p !== 'official' ? ` <span class="recon">${L.esc(p === 'reconstructed' ? '重建 reconstructed' : p === 'template' ? '模板 template' : p === 'secondary' ? '二手来源 secondary' : p)}</span>` : '');
  L.none = '<span class="none">—</span>';

  L.getJson = async function (url) {
    const r = await fetch(url, { headers: { Accept: 'application/json' } });
    if (r.status === 404 || r.status === 405) return { missing: true, status: r.status };
    let body = null;
    try { body = await r.json(); } catch (_) { body = null; }
    return { ok: r.ok, status: r.status, body };
  };
  L.postJson = async function (url, payload) {
    const r = await fetch(url, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    let body = null;
    try { body = await r.json(); } catch (_) { body = null; }
    return { ok: r.ok, status: r.status, body, missing: r.status === 404 || r.status === 405 };
  };
  L.problem = (res) => `<p class="error">查询失败 Query failed (${L.esc(res.status)}) ${L.esc((res.body && (res.body.detail || res.body.title)) || '')}</p>`;

  L.map = new maplibregl.Map({
    container: 'liuyu-map',
    style: '/style.json',
    bounds: [[108.35, 29.03], [116.14, 33.28]], // Hubei
    fitBoundsOptions: { padding: 16 },
    // Every label, Chinese included, uses the glyphs the server serves: no
    // dependence on a CJK font installed on the user's machine.
    localIdeographFontFamily: false,
    attributionControl: { compact: true },
  });
  window.liuyuMap = L.map;
  window.liuyuState = L.state;
  L.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  L.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  L.map.on('error', (e) => {
    const msg = (e && e.error && e.error.message) || String(e);
    L.state.errors.push(msg);
    console.error('map error:', msg);
  });

  // Highlight filters on the style's highlight layers (ids of features).
  L.highlight = function (layer, ids) {
    if (L.map.getLayer(layer)) L.map.setFilter(layer, ['in', ['get', 'id'], ['literal', [...new Set(L.arr(ids).filter(Boolean))]]]);
  };
  // Start a new query: every module drops its previous answer and highlight.
  L.clear = function () { L.emit('clear'); };
  L.on('clear', () => {
    for (const l of ['county-highlight', 'prefecture-highlight', 'nav-line', 'downstream-line']) L.highlight(l, []);
  });

  // Phone layout: the side panel is a bottom sheet; show it when an answer arrives.
  L.showSheet = function (expanded) {
    const side = L.$('liuyu-side');
    if (side) side.classList.toggle('expanded', expanded !== false);
  };
})();
