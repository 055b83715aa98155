/**
 * Workshop mode as attendees in a room see it: on a plain-HTTP address (http://192.168.x.x), not
 * a secure context. Loopback counts as secure, so Chromium maps lab.test to 127.0.0.1.
 */
import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config.ts';
import { WORKSHOP_STRINGS } from '../../src/workshop/strings.ts';
import { seriousViolations } from './axe-run.ts';
import { startPrivateServer } from './helpers.ts';

const LAB_HOST = 'lab.test';
const t = WORKSHOP_STRINGS.en;

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${LAB_HOST} 127.0.0.1`] } });

test('an attendee on a plain-HTTP address joins, passes the self-test, and the projector shows the code of that address', async ({ browser }) => {
  const server = await startPrivateServer({ workshop: true, allowedHosts: [LAB_HOST] });
  const base = `http://${LAB_HOST}:${server.port}`;
  const [room, laptop] = [await browser.newContext(), await browser.newContext()];
  try {
    const projector = await room.newPage();
    await projector.goto(`${base}/workshop/`);
    await expect(projector.locator('[data-url]')).toHaveText(`${base}/`);
    await expect(projector.locator('img[data-qr]')).toHaveAttribute('alt', `QR: ${base}/`);
    // Asked by the page, as its <img> does: the request carries the Host it was opened on.
    const svg = await projector.evaluate(() => fetch('/api/workshop/join-qr.svg').then((res) => res.text()));
    expect(svg).toContain(`<title>QR code: ${base}/</title>`);

    const page = await laptop.newPage();
    await page.goto(`${base}/lessons/sse/`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const panel = page.getByRole('region', { name: t.joinTitle });
    await expect(panel.getByLabel(t.joinLabel)).toBeVisible();
    expect(await seriousViolations(page), 'the name form passes axe').toEqual([]);
    await panel.getByLabel(t.joinLabel).fill('Grace');
    await panel.getByRole('button', { name: t.joinButton }).click();
    await expect(panel.locator('[data-self-test]')).toHaveText(t.selfTestDone(4, 4), { timeout: 20_000 });
    await expect(projector.locator('[data-count]')).toHaveText('1');
    await expect(projector.locator('[data-reported]')).toHaveText(t.selfTestReported(1));
    expect(await seriousViolations(page), 'the joined panel passes axe').toEqual([]);

    // The next page knows the name: it is asked once, and the attendee stays one.
    await page.goto(`${base}/lessons/websocket/`);
    await expect(panel.getByRole('status')).toHaveText(t.joined('Grace'));
    await expect(panel.getByLabel(t.joinLabel)).toHaveCount(0);
    await expect(projector.locator('[data-count]')).toHaveText('1');
  } finally {
    await Promise.all([room.close(), laptop.close()]);
    await server.close();
  }
});
