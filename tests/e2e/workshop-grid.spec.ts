/**
 * The class grid as a room uses it (workshop mode, one instructor and five attendees, each in a
 * browser of their own), once per language on the WebSocket lesson: two attendees press Check on
 * an exercise (the starter fails: "working"), one puts the solution in through the page and
 * checks again ("passed"), the dashboard shows both and the common failing check; the other
 * raises a hand with their code, the instructor sees it in the queue and answers it; the export
 * downloads CSV and JSON with those rows; axe finds nothing serious on the dashboard in either
 * theme, and no page asked another origin.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { EXERCISES, type CodeExercise } from '../../src/exercises/catalog.ts';
import { checkTitle } from '../../src/exercises/strings.ts';
import { localizeComments } from '../../src/exercises/code-comments.ts';
import { seriousViolations, useTheme } from './axe-run.ts';
import { openRoom, ROOM_LANGUAGES } from './workshop-room.ts';

const EXERCISE = EXERCISES.find((e): e is CodeExercise => e.id === 'ws-ack') as CodeExercise;
/** A Check's own time bound, plus room for the page to start it and show the verdict. */
const VERDICT_SLACK_MS = 10_000;

function exerciseOn(page: Page): Locator {
  return page.locator(`[data-rl-exercise][data-id="${EXERCISE.id}"]`);
}

/** Presses Check and waits for the verdict; answers the summary's state. */
async function check(page: Page): Promise<string> {
  const exercise = exerciseOn(page);
  const finished = Number((await exercise.getAttribute('data-finished')) ?? 0);
  await exercise.locator('button[data-action="check"]').click();
  await expect(exercise).toHaveAttribute('data-finished', String(finished + 1), { timeout: EXERCISE.timeBoundMs + VERDICT_SLACK_MS });
  return (await exercise.locator('.rl-ex-summary').getAttribute('data-state')) ?? '';
}

