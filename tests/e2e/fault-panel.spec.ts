/**
 * The fault panel under every sandbox breaks the network for the sandbox's current run: in
 * Chromium, against the real server, in both languages. The server's own view of the run (its
 * tap, read from Node) shows what the browser did about it.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { action, output, readTap, replaceCode } from './helpers.ts';

/** The most a test waits for the tap to show what it expects. */
const LANGUAGES = [
  {
    lang: 'en',
    page: '/lessons/sse-reconnection/',
    dropped: /fault: Drop \(abrupt\) at \d+\.\d\d s/,
    resumed: /connected, lastEventId: "\S+-\d+"/,
    none: 'No fault in force.',
    inForce: /In force: .*refuseReconnects 204/,
    latency: 'In force: latencyMs 1000, jitterMs 500',
  },
  {
    lang: 'zh-CN',
    page: '/zh-cn/lessons/sse-reconnection/',
    dropped: /故障：断开（突然），发生在 \d+\.\d\d s/,
    resumed: /connected，lastEventId："\S+-\d+"/,
    none: '当前没有故障。',
    inForce: /当前故障：.*refuseReconnects 204/,
    latency: '当前故障：latencyMs 1000, jitterMs 500',
  },
];

/** The run id the page was issued for this sandbox's current Run. */
async function runIdOf(sandbox: Locator): Promise<string> {
  await expect(sandbox).toHaveAttribute('data-run-id', /^[A-Za-z0-9_-]{16,64}$/);
  return (await sandbox.getAttribute('data-run-id')) as string;
}

function panel(sandbox: Locator): Locator {
  return sandbox.locator('[data-fault-panel]');
}

function control(sandbox: Locator, name: string): Locator {
  return sandbox.locator(`[data-fault="${name}"]`);
}

/** Opens the sandbox's fault panel from the keyboard, as a reader without a mouse does. */
async function openPanel(page: Page, sandbox: Locator): Promise<void> {
  await panel(sandbox).locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(panel(sandbox)).toHaveAttribute('open', '');
}

for (const language of LANGUAGES) {
  test.describe(`the fault panel (${language.lang})`, () => {
    test('is collapsed, and its controls wait for a Run, then Drop (abrupt) makes EventSource reconnect with Last-Event-ID', async ({ page }) => {
      await page.goto(language.page);
      const base = new URL(page.url()).origin;
      const sandbox = page.locator('[data-rl-sandbox]').first();
      await expect(panel(sandbox)).not.toHaveAttribute('open', '');
      await openPanel(page, sandbox);
      await expect(control(sandbox, 'drop-abrupt')).toBeDisabled();
      await expect(sandbox.locator('[data-fault-hint]')).not.toBeEmpty();

      await action(sandbox, 'run').click();
      await expect(output(sandbox)).toContainText('tick');
      const run = await runIdOf(sandbox);
      await expect(control(sandbox, 'drop-abrupt')).toBeEnabled();
      await expect(sandbox.locator('[data-fault-state]')).toHaveText(language.none);
      await control(sandbox, 'drop-abrupt').click();

      // The output says when the fault took effect, and the browser reconnects by itself with the id it last saw.
      await expect(output(sandbox)).toContainText(language.dropped);
      await expect(output(sandbox)).toContainText(language.resumed);
      const events = await readTap(base, run, (seen) => seen.filter((event) => event.kind === 'request-head' && event.technique === 'sse').length >= 2);
      const heads = events.filter((event) => event.kind === 'request-head' && event.technique === 'sse');
      expect(heads).toHaveLength(2);
      expect(heads[0]?.text).not.toMatch(/^Last-Event-ID:/im);
      expect(heads[1]?.text).toMatch(/^Last-Event-ID: \S+-\d+\r$/im);
      expect(events.some((event) => event.kind === 'fault' && event.fault === 'drop-abrupt')).toBe(true);

      await action(sandbox, 'stop').click();
      await expect(control(sandbox, 'drop-abrupt')).toBeDisabled();
    });

    test('Refuse reconnect 204 makes an EventSource stop for good, and the next Run starts without the fault', async ({ page }) => {
      await page.goto(language.page);
      const base = new URL(page.url()).origin;
      const sandbox = page.locator('[data-rl-sandbox]').first();
      await replaceCode(
        page,
        sandbox,
        [
          "const source = new EventSource('/api/sse/clock');",
          "source.addEventListener('tick', (event) => console.log('tick', event.lastEventId));",
          'source.onerror = () => console.log(`error, readyState ${source.readyState}`);',
        ].join('\n'),
      );
      await action(sandbox, 'run').click();
      await expect(output(sandbox)).toContainText('tick');
      const run = await runIdOf(sandbox);
      await openPanel(page, sandbox);
      await control(sandbox, 'refuse').selectOption('204');
      await expect(sandbox.locator('[data-fault-state]')).toHaveText(language.inForce);
      await control(sandbox, 'drop-abrupt').click();

      // Dropped: the browser retries (readyState 0), is answered 204, and gives up (readyState 2).
      await expect(output(sandbox)).toContainText('error, readyState 0');
      await expect(output(sandbox)).toContainText('error, readyState 2');
      await expect(sandbox).toHaveAttribute('data-run', 'finished');
      const events = await readTap(base, run, (seen) => seen.some((event) => event.kind === 'fault' && event.fault === 'refuseReconnects 204'));
      expect(events.some((event) => event.kind === 'fault' && event.fault === 'refuseReconnects 204')).toBe(true);

      // Faults end with the run: a new Run has none, and the panel says so.
      await action(sandbox, 'run').click();
      await expect.poll(() => sandbox.getAttribute('data-run-id')).not.toBe(run);
      const next = await runIdOf(sandbox);
      await expect(sandbox.locator('[data-fault-state]')).toHaveText(language.none);
      await expect(control(sandbox, 'refuse')).toHaveValue('');
      const faults = (await (await fetch(`${base}/api/runs/${next}/faults`)).json()) as { refuseReconnects: unknown };
      expect(faults.refuseReconnects).toBeNull();
    });

    test('Latency with jitter is set on the run and shown in force, and Clear faults switches it off', async ({ page }) => {
      await page.goto(language.page);
      const base = new URL(page.url()).origin;
      const sandbox = page.locator('[data-rl-sandbox]').first();
      await action(sandbox, 'run').click();
      const run = await runIdOf(sandbox);
      await openPanel(page, sandbox);
      await expect(control(sandbox, 'latency')).toBeEnabled();
      await control(sandbox, 'latency').selectOption('1000');
      await control(sandbox, 'jitter').check();
      await expect(sandbox.locator('[data-fault-state]')).toHaveText(language.latency);
      const set = (await (await fetch(`${base}/api/runs/${run}/faults`)).json()) as { latencyMs: number; jitterMs: number };
      expect(set).toMatchObject({ latencyMs: 1000, jitterMs: 500 });

      await control(sandbox, 'clear').click();
      await expect(sandbox.locator('[data-fault-state]')).toHaveText(language.none);
      await expect(control(sandbox, 'latency')).toHaveValue('0');
      await expect(control(sandbox, 'jitter')).not.toBeChecked();
      const cleared = (await (await fetch(`${base}/api/runs/${run}/faults`)).json()) as { latencyMs: number; jitterMs: number };
      expect(cleared).toMatchObject({ latencyMs: 0, jitterMs: 0 });
    });
  });
}
