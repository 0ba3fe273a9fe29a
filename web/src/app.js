// Boot (启动): start every registered module once the style has loaded, then
// restore the view, the point or footprint and the matter from the URL hash,
// and keep the hash up to date so the URL can be shared:
//   #map=ZOOM/LAT/LON&at=LON,LAT                       a point question
//   #map=ZOOM/LAT/LON&matter=ID&geom=a:LON,LAT;...     a problem (p: point, l: line, a: area)
(function () {
  'use strict';
  const L = window.liuyu;
  if (!L) return;
  const f5 = (v) => String(+Number(v).toFixed(5));

  function encodeGeom(g) {
    if (!g) return '';
    const pts = (cs) => cs.map((c) => `${f5(c[0])},${f5(c[1])}`).join(';');
    if (g.type === 'Point') return `p:${pts([g.coordinates])}`;
    if (g.type === 'LineString') return `l:${pts(g.coordinates)}`;
    if (g.type === 'Polygon') return `a:${pts(g.coordinates[0].slice(0, -1))}`;
    return '';
  }
  function decodeGeom(s) {
    const m = /^([pla]):(.+)$/.exec(s || '');
    if (!m) return null;
    const cs = m[2].split(';').map((p) => p.split(',').map(Number));
    if (!cs.length || cs.some((c) => c.length !== 2 || c.some((v) => !Number.isFinite(v)))) return null;
    if (m[1] === 'p') return { type: 'Point', coordinates: cs[0] };
    if (m[1] === 'l' && cs.length >= 2) return { type: 'LineString', coordinates: cs };
    if (m[1] === 'a' && cs.length >= 3) return { type: 'Polygon', coordinates: [[...cs, cs[0]]] };
    return null;
  }
  L.encodeGeom = encodeGeom;
  L.decodeGeom = decodeGeom;

  function writeHash() {
    const c = L.map.getCenter();
    const parts = [`map=${L.map.getZoom().toFixed(2)}/${f5(c.lat)}/${f5(c.lng)}`];
    const ask = L.currentAsk && L.currentAsk();
    const pt = L.lastPoint && L.lastPoint();
    if (ask && ask.geometry) {
      if (ask.matter) parts.push(`matter=${encodeURIComponent(ask.matter)}`);
      parts.push(`geom=${encodeGeom(ask.geometry)}`);
    } else if (pt) {
      parts.push(`at=${f5(pt.lon)},${f5(pt.lat)}`);
    }
    history.replaceState(null, '', `#${parts.join('&')}`);
  }

  function restore() {
    const h = new URLSearchParams(location.hash.replace(/^#/, ''));
    const v = (h.get('map') || '').split('/').map(Number);
    if (v.length === 3 && v.every(Number.isFinite)) L.map.jumpTo({ zoom: v[0], center: [v[2], v[1]] });
    const g = decodeGeom(h.get('geom'));
    if (g) { L.ask(g, h.get('matter') || '', { frame: true }); return; }
    const at = (h.get('at') || '').split(',').map(Number);
    if (at.length === 2 && at.every(Number.isFinite)) L.queryPoint(at[0], at[1]);
  }

  // The phone bottom sheet: the handle toggles between peek and expanded.
  function sheet() {
    const handle = L.$('liuyu-sheet-handle');
    if (handle) handle.addEventListener('click', () => L.$('liuyu-side').classList.toggle('expanded'));
  }

  L.map.on('load', async () => {
    for (const m of L.modules) {
      try { await m.start(L); } catch (e) { console.error(`liuyu module ${m.name}:`, e); L.state.errors.push(`${m.name}: ${e.message}`); }
    }
    sheet();
    L.on('state', writeHash);
    L.map.on('moveend', writeHash);
    restore();
    L.state.ready = true;
  });
})();