for (const language of ROOM_LANGUAGES) {
  test(`(${language.lang}) Checks fill the class grid and the common failing checks; a raised hand with its code is queued and answered; the export has those rows`, async ({ browser }) => {
    test.setTimeout(180_000);
    const { t } = language;
    const lang = language.lang === 'en' ? 'en' : 'zh-CN';
    const room = await openRoom(browser, language, 'lessons/websocket/');
    try {
      const { instructor } = room;
      const [ada, grace] = room.attendees as [Page, Page];
      const [adaName, graceName] = language.names;
      const grid = instructor.locator('table[data-grid]');
      const cellOf = (name: string, exercise = EXERCISE.id) => grid.locator('tbody tr', { has: instructor.getByRole('rowheader', { name, exact: true }) }).locator(`td[data-exercise="${exercise}"]`);

      // Where everyone is: the page each attendee opened, as a link titled as the page is.
      const where = instructor.locator('table[data-where] tbody tr', { has: instructor.getByRole('rowheader', { name: adaName, exact: true }) });
      await expect(where.getByRole('link')).toHaveAttribute('href', `${language.prefix}lessons/websocket/`);
      await expect(where.getByRole('link')).toHaveText(await ada.title());
      await expect(cellOf(adaName)).toContainText(t.cellStates['not-started']);

      // Two attendees check the starter at once: it fails, and both cells say working, 1 Check.
      const states = await Promise.all([check(ada), check(grace)]);
      expect(states.every((state) => state !== 'passed'), `the starter fails: ${states}`).toBe(true);
      for (const name of [adaName, graceName]) {
        await expect(cellOf(name)).toHaveAttribute('data-state', 'working');
        await expect(cellOf(name)).toContainText(`${t.cellStates.working}${t.checks(1)}`);
      }
      // The check they failed heads the common failing checks, titled in the dashboard's language.
      const failed = await exerciseOn(ada).locator('.rl-ex-check[data-state="failed"]').first().getAttribute('data-check');
      const spec = EXERCISE.checks.find((c) => c.id === failed);
      expect(spec, `a failed check on the page: ${failed}`).toBeTruthy();
      const common = instructor.locator(`[data-common] li[data-check="${EXERCISE.id}/${failed}"]`);
      await expect(common).toContainText(checkTitle(spec!, lang));
      await expect(common).toContainText(t.commonCount(2, 2));

      // Grace puts the solution in through the page and checks again: passed.
      const exercise = exerciseOn(grace);
      await exercise.locator('button[data-action="solution"]').click();
      await exercise.locator('[data-diff] button[data-action="use-solution"]').click();
      await expect(exercise.locator('.cm-editor')).toBeVisible();
      expect(await check(grace)).toBe('passed');
      await expect(cellOf(graceName)).toHaveAttribute('data-state', 'passed');
      await expect(cellOf(graceName)).toContainText(t.checks(2));
      await expect(common).toContainText(t.commonCount(1, 2));

      // Ada raises her hand on the exercise: the queue has her name, page, failing check and code.
      const hand = exerciseOn(ada).getByRole('group', { name: t.handGroup });
      await hand.getByRole('button', { name: t.raiseHand }).click();
      await expect(hand.getByRole('status')).toHaveText(t.handUp);
      await expect(hand.getByRole('button', { name: t.lowerHand })).toHaveAttribute('aria-pressed', 'true');
      const queue = instructor.locator('[data-rl-help-queue]');
      const item = queue.locator('[data-queue] li');
      await expect(item).toHaveCount(1);
      await expect(item).toContainText(adaName);
      await expect(item).toContainText(checkTitle(spec!, lang));
      await expect(item.getByRole('link', { name: `${language.prefix}lessons/websocket/` })).toBeVisible();
      await expect(item.locator('pre')).toHaveText(localizeComments(EXERCISE.starter, lang));
      await expect(cellOf(adaName)).toHaveAttribute('data-state', 'stuck');

      // The attendee's page with its hand up, and the dashboard as the instructor sees it: axe on both, in both themes.
      for (const theme of ['light', 'dark'] as const) {
        await useTheme(ada, theme);
        expect(await seriousViolations(ada), `attendee page, ${theme} theme`).toEqual([]);
      }
      await exerciseOn(ada).screenshot({ path: `test-results/workshop-grid-hand-${language.lang}.png` });
      // The dashboard as the instructor sees it, and axe on it, in both themes.
      await instructor.setViewportSize({ width: 1400, height: 900 });
      for (const theme of ['light', 'dark'] as const) {
        await useTheme(instructor, theme);
        expect(await seriousViolations(instructor), `${theme} theme`).toEqual([]);
        await instructor.screenshot({ path: `test-results/workshop-grid-${language.lang}-${theme}.png`, fullPage: true });
      }

      // Exports, with the rows of those Checks and the hand.
      const save = async (format: 'csv' | 'json') => {
        const [download] = await Promise.all([instructor.waitForEvent('download'), instructor.getByRole('button', { name: format === 'csv' ? t.exportCsv : t.exportJson }).click()]);
        expect(download.suggestedFilename()).toMatch(new RegExp(`^workshop-[\\d-]+\\.${format}$`));
        await expect(instructor.locator('[data-export-status]')).toHaveText(t.exported(download.suggestedFilename()));
        return readFile((await download.path()) as string, 'utf8');
      };
      const csv = await save('csv');
      expect(csv).toContain(`"${adaName}",true,"${language.prefix}lessons/websocket/","${await ada.title()}","ws-ack","stuck",1,`);
      expect(csv).toContain(`"${graceName}",true,"${language.prefix}lessons/websocket/","${await grace.title()}","ws-ack","passed",2,"passed",""`);
      const json = JSON.parse(await save('json'));
      expect(json.rows.find((row: any) => row.name === adaName && row.exercise === 'ws-ack')).toMatchObject({ state: 'stuck', attempts: 1, hand_raised: true });
      expect(json.hands.map((h: any) => h.name)).toEqual([adaName]);

      // The instructor answers: the queue empties, and Ada's page says so.
      await item.getByRole('button', { name: t.queueAnswer(adaName) }).click();
      await expect(item).toHaveCount(0);
      await expect(queue.locator('[data-queue-empty]')).toBeVisible();
      await expect(hand.getByRole('status')).toHaveText(t.handAnswered);
      await expect(hand.getByRole('button', { name: t.raiseHand })).toHaveAttribute('aria-pressed', 'false');
      await expect(cellOf(adaName)).toHaveAttribute('data-state', 'working');
      // Raised again, then lowered by Ada herself: in the queue, then out of it.
      await hand.getByRole('button', { name: t.raiseHand }).click();
      await expect(item).toHaveCount(1);
      await hand.getByRole('button', { name: t.lowerHand }).click();
      await expect(hand.getByRole('status')).toHaveText(t.handLowered);
      await expect(item).toHaveCount(0);

      // Ada moves on to the quiz and checks it unanswered: where she is, and the quiz's cell, follow.
      await ada.goto(`${room.url}${language.prefix}lessons/choosing/`);
      await expect(where.getByRole('link')).toHaveAttribute('href', `${language.prefix}lessons/choosing/`);
      await ada.locator('[data-rl-quiz] button[type="submit"]').click();
      await expect(cellOf(adaName, 'choosing-quiz')).toHaveAttribute('data-state', 'working');

      expect(room.foreign).toEqual([]);
    } finally {
      await room.close();
    }
  });
}
