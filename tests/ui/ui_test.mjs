// ui_test.mjs - the web UI end to end in headless Chromium (run by run_ui.sh,
// which starts the service). Prints "confirmed F R" and "citizen ID" for the
// shell to check against the audit and the decisions table.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const require = createRequire(process.argv[2] + '/node_modules/');
const { chromium } = require('playwright-core');
const env = (k) => { const v = process.env[k]; if (!v) throw new Error(k + ' is not set'); return v; };
const base = env('VS_BASE'), shots = env('VS_SHOTS');
const communeA = env('VS_COMMUNE_A'), communeB = env('VS_COMMUNE_B'), facility = env('VS_FACILITY');
const t0 = Date.now();
let step = 'start';
const log = (s) => { step = s; console.error(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${s}`); };
function check(cond, what) { if (!cond) throw new Error('check failed: ' + what); }

// A raw GET (no URL normalisation, unlike fetch): status and headers.
function rawGet(path) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function csvRows(text) {
  const rows = []; let row = [], f = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) { if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c; }
    else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; }
    else if (c === '\n') { row.push(f); rows.push(row); row = []; f = ''; }
    else if (c !== '\r') f += c;
  }
  if (f || row.length) { row.push(f); rows.push(row); }
  return rows;
}

async function login(page, name, password) {
  await page.goto(base + '/');
  await page.waitForSelector('#login-name');
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  await page.press('#login-password', 'Enter');
}

async function logout(page) {
  await page.click('#logout');
  await page.waitForSelector('#login-name');
}

// GET from inside the page (the browser's cookie, the page's origin).
const apiStatus = (page, path) => page.evaluate(async (p) => (await fetch('/api/v1/' + p, { credentials: 'same-origin' })).status, path);

async function main() {
  // ---- the static files' headers, no traversal, no listing ----
  log('static files');
  const root = await rawGet('/');
  check(root.status === 200 && /text\/html/.test(root.headers['content-type']), 'GET / is the HTML page');
  const csp = root.headers['content-security-policy'] || '';
  check(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp) && /frame-ancestors 'none'/.test(csp), 'CSP: ' + csp);
  check(root.headers['x-content-type-options'] === 'nosniff', 'nosniff');
  check(root.headers.etag && /no-cache/.test(root.headers['cache-control']), 'ETag and no-cache');
  for (const p of ['/../etc/passwd', '/js/../../CMakeLists.txt', '/js/', '/js', '/%2e%2e/etc/passwd', '/index.html/', '/.git/config'])
    check((await rawGet(p)).status === 404, 'not served: ' + p);
  check((await rawGet('/js/app.js')).headers['content-type'].startsWith('text/javascript'), 'JS content type');

  // every reason code the page names exists in reasons.def
  const def = readFileSync(env('VS_REASONS_DEF'), 'utf8');
  const js = readFileSync(new URL('../../web/js/reasons.js', import.meta.url), 'utf8');
  for (const m of js.matchAll(/^"([A-Z0-9_]+)":/gm)) check(def.includes(`VS_REASON(${m[1]},`), 'reason code in reasons.def: ' + m[1]);

  const browser = await chromium.launch({ executablePath: env('VS_CHROMIUM'), args: ['--no-sandbox'] });
  const errors = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) errors.push(m.text()); });

    // ---- the login page, in Vietnamese ----
    log('login page');
    await page.goto(base + '/');
    await page.waitForSelector('#login-name');
    check(await page.getAttribute('html', 'lang') === 'vi', 'html lang vi');
    check((await page.textContent('h1')) === 'Đăng nhập', 'login title in Vietnamese');
    await page.screenshot({ path: shots + '/login.png' });
    await page.fill('#login-name', 'officer_a');
    await page.fill('#login-password', 'wrong-password');
    await page.press('#login-password', 'Enter');
    await page.waitForSelector('#login-error:not(:empty)');
    check((await page.textContent('#login-error')).includes('Sai tên đăng nhập'), 'wrong password message');

    // ---- the commune officer's queue ----
    log('officer A: queue in Vietnamese');
    await login(page, 'officer_a', 'officer-a-pass-1');
    await page.waitForSelector('#rv-queue li');
    check((await page.textContent('main h1')) === 'Hàng chờ rà soát', 'queue title in Vietnamese');
    await page.waitForSelector('#rv-compare');
    check(/Trường/.test(await page.textContent('#rv-compare thead')), 'comparison headers in Vietnamese');
    check(/\d{2}\/\d{2}\/\d{4}/.test(await page.textContent('#rv-detail')), 'dates as dd/mm/yyyy');
    await page.screenshot({ path: shots + '/review-vi.png', fullPage: true });
    const keysA = await page.$$eval('#rv-queue [data-key]', (els) => els.map((e) => e.dataset.key));
    check(keysA.length > 0, 'the queue has items');

    log('officer A: English');
    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('main h1').textContent === 'Review queue');
    check(await page.getAttribute('html', 'lang') === 'en', 'html lang en');
    check((await page.textContent('#logout')) === 'Log out', 'logout in English');
    await page.screenshot({ path: shots + '/review-en.png', fullPage: true });

    // move with j to the first item waiting for a link decision, confirm with c
    log('officer A: confirm with the keyboard');
    const reasons = await page.$$eval('#rv-queue .item', (els) => els.map((e) => e.textContent));
    const idx = reasons.findIndex((r) => r.includes('LINK_LOW_SCORE'));
    check(idx >= 0, 'an item with LINK_LOW_SCORE on the first page');
    const key = keysA[idx];
    await page.locator('main h1').click();
    for (let i = 0; i < idx; i++) await page.keyboard.press('j');
    await page.waitForFunction((k) => document.querySelector('#rv-title')?.textContent.includes(k), key);
    await page.waitForSelector('#rv-compare');
    const citizen = (await page.textContent('#rv-citizen')).trim();
    check(/^\d{12}$/.test(citizen), 'the candidate citizen id');
    await page.screenshot({ path: shots + '/review-item.png', fullPage: true });
    const tDecide = Date.now();
    await page.keyboard.press('c');
    await page.waitForFunction((k) => document.querySelector('#toast').textContent.includes('Confirmed: ' + k), key);
    await page.waitForFunction((k) => !document.querySelector(`#rv-queue [data-key="${k}"]`), key);
    await page.waitForFunction((k) => { const t = document.querySelector('#rv-title'); return t && !t.textContent.includes(k); }, key);
    await page.waitForSelector('#rv-compare, #rv-detail .error, #rv-detail .muted');
    log(`officer A: next item shown ${Date.now() - tDecide} ms after the key`);
    await page.screenshot({ path: shots + '/review-after.png', fullPage: true });
    const list = await page.evaluate(async (c) => (await (await fetch(`/api/v1/worklist?commune=${c}&limit=500`)).json()).items.map((i) => i.facility_code + '/' + i.record_id), communeA);
    check(!list.includes(key), 'the confirmed item left the worklist');
    console.log('confirmed ' + key.replace('/', ' '));
    console.log('citizen ' + citizen);

    // citizen lookup of the confirmed person
    log('officer A: citizen lookup');
    await page.click('nav button:nth-child(2)');
    await page.fill('#lk-id', citizen);
    await page.press('#lk-id', 'Enter');
    await page.waitForSelector('#lk-result');
    await page.screenshot({ path: shots + '/lookup.png', fullPage: true });

    // the same person by name (capitals, no diacritics) and date of birth as dd/mm/yyyy
    log('officer A: search by name and date of birth');
    const reg = csvRows(readFileSync(env('VS_REGISTRY'), 'utf8'));
    const rh = reg[0], me = reg.find((r, j) => j > 0 && r[rh.indexOf('citizen_id')] === citizen);
    check(!!me, 'the confirmed citizen is in the registry file');
    const plain = me[rh.indexOf('full_name')].normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd').replace(/Đ/g, 'D').toUpperCase();
    const bp = me[rh.indexOf('dob')].split('-');
    await page.fill('#lk-name', plain);
    await page.fill('#lk-dob', bp.length === 3 ? `${bp[2]}/${bp[1]}/${bp[0]}` : bp[0]);
    await page.click('#lk-search button[type=submit]');
    await page.waitForSelector('#lk-hits');
    const found = await page.$$eval('#lk-hits tbody td.mono', (tds) => tds.map((td) => td.textContent));
    check(found[0] === citizen, `the search finds the person first (${plain}, ${found.join(' ')})`);
    await page.screenshot({ path: shots + '/lookup-search.png', fullPage: true });
    await page.click('#lk-hits tbody tr:first-child .lk-show');
    await page.waitForSelector('#lk-result');

    log('officer A: logout');
    await logout(page);
    check((await page.textContent('h1')) === 'Log in', 'login page after logout (English kept)');
    check(await apiStatus(page, `worklist?commune=${communeA}`) === 401, 'the session is gone after logout');
    await page.click('#lang'); // back to Vietnamese for the clerk
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Đăng nhập');

    // ---- the facility clerk submits one record ----
    log('clerk: submit one record');
    const rows = csvRows(readFileSync(env('VS_REGISTRY'), 'utf8'));
    const hdr = rows[0], person = Object.fromEntries(hdr.map((k, i) => [k, rows.find((r, j) => j > 0 && r[hdr.indexOf('phone')] && r[hdr.indexOf('status')] === 'alive')[i]]));
    const [y, m, d] = person.dob.split('-');
    await login(page, 'clerk1', 'clerk-pass-1');
    await page.waitForSelector('#sub-record_id');
    check((await page.inputValue('#sub-facility')) === facility, 'the facility is the clerk\'s');
    await page.fill('#sub-record_id', 'UI-1');
    await page.fill('#sub-full_name', person.full_name);
    await page.fill('#sub-dob', `${d}/${m}/${y}`);
    await page.selectOption('#sub-sex', person.sex);
    await page.fill('#sub-id_number', person.citizen_id);
    await page.fill('#sub-phone', person.phone);
    await page.fill('#sub-address', person.address);
    await page.fill('#sub-vaccine', 'Pfizer');
    await page.fill('#sub-lot', 'FK1234');
    await page.fill('#sub-dose', '1');
    await page.fill('#sub-shot_date', '15/08/2021');
    await page.click('form button[type=submit]');
    await page.waitForSelector('#outcome');
    const outcome = await page.textContent('#outcome');
    check(/tự động liên kết|đã xác nhận|chờ xã xác nhận|chưa liên kết/.test(outcome), 'the outcome in Vietnamese: ' + outcome);
    check((await page.textContent('#outcome-status')).length > 0, 'a status');
    await page.screenshot({ path: shots + '/submit.png', fullPage: true });
    log('clerk: worklist');
    await page.click('nav button:nth-child(2)');
    await page.waitForSelector('#fw-list li, main .empty');
    await page.screenshot({ path: shots + '/facility.png' });
    // the only citizen ids on a clerk's page are ones its facility typed
    const shotRows = csvRows(readFileSync(env('VS_SHOTS_CSV'), 'utf8'));
    const sh = shotRows[0], typed = new Set([person.citizen_id]);
    for (const r of shotRows.slice(1))
      if (r[sh.indexOf('facility_code')] === facility) typed.add(r[sh.indexOf('id_number')].replace(/\D/g, '').padStart(12, '0'));
    const seen = (await page.textContent('main')).match(/\b\d{12}\b/g) || [];
    const foreign = seen.filter((id) => !typed.has(id));
    check(foreign.length === 0, 'the clerk sees no citizen id its facility did not type: ' + foreign.join(' '));
    // withdraw one record, correct another (the list reloads after each)
    log('clerk: withdraw and correct');
    const cards = await page.$$eval('#fw-list > li', (els) => els.map((e) => [e.dataset.key, e.querySelector('.badge').textContent]));
    const wkey = cards.find((c) => c[1] === 'Chưa liên kết')[0];
    const ckey = cards.find((c) => c[1] === 'Cần sửa' && c[0] !== wkey)[0];
    const card = (k) => page.locator(`#fw-list > li[data-key="${k}"]`);
    await card(wkey).getByRole('button', { name: 'Rút bản ghi' }).click();
    await card(wkey).getByRole('button', { name: 'Chắc chắn rút bản ghi này' }).click();
    await page.waitForFunction((k) => document.querySelector('#toast').textContent.startsWith('Đã rút bản ghi: ' + k), wkey);
    await card(ckey).getByRole('button', { name: 'Sửa bản ghi' }).click();
    await card(ckey).getByLabel('Số lô').fill('FIX-1');
    await card(ckey).getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.waitForFunction((k) => document.querySelector('#toast').textContent.startsWith('Đã sửa và gửi lại: ' + k), ckey);
    await logout(page);

    // ---- an officer of another commune sees none of it ----
    log('officer B: other commune');
    await login(page, 'officer_b', 'officer-b-pass-1');
    await page.waitForSelector('#rv-queue li, main .empty');
    const keysB = await page.$$eval('#rv-queue [data-key]', (els) => els.map((e) => e.dataset.key));
    check(!keysB.some((k) => keysA.includes(k)), 'officer B sees none of commune A\'s items');
    check(await apiStatus(page, `worklist?commune=${communeA}`) === 403, 'commune A\'s list is refused to officer B');
    check(await apiStatus(page, `explain/${keysA[0]}`) === 404, 'commune A\'s record does not exist for officer B');
    check(await apiStatus(page, `citizens/${citizen}`) === 404, 'commune A\'s citizen does not exist for officer B');
    await page.screenshot({ path: shots + '/review-other-commune.png', fullPage: true });
    await logout(page);
    check(errors.length === 0, 'no script errors in the page: ' + errors.join(' | '));
  } finally {
    await browser.close();
  }
  log('done');
}

main().catch((e) => { console.error(`ui_test: FAIL at "${step}": ${e.message}`); process.exit(1); });
