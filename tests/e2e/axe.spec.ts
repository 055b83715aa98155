/**
 * The accessibility sweep: axe-core on every built page, in both languages and both themes (the
 * theme switched in place, as Starlight's picker does), at load and again after every sandbox on
 * the page has run. Any serious or critical violation
 * fails, listed by rule, target and page. Pages are discovered from dist/, so every later page
 * (the lab, progress, workshop) joins the sweep as it lands. axe is injected from node_modules:
 * pages request nothing from any other origin.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';
import { useTheme } from './axe-run.ts';
import { builtPages } from './built-pages.ts';
import { action, output } from './helpers.ts';

/**
 * axe's source, evaluated in the page rather than added as a <script>: pages without sandboxes
 * allow inline scripts only by hash (server/site.ts), and the sweep must not weaken that.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Each sandbox gets this long to write its first output line. */
const SANDBOX_TIMEOUT_MS = 20_000;
const FAILING_IMPACTS = new Set(['serious', 'critical']);

interface Finding {
  rule: string;
  impact: string;
  help: string;
  /** Each failing element: its CSS selector and why it fails. */
  nodes: { target: string; summary: string }[];
}

/** Runs axe on the page as it is now; returns its serious and critical violations. */
async function seriousViolations(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // The sandbox's frame is a 1 px, aria-hidden, opaque-origin runner: axe cannot enter it.
    type AxeResults = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] };
    const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, {
      iframes: false,
      resultTypes: ['violations'],
    });
    return result.violations.map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(' >>> '),
        // The first line says "Fix any of the following:"; the second says what is wrong.
        summary: node.failureSummary?.split('\n')[1]?.trim() ?? '',
      })),
    }));
  });
  return violations.filter((violation) => FAILING_IMPACTS.has(violation.impact));
}

function report(findings: Finding[], where: string): string {
  return findings
    .map((finding) => `  ${finding.impact} ${finding.rule} (${finding.help}) on ${where}:\n${finding.nodes.map((node) => `    - ${node.target}: ${node.summary}`).join('\n')}`)
    .join('\n');
}

const pages = builtPages();

test('the sweep covers pages in English and in Chinese', () => {
  expect(pages.some((page) => page.url.startsWith('/zh-cn/'))).toBe(true);
  expect(pages.some((page) => !page.url.startsWith('/zh-cn/'))).toBe(true);
});

for (const { url, sandboxes: count } of pages) {
  // One page load per page, both themes swept on it: the sandboxes run once, and the same
  // nodes (pending and open lanes, anatomies, tables) are checked in light and in dark.
  test(`${url} has no serious or critical axe violation in either theme, at load or after its sandboxes run`, async ({ page }) => {
    test.setTimeout(30_000 + SANDBOX_TIMEOUT_MS + count * 2_000);
    // Only in the page itself: the sandbox's frame has no storage, and would report the error.
    await page.addInitScript(() => {
      if (window === window.top) localStorage.setItem('starlight-theme', 'light');
    });
    await page.goto(url);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    const sandboxes = page.locator('[data-rl-sandbox]');
    await expect(sandboxes).toHaveCount(count);
    if (count > 0) await expect(sandboxes.first()).toHaveAttribute('data-server', 'online');
    // The fault panels open, so their controls are swept too: waiting for a Run at load, live after it.
    await page.locator('details[data-fault-panel]').evaluateAll((panels) => panels.forEach((panel) => ((panel as HTMLDetailsElement).open = true)));
    const reports: string[] = [];
    const sweep = async (when: string) => {
      for (const theme of ['light', 'dark'] as const) {
        await useTheme(page, theme);
        const findings = await seriousViolations(page);
        if (findings.length) reports.push(report(findings, `${url} (${theme}, ${when})`));
      }
    };
    await sweep('at load');

    if (count > 0) {
      // Every sandbox at once: press each Run, then wait until each one has written output.
      // Not for its `expect`: sandboxes that share a channel disturb each other when run
      // together (every-sandbox.spec.ts runs them one by one and checks that). Checked while
      // they are still live, so pending and open lanes are seen too.
      for (let i = 0; i < count; i++) {
        // From the keyboard: a click aims at coordinates, and the toolbars shift as runs start
        // (panels open, "Stop all" appears), so a click could land on the wrong button.
        await action(sandboxes.nth(i), 'run').press('Enter');
        await expect(sandboxes.nth(i).locator('[data-panels]')).toBeVisible();
      }
      await Promise.all(Array.from({ length: count }, (_, i) => expect(output(sandboxes.nth(i))).not.toBeEmpty({ timeout: SANDBOX_TIMEOUT_MS })));
      // The wire view's controls in their open states: a frame's anatomy (else a head) open, and the last sandbox as a table.
      await expect(page.locator('button[data-wv-open]').first()).toBeAttached({ timeout: SANDBOX_TIMEOUT_MS });
      const disclosure = page.locator('.rl-wv-event[data-kind="ws-frame"] button[data-wv-open], .rl-wv-event[data-kind="request-head"] button[data-wv-open]').first();
      await disclosure.press('Enter');
      await expect(disclosure).toHaveAttribute('aria-expanded', 'true');
      if (count > 1) {
        await sandboxes.nth(count - 1).locator('button[data-wv="table"]').press('Enter');
        await expect(sandboxes.nth(count - 1).locator('[data-wire-table] table')).toBeVisible();
      }
      await sweep('after Run');
    }
    expect(reports, `axe found serious or critical violations:\n${reports.join('\n')}`).toEqual([]);
  });
}
