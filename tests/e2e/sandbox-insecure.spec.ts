/**
 * The sandbox on a plain-HTTP workshop address (http://192.168.x.x): not a secure context, so no
 * navigator.clipboard. Loopback counts as secure, so Chromium maps the name lab.test to
 * 127.0.0.1 and the page is opened as http://lab.test:PORT/.
 */
import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config.ts';
import type { Config } from '../../server/config.ts';
import { action, output, replaceCode, sandboxByTitle, startPrivateServer } from './helpers.ts';

const LAB_HOST = 'lab.test';

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${LAB_HOST} 127.0.0.1`] } });

test('on a plain-HTTP address Copy selects the code (or copies it the old way) and says so, and Share selects its link', async ({ page }) => {
  // For the integrator: once the server checks the Host header, lab.test must be allowed. The
  // option is passed through a cast, so this compiles whether or not `allowedHosts` exists yet.
  const server = await startPrivateServer({ allowedHosts: [LAB_HOST] } as Partial<Config>);
  try {
    await page.goto(`http://${LAB_HOST}:${server.port}/playground/`);
    expect(await page.evaluate(() => ({ secure: window.isSecureContext, clipboard: 'clipboard' in navigator }))).toEqual({ secure: false, clipboard: false });
    const sandbox = sandboxByTitle(page, 'Talk to the echo server');
    const code = JSON.parse((await sandbox.getAttribute('data-code')) as string) as string;

    await action(sandbox, 'copy').click();
    await expect(sandbox.locator('[data-notice]')).toHaveText(/^(Code copied\.|The code is selected: press Ctrl\+C)/);
    expect(await page.evaluate(() => getSelection()?.toString())).toBe(code);

    await replaceCode(page, sandbox, "console.log('edited on a workshop address');");
    await page.locator('h1').click();
    await action(sandbox, 'copy').click();
    await expect(sandbox.locator('[data-notice]')).toHaveText(/^(Code copied\.|The code is selected: press Ctrl\+C)/);
    await expect(sandbox.locator('.cm-editor')).toHaveClass(/cm-focused/);
    expect(await sandbox.locator('.cm-content').evaluate((el) => getSelection()?.toString().trim() === (el as HTMLElement).innerText.trim())).toBe(true);

    await action(sandbox, 'share').click();
    await expect(sandbox.locator('[data-notice]')).toContainText('The link is selected');
    await expect(sandbox.locator('[data-share-url]')).toBeFocused();

    // And the sandbox runs there too.
    await action(sandbox, 'run').click();
    await expect(output(sandbox)).toContainText('edited on a workshop address');
  } finally {
    await server.close();
  }
});
