/**
 * Screenshots of an exercise for a person to look at: failed with a hint open, with the solution
 * diff open, and restored after a reload; light and dark, English and Chinese, desktop and phone. Runs only when
 * RL_SCREENSHOTS_DIR names a folder to write them to.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';

const dir = process.env.RL_SCREENSHOTS_DIR;
test.skip(!dir, 'set RL_SCREENSHOTS_DIR to take screenshots');

for (const lang of ['en', 'zh-cn'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    for (const device of ['desktop', 'phone'] as const) {
      test(`an exercise failed with a hint open, and with the solution diff, in ${lang}, ${theme}, on a ${device}`, async ({ page }) => {
        await page.setViewportSize(device === 'desktop' ? { width: 1280, height: 900 } : { width: 390, height: 844 });
        await page.addInitScript((value) => {
          if (window === window.top) localStorage.setItem('starlight-theme', value);
        }, theme);
        await page.goto(`${lang === 'en' ? '' : '/zh-cn'}/lessons/websocket-in-practice/`);
        // Starlight's sticky header would cover the top of an element screenshot.
        await page.addStyleTag({ content: '.page > header.header, mobile-starlight-toc nav { position: static !important; }' });
        const exercise = page.locator('[data-rl-exercise][data-id="ws-close-reason"]');
        await exercise.locator('button[data-action="check"]').click();
        await expect(exercise).toHaveAttribute('data-finished', '1', { timeout: 20_000 });
        await exercise.locator('button[data-action="hint"]').click();
        await expect(exercise.locator('.rl-ex-hint').first()).toBeVisible();
        await exercise.screenshot({ path: path.join(dir as string, `exercise-${lang}-${theme}-${device}-hint.png`) });
        await exercise.locator('button[data-action="solution"]').click();
        await expect(exercise.locator('[data-diff]')).toBeVisible();
        await exercise.screenshot({ path: path.join(dir as string, `exercise-${lang}-${theme}-${device}-diff.png`) });
        // Back on the page later: the results come back, with the notice.
        await page.reload();
        await page.addStyleTag({ content: '.page > header.header, mobile-starlight-toc nav { position: static !important; }' });
        await expect(exercise.locator('[data-restored]')).toBeVisible();
        await exercise.screenshot({ path: path.join(dir as string, `exercise-${lang}-${theme}-${device}-restored.png`) });
      });
    }
  }
}
