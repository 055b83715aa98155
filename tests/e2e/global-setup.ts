/**
 * Starts the real companion server on 127.0.0.1, port 0, serving the built site (dist/), and
 * hands its URL to the tests in RL_E2E_BASE_URL. Every sandbox runs from one address, so the
 * publish rate, connection and run limits are raised (each Run asks the server for a run, and
 * hundreds of them run from 127.0.0.1 within RUN_IDLE_MS). Returns the teardown that closes it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../../server/config.ts';
import { startServer } from '../server/helpers.ts';
import { SHARED_SERVER_LIMITS, SITE_DIR } from './helpers.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(path.join(SITE_DIR, 'index.html'))) {
    throw new Error(`The built site is missing (${SITE_DIR}): run \`npx astro build\` first; \`npm test\` builds it before it runs Playwright.`);
  }
  const server = await startServer({ siteDir: SITE_DIR, clockIntervalMs: DEFAULT_CONFIG.clockIntervalMs, ...SHARED_SERVER_LIMITS });
  process.env.RL_E2E_BASE_URL = server.url;
  return () => server.close();
}
