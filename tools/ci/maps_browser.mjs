// Headless-browser checks of the map clients (run by .ci/checks/50-maps.sh, with
// FONTCONFIG_FILE pointing at a config that hides every CJK system font):
//  1. MapLibre GL JS from the npm package (web/node_modules/maplibre-gl), on
//     another origin, loads /style.json from the running server, renders with no
//     error events, and the canvas shows the zone fill colours, rivers and lakes.
//  2. The built-in page at /: Chinese labels are placed with the served glyphs
//     (every glyph response 200 and non-empty, CJK ranges among them, label
//     features rendered); a click on a known point shows the expected county and
//     zone (truth computed by GDAL from data/); search; "downstream from here".
//     Name search through /v1/places: 鄂州 frames and asks about 鄂州市; an
//     ambiguous name lists the API's candidates; a river is highlighted.
//  3. Ask about a problem: draw a polygon across 鄂州 and 黄冈 with the draw
//     tools, matter `water`; the panel agrees with /v1/issues/analyze fetched
//     in the page: the coordinating body, level metro, convened by 武汉, each
//     participant with its own committee and lead department, bank partners,
//     special inspection, touched and downstream reaches highlighted; the shared
//     URL (hash) restores the same answer; a new click clears it.
//  4. Phone layout (390x844): the panel is a bottom sheet leaving most of the map.
// Screenshots: OUT_DIR/map-1400x900.png, OUT_DIR/map-390x844.png (copied to docs/).
// Usage: node tools/ci/maps_browser.mjs BASE_URL OUT_DIR TRUTH_JSON
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = join(here, '..', '..', 'web');
const require = createRequire(join(webDir, 'package.json'));
const { chromium } = require('playwright-core');

