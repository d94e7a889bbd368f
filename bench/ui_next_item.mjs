// ui_next_item.mjs - how soon the next review item shows after a commune
// officer decides one with a key, in headless Chromium (run by
// ui_next_item.sh, which starts the service on 127.0.0.1). For each of N
// items: the key (c on an item with a candidate, n without one), then the
// time until the next item's comparison (or its message) is drawn. Prints
// each time, the median, the 90th percentile and the largest.
import { createRequire } from 'node:module';

const require = createRequire(process.argv[2] + '/node_modules/');
const { chromium } = require('playwright-core');
const [base, user, password, count] = [process.env.VS_BASE, process.env.VS_USER, process.env.VS_PASSWORD,
  +(process.env.VS_ITEMS || 20)];

const browser = await chromium.launch({ executablePath: process.env.VS_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await (await browser.newContext({ locale: 'vi-VN' })).newPage();
  await page.goto(base + '/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', password);
  await page.press('#login-password', 'Enter');
  await page.waitForSelector('#rv-queue li', { timeout: 60000 });
  await page.waitForSelector('#rv-compare, #rv-detail .error, #rv-detail .muted', { timeout: 60000 });
  await page.locator('main h1').click();
  const times = [];
  let skipped = 0;
  while (times.length < count && skipped < count) {
    const title = (await page.textContent('#rv-title')) || '';
    const hasCandidate = (await page.$('#rv-citizen')) !== null;
    const t0 = performance.now();
    await page.keyboard.press(hasCandidate ? 'c' : 'n');
    // the next item drawn, or an error toast (a decision that does not apply: move on)
    const what = await page.waitForFunction((old) => {
      const toast = document.querySelector('#toast');
      if (toast && toast.classList.contains('error') && toast.textContent) return 'error';
      const t = document.querySelector('#rv-title');
      if (t && t.textContent !== old && document.querySelector('#rv-compare, #rv-detail .error, #rv-detail .muted')) return 'next';
      if (!t && document.querySelector('.empty')) return 'empty';
      return false;
    }, title, { timeout: 60000 }).then((h) => h.jsonValue());
    const ms = performance.now() - t0;
    if (what === 'next') times.push(ms);
    else if (what === 'error') { skipped++; await page.evaluate(() => { document.querySelector('#toast').className = 'toast'; document.querySelector('#toast').textContent = ''; }); await page.keyboard.press('j'); }
    else break;
    console.log(`${what} ${ms.toFixed(0)} ms ${hasCandidate ? 'confirm' : 'not registered'}`);
  }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  if (!times.length) throw new Error('no item decided');
  console.log(`next item after the key: ${times.length} items, median ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms (${skipped} skipped)`);
} finally {
  await browser.close();
}
