/** A keyboard reader reaches the sandboxes quickly, sees how to leave the editor, and keeps focus when a run stops. */
import { expect, test } from '@playwright/test';
import { action, output, sandboxByTitle } from './helpers.ts';

for (const [lang, url, label] of [
  ['English', '/lessons/polling/', 'Skip to the first sandbox'],
  ['Chinese', '/zh-cn/lessons/polling/', '跳到第一个沙盒'],
] as const) {
  test(`a skip link takes a keyboard reader to the first sandbox in a few key presses (${lang})`, async ({ page }) => {
    await page.goto(url);
    const first = page.locator('[data-rl-sandbox]').first();
    // Tab once for Starlight's "Skip to content", once more for ours.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: label });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    // The first control inside the first sandbox: its code, which opens the editor.
    await expect.poll(() => first.evaluate((root) => root.contains(document.activeElement))).toBe(true);
    await expect(first).toBeInViewport();
  });
}

test('a page without sandboxes has no link to a first sandbox', async ({ page }) => {
  await page.goto('/reference/api/');
  await expect(page.locator('.rl-skip-sandbox')).toHaveCount(0);
});

test('pressing Stop from the keyboard leaves focus on the sandbox, on Run', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, 'Listen to the clock with EventSource');
  await action(sandbox, 'run').focus();
  await page.keyboard.press('Enter');
  await expect(output(sandbox)).toContainText('tick');
  await page.keyboard.press('Tab');
  await expect(action(sandbox, 'stop')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(sandbox).toHaveAttribute('data-run', 'stopped');
  await expect(action(sandbox, 'run')).toBeFocused();
  // Tab goes on from there, not from the top of the page.
  await page.keyboard.press('Tab');
  await expect(action(sandbox, 'reset')).toBeFocused();
});

for (const [lang, url, hint] of [
  ['English', '/playground/', 'Escape, then Tab, leaves the editor.'],
  ['Chinese', '/zh-cn/playground/', '先按 Esc 再按 Tab 可离开编辑器。'],
] as const) {
  test(`while the editor has focus, the way out of it is shown on screen (${lang})`, async ({ page }) => {
    await page.goto(url);
    const sandbox = page.locator('[data-rl-sandbox]').first();
    const keys = sandbox.getByText(hint);
    await expect(keys).toBeHidden();
    await sandbox.locator('[data-code-host] pre').focus();
    await expect(sandbox.locator('.cm-content')).toBeFocused();
    await expect(keys).toBeVisible();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    await expect(action(sandbox, 'run')).toBeFocused();
    await expect(keys).toBeHidden();
  });
}

test('on a wide screen, where the code fits, the keyboard still reaches the code and opens the editor', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.goto('/lessons/websocket/');
  const first = page.locator('[data-rl-sandbox]').first();
  const code = first.locator('[data-code-host] pre');
  expect(await code.evaluate((pre) => pre.scrollWidth > pre.clientWidth)).toBe(false);
  // Expressive Code's idle pass takes tabindex off code blocks that fit: wait until it has run
  // on a short block outside the sandboxes.
  await expect
    .poll(() => page.evaluate(() => [...document.querySelectorAll('main .expressive-code pre')].some((pre) => !pre.closest('[data-rl-sandbox]') && !pre.hasAttribute('tabindex'))))
    .toBe(true);
  await expect(code).toHaveAttribute('tabindex', '0');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(first.locator('.cm-content')).toBeFocused();
});
