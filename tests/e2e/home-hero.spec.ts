/**
 * The home page's live hero, in Chromium against a real server: four rows receive the clock each
 * their own way, in both languages, from this origin only; nothing animates under reduced motion;
 * scrolling it away or pausing it closes its connections; without the API it shows a still
 * picture and how to start the server.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { heroStrings } from '../../src/hero/strings.ts';
import { openConnections, startPrivateServer } from './helpers.ts';

const PAGES = [
  { lang: 'en', url: '/', lab: '/lab/' },
  { lang: 'zh-CN', url: '/zh-cn/', lab: '/zh-cn/lab/' },
] as const;
const TECHNIQUES = ['poll', 'longPoll', 'sse', 'ws'] as const;
/** axe, evaluated in the page (as in axe.spec.ts): the page's CSP allows inline scripts only by hash. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe's serious and critical violations inside the hero, as `rule: target` lines. */
async function heroViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] };
    const axe = (window as unknown as { axe: { run(context: string, options: object): Promise<Result> } }).axe;
    const result = await axe.run('[data-rl-hero]', { resultTypes: ['violations'] });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
  });
}

function hero(page: Page) {
  return page.locator('[data-rl-hero]');
}

/** The id of the last tick a row received, or null before the first. */
function lastId(page: Page, technique: string): Promise<string | null> {
  return hero(page).locator(`[data-technique="${technique}"]`).getAttribute('data-last-id');
}

async function everyRowHasTicked(page: Page): Promise<void> {
  for (const technique of TECHNIQUES) {
    await expect.poll(() => lastId(page, technique), { timeout: 10_000, message: `${technique} received a tick` }).not.toBeNull();
    await expect(hero(page).locator(`[data-technique="${technique}"] [data-tick]`)).toHaveText(/^\d{1,2}:\d{2}:\d{2}$/);
  }
}

for (const { lang, url, lab } of PAGES) {
  const s = heroStrings(lang);

  test(`a reader sees all four techniques receive the clock live, from this server only (${lang})`, async ({ page, baseURL }) => {
    const foreign: string[] = [];
    const own = new URL(baseURL as string).origin;
    page.on('request', (request) => {
      if (!request.url().startsWith('data:') && new URL(request.url()).origin !== own) foreign.push(request.url());
    });
    page.on('websocket', (socket) => {
      if (new URL(socket.url()).origin.replace(/^ws/, 'http') !== own) foreign.push(socket.url());
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) foreign.push(message.text());
    });
    await page.goto(url);
    await expect(page.getByRole('region', { name: s.label })).toBeVisible();
    await everyRowHasTicked(page);
    await expect(hero(page)).toHaveAttribute('data-state', 'live');
    // Each row counts what it spends: polls pile up requests, SSE and WebSocket keep one connection.
    await expect.poll(async () => Number(await hero(page).locator('[data-technique="poll"]').getAttribute('data-spent')), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await expect(hero(page).locator('[data-technique="sse"] [data-spent]')).toHaveText(s['tile.connections.one']);
    await expect(hero(page).locator('[data-technique="ws"] [data-spent]')).toHaveText(s['tile.connections.one']);
    await expect(hero(page).getByRole('link', { name: s.lab })).toHaveAttribute('href', lab);
    expect(foreign).toEqual([]);
  });

  test(`without the API, the hero shows a still picture and how to start the server (${lang})`, async ({ page }) => {
    await page.route('**/api/**', (route) => route.abort());
    await page.goto(url);
    await expect(hero(page)).toHaveAttribute('data-state', 'offline');
    await expect(page.getByRole('img', { name: s['offline.picture'] })).toBeVisible();
    await expect(hero(page).locator('[data-offline-hint]')).toBeVisible();
    await expect(hero(page).locator('[data-offline-hint]')).toContainText('npm start');
    await expect(hero(page).locator('.rl-hero-tiles')).toBeHidden();
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`in the ${theme} theme, the hero has no serious axe violation, live or with the server gone`, async ({ page }) => {
    await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
    for (const { url } of PAGES) {
      await page.unrouteAll();
      await page.goto(url);
      await everyRowHasTicked(page);
      expect(await heroViolations(page), `${url} live`).toEqual([]);
      await page.route('**/api/**', (route) => route.abort());
      await page.reload();
      await expect(hero(page)).toHaveAttribute('data-state', 'offline');
      expect(await heroViolations(page), `${url} offline`).toEqual([]);
    }
  });
}

test('with reduced motion, nothing in the hero animates while the ticks arrive', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/');
  await everyRowHasTicked(page);
  const first = await lastId(page, 'sse');
  await expect.poll(() => lastId(page, 'sse'), { timeout: 5_000 }).not.toBe(first);
  expect(await page.evaluate(() => document.getAnimations().length)).toBe(0);
  expect(await hero(page).locator('.rl-hero-dot').evaluateAll((dots) => dots.map((dot) => getComputedStyle(dot).animationName))).toEqual(['none', 'none', 'none', 'none']);

  // Without the preference, the arrival sign is a slow dimming of the dot.
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await expect.poll(() => hero(page).locator('[data-technique="sse"] .rl-hero-dot').evaluate((dot) => getComputedStyle(dot).animationName), { timeout: 5_000 }).not.toBe('none');
});

