// Headless-browser check of the map page's wind control (issue 15, run by
// .ci/checks/80-air.sh): Debian's Chromium driven by playwright-core (npm,
// web/node_modules; no browser download) against a running `liuyu serve`.
//  1. The control is on the map; opened with no source it asks for one.
//  2. A click in 襄阳 with a north wind: the plume drawn on the map is the
//     plume of GET /v1/air/downwind, the panel lists the API's prefectures in
//     its order with their arrival hours and whom to notify with the mechanism.
//  3. A click on the dial's east side makes it an east wind (the arrow turns
//     to point west): the panel now names 十堰 and not 荆门.
//  4. A footprint drawn in 鄂州 with a west wind: the panel's notify list is
//     POST /v1/air/downwind's (黄冈 and 黄石 through metro_joint_prevention),
//     and the problem panel (matter air) got them from /v1/issues/analyze's `wind`.
//  5. A new click clears the old plume and estimates again from the new point.
// Screenshot: OUT_DIR/air-map-1400x900.png. Usage: node tools/ci/air_browser.mjs BASE_URL OUT_DIR
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [base, outDir] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
let failures = 0;
const t0 = Date.now();
const step = (what) => console.log(`[air browser ${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures += 1; };
const settle = (pg) => pg.evaluate(() => new Promise((r) => { const m = window.liuyuMap; m.once('idle', r); m.triggerRepaint(); }));

const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'liuyu-air-chromium-')), {
  executablePath: '/usr/bin/chromium',
  viewport: { width: 1400, height: 900 },
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--enable-unsafe-swiftshader', '--use-angle=swiftshader'],
});

async function clickLonLat(pg, lon, lat) {
  const box = await pg.locator('#liuyu-map canvas').boundingBox();
  const pt = await pg.evaluate(([x, y]) => window.liuyuMap.project([x, y]), [lon, lat]);
  await pg.mouse.click(box.x + pt.x, box.y + pt.y);
}
// The panel once an estimate has finished (an answer or a problem).
const waitPanel = (pg) => pg.waitForFunction(() => {
  const o = document.querySelector('#liuyu-wind-result');
  return o && (o.querySelector('.scope') || o.querySelector('.error'));
}, null, { timeout: 30000 });
// What the page shows: prefectures in order, notify entries, the plume it drew, the arrow.
const shown = (pg) => pg.evaluate(() => {
  const o = document.querySelector('#liuyu-wind-result');
  const firstTable = o.querySelector('table.wind-units');
  const rows = firstTable ? [...firstTable.querySelectorAll('tr')].slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())) : [];
  const notify = [...o.querySelectorAll('ul.notify > li')].map((li) => ({ adcode: li.dataset.adcode, mech: li.querySelector('.mech').dataset.id }));
  const data = window.liuyuMap.getSource('plume').serialize().data;
  const g = data.features[0] && data.features[0].geometry;
  return { text: o.innerText, rows, notify, plume: g, rendered: window.liuyuMap.queryRenderedFeatures({ layers: ['plume-fill'] }).length,
    arrow: document.querySelector('.liuyu-wind svg.dial g.arrow').getAttribute('transform') };
});
const api = (pg, url, body) => pg.evaluate(async ([u, b]) => {
  const r = await fetch(u, b ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) } : {});
  return r.json();
}, [url, body]);
// The panel's prefecture rows and notify entries equal the API's answer.
function same(s, d, what) {
  const pref = d.downwind.prefectures;
  const names = s.rows.map((r) => r[0].split(' ')[0]);
  check(names.length === pref.length && pref.every((p, i) => names[i] === p.name && s.rows[i][1] === `${p.arrival_hours.toFixed(1)} h`),
    `${what}: the panel lists the API's ${pref.length} prefectures in order with their arrival hours (${names.join(' ')})`);
  const want = d.notify.map((n) => ({ adcode: n.prefecture.adcode, mech: n.mechanism.id }));
  check(JSON.stringify(s.notify) === JSON.stringify(want), `${what}: notify ${JSON.stringify(s.notify)} as in the API`);
  check(JSON.stringify(s.plume) === JSON.stringify(d.plume) && s.rendered > 0, `${what}: the map draws the API's plume (${s.rendered} rendered features)`);
}

