// Ask about a problem (跨界问题): draw a point, line or polygon (terra-draw,
// bundled from npm), pick a matter by Chinese or English name (the catalog of
// GET /v1/governance), and the panel shows the POST /v1/issues/analyze answer:
// who coordinates and at which level, participants, lead and cooperating
// departments, mechanisms, special-inspection reasons, upstream/downstream and
// bank partners, other provinces, each item with its clause. The touched reaches
// and the reaches downstream are highlighted.
/* global terraDraw, terraDrawMaplibreGlAdapter */
(function () {
  'use strict';
  const L = window.liuyu;
  if (!L) return;
  const { esc, arr, cite } = L;
  const SEL = '#111111';
  let draw = null;
  let finishedAt = 0;
  let matters = [];
  let current = null; // {matter, geometry} of the answer on screen
  let seq = 0;

  // ---- the matter catalog ------------------------------------------------------
  async function loadMatters() {
    const res = await L.getJson('/v1/governance');
    matters = arr(res.body && res.body.matters);
    L.$('liuyu-matters').innerHTML = matters.map((m) => `<option value="${esc(m.name_zh)}" label="${esc(m.name_en)} (${esc(m.id)})"></option>`
      + `<option value="${esc(m.name_en)}" label="${esc(m.name_zh)} (${esc(m.id)})"></option>`).join('');
  }
  // A matter id from what the user typed: id, Chinese or English name, alias, or a unique part of one.
  function resolveMatter(text) {
    const t = text.trim().toLowerCase();
    if (!t) return { error: '请选择事项 Pick a matter' };
    const names = (m) => [m.id, m.name_zh, m.name_en, ...arr(m.aliases)].filter(Boolean).map((s) => String(s).toLowerCase());
    const exact = matters.filter((m) => names(m).includes(t));
    if (exact.length === 1) return { id: exact[0].id, matter: exact[0] };
    const part = matters.filter((m) => names(m).some((n) => n.includes(t)));
    if (part.length === 1) return { id: part[0].id, matter: part[0] };
    if (!matters.length) return { id: text.trim() }; // no catalog: let the server judge
    const cands = (part.length ? part : matters).slice(0, 8).map((m) => `${m.name_zh} (${m.id})`).join('、');
    return { error: `${part.length ? '有多个事项匹配 Several matters match' : '目录中没有此事项 Not in the catalog'}: ${cands}` };
  }

  // ---- drawing -------------------------------------------------------------------
  function startDraw() {
    const td = window.terraDraw;
    const ad = window.terraDrawMaplibreGlAdapter;
    if (!td || !ad) return;
    draw = new td.TerraDraw({
      adapter: new ad.TerraDrawMapLibreGLAdapter({ map: L.map }),
      modes: [
        new td.TerraDrawPointMode({ styles: { pointColor: SEL, pointWidth: 6, pointOutlineColor: '#ffffff', pointOutlineWidth: 2 } }),
        new td.TerraDrawLineStringMode({ styles: { lineStringColor: SEL, lineStringWidth: 3, closingPointColor: SEL } }),
        new td.TerraDrawPolygonMode({ styles: { fillColor: SEL, fillOpacity: 0.12, outlineColor: SEL, outlineWidth: 2, closingPointColor: SEL } }),
      ],
    });
    draw.start();
    draw.on('finish', (id) => {
      const f = draw.getSnapshotFeature ? draw.getSnapshotFeature(id) : draw.getSnapshot().find((x) => x.id === id);
      finishedAt = Date.now();
      draw.clear();
      draw.setMode('static');
      setTool(null);
      if (f && f.geometry) ask(f.geometry);
    });
  }
  function setTool(mode) {
    for (const b of document.querySelectorAll('#liuyu-tools button[data-mode]')) b.classList.toggle('active', b.dataset.mode === mode);
    if (!draw) return;
    draw.setMode(mode || 'static');
    L.$('liuyu-draw-hint').textContent = mode === 'polygon' ? '点击各顶点，再点第一个点闭合 Click the corners, then the first one to close.'
      : mode === 'linestring' ? '点击各点，再点最后一点结束 Click the points, then the last one again to finish.'
        : mode === 'point' ? '点击地图上的一点 Click one point.' : '';
  }
  // Whether a map click belongs to drawing (place.js ignores those).
  L.drawing = () => (draw && draw.getMode() !== 'static') || Date.now() - finishedAt < 400;

  // ---- the footprint on the map ------------------------------------------------
  function footprintLayers() {
    L.map.addSource('footprint', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    L.map.addLayer({ id: 'footprint-fill', type: 'fill', source: 'footprint', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': SEL, 'fill-opacity': 0.12 } });
    L.map.addLayer({ id: 'footprint-line', type: 'line', source: 'footprint', filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': SEL, 'line-width': 2.5 } });
    L.map.addLayer({ id: 'footprint-point', type: 'circle', source: 'footprint', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': SEL, 'circle-radius': 6, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
  }
  function showFootprint(g) {
    const src = L.map.getSource('footprint');
    if (src) src.setData({ type: 'FeatureCollection', features: g ? [{ type: 'Feature', geometry: g, properties: {} }] : [] });
  }

  // ---- the answer --------------------------------------------------------------
  const LEVEL = { county: '县级 county', prefecture: '地级 prefecture', metro: '都市圈 metro area', province: '省级 province' };
  const body = (o) => (o ? `${esc(o.name_zh || o.name)}${o.name_en ? ` <span class="en">${esc(o.name_en)}</span>` : ''}${cite(o.basis)}` : L.none);
  const pct = (s) => (s == null ? '' : ` <span class="en">${(Number(s) * 100).toFixed(1)}%</span>`);
  const row = (zh, en, v) => `<tr><th>${zh}<br><span class="en">${en}</span></th><td>${v}</td></tr>`;
  const units = (xs) => (arr(xs).length ? arr(xs).map((x) => `${esc(x.name)} <span class="id">${esc(x.id || x.adcode)}</span>${pct(x.share)}`).join('<br>') : L.none);

  function renderBody(cb) {
    if (!cb) return '';
    let rows = row('协调主体', 'Coordinating body', `<b class="coordinator">${esc(cb.name_zh)}</b><br><span class="en">${esc(cb.name_en)}</span>${cite(cb.basis)}`);
    rows += row('级别', 'Level', `${esc(LEVEL[cb.level] || cb.level)}${cb.place ? ` · ${esc(cb.place.name)}` : ''}`);
    if (cb.reason) rows += row('理由', 'Why', esc(cb.reason));
    if (cb.committee) rows += row('委员会', 'Committee', body(cb.committee));
    if (cb.office) rows += row('办公室', 'Office', body(cb.office));
    if (cb.above) rows += row('上级', 'Above', body(cb.above));
    if (arr(cb.escalation).length) rows += row('报请', 'Escalation', arr(cb.escalation).map(body).join('<br>'));
    const parts = arr(cb.participants).map((p) => `<li><b>${esc(p.name)}</b> <span class="id">${esc(p.adcode || p.id)}</span>`
      + `${p.committee ? `<br>${body(p.committee)}` : ''}${p.lead_department ? `<br>牵头 lead: ${body(p.lead_department)}` : ''}</li>`);
    if (parts.length) rows += row('参与方', 'Participants', `<ul class="participants">${parts.join('')}</ul>`);
    return `<table class="answer">${rows}</table>`;
  }

  function renderDepartments(d) {
    let rows = '';
    if (d.lead_department) {
      const l = d.lead_department;
      rows += row('牵头部门', 'Lead department', `${body(l)}${l.place ? ` · ${esc(l.place.name)}` : ''}${L.recon(l.provenance)}`
        + (l.portfolio_leader ? `<br><span class="en">${esc(l.portfolio_leader.role_zh)}</span>${cite(l.portfolio_leader.basis)}` : ''));
    }
    const coop = arr(d.cooperating_departments).map((c) => `${body(c)}${c.place ? ` · ${esc(c.place.name)}` : ''}`);
    if (coop.length) rows += row('配合部门', 'Cooperating', coop.join('<br>'));
    return rows ? `<table class="answer">${rows}</table>` : '';
  }

  function specialInspection(d) {
    const si = d.special_inspection;
    const mech = arr(d.mechanisms).find((m) => m.id === 'special_inspection');
    const reasons = si && typeof si === 'object' ? arr(si.reasons) : arr(mech && mech.applies_to && mech.applies_to.reasons);
    const eligible = si && typeof si === 'object' ? si.eligible !== false && reasons.length > 0 : d.special_inspection_eligible === true;
    const basis = (si && si.basis) || (mech && mech.basis) || ['十六'];
    const text = (r) => (typeof r === 'string' ? esc(r) : `${esc(r.zh || r.reason_zh || r.reason || r.id || '')} <span class="en">${esc(r.en || r.reason_en || '')}</span>${r.reconstructed || r.provenance === 'reconstructed' ? L.recon('reconstructed') : ''}${cite(r.basis)}`);
    return `<h4>省级专项督察 <span class="en">Provincial special inspection</span>${cite(basis)}</h4>`
      + (eligible ? `<ul>${reasons.map((r) => `<li>${text(r)}</li>`).join('')}</ul>` : '<p class="none">不适用 Not indicated</p>')
      + (si && si.note ? `<p class="src">${esc(si.note)}</p>` : '');
  }

  function renderWater(w, notes, runs) {
    if (!w) {
      const n = arr(notes).find((x) => /water_context/.test(x));
      return `<h4>上下游 <span class="en">Upstream / downstream</span></h4><p class="none">${esc(n || '未涉及河流 No river near the footprint')}</p>`;
    }
    const by = (xs, layer) => arr(xs).filter((x) => !x.layer || x.layer === layer);
    const dist = (xs) => (xs.length ? xs.map((x) => `${esc(x.name)}${x.distance_km != null ? ` <span class="en">${esc(Number(x.distance_km).toFixed(0))} km</span>` : ''}`).join('、') : L.none);
    const prov = (xs) => (arr(xs).length ? arr(xs).map((x) => `${esc(x.name)} <span class="id">${esc(x.adcode || x.id)}</span>`).join('、') : L.none);
    let rows = '';
    const reaches = arr(w.reaches);
    if (reaches.length) rows += row('涉及河段', 'Reaches touched', reaches.map((r) => `${esc(r.river_name || r.name || r.river)}${r.km_from != null ? ` <span class="en">km ${esc(Number(r.km_from).toFixed(1))}–${esc(Number(r.km_to).toFixed(1))}</span>` : ''}`).join('<br>'));
    else if (w.detail && w.detail.snapped) rows += row('涉及河流', 'River', `${esc(w.detail.snapped.river_name || w.detail.snapped.river)}`);
    if (w.inside_prefectures || w.inside_counties) rows += row('范围内', 'Inside the footprint', `${dist(arr(w.inside_prefectures))}<br>${dist(arr(w.inside_counties))}`);
    rows += row('上游地级', 'Upstream prefectures', dist(by(w.upstream_prefectures || w.upstream, 'prefectures')));
    rows += row('下游地级', 'Downstream prefectures', dist(by(w.downstream_prefectures || w.downstream, 'prefectures')));
    rows += row('下游县级', 'Downstream counties', dist(by(w.downstream_counties || w.downstream, 'counties')));
    if (runs && runs.length) rows += row('下游河流', 'Rivers downstream', `<ol class="runs">${L.renderRuns(runs)}</ol>`);
    const pairs = [...new Map(arr(w.bank_pairs).map((p) => [`${p.river}|${p.left && p.left.id}|${p.right && p.right.id}`, p])).values()];
    if (pairs.length) rows += row('左右岸', 'Bank partners', pairs.map((p) => `${esc(p.river_name || p.river)}: 左 ${esc(p.left && p.left.name)} · 右 ${esc(p.right && p.right.name)}`).join('<br>'));
    if ('upstream_outside' in w || 'downstream_outside' in w) rows += row('省外', 'Outside Hubei', `上游 up: ${prov(w.upstream_outside)}<br>下游 down: ${prov(w.downstream_outside)}`);
    if (arr(w.trunk_tributary).length) rows += row('干支流', 'Trunk / tributary', arr(w.trunk_tributary).map(esc).join('<br>'));
    return `<h4>上下游与左右岸 <span class="en">Upstream, downstream, banks</span>${cite(w.basis)}</h4><table class="answer">${rows}</table>`
      + (w.provenance ? `<p class="src">${esc(w.provenance)}</p>` : '');
  }

  function renderAnalysis(d, runs) {
    const m = d.matter || {};
    let html = `<h3>问题分析 <span class="en">Cross-boundary problem</span></h3>`
      + `<p>事项 Matter: <b>${esc(m.name_zh || m.requested)}</b> <span class="en">${esc(m.name_en || '')}</span> <span class="id">${esc(m.id || '')}</span>${L.recon(m.provenance)}</p>`;
    html += renderBody(d.coordinating_body);
    if (d.downwind) html += `<p class="downwind">下风向通报 <span class="en">Downwind, notify</span>${cite(['十四'])}: ${arr(d.downwind.notify).map((n) => `${esc(n.prefecture.name)} <span class="en">${esc(n.mechanism.id)}</span>`).join('、') || L.none}</p>`;
    const j = d.jurisdictions || {};
    let where = row('地级', 'Prefectures', units(j.prefectures)) + row('县级', 'Counties', units(j.counties)) + row('片区', 'Zones', units(j.zones));
    if (arr(d.other_provinces).length || d.inter_provincial) where += row('外省', 'Other provinces', arr(d.other_provinces).length ? units(arr(d.other_provinces).map((p) => ({ ...p, id: p.adcode }))) : '跨省 inter-provincial');
    html += `<h4>涉及地区 <span class="en">Jurisdictions</span></h4><table class="answer">${where}</table>`;
    html += `<h4>部门 <span class="en">Departments</span></h4>${renderDepartments(d)}`;
    const mech = arr(d.mechanisms).filter((x) => x.id !== 'special_inspection').map((x) => `<li>${esc(x.name_zh)} <span class="en">${esc(x.name_en)}</span>${cite(x.basis)}${L.recon(x.provenance)}${arr(x.features).length ? `<br><span class="en">${arr(x.features).map(esc).join('、')}</span>` : ''}</li>`);
    if (mech.length) html += `<h4>协调机制 <span class="en">Mechanisms</span></h4><ul>${mech.join('')}</ul>`;
    html += specialInspection(d);
    html += renderWater(d.water_context, d.notes, runs);
    const comp = arr(d.complaints).map((c) => `${esc(c.department)}${cite(c.basis)}`);
    if (comp.length) html += `<h4>举报受理 <span class="en">Complaints</span></h4><p>${comp.join('<br>')}</p>`;
    if (arr(d.notes).length) html += `<p class="src">${arr(d.notes).map(esc).join('<br>')}</p>`;
    const cl = arr(d.clauses).map((c) => `${esc(c.id)} ${esc(c.title_zh)}`);
    if (cl.length) html += `<p class="src">条款 Clauses: ${cl.join('；')}</p>`;
    html += '<p class="src">来源 Source: POST /v1/issues/analyze</p>';
    html += `<details><summary>JSON</summary><pre>${esc(JSON.stringify(d, null, 2).slice(0, 20000))}</pre></details>`;
    return html;
  }

  // Touched reaches (edge ids) of an answer, and the reaches downstream of it
  // (the answer's own when it has them, else /v1/navigate/DM from the snapped point).
  async function reachHighlights(w) {
    const touched = arr(w && w.reaches).flatMap((r) => [r.edge, ...arr(r.edges)]).filter(Boolean);
    const snapped = w && w.detail && w.detail.snapped;
    if (!touched.length && snapped && snapped.edge) touched.push(snapped.edge);
    let down = arr(w && w.downstream_reaches).map((r) => r.edge || r);
    let runs = [];
    if (!down.length && snapped && snapped.lon != null) {
      const res = await L.getJson(`/v1/navigate/DM?lon=${snapped.lon}&lat=${snapped.lat}&distance_km=500`);
      if (res.ok && res.body) {
        down = arr(res.body.reaches).map((r) => r.edge);
        runs = L.riverRuns(res.body.reaches);
      }
    }
    return { touched, down: down.filter((e) => !touched.includes(e)), runs };
  }

  // Frame the footprint in the part of the map the panel leaves visible.
  function frame(g) {
    const pts = g.type === 'Point' ? [g.coordinates] : g.type === 'LineString' ? g.coordinates : g.coordinates[0];
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    // Phone (<= 640 px, app.css): the expanded bottom sheet covers 62% of the height.
    const phone = window.matchMedia('(max-width: 640px)').matches;
    const pad = phone ? { top: 60, left: 90, right: 90, bottom: Math.round(window.innerHeight * 0.62) + 40 } : { top: 40, left: 40, right: 40, bottom: 40 };
    L.map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: pad, maxZoom: 10, duration: 0 });
  }

  async function ask(geometry, matterText, opts) {
    if (opts && opts.frame) frame(geometry);
    if (matterText != null) L.$('liuyu-matter').value = matterText;
    const m = resolveMatter(L.$('liuyu-matter').value);
    L.clear();
    const my = ++seq;
    const out = L.$('liuyu-ask-result');
    showFootprint(geometry);
    L.showSheet(true);
    if (m.error) { out.innerHTML = `<p class="error">${esc(m.error)}</p>`; current = { geometry, matter: null }; return null; }
    current = { geometry, matter: m.id };
    out.innerHTML = '<p>分析中… Analysing…</p>';
    // An air matter with the wind control open (wind.js) sends its wind: the answer adds the downwind parties (十四).
    const wind = L.windInput && L.windInput();
    const air = wind && m.matter && arr(m.matter.themes).includes('air');
    const res = await L.postJson('/v1/issues/analyze', { matter: m.id, footprint: geometry, ...(air ? { wind } : {}) });
    if (my !== seq) return null;
    if (!res.ok || !res.body) { out.innerHTML = L.problem(res); return null; }
    const d = res.body;
    const hl = await reachHighlights(d.water_context);
    if (my !== seq) return null;
    out.innerHTML = renderAnalysis(d, hl.runs);
    L.highlight('prefecture-highlight', arr(d.jurisdictions && d.jurisdictions.prefectures).map((p) => p.id));
    L.highlight('nav-line', hl.touched);
    L.highlight('downstream-line', hl.down);
    L.state.analysis = d;
    L.emit('state');
    return d;
  }

  L.on('clear', () => {
    current = null;
    showFootprint(null);
    L.$('liuyu-ask-result').innerHTML = '';
    L.state.analysis = null;
  });
  L.ask = ask;
  L.currentAsk = () => current;

  L.module('ask', () => {
    footprintLayers();
    startDraw();
    loadMatters();
    for (const b of document.querySelectorAll('#liuyu-tools button[data-mode]')) {
      b.addEventListener('click', () => setTool(b.classList.contains('active') ? null : b.dataset.mode));
    }
    L.$('liuyu-matter').addEventListener('change', () => { if (current && current.geometry) ask(current.geometry); });
  });
})();
