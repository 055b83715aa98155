/**
 * Screenshots for a person to look at: the quiz checked with some answers wrong, and the Progress
 * page with progress and an import error; light and dark, English and Chinese, desktop and phone.
 * Runs only when RL_SCREENSHOTS_DIR names a folder to write them to.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { exerciseById, type QuizExercise } from '../../src/exercises/catalog.ts';

const dir = process.env.RL_SCREENSHOTS_DIR;
test.skip(!dir, 'set RL_SCREENSHOTS_DIR to take screenshots');

const quiz = exerciseById('choosing-quiz') as QuizExercise;

for (const lang of ['en', 'zh-cn'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    for (const device of ['desktop', 'phone'] as const) {
      test(`the quiz and the Progress page look right in ${lang}, ${theme}, on a ${device}`, async ({ page }) => {
        const prefix = lang === 'en' ? '' : '/zh-cn';
        const name = (part: string) => path.join(dir as string, `progress-${lang}-${theme}-${device}-${part}.png`);
        await page.setViewportSize(device === 'desktop' ? { width: 1280, height: 900 } : { width: 390, height: 844 });
        await page.addInitScript((value) => {
          if (window === window.top) localStorage.setItem('starlight-theme', value);
        }, theme);
        await page.goto(`${prefix}/lessons/choosing/`);
        const root = page.locator('[data-rl-quiz]');
        await root.scrollIntoViewIfNeeded();
        await root.screenshot({ path: name('quiz-fresh') });
        // Two wrong, the rest right, one scenario left unanswered.
        for (const [index, scenario] of quiz.scenarios.entries()) {
          if (index === quiz.scenarios.length - 1) continue;
          const choice = index < 2 ? (scenario.answer === 'poll' ? 'sse' : 'poll') : scenario.answer;
          await root.locator(`[data-scenario="${scenario.id}"] input[value="${choice}"]`).check();
        }
        await root.locator('button[type="submit"]').click();
        await expect(root.locator('[data-overall]')).not.toBeEmpty();
        await root.screenshot({ path: name('quiz-checked') });
        await page.reload();
        await expect(root.locator('[data-restored]')).toBeVisible();
        await root.locator('[data-restored]').scrollIntoViewIfNeeded();
        await page.screenshot({ path: name('quiz-restored') });

        await page.goto(`${prefix}/progress/`);
        await expect(page.locator('[data-exercise="choosing-quiz"]')).toHaveAttribute('data-state', 'wrong');
        await page.screenshot({ path: name('page'), fullPage: true });
        await page.locator('[data-rl-progress] input[type="file"]').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"version":1,"exercises":{"choosing-quiz":{"attempts":"3"}}}') });
        await expect(page.locator('[data-message]')).toHaveAttribute('data-kind', 'error');
        await page.screenshot({ path: name('import-error') });
      });
    }
  }
}
