// Who governs this place (点查询): a click or a searched point asks /v1/profile
// (falls back to /v1/locate), the panel shows the units and the governance
// profile; "upstream/downstream from here" asks /v1/navigate/{UT|DM} and names
// each river along the path with its km, highlighting the reaches.
/* global maplibregl */
(function () {
  'use strict';
  const L = window.liuyu;
  if (!L) return;
  const { esc, arr, cite } = L;
  let marker = null;
  let last = null; // the last point answer
  let seq = 0; // answers of superseded queries are dropped

  const unit = (u, extra) => (u ? `${esc(u.name)}${extra ? ` <span class="id">${esc(extra)}</span>` : ''}` : L.none);
  const list = (xs) => (xs && xs.length ? xs.map((x) => `${esc(x.name)} <span class="id">${esc(x.id)}</span>`).join('<br>') : L.none);

  function renderGovernance(g) {
    let html = '<h3>治理 <span class="en">Governance</span></h3>';
    const levels = arr(g.levels).map((l) => {
      const who = [l.party_committee, l.government].filter(Boolean).map((o) => `${esc(o.name_zh)}${cite(o.basis)}`).join('<br>');
      const first = arr(l.first_responsible).map((r) => `${esc(r.role_zh)} <span class="en">${esc(r.role_en)}</span>`).join('、');
      return `<tr><th>${esc((l.place && l.place.name) || l.level)}<br><span class="en">${esc(l.level)}</span></th><td>${who}${first ? `<br>第一责任人 <span class="en">first responsible</span>: ${first}` : ''}</td></tr>`;
    });
    if (levels.length) html += `<table class="answer">${levels.join('')}</table>`;
    const mech = arr(g.mechanisms).map((m) => `<li>${esc(m.name_zh)} <span class="en">${esc(m.name_en)}</span>${cite(m.basis)}${L.recon(m.provenance)}</li>`);
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
      ['二级流域片区', 'Zone', a.zone ? `${unit(a.zone, a.zone.id)}${L.recon(a.zone.provenance)}` : L.none],
      ['都市圈', 'Metro areas', list(a.metro_areas)],
      ['城市群', 'City clusters', list(a.city_clusters)],
      ['大气污染传输通道', 'Corridors', list(a.corridors)],
    ];
    const input = a.crs && a.crs.input ? ` <span class="en">(${esc(a.crs.id)} ${esc(a.crs.input.join(', '))})</span>` : '';
    let html = `<h3>此地由谁管 <span class="en">Who governs this place</span></h3><div class="where">${esc(`${Number(a.lon).toFixed(5)}, ${Number(a.lat).toFixed(5)}`)}${input}${a.on_boundary ? ' <span class="recon">边界上 on a boundary</span>' : ''}</div>`;
    if (a.inside_hubei === false) html += '<p class="outside">不在湖北省内 Outside Hubei</p>';
    html += '<table class="answer">' + rows.map(([zh, en, v]) => `<tr><th>${zh}<br><span class="en">${en}</span></th><td>${v}</td></tr>`).join('') + '</table>';
    if (a.governance) html += renderGovernance(a.governance);
    html += `<p class="src">来源 Source: /v1/${kind}</p>`;
    html += `<details><summary>JSON</summary><pre>${esc(JSON.stringify(a, null, 2))}</pre></details>`;
    return html;
  }

  // Ask who governs (lon, lat); `crs` names the input system (WGS84 when empty).
  async function query(lon, lat, crs) {
    L.clear();
    const my = ++seq;
    const panel = L.$('liuyu-answer');
    panel.innerHTML = '<p>查询中… Querying…</p>';
    L.showSheet(true);
    const qs = `lon=${encodeURIComponent(lon)}&lat=${encodeURIComponent(lat)}${crs ? `&crs=${encodeURIComponent(crs)}` : ''}`;
    let kind = 'profile';
    let res = await L.getJson(`/v1/profile?${qs}`);
    if (res.missing) { kind = 'locate'; res = await L.getJson(`/v1/locate?${qs}`); }
    if (my !== seq) return null;
    if (!res.ok || !res.body) { panel.innerHTML = L.problem(res); return null; }
    const a = res.body.location ? { ...res.body.location, ...res.body } : res.body;
    last = a;
    marker = new maplibregl.Marker({ color: '#111111' }).setLngLat([a.lon, a.lat]).addTo(L.map);
    panel.innerHTML = renderAnswer(kind, a);
    L.highlight('county-highlight', [a.county && a.county.adcode]);
    L.$('liuyu-nav').hidden = a.inside_hubei === false;
    L.emit('point', a);
    return a;
  }

  // Consecutive reaches of one river, merged: [{name, from, to}] in path order.
  function riverRuns(reaches) {
    const runs = [];
    for (const r of arr(reaches)) {
      const name = r.river_name || r.river || '?';
      const prev = runs[runs.length - 1];
      if (prev && prev.name === name) prev.to = Math.max(prev.to, Number(r.km_to));
      else runs.push({ name, from: Number(r.km_from), to: Number(r.km_to) });
    }
    return runs;
  }
  L.riverRuns = riverRuns;
  L.renderRuns = (runs) => runs.map((r) => `<li>${esc(r.name)} <span class="en">km ${r.from.toFixed(1)}–${r.to.toFixed(1)} (${(r.to - r.from).toFixed(1)} km)</span></li>`).join('');

  async function navigate(mode) {
    const out = L.$('liuyu-nav-result');
    if (!last) return;
    const a = last;
    const my = seq;
    L.highlight('nav-line', []);
    out.innerHTML = '<p>查询中… Querying…</p>';
    const res = await L.getJson(`/v1/navigate/${mode}?lon=${a.lon}&lat=${a.lat}&distance_km=500`);
    if (my !== seq) return;
    if (res.missing) { out.innerHTML = '<p class="none">河流导航尚未提供 River navigation is not available on this server yet.</p>'; return; }
    if (!res.ok) { out.innerHTML = L.problem(res); return; }
    const b = res.body || {};
    L.highlight('nav-line', arr(b.reaches).map((r) => r.edge));
    const names = (xs) => (xs && xs.length ? xs.map((x) => esc(x.name || x.id)).join(' → ') : L.none);
    const title = mode === 'DM' ? '下游（干流） Downstream (main stem)' : '上游（含支流） Upstream (with tributaries)';
    const runs = riverRuns(b.reaches);
    const snapped = b.snapped ? `<p class="src">起点 Start: ${esc(b.snapped.river_name || b.snapped.river)}, ${esc(Number(b.snapped.distance_km).toFixed(2))} km from the point</p>` : '';
    const leaves = arr(b.leaves_hubei).filter((x) => x.final_exit);
    out.innerHTML = `<h3>${title}</h3>${snapped}` +
      (mode === 'DM' && runs.length ? `<h4>河流 <span class="en">Rivers along the path</span>${b.total_km != null ? ` <span class="en">total ${esc(Number(b.total_km).toFixed(1))} km</span>` : ''}</h4><ol class="runs">${L.renderRuns(runs)}</ol>` : '') +
      (mode === 'UT' ? `<p>河段 Reaches: ${esc(arr(b.reaches).length)}${b.total_km != null ? `, ${esc(Number(b.total_km).toFixed(1))} km` : ''}; 河流 Rivers: ${esc([...new Set(runs.map((r) => r.name))].join('、'))}</p>` : '') +
      (leaves.length ? `<p>出省 Leaves Hubei at km ${esc(Number(leaves[0].km).toFixed(1))} (${esc(leaves[0].last_county)})</p>` : '') +
      `<table class="answer"><tr><th>县级行政区<br><span class="en">Counties</span></th><td>${names(b.counties)}</td></tr>` +
      `<tr><th>地级行政区<br><span class="en">Prefectures</span></th><td>${names(b.prefectures)}</td></tr>` +
      `<tr><th>二级流域片区<br><span class="en">Zones</span></th><td>${names(b.zones)}</td></tr></table>` +
      (b.notes && b.notes.length ? `<p class="src">${b.notes.map(esc).join('<br>')}</p>` : '') +
      `<details><summary>JSON</summary><pre>${esc(JSON.stringify(b, null, 2).slice(0, 6000))}</pre></details>`;
  }

  L.on('clear', () => {
    if (marker) { marker.remove(); marker = null; }
    last = null;
    L.$('liuyu-answer').innerHTML = '';
    L.$('liuyu-nav-result').innerHTML = '';
    L.$('liuyu-nav').hidden = true;
  });
  L.queryPoint = query;
  window.liuyuQuery = query;

  L.module('place', () => {
    L.map.on('click', (e) => {
      if (L.drawing && L.drawing()) return;
      const lon = +e.lngLat.lng.toFixed(6);
      const lat = +e.lngLat.lat.toFixed(6);
      query(lon, lat).then((a) => a && L.emit('state'));
    });
    L.$('liuyu-down').addEventListener('click', () => navigate('DM'));
    L.$('liuyu-up').addEventListener('click', () => navigate('UT'));
  });
  L.lastPoint = () => last;
})();
