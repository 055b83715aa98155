/**
 * When the server stops answering, a sandbox (and an exercise's Check) on an attendee's page in a workshop says the host's
 * server is not answering and to tell the instructor, not to start one with npm start; a reader
 * whose server is not in workshop mode still gets npm start. In a workshop: the page's server
 * was last seen in workshop mode (src/workshop/loader.ts), whether the attendee joined or not;
 * lab.test (mapped to 127.0.0.1 as in workshop-insecure) stands for the host's laptop.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import en from '../../content/i18n/en.json' with { type: 'json' };
import zh from '../../content/i18n/zh-CN.json' with { type: 'json' };
import { CHROMIUM_ARGS } from '../../playwright.config.ts';
import { exerciseStrings } from '../../src/exercises/strings.ts';
import { heroStrings } from '../../src/hero/strings.ts';
import { labStrings } from '../../src/lab/strings.ts';
import { action, output, startPrivateServer } from './helpers.ts';
import { joinAs, ROOM_LANGUAGES, ROOM_TOKEN } from './workshop-room.ts';

const LAB_HOST = 'lab.test';
/** A lesson with sandboxes and an exercise whose Check the test presses. */
const LESSON = 'lessons/websocket/';
const EXERCISE = 'ws-binary-echo';
const STRINGS: Record<string, Record<string, string>> = { en, 'zh-cn': zh };

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${LAB_HOST} 127.0.0.1`] } });

/** A sandbox string with its `{{base}}` filled in, as the page fills it. */
function say(lang: string, key: string, base: string): string {
  return (STRINGS[lang]?.[key] ?? key).replace('{{base}}', base);
}

/**
 * Runs the page's first sandbox while the server answers (the runner loads), stops it, then
 * stops the server with `stop` and presses Run again: the sandbox now finds no server.
 */
async function runAfterServerStops(page: Page, stop: () => Promise<void>): Promise<Locator> {
  const sandbox = page.locator('[data-rl-sandbox]').first();
  await expect(sandbox).toHaveAttribute('data-server', 'online');
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).not.toBeEmpty();
  await action(sandbox, 'stop').click();
  await stop();
  await action(sandbox, 'run').click();
  await expect(sandbox).toHaveAttribute('data-server', 'offline');
  return sandbox;
}

for (const language of ROOM_LANGUAGES) {
  test(`(${language.lang}) an attendee who joined the workshop is told the host's server is not answering, by Run and by Check, and not to run npm start`, async ({ browser }) => {
    const server = await startPrivateServer({ workshop: true, workshopToken: ROOM_TOKEN });
    const base = `${server.url}/`;
    const foreign: string[] = [];
    const context = await browser.newContext();
    let stopped = false;
    try {
      const page = await joinAs(context, server.url, language, LESSON, language.names[0], foreign);
      const exercise = page.locator(`[data-rl-exercise][data-id="${EXERCISE}"]`);
      const sandbox = await runAfterServerStops(page, async () => {
        // The exercise's editor loads while the server is there (Show solution, then use it).
        await exercise.locator('button[data-action="solution"]').first().click();
        await exercise.locator('[data-diff] button[data-action="use-solution"]').click();
        await expect(exercise.locator('.cm-editor')).toBeVisible();
        await server.close();
        stopped = true;
      });
      await expect(output(sandbox)).toContainText(say(language.lang, 'sandbox.run.unreachable.workshop', base));
      await expect(sandbox.locator('[data-offline]')).toBeVisible();
      await expect(sandbox.locator('[data-offline]')).toHaveText(say(language.lang, 'sandbox.server.help.workshop', base));
      await expect(sandbox).not.toContainText('npm start');

      await exercise.locator('button[data-action="check"]').first().click();
      const summary = exercise.locator('.rl-ex-summary');
      await expect(summary).toHaveAttribute('data-state', 'unreachable', { timeout: 20_000 });
      await expect(summary).toHaveText(exerciseStrings(language.lang)['state.unreachable.workshop']);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
      if (!stopped) await server.close();
    }
  });
}

test('a page from a workshop server says the host is not answering even when the reader has not joined, in a sandbox, the lab and the home page; a server without a workshop, npm start', async ({ browser }) => {
  const [remote, local] = [await startPrivateServer({ allowedHosts: [LAB_HOST], workshop: true, workshopToken: ROOM_TOKEN }), await startPrivateServer()];
  const open = new Set([remote, local]);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const remoteBase = `http://${LAB_HOST}:${remote.port}/`;
    await page.goto(`${remoteBase}playground/`);
    // The reader leaves the name prompt for later: still an attendee's page.
    await page.getByRole('region', { name: ROOM_LANGUAGES[0].t.joinTitle }).getByRole('button', { name: ROOM_LANGUAGES[0].t.joinLater }).click();
    // The lab, open in another tab of the same browser, loses the same server.
    const lab = await context.newPage();
    await lab.goto(`${remoteBase}lab/`);
    await expect(lab.locator('[data-start]')).toBeEnabled();
    // And the home page's live hero, live until the server goes.
    const home = await context.newPage();
    await home.goto(remoteBase);
    await expect(home.locator('[data-rl-hero]')).toHaveAttribute('data-state', 'live');
    const sandbox = await runAfterServerStops(page, async () => {
      await remote.close();
      open.delete(remote);
    });
    await expect(output(sandbox)).toContainText(say('en', 'sandbox.run.unreachable.workshop', remoteBase));
    await expect(sandbox.locator('[data-offline]')).toHaveText(say('en', 'sandbox.server.help.workshop', remoteBase));
    await lab.locator('[data-start]').click();
    await expect(lab.locator('[data-status]')).toHaveText(labStrings('en')['status.offline.workshop']);
    await expect(home.locator('[data-rl-hero]')).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
    await expect(home.locator('[data-offline-hint]')).toHaveText(heroStrings('en')['offline.hint.workshop']);

    await page.goto(`${local.url}/playground/`);
    const own = await runAfterServerStops(page, async () => {
      await local.close();
      open.delete(local);
    });
    await expect(output(own)).toContainText(say('en', 'sandbox.run.unreachable', `${local.url}/`));
    await expect(own.locator('[data-offline]')).toHaveText(say('en', 'sandbox.server.help', `${local.url}/`));
    await expect(own.locator('[data-offline]')).toContainText('npm start');
  } finally {
    await context.close();
    for (const server of open) await server.close();
  }
});
