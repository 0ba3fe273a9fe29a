// 登记簿 on the map (issue 16): a signed-in office sees its cross-boundary
// cases — the counties each touches highlighted on the map, the list in the
// side panel, a case's analysis, event log and status form on click. The
// token stays in this tab (sessionStorage) and is sent only to this server's
// register routes. A module of web/src/core.js (liuyu.module('cases', ...)).
(function () {
  'use strict';
  const L = window.liuyu;
  if (!L) return;
  const { esc, arr } = L;
  const KEY = 'liuyu.register.token';
  const STATUSES = ['open', 'coordinating', 'escalated', 'referred_for_special_inspection', 'resolved'];
  const ZH = { open: '待处理', coordinating: '协调中', escalated: '已报告上级', referred_for_special_inspection: '移交专项督察', resolved: '已办结' };
  const NEXT = {
    open: ['coordinating', 'escalated', 'referred_for_special_inspection'],
    coordinating: ['escalated', 'referred_for_special_inspection', 'resolved'],
    escalated: ['coordinating', 'referred_for_special_inspection', 'resolved'],
    referred_for_special_inspection: ['coordinating', 'resolved'],
    resolved: ['coordinating'],
  };
  const state = { me: null, cases: [], selected: null, counties: [] };
  let map = null;
  let box = null;
  let who = null;
  let body = null;

  function panel() {
    const css = document.createElement('style');
  css.textContent = '#liuyu-cases .case{padding:4px 0;border-bottom:1px solid #eee;cursor:pointer}' +
    '#liuyu-cases .case.sel{background:#fdebd0}#liuyu-cases .st{font-size:11px;padding:0 4px;border-radius:3px;background:#eee}' +
    '#liuyu-cases .st.open{background:#fadbd8}#liuyu-cases .st.coordinating{background:#fcf3cf}#liuyu-cases .st.resolved{background:#d5f5e3}' +
    '#liuyu-cases .st.escalated,#liuyu-cases .st.referred_for_special_inspection{background:#f5cba7}' +
      '#liuyu-cases form{display:flex;gap:4px;flex-wrap:wrap;margin:4px 0}#liuyu-cases input[type=password],#liuyu-cases input[name=note]{flex:1;min-width:120px}';
    document.head.appendChild(css);
    box = document.createElement('section');
    box.id = 'liuyu-cases';
    box.innerHTML = '<h2>登记簿 <span class="en">Register: cross-boundary cases</span></h2><div class="who"></div><div class="body"></div>';
    const side = L.$('liuyu-side');
    side.insertBefore(box, L.$('liuyu-layers') || null);
    who = box.querySelector('.who');
    body = box.querySelector('.body');
  }

  async function api(path, opts) {
    const token = sessionStorage.getItem(KEY);
    const headers = Object.assign({ Accept: 'application/json' }, (opts && opts.headers) || {});
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(path, Object.assign({}, opts, { headers }));
    let json = null;
    try { json = await r.json(); } catch (_) { json = null; }
    return { status: r.status, ok: r.ok, json, etag: r.headers.get('ETag') };
  }

  function renderSignIn(msg) {
    who.innerHTML = '<form class="signin"><input type="password" name="token" placeholder="令牌 token (liuyu_…)" autocomplete="off" aria-label="register token">' +
      '<button type="submit">登录 Sign in</button></form>' + (msg ? `<p class="error">${esc(msg)}</p>` : '');
    body.innerHTML = '<p class="none">委员会办公室登录后可见本辖区案件。 Offices sign in to see the cases of their jurisdiction.</p>';
    who.querySelector('form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      signIn(ev.target.token.value.trim());
    });
  }

  async function signIn(token) {
    if (token) sessionStorage.setItem(KEY, token);
    const r = await api('/v1/register/me');
    if (!r.ok) {
      sessionStorage.removeItem(KEY);
      state.me = null;
      setCounties([]);
      const why = r.status === 501 ? '此服务器未配置登记簿 This server runs without a register.' : (r.json && r.json.detail) || `HTTP ${r.status}`;
      renderSignIn(token ? why : '');
      return false;
    }
    state.me = r.json;
    const t = r.json.token;
    const j = r.json.jurisdiction;
    who.innerHTML = `<p>${esc(t.name)} <span class="id">${esc(t.role)} · ${esc(j.name)} ${esc(j.adcode)}</span> <button type="button" class="signout">退出 Sign out</button></p>` +
      `<form class="filter"><select name="status"><option value="">全部状态 all statuses</option>${STATUSES.map((s) => `<option value="${s}">${ZH[s]} ${s}</option>`).join('')}</select><button type="submit">筛选 Filter</button></form>`;
    who.querySelector('.signout').addEventListener('click', () => { sessionStorage.removeItem(KEY); state.me = null; state.cases = []; setCounties([]); select(null); renderSignIn(''); });
    who.querySelector('.filter').addEventListener('submit', (ev) => { ev.preventDefault(); load(ev.target.status.value); });
    await load('');
    return true;
  }

  // The map: counties touched by the listed cases, the selected case's counties and footprint.
  function ensureLayers() {
    if (!map.getStyle() || map.getLayer('cases-counties')) return;
    map.addLayer({ id: 'cases-counties', type: 'fill', source: 'hubei', 'source-layer': 'counties', filter: ['in', ['get', 'id'], ['literal', []]], paint: { 'fill-color': '#d35400', 'fill-opacity': 0.22 } });
    map.addLayer({ id: 'case-selected', type: 'line', source: 'hubei', 'source-layer': 'counties', filter: ['in', ['get', 'id'], ['literal', []]], paint: { 'line-color': '#a04000', 'line-width': 3 } });
    map.addSource('case-footprint', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: 'case-footprint-fill', type: 'fill', source: 'case-footprint', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#6c3483', 'fill-opacity': 0.25 } });
    map.addLayer({ id: 'case-footprint-line', type: 'line', source: 'case-footprint', paint: { 'line-color': '#6c3483', 'line-width': 2.5 } });
    map.addLayer({ id: 'case-footprint-point', type: 'circle', source: 'case-footprint', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': '#6c3483', 'circle-radius': 6 } });
  }
  function setCounties(ids) {
    state.counties = ids;
    ensureLayers();
    map.setFilter('cases-counties', ['in', ['get', 'id'], ['literal', ids]]);
  }

  async function load(status) {
    body.innerHTML = '<p>载入中… Loading…</p>';
    const r = await api(`/v1/cases?limit=200${status ? `&status=${encodeURIComponent(status)}` : ''}`);
    if (!r.ok) { body.innerHTML = `<p class="error">${esc((r.json && r.json.detail) || r.status)}</p>`; return; }
    state.cases = arr(r.json.cases);
    setCounties([...new Set(state.cases.flatMap((c) => arr(c.counties).map((x) => x.adcode)))]);
    if (!state.cases.length) { body.innerHTML = '<p class="none">没有案件 No cases.</p>'; return; }
    body.innerHTML = `<p class="src">${state.cases.length} 件 cases${r.json.next_cursor ? ' (前 200 件 first 200)' : ''}</p>` + state.cases.map((c) =>
      `<div class="case" data-id="${esc(c.id)}"><span class="st ${esc(c.status)}">${esc(ZH[c.status] || c.status)}</span> ${esc(c.title)}<br>` +
      `<span class="id">${esc(c.id)} · ${esc((c.matter && (c.matter.name_zh || c.matter.requested)) || '')} · ${arr(c.parties).map((p) => esc(p.name || p.adcode)).join('、')}</span></div>`).join('') +
      '<div class="detail"></div>';
    body.querySelectorAll('.case').forEach((el) => el.addEventListener('click', () => select(el.dataset.id)));
  }

  // A footprint drawn only when it is plain WGS 84 GeoJSON (a case posted with `crs` shows its counties).
  function footprintOf(req) {
    const f = req && req.footprint;
    if (!f || req.crs || f.crs) return [];
    if (f.type === 'FeatureCollection') return arr(f.features);
    if (f.type === 'Feature') return [f];
    return [{ type: 'Feature', geometry: f, properties: {} }];
  }

  async function select(id) {
    state.selected = null;
    box.querySelectorAll('.case').forEach((el) => el.classList.toggle('sel', el.dataset.id === id));
    ensureLayers();
    if (!id) {
      map.setFilter('case-selected', ['in', ['get', 'id'], ['literal', []]]);
      map.getSource('case-footprint').setData({ type: 'FeatureCollection', features: [] });
    }
    const detail = body.querySelector('.detail');
    if (!id || !detail) return;
    const [c, ev] = await Promise.all([api(`/v1/cases/${encodeURIComponent(id)}`), api(`/v1/cases/${encodeURIComponent(id)}/events`)]);
    if (!c.ok) { detail.innerHTML = `<p class="error">${esc((c.json && c.json.detail) || c.status)}</p>`; return; }
    const k = c.json;
    state.selected = { case: k, etag: c.etag, events: ev.ok ? arr(ev.json.events) : [] };
    map.setFilter('case-selected', ['in', ['get', 'id'], ['literal', arr(k.counties).map((x) => x.adcode)]]);
    map.getSource('case-footprint').setData({ type: 'FeatureCollection', features: footprintOf(k.request) });
    const cb = k.coordinating_body || {};
    const log = state.selected.events.map((e) => `<li>${esc(e.at.slice(0, 16).replace('T', ' '))} ${esc(e.from ? `${ZH[e.from] || e.from} → ` : '')}${esc(ZH[e.to] || e.to)} · ${esc(e.actor.name)}: ${esc(e.note)}</li>`).join('');
    const canChange = state.me && state.me.token.role === 'office';
    const next = arr(NEXT[k.status]).filter((s) => s !== 'referred_for_special_inspection' || k.special_inspection_eligible);
    detail.innerHTML = `<h3>${esc(k.title)}</h3><p>${esc(k.description)}</p>` +
      `<table class="answer"><tr><th>协调 <span class="en">Coordinates</span></th><td>${esc(cb.name_zh || '')} <span class="id">${esc(cb.level || '')}</span></td></tr>` +
      `<tr><th>当事方 <span class="en">Parties</span></th><td>${arr(k.parties).map((p) => esc(p.name || p.adcode)).join('、')}</td></tr>` +
      `<tr><th>专项督察 <span class="en">十六</span></th><td>${k.special_inspection_eligible ? '符合 eligible' : '不符合 not eligible'}</td></tr>` +
      `<tr><th>数据版本 <span class="en">data</span></th><td class="id">${esc(k.data_version)}</td></tr></table>` +
      `<h4>记录 <span class="en">Event log</span></h4><ol class="events">${log}</ol>` +
      (canChange && next.length ? `<form class="change"><select name="status">${next.map((s) => `<option value="${s}">${ZH[s]} ${s}</option>`).join('')}</select><input name="note" placeholder="说明 note" required><button type="submit">更新 Update</button></form><p class="msg"></p>` : '') +
      `<details><summary>分析 Analysis JSON</summary><pre>${esc(JSON.stringify(k.analysis, null, 2).slice(0, 8000))}</pre></details>`;
    const form = detail.querySelector('form.change');
    if (form) form.addEventListener('submit', (e2) => { e2.preventDefault(); change(k.id, form.status.value, form.note.value); });
  }

  async function change(id, status, note) {
    const sel = state.selected;
    const r = await api(`/v1/cases/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'If-Match': sel.etag },
      body: JSON.stringify({ status, note }),
    });
    if (!r.ok) {
      const msg = r.status === 412 ? '案件已被他人更新，已重新载入。 The case changed meanwhile; reloaded.' : (r.json && r.json.detail) || `HTTP ${r.status}`;
      await load('');
      await select(id);
      const p = body.querySelector('.detail .msg');
      if (p) p.innerHTML = `<span class="error">${esc(msg)}</span>`;
      return false;
    }
    await load('');
    await select(id);
    return true;
  }

  state.signIn = signIn;
  state.select = select;
  state.change = change;
  L.cases = state;
  L.module('cases', async () => {
    if (!window.fetch || !window.sessionStorage) return;
    map = L.map;
    panel();
    if (sessionStorage.getItem(KEY)) await signIn(''); else renderSignIn('');
  });
})();