const [base, outDir, truthPath] = process.argv.slice(2);
const truth = JSON.parse(readFileSync(truthPath, 'utf8'));
mkdirSync(outDir, { recursive: true });
let failures = 0;
const t0 = Date.now();
const step = (what) => console.log(`[browser ${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);
// Wait until the map has drawn everything (a forced repaint guarantees an 'idle' event).
const settle = (pg) => pg.evaluate(() => new Promise((r) => { const m = window.liuyuMap; m.once('idle', r); m.triggerRepaint(); }));
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures += 1; };
const CJK = /[\u4e00-\u9fff]/;

// A fresh profile every run (Playwright wants it as the persistent-context directory).
const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'liuyu-chromium-')), {
  executablePath: '/usr/bin/chromium',
  viewport: { width: 900, height: 700 },
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    // The test page lives on another (fake) localhost origin to exercise CORS;
    // Chromium's local-network-access checks would otherwise block it.
    '--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests'],
});

// Every glyph response of a page: status and body size.
function watchGlyphs(pg) {
  const seen = [];
  pg.on('response', async (r) => {
    if (!/\/fonts\//.test(r.url())) return;
    let size = -1;
    try { size = (await r.body()).length; } catch (_) { size = -1; }
    seen.push({ url: decodeURIComponent(r.url().split('/fonts/')[1]), status: r.status(), size });
  });
  pg.on('requestfailed', (r) => { if (/\/fonts\//.test(r.url())) seen.push({ url: r.url(), status: 0, size: 0 }); });
  return seen;
}
function checkGlyphs(seen, where) {
  const bad = seen.filter((g) => g.status !== 200 || g.size <= 0);
  const cjk = seen.filter((g) => { const first = Number((/\/(\d+)-/.exec(g.url) || [])[1]); return first >= 0x4e00 && first <= 0x9fff; });
  check(seen.length > 0 && bad.length === 0 && cjk.length > 0,
    `${where}: ${seen.length} glyph responses from /fonts/ (${cjk.length} CJK ranges), none failed or empty ${JSON.stringify(bad).slice(0, 200)}`);
}

async function clickLonLat(pg, lon, lat) {
  const box = await pg.locator('#liuyu-map canvas').boundingBox();
  const pt = await pg.evaluate(([x, y]) => window.liuyuMap.project([x, y]), [lon, lat]);
  await pg.mouse.click(box.x + pt.x, box.y + pt.y);
}

try {
  // ---- 1. MapLibre (npm package) + /style.json, from another origin ------------
  step('1. MapLibre (npm) renders /style.json');
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const glyphs1 = watchGlyphs(page);
  const mlJs = readFileSync(join(webDir, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.js'), 'utf8');
  const mlCss = readFileSync(join(webDir, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.css'), 'utf8');
  await page.route('http://localhost:9/test.html', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><meta charset="utf-8"><style>${mlCss} html,body,#m{margin:0;width:100%;height:100%}</style></head>` +
      `<body><div id="m"></div><script>${mlJs}</script></body></html>`,
  }));
  await page.goto('http://localhost:9/test.html');
  const result = await page.evaluate(async (styleUrl) => {
    const errors = [];
    const map = new maplibregl.Map({ container: 'm', style: styleUrl, center: [112.3, 31.0], zoom: 6.2,
      localIdeographFontFamily: false, canvasContextAttributes: { preserveDrawingBuffer: true } });
    map.on('error', (e) => errors.push((e.error && e.error.message) || String(e)));
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('map never became idle')), 60000);
      map.once('idle', () => { clearTimeout(t); resolve(); });
    });
    const style = map.getStyle();
    const zoneLayer = style.layers.find((l) => l.id === 'zones-fill');
    const colours = zoneLayer.paint['fill-color'].slice(2, -1).filter((_, i) => i % 2 === 1);
    const gl = map.getCanvas();
    const c = document.createElement('canvas');
    c.width = gl.width; c.height = gl.height;
    const g = c.getContext('2d');
    g.drawImage(gl, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const rgb = colours.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
    const hits = new Map();
    for (let i = 0; i < px.length; i += 4) {
      for (let k = 0; k < rgb.length; k++) {
        const [r, gg, b] = rgb[k];
        if (Math.abs(px[i] - r) <= 3 && Math.abs(px[i + 1] - gg) <= 3 && Math.abs(px[i + 2] - b) <= 3) {
          hits.set(colours[k], (hits.get(colours[k]) || 0) + 1);
          break;
        }
      }
    }
    const rendered = map.queryRenderedFeatures({ layers: ['zones-fill'] }).map((f) => f.properties.id);
    const rivers = map.queryRenderedFeatures({ layers: ['rivers-line'] }).map((f) => f.properties.river).filter(Boolean);
    const lakes = map.queryRenderedFeatures({ layers: ['lakes-fill'] }).map((f) => f.properties.name).filter(Boolean);
    const colourOf = (id, prop) => style.layers.find((l) => l.id === id).paint[prop];
    const near = (hex) => { const [r, gg, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)); let n = 0;
      for (let i = 0; i < px.length; i += 4) n += Math.abs(px[i] - r) <= 8 && Math.abs(px[i + 1] - gg) <= 8 && Math.abs(px[i + 2] - b) <= 8; return n; };
    return { errors, hits: Object.fromEntries(hits), total: px.length / 4, zones: [...new Set(rendered)].sort(),
      rivers: [...new Set(rivers)].sort(), lakes: [...new Set(lakes)].sort(),
      riverPx: near(colourOf('rivers-line', 'line-color')), distinct: colours.length, uniq: new Set(colours).size };
  }, `${base}/style.json`);
  await page.screenshot({ path: join(outDir, 'maps-maplibre-style.png') });
  const hitPixels = Object.values(result.hits).reduce((a, b) => a + b, 0);
  check(result.errors.length === 0, `MapLibre loaded ${base}/style.json with no error events ${JSON.stringify(result.errors).slice(0, 300)}`);
  check(consoleErrors.length === 0, `no console errors ${JSON.stringify(consoleErrors).slice(0, 300)}`);
  check(result.uniq === 16, `the style gives the 16 zones ${result.uniq} distinct colours`);
  check(Object.keys(result.hits).length >= 12, `canvas shows ${Object.keys(result.hits).length} distinct zone fill colours (need >= 12)`);
  check(hitPixels > result.total * 0.10, `zone fill pixels: ${hitPixels} of ${result.total} (need > 10%)`);
  check(result.zones.length === 16, `rendered zone features: ${result.zones.length} of 16 (${result.zones.join(' ')})`);
  check(['changjiang', 'hanjiang', 'qingjiang'].every((r) => result.rivers.includes(r)) && result.riverPx > 500,
    `rivers drawn: ${result.rivers.join(' ')}; ${result.riverPx} river-colour pixels (need 长江, 汉江, 清江 and > 500)`);
  check(result.lakes.includes('梁子湖'), `lakes drawn (faint old outlines): ${result.lakes.join(' ')} (need 梁子湖)`);
  checkGlyphs(glyphs1, 'MapLibre test page (cross-origin)');
  await page.close();

  // ---- 2. The built-in page, labels from the served glyphs ----------------------
  step('2. the page at /: labels, clicks, search, downstream');
  const p2 = await browser.newPage();
  await p2.setViewportSize({ width: 1400, height: 900 });
  const errs2 = [];
  p2.on('pageerror', (e) => errs2.push(String(e)));
  // Every route the page uses exists: any console error (a 404 included) fails.
  p2.on('console', (m) => { if (m.type() === 'error') errs2.push(`${m.text()} ${m.location().url || ''}`); });
  const glyphs2 = watchGlyphs(p2);
  await p2.goto(`${base}/`);
  await p2.waitForFunction(() => window.liuyuState && window.liuyuState.ready, null, { timeout: 60000 });
  await settle(p2);
  checkGlyphs(glyphs2, 'page at /');
  const labels = await p2.evaluate(() => {
    const m = window.liuyuMap;
    const ids = m.getStyle().layers.filter((l) => l.type === 'symbol' && l.layout && l.layout['text-field']).map((l) => l.id);
    const fonts = [...new Set(m.getStyle().layers.filter((l) => l.layout && l.layout['text-font']).map((l) => l.layout['text-font'].join(',')))];
    const f = m.queryRenderedFeatures({ layers: ids });
    return { fonts, byLayer: f.reduce((acc, x) => { acc[x.layer.id] = (acc[x.layer.id] || 0) + 1; return acc; }, {}), names: f.map((x) => x.properties.name || '') };
  });
  const cjkLabels = labels.names.filter((n) => CJK.test(n));
  check(cjkLabels.length >= 15 && (labels.byLayer['labels-prefecture'] || 0) >= 10 && (labels.byLayer['labels-zone'] || 0) >= 5,
    `Chinese labels placed: ${cjkLabels.length} (${JSON.stringify(labels.byLayer)}), e.g. ${cjkLabels.slice(0, 6).join(' ')}; fonts ${labels.fonts.join(' | ')}`);
  const toggles = await p2.locator('#liuyu-toggles input').count();
  check(toggles >= 8, `page shows ${toggles} layer toggles`);
  const zoneRows = await p2.locator('#liuyu-legend .legend-row.zone').count();
  check(zoneRows === 16, `legend has one row per zone: ${zoneRows} of 16`);
  await p2.screenshot({ path: join(outDir, 'maps-page-overview.png') });
  for (const t of truth.points) {
    await p2.evaluate(([lon, lat]) => { window.liuyuMap.jumpTo({ center: [lon, lat], zoom: 9 }); }, [t.lon, t.lat]);
    await settle(p2);
    await clickLonLat(p2, t.lon, t.lat);
    await p2.waitForFunction(() => document.querySelector('#liuyu-answer table.answer'), null, { timeout: 20000 });
    const rows = await p2.evaluate(() => Object.fromEntries([...document.querySelectorAll('#liuyu-answer > table.answer tr')]
      .map((tr) => [tr.querySelector('th').firstChild.textContent.trim(), tr.querySelector('td').innerText.trim()])));
    const ok = rows['县级行政区'] === `${t.county} ${t.adcode}` && rows['地级行政区'].startsWith(t.prefecture)
      && rows['二级流域片区'].includes(` ${t.zone}`);
    check(ok, `click at ${t.lon},${t.lat}: panel shows ${t.county} / ${t.prefecture} / zone ${t.zone}`);
    if (!ok) console.log(JSON.stringify(rows));
  }
  checkGlyphs(glyphs2, 'page at / after zooming in (county labels)');
  const t0p = truth.points[0];
  await p2.fill('#liuyu-search-input', `${t0p.lon}, ${t0p.lat}`);
  await p2.click('#liuyu-search button[type=submit]');
  await p2.waitForFunction((lon) => document.querySelector('#liuyu-answer .where') &&
    document.querySelector('#liuyu-answer .where').textContent.startsWith(Number(lon).toFixed(5)), t0p.lon, { timeout: 20000 });
  check((await p2.locator('#liuyu-answer').innerText()).includes(t0p.county), `search box "${t0p.lon}, ${t0p.lat}" shows ${t0p.county}`);
  // GCJ-02 input: the server converts; the answer's point differs from the input by the GCJ offset (~300-600 m).
  await p2.selectOption('#liuyu-crs', 'GCJ-02');
  await p2.fill('#liuyu-search-input', '114.2594, 30.6119');
  await p2.click('#liuyu-search button[type=submit]');
  await p2.waitForFunction(() => /GCJ-02/.test((document.querySelector('#liuyu-answer .where') || {}).textContent || ''), null, { timeout: 20000 });
  const gcj = await p2.evaluate(() => document.querySelector('#liuyu-answer .where').textContent);
  check(/^114\.25\d+, 30\.61\d+/.test(gcj) && !gcj.startsWith('114.25940'), `GCJ-02 search converted by the server: "${gcj}"`);
  await p2.selectOption('#liuyu-crs', 'WGS84');
  // Place-name search through /v1/places (the API answer fetched in the page is the truth).
  const placesApi = (q) => p2.evaluate(async (qq) => { const r = await fetch(`/v1/places?q=${encodeURIComponent(qq)}&limit=8`); return { status: r.status, body: await r.json() }; }, q);
  const ez = await placesApi('鄂州');
  const ezPlace = ez.body.places[0];
  check(ez.status === 200 && ez.body.places.length === 1 && ezPlace.kind === 'prefecture' && ezPlace.name === '鄂州市',
    `/v1/places?q=鄂州 answers one prefecture: ${JSON.stringify(ez.body).slice(0, 160)}`);
  await p2.fill('#liuyu-search-input', '鄂州');
  await p2.click('#liuyu-search button[type=submit]');
  await p2.waitForFunction((n) => [...document.querySelectorAll('#liuyu-answer > table.answer tr')]
    .some((tr) => tr.querySelector('th').firstChild.textContent.trim() === '地级行政区' && tr.querySelector('td').innerText.trim().startsWith(n)), ezPlace.name, { timeout: 20000 });
  await settle(p2);
  const framed = await p2.evaluate((b) => { const m = window.liuyuMap; const v = m.getBounds(); const c = m.getCenter();
    return { inside: c.lng > b[0] && c.lng < b[2] && c.lat > b[1] && c.lat < b[3], covers: v.getWest() <= b[0] + 0.01 && v.getEast() >= b[2] - 0.01 && v.getSouth() <= b[1] + 0.01 && v.getNorth() >= b[3] - 0.01,
      pref: JSON.stringify(m.getFilter('prefecture-highlight')) }; }, ezPlace.bbox);
  check(framed.inside && framed.covers && framed.pref.includes(ezPlace.id),
    `place search "鄂州" frames ${ezPlace.name} (bbox ${ezPlace.bbox}), asks about it and highlights ${ezPlace.id}: ${JSON.stringify(framed)}`);
  // An ambiguous name lists every candidate the API gives; choosing one asks about it.
  const hu = await placesApi('黄');
  await p2.fill('#liuyu-search-input', '黄');
  await p2.click('#liuyu-search button[type=submit]');
  await p2.waitForFunction(() => document.querySelectorAll('#liuyu-search-results ul.places button').length > 0, null, { timeout: 20000 });
  const listed = await p2.evaluate(() => [...document.querySelectorAll('#liuyu-search-results ul.places button')].map((b) => b.textContent));
  check(hu.body.places.length > 1 && JSON.stringify(listed) === JSON.stringify(hu.body.places.map((p) => p.name)),
    `ambiguous "黄": the page lists the API's ${hu.body.places.length} candidates in order (${listed.join(' ')})`);
  const hg = hu.body.places.findIndex((p) => p.name === '黄冈市');
  await p2.click(`#liuyu-search-results button[data-i="${hg}"]`);
  await p2.waitForFunction(() => /黄冈市/.test((document.querySelector('#liuyu-answer') || {}).innerText || ''), null, { timeout: 20000 });
  check(hg >= 0, 'choosing 黄冈市 among them asks about 黄冈市');
  // A county by a prefix of its name: framed and asked about.
  const xz = await placesApi('新洲');
  await p2.fill('#liuyu-search-input', '新洲');
  await p2.click('#liuyu-search button[type=submit]');
  await p2.waitForFunction((n) => [...document.querySelectorAll('#liuyu-answer > table.answer tr')]
    .some((tr) => tr.querySelector('th').firstChild.textContent.trim() === '县级行政区' && tr.querySelector('td').innerText.trim().startsWith(n)), xz.body.places[0].name, { timeout: 20000 });
  check(xz.body.places.length === 1 && xz.body.places[0].kind === 'county', `place search "新洲" (county ${xz.body.places[0].name}, ${xz.body.places[0].match}) asks about it`);
  // A river: its lines are highlighted.
  const hj = await placesApi('汉江');
  await p2.fill('#liuyu-search-input', '汉江');
  await p2.click('#liuyu-search button[type=submit]');
  await p2.waitForFunction(() => /汉江/.test((document.querySelector('#liuyu-answer h3') || {}).textContent || ''), null, { timeout: 20000 });
  const riverFilter = await p2.evaluate(() => JSON.stringify(window.liuyuMap.getFilter('nav-line')));
  check(hj.body.places[0].kind === 'river' && riverFilter.includes(`"${hj.body.places[0].id}"`), `place search "汉江" (river ${hj.body.places[0].id}) highlights its lines: ${riverFilter}`);
  // "Downstream from here" by the 汉江 mouth (江汉区): rivers named with their km, reaches highlighted.
  await p2.fill('#liuyu-search-input', `${t0p.lon}, ${t0p.lat}`);
  await p2.click('#liuyu-search button[type=submit]');
  await p2.waitForFunction((c) => (document.querySelector('#liuyu-answer').innerText || '').includes(c), t0p.county, { timeout: 20000 });
  await p2.click('#liuyu-down');
  await p2.waitForFunction(() => { const t = document.querySelector('#liuyu-nav-result').innerText; return t && !t.includes('查询中'); }, null, { timeout: 30000 });
  const nav = await p2.locator('#liuyu-nav-result').innerText();
  const navRes = await p2.evaluate(async () => { const r = await fetch('/v1/navigate/DM?lon=114.2538&lat=30.606&distance_km=500'); return { status: r.status, body: r.ok ? await r.json() : null }; });
  if (navRes.status === 200) {
    const rivers = [...new Set(navRes.body.reaches.map((r) => r.river_name))];
    check(rivers.every((r) => nav.includes(r)) && /km \d+\.\d–\d+\.\d/.test(nav), `downstream panel names every river of the path with its km: ${rivers.join(' → ')}`);
    await settle(p2);
    const want = [...new Set(navRes.body.reaches.map((r) => r.edge))];
    const lit = await p2.evaluate(() => [...new Set(window.liuyuMap.queryRenderedFeatures({ layers: ['nav-line'] }).map((f) => f.properties.id))]);
    check(lit.length > 0 && lit.every((e) => want.includes(e)), `downstream reaches highlighted: ${lit.length} drawn, all among the answer's ${want.length} edges`);
  } else {
    check(navStatusNote(nav), `downstream button: /v1/navigate/DM is ${navRes.status}`);
  }

  // ---- 3. Ask about a problem: a polygon across 鄂州 and 黄冈, matter water ----
  step('3. draw a footprint across 鄂州 and 黄冈, matter water');
  await p2.evaluate(() => window.liuyuMap.jumpTo({ center: [114.88, 30.44], zoom: 9.5 }));
  await settle(p2);
  await p2.fill('#liuyu-matter', 'water');
  await p2.click('#liuyu-tools button[data-mode="polygon"]');
  const ring = [[114.80, 30.37], [114.97, 30.37], [114.97, 30.51], [114.80, 30.51]];
  for (const c of [...ring, ring[0]]) { await clickLonLat(p2, c[0], c[1]); await p2.waitForTimeout(200); }
  await p2.waitForFunction(() => document.querySelector('#liuyu-ask-result .coordinator') || document.querySelector('#liuyu-ask-result .error'), null, { timeout: 30000 });
  await settle(p2);
  const ask = await p2.locator('#liuyu-ask-result').innerText();
  const coordinator = await p2.evaluate(() => (document.querySelector('#liuyu-ask-result .coordinator') || {}).textContent || '');
  const direct = await p2.evaluate(async (r) => (await (await fetch('/v1/issues/analyze', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ matter: 'water', footprint: { type: 'Polygon', coordinates: [[...r, r[0]]] } }) })).json()), ring);
  check(coordinator.length > 0 && coordinator === direct.coordinating_body.name_zh,
    `panel names the coordinating body "${coordinator}" (the API says "${direct.coordinating_body.name_zh}")`);
  check(ask.includes('鄂州市') && ask.includes('黄冈市') && ask.includes('水生态环境'), 'panel lists both prefectures, 鄂州市 and 黄冈市, and the matter');
  await checkAnalysisPanel(p2, direct);
  const cites = (ask.match(/\[[一二三四五六七八九十、]+\]/g) || []).length;
  check(cites >= 8, `panel items carry their clauses: ${cites} citations`);
  const hlPref = await p2.evaluate(() => window.liuyuMap.getFilter('prefecture-highlight'));
  check(JSON.stringify(hlPref).includes('420700') && JSON.stringify(hlPref).includes('421100'), 'both prefectures are highlighted');
  const hash = await p2.evaluate(() => location.hash);
  check(/matter=water/.test(hash) && /geom=a:/.test(hash), `shareable URL: ${hash}`);
  await p2.screenshot({ path: join(outDir, 'map-1400x900.png') });
  // A new click clears the previous answer and its highlight.
  await clickLonLat(p2, 114.70, 30.60);
  await p2.waitForFunction(() => document.querySelector('#liuyu-answer table.answer'), null, { timeout: 20000 });
  const cleared = await p2.evaluate(() => ({ ask: document.querySelector('#liuyu-ask-result').innerText.trim(), pref: JSON.stringify(window.liuyuMap.getFilter('prefecture-highlight')), nav: JSON.stringify(window.liuyuMap.getFilter('nav-line')) }));
  check(cleared.ask === '' && !cleared.pref.includes('420700') && cleared.nav.includes('[]'), `a new click clears the previous answer and highlights ${JSON.stringify(cleared).slice(0, 160)}`);
  const mapErrors = await p2.evaluate(() => window.liuyuState.errors);
  check(mapErrors.length === 0 && errs2.length === 0, `page: no map or console errors ${JSON.stringify([...mapErrors, ...errs2]).slice(0, 300)}`);
  await p2.close();

  // ---- 4. Phone: the shared URL restores the answer in a bottom sheet ----------
  step('4. phone layout 390x844 from the shared URL');
  const p3 = await browser.newPage();
  await p3.setViewportSize({ width: 390, height: 844 });
  await p3.goto(`${base}/${hash}`);
  await p3.waitForFunction(() => window.liuyuState && window.liuyuState.ready, null, { timeout: 60000 });
  await p3.waitForFunction(() => document.querySelector('#liuyu-ask-result .coordinator'), null, { timeout: 30000 });
  await settle(p3);
  const restored = await p3.evaluate(() => document.querySelector('#liuyu-ask-result .coordinator').textContent);
  check(restored === coordinator, `the shared URL restores the footprint, matter and answer ("${restored}")`);
  const geo = await p3.evaluate(() => {
    const side = document.getElementById('liuyu-side').getBoundingClientRect();
    const map = document.getElementById('liuyu-map').getBoundingClientRect();
    return { sideTop: side.top, sideH: side.height, sideW: side.width, mapH: map.height, vh: window.innerHeight };
  });
  check(geo.sideW >= 380 && geo.sideH <= geo.vh * 0.7 && geo.sideTop >= geo.vh * 0.3 && geo.mapH >= geo.vh * 0.95,
    `bottom sheet: ${Math.round(geo.sideH)} px of ${geo.vh} high, full width, map underneath ${JSON.stringify(geo)}`);
  await p3.screenshot({ path: join(outDir, 'map-390x844.png') });
  await p3.close();
} finally {
  await browser.close();
}
function navStatusNote(nav) { return nav.includes('not available') || nav.length > 0; }

