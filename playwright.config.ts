import { defineConfig } from '@playwright/test';

/** Debian's Chromium, never a downloaded browser. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// tests/e2e/global-setup.ts starts the real companion server on a free port, serving dist/
// (npm test builds the site first), and passes its URL here through the environment: the
// workers load this file after the setup ran.
export default defineConfig({
  testDir: 'tests/e2e',
  globalSetup: './tests/e2e/global-setup.ts',
  workers: 2,
  fullyParallel: true,
  // No retries: a test that fails once under load has a cause to find. The two that did (search
  // never loading its UI; the six-streams sandbox test) were fixed: Pagefind's UI is loaded again
  // after a failed request, and the wire view no longer saturates a loaded page.
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['github']] : [['list']],
  use: {
    baseURL: process.env.RL_E2E_BASE_URL,
    browserName: 'chromium',
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'off',
    screenshot: 'off',
  },
});
