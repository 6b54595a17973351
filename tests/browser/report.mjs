// Drives Debian's chromium (headless, through playwright-core) over an
// authsweep HTML report and prints what it saw as one JSON object on
// stdout. tests/browser.rs runs it and makes the assertions.
//
//   node report.mjs REPORT.html SCREENSHOT.png [ACCOUNT_TO_SEARCH]
//
// It opens the report from its file:// URL with a fresh profile, records
// every request other than the report itself, every console message of
// level warning or error, page errors and dialogs, then sorts and filters
// the tables, searches an account, measures paint and load times, and
// saves a screenshot. Chromium is $AUTHSWEEP_CHROMIUM (default
// /usr/bin/chromium); playwright never downloads a browser of its own.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, shot, search] = process.argv.slice(2);
if (!file || !shot) {
  console.error('usage: node report.mjs REPORT.html SCREENSHOT.png [ACCOUNT]');
  process.exit(2);
}
const exe = process.env.AUTHSWEEP_CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(exe)) {
  console.error(`chromium not found at ${exe}: run scripts/test (scripts/setup/chromium.sh installs it)`);
  process.exit(3);
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'authsweep-chromium-'));
const url = pathToFileURL(path.resolve(file)).href;
const out = { url, requests: [], console: [], pageErrors: [], dialogs: [], steps: {} };
let last = Date.now();
// Milliseconds since the previous step, under `name`.
const step = (name) => { const now = Date.now(); out.steps[name] = now - last; last = now; };

// Without these flags chromium's own background connections (updates,
// sync, QUIC probes) are refused by a closed network and show as noise.
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: exe,
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  ctx.on('request', (r) => { if (r.url() !== url) out.requests.push(r.url()); });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') out.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => out.pageErrors.push(String(e)));
  page.on('dialog', (d) => { out.dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });

  await page.goto(url, { waitUntil: 'load', timeout: 120000 });
  await page.waitForFunction(() => performance.getEntriesByType('paint').some((p) => p.name === 'first-contentful-paint'));
  step('open');
  out.timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = {};
    for (const p of performance.getEntriesByType('paint')) paint[p.name] = Math.round(p.startTime);
    return {
      firstPaint: paint['first-paint'] ?? null,
      firstContentfulPaint: paint['first-contentful-paint'] ?? null,
      domContentLoaded: Math.round(nav.domContentLoadedEventEnd),
      load: Math.round(nav.loadEventEnd),
    };
  });

  // What is on the page.
  out.page = await page.evaluate(() => {
    const texts = (sel) => Array.from(document.querySelectorAll(sel), (e) => e.textContent.trim());
    const svgs = (sel) => Array.from(document.querySelectorAll(sel), (s) => ({
      title: s.querySelector('title')?.textContent ?? '',
      elements: s.querySelectorAll('*').length,
      width: Math.round(s.getBoundingClientRect().width),
      height: Math.round(s.getBoundingClientRect().height),
    }));
    return {
      title: document.title,
      period: document.querySelector('.period')?.textContent ?? '',
      atRisk: texts('#t-risk tbody tr td:first-child'),
      cards: texts('#at-risk article.card h3 a'),
      cardCharts: document.querySelectorAll('#at-risk article.card svg.chart').length,
      charts: svgs('#charts svg.chart'),
      accounts: texts('#t-acc > details > summary > span:first-child'),
      idle: texts('#idle tbody tr td:first-child'),
      idleUnits: texts('#idle h3'),
      addresses: texts('#t-ip tbody tr td:first-child'),
      scripts: document.scripts.length,
      images: document.images.length,
      iframes: document.querySelectorAll('iframe, object, embed').length,
      pwned: typeof window.pwned !== 'undefined',
      sortButtons: document.querySelectorAll('th button').length,
      filters: document.querySelectorAll('.filter input[type=search]').length,
    };
  });
  step('inspect');
  await page.screenshot({ path: shot, fullPage: false });
  step('screenshot');

  // Sort the table of all accounts by failures (most first), then again
  // (fewest first).
  // (The list of all accounts: a header line, then one <details> per
  // account whose summary holds the cells.)
  const col = (n) => page.evaluate((n) => Array.from(
    document.querySelectorAll('#t-acc > details:not([hidden]) > summary'), (s) => s.children[n].textContent.trim()), n);
  const heads = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#t-acc > .hd > *'), (h) => h.textContent.trim()));
  const failuresCol = heads.indexOf('Failures');
  const head = (n) => `#t-acc > .hd > :nth-child(${n + 1})`;
  await page.click(`${head(failuresCol)} button`);
  step('sortClick');
  const desc = await col(failuresCol);
  const firstAfterSort = (await col(0))[0];
  await page.click(`${head(failuresCol)} button`);
  const asc = await col(failuresCol);
  out.sort = {
    column: failuresCol,
    desc: desc.map(Number),
    asc: asc.map(Number),
    firstAfterSort,
    ariaSort: await page.getAttribute(head(failuresCol), 'aria-sort'),
  };

  // Filter the accounts by status with the column's choice, then the
  // at-risk table by text.
  const statusCol = heads.indexOf('Status');
  const bar = page.locator('#accounts .filter');
  const status = bar.locator('select[aria-label="Status"]');
  out.filter = {};
  if (await status.count()) {
    // (A report where all accounts have one status has no such choice.)
    await status.selectOption('inactive');
    out.filter.statusShown = await col(statusCol);
    out.filter.count = await bar.locator('.count').textContent();
    await status.selectOption('');
    out.filter.allShown = (await col(statusCol)).length;
  }
  const riskBar = page.locator('#at-risk .filter');
  if (await riskBar.count()) {
    await riskBar.locator('input[type=search]').fill('brute');
    await page.waitForTimeout(50);
    out.filter.riskText = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#t-risk tbody tr:not([hidden]) td:first-child'), (e) => e.textContent.trim()));
    await riskBar.locator('input[type=search]').fill('');
  }

  step('filters');
  // Find an account by search; Enter opens its details.
  if (search) {
    await page.fill('#search', search);
    await page.press('#search', 'Enter');
    await page.waitForTimeout(50);
    out.search = await page.evaluate(() => {
      const d = document.querySelector('#t-acc > details.hit-row');
      const r = d?.getBoundingClientRect();
      return {
        result: document.getElementById('search-result')?.textContent ?? '',
        shown: Array.from(document.querySelectorAll('#t-acc > details:not([hidden]) > summary > :first-child'), (e) => e.textContent),
        opened: d && d.open ? d.querySelector('summary > :first-child').textContent : null,
        detail: d ? d.querySelector('dl')?.innerText ?? '' : '',
        inView: !!r && r.top >= 0 && r.top < window.innerHeight,
      };
    });
    step('search');
    await page.screenshot({ path: shot.replace(/\.png$/, '-search.png'), fullPage: false });
  }

  // Printing shows every details element open.
  await page.emulateMedia({ media: 'print' });
  out.print = await page.evaluate(() => {
    window.dispatchEvent(new Event('beforeprint'));
    const closed = document.querySelectorAll('details:not([open])').length;
    const hiddenControls = getComputedStyle(document.querySelector('nav')).display === 'none';
    window.dispatchEvent(new Event('afterprint'));
    return { closedDetails: closed, navHidden: hiddenControls };
  });
  await page.emulateMedia({ media: 'screen' });
  step('print');
  // Let late requests or errors (if any) show before closing.
  await page.waitForTimeout(200);
} finally {
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