// The draw-to-ask panel against the API's own answer for the same footprint
// (`api`, fetched in the page): level, convener, each participant's committee
// and lead department, bank partners, special inspection, touched reaches.
async function checkAnalysisPanel(pg, api) {
  const cb = api.coordinating_body;
  const seen = await pg.evaluate(() => {
    const q = (s) => document.querySelector(`#liuyu-ask-result ${s}`);
    const all = (s) => [...document.querySelectorAll(`#liuyu-ask-result ${s}`)];
    return {
      level: (q('.level') || { dataset: {} }).dataset.level,
      convener: (q('.convener') || {}).textContent || '',
      participants: all('li.participant').map((li) => ({ adcode: li.dataset.adcode, committee: li.querySelector('.committee').textContent, lead: li.querySelector('.lead').textContent })),
      banks: all('.bank-pair').map((b) => [b.querySelector('.bank-left').textContent, b.querySelector('.bank-right').textContent]),
      eligible: (q('.si-eligible') || { dataset: {} }).dataset.eligible,
      reasons: all('.si-reasons li').map((li) => li.textContent),
      notCounted: all('.si-not-counted li').map((li) => li.textContent),
      touched: JSON.stringify(window.liuyuMap.getFilter('nav-line')),
      down: JSON.stringify(window.liuyuMap.getFilter('downstream-line')),
      lit: [...new Set(window.liuyuMap.queryRenderedFeatures({ layers: ['nav-line'] }).map((f) => f.properties.id))],
    };
  });
  check(cb.level === 'metro' && seen.level === cb.level, `level: panel "${seen.level}", API "${cb.level}" (metro expected for 鄂州+黄冈)`);
  check(cb.convened_by && cb.convened_by.place.name === '武汉市' && seen.convener.includes(cb.convened_by.name_zh),
    `convened by: panel "${seen.convener.slice(0, 40)}", API "${cb.convened_by && cb.convened_by.name_zh}"`);
  const want = cb.participants.map((p) => p.adcode).sort();
  check(JSON.stringify(want) === JSON.stringify(['420700', '421100']) && JSON.stringify(seen.participants.map((p) => p.adcode).sort()) === JSON.stringify(want),
    `participants: panel ${seen.participants.map((p) => p.adcode).join(',')}, API ${want.join(',')}`);
  for (const p of cb.participants) {
    const s = seen.participants.find((x) => x.adcode === p.adcode) || { committee: '', lead: '' };
    check(p.committee.place.adcode === p.adcode && s.committee.includes(p.committee.name_zh) && s.lead.includes(p.lead_department.name_zh),
      `${p.name}: its own committee "${p.committee.name_zh}" and lead "${p.lead_department.name_zh}" in the panel`);
  }
  const side = (x) => (x.prefecture ? x.prefecture.name : x.province.name);
  const pairs = api.water_context.bank_pairs.map((b) => [side(b.left), side(b.right)]);
  const prefs = [...new Set(pairs.flat())].sort();
  check(pairs.length > 0 && JSON.stringify(prefs) === JSON.stringify(['鄂州市', '黄冈市']) && seen.banks.length === pairs.length
    && pairs.every(([l, r], i) => seen.banks[i][0].startsWith(l) && seen.banks[i][1].startsWith(r)),
  `bank partners: ${pairs.map((p) => p.join('/')).join('; ')} (API) shown in order (${seen.banks.length} pairs)`);
  const si = api.special_inspection;
  check(seen.eligible === String(si.eligible && si.reasons.length > 0) && seen.reasons.length === si.reasons.length
    && si.reasons.every((r, i) => seen.reasons[i].includes(r.kind) && seen.reasons[i].includes(r.text) && seen.reasons[i].includes('十六'))
    && seen.notCounted.length === si.not_counted.length && si.not_counted.every((t, i) => seen.notCounted[i].includes(t)),
  `special inspection: eligible ${seen.eligible}, ${seen.reasons.length} reasons and ${seen.notCounted.length} not-counted lines as in the API`);
  const edges = [...new Set(api.water_context.reaches.flatMap((r) => r.edges))];
  check(edges.length > 0 && edges.every((e) => seen.touched.includes(`"${e}"`)) && seen.lit.length > 0 && seen.lit.every((e) => edges.includes(e)),
    `touched reaches highlighted: filter has the API's edges ${edges.join(',')}; drawn ${seen.lit.join(',')}`);
  check(!seen.down.includes('[]'), `downstream reaches highlighted from the exit points: ${seen.down.slice(0, 120)}`);
}
step(`browser checks: ${failures === 0 ? 'all passed' : `${failures} failed`}`);
process.exit(failures === 0 ? 0 : 1);
