// liuyu map page (流域地图): layer toggles, legend, click -> side panel,
// lon/lat search, upstream/downstream navigation when the server offers it.
/* global maplibregl */
(function () {
  'use strict';
  const root = document.getElementById('liuyu-map');
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const state = { ready: false, errors: [], last: null, marker: null };
  window.liuyuState = state;

  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  const map = new maplibregl.Map({
    container: 'liuyu-map',
    style: '/style.json',
    center: [112.3, 31.0],
    zoom: 6,
    localIdeographFontFamily: '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif',
    attributionControl: { compact: true },
  });
  window.liuyuMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.on('error', (e) => {
    const msg = (e && e.error && e.error.message) || String(e);
    state.errors.push(msg);
    console.error('map error:', msg);
  });
  map.on('load', () => {
    state.ready = true;
    buildToggles();
    buildLegend();
  });

  // Layer groups: toggles switch every style layer whose metadata names the group.
  function groups() {
    const seen = new Map();
    for (const l of map.getStyle().layers) {
      const g = l.metadata && l.metadata['liuyu:group'];
      if (!g) continue;
      if (!seen.has(g.id)) seen.set(g.id, { ...g, layers: [] });
      seen.get(g.id).layers.push(l.id);
    }
    return [...seen.values()];
  }

  function buildToggles() {
    const box = $('liuyu-toggles');
    box.innerHTML = '';
    for (const g of groups()) {
      const id = `toggle-${g.id}`;
      const row = document.createElement('label');
      row.className = 'toggle';
      const on = g.layers.some((l) => map.getLayoutProperty(l, 'visibility') !== 'none');
      row.innerHTML = `<input type="checkbox" id="${esc(id)}" data-group="${esc(g.id)}" ${on ? 'checked' : ''}> ${esc(g.zh)} <span class="en">${esc(g.en)}</span>`;
      row.querySelector('input').addEventListener('change', (ev) => {
        for (const l of g.layers) map.setLayoutProperty(l, 'visibility', ev.target.checked ? 'visible' : 'none');
      });
      box.appendChild(row);
    }
  }

  function buildLegend() {
    const legend = (map.getStyle().metadata || {})['liuyu:legend'] || [];
    $('liuyu-legend').innerHTML = legend
      .map((e) => `<div class="legend-row"><span class="swatch ${esc(e.shape)}" style="--c:${esc(e.color)}"></span>${esc(e.zh)} <span class="en">${esc(e.en)}</span></div>`)
      .join('');
  }

  async function getJson(url) {
    const r = await fetch(url, { headers: { Accept: 'application/json' } });
    if (r.status === 404 || r.status === 405) return { missing: true, status: r.status };
    let body = null;
    try { body = await r.json(); } catch (_) { body = null; }
    return { ok: r.ok, status: r.status, body };
  }

  const unit = (u, extra) => (u ? `${esc(u.name)}${extra ? ` <span class="id">${esc(extra)}</span>` : ''}` : '<span class="none">—</span>');
  const list = (xs) => (xs && xs.length ? xs.map((x) => `${esc(x.name)} <span class="id">${esc(x.id)}</span>`).join('<br>') : '<span class="none">—</span>');

  // The governance profile (治理): who is responsible at each level, which
  // coordination mechanisms apply, reporting duties, supervisors; clause citations.
  const arr = (x) => (Array.isArray(x) ? x : []);
  const cite = (b) => (arr(b).length ? ` <span class="id">[${arr(b).map(esc).join('、')}]</span>` : '');
  function renderGovernance(g) {
    let html = '<h3>治理 <span class="en">Governance</span></h3>';
    const levels = arr(g.levels).map((l) => {
      const who = [l.party_committee, l.government].filter(Boolean).map((o) => `${esc(o.name_zh)}${cite(o.basis)}`).join('<br>');
      const first = arr(l.first_responsible).map((r) => `${esc(r.role_zh)} <span class="en">${esc(r.role_en)}</span>`).join('、');
      return `<tr><th>${esc((l.place && l.place.name) || l.level)}<br><span class="en">${esc(l.level)}</span></th><td>${who}${first ? `<br>第一责任人 <span class="en">first responsible</span>: ${first}` : ''}</td></tr>`;
    });
    if (levels.length) html += `<table class="answer">${levels.join('')}</table>`;
    const mech = arr(g.mechanisms).map((m) => `<li>${esc(m.name_zh)} <span class="en">${esc(m.name_en)}</span>${cite(m.basis)}${m.provenance === 'reconstructed' ? ' <span class="recon">重建 reconstructed</span>' : ''}</li>`);
    if (mech.length) html += `<h4>协调机制 <span class="en">Coordination mechanisms</span></h4><ul>${mech.join('')}</ul>`;
    const reps = arr(g.reporting_obligations).map((r) => `<li>${esc(r.subject_zh)} <span class="en">${esc(r.subject_en)}</span>${cite(r.basis)}</li>`);
    if (reps.length) html += `<h4>报告义务 <span class="en">Reporting obligations</span></h4><ul>${reps.join('')}</ul>`;
    const sup = arr(g.supervisors).map((x) => `${esc(x.name_zh)} <span class="en">${esc(x.name_en)}</span>`);
    if (sup.length) html += `<h4>监督 <span class="en">Supervision</span></h4><p>${sup.join('<br>')}</p>`;
    const cl = arr(g.clauses).map((c) => `${esc(c.id)} ${esc(c.title_zh)}`);
    if (cl.length) html += `<p class="src">条款 Clauses: ${cl.join('；')}</p>`;
    return html;
  }

  function renderAnswer(kind, a) {
    const rows = [
      ['县级行政区', 'County', unit(a.county, a.county && a.county.adcode)],
      ['地级行政区', 'Prefecture', unit(a.prefecture, a.prefecture && a.prefecture.adcode)],
      ['一级流域', 'Basin', unit(a.basin, a.basin && a.basin.id)],
      ['二级流域片区', 'Zone', a.zone ? `${unit(a.zone, a.zone.id)}${a.zone.provenance === 'reconstructed' ? ' <span class="recon">重建 reconstructed</span>' : ''}` : unit(null)],
      ['都市圈', 'Metro areas', list(a.metro_areas)],
      ['城市群', 'City clusters', list(a.city_clusters)],
      ['传输通道', 'Corridors', list(a.corridors)],
    ];
    const where = `${Number(a.lon).toFixed(5)}, ${Number(a.lat).toFixed(5)}`;
    let html = `<div class="where">${esc(where)}${a.on_boundary ? ' <span class="recon">边界上 on a boundary</span>' : ''}</div>`;
    if (a.inside_hubei === false) html += '<p class="outside">不在湖北省内 Outside Hubei</p>';
    html += '<table class="answer">' + rows.map(([zh, en, v]) => `<tr><th>${zh}<br><span class="en">${en}</span></th><td>${v}</td></tr>`).join('') + '</table>';
    if (a.governance) html += renderGovernance(a.governance);
    if (kind === 'profile') html += '<p class="src">来源 Source: /v1/profile</p>';
    else html += '<p class="src">来源 Source: /v1/locate</p>';
    html += `<details><summary>JSON</summary><pre>${esc(JSON.stringify(a, null, 2))}</pre></details>`;
    return html;
  }

  async function query(lon, lat) {
    const panel = $('liuyu-answer');
    panel.innerHTML = '<p>查询中… Querying…</p>';
    if (state.marker) state.marker.remove();
    state.marker = new maplibregl.Marker({ color: '#c0392b' }).setLngLat([lon, lat]).addTo(map);
    const qs = `lon=${encodeURIComponent(lon)}&lat=${encodeURIComponent(lat)}`;
    let kind = 'profile';
    let res = await getJson(`/v1/profile?${qs}`);
    if (res.missing) { kind = 'locate'; res = await getJson(`/v1/locate?${qs}`); }
    if (!res.ok || !res.body) {
      const detail = res.body && (res.body.detail || res.body.title);
      panel.innerHTML = `<p class="error">查询失败 Query failed (${esc(res.status)}) ${esc(detail || '')}</p>`;
      return;
    }
    const a = res.body.location ? { ...res.body.location, ...res.body } : res.body;
    state.last = { kind, answer: a };
    panel.innerHTML = renderAnswer(kind, a);
    const adcode = a.county && a.county.adcode;
    if (map.getLayer('county-highlight')) map.setFilter('county-highlight', ['==', ['get', 'id'], adcode || '']);
    $('liuyu-nav').hidden = !(a.inside_hubei !== false);
  }

  // River navigation (issue: rivers): /v1/navigate/{UT|DM}; the answer lists the
  // reaches and the counties, prefectures and zones passed, in order.
  async function navigate(mode) {
    const out = $('liuyu-nav-result');
    if (!state.last) return;
    const a = state.last.answer;
    out.innerHTML = '<p>查询中… Querying…</p>';
    const res = await getJson(`/v1/navigate/${mode}?lon=${a.lon}&lat=${a.lat}&distance_km=500`);
    if (res.missing) {
      out.innerHTML = '<p class="none">河流导航尚未提供 River navigation is not available on this server yet.</p>';
      return;
    }
    if (!res.ok) {
      out.innerHTML = `<p class="error">${esc((res.body && (res.body.detail || res.body.title)) || res.status)}</p>`;
      return;
    }
    const b = res.body || {};
    // Highlight the reaches passed (whole edges of the rivers tile layer).
    const edges = [...new Set((b.reaches || []).map((r) => r.edge).filter(Boolean))];
    if (map.getLayer('nav-line')) map.setFilter('nav-line', ['in', ['get', 'id'], ['literal', edges]]);
    const names = (xs) => (xs && xs.length ? xs.map((x) => esc(x.name || x.id)).join(' → ') : '<span class="none">—</span>');
    const title = mode === 'DM' ? '下游（干流） Downstream (main stem)' : '上游（含支流） Upstream (with tributaries)';
    const river = b.snapped && (b.snapped.river_name || b.snapped.river);
    out.innerHTML = `<h3>${title}</h3>` +
      (river ? `<p>河流 River: ${esc(river)}${b.total_km != null ? `, ${esc(Number(b.total_km).toFixed(1))} km` : ''}</p>` : '') +
      `<table class="answer"><tr><th>县级行政区<br><span class="en">Counties</span></th><td>${names(b.counties)}</td></tr>` +
      `<tr><th>地级行政区<br><span class="en">Prefectures</span></th><td>${names(b.prefectures)}</td></tr>` +
      `<tr><th>二级流域片区<br><span class="en">Zones</span></th><td>${names(b.zones)}</td></tr></table>` +
      (b.notes && b.notes.length ? `<p class="src">${b.notes.map(esc).join('<br>')}</p>` : '') +
      `<details><summary>JSON</summary><pre>${esc(JSON.stringify(b, null, 2).slice(0, 6000))}</pre></details>`;
  }

  map.on('click', (e) => query(+e.lngLat.lng.toFixed(6), +e.lngLat.lat.toFixed(6)));
  $('liuyu-search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const m = $('liuyu-search-input').value.trim().split(/[\s,，]+/).map(Number);
    if (m.length !== 2 || m.some((v) => !Number.isFinite(v))) {
      $('liuyu-answer').innerHTML = '<p class="error">请输入 “经度, 纬度” Enter “lon, lat”, e.g. 114.2538, 30.606</p>';
      return;
    }
    let [lon, lat] = m;
    if (Math.abs(lon) <= 90 && Math.abs(lat) > 90) [lon, lat] = [lat, lon];
    map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 9) });
    query(lon, lat);
  });
  $('liuyu-down').addEventListener('click', () => navigate('DM'));
  $('liuyu-up').addEventListener('click', () => navigate('UT'));
  window.liuyuQuery = query;
})();
