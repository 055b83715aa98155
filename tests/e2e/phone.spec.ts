/** On a phone, sequence diagrams stay readable and tables keep their first column legible. */
import { expect, test } from '@playwright/test';

const PHONE = { width: 390, height: 844 };
/** Below this rendered size, diagram text is unreadable on a phone (it was about 6 px). */
const MIN_DIAGRAM_TEXT_PX = 10;

for (const url of ['/lessons/polling/', '/zh-cn/lessons/polling/', '/zh-cn/lessons/sse-reconnection/']) {
  test(`on a phone the diagram on ${url} shows its text at a readable size, in a box that scrolls by keyboard`, async ({ page }) => {
    await page.setViewportSize(PHONE);
    await page.goto(url);
    const box = page.locator('main .rl-diagram').first();
    const svg = box.locator('svg');
    await expect(svg).toBeVisible();
    const smallest = await svg.evaluate((element) => {
      const sizes = [...element.querySelectorAll('text')].map((text) => text.getBoundingClientRect().height);
      return Math.min(...sizes.filter((size) => size > 0));
    });
    // A text box's height is about its font size.
    expect(smallest).toBeGreaterThanOrEqual(MIN_DIAGRAM_TEXT_PX);
    // The page does not scroll sideways: the diagram's box does, and a keyboard can scroll it.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await box.focus();
    await expect(box).toBeFocused();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => box.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
  });
}

for (const url of ['/zh-cn/', '/zh-cn/lessons/choosing/', '/zh-cn/lessons/polling/']) {
  test(`on a phone the first column of the tables on ${url} keeps several characters per line`, async ({ page }) => {
    await page.setViewportSize(PHONE);
    await page.goto(url);
    const tables = page.locator('main table');
    expect(await tables.count()).toBeGreaterThan(0);
    const cramped = await tables.evaluateAll((all) =>
      all.flatMap((table) =>
        [...table.querySelectorAll('tr > :first-child')].flatMap((cell) => {
          const text = (cell.textContent ?? '').trim();
          if ([...text].length < 3) return [];
          // Lines: the distinct tops of the cell's text fragments (an inline <code> box sits a few px off).
          const tops: number[] = [];
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const rect of range.getClientRects()) if (!tops.some((top) => Math.abs(top - rect.top) < rect.height / 2)) tops.push(rect.top);
          }
          const lines = Math.max(1, tops.length);
          return [...text].length / lines < 3 ? [`${text} (${lines} lines)`] : [];
        }),
      ),
    );
    expect(cramped).toEqual([]);
  });
}

test('tables that scroll sideways can be reached by keyboard', async ({ page }) => {
  await page.goto('/guides/self-hosting/');
  const wide = page.locator('main table').first();
  await expect(wide).toHaveAttribute('tabindex', '0');
});
