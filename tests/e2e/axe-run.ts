/**
 * axe-core run on a page as it is now, injected from node_modules (pages request nothing from
 * any other origin), for specs that sweep a widget in each of its states.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, type Page } from '@playwright/test';

/** Evaluated in the page rather than added as a <script>: pages allow inline scripts only by hash. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * The page's serious and critical axe violations, each as one line: impact, rule, targets.
 * `include` (CSS selectors) limits the run to those parts, for a widget on a long page.
 */
export async function seriousViolations(page: Page, include?: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (include) => {
    type AxeResults = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] };
    const result = await (window as unknown as { axe: { run(context: Document | object, options: object): Promise<AxeResults> } }).axe.run(include ? { include: include.map((selector) => [selector]) } : document, { iframes: false, resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      impact: violation.impact ?? '',
      line: `${violation.impact} ${violation.id} (${violation.help}): ${violation.nodes.map((node) => `${node.target.map(String).join(' >>> ')} ${node.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join('; ')}`,
    }));
  }, include);
  return violations.filter((violation) => FAILING_IMPACTS.has(violation.impact)).map((violation) => violation.line);
}

/** Switches the page's theme in place, as Starlight's theme picker does: the same nodes, in the other colours. */
export async function useTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate((value) => {
    document.documentElement.dataset.theme = value;
    return new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)));
  }, theme);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}
