/**
 * Where the sandbox's styles come from: its own markup is styled with the page, the nodes the
 * runner builds (src/sandbox/page/run-view.css) by a stylesheet that arrives with the runner.
 */
import { expect, test, type Page } from '@playwright/test';
import { action, output, wire } from './helpers.ts';

/** Whether any stylesheet on the page has a rule for this selector text (a runner-only class). */
function pageStyles(page: Page, selector: string): Promise<boolean> {
  return page.evaluate(
    (wanted) =>
      [...document.styleSheets].some((sheet) => {
        try {
          return [...sheet.cssRules].some((rule) => rule instanceof CSSStyleRule && rule.selectorText.includes(wanted));
        } catch {
          return false; // a sheet from another origin cannot be read; the site has none
        }
      }),
    selector,
  );
}

for (const [url, index] of [
  ['/playground/', 2],
  ['/zh-cn/playground/', 2],
] as const) {
  test(`on ${url} the wire view's styles arrive with the runner, after the first Run, and the toolbar is styled before it`, async ({ page }) => {
    await page.goto(url);
    const sandbox = page.locator('[data-rl-sandbox]').nth(index);
    await expect(sandbox).toHaveAttribute('data-server', 'online');
    // Before any Run: the toolbar and code block are laid out, and no sheet styles a wire lane.
    await expect(sandbox.locator('.rl-sb-bar')).toHaveCSS('display', 'flex');
    await expect(action(sandbox, 'run')).toHaveCSS('font-weight', '600');
    expect(await pageStyles(page, '.rl-sb-lane-head')).toBe(false);

    await action(sandbox, 'run').click();
    await expect(output(sandbox)).toContainText('tick');
    expect(await pageStyles(page, '.rl-sb-lane-head')).toBe(true);
    await expect(wire(sandbox).locator('.rl-sb-lane-head').first()).toHaveCSS('display', 'flex');
    await expect(output(sandbox).locator('.rl-sb-line').first()).toHaveCSS('display', 'flex');
    // The run frame is the hidden 1 px runner, out of the reader's way.
    await expect(sandbox.locator('iframe.rl-sb-frame')).toHaveCSS('opacity', '0');
    await action(sandbox, 'stop').click();
  });
}
