/** The playground is found from the sidebar and the home page, in both languages. */
import { expect, test } from '@playwright/test';

for (const [lang, home, lesson, playground, name] of [
  ['English', '/', '/lessons/sse/', '/playground/', 'Playground'],
  ['Chinese', '/zh-cn/', '/zh-cn/lessons/sse/', '/zh-cn/playground/', '练习场'],
] as const) {
  test(`the playground is linked from the sidebar and the home page (${lang})`, async ({ page }) => {
    await page.goto(lesson);
    await expect(page.locator('#starlight__sidebar').getByRole('link', { name, exact: true })).toHaveAttribute('href', playground);
    await page.goto(home);
    const links = page.locator('main').locator(`a[href="${playground}"]`);
    expect(await links.count()).toBeGreaterThan(0);
    await links.first().click();
    await expect(page).toHaveURL(playground);
    await expect(page.locator('[data-rl-sandbox]').first()).toBeVisible();
  });
}