try {
  const pg = await browser.newPage();
  const errs = [];
  pg.on('pageerror', (e) => errs.push(String(e)));
  pg.on('console', (m) => { if (m.type() === 'error' && !/\/v1\/(profile|navigate|places)/.test(m.location().url || '')) errs.push(m.text()); });
  await pg.goto(`${base}/`);
  await pg.waitForFunction(() => window.liuyuState && window.liuyuState.ready, null, { timeout: 60000 });

  step('1. the control');
  check(await pg.locator('.liuyu-wind #liuyu-wind-toggle').count() === 1, 'the wind control is on the map');
  await pg.click('#liuyu-wind-toggle');
  await pg.waitForFunction(() => /click the map/.test(document.querySelector('#liuyu-wind-result').innerText));
  check(true, 'opened with no source, it asks for a point or footprint');

  step('2. 襄阳, north wind 5 m/s, 12 h');
  await pg.fill('#liuyu-wind-from', '0');
  await pg.fill('#liuyu-wind-speed', '5');
  await pg.fill('#liuyu-wind-hours', '12');
  await pg.dispatchEvent('#liuyu-wind-hours', 'change');
  const xy = [112.122, 32.009];
  await pg.evaluate(([lon, lat]) => window.liuyuMap.jumpTo({ center: [lon, lat - 0.8], zoom: 7 }), xy);
  await settle(pg);
  await clickLonLat(pg, ...xy);
  await pg.waitForFunction(() => document.querySelector('#liuyu-wind-result table.wind-units'), null, { timeout: 30000 });
  await settle(pg);
  const clicked = await pg.evaluate(() => window.liuyuState.downwind.source.origin);
  const north = await api(pg, `/v1/air/downwind?lon=${clicked.lon}&lat=${clicked.lat}&wind_from=0&speed=5&hours=12&spread=20`);
  const s1 = await shown(pg);
  same(s1, north, 'north wind');
  const at = (d, name) => (d.downwind.prefectures.find((p) => p.name.startsWith(name)) || {}).arrival_hours;
  check(at(north, '荆门') < at(north, '荆州') && at(north, '十堰') === undefined, `north wind: 荆门 (${at(north, '荆门')} h) before 荆州 (${at(north, '荆州')} h), never 十堰`);
  check(s1.arrow === 'rotate(180)' && /北风/.test(s1.text) && /kinematic/.test(s1.text), `arrow points south (${s1.arrow}), 北风 named, the scope statement shown`);
  await pg.screenshot({ path: join(outDir, 'air-map-1400x900.png') });

  step('3. the dial: east wind');
  const dial = await pg.locator('.liuyu-wind svg.dial').boundingBox();
  await pg.mouse.click(dial.x + dial.width * 0.92, dial.y + dial.height / 2);
  await pg.waitForFunction(() => window.liuyuState.downwind && window.liuyuState.downwind.wind.steps[0].wind_from === 90, null, { timeout: 30000 });
  await settle(pg);
  const east = await api(pg, `/v1/air/downwind?lon=${clicked.lon}&lat=${clicked.lat}&wind_from=90&speed=5&hours=12&spread=20`);
  const s2 = await shown(pg);
  same(s2, east, 'east wind');
  check(/十堰/.test(s2.rows.map((r) => r[0]).join()) && !/荆门/.test(s2.rows.map((r) => r[0]).join()) && s2.arrow === 'rotate(270)',
    `east wind from the dial: 十堰 listed, 荆门 not, arrow ${s2.arrow}`);

  step('4. a footprint in 鄂州, west wind');
  await pg.fill('#liuyu-wind-from', '270');
  await pg.dispatchEvent('#liuyu-wind-from', 'change');
  await pg.evaluate(() => window.liuyuMap.jumpTo({ center: [114.86, 30.33], zoom: 10 }));
  await settle(pg);
  await pg.fill('#liuyu-matter', 'air');
  await pg.click('#liuyu-tools button[data-mode="polygon"]');
  const ring = [[114.84, 30.31], [114.88, 30.31], [114.88, 30.35], [114.84, 30.35]];
  for (const c of [...ring, ring[0]]) { await clickLonLat(pg, c[0], c[1]); await pg.waitForTimeout(200); }
  await pg.waitForFunction(() => window.liuyuState.downwind && window.liuyuState.downwind.source.kind === 'footprint', null, { timeout: 30000 });
  await waitPanel(pg);
  await settle(pg);
  const drawn = await pg.evaluate(() => window.liuyu.currentAsk().geometry);
  const west = await api(pg, '/v1/air/downwind', { footprint: drawn, wind: { wind_from: 270, speed: 5, hours: 12, spread: 20 } });
  const s3 = await shown(pg);
  same(s3, west, 'footprint, west wind');
  const metro = s3.notify.filter((n) => n.mech === 'metro_joint_prevention').map((n) => n.adcode);
  check(metro.includes('421100') && metro.includes('420200'), `鄂州 footprint, west wind: 黄冈 and 黄石 through metro_joint_prevention (${metro.join(' ')})`);
  // The problem panel (matter air) sent the same wind to /v1/issues/analyze: its answer names the downwind parties.
  await pg.waitForFunction(() => document.querySelector('#liuyu-ask-result .downwind') || document.querySelector('#liuyu-ask-result .error'), null, { timeout: 30000 });
  const askLine = await pg.evaluate(() => (document.querySelector('#liuyu-ask-result .downwind') || {}).innerText || '');
  check(/黄冈市/.test(askLine) && /黄石市/.test(askLine) && /metro_joint_prevention/.test(askLine), `analysis panel (matter air + wind): "${askLine}"`);

  step('5. a new click: new source, same wind');
  await clickLonLat(pg, 114.70, 30.45);
  await pg.waitForFunction(() => window.liuyuState.downwind && window.liuyuState.downwind.source.kind === 'point', null, { timeout: 30000 });
  await settle(pg);
  const s4 = await shown(pg);
  const p4 = await pg.evaluate(() => window.liuyuState.downwind.source.origin);
  const again = await api(pg, `/v1/air/downwind?lon=${p4.lon}&lat=${p4.lat}&wind_from=270&speed=5&hours=12&spread=20`);
  same(s4, again, 'new click');
  check(errs.length === 0, `no page or console errors ${JSON.stringify(errs).slice(0, 300)}`);
  await pg.close();
} finally {
  await browser.close();
}
step(`wind control checks: ${failures === 0 ? 'all passed' : `${failures} failed`}`);
process.exit(failures === 0 ? 0 : 1);
