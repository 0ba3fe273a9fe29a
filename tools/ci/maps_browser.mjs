// Headless-browser checks of the map clients (run by .ci/checks/50-maps.sh):
//  1. MapLibre GL JS from the npm package (web/node_modules/maplibre-gl) loads
//     /style.json from the running server, renders with no error events, and
//     the canvas shows the zone fill colours; screenshot saved.
//  2. The built-in page at / renders; a click on a known point shows the
//     expected county and zone (truth passed in, computed by GDAL from data/).
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
// Wait until the map has drawn everything (a forced repaint guarantees an 'idle' event).
const settle = (pg) => pg.evaluate(() => new Promise((r) => { const m = window.liuyuMap; m.once('idle', r); m.triggerRepaint(); }));
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures += 1; };

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

try {
  // ---- 1. MapLibre (npm package) + /style.json -------------------------------
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const mlJs = readFileSync(join(webDir, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.js'), 'utf8');
  const mlCss = readFileSync(join(webDir, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.css'), 'utf8');
  // A test page on another localhost origin: also exercises CORS.
  await page.route('http://localhost:9/test.html', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><meta charset="utf-8"><style>${mlCss} html,body,#m{margin:0;width:100%;height:100%}</style></head>` +
      `<body><div id="m"></div><script>${mlJs}</script></body></html>`,
  }));
  await page.goto('http://localhost:9/test.html');
  const result = await page.evaluate(async (styleUrl) => {
    const errors = [];
    const map = new maplibregl.Map({ container: 'm', style: styleUrl, center: [112.3, 31.0], zoom: 6.2,
      canvasContextAttributes: { preserveDrawingBuffer: true } });
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
    // Pixels of the river line and lake fill colours (from the style itself).
    const colourOf = (id, prop) => style.layers.find((l) => l.id === id).paint[prop];
    const near = (hex) => { const [r, gg, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)); let n = 0;
      for (let i = 0; i < px.length; i += 4) n += Math.abs(px[i] - r) <= 8 && Math.abs(px[i + 1] - gg) <= 8 && Math.abs(px[i + 2] - b) <= 8; return n; };
    return { errors, hits: Object.fromEntries(hits), total: px.length / 4, zones: [...new Set(rendered)].sort(),
      rivers: [...new Set(rivers)].sort(), lakes: [...new Set(lakes)].sort(),
      riverPx: near(colourOf('rivers-line', 'line-color')), lakePx: near(colourOf('lakes-fill', 'fill-color')),
      sources: Object.keys(style.sources) };
  }, `${base}/style.json`);
  await page.screenshot({ path: join(outDir, 'maps-maplibre-style.png') });
  const hitPixels = Object.values(result.hits).reduce((a, b) => a + b, 0);
  check(result.errors.length === 0, `MapLibre loaded ${base}/style.json with no error events ${JSON.stringify(result.errors).slice(0, 300)}`);
  check(consoleErrors.length === 0, `no console errors ${JSON.stringify(consoleErrors).slice(0, 300)}`);
  check(Object.keys(result.hits).length >= 10, `canvas shows ${Object.keys(result.hits).length} distinct zone fill colours (need >= 10)`);
  check(hitPixels > result.total * 0.10, `zone fill pixels: ${hitPixels} of ${result.total} (need > 10%)`);
  check(result.zones.length === 16, `rendered zone features: ${result.zones.length} of 16 (${result.zones.join(' ')})`);
  check(['changjiang', 'hanjiang', 'qingjiang'].every((r) => result.rivers.includes(r)) && result.riverPx > 500,
    `rivers drawn: ${result.rivers.join(' ')}; ${result.riverPx} river-colour pixels (need 长江, 汉江, 清江 and > 500)`);
  check(result.lakes.includes('梁子湖') && result.lakePx > 100,
    `lakes drawn: ${result.lakes.join(' ')}; ${result.lakePx} lake-colour pixels (need 梁子湖 and > 100)`);
  await page.close();

  // ---- 2. The built-in page -----------------------------------------------------
  const p2 = await browser.newPage();
  await p2.setViewportSize({ width: 1200, height: 800 });
  const errs2 = [];
  p2.on('pageerror', (e) => errs2.push(String(e)));
  // The page probes /v1/profile and /v1/navigate and falls back on 404: not an error.
  const probe = (u) => /\/v1\/(profile|navigate)/.test(u || '');
  p2.on('console', (m) => { if (m.type() === 'error' && !probe(m.location().url)) errs2.push(m.text()); });
  await p2.goto(`${base}/`);
  await p2.waitForFunction(() => window.liuyuState && window.liuyuState.ready, null, { timeout: 60000 });
  await settle(p2);
  const toggles = await p2.locator('#liuyu-toggles input').count();
  check(toggles >= 8, `page shows ${toggles} layer toggles`);
  const legendRows = await p2.locator('#liuyu-legend .legend-row').count();
  check(legendRows >= 6, `page shows a legend with ${legendRows} rows`);
  for (const t of truth.points) {
    await p2.evaluate(([lon, lat]) => { window.liuyuMap.jumpTo({ center: [lon, lat], zoom: 9 }); }, [t.lon, t.lat]);
    await settle(p2);
    const box = await p2.locator('#liuyu-map canvas').boundingBox();
    const pt = await p2.evaluate(([lon, lat]) => window.liuyuMap.project([lon, lat]), [t.lon, t.lat]);
    await p2.mouse.click(box.x + pt.x, box.y + pt.y);
    await p2.waitForFunction(() => document.querySelector('#liuyu-answer table.answer'), null, { timeout: 20000 });
    // Read the answer table row by row: { '县级行政区': '江汉区 420103', ... }.
    const rows = await p2.evaluate(() => Object.fromEntries([...document.querySelectorAll('#liuyu-answer table.answer tr')]
      .map((tr) => [tr.querySelector('th').firstChild.textContent.trim(), tr.querySelector('td').innerText.trim()])));
    const text = JSON.stringify(rows);
    const ok = rows['县级行政区'] === `${t.county} ${t.adcode}` && rows['地级行政区'].startsWith(t.prefecture)
      && rows['二级流域片区'].includes(` ${t.zone}`);
    check(ok, `click at ${t.lon},${t.lat}: panel shows ${t.county} / ${t.prefecture} / zone ${t.zone}`);
    if (!ok) console.log(text);
  }
  // The panel shows the governance profile when the server has /v1/profile, else the locate answer.
  const profStatus = await p2.evaluate(async () => (await fetch('/v1/profile?lon=114.2538&lat=30.606')).status);
  const panel = await p2.locator('#liuyu-answer').innerText();
  check(profStatus === 200 ? panel.includes('/v1/profile') && panel.includes('治理') : panel.includes('/v1/locate'),
    `panel answers from ${profStatus === 200 ? '/v1/profile (with the governance section)' : '/v1/locate'}`);
  // The lon/lat search box gives the same answer as a click.
  const t0 = truth.points[0];
  await p2.fill('#liuyu-search-input', `${t0.lon}, ${t0.lat}`);
  await p2.click('#liuyu-search button');
  await p2.waitForFunction((lon) => document.querySelector('#liuyu-answer .where') &&
    document.querySelector('#liuyu-answer .where').textContent.startsWith(Number(lon).toFixed(5)), t0.lon, { timeout: 20000 });
  const t2 = await p2.locator('#liuyu-answer').innerText();
  check(t2.includes(t0.county), `search box "${t0.lon}, ${t0.lat}" shows ${t0.county}`);
  // "Downstream from here" from the point just searched (江汉区, by the 汉江 mouth): a
  // river answer when /v1/navigate exists, else a clear note.
  await p2.click('#liuyu-down');
  await p2.waitForFunction(() => { const t = document.querySelector('#liuyu-nav-result').innerText; return t && !t.includes('查询中'); }, null, { timeout: 30000 });
  const nav = await p2.locator('#liuyu-nav-result').innerText();
  const navStatus = await p2.evaluate(async () => (await fetch('/v1/navigate/DM?lon=114.2538&lat=30.606&distance_km=500')).status);
  check(navStatus === 200 ? nav.includes('Counties') && nav.includes('River') && !nav.includes('no river near') : navStatus === 404 ? nav.includes('not available') : nav.length > 0,
    `downstream button: /v1/navigate/DM is ${navStatus}; panel says "${nav.split('\n')[0]}"`);
  await settle(p2);
  if (navStatus === 200) {
    // The reaches of the answer are highlighted on the map (nav-line filter = their edge ids).
    const want = await p2.evaluate(async () => [...new Set((await (await fetch('/v1/navigate/DM?lon=114.2538&lat=30.606&distance_km=500')).json()).reaches.map((r) => r.edge))].sort());
    const lit = await p2.evaluate(() => [...new Set(window.liuyuMap.queryRenderedFeatures({ layers: ['nav-line'] }).map((f) => f.properties.id))].sort());
    check(want.length > 0 && lit.length > 0 && lit.every((e) => want.includes(e)),
      `downstream reaches highlighted on the map: ${lit.length} drawn (${lit.join(' ')}), all among the answer's ${want.length} edges`);
  }
  await p2.screenshot({ path: join(outDir, 'maps-page.png') });
  const mapErrors = await p2.evaluate(() => window.liuyuState.errors);
  check(mapErrors.length === 0 && errs2.length === 0, `page: no map or console errors ${JSON.stringify([...mapErrors, ...errs2]).slice(0, 300)}`);
  await p2.close();
} finally {
  await browser.close();
}
console.log(`browser checks: ${failures === 0 ? 'all passed' : `${failures} failed`}`);
process.exit(failures === 0 ? 0 : 1);
