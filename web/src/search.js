// Search (查询): "lon, lat" in WGS-84 / CGCS2000, GCJ-02 or BD-09 (the server
// converts, `crs=`), or a place name (county, prefecture, river) through
// GET /v1/places?q=; a chosen place is framed and, for a county or prefecture,
// asked about at its label point.
(function () {
  'use strict';
  const L = window.liuyu;
  if (!L) return;
  const { esc, arr } = L;

  // Two numbers -> [lon, lat] (a swapped pair is put right), else null.
  function coordinates(text) {
    const m = text.trim().split(/[\s,，;；]+/).filter(Boolean);
    if (m.length !== 2) return null;
    const v = m.map(Number);
    if (v.some((x) => !Number.isFinite(x))) return null;
    let [lon, lat] = v;
    if (Math.abs(lon) <= 90 && Math.abs(lat) > 90) [lon, lat] = [lat, lon];
    // Hubei: lon 108-117, lat 29-34; "30.6, 114.3" is a swapped pair too.
    if (lon < 40 && lat > 60) [lon, lat] = [lat, lon];
    return [lon, lat];
  }

  const KIND = { province: '省 province', prefecture: '地级 prefecture', county: '县级 county', river: '河流 river' };

  function choose(p) {
    const results = L.$('liuyu-search-results');
    results.innerHTML = '';
    const b = arr(p.bbox);
    if (b.length === 4) L.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 10, duration: 0 });
    if ((p.kind === 'county' || p.kind === 'prefecture') && arr(p.label).length === 2) {
      L.queryPoint(p.label[0], p.label[1]).then((a) => {
        if (!a) return;
        if (p.kind === 'prefecture') L.highlight('prefecture-highlight', [p.id]);
        L.emit('state');
      });
    } else if (p.kind === 'river') {
      L.clear();
      // The river's own lines (the `river` property of the rivers tile features).
      if (L.map.getLayer('nav-line')) L.map.setFilter('nav-line', ['==', ['get', 'river'], p.id]);
      L.$('liuyu-answer').innerHTML = `<h3>${esc(p.name)} <span class="en">${esc(KIND.river)}</span> <span class="id">${esc(p.id)}</span></h3><p class="none">点击河道查询上下游 Click the river, then "upstream/downstream from here".</p>`;
    }
  }

  async function byName(q) {
    const results = L.$('liuyu-search-results');
    results.innerHTML = '<p>查询中… Searching…</p>';
    const res = await L.getJson(`/v1/places?q=${encodeURIComponent(q)}&limit=8`);
    if (!res.ok) { results.innerHTML = L.problem(res); return; }
    const places = arr(res.body && res.body.places);
    if (!places.length) { results.innerHTML = `<p class="none">没有找到 “${esc(q)}” No place named “${esc(q)}”.</p>`; return; }
    // One place, or one exact (or alias) match among partial ones: take it.
    const sure = places.filter((p) => p.match === 'exact' || p.match === 'alias');
    if (places.length === 1 || sure.length === 1) { choose(places.length === 1 ? places[0] : sure[0]); return; }
    results.innerHTML = '<ul class="places">' + places.map((p, i) =>
      `<li><button type="button" data-i="${i}">${esc(p.name)}</button> <span class="en">${esc(KIND[p.kind] || p.kind)}${p.parent ? ` · ${esc(p.parent.name)}` : ''} · ${esc(p.match)}</span> <span class="id">${esc(p.id)}</span></li>`).join('') + '</ul>';
    for (const btn of results.querySelectorAll('button')) btn.addEventListener('click', () => choose(places[+btn.dataset.i]));
  }

  L.module('search', () => {
    L.$('liuyu-search').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = L.$('liuyu-search-input').value.trim();
      if (!text) return;
      const c = coordinates(text);
      if (!c) { byName(text); return; }
      L.$('liuyu-search-results').innerHTML = '';
      const crs = L.$('liuyu-crs').value;
      const a = await L.queryPoint(c[0], c[1], crs === 'WGS84' ? '' : crs);
      if (a) {
        L.map.jumpTo({ center: [a.lon, a.lat], zoom: Math.max(L.map.getZoom(), 9) });
        L.emit('state');
      }
    });
  });
  L.parseCoordinates = coordinates;
})();
