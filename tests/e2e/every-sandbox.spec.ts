/**
 * Every sandbox on every page of the built site, in both languages, runs and shows its
 * `expect` in the output. Pages are discovered from dist/, so new lessons are covered as they land.
 * A page's sandboxes run one by one (some share a channel); a lesson's English and Chinese pages
 * run side by side, each against a server of its own, so that the same snippets never share a
 * channel or a limit, and the time one page spends waiting on its snippets' timers is the other's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import { action, expectation, output, SHARED_SERVER_LIMITS, SITE_DIR, startPrivateServer } from './helpers.ts';
/** Each sandbox gets this long to show its expected output. */
const SANDBOX_TIMEOUT_MS = 15_000;

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '_astro' || entry.name === 'pagefind' ? [] : htmlFiles(full);
    return entry.name.endsWith('.html') ? [full] : [];
  });
}

/** URL paths of the built pages that contain at least one sandbox, with how many. */
const pages = htmlFiles(SITE_DIR)
  .map((file) => ({ file, count: (readFileSync(file, 'utf8').match(/data-rl-sandbox(?![\w-])/g) ?? []).length }))
  .filter((page) => page.count > 0)
  .map(({ file, count }) => ({ url: `/${path.relative(SITE_DIR, file).replace(/\\/g, '/').replace(/index\.html$/, '').replace(/\.html$/, '/')}`, count }))
  .sort((a, b) => a.url.localeCompare(b.url));

test('the built site has sandboxes in English and in Chinese', () => {
  expect(pages.some((page) => page.url.startsWith('/zh-cn/'))).toBe(true);
  expect(pages.some((page) => !page.url.startsWith('/zh-cn/'))).toBe(true);
});

/** A lesson's pages, English and Chinese, by the URL path they share. */
const lessons = [...Map.groupBy(pages, (page) => page.url.replace(/^\/zh-cn\//, '/')).values()];

/** Runs every sandbox of one page, one by one, in a browser context of its own against a server of its own. */
async function everySandboxRuns(browser: Browser, url: string, count: number): Promise<void> {
  const server = await startPrivateServer(SHARED_SERVER_LIMITS);
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const page = await context.newPage();
    // The page's Content-Security-Policy reaches into the sandboxes' srcdoc frames: Chromium
    // reports what it blocks there on the console.
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(url);
    const sandboxes = page.locator('[data-rl-sandbox]');
    await expect(sandboxes).toHaveCount(count);
    for (let i = 0; i < count; i++) {
      const sandbox = sandboxes.nth(i);
      const title = await sandbox.locator('[data-title]').innerText();
      const expected = (await sandbox.getAttribute('data-expect')) ?? '';
      await action(sandbox, 'run').click();
      await expect(output(sandbox), `sandbox "${title}" on ${url} should show ${expected}`).toContainText(expectation(expected), { timeout: SANDBOX_TIMEOUT_MS });
      // console.error is fine (a lesson may show one); an uncaught error or rejection is a broken snippet.
      await expect(output(sandbox).locator('.rl-sb-line[data-uncaught]'), `sandbox "${title}" on ${url} threw an uncaught error`).toHaveCount(0);
      await action(sandbox, 'stop').click();
      await expect(sandbox).toHaveAttribute('data-run', 'stopped');
    }
    expect(violations, `CSP violations on ${url}`).toEqual([]);
  } finally {
    await context.close();
    await server.close();
  }
}

for (const versions of lessons) {
  test(`every sandbox on ${versions.map((page) => page.url).join(' and ')} runs and shows its expected output`, async ({ browser }) => {
    test.setTimeout(30_000 + Math.max(...versions.map((page) => page.count)) * SANDBOX_TIMEOUT_MS);
    await Promise.all(versions.map(({ url, count }) => everySandboxRuns(browser, url, count)));
  });
}
