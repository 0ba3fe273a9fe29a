// Wind (风, clause 十四): a wind-arrow control on the map. Set where the wind
// blows from (click the dial: the side the wind comes from; or type degrees),
// its speed and duration; for the clicked point or the drawn footprint the page
// asks /v1/air/downwind (GET for a point, POST for a footprint), draws the plume
// and lists the prefectures and counties reached with their arrival hours, the
// neighbouring provinces, and whom to notify through which mechanism (十四),
// with the answer's honest-scope statement. While the control is open, every
// new point or footprint is estimated with the same wind.
/* global maplibregl */
(function () {
  'use strict';
  const L = window.liuyu;
  if (!L) return;
  const { esc, arr, cite } = L;
  const PLUME = '#8e3fb0';
  const wind = { wind_from: 0, speed: 5, hours: 12, spread: 20 };
  let open = false;
  let seq = 0;
  let shownFor = ''; // the source key of the answer on screen
  let ui = null; // the control's elements

  // 北风 (a north wind) for 0°: the eight points of the compass.
  const NAMES = ['北', '东北', '东', '东南', '南', '西南', '西', '西北'];
  const EN = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];
  const point8 = (deg) => Math.round((((deg % 360) + 360) % 360) / 45) % 8;
  const windName = (deg) => `${NAMES[point8(deg)]}风 ${EN[point8(deg)]} wind`;

  // ---- the source: the drawn footprint, else the clicked point ------------------
  function currentSource() {
    const ask = L.currentAsk && L.currentAsk();
    if (ask && ask.geometry) return { footprint: ask.geometry, key: `f:${JSON.stringify(ask.geometry)}` };
    const pt = L.lastPoint && L.lastPoint();
    if (pt && Number.isFinite(Number(pt.lon))) return { lon: Number(pt.lon), lat: Number(pt.lat), key: `p:${pt.lon},${pt.lat}` };
    return null;
  }
  const windKey = () => `${wind.wind_from}/${wind.speed}/${wind.hours}/${wind.spread}`;

  // ---- the control --------------------------------------------------------------
  const svgArrow = '<svg viewBox="-20 -20 40 40" width="26" height="26" aria-hidden="true"><g class="arrow">'
    + '<line x1="0" y1="-11" x2="0" y2="13" stroke="currentColor" stroke-width="3"/><path d="M -6 -5 L 0 -14 L 6 -5 Z" fill="currentColor"/></g></svg>';
  const dial = '<svg class="dial" viewBox="-50 -50 100 100" width="120" height="120" role="img" aria-label="风向 wind direction">'
    + '<circle r="46" fill="#fff" stroke="#999"/>'
    + NAMES.map((n, i) => { const a = (i * 45 * Math.PI) / 180; return `<text x="${(38 * Math.sin(a)).toFixed(1)}" y="${(-38 * Math.cos(a) + 4).toFixed(1)}" text-anchor="middle" font-size="${i % 2 ? 7 : 10}">${n}</text>`; }).join('')
    + '<g class="arrow"><line x1="0" y1="-22" x2="0" y2="28" stroke="' + PLUME + '" stroke-width="4"/><path d="M -9 -14 L 0 -30 L 9 -14 Z" fill="' + PLUME + '"/></g></svg>';

  class WindControl {
    onAdd() {
      const c = document.createElement('div');
      c.className = 'maplibregl-ctrl maplibregl-ctrl-group liuyu-wind';
      c.innerHTML = `<button type="button" id="liuyu-wind-toggle" title="风向与下风向 Wind and downwind (十四)" aria-expanded="false">${svgArrow}</button>`
        + '<div id="liuyu-wind-panel" hidden>'
        + `<div class="wind-title">下风向 <span class="en">Downwind</span></div>${dial}`
        + '<div id="liuyu-wind-name" class="wind-name"></div>'
        + '<label>风向 <span class="en">from °</span><input id="liuyu-wind-from" type="number" min="0" max="359" step="5"></label>'
        + '<label>风速 <span class="en">m/s</span><input id="liuyu-wind-speed" type="number" min="0.1" max="100" step="0.5"></label>'
        + '<label>时长 <span class="en">hours</span><input id="liuyu-wind-hours" type="number" min="1" max="72" step="1"></label>'
        + '<label>扩散角 <span class="en">spread ±°</span><input id="liuyu-wind-spread" type="number" min="1" max="90" step="1"></label>'
        + '<button type="button" id="liuyu-wind-go">估算 Estimate</button></div>';
      ui = {
        c,
        toggle: c.querySelector('#liuyu-wind-toggle'),
        panel: c.querySelector('#liuyu-wind-panel'),
        dial: c.querySelector('svg.dial'),
        name: c.querySelector('#liuyu-wind-name'),
        from: c.querySelector('#liuyu-wind-from'),
        speed: c.querySelector('#liuyu-wind-speed'),
        hours: c.querySelector('#liuyu-wind-hours'),
        spread: c.querySelector('#liuyu-wind-spread'),
        go: c.querySelector('#liuyu-wind-go'),
      };
      for (const e of ['click', 'dblclick', 'mousedown', 'touchstart', 'wheel']) c.addEventListener(e, (ev) => ev.stopPropagation());
      ui.toggle.addEventListener('click', () => setOpen(!open));
      ui.dial.addEventListener('click', (ev) => {
        const r = ui.dial.getBoundingClientRect();
        const dx = ev.clientX - (r.left + r.width / 2);
        const dy = ev.clientY - (r.top + r.height / 2);
        if (Math.hypot(dx, dy) < 4) return;
        setWind({ wind_from: (Math.round((Math.atan2(dx, -dy) * 180) / Math.PI / 5) * 5 + 360) % 360 });
        estimate();
      });
      for (const k of ['from', 'speed', 'hours', 'spread']) {
        ui[k].addEventListener('change', () => { setWind({ [k === 'from' ? 'wind_from' : k]: Number(ui[k].value) }); estimate(); });
      }
      ui.go.addEventListener('click', () => estimate());
      setWind({});
      return c;
    }
    onRemove() { ui.c.remove(); ui = null; }
  }

  // The arrows (drawn pointing north) are turned to where the air goes (toward = from + 180°).
  function setWind(w) {
    Object.assign(wind, w);
    if (!ui) return;
    ui.from.value = wind.wind_from;
    ui.speed.value = wind.speed;
    ui.hours.value = wind.hours;
    ui.spread.value = wind.spread;
    const toward = (Number(wind.wind_from) + 180) % 360;
    for (const g of ui.c.querySelectorAll('g.arrow')) g.setAttribute('transform', `rotate(${toward})`);
    ui.name.textContent = `${windName(Number(wind.wind_from))} ${wind.wind_from}°`;
  }

  function setOpen(v) {
    open = v;
    ui.panel.hidden = !v;
    ui.toggle.classList.toggle('active', v);
    ui.toggle.setAttribute('aria-expanded', String(v));
    if (v) estimate();
    else drop();
  }

  // ---- the plume on the map -----------------------------------------------------
  function plumeLayers() {
    L.map.addSource('plume', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    L.map.addLayer({ id: 'plume-fill', type: 'fill', source: 'plume', paint: { 'fill-color': PLUME, 'fill-opacity': 0.18 } });
    L.map.addLayer({ id: 'plume-line', type: 'line', source: 'plume', paint: { 'line-color': PLUME, 'line-width': 2, 'line-dasharray': [3, 2] } });
  }
  function showPlume(g) {
    const src = L.map.getSource('plume');
    if (src) src.setData({ type: 'FeatureCollection', features: g ? [{ type: 'Feature', geometry: g, properties: {} }] : [] });
  }
  function drop() {
    seq += 1;
    shownFor = '';
    showPlume(null);
    const out = L.$('liuyu-wind-result');
    if (out) out.innerHTML = '';
    L.state.downwind = null;
  }

  // ---- the answer ---------------------------------------------------------------
  const h1 = (v) => `${Number(v).toFixed(1)} h`;
  const km = (v) => `${Number(v).toFixed(0)} km`;
  const pct = (v) => `${(Number(v) * 100).toFixed(1)}%`;
  function reachedRows(xs) {
    return arr(xs).map((u) => `<tr><td>${esc(u.name)} <span class="id">${esc(u.adcode)}</span>${u.source ? ' <span class="recon">源 source</span>' : ''}</td>`
      + `<td>${h1(u.arrival_hours)}</td><td>${km(u.distance_km)}</td><td>${pct(u.share)}</td></tr>`).join('');
  }
  const reachedTable = (xs, zh, en) => (arr(xs).length
    ? `<table class="answer wind-units"><tr><th>${zh} <span class="en">${en}</span></th><th>到达 <span class="en">arrival</span></th><th>距离 <span class="en">distance</span></th><th>覆盖 <span class="en">share</span></th></tr>${reachedRows(xs)}</table>`
    : `<p class="none">无 None</p>`);
  function link(m) {
    const via = m.via ? ` · ${esc(m.via.name)}` : '';
    const by = m.driven_by ? ` <span class="en">driven by ${esc(m.driven_by.name)}</span>` : '';
    return `<span class="mech" data-id="${esc(m.id)}">${esc(m.name_zh)}</span> <span class="en">${esc(m.name_en)} (${esc(m.id)})</span>${via}${by}${cite(m.basis)}${L.recon(m.provenance)}`;
  }
  function renderNotify(xs) {
    if (!arr(xs).length) return '<p class="none">无需通报其他地级 No other prefecture is reached</p>';
    return `<ul class="notify">${arr(xs).map((n) => {
      const ct = n.contacts || {};
      const who = [ct.committee_office, ct.department].filter(Boolean).map((b) => `${esc(b.name_zh)}${cite(b.basis)}`).join('；');
      return `<li data-adcode="${esc(n.prefecture.adcode)}"><b>${esc(n.prefecture.name)}</b> <span class="en">${h1(n.arrival_hours)}</span><br>${link(n.mechanism)}`
        + `${arr(n.also).map((m) => `<br><span class="en">also</span> ${link(m)}`).join('')}${who ? `<br><span class="en">contacts</span> ${who}` : ''}</li>`;
    }).join('')}</ul>`;
  }
  function render(d) {
    const w = d.wind || {};
    const src = d.source || {};
    const lh = d.leaves_hubei || {};
    const where = arr(src.counties).map((c) => esc(c.name)).join('、') || (src.province ? esc(src.province.name) : L.none);
    let html = `<h3>下风向 <span class="en">Downwind</span>${cite(d.basis)}</h3>`
      + `<p>${esc(windName(Number(wind.wind_from)))} ${esc(wind.wind_from)}° · ${esc(wind.speed)} m/s · ${esc(w.hours)} h · ±${esc(w.spread_deg)}° · ${km(w.travel_km)}<br>`
      + `<span class="en">source</span> ${where}</p>`;
    html += `<h4>通报 <span class="en">Whom to notify</span> <span class="id">[十四]</span></h4>${renderNotify(d.notify)}`;
    html += `<h4>地级 <span class="en">Prefectures reached</span></h4>${reachedTable(d.downwind && d.downwind.prefectures, '地级', 'prefecture')}`;
    html += `<details class="wind-counties"><summary>县级 <span class="en">Counties reached (${arr(d.downwind && d.downwind.counties).length})</span></summary>${reachedTable(d.downwind && d.downwind.counties, '县级', 'county')}</details>`;
    if (lh.leaves) {
      html += `<h4>出省 <span class="en">Leaves Hubei (${pct(lh.outside_share)} of the plume)</span></h4>${reachedTable(lh.provinces, '省', 'province')}<p class="src">${esc(lh.note)}</p>`;
    }
    html += `<p class="src scope">范围 Scope: ${esc(d.scope)}</p>`;
    html += `<details><summary>JSON</summary><pre>${esc(JSON.stringify(d, null, 2).slice(0, 20000))}</pre></details>`;
    return html;
  }

  // ---- asking -------------------------------------------------------------------
  function request(s) {
    const w = { wind_from: Number(wind.wind_from), speed: Number(wind.speed), hours: Number(wind.hours), spread: Number(wind.spread) };
    if (s.footprint) return L.postJson('/v1/air/downwind', { footprint: s.footprint, wind: w });
    const q = new URLSearchParams({ lon: s.lon, lat: s.lat, ...w });
    return L.getJson(`/v1/air/downwind?${q}`);
  }

  async function estimate() {
    if (!open) return null;
    const out = L.$('liuyu-wind-result');
    const s = currentSource();
    if (!s) {
      showPlume(null);
      out.innerHTML = '<p class="none">下风向：请先点击地图或画出范围 Downwind: click the map or draw a footprint first.</p>';
      return null;
    }
    const key = `${s.key}|${windKey()}`;
    const my = ++seq;
    out.innerHTML = '<p>估算中… Estimating…</p>';
    L.showSheet(true);
    const res = await request(s);
    if (my !== seq) return null;
    if (!res.ok || !res.body) { showPlume(null); out.innerHTML = L.problem(res); return null; }
    shownFor = key;
    showPlume(res.body.plume);
    out.innerHTML = render(res.body);
    L.state.downwind = res.body;
    return res.body;
  }
  L.downwind = estimate;
  L.windInput = () => (open ? { ...wind } : null);
  L.setWind = (w) => { setWind(w); if (ui && !open) setOpen(true); return estimate(); };

  L.on('clear', drop);
  // A new answer (point or footprint) with the control open: the same wind from the new source.
  L.on('state', () => {
    const s = currentSource();
    if (open && s && `${s.key}|${windKey()}` !== shownFor) estimate();
  });

  L.module('wind', () => {
    plumeLayers();
    const out = document.createElement('div');
    out.id = 'liuyu-wind-result';
    const anchor = L.$('liuyu-answer');
    anchor.parentNode.insertBefore(out, anchor);
    L.map.addControl(new WindControl(), 'top-right');
  });
})();
