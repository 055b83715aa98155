/**
 * Workshop mode, part 1, as the room sees it: the projector page, attendees who join from their
 * own browsers (each a context of its own), their self-tests, and the instructor page.
 */
import { gzipSync } from 'node:zlib';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { WORKSHOP_STRINGS } from '../../src/workshop/strings.ts';
import { seriousViolations } from './axe-run.ts';
import { startPrivateServer } from './helpers.ts';

const TOKEN = 'e2e-instructor-token-0123456789';
const LANGUAGES = [
  { lang: 'en', prefix: '/', t: WORKSHOP_STRINGS.en },
  { lang: 'zh-cn', prefix: '/zh-cn/', t: WORKSHOP_STRINGS['zh-CN'] },
] as const;

// A server of its own for each test: tests run in parallel, and each counts its own attendees.
let server: Awaited<ReturnType<typeof startPrivateServer>>;
test.beforeEach(async () => {
  server = await startPrivateServer({ workshop: true, workshopToken: TOKEN });
});
test.afterEach(async () => {
  await server.close();
});

/** Collects every request a page makes to an origin other than the server's. */
function watchOrigins(page: Page, foreign: string[]): void {
  const own = new URL(server.url).origin;
  page.on('request', (request) => {
    if (!request.url().startsWith('data:') && new URL(request.url()).origin !== own) foreign.push(request.url());
  });
  page.on('websocket', (socket) => {
    if (new URL(socket.url()).origin.replace(/^ws/, 'http') !== own) foreign.push(socket.url());
  });
}

/** An attendee in a browser of their own: opens a lesson page and joins under `name`. */
async function attendee(context: BrowserContext, prefix: string, t: (typeof LANGUAGES)[number]['t'], name: string, foreign: string[]): Promise<Page> {
  const page = await context.newPage();
  watchOrigins(page, foreign);
  await page.goto(`${server.url}${prefix}guides/self-hosting/`);
  const panel = page.getByRole('region', { name: t.joinTitle });
  await panel.getByLabel(t.joinLabel).fill(name);
  await panel.getByRole('button', { name: t.joinButton }).click();
  await expect(panel.getByRole('status')).toHaveText(t.joined(name));
  return page;
}

