/**
 * Byte budgets, measured in Chromium from what the page really loads, gzip level 9 (deterministic):
 * a lesson page ships at most 20 KB of JavaScript before the reader interacts, and the editor,
 * loaded when the reader starts editing, at most 110 KB.
 *
 * Everything the page runs counts, Starlight's own scripts included: its search UI (Pagefind's
 * `ui-core`, about 26 KB gzip) is loaded only when the search dialog opens (see
 * src/lib/lazy-pagefind-ui.ts), and a test below checks that search still works.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { builtPages } from './built-pages.ts';

const PAGE_JS_BUDGET = 20 * 1024;
const EDITOR_BUDGET = 110 * 1024;

function gzipSize(text: string | Buffer): number {
  return gzipSync(text, { level: 9 }).byteLength;
}

/** Records the JavaScript files the page downloads; `settle()` gives their gzip sizes so far. */
function recordScripts(page: Page): { settle(): Promise<Map<string, number>> } {
  const pending: Promise<[string, number]>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script' || response.request().redirectedTo()) return;
    pending.push(response.body().then((body) => [response.url(), gzipSize(body)]));
  });
  return { settle: async () => new Map(await Promise.all(pending)) };
}

async function inlineScriptBytes(page: Page): Promise<number> {
  const sources = await page.evaluate(() =>
    [...document.querySelectorAll('script:not([src])')]
      .filter((script) => !script.getAttribute('type') || /^(module|text\/javascript)$/.test(script.getAttribute('type') as string))
      .map((script) => script.textContent ?? ''),
  );
  return sources.reduce((sum, source) => sum + gzipSize(source), 0);
}

/** Pagefind's search UI, which must wait for the search dialog to open. */
function isSearchUi(src: string): boolean {
  return /\/_astro\/ui-core\.[\w-]+\.js$/.test(src) || src.includes('/pagefind/');
}

function total(sizes: Iterable<number>): number {
  return [...sizes].reduce((a, b) => a + b, 0);
}

for (const url of ['/playground/', '/zh-cn/playground/', '/lessons/websocket/', '/zh-cn/lessons/sse/']) {
  test(`${url} ships at most 20 KB gzip of JavaScript before interaction, and the editor at most 110 KB on demand`, async ({ page }) => {
    const scripts = recordScripts(page);
    await page.goto(url, { waitUntil: 'networkidle' });
    await expect(page.locator('[data-rl-sandbox]').first()).not.toHaveAttribute('data-server', 'checking');
    const before = await scripts.settle();
    const beforeBytes = total(before.values()) + (await inlineScriptBytes(page));
    test.info().annotations.push({ type: 'page JS before interaction (gzip)', description: `${beforeBytes} B in ${before.size} files and inline scripts` });
    expect([...before.keys()].filter(isSearchUi)).toEqual([]);
    expect(beforeBytes).toBeLessThanOrEqual(PAGE_JS_BUDGET);
    expect([...before.keys()].some((src) => /editor/.test(src))).toBe(false);
    await expect(page.locator('.cm-editor')).toHaveCount(0);

    await page.locator('[data-rl-sandbox] [data-code-host] pre').first().click();
    await expect(page.locator('.cm-editor')).toHaveCount(1);
    await page.waitForLoadState('networkidle');
    const editorFiles = [...(await scripts.settle())].filter(([src]) => !before.has(src) && !isSearchUi(src));
    const editorBytes = total(editorFiles.map(([, size]) => size));
    test.info().annotations.push({ type: 'editor JS (gzip)', description: `${editorBytes} B in ${editorFiles.length} files` });
    expect(editorFiles.length).toBeGreaterThan(0);
    expect(editorBytes).toBeLessThanOrEqual(EDITOR_BUDGET);
  });
}

for (const url of ['/', '/zh-cn/']) {
  test(`the home page ${url} ships at most 20 KB gzip of JavaScript, its live hero included`, async ({ page }) => {
    const scripts = recordScripts(page);
    // Not networkidle: the hero's polls and held requests keep the network busy by design.
    await page.goto(url);
    await expect(page.locator('[data-rl-hero]')).toHaveAttribute('data-state', 'live');
    const loaded = await scripts.settle();
    const bytes = total(loaded.values()) + (await inlineScriptBytes(page));
    test.info().annotations.push({ type: 'home page JS (gzip)', description: `${bytes} B in ${loaded.size} files and inline scripts` });
    expect([...loaded.keys()].filter(isSearchUi)).toEqual([]);
    expect(bytes).toBeLessThanOrEqual(PAGE_JS_BUDGET);
  });
}

test('search loads when the reader opens it, and finds lessons in both languages', async ({ browser }) => {
  for (const [url, query, expected] of [
    ['/lessons/polling/', 'Last-Event-ID', /SSE reconnection/],
    ['/zh-cn/lessons/polling/', '长轮询', /长轮询/],
  ] as const) {
    const page = await browser.newPage();
    const scripts = recordScripts(page);
    await page.goto(url, { waitUntil: 'networkidle' });
    expect([...(await scripts.settle()).keys()].filter(isSearchUi)).toEqual([]);
    await page.getByRole('button', { name: /search|搜索/i }).first().click();
    const field = page.getByRole('dialog').getByRole('textbox');
    await expect(field).toBeFocused();
    await field.fill(query);
    await expect(page.getByRole('dialog').locator('.pagefind-ui__result').first()).toContainText(expected);
    await page.close();
  }
});

test('a page carries the sandboxes\' UI strings once, however many sandboxes it has', () => {
  const pages = builtPages().filter((page) => page.sandboxes > 0);
  expect(pages.length).toBeGreaterThan(10);
  for (const page of pages) {
    const html = readFileSync(page.file, 'utf8');
    expect((html.match(/data-rl-sandbox-strings/g) ?? []).length, page.url).toBe(1);
  }
  const websocket = readFileSync(builtPages().find((page) => page.url === '/lessons/websocket/')?.file as string, 'utf8');
  test.info().annotations.push({ type: '/lessons/websocket/ HTML', description: `${websocket.length} B` });
});
