/** Locators and waits shared by the end-to-end tests. */
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { DEFAULT_CONFIG, type Config } from '../../server/config.ts';
import { parseExpect } from '../../src/sandbox/build/sandbox-expect.ts';
import { startServer } from '../server/helpers.ts';

/** The built site the tests serve: dist/, or RL_E2E_SITE_DIR (a build made with `astro build --outDir`). */
export const SITE_DIR = path.resolve(process.env.RL_E2E_SITE_DIR ?? path.join(import.meta.dirname, '../../dist'));

/** The sandbox with this title on the page. */
export function sandboxByTitle(page: Page, title: string): Locator {
  return page.locator('[data-rl-sandbox]').filter({ has: page.locator('[data-title]', { hasText: title }) });
}

export function output(sandbox: Locator): Locator {
  return sandbox.locator('[data-output]');
}

export function wire(sandbox: Locator): Locator {
  return sandbox.locator('[data-wire]');
}

export function action(sandbox: Locator, name: 'run' | 'stop' | 'stop-all' | 'reset' | 'copy' | 'share' | 'wrap'): Locator {
  return sandbox.locator(`button[data-action="${name}"]`);
}

/** The sandbox's `expect` as Playwright wants it: text, or a RegExp. */
export function expectation(value: string): string | RegExp {
  const parsed = parseExpect(value);
  return parsed.kind === 'text' ? parsed.text : parsed.pattern;
}

/** Types new code into a sandbox: clicking the code loads the editor. */
export async function replaceCode(page: Page, sandbox: Locator, code: string): Promise<void> {
  const editor = sandbox.locator('.cm-content');
  await sandbox.locator('[data-code-host] pre, .cm-content').first().click();
  await expect(editor).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  // insertText, not type: the editor would auto-indent typed newlines.
  await page.keyboard.insertText(code);
}

/** A server's open connections, from its /api/stats. */
export async function openConnections(page: Page, serverUrl: string): Promise<{ sse: number; websocket: number; longPoll: number; total: number }> {
  const response = await page.request.get(`${serverUrl}/api/stats`);
  return ((await response.json()) as { open: { sse: number; websocket: number; longPoll: number; total: number } }).open;
}

/**
 * The limits of the server every test shares (tests/e2e/global-setup.ts): every sandbox runs from
 * one address, so the publish rate, connection and run limits are raised (each Run asks the server
 * for a run, and hundreds of them run from 127.0.0.1 within RUN_IDLE_MS).
 */
export const SHARED_SERVER_LIMITS: Partial<Config> = {
  publishRatePerS: 100_000,
  publishBurst: 100_000,
  maxConnections: 100_000,
  maxConnectionsPerAddress: 100_000,
  maxRunsPerAddress: 10_000,
  maxRuns: 10_000,
};

/** A second, private companion server for tests that stop it or count its connections. */
export async function startPrivateServer(overrides: Partial<Config> = {}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = await startServer({ siteDir: SITE_DIR, clockIntervalMs: DEFAULT_CONFIG.clockIntervalMs, ...overrides });
  return { url: server.url, port: Number(new URL(server.url).port), close: () => server.close() };
}

/**
 * Makes the first `times` requests whose URL matches `url` fail as a dropped connection would, and
 * holds the later ones until `hold` settles; returns how many failed so far.
 */
export async function failFirstRequests(page: Page, url: RegExp, times: number, hold?: Promise<void>): Promise<() => number> {
  let failed = 0;
  await page.route(url, async (route) => {
    if (failed < times) {
      failed += 1;
      await route.abort('connectionreset');
      return;
    }
    await hold;
    await route.continue();
  });
  return () => failed;
}

/** A run's tap event, as the tests read it (server/runs/tap.ts has the whole shape). */
export interface TapEvent {
  kind: string;
  technique: string;
  text?: string;
  fault?: string;
}

/** How long a test reads a run's tap before it gives up. */
const TAP_WAIT_MS = 10_000;

/**
 * Reads a run's tap (GET /api/runs/:run/tap, SSE) from Node until `enough` holds or
 * TAP_WAIT_MS has passed, and returns the tap events seen.
 */
export async function readTap(base: string, run: string, enough: (events: TapEvent[]) => boolean): Promise<TapEvent[]> {
  const events: TapEvent[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TAP_WAIT_MS);
  try {
    const response = await fetch(`${base}/api/runs/${run}/tap`, { signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!/^event: tap$/m.test(block)) continue;
        const data = block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
        events.push(JSON.parse(data) as TapEvent);
      }
    }
  } catch (error) {
    // Aborted by the timer: the test's assertion says what was missing.
    if (!(error instanceof Error && error.name === 'AbortError')) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
