/**
 * The site's Content-Security-Policy in Chromium: sandboxes (srcdoc frames, which inherit the
 * page's policy) run under it, Starlight and Pagefind work under it, nothing is reported as a
 * violation, and another site cannot frame a lesson.
 */
import { expect, test, type Page } from '@playwright/test';
import { action, expectation, output, replaceCode, sandboxByTitle } from './helpers.ts';

/** Another origin, answered by the test itself: nothing leaves the machine. */
const OTHER_SITE = 'http://other.test';

/**
 * Collects the CSP violations Chromium reports in the page and in every frame in it, the
 * sandboxes' srcdoc frames included: its console messages, which no page script can intercept.
 */
function recordViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test('every sandbox on the playground runs under the page\'s CSP with no violation', async ({ page }) => {
  const violations = recordViolations(page);
  const response = await page.goto('/playground/');
  const policy = (await response?.headerValue('content-security-policy')) ?? '';
  expect(policy).toContain("frame-ancestors 'self'");
  expect(policy).toMatch(/connect-src 'self' ws:\/\/\S+ wss:\/\/\S+/);
  const sandboxes = page.locator('[data-rl-sandbox]');
  const count = await sandboxes.count();
  expect(count).toBeGreaterThanOrEqual(4);
  for (let i = 0; i < count; i++) {
    const sandbox = sandboxes.nth(i);
    await action(sandbox, 'run').click();
    await expect(output(sandbox)).toContainText(expectation((await sandbox.getAttribute('data-expect')) ?? ''), { timeout: 15_000 });
    await action(sandbox, 'stop').click();
  }
  expect(violations).toEqual([]);
});

test('a sandbox that reaches for another origin is stopped by the CSP, and the violation is seen', async ({ page }) => {
  // The check above is only as good as its listener: show that it hears a frame's violation.
  await page.route(`${OTHER_SITE}/**`, (route) => route.fulfill({ status: 200, body: 'reached' }));
  const violations = recordViolations(page);
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, 'Talk to the echo server');
  await replaceCode(page, sandbox, `fetch('${OTHER_SITE}/data').then(() => console.log('reached'), (error) => console.log('refused:', error.name));`);
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('refused: TypeError');
  await expect.poll(() => violations.join('\n')).toMatch(/connect-src/);
});

test('pages without sandboxes run Starlight\'s inline scripts by their hashes, and search works, with no violation', async ({ page }) => {
  const violations = recordViolations(page);
  for (const url of ['/', '/zh-cn/', '/no/such/page/']) {
    const response = await page.goto(url);
    const policy = (await response?.headerValue('content-security-policy')) ?? '';
    const scripts = /script-src ([^;]*)/.exec(policy)?.[1] ?? '';
    expect(scripts, url).toContain("'sha256-");
    expect(scripts, url).not.toContain("'unsafe-inline'");
    // Starlight's theme script ran: it sets data-theme before the first paint.
    await expect(page.locator('html')).toHaveAttribute('data-theme', /light|dark/);
  }
  await page.goto('/');
  await page.getByRole('button', { name: /search|搜索/i }).first().click();
  const field = page.getByRole('dialog').getByRole('textbox');
  await field.fill('long polling');
  await expect(page.getByRole('dialog').locator('.pagefind-ui__result').first()).toBeVisible();
  expect(violations).toEqual([]);
});

test('another site cannot frame a lesson; the site itself can', async ({ page, baseURL }) => {
  const lesson = `${baseURL}/lessons/polling/`;
  const framing = `<!doctype html><title>Framing</title><iframe src="${lesson}"></iframe>`;
  await page.route(`${OTHER_SITE}/`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: framing }));
  await page.goto(`${OTHER_SITE}/`);
  await page.locator('iframe').waitFor();
  await expect.poll(() => page.frames().map((frame) => frame.url())).toContain('chrome-error://chromewebdata/');
  await expect(page.frameLocator('iframe').locator('[data-rl-sandbox]')).toHaveCount(0);

  // The same frame from the site's own origin shows the lesson.
  await page.goto('/');
  await page.evaluate((src) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    document.body.append(frame);
  }, lesson);
  await expect(page.frameLocator('iframe').locator('[data-rl-sandbox]').first()).toBeVisible();
});
