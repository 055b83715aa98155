/**
 * The lab after a race, as a reader sees it: axe-core finds no serious or critical violation
 * with the table filled and the chart drawn (the sweep in axe.spec.ts sees the lab at load
 * only), in both languages and themes; and, when RL_SCREENSHOTS_DIR names a folder,
 * screenshots to look at.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { labStrings } from '../../src/lab/strings.ts';
import { startPrivateServer } from './helpers.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const dir = process.env.RL_SCREENSHOTS_DIR;

let server: Awaited<ReturnType<typeof startPrivateServer>>;
test.beforeEach(async () => {
  server = await startPrivateServer();
});
test.afterEach(async () => {
  await server.close();
});

for (const lang of ['en', 'zh-CN'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`the lab during a race has no serious or critical axe violation (${lang}, ${theme})`, async ({ page }) => {
      const s = labStrings(lang);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
      await page.goto(`${server.url}${lang === 'en' ? '/lab/' : '/zh-cn/lab/'}`);
      await page.getByRole('radio', { name: s['technique.poll'] }).check();
      await page.getByRole('button', { name: s['start'] }).click();
      await expect.poll(async () => Number(await page.locator('tr[data-technique="sse"] td[data-col="delivered"]').getAttribute('data-value')), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
      await page.getByRole('button', { name: s['faults.drop.abrupt'] }).click();
      await expect(page.locator('[data-fault-status]')).toContainText(s['faults.drop.abrupt']);
      await expect(page.locator('[data-chart] canvas')).toBeVisible();
      // A few seconds more, so the chart shows the recovery.
      await expect.poll(async () => Number(await page.locator('[data-chart]').getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThanOrEqual(20);

      if (dir) {
        const lab = page.locator('[data-rl-lab]');
        await page.locator('main').evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: path.join(dir, `lab-${lang}-${theme}-page.png`), fullPage: true });
        await lab.screenshot({ path: path.join(dir, `lab-${lang}-${theme}.png`) });
        await page.setViewportSize({ width: 390, height: 844 });
        await lab.locator('.rl-lab-table').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(dir, `lab-${lang}-${theme}-phone.png`) });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        type Result = { violations: { id: string; impact: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[] };
        const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<Result> } }).axe.run(document, { resultTypes: ['violations'] });
        return result.violations
          .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
          .map((violation) => `${violation.id}: ${violation.nodes.map((node) => `${node.target.join(' ')} (${node.failureSummary?.split('\n')[1]?.trim()})`).join('; ')}`);
      });
      expect(violations).toEqual([]);

      await page.getByRole('button', { name: s['stop'], exact: true }).click();
      await expect(page.locator('[data-rl-lab]')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
      if (dir) await page.locator('[data-rl-lab]').screenshot({ path: path.join(dir, `lab-${lang}-${theme}-done.png`) });
    });
  }
}
