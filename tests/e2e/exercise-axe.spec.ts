/**
 * axe-core over an exercise in each of its states: idle, checking, wrong with a hint open, the
 * solution diff open, and passed; in both languages and both themes. Zero serious or critical
 * violations. axe is injected from node_modules, as in axe.spec.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Locator, type Page } from '@playwright/test';

test.describe.configure({ mode: 'parallel' });

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FAILING_IMPACTS = new Set(['serious', 'critical']);
const CHECK_TIMEOUT_MS = 20_000;

/** The serious and critical violations inside the exercise, one line each. */
async function violations(page: Page, state: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    type AxeResults = { violations: { id: string; impact: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[] };
    const axe = (window as unknown as { axe: { run(context: Element, options: object): Promise<AxeResults> } }).axe;
    const result = await axe.run(document.querySelector('[data-rl-exercise][data-id="ws-close-reason"]') as Element, { iframes: false, resultTypes: ['violations'] });
    return result.violations.flatMap((violation) => violation.nodes.map((node) => ({ rule: violation.id, impact: violation.impact ?? '', target: node.target.map(String).join(' '), summary: node.failureSummary?.split('\n')[1]?.trim() ?? '' })));
  });
  return found.filter((item) => FAILING_IMPACTS.has(item.impact)).map((item) => `${state}: ${item.impact} ${item.rule} on ${item.target}: ${item.summary}`);
}

function action(exercise: Locator, name: string): Locator {
  return exercise.locator(`button[data-action="${name}"]`).first();
}

for (const lang of ['en', 'zh-cn'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`an exercise has no serious accessibility violation idle, checking, wrong with a hint open, with the solution diff and passed (${lang}, ${theme})`, async ({ page }) => {
      await page.addInitScript((value) => {
        if (window === window.top) localStorage.setItem('starlight-theme', value);
      }, theme);
      await page.goto(`${lang === 'en' ? '' : '/zh-cn'}/lessons/websocket-in-practice/`);
      const exercise = page.locator('[data-rl-exercise][data-id="ws-close-reason"]');
      const found: string[] = [];
      found.push(...(await violations(page, 'idle')));

      await action(exercise, 'check').click();
      await expect(exercise).toHaveAttribute('data-busy', 'checking');
      found.push(...(await violations(page, 'checking')));
      await expect(exercise).toHaveAttribute('data-finished', '1', { timeout: CHECK_TIMEOUT_MS });
      await expect(exercise).toHaveAttribute('data-state', 'wrong');
      await action(exercise, 'hint').click();
      await expect(exercise.locator('.rl-ex-hint').first()).toBeVisible();
      found.push(...(await violations(page, 'wrong, hint open')));

      await action(exercise, 'solution').click();
      await expect(exercise.locator('[data-diff]')).toBeVisible();
      found.push(...(await violations(page, 'solution diff')));

      await exercise.locator('button[data-action="use-solution"]').click();
      await action(exercise, 'check').click();
      await expect(exercise).toHaveAttribute('data-finished', '2', { timeout: CHECK_TIMEOUT_MS });
      await expect(exercise).toHaveAttribute('data-state', 'passed');
      found.push(...(await violations(page, 'passed')));
      expect(found, found.join('\n')).toEqual([]);
    });
  }
}