test.describe('on a server of its own', () => {
  let server: Awaited<ReturnType<typeof startPrivateServer>>;
  let stopped = false;
  test.beforeEach(async () => {
    server = await startPrivateServer();
    stopped = false;
  });
  test.afterEach(async () => {
    if (!stopped) await server.close();
  });

  test('when the server stops, the live hero turns into the still picture and the way to start it', async ({ page }) => {
    await page.goto(`${server.url}/`);
    await everyRowHasTicked(page);
    await expect(hero(page)).toHaveAttribute('data-state', 'live');
    stopped = true;
    await server.close();
    await expect(hero(page)).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
    await expect(hero(page).locator('[data-offline-hint]')).toContainText('npm start');
  });

  test('scrolling the hero out of view closes its connections, and scrolling back opens them again', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${server.url}/`);
    await everyRowHasTicked(page);
    await expect.poll(() => openConnections(page, server.url)).toMatchObject({ sse: 1, websocket: 1, longPoll: 1 });

    await page.locator('footer').last().scrollIntoViewIfNeeded();
    await expect(hero(page)).toHaveAttribute('data-state', 'paused');
    await expect.poll(() => openConnections(page, server.url)).toMatchObject({ sse: 0, websocket: 0, longPoll: 0 });
    const before = await lastId(page, 'ws');

    await page.evaluate(() => window.scrollTo(0, 0));
    await expect(hero(page)).toHaveAttribute('data-state', 'live');
    await expect.poll(() => lastId(page, 'ws'), { timeout: 5_000 }).not.toBe(before);
    await expect.poll(() => openConnections(page, server.url)).toMatchObject({ sse: 1, websocket: 1, longPoll: 1 });
  });

  test('a keyboard reader pauses the hero, which closes its connections, and resumes it', async ({ page }) => {
    const s = heroStrings('en');
    await page.goto(`${server.url}/`);
    await everyRowHasTicked(page);
    const pause = page.getByRole('button', { name: s.pause });
    await pause.focus();
    await page.keyboard.press('Enter');
    await expect(hero(page)).toHaveAttribute('data-state', 'paused');
    await expect(page.getByRole('status')).toHaveText(s['status.paused']);
    await expect.poll(() => openConnections(page, server.url)).toMatchObject({ sse: 0, websocket: 0, longPoll: 0 });

    const resume = page.getByRole('button', { name: s.resume });
    await expect(resume).toBeFocused();
    await page.keyboard.press('Space');
    await expect(hero(page)).toHaveAttribute('data-state', 'live');
    await expect.poll(() => openConnections(page, server.url)).toMatchObject({ sse: 1, websocket: 1, longPoll: 1 });
  });
});

const dir = process.env.RL_SCREENSHOTS_DIR;
test.describe('screenshots', () => {
  test.skip(!dir, 'set RL_SCREENSHOTS_DIR to take screenshots');
  for (const { lang, url } of PAGES) {
    for (const theme of ['light', 'dark'] as const) {
      for (const device of ['desktop', 'phone'] as const) {
        test(`the home page's hero looks right in ${lang}, ${theme}, on a ${device}`, async ({ page }) => {
          await page.setViewportSize(device === 'desktop' ? { width: 1280, height: 900 } : { width: 390, height: 844 });
          await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
          await page.emulateMedia({ colorScheme: theme });
          await page.goto(url);
          await everyRowHasTicked(page);
          await page.screenshot({ path: path.join(dir as string, `home-${lang}-${theme}-${device}.png`) });
          await hero(page).screenshot({ path: path.join(dir as string, `home-${lang}-${theme}-${device}-hero.png`) });
          await page.route('**/api/**', (route) => route.abort());
          await page.reload();
          await expect(hero(page)).toHaveAttribute('data-state', 'offline');
          await hero(page).screenshot({ path: path.join(dir as string, `home-${lang}-${theme}-${device}-offline.png`) });
        });
      }
    }
  }
});
