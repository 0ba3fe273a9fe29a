// Layer toggles and the legend (图层与图例), both read from the style: toggles
// switch every style layer whose metadata names the group; the legend rows come
// from the style's `liuyu:legend` metadata (one row per zone, with its id).
(function () {
  'use strict';
  const L = window.liuyu;
  if (!L) return;

  function groups() {
    const seen = new Map();
    for (const l of L.map.getStyle().layers) {
      const g = l.metadata && l.metadata['liuyu:group'];
      if (!g) continue;
      if (!seen.has(g.id)) seen.set(g.id, { ...g, layers: [] });
      seen.get(g.id).layers.push(l.id);
    }
    return [...seen.values()];
  }

  function buildToggles() {
    const box = L.$('liuyu-toggles');
    box.innerHTML = '';
    for (const g of groups()) {
      const row = document.createElement('label');
      row.className = 'toggle';
      const on = g.layers.some((l) => L.map.getLayoutProperty(l, 'visibility') !== 'none');
      row.innerHTML = `<input type="checkbox" id="toggle-${L.esc(g.id)}" data-group="${L.esc(g.id)}" ${on ? 'checked' : ''}> ${L.esc(g.zh)} <span class="en">${L.esc(g.en)}</span>`;
      row.querySelector('input').addEventListener('change', (ev) => {
        for (const l of g.layers) L.map.setLayoutProperty(l, 'visibility', ev.target.checked ? 'visible' : 'none');
      });
      box.appendChild(row);
    }
  }

  function buildLegend() {
    const legend = (L.map.getStyle().metadata || {})['liuyu:legend'] || [];
    L.$('liuyu-legend').innerHTML = legend.map((e) => {
      if (e.shape === 'heading') return `<div class="legend-head">${L.esc(e.zh)} <span class="en">${L.esc(e.en)}</span></div>`;
      const id = e.zone ? ` <span class="id">${L.esc(e.zone)}</span>` : '';
      const text = e.zone ? L.esc(e.zh) : `${L.esc(e.zh)} <span class="en">${L.esc(e.en)}</span>`;
      return `<div class="legend-row${e.zone ? ' zone' : ''}"><span class="swatch ${L.esc(e.shape)}" style="--c:${L.esc(e.color)}"></span>${text}${id}</div>`;
    }).join('');
  }

  L.module('layers', () => { buildToggles(); buildLegend(); });
})();
