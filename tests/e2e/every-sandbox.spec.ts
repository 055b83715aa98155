/**
 * Every sandbox on every page of the built site, in both languages, runs and shows its
 * `expect` in the output. Pages are discovered from dist/, so new lessons are covered as they land.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { action, expectation, output, SITE_DIR } from './helpers.ts';
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

for (const { url, count } of pages) {
  test(`every sandbox on ${url} runs and shows its expected output`, async ({ page }) => {
    test.setTimeout(30_000 + count * SANDBOX_TIMEOUT_MS);
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
  });
}
