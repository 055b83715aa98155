/**
 * A fault for everyone, as the room sees it: five attendees run the SSE lesson's clock sandbox,
 * the instructor presses "Drop every connection" on the dashboard, and each attendee is told in
 * their language and sees, in their own sandbox's wire view, where the drop took effect and the
 * reconnection that followed. One room per language.
 */
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations, useTheme } from './axe-run.ts';
import { action, output, wire } from './helpers.ts';
import { openRoom, ROOM_LANGUAGES } from './workshop-room.ts';

/** The wire view's mark of an abrupt drop, as wire-view.spec.ts reads it. */
const DROP_MARK = { en: 'the fault took effect here: drop (abrupt)', 'zh-cn': '故障在这里生效：断开（突然）' } as const;

for (const language of ROOM_LANGUAGES) {
  test(`(${language.lang}) the instructor drops everyone's connections: every attendee is told, and their own wire view shows the drop and the reconnect`, async ({ browser }) => {
    // A room is 12 pages in 6 browser contexts: on 2 shared cores it takes a while to fill.
    test.setTimeout(240_000);
    const room = await openRoom(browser, language, 'lessons/sse/');
    try {
      const { t } = language;
      const sandboxes = room.attendees.map((page) => page.locator('[data-rl-sandbox]').first());
      // "Listen to the clock": an EventSource that stays open.
      for (const sandbox of sandboxes) await action(sandbox, 'run').click();
      for (const sandbox of sandboxes) await expect(output(sandbox)).toContainText('tick');

      const faults = room.instructor.getByRole('region', { name: t.classFaultsTitle });
      await expect(faults).toBeVisible();
      await faults.getByRole('button', { name: t.classFaultButtons.drop }).click();
      const result = faults.getByRole('status');
      await expect(result).toContainText(t.classFaultButtons.drop);
      const runs = Number(await result.getAttribute('data-runs'));
      // The status says what was refused, if anything: name it when this fails.
      expect(runs, `every attendee's running sandbox was reached (the dashboard said: ${await result.textContent()})`).toBeGreaterThanOrEqual(room.attendees.length);

      for (const [i, page] of room.attendees.entries()) {
        await expect(page.locator('[data-rl-fault-notice]').getByRole('status')).toHaveText(t.classFault.drop);
        const lane = wire(sandboxes[i] as ReturnType<Page['locator']>).locator('.rl-sb-lane[data-kind="sse"]');
        await expect(lane.locator('.rl-wv-server .rl-wv-event[data-kind="fault"]')).toContainText(DROP_MARK[language.lang]);
        // The reconnect: a second request head, carrying the id the browser last saw.
        const heads = lane.locator('.rl-wv-server .rl-wv-event[data-kind="request-head"]');
        await expect(heads).toHaveCount(2);
        await expect(heads.nth(1)).toContainText(/Last-Event-ID: \S+-\d+/);
      }

      // The notice and the dashboard's section, in both themes (the same markup in either
      // language: swept in the English room only); the notice goes from the keyboard.
      const attendee = room.attendees[0] as Page;
      for (const page of language.lang === 'en' ? [room.instructor, attendee] : []) {
        for (const theme of ['light', 'dark'] as const) {
          await useTheme(page, theme);
          expect(await seriousViolations(page)).toEqual([]);
        }
      }
      const dismiss = attendee.locator('[data-rl-fault-notice]').getByRole('button', { name: t.classFaultDismiss });
      await dismiss.focus();
      await attendee.keyboard.press('Enter');
      await expect(attendee.locator('[data-rl-fault-notice]')).toBeHidden();

      // Clearing reaches the same runs, and every attendee hears it too.
      await faults.getByRole('button', { name: t.classFaultButtons.clear }).click();
      await expect(result).toContainText(t.classFaultButtons.clear);
      for (const page of room.attendees) await expect(page.locator('[data-rl-fault-notice]').getByRole('status')).toHaveText(t.classFault.clear);
      expect(room.foreign).toEqual([]);
    } finally {
      await room.close();
    }
  });
}
