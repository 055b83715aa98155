/** The site's own interface speaks Chinese on Chinese pages: search, heading anchors, 404. */
import { expect, test } from '@playwright/test';
import { failFirstRequests } from './helpers.ts';

/** Pagefind's UI chunk, which the search dialog loads when it first opens (src/lib/lazy-pagefind-ui.ts). */
const SEARCH_UI_CHUNK = /\/_astro\/ui-core\.[\w-]+\.js$/;
/** The stand-in that Starlight's search imports when the page is idle (src/components/starlight/Search.astro). */
const SEARCH_STAND_IN_CHUNK = /\/_astro\/lazy-pagefind-ui\.[\w-]+\.js$/;

test('the search dialog on a Chinese page counts its results in Chinese', async ({ page }) => {
  await page.goto('/zh-cn/lessons/polling/');
  await page.getByRole('button', { name: /搜索/ }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox').fill('长轮询');
  await expect(dialog.locator('.pagefind-ui__result').first()).toBeVisible();
  const message = dialog.locator('.pagefind-ui__message');
  await expect(message).toHaveText(/^找到 \d+ 个“长轮询”的结果$/);
  await expect(dialog.locator('.pagefind-ui__search-clear')).toHaveText('清除');
});

test('the search dialog on an English page keeps English', async ({ page }) => {
  await page.goto('/lessons/polling/');
  await page.getByRole('button', { name: /search/i }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox').fill('polling');
  await expect(dialog.locator('.pagefind-ui__message')).toHaveText(/^\d+ results? for polling$/);
});

test('search whose UI failed to load says so in English, then builds itself after a short wait', async ({ page }) => {
  // The retry's request waits until the message has been read: a loaded machine cannot hide it.
  let release = (): void => {};
  const failed = await failFirstRequests(page, SEARCH_UI_CHUNK, 1, new Promise((resolve) => (release = resolve)));
  await page.goto('/lessons/polling/');
  await page.getByRole('button', { name: /search/i }).first().click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('alert')).toHaveText('Search could not be loaded. Close it and open it again to retry, or reload the page.');
  expect(failed()).toBe(1);
  release();
  await dialog.getByRole('textbox').fill('polling');
  await expect(dialog.locator('.pagefind-ui__message')).toHaveText(/^\d+ results? for polling$/);
  await expect(dialog.getByRole('alert')).toHaveCount(0);
});

test('search whose UI failed to load twice says so in Chinese, and loads when the dialog is opened again', async ({ page }) => {
  const failed = await failFirstRequests(page, SEARCH_UI_CHUNK, 2);
  await page.goto('/zh-cn/lessons/polling/');
  const open = page.getByRole('button', { name: /搜索/ }).first();
  await open.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('alert')).toHaveText('搜索功能没能加载。关闭搜索框后再打开即可重试，也可以刷新页面。');
  // The automatic retry fails too: the message stays until the dialog is opened again.
  await expect.poll(failed).toBe(2);
  await expect(dialog.getByRole('alert')).toBeVisible();
  await expect(dialog.getByRole('textbox')).toHaveCount(0);

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await open.click();
  await dialog.getByRole('textbox').fill('长轮询');
  await expect(dialog.locator('.pagefind-ui__message')).toHaveText(/^找到 \d+ 个“长轮询”的结果$/);
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  expect(failed()).toBe(2);
});

test('search works when the first request for the stand-in of its UI fails', async ({ page }) => {
  const failed = await failFirstRequests(page, SEARCH_STAND_IN_CHUNK, 1);
  await page.goto('/lessons/polling/');
  await page.getByRole('button', { name: /search/i }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox').fill('polling');
  await expect(dialog.locator('.pagefind-ui__message')).toHaveText(/^\d+ results? for polling$/);
  expect(failed()).toBe(1);
});

test('heading anchors are named in Chinese on Chinese pages', async ({ page }) => {
  await page.goto('/zh-cn/lessons/polling/');
  const anchors = page.locator('main .sl-anchor-link');
  expect(await anchors.count()).toBeGreaterThan(0);
  const names = await anchors.evaluateAll((links) => links.map((link) => link.textContent?.trim() ?? ''));
  expect(names.filter((name) => /Section titled/.test(name))).toEqual([]);
  const heading = (await page.locator('main h2').first().innerText()).trim();
  await expect(anchors.first()).toHaveAccessibleName(`“${heading}”一节的链接`);
});

test('a missing page under /zh-cn/ answers 404 in Chinese, and elsewhere in English', async ({ page }) => {
  const chinese = await page.goto('/zh-cn/lessons/no-such-lesson/');
  expect(chinese?.status()).toBe(404);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.locator('main')).toContainText('这个地址上没有页面');
  await expect(page.getByRole('link', { name: '回到课程首页' })).toHaveAttribute('href', '/zh-cn/');

  const english = await page.goto('/lessons/no-such-lesson/');
  expect(english?.status()).toBe(404);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('main')).toContainText('There is no page at this address');
});

test('an exercise on a Chinese page shows its code with Chinese comments, in the static code and in the editor', async ({ page }) => {
  await page.goto('/zh-cn/lessons/polling/');
  const exercise = page.locator('#exercise-polling-cursor');
  const comment = '// 每 200 毫秒轮询一次。找出哪里出了错：检查会发布 20 条消息，然后发一条 `stop`。';
  await expect(exercise.locator('pre').first()).toContainText(comment);
  await exercise.locator('pre').first().click();
  await expect(exercise.locator('.cm-content')).toContainText(comment);
  await page.goto('/lessons/polling/');
  await expect(page.locator('#exercise-polling-cursor pre').first()).toContainText('// Polls every 200 ms. Find what goes wrong');
});
