/**
 * Screenshots for a person to look at: the playground, and a lesson with a diagram and a table;
 * light and dark, English and Chinese, desktop and phone. Runs only when RL_SCREENSHOTS_DIR
 * names a folder to write them to.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { action, output } from './helpers.ts';

const dir = process.env.RL_SCREENSHOTS_DIR;
test.skip(!dir, 'set RL_SCREENSHOTS_DIR to take screenshots');

for (const lang of ['en', 'zh-cn'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    for (const device of ['desktop', 'phone'] as const) {
      test(`the playground looks right in ${lang}, ${theme}, on a ${device}`, async ({ page }) => {
        await page.setViewportSize(device === 'desktop' ? { width: 1280, height: 900 } : { width: 390, height: 844 });
        await page.emulateMedia({ colorScheme: theme });
        await page.goto(lang === 'en' ? '/playground/' : '/zh-cn/playground/');
        const sandboxes = page.locator('[data-rl-sandbox]');
        await expect(sandboxes.first()).toHaveAttribute('data-server', 'online');
        for (const index of [0, 2, 3]) {
          await action(sandboxes.nth(index), 'run').click();
        }
        await expect(output(sandboxes.nth(2))).toContainText('tick');
        await expect(output(sandboxes.nth(0))).toContainText(lang === 'en' ? 'poll 3' : '第 3 次');
        // An editor on the second sandbox, to compare with the highlighted blocks.
        await sandboxes.nth(1).locator('[data-code-host] pre').click();
        await expect(sandboxes.nth(1).locator('.cm-editor')).toBeVisible();
        await page.locator('main').evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: path.join(dir as string, `sandbox-${lang}-${theme}-${device}.png`), fullPage: true });
        // One sandbox at full resolution, as the reader sees it.
        await sandboxes.nth(2).screenshot({ path: path.join(dir as string, `sandbox-${lang}-${theme}-${device}-sse.png`) });
      });

      test(`the polling lesson's diagram and table look right in ${lang}, ${theme}, on a ${device}`, async ({ page }) => {
        await page.setViewportSize(device === 'desktop' ? { width: 1280, height: 900 } : { width: 390, height: 844 });
        await page.addInitScript((value) => {
          if (window === window.top) localStorage.setItem('starlight-theme', value);
        }, theme);
        await page.goto(lang === 'en' ? '/lessons/polling/' : '/zh-cn/lessons/polling/');
        const name = (part: string) => path.join(dir as string, `lesson-${lang}-${theme}-${device}-${part}.png`);
        const diagram = page.locator('main .rl-diagram').first();
        await expect(diagram).toBeVisible();
        await diagram.scrollIntoViewIfNeeded();
        await page.screenshot({ path: name('diagram') });
        const table = page.locator('main table').first();
        await table.scrollIntoViewIfNeeded();
        await page.screenshot({ path: name('table') });
        // The sandbox toolbar, with its Run button.
        await page.locator('[data-rl-sandbox]').first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: name('sandbox') });
      });
    }
  }
}

for (const lang of ['en', 'zh-cn'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`a WebSocket frame's anatomy in the wire view reads well in ${lang}, ${theme}`, async ({ page }) => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.addInitScript((value) => {
        if (window === window.top) localStorage.setItem('starlight-theme', value);
      }, theme);
      await page.goto(lang === 'en' ? '/lessons/websocket/' : '/zh-cn/lessons/websocket/');
      const sandbox = page.locator('[data-rl-sandbox]').first();
      await action(sandbox, 'run').click();
      await expect(output(sandbox)).toContainText('echo: hello');
      const frame = sandbox.locator('.rl-wv-event[data-kind="ws-frame"][data-way="up"] button[data-wv-open]').first();
      await frame.press('Enter');
      const anatomy = sandbox.locator('.rl-wv-anatomy').first();
      await expect(anatomy).toBeVisible();
      await anatomy.evaluate((node) => node.scrollIntoView({ block: 'end' }));
      await sandbox.locator('[data-panels]').screenshot({ path: path.join(dir as string, `wire-anatomy-${lang}-${theme}.png`) });
      await sandbox.locator('button[data-wv="table"]').press('Enter');
      await sandbox.locator('[data-panels]').screenshot({ path: path.join(dir as string, `wire-table-${lang}-${theme}.png`) });
    });
  }
}
