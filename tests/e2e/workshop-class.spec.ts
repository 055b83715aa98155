/**
 * Workshop mode, the class's controls, as a room of one instructor and five attendees (each in a
 * browser of their own) sees them: a notice in every attendee's banner, moving everyone to a
 * page (in each attendee's language; one detached attendee stays, sees where the class is, then
 * rejoins), and locking then revealing the exercises' solutions.
 */
import { expect, test, type Page } from '@playwright/test';
import { EXERCISE_STRINGS } from '../../src/exercises/strings.ts';
import { CLASS_STRINGS } from '../../src/workshop/dashboard/class-strings.ts';
import { seriousViolations, useTheme } from './axe-run.ts';
import { openRoom, ROOM_LANGUAGES } from './workshop-room.ts';

/** Where the room joins: a light page, so that the room fills fast. */
const JOIN_PATH = 'guides/self-hosting/';
/** A lesson page loading in five browsers at once, on a shared machine: the move's wait plus the loads. */
const LOAD_MS = 30_000;

/** axe on `include` (our parts of the page), in both themes. */
async function axeInBothThemes(page: Page, include: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await useTheme(page, theme);
    found.push(...(await seriousViolations(page, include)).map((line) => `${theme}: ${line}`));
  }
  return found;
}

for (const language of ROOM_LANGUAGES) {
  const { t, prefix, lang } = language;
  const ex = EXERCISE_STRINGS[lang === 'en' ? 'en' : 'zh-CN'];
  /** The dashboard section's strings. */
  const d = CLASS_STRINGS[lang === 'en' ? 'en' : 'zh-CN'];

  test(`(${lang}) the instructor's notice reaches all five as text, the class moves (one detached attendee stays, sees where, then rejoins) and solutions lock, then open`, async ({ browser }) => {
    test.setTimeout(150_000);
    const room = await openRoom(browser, language, JOIN_PATH, { workshopNoticeMaxChars: 60 });
    const { instructor, attendees } = room;
    let alerted = false;
    for (const page of [instructor, ...attendees]) {
      page.on('dialog', (dialog) => {
        alerted = true;
        void dialog.dismiss();
      });
    }
    try {
      const section = instructor.locator('[data-class-actions]');
      const noticeForm = section.locator('[data-notice-form]');
      const text = noticeForm.getByLabel(d.noticeLabel);
      await expect(noticeForm.locator('[data-notice-help]')).toHaveText(d.noticeHelp(60));

      // A notice past the limit: the server's error, as it sent it.
      await text.fill('x'.repeat(61));
      await expect(noticeForm.locator('[data-notice-count]')).toHaveText(d.noticeCount(61, 60));
      await noticeForm.getByRole('button', { name: d.noticeSend }).click();
      await expect(noticeForm.getByRole('alert')).toContainText('INVALID_NOTICE: a notice is 1 to 60 characters (WORKSHOP_NOTICE_MAX_CHARS)');

      // Hostile HTML, on two lines: every attendee sees it as the text it is.
      const notice = `<img src=x onerror=alert(1)>\n${lang === 'en' ? 'Back at 10:40' : '10:40 回来'}`;
      await text.fill(notice);
      await noticeForm.getByRole('button', { name: d.noticeSend }).click();
      await expect(noticeForm.locator('[data-result]')).toHaveText(d.noticeSent);
      await expect(noticeForm.getByRole('alert')).toHaveText('');
      for (const page of attendees) {
        const line = page.getByRole('region', { name: t.bannerLabel }).locator('[data-line="notice"]');
        await expect(line.getByRole('status')).toContainText(t.noticeFrom);
        expect(await line.getByRole('status').textContent()).toBe(`${t.noticeFrom}${notice}`);
        await expect(line.locator('img')).toHaveCount(0);
      }
      const first = attendees[0] as Page;
      const banner = first.getByRole('region', { name: t.bannerLabel });
      // Line breaks kept; under Starlight's header, above the page's own heading, covering neither.
      expect(await banner.getByRole('status').first().evaluate((el) => (el as HTMLElement).innerText)).toContain('\n');
      const [header, box, heading] = await Promise.all([first.locator('header.header').boundingBox(), banner.boundingBox(), first.locator('main h1').first().boundingBox()]);
      expect(box!.y).toBeGreaterThanOrEqual(header!.y + header!.height - 1);
      expect(heading!.y).toBeGreaterThanOrEqual(box!.y + box!.height);
      await first.screenshot({ path: `test-results/workshop-banner-${lang}.png` });

      // Dismissed by keyboard, it stays dismissed on the next page of this visit; not dismissed, it shows again.
      await banner.getByRole('button', { name: t.dismiss }).focus();
      await first.keyboard.press('Enter');
      await expect(banner.getByRole('status').first()).toHaveText('');
      await first.reload();
      // The page has handled the `state` its control stream starts with (the lock's signal comes last).
      await expect(first.locator('html')).toHaveAttribute('data-rl-solutions', 'open');
      const second = attendees[1] as Page;
      await second.reload();
      await expect(second.getByRole('region', { name: t.bannerLabel }).getByRole('status').first()).toContainText(notice.split('\n')[1] as string);
      await expect(first.getByRole('region', { name: t.bannerLabel }).getByRole('status').first()).toHaveText('');

      // One attendee detaches; the others follow the instructor to an exercise of the SSE lesson, in their language.
      const detached = attendees[4] as Page;
      const panel = detached.getByRole('region', { name: t.joinTitle });
      await panel.getByRole('button', { name: t.detach }).click();
      await expect(panel.locator('[data-follow]')).toContainText(t.detached);
      const moveForm = section.locator('[data-move-form]');
      const picker = moveForm.getByLabel(d.moveLabel);
      const target = '/lessons/sse/#exercise-sse-named-events';
      const sse = ((await picker.locator('option[value="/lessons/sse/"]').textContent()) ?? '').trim();
      await picker.selectOption(target);
      expect(await axeInBothThemes(instructor, ['[data-class-actions]'])).toEqual([]);
      await section.screenshot({ path: `test-results/workshop-class-dashboard-${lang}.png` });
      await moveForm.getByRole('button', { name: d.moveButton }).click();
      const exerciseLabel = ((await picker.locator(`option[value="${target}"]`).textContent()) ?? '').replace(/^— /, '').trim();
      await expect(moveForm.locator('[data-result]')).toHaveText(d.moved(exerciseLabel));
      await expect(first.getByRole('region', { name: t.bannerLabel }).locator('[data-line="class"]')).toContainText(t.movingTo(sse));
      await expect(moveForm.locator('[data-last-move]')).toHaveText(d.lastMove(exerciseLabel));
      const landed = `${room.url}${prefix}lessons/sse/#exercise-sse-named-events`;
      for (const page of attendees.slice(0, 4)) await expect(page).toHaveURL(landed, { timeout: LOAD_MS });
      // The one who detached stays, and is told where the class is.
      const classLine = detached.getByRole('region', { name: t.bannerLabel }).locator('[data-line="class"]');
      await expect(classLine.getByRole('status')).toHaveText(t.classIsOn(sse));
      await expect(classLine.getByRole('link', { name: t.go })).toHaveAttribute('href', `${prefix}lessons/sse/#exercise-sse-named-events`);
      expect(new URL(detached.url()).pathname).toBe(`${prefix}${JOIN_PATH}`);
      // The banner with both its lines (this attendee kept the notice), and the panel, in both themes.
      expect(await axeInBothThemes(detached, ['[data-rl-banner]', '[data-rl-workshop]'])).toEqual([]);
      await detached.screenshot({ path: `test-results/workshop-banner-detached-${lang}.png` });

      // Locked while the class is there: the exercise says why, at once.
      const exercise = (page: Page) => page.locator('#exercise-sse-named-events');
      const showSolution = (page: Page) => exercise(page).getByRole('button', { name: ex['exercise.solution'] });
      const solutions = section.locator('[data-solutions]');
      await solutions.getByRole('button', { name: d.solutionsLock }).click();
      await expect(solutions.getByRole('status')).toHaveText(d.solutionsLocked);
      for (const page of attendees.slice(0, 4)) await expect(showSolution(page)).toBeDisabled();
      await expect(showSolution(first)).toHaveAccessibleDescription(ex['exercise.solution.locked']);
      await expect(exercise(first).locator('[data-locked-reason]')).toBeVisible();
      // Replace my code sits in the closed diff, out of the accessibility tree: by its action.
      await expect(exercise(first).locator('button[data-action="use-solution"]')).toHaveAttribute('aria-disabled', 'true');
      // A click on a locked Show solution shows nothing.
      await showSolution(first).click({ force: true });
      await expect(exercise(first).locator('[data-diff]')).toBeHidden();

      // Rejoining goes to where the class is, and the page it opens knows the lock (from `state`).
      await classLine.getByRole('button', { name: t.rejoin }).click();
      await expect(detached).toHaveURL(landed, { timeout: LOAD_MS });
      await expect(detached.getByRole('region', { name: t.joinTitle }).locator('[data-follow]')).toContainText(t.following);
      await expect(showSolution(detached)).toBeDisabled();

      // Revealed: enabled again for all five, and Show solution shows the diff.
      await solutions.getByRole('button', { name: d.solutionsReveal }).click();
      await expect(solutions.getByRole('status')).toHaveText(d.solutionsOpen);
      for (const page of attendees) await expect(showSolution(page)).toBeEnabled();
      await expect(exercise(first).locator('[data-locked-reason]')).toBeHidden();
      await showSolution(first).click();
      await expect(exercise(first).locator('[data-diff]')).toBeVisible();

      expect(alerted).toBe(false);
      expect(room.foreign).toEqual([]);
    } finally {
      await room.close();
    }
  });
}
