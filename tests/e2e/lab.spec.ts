/**
 * The lab page, in Chromium against a real server of its own (the publisher's rate limit is per
 * address and per server, so the races do not share it with other tests): four receivers count
 * deliveries, recover from an abrupt drop with nothing lost, and a naive WebSocket loses what
 * was published while it was down.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { labStrings } from '../../src/lab/strings.ts';
import { TECHNIQUES, type Technique } from '../../src/lab/stats.ts';
import { startPrivateServer } from './helpers.ts';

const PAGES = [
  { lang: 'en', url: '/lab/' },
  { lang: 'zh-CN', url: '/zh-cn/lab/' },
] as const;

/** A number cell of the live table, read from its data-value. */
async function cell(page: Page, technique: Technique, column: string): Promise<number> {
  const value = await page.locator(`tr[data-technique="${technique}"] td[data-col="${column}"]`).getAttribute('data-value');
  return Number(value ?? 0);
}

async function deliveredByAll(page: Page): Promise<number> {
  return Math.min(...(await Promise.all(TECHNIQUES.map((technique) => cell(page, technique, 'delivered')))));
}

/** Starts a race at 5 messages a second, with the naive receivers if asked. */
async function startRace(page: Page, s: ReturnType<typeof labStrings>, naive = false): Promise<void> {
  await page.getByRole('slider', { name: s['setup.rate'] }).fill('5');
  if (naive) await page.getByLabel(s['setup.naive']).check();
  await page.getByRole('button', { name: s['start'] }).click();
}

/** Sets the server to refuse reconnects with 204, then drops every connection abruptly. */
async function refuseWith204ThenDrop(page: Page, s: ReturnType<typeof labStrings>): Promise<void> {
  await page.getByLabel(s['faults.refuse']).selectOption('204');
  await expect(page.locator('[data-fault-status]')).toContainText('refuseReconnects 204');
  await page.getByRole('button', { name: s['faults.drop.abrupt'] }).click();
  await expect(page.locator('[data-fault-status]')).toContainText(s['faults.drop.abrupt']);
}

let server: Awaited<ReturnType<typeof startPrivateServer>>;
test.beforeEach(async () => {
  server = await startPrivateServer();
});
test.afterEach(async () => {
  await server.close();
});

