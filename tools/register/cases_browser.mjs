// Headless-browser check of the register's cases on the map page (run by
// .ci/checks/90-register.sh): Debian's Chromium driven by playwright-core
// from web/node_modules, against a running `liuyu serve --state DIR` that
// holds cases. An office signs in with its token; the list shows exactly the
// cases the API gives that token and the map highlights the counties they
// touch; a case opens with its event log; a status change from the panel is
// written (the API sees it); a change on a stale ETag (another office changed
// the case meanwhile) is refused and reloaded, the log intact; a bad token is
// refused; signing out clears the list and the token.
// Usage: node tools/register/cases_browser.mjs BASE_URL OFFICE_TOKEN OTHER_OFFICE_TOKEN OUT_DIR
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');
const [base, token, other, outDir] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
let failures = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures += 1; };
const api = async (path, tok, opts = {}) => {
  const r = await fetch(base + path, { ...opts, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json', ...(opts.headers || {}) } });
  return { status: r.status, etag: r.headers.get('etag'), json: await r.json().catch(() => null) };
};

const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'liuyu-cases-')), {
  executablePath: '/usr/bin/chromium',
  viewport: { width: 1400, height: 900 },
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader', '--use-angle=swiftshader'],
});
const page = browser.pages()[0] || await browser.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
try {
  // The newest case: on the 长江 between 鄂州 and 黄冈, so both offices are parties.
  const made = await api('/v1/cases', token, { method: 'POST', body: JSON.stringify({ title: '浏览器测试 browser test', description: 'd', matter: 'water', places: ['420700', '421100'] }) });
  check(made.status === 201, `a case for the check (${made.status})`);
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.liuyu && window.liuyu.state.ready, null, { timeout: 60000 });
  check(await page.locator('#liuyu-cases form.signin').count() === 1, 'the register section offers a sign-in form');

  // A wrong token is refused and not kept.
  await page.fill('#liuyu-cases input[name=token]', `liuyu_${'0'.repeat(64)}`);
  await page.click('#liuyu-cases form.signin button');
  await page.waitForSelector('#liuyu-cases .who .error', { timeout: 20000 });
  check(await page.evaluate(() => sessionStorage.getItem('liuyu.register.token')) === null, 'a refused token is not kept');

  // Sign in: the list is exactly what the API gives this token.
  await page.fill('#liuyu-cases input[name=token]', token);
  await page.click('#liuyu-cases form.signin button');
  await page.waitForSelector('#liuyu-cases .case', { timeout: 20000 });
  const listed = await page.$$eval('#liuyu-cases .case', (els) => els.map((e) => e.dataset.id));
  const fromApi = await api('/v1/cases?limit=200', token);
  const ids = fromApi.json.cases.map((c) => c.id);
  check(JSON.stringify(listed) === JSON.stringify(ids) && ids.length > 0, `the list shows the token's ${ids.length} cases, newest first`);
  const want = [...new Set(fromApi.json.cases.flatMap((c) => c.counties.map((x) => x.adcode)))].sort();
  const filter = await page.evaluate(() => window.liuyuMap.getFilter('cases-counties'));
  check(JSON.stringify([...filter[2][1]].sort()) === JSON.stringify(want), `the map highlights the ${want.length} counties the cases touch`);

  // Open a case; change its status from the panel.
  const id = ids[0];
  await page.click(`#liuyu-cases .case[data-id="${id}"]`);
  await page.waitForSelector('#liuyu-cases .detail ol.events li', { timeout: 20000 });
  const before = (await api(`/v1/cases/${id}/events`, token)).json.events.length;
  check(await page.locator('#liuyu-cases .detail ol.events li').count() === before, `the case opens with its ${before} events`);
  await page.selectOption('#liuyu-cases form.change select', 'coordinating');
  await page.fill('#liuyu-cases form.change input[name=note]', '由浏览器更新 updated from the map');
  await page.click('#liuyu-cases form.change button');
  await page.waitForFunction((n) => document.querySelectorAll('#liuyu-cases .detail ol.events li').length === n + 1, before, { timeout: 20000 });
  const after = await api(`/v1/cases/${id}`, token);
  check(after.json.status === 'coordinating' && after.etag === `"v${before + 1}"`, 'the change is written: status coordinating, version +1');

  // Another office changes the case meanwhile: the page's change is refused (412), reloaded, the log intact.
  const moved = await api(`/v1/cases/${id}`, other, { method: 'PATCH', headers: { 'If-Match': after.etag }, body: JSON.stringify({ status: 'escalated', note: 'the other office' }) });
  check(moved.status === 200, `the other office changes the case (${moved.status})`);
  await page.selectOption('#liuyu-cases form.change select', 'resolved');
  await page.fill('#liuyu-cases form.change input[name=note]', 'stale');
  await page.click('#liuyu-cases form.change button');
  await page.waitForSelector('#liuyu-cases .detail .msg .error', { timeout: 20000 });
  const log = (await api(`/v1/cases/${id}/events`, token)).json.events;
  check(log.length === before + 2 && log[log.length - 1].to === 'escalated', 'the stale change was refused and the log is intact');
  check(await page.locator('#liuyu-cases .detail ol.events li').count() === before + 2, 'the panel reloaded the case');
  await page.screenshot({ path: join(outDir, 'register-cases-1400x900.png') });

  // Sign out.
  await page.click('#liuyu-cases .signout');
  check(await page.locator('#liuyu-cases .case').count() === 0, 'signing out clears the list');
  check(await page.evaluate(() => sessionStorage.getItem('liuyu.register.token')) === null, 'signing out forgets the token');
  check(errors.length === 0, `no page errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
} catch (e) {
  check(false, `browser check: ${e.message}`);
} finally {
  await browser.close();
}
if (failures) { console.log(`${failures} failure(s)`); process.exit(1); }
console.log('register cases on the map: OK');
