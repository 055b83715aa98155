/**
 * The workshop pages as wholes in axe, with workshop mode ON, in both languages and both themes:
 * the instructor's dashboard opened with the token, the projector page with a room of attendees,
 * an attendee's page with the name panel (joined, self-test done), and the dashboard's address
 * opened without the instructor link (refused). The main sweep
 * (axe.spec.ts) loads every built page from a server with workshop mode off; this spec checks
 * that its page list holds the workshop pages too. Each section's own states are swept by the
 * spec of the part that adds it.
 */
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations, useTheme } from './axe-run.ts';
import { builtPages } from './built-pages.ts';
import { openRoom, ROOM_LANGUAGES, watchOrigins } from './workshop-room.ts';

/** Where the attendees join: a page of the course without sandboxes. */
const ATTENDEE_PAGE = 'progress/';

test('the main axe sweep covers the projector and instructor pages in English and in Chinese', () => {
  const urls = builtPages().map((page) => page.url);
  for (const url of ['/workshop/', '/workshop/instructor/', '/zh-cn/workshop/', '/zh-cn/workshop/instructor/']) expect(urls).toContain(url);
});

/** The page's serious and critical violations in both themes, each line naming where it was found. */
async function sweepBothThemes(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await useTheme(page, theme);
    found.push(...(await seriousViolations(page)).map((line) => `${where} (${theme}): ${line}`));
  }
  return found;
}

for (const language of ROOM_LANGUAGES) {
  test(`(${language.lang}) with a room of five, the dashboard, the projector page, an attendee's page and the refused dashboard have no serious or critical axe violation in either theme`, async ({ browser }) => {
    test.setTimeout(90_000);
    // The attendees join on a light page: axe takes seconds on a long lesson, which the main sweep covers.
    const room = await openRoom(browser, language, ATTENDEE_PAGE);
    try {
      const { instructor, attendees } = room;
      const [attendee] = attendees as [Page];
      // Every attendee's self-test is in: the dashboard's table is full, the panel in its last state.
      await expect(attendee.locator('[data-self-test]')).toHaveText(language.t.selfTestDone(4, 4), { timeout: 20_000 });
      await expect(instructor.locator('table[data-attendees] tbody tr')).toHaveCount(language.names.length);

      const projector = await instructor.context().newPage();
      watchOrigins(projector, new URL(room.url).origin, room.foreign);
      await projector.goto(`${room.url}${language.prefix}workshop/`);
      await expect(projector.locator('[data-count]')).toHaveText(String(language.names.length));
      await expect(projector.locator('[data-reported]')).toHaveText(language.t.selfTestReported(language.names.length), { timeout: 20_000 });
      await expect.poll(() => projector.locator('img[data-qr]').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

      // The dashboard's address as someone without the instructor link sees it: refused, and nothing of the class.
      const stranger = await (await browser.newContext()).newPage();
      watchOrigins(stranger, new URL(room.url).origin, room.foreign);
      await stranger.goto(`${room.url}${language.prefix}workshop/instructor/`);
      await expect(stranger.getByRole('alert').or(stranger.getByRole('heading', { level: 1, name: /instructor link|讲师链接/ }))).toBeVisible();
      await expect(stranger.getByText(language.names[0])).toHaveCount(0);

      const findings = [
        ...(await sweepBothThemes(instructor, `${language.prefix}workshop/instructor/`)),
        ...(await sweepBothThemes(projector, `${language.prefix}workshop/`)),
        ...(await sweepBothThemes(attendee, `${language.prefix}${ATTENDEE_PAGE} (attendee)`)),
        ...(await sweepBothThemes(stranger, `${language.prefix}workshop/instructor/ (without the link)`)),
      ];
      await stranger.context().close();
      expect(findings, `axe found serious or critical violations:\n${findings.join('\n')}`).toEqual([]);
      expect(room.foreign).toEqual([]);
    } finally {
      await room.close();
    }
  });
}