for (const { lang, url } of PAGES) {
  const s = labStrings(lang);

  test(`a reader races the four techniques, drops them all, and sees every correct receiver recover with nothing lost (${lang})`, async ({ page }) => {
    await page.goto(`${server.url}${url}`);
    const lab = page.locator('[data-rl-lab]');
    await startRace(page, s);
    await expect(lab).toHaveAttribute('data-state', 'running');
    await expect.poll(() => deliveredByAll(page), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    // The tap counts requests and bytes for every row.
    for (const technique of TECHNIQUES) {
      expect(await cell(page, technique, 'requests')).toBeGreaterThan(0);
      expect(await cell(page, technique, 'bytesDown')).toBeGreaterThan(0);
    }

    const before = await deliveredByAll(page);
    await page.getByRole('button', { name: s['faults.drop.abrupt'] }).click();
    await expect(page.locator('[data-fault-status]')).toContainText(s['faults.drop.abrupt']);
    // Every receiver is back and receiving: ten more messages each after the drop.
    await expect.poll(() => deliveredByAll(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(before + 10);

    await page.getByRole('button', { name: s['stop'], exact: true }).click();
    await expect(lab).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
    for (const technique of TECHNIQUES) {
      expect(await cell(page, technique, 'lost'), `${technique} lost`).toBe(0);
      expect(await cell(page, technique, 'duplicated'), `${technique} duplicated`).toBe(0);
    }
    await expect(page.locator('[data-prediction]')).not.toBeEmpty();

    // The table downloads as CSV, one line per technique, counted the same as on the page.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: s['export.csv'] }).click()]);
    const csv = await readFile((await download.path()) as string, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^technique,delivered,lost,duplicated,gaps,/);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([...TECHNIQUES]);
    expect(Number(lines[3]?.split(',')[1])).toBe(await cell(page, 'sse', 'delivered'));
  });

  test(`with the naive switch on, a WebSocket without resume loses what was published while it was down (${lang})`, async ({ page }) => {
    await page.goto(`${server.url}${url}`);
    const lab = page.locator('[data-rl-lab]');
    await startRace(page, s, true);
    await expect.poll(() => cell(page, 'ws', 'delivered'), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);

    // The naive socket comes back after a second, from "now": at 5 a second, about five are gone.
    const before = await cell(page, 'ws', 'delivered');
    await page.getByRole('button', { name: s['faults.drop.abrupt'] }).click();
    await expect.poll(() => cell(page, 'ws', 'delivered'), { timeout: 20_000 }).toBeGreaterThanOrEqual(before + 10);

    await page.getByRole('button', { name: s['stop'], exact: true }).click();
    await expect(lab).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
    expect(await cell(page, 'ws', 'lost')).toBeGreaterThan(0);
    // Long polling has no naive version: it stays whole.
    expect(await cell(page, 'long-poll', 'lost')).toBe(0);
  });
}

test('the lab ships its page script before interaction and loads the chart library only when a race starts', async ({ page }) => {
  const scripts = new Map<string, number>();
  const pending: Promise<void>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    pending.push(response.body().then((body) => void scripts.set(response.url(), gzipSync(body, { level: 9 }).byteLength)));
  });
  await page.goto(`${server.url}/lab/`, { waitUntil: 'networkidle' });
  await Promise.all(pending);
  const isChart = (url: string) => /\/latency-chart\.[\w-]+\.js$/.test(url);
  const before = [...scripts].filter(([url]) => !/ui-core|pagefind/.test(url));
  const beforeBytes = before.reduce((sum, [, bytes]) => sum + bytes, 0);
  test.info().annotations.push({ type: 'lab JS before interaction (gzip)', description: `${beforeBytes} B in ${before.length} files` });
  expect(before.some(([url]) => isChart(url))).toBe(false);
  expect(beforeBytes).toBeLessThanOrEqual(20 * 1024);

  await page.getByRole('button', { name: labStrings('en')['start'] }).click();
  await expect(page.locator('[data-chart] canvas')).toBeVisible();
  await expect.poll(() => [...scripts.keys()].filter(isChart).length).toBe(1);
  const chartBytes = [...scripts].find(([url]) => isChart(url))?.[1] ?? 0;
  test.info().annotations.push({ type: 'chart JS on Start (gzip)', description: `${chartBytes} B` });
  expect(chartBytes).toBeGreaterThan(0);
  await page.getByRole('button', { name: labStrings('en')['stop'], exact: true }).click();
});

test('refused with 204 after a drop, the naive EventSource stops for good while long polling carries on', async ({ page }) => {
  const s = labStrings('en');
  await page.goto(`${server.url}/lab/`);
  await startRace(page, s, true);
  await expect.poll(() => cell(page, 'sse', 'delivered'), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
  await refuseWith204ThenDrop(page, s);
  // The stream is gone for good: the tap shows no SSE connection held, while long polling goes on.
  await expect.poll(() => cell(page, 'sse', 'connections'), { timeout: 15_000 }).toBe(0);
  await expect(page.locator('tr[data-technique="sse"] th')).toContainText(s['state.stopped']);
  const sseAfterDrop = await cell(page, 'sse', 'delivered');
  const longPollAfterDrop = await cell(page, 'long-poll', 'delivered');
  await expect.poll(() => cell(page, 'long-poll', 'delivered'), { timeout: 30_000 }).toBeGreaterThanOrEqual(longPollAfterDrop + 15);
  expect(await cell(page, 'sse', 'delivered')).toBe(sseAfterDrop);

  await page.getByRole('button', { name: s['stop'], exact: true }).click();
  await expect(page.locator('[data-rl-lab]')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  expect(await cell(page, 'sse', 'lost')).toBeGreaterThan(0);
  expect(await cell(page, 'long-poll', 'lost')).toBe(0);
});

test('a reader runs a race from the keyboard alone', async ({ page }) => {
  const s = labStrings('zh-CN');
  await page.goto(`${server.url}/zh-cn/lab/`);
  const rate = page.getByRole('slider', { name: s['setup.rate'] });
  await rate.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('[data-rate-out]')).toHaveText('3');
  const start = page.getByRole('button', { name: s['start'] });
  await start.focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => deliveredByAll(page), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  // Tab reaches Stop next, and then the fault panel, enabled now that a race runs.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: s['stop'], exact: true })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: s['faults.drop.abrupt'] })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-rl-lab]')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
});

for (const [home, choosing, lab, name] of [
  ['/', '/lessons/choosing/', '/lab/', 'The lab'],
  ['/zh-cn/', '/zh-cn/lessons/choosing/', '/zh-cn/lab/', '实验室'],
] as const) {
  test(`the lab is linked from the sidebar, the home page and Which technique when (${lab})`, async ({ page }) => {
    await page.goto(`${server.url}${choosing}`);
    await expect(page.locator('#starlight__sidebar').getByRole('link', { name, exact: true })).toHaveAttribute('href', lab);
    expect(await page.locator('main').locator(`a[href="${lab}"]`).count()).toBeGreaterThan(0);
    // The home page is a splash page, without the sidebar: its hero and its text link the lab.
    await page.goto(`${server.url}${home}`);
    expect(await page.locator('main').locator(`a[href="${lab}"]`).count()).toBeGreaterThan(1);
    await page.locator('main').locator(`a[href="${lab}"]`).first().click();
    await expect(page).toHaveURL(`${server.url}${lab}`);
    await expect(page.locator('[data-rl-lab]')).toBeVisible();
  });
}

test('a race asks nothing of any origin but the server, and breaks no rule of the page\'s CSP', async ({ page }) => {
  const s = labStrings('en');
  const origins = new Set<string>();
  const violations: string[] = [];
  page.on('request', (request) => void origins.add(new URL(request.url()).origin.replace(/^ws/, 'http')));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${server.url}/lab/`);
  await startRace(page, s);
  await expect.poll(() => deliveredByAll(page), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.locator('[data-chart] canvas')).toBeVisible();
  await page.getByRole('button', { name: s['stop'], exact: true }).click();
  await expect(page.locator('[data-rl-lab]')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  expect([...origins]).toEqual([server.url]);
  expect(violations).toEqual([]);
});

test('at 50 messages a second the default server answers 429: the page warns before, then waits out Retry-After and counts no refused message as lost', async ({ page }) => {
  const s = labStrings('en');
  await page.goto(`${server.url}/lab/`);
  await page.getByRole('slider', { name: s['setup.rate'] }).fill('50');
  await expect(page.locator('[data-limit-warning]')).toContainText('PUBLISH_RATE_PER_S=60');
  await page.getByRole('button', { name: s['start'] }).click();
  await expect(page.locator('[data-publisher-note]')).toContainText('429', { timeout: 15_000 });
  await page.getByRole('button', { name: s['stop'], exact: true }).click();
  await expect(page.locator('[data-rl-lab]')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  for (const technique of ['long-poll', 'sse', 'ws'] as const) expect(await cell(page, technique, 'lost'), technique).toBe(0);
});

test('refused with 204 after a drop, the correct EventSource opens a new stream from its last id and loses nothing', async ({ page }) => {
  const s = labStrings('en');
  await page.goto(`${server.url}/lab/`);
  await startRace(page, s);
  await expect.poll(() => cell(page, 'sse', 'delivered'), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
  await refuseWith204ThenDrop(page, s);
  const sseAfterDrop = await cell(page, 'sse', 'delivered');
  // The browser's own reconnection was refused; the receiver opened another stream, and it delivers again.
  await expect.poll(() => cell(page, 'sse', 'requests'), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  await expect.poll(() => cell(page, 'sse', 'delivered'), { timeout: 30_000 }).toBeGreaterThanOrEqual(sseAfterDrop + 10);
  await page.getByRole('button', { name: s['stop'], exact: true }).click();
  await expect(page.locator('[data-rl-lab]')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  for (const technique of ['poll', 'long-poll', 'sse', 'ws'] as const) expect(await cell(page, technique, 'lost'), technique).toBe(0);
});
