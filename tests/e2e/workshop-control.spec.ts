/**
 * Workshop mode, the control part, as a room sees it: the instructor opens the dashboard with the
 * link's ?token= (exchanged for a cookie), pings the room and reads the spread, one attendee
 * switches the control channel to WebSocket and still gets a notice, and the wire view shows the
 * ping's bytes. One room per language: an instructor and five attendees.
 */
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations, useTheme } from './axe-run.ts';
import { CONTROL_STRINGS } from '../../src/workshop/dashboard/control-strings.ts';
import { openRoom, ROOM_LANGUAGES, ROOM_TOKEN } from './workshop-room.ts';

/** The summary `c.pingSummary(answered, present, ...)` with any numbers for the round trips. */
function summaryPattern(summary: (answered: number, present: number, min: string, median: string, p90: string, max: string) => string, answered: number, present: number): RegExp {
  const parts = summary(answered, present, '§', '§', '§', '§').split('§').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('\\d+\\.\\d')}$`);
}

for (const language of ROOM_LANGUAGES) {
  const { lang, t } = language;
  const c = CONTROL_STRINGS[lang === 'en' ? 'en' : 'zh-CN'];
  test(`(${lang}) the instructor opens the dashboard with the link, pings the room and sees five answers; an attendee on WebSocket still gets a notice; the wire view shows the ping`, async ({ browser }) => {
    test.setTimeout(90_000);
    const room = await openRoom(browser, language);
    try {
      const { instructor, attendees } = room;
      // The token left the address bar; the browser holds an HttpOnly, SameSite=Strict cookie that is not the token.
      expect(new URL(instructor.url()).search).toBe('');
      const cookies = await instructor.context().cookies();
      expect(cookies.map(({ name, httpOnly, sameSite }) => ({ name, httpOnly, sameSite }))).toEqual([{ name: 'rl-instructor', httpOnly: true, sameSite: 'Strict' }]);
      expect(cookies[0]?.value).not.toContain(ROOM_TOKEN);

      // One attendee moves its control channel to WebSocket, from the panel.
      const onWs = attendees[4] as Page;
      const socketOpened = onWs.waitForEvent('websocket', (socket) => socket.url().endsWith('/ws'));
      await onWs.getByRole('region', { name: t.joinTitle }).getByLabel(t.transportLabel).selectOption('ws');
      const socket = await socketOpened;
      await socket.waitForEvent('framereceived', (frame) => String(frame.payload).includes('"welcome"'));
      await expect(onWs.getByRole('region', { name: t.joinTitle }).getByRole('status')).toHaveText(t.joined(language.names[4]));

      // Ping the room: five answers, the spread as text and as one mark per attendee.
      const ping = instructor.getByRole('region', { name: c.pingTitle }).or(instructor.locator('[data-ping-room]'));
      await ping.getByRole('button', { name: c.pingButton }).click();
      await expect(ping.getByRole('status')).toHaveText(summaryPattern(c.pingSummary, 5, 5));
      await expect(ping.locator('[data-ping-marks] line')).toHaveCount(5);

      // A notice sent from the instructor's page (its cookie) reaches the attendee on WebSocket as a frame.
      const text = lang === 'en' ? 'Back in 5 minutes' : '五分钟后回来';
      const noticeFrame = socket.waitForEvent('framereceived', (frame) => String(frame.payload).includes(text));
      const status = await instructor.evaluate(async (body) => (await fetch('/api/workshop/instructor/notices', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status, JSON.stringify({ text }));
      expect(status).toBe(201);
      expect(JSON.parse(String((await noticeFrame).payload))).toMatchObject({ event: 'notice', data: { text } });

      // The wire view: the ping's bytes, once, with who got it; the WebSocket attendee's pong came up as a frame.
      const wire = instructor.locator('[data-control-wire]');
      const pingRow = wire.locator('tr[data-wire-row="down"][data-event="ping"]');
      await expect(pingRow).toHaveCount(1);
      await expect(pingRow.locator('pre').first()).toContainText(/id: \d+\s+event: ping\s+data: \{"id":1,"sentAt":\d+\}/);
      await expect(pingRow).toContainText(c.wireDelivered('ping', 4, 1));
      await expect(wire.locator('tr[data-wire-row="up"]', { hasText: c.wireFrom(language.names[4], 'ws') })).toHaveCount(1);
      await expect(wire.locator('tr[data-wire-row="up"]', { hasText: c.wireFrom(language.names[0], 'post') }).filter({ hasText: '/pong → 204' })).toContainText('{"ping":1}');
      await expect(wire.locator('tr[data-wire-row="down"][data-event="notice"]')).toContainText(text);
      await expect(wire).not.toContainText(ROOM_TOKEN);

      // The attendee who switched transports still ran and reported its self-test.
      await expect(instructor.locator('table[data-attendees] tbody tr', { hasText: language.names[4] })).not.toContainText(t.notYet, { timeout: 20_000 });
      await instructor.setViewportSize({ width: 1280, height: 900 });
      await instructor.locator('[data-ping-room]').scrollIntoViewIfNeeded();
      for (const theme of ['light', 'dark'] as const) {
        await useTheme(instructor, theme);
        await instructor.screenshot({ path: `test-results/workshop-control-${lang}-${theme}.png`, fullPage: true });
        expect(await seriousViolations(instructor), `dashboard, ${theme}`).toEqual([]);
      }
      expect(await seriousViolations(onWs), 'attendee panel with the transport picker').toEqual([]);
      expect(room.foreign).toEqual([]);
    } finally {
      await room.close();
    }
  });
}
