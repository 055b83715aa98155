/**
 * Screenshots of a lesson with a diagram and a table for a person to look at: light and dark,
 * English and Chinese, desktop and phone. Runs only when RL_SCREENSHOTS_DIR names a folder.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';

const dir = process.env.RL_SCREENSHOTS_DIR;
test.skip(!dir, 'set RL_SCREENSHOTS_DIR to take screenshots');

for (const lang of ['en', 'zh-cn'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    for (const device of ['desktop', 'phone'] as const) {
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
        // The sandbox toolbar, with its Run button, and the skip link while it has focus.
        await page.locator('[data-rl-sandbox]').first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: name('sandbox') });
      });
    }
  }
}
