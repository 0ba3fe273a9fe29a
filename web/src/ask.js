// Ask about a problem (跨界问题): draw a point, line or polygon (terra-draw,
// bundled from npm), pick a matter by Chinese or English name (the catalog of
// GET /v1/governance), and the panel shows the POST /v1/issues/analyze answer:
// who coordinates and at which level, participants, lead and cooperating
// departments (each participant's own at the metro level), specialised
// committees, mechanisms, special-inspection reasons and what does not count,
// upstream/downstream and bank partners, entry and exit points, other
// provinces, each item with its clause. The touched reaches (the edge ids the
// answer lists) and the reaches downstream of its exit points are highlighted.
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
    // Where the river network enters (hollow) and leaves (filled) the footprint.
    L.map.addSource('ask-points', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    L.map.addLayer({ id: 'ask-points', type: 'circle', source: 'ask-points', paint: { 'circle-radius': 5, 'circle-stroke-width': 2, 'circle-stroke-color': SEL,
      'circle-color': ['match', ['get', 'kind'], 'exit', SEL, '#ffffff'] } });
  }
  function showPoints(w) {
    const pts = (xs, kind) => arr(xs).map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { kind, edge: p.edge } }));
    const src = L.map.getSource('ask-points');
    if (src) src.setData({ type: 'FeatureCollection', features: w ? [...pts(w.entry_points, 'entry'), ...pts(w.exit_points, 'exit')] : [] });
  }
  function showFootprint(g) {
    const src = L.map.getSource('footprint');
    if (src) src.setData({ type: 'FeatureCollection', features: g ? [{ type: 'Feature', geometry: g, properties: {} }] : [] });
  }

  // ---- the answer --------------------------------------------------------------
  // Every item carries its clause (basis) and, where reconstructed or from a
  // template, says so. Field names follow the OpenAPI document (IssueAnalysis).
  const LEVEL = { county: '县级 county', prefecture: '地级 prefecture', metro: '都市圈 metro area', province: '省级 province' };
  const body = (o) => (o ? `${esc(o.name_zh || o.name)}${o.name_en ? ` <span class="en">${esc(o.name_en)}</span>` : ''}${cite(o.basis)}${L.recon(o.provenance)}` : L.none);
  const pct = (s) => (s == null ? '' : ` <span class="en">${(Number(s) * 100).toFixed(1)}%</span>`);
  const km = (v) => (v == null ? '' : ` <span class="en">${esc(Number(v).toFixed(1))} km</span>`);
  const row = (zh, en, v, basis) => `<tr><th>${zh}<br><span class="en">${en}</span>${cite(basis)}</th><td>${v}</td></tr>`;
  const list = (xs, f) => (arr(xs).length ? arr(xs).map(f).join('<br>') : L.none);
  const units = (xs) => list(xs, (x) => `${esc(x.name)} <span class="id">${esc(x.id || x.adcode)}</span>${pct(x.share)}${L.recon(x.provenance)}`);
  const place = (p) => (p ? ` · ${esc(p.name)}` : '');

  // 参与方: at the metro level each city acts in its own area through its own
  // committee and departments (七、八).
  function participant(p) {
    const coop = arr(p.cooperating_departments).map((c) => esc(c.name_zh)).join('、');
    return `<li class="participant" data-adcode="${esc(p.adcode)}"><b>${esc(p.name)}</b> <span class="id">${esc(p.adcode)}</span>${cite(p.basis)}`
      + `<br>委员会 committee: <span class="committee">${body(p.committee)}</span>`
      + `<br>牵头 lead: <span class="lead">${body(p.lead_department)}</span>`
      + (coop ? `<br>配合 cooperating: <span class="coop">${coop}</span>` : '') + '</li>';
  }

  function renderMetro(m) {
    const members = arr(m.members).map((x) => esc(x.name)).join('、');
    return `<span class="metro">${esc(m.name)}</span> <span class="id">${esc(m.id)}</span>${L.recon(m.provenance)}`
      + (m.lead_city ? `<br>牵头城市 lead city: ${esc(m.lead_city.name)}` : '') + (members ? `<br><span class="en">成员 members: ${members}</span>` : '');
  }

  function renderBody(cb) {
    if (!cb) return '';
    let rows = row('协调主体', 'Coordinating body', `<b class="coordinator">${esc(cb.name_zh)}</b><br><span class="en">${esc(cb.name_en)}</span>`, cb.basis);
    rows += row('级别', 'Level', `<span class="level" data-level="${esc(cb.level)}">${esc(LEVEL[cb.level] || cb.level)}</span>${place(cb.place)}`);
    if (cb.reason) rows += row('理由', 'Why', `<span class="en">${esc(cb.reason)}</span>`);
    if (cb.metro) rows += row('都市圈', 'Metro area', renderMetro(cb.metro), ['十四']);
    if (cb.convened_by) rows += row('推动', 'Convened by', `<span class="convener">${body(cb.convened_by)}</span>`);
    if (cb.committee) rows += row('委员会', 'Committee', body(cb.committee));
    if (cb.office) rows += row('办公室', 'Office', `${body(cb.office)}${cb.office.hosted_by ? `<br><span class="en">设在 hosted by ${esc(cb.office.hosted_by)}</span>` : ''}`);
    if (arr(cb.participants).length) rows += row('参与方', 'Participants', `<ul class="participants">${arr(cb.participants).map(participant).join('')}</ul>`);
    if (cb.above) rows += row('上级', 'Above', `<span class="above">${body(cb.above)}</span>${cb.above.hosted_by ? `<br><span class="en">设在 hosted by ${esc(cb.above.hosted_by)}</span>` : ''}`);
    if (arr(cb.escalation).length) rows += row('报请', 'Escalation', list(cb.escalation, body));
    return `<table class="answer body">${rows}</table>`;
  }

  function renderDepartments(d) {
    let rows = '';
    const l = d.lead_department;
    if (l) {
      rows += row('牵头部门', 'Lead department', `${body(l)}${place(l.place)}`
        + (l.portfolio_leader ? `<br><span class="en">${esc(l.portfolio_leader.role_zh)}</span>${cite(l.portfolio_leader.basis)}` : ''));
    } else if (arr(d.coordinating_body && d.coordinating_body.participants).length) {
      rows += row('牵头部门', 'Lead department', '<span class="en">各参与方自己的部门 each participant\'s own (参与方 Participants)</span>');
    }
    const coop = arr(d.cooperating_departments).map((c) => `${body(c)}${place(c.place)}`);
    if (coop.length) rows += row('配合部门', 'Cooperating', coop.join('<br>'));
    return rows ? `<table class="answer">${rows}</table>` : '';
  }

  // 专业委员会 (九): recorded ones, else the clause's note.
  function renderSpecialised(sc) {
    if (!sc) return '';
    const items = arr(sc.items).map((x) => `<li>${body(x)}</li>`);
    return `<h4>专业委员会 <span class="en">Specialised committees</span>${cite(sc.basis)}</h4>`
      + (items.length ? `<ul>${items.join('')}</ul>` : `<p class="none">无记录 none recorded</p>`)
      + (sc.note ? `<p class="src">${esc(sc.note)}</p>` : '');
  }

  // 省级专项督察 (十六): the reasons it applies, the lines that do not count, its scope.
  function specialInspection(d, names) {
    const si = d.special_inspection || {};
    const basis = si.basis || ['十六'];
    const unit = (u) => (u === 'outside' ? '省外 outside' : esc(names.get(u) || u));
    const reason = (r) => `<li class="reason"><b>${esc(r.kind)}</b> <span class="en">${esc(r.kind_en)}</span>: <span class="en">${esc(r.text)}</span>`
      + `${arr(r.units).length ? ` (${arr(r.units).map(unit).join('、')})` : ''}${r.reconstructed ? L.recon('reconstructed') : ''}${cite(basis)}</li>`;
    const eligible = si.eligible === true && arr(si.reasons).length > 0;
    return `<h4>省级专项督察 <span class="en">Provincial special inspection</span>${cite(basis)}</h4>`
      + `<p class="si-eligible" data-eligible="${eligible}">${eligible ? '适用 Applies' : '不适用 Not indicated'}</p>`
      + (eligible ? `<ul class="si-reasons">${arr(si.reasons).map(reason).join('')}</ul>` : '')
      + (arr(si.not_counted).length ? `<p class="src">不计入 Not counted:</p><ul class="si-not-counted">${arr(si.not_counted).map((t) => `<li class="en">${esc(t)}${cite(basis)}</li>`).join('')}</ul>` : '')
      + (si.scope ? `<p class="src si-scope">${esc(si.scope)}${cite(basis)}</p>` : '');
  }

  // One bank of a pair: the prefecture (and county) in Hubei, else the province.
  const side = (s) => (!s ? L.none : s.prefecture ? `${esc(s.prefecture.name)}${s.county ? ` <span class="en">${esc(s.county.name)}</span>` : ''}` : esc(s.province && s.province.name));

  function waterRows(w, runs) {
    const dist = (xs) => list(xs, (x) => `${esc(x.name)}${x.river ? ` <span class="en">${esc(x.river)}</span>` : ''}${km(x.distance_km)}`);
    const short = (xs, n) => (arr(xs).length > n ? `${dist(arr(xs).slice(0, n))}<br><details><summary>+${arr(xs).length - n}</summary>${dist(arr(xs).slice(n))}</details>` : dist(xs));
    const prov = (xs) => list(xs, (x) => `${esc(x.name)} <span class="id">${esc(x.adcode)}</span>${x.river ? ` <span class="en">${esc(x.river)}</span>` : ''}${km(x.distance_km)}`);
    const point = (p) => `${esc(p.river_name || '—')} <span class="id">${esc(p.edge)}</span> <span class="en">${Number(p.lon).toFixed(4)}, ${Number(p.lat).toFixed(4)}</span>`;
    const inside = (xs) => arr(xs).map((x) => `${esc(x.name)}${km(x.length_km)}`).join('、');
    const b = w.basis;
    let rows = row('涉及河段', 'Reaches touched', list(w.reaches, (r) => `${esc(r.river_name || r.edge)} <span class="en">km ${esc(Number(r.km_from).toFixed(1))}–${esc(Number(r.km_to).toFixed(1))}</span>`), b);
    rows += row('范围内', 'Inside the footprint', [inside(w.inside_prefectures), inside(w.inside_counties), inside(w.inside_outside_hubei)].filter(Boolean).join('<br>') || L.none, b);
    rows += row('入流点', 'Entry points', list(w.entry_points, point), b) + row('出流点', 'Exit points', list(w.exit_points, point), b);
    rows += row('上游地级', 'Upstream prefectures', short(w.upstream_prefectures, 8), b);
    rows += row('上游县级', 'Upstream counties', short(w.upstream_counties, 6), b);
    if (arr(w.upstream_zones).length) rows += row('上游片区', 'Upstream zones', `${arr(w.upstream_zones).map(esc).join('、')}${L.recon('reconstructed')}`, b);
    rows += row('下游地级', 'Downstream prefectures', short(w.downstream_prefectures, 8), b);
    rows += row('下游县级', 'Downstream counties', short(w.downstream_counties, 6), b);
    if (runs && runs.length) rows += row('下游河流', 'Rivers downstream', `<ol class="runs">${L.renderRuns(runs)}</ol>`, b);
    const pairs = arr(w.bank_pairs).map((p) => `<span class="bank-pair">${esc(p.river_name || p.river)} <span class="en">km ${Number(p.km_from).toFixed(1)}–${Number(p.km_to).toFixed(1)} ${esc(LEVEL[p.level] || p.level)}</span>: 左 L <span class="bank-left">${side(p.left)}</span> · 右 R <span class="bank-right">${side(p.right)}</span></span>`);
    rows += row('左右岸', 'Bank partners', pairs.length ? pairs.join('<br>') : L.none, b);
    rows += row('省外上游', 'Upstream outside Hubei', prov(w.upstream_outside), b) + row('省外下游', 'Downstream outside Hubei', prov(w.downstream_outside), b);
    if (arr(w.trunk_tributary).length) rows += row('干支流', 'Trunk / tributary', list(w.trunk_tributary, (t) => `<span class="en">${esc(t)}</span>`), b);
    return rows;
  }

  function renderWater(w, notes, runs, matter) {
    if (!w) {
      const n = arr(notes).find((x) => /water_context|river/.test(x));
      const why = matter && matter.water_context === false ? '此事项不涉及上下游 Not a water matter: no upstream/downstream context' : '附近没有河流 No river near the footprint';
      return `<h4>上下游 <span class="en">Upstream / downstream</span></h4><p class="none">${esc(n || why)}</p>`;
    }
    return `<h4>上下游与左右岸 <span class="en">Upstream, downstream, banks</span>${cite(w.basis)}${w.tolerance_km != null ? ` <span class="en">(±${esc(w.tolerance_km)} km)</span>` : ''}</h4><table class="answer water">${waterRows(w, runs)}</table>`
      + (arr(w.notes).length ? `<p class="src">${arr(w.notes).map(esc).join('<br>')}</p>` : '')
      + (w.provenance ? `<p class="src">${esc(w.provenance)}</p>` : '');
  }

  function renderJurisdictions(d) {
    const j = d.jurisdictions || {};
    let where = row('地级', 'Prefectures', units(j.prefectures)) + row('县级', 'Counties', units(j.counties)) + row('片区', 'Zones', units(j.zones));
    if (arr(j.basins).length) where += row('流域', 'Basins', units(j.basins), ['十三']);
    if (arr(j.metro_areas).length) where += row('都市圈', 'Metro areas', list(j.metro_areas, (m) => `${esc(m.name)}${pct(m.share)}${m.lead_city_name ? ` <span class="en">牵头 ${esc(m.lead_city_name)}</span>` : ''}${L.recon(m.provenance)}`), ['十四']);
    if (arr(j.corridors).length) where += row('传输通道', 'Air corridors', units(j.corridors), ['十四']);
    const extra = arr(d.parties && d.parties.counties).filter((p) => p.why !== 'footprint');
    if (extra.length) where += row('相关方', 'Also party', list(extra, (p) => `${esc(p.name)} <span class="id">${esc(p.adcode)}</span> <span class="en">${esc(p.why)}${p.river ? ` ${esc(p.river)}` : ''}</span>`), d.parties.basis);
    if (arr(d.other_provinces).length || d.inter_provincial) where += row('外省', 'Other provinces', arr(d.other_provinces).length ? units(d.other_provinces) : '跨省 inter-provincial');
    return `<h4>涉及地区 <span class="en">Jurisdictions</span> <span class="en">(${esc(j.measure || '')})</span></h4><table class="answer">${where}</table>`;
  }

  function renderMechanisms(d) {
    const extra = (x) => {
      const ms = arr(x.applies_to && x.applies_to.metro_areas);
      return ms.map((m) => `<br><span class="en">${esc(m.name)}: ${esc(m.lead_city && m.lead_city.name)} 推动 drives; ${arr(m.members_touched).map((t) => esc(t.name)).join('、')}</span>`).join('');
    };
    const mech = arr(d.mechanisms).filter((x) => x.id !== 'special_inspection').map((x) => `<li>${esc(x.name_zh)} <span class="en">${esc(x.name_en)}</span>${cite(x.basis)}${L.recon(x.provenance)}${arr(x.features).length ? `<br><span class="en">${arr(x.features).map(esc).join('、')}</span>` : ''}${extra(x)}</li>`);
    return mech.length ? `<h4>协调机制 <span class="en">Mechanisms</span></h4><ul>${mech.join('')}</ul>` : '';
  }

  // Adcode -> name, from every unit the answer names.
  function unitNames(d) {
    const names = new Map();
    const j = d.jurisdictions || {};
    for (const x of [...arr(j.prefectures), ...arr(j.counties)]) names.set(x.id, x.name);
    for (const x of arr(d.other_provinces)) names.set(x.adcode, x.name);
    names.set('420000', '湖北省');
    return names;
  }

  function renderAnalysis(d, runs) {
    const m = d.matter || {};
    let html = `<h3>问题分析 <span class="en">Cross-boundary problem</span></h3>`
      + `<p>事项 Matter: <b>${esc(m.name_zh || m.requested)}</b> <span class="en">${esc(m.name_en || '')}</span> <span class="id">${esc(m.id || '')}</span>${L.recon(m.provenance)}</p>`;
    html += renderBody(d.coordinating_body);
    if (d.downwind) html += `<p class="downwind">下风向通报 <span class="en">Downwind, notify</span>${cite(['十四'])}: ${arr(d.downwind.notify).map((n) => `${esc(n.prefecture.name)} <span class="en">${esc(n.mechanism.id)}</span>`).join('、') || L.none}</p>`;
    html += `<h4>部门 <span class="en">Departments</span></h4>${renderDepartments(d)}`;
    html += renderSpecialised(d.specialised_committees);
    html += renderJurisdictions(d);
    html += renderMechanisms(d);
    html += specialInspection(d, unitNames(d));
    html += renderWater(d.water_context, d.notes, runs, d.matter);
    const comp = arr(d.complaints).map((c) => `${esc(c.department)}${cite(c.basis)}${L.recon(c.provenance)}`);
    if (comp.length) html += `<h4>举报受理 <span class="en">Complaints</span></h4><p>${comp.join('<br>')}</p>`;
    if (arr(d.notes).length) html += `<p class="src">${arr(d.notes).map(esc).join('<br>')}</p>`;
    const cl = arr(d.clauses).map((c) => `${esc(c.id)} ${esc(c.title_zh)}`);
    if (cl.length) html += `<p class="src">条款 Clauses: ${cl.join('；')}</p>`;
    html += `<p class="src">来源 Source: POST /v1/issues/analyze · data ${esc(d.data_version || '')}</p>`;
    html += `<details><summary>JSON</summary><pre>${esc(JSON.stringify(d, null, 2).slice(0, 20000))}</pre></details>`;
    return html;
  }

  // Touched reaches: the edge ids the answer lists for each touched reach.
  // Downstream: /v1/navigate/DM from each exit point (at most 4), kept only
  // where it snaps to the exit point's own edge; the rivers of the first one
  // are listed with their km.
  async function reachHighlights(w) {
    const touched = [...new Set(arr(w && w.reaches).flatMap((r) => arr(r.edges)))];
    const down = new Set();
    let runs = [];
    for (const p of arr(w && w.exit_points).slice(0, 4)) {
      const res = await L.getJson(`/v1/navigate/DM?lon=${p.lon}&lat=${p.lat}&distance_km=500`);
      if (!res.ok || !res.body || !res.body.snapped || res.body.snapped.edge !== p.edge) continue;
      for (const r of arr(res.body.reaches)) down.add(r.edge);
      if (!runs.length) runs = L.riverRuns(res.body.reaches);
    }
    return { touched, down: [...down].filter((e) => !touched.includes(e)), runs };
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
    showPoints(d.water_context);
    L.state.analysis = d;
    L.emit('state');
    return d;
  }

  L.on('clear', () => {
    current = null;
    showFootprint(null);
    showPoints(null);
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