for (const { lang, prefix, t } of LANGUAGES) {
  test(`(${lang}) the projector counts attendees as they come and go, 0 -> 2 -> 1, with their self-tests; the instructor sees their names as text`, async ({ browser }) => {
    test.setTimeout(60_000);
    const foreign: string[] = [];
    const projectorContext = await browser.newContext();
    const projector = await projectorContext.newPage();
    watchOrigins(projector, foreign);
    await projector.goto(`${server.url}${prefix}workshop/`);
    const count = projector.locator('[data-count]');
    await expect(count).toHaveText('0');
    await expect(projector.locator('[data-url]')).toHaveText(`${server.url}/`);
    const qr = projector.locator('img[data-qr]');
    await expect(qr).toHaveAttribute('alt', `QR: ${server.url}/`);
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    // No attendee panel on the projector itself.
    await expect(projector.locator('[data-rl-workshop]')).toHaveCount(0);

    const [a, b] = [await browser.newContext(), await browser.newContext()];
    const hostile = '<img src=x onerror=alert(1)>';
    const ada = await attendee(a, prefix, t, lang === 'en' ? 'Ada' : '李雷', foreign);
    await attendee(b, prefix, t, hostile, foreign);
    await expect(count).toHaveText('2');
    // Each browser ran its self-test and reported it: the projector tallies both.
    await expect(projector.locator('[data-reported]')).toHaveText(t.selfTestReported(2), { timeout: 20_000 });
    for (const technique of ['poll', 'longPoll', 'sse', 'websocket']) {
      await expect(projector.locator(`[data-technique="${technique}"] [data-ok]`)).toHaveText('2 / 2');
    }
    await expect(ada.locator('[data-self-test]')).toHaveText(t.selfTestDone(4, 4));
    await ada.screenshot({ path: `test-results/workshop-attendee-${lang}.png` });

    // The instructor page lists both, the hostile name shown as the text it is.
    const instructor = await projectorContext.newPage();
    watchOrigins(instructor, foreign);
    let alerted = false;
    instructor.on('dialog', (dialog) => {
      alerted = true;
      void dialog.dismiss();
    });
    await instructor.goto(`${server.url}${prefix}workshop/instructor/?token=${TOKEN}`);
    await expect(instructor.locator('[data-count]')).toHaveText('2');
    await expect(instructor.getByRole('cell', { name: hostile, exact: true })).toBeVisible();
    await expect(instructor.locator('td img')).toHaveCount(0);
    expect(new URL(instructor.url()).search, 'the token leaves the address bar').toBe('');
    await instructor.screenshot({ path: `test-results/workshop-instructor-${lang}.png` });

    await a.close();
    // Gone once the grace period after its control stream closed has passed.
    await expect(count).toHaveText('1');
    await expect(instructor.locator('[data-count]')).toHaveText('1');
    expect(alerted).toBe(false);
    expect(foreign).toEqual([]);
    await b.close();
    await projectorContext.close();
  });

  test(`(${lang}) the instructor page without the token answers 403 with a short page in its language, and no dashboard`, async ({ page }) => {
    const response = await page.goto(`${server.url}${prefix}workshop/instructor/`);
    expect(response?.status()).toBe(403);
    await expect(page.locator('html')).toHaveAttribute('lang', lang === 'en' ? 'en' : 'zh-CN');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(lang === 'en' ? 'This page needs the instructor link' : '这个页面需要讲师链接');
    await expect(page.locator('[data-rl-workshop-page], table')).toHaveCount(0);
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`(${lang}) the projector page in the ${theme} theme has no serious or critical axe violation`, async ({ page }) => {
      await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${server.url}${prefix}workshop/`);
      await expect(page.locator('[data-count]')).toHaveText(/\d+/);
      await expect.poll(() => page.locator('img[data-qr]').evaluate((img: HTMLImageElement) => img.naturalWidth > 0)).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: `test-results/workshop-projector-${lang}-${theme}.png`, fullPage: true });
    });
  }
}

/** The same budget as tests/e2e/budgets.spec.ts, with the attendee's part loaded. */
const PAGE_JS_BUDGET = 20 * 1024;

for (const url of ['/lessons/websocket/', '/zh-cn/lessons/sse/']) {
  test(`${url} in workshop mode still ships at most 20 KB gzip of JavaScript before interaction, the name panel included`, async ({ page }) => {
    const sizes: Promise<number>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') sizes.push(response.body().then((body) => gzipSync(body, { level: 9 }).byteLength));
    });
    await page.goto(`${server.url}${url}`);
    // The name form is up, and the sandboxes have asked the server: what a reader gets before doing anything.
    await expect(page.locator('[data-rl-workshop] input[name="name"]')).toBeVisible();
    await expect(page.locator('[data-rl-sandbox]').first()).not.toHaveAttribute('data-server', 'checking');
    const inline = await page.evaluate(() =>
      [...document.querySelectorAll('script:not([src])')].filter((s) => !s.getAttribute('type') || /^(module|text\/javascript)$/.test(s.getAttribute('type') as string)).map((s) => s.textContent ?? ''),
    );
    const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0) + inline.reduce((sum, source) => sum + gzipSync(source, { level: 9 }).byteLength, 0);
    test.info().annotations.push({ type: 'page JS before interaction in workshop mode (gzip)', description: `${bytes} B` });
    expect(bytes).toBeLessThanOrEqual(PAGE_JS_BUDGET);
  });
}

test('an attendee who answers "Not now" is not asked again on the next page, and is not counted', async ({ page, context }) => {
  const t = WORKSHOP_STRINGS.en;
  const projector = await context.newPage();
  await projector.goto(`${server.url}/workshop/`);
  await expect(projector.locator('[data-count]')).toHaveText('0');
  await page.goto(`${server.url}/lessons/sse/`);
  const panel = page.getByRole('region', { name: t.joinTitle });
  await panel.getByRole('button', { name: t.joinLater }).click();
  await expect(panel).toHaveCount(0);
  await page.goto(`${server.url}/lessons/websocket/`);
  // The attendee's part has asked the server and decided.
  await expect(page.locator('html')).toHaveAttribute('data-rl-workshop-state', 'dismissed');
  await expect(page.locator('[data-rl-workshop]')).toHaveCount(0);
  await expect(projector.locator('[data-count]')).toHaveText('0');
});
