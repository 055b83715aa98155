import { expect, test } from '@playwright/test';
import { action, openConnections, output, replaceCode, sandboxByTitle, startPrivateServer, wire } from './helpers.ts';

const ECHO = 'Talk to the echo server';

test('a reader edits the code, runs it, sees the edited output, and Reset brings the original back', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  const original = JSON.parse((await sandbox.getAttribute('data-code')) as string) as string;
  await replaceCode(page, sandbox, "const ws = new WebSocket('/api/echo');\nws.onopen = () => ws.send('edited by the reader');\nws.onmessage = (e) => console.log('got', e.data);");
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('got edited by the reader');
  await expect(output(sandbox)).not.toContainText('echo: hello');

  await action(sandbox, 'reset').click();
  await expect.poll(() => sandbox.locator('.cm-content').evaluate((el) => (el as HTMLElement).innerText.replace(/\u00a0/g, ' ').trimEnd())).toBe(original);
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('echo: hello');
});

test('Stop leaves the server with no connection from that run', async ({ page }) => {
  // A private server: its /api/stats counts this run's connections and nothing else.
  const server = await startPrivateServer();
  try {
    await page.goto(`${server.url}/playground/`);
    const sandbox = sandboxByTitle(page, ECHO);
    await replaceCode(
      page,
      sandbox,
      [
        "const source = new EventSource('/api/sse/stop-test');",
        "source.onopen = () => console.log('sse open');",
        "const ws = new WebSocket('/api/ws/stop-test');",
        "ws.onopen = () => console.log('ws open');",
        "fetch('/api/long-poll/stop-test?timeout=60');",
      ].join('\n'),
    );
    await action(sandbox, 'run').click();
    await expect(output(sandbox)).toContainText('sse open');
    await expect(output(sandbox)).toContainText('ws open');
    await expect(sandbox.locator('.rl-sb-lane[data-state="pending"]')).toContainText('/api/long-poll/stop-test');
    await expect.poll(() => openConnections(page, server.url)).toMatchObject({ sse: 1, websocket: 1, longPoll: 1, total: 3 });

    await action(sandbox, 'stop').click();
    await expect(sandbox).toHaveAttribute('data-run', 'stopped');
    await expect.poll(() => openConnections(page, server.url)).toMatchObject({ sse: 0, websocket: 0, longPoll: 0, total: 0 });
    await expect(sandbox.locator('.rl-sb-lane[data-state="pending"]')).toHaveCount(0);
  } finally {
    await server.close();
  }
});

test('the wire view shows polling requests, the pending long poll, SSE events with their ids, and WebSocket frames both ways', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(
    page,
    sandbox,
    [
      'for (let i = 1; i <= 2; i++) {',
      "  const res = await fetch('/api/poll/clock?limit=1');",
      "  console.log('poll', i, res.status);",
      '}',
      "fetch('/api/long-poll/wire-view-test?timeout=30');",
      "const source = new EventSource('/api/sse/clock');",
      "source.addEventListener('tick', (e) => console.log('tick id', e.lastEventId));",
      "const ws = new WebSocket('/api/echo');",
      "ws.onopen = () => ws.send('frame from the snippet');",
      "ws.onmessage = (e) => { console.log('echoed', e.data); ws.close(1000, 'bye'); };",
      'const xhr = new XMLHttpRequest();',
      "xhr.open('GET', '/api/health');",
      "xhr.onload = () => console.log('xhr', xhr.status);",
      'xhr.send();',
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('poll 2 200');
  await expect(output(sandbox)).toContainText('echoed frame from the snippet');
  await expect(output(sandbox)).toContainText('tick id');

  const polls = wire(sandbox).locator('.rl-sb-lane[data-kind="fetch"]').filter({ hasText: 'GET /api/poll/clock' });
  await expect(polls.locator('.rl-sb-event', { hasText: 'GET /api/poll/clock?limit=1 → 200' })).toHaveCount(2);

  const longPoll = wire(sandbox).locator('.rl-sb-lane').filter({ hasText: '/api/long-poll/wire-view-test' });
  await expect(longPoll).toHaveAttribute('data-state', 'pending');
  await expect(longPoll.locator('.rl-sb-event[data-pending="true"]')).toContainText('pending');

  const tickLine = await output(sandbox).locator('.rl-sb-msg', { hasText: 'tick id' }).first().innerText();
  const tickId = tickLine.replace('tick id', '').trim();
  const sse = wire(sandbox).locator('.rl-sb-lane[data-kind="sse"]');
  await expect(sse).toContainText(`tick id=${tickId}`);
  await expect(sse).toContainText('readyState 1 OPEN');

  const ws = wire(sandbox).locator('.rl-sb-lane[data-kind="ws"]');
  await expect(ws.locator('.rl-sb-event[data-tone="out"]', { hasText: '↑ 22 B frame from the snippet' })).toHaveCount(1);
  await expect(ws.locator('.rl-sb-event[data-tone="in"]', { hasText: '↓ 22 B frame from the snippet' })).toHaveCount(1);
  await expect(ws).toContainText('close 1000 "bye"');
  await expect(ws).toHaveAttribute('data-state', 'closed');

  await expect(output(sandbox)).toContainText('xhr 200');
  await expect(wire(sandbox).locator('.rl-sb-lane[data-kind="xhr"]')).toContainText('GET /api/health → 200');

  await expect(sandbox.locator('[data-totals]')).toContainText(/Requests: [6-9] /);
  await action(sandbox, 'stop').click();
  await expect(longPoll).toHaveAttribute('data-state', 'closed');
});

test('a snippet cannot read the page, its cookies or storage, navigate the top page, or forge messages', async ({ page }) => {
  await page.goto('/playground/');
  await page.evaluate(() => {
    localStorage.setItem('secret', 'host-storage-secret');
    document.cookie = 'secret=host-cookie-secret; path=/';
  });
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(
    page,
    sandbox,
    [
      'const attempts = {',
      '  parentDocument: () => parent.document.title,',
      '  cookie: () => document.cookie,',
      "  storage: () => localStorage.getItem('secret'),",
      "  topNavigation: () => { top.location.href = 'https://example.org/'; return 'no error'; },",
      '};',
      'for (const [name, attempt] of Object.entries(attempts)) {',
      '  try { console.log(name, "->", attempt()); } catch (e) { console.log(name, "blocked:", e.name); }',
      '}',
      "parent.postMessage({ token: 'guessed', batch: [{ k: 'log', t: 0, level: 'log', text: 'FORGED BY TOKEN' }] }, '*');",
      "console.log('attempts done');",
      "let beat = 0; setInterval(() => console.log('beat', ++beat), 100);",
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('attempts done');
  await expect(output(sandbox)).toContainText('parentDocument blocked: SecurityError');
  await expect(output(sandbox)).toContainText('cookie blocked: SecurityError');
  await expect(output(sandbox)).toContainText('storage blocked: SecurityError');
  await expect(output(sandbox)).toContainText('topNavigation blocked: SecurityError');
  await expect(output(sandbox)).not.toContainText('secret');
  await expect(output(sandbox)).not.toContainText('FORGED BY TOKEN');

  // A message with the run's token, but from the page instead of the frame, is dropped too.
  const token = await sandbox.locator('iframe').evaluate((frame) => /"token":"([0-9a-f]+)"/.exec((frame as HTMLIFrameElement).srcdoc)?.[1]);
  expect(token).toMatch(/^[0-9a-f]{32}$/);
  await page.evaluate((t) => window.postMessage({ token: t, batch: [{ k: 'log', t: 0, level: 'log', text: 'FORGED BY PAGE' }] }, '*'), token);
  const beats = output(sandbox).locator('.rl-sb-msg', { hasText: /^beat/ });
  const before = await beats.count();
  await expect.poll(() => beats.count()).toBeGreaterThanOrEqual(before + 3);
  await expect(output(sandbox)).not.toContainText('FORGED BY PAGE');

  await expect(page).toHaveURL(/\/playground\/$/);
  expect(await page.evaluate(() => localStorage.getItem('secret'))).toBe('host-storage-secret');
  const frame = sandbox.locator('iframe');
  await expect(frame).toHaveAttribute('sandbox', 'allow-scripts');
});

test('a busy-looping snippet does not freeze the page, and Stop recovers', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(page, sandbox, "console.log('before the loop');\nsetTimeout(() => { while (true) {} }, 200);");
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('before the loop');
  await expect(sandbox).toHaveAttribute('data-stuck', 'true');
  await expect(sandbox.locator('[data-notice]')).toContainText('not responding');

  // The page still paints and answers while the frame spins.
  const started = Date.now();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(Date.now() - started).toBeLessThan(1000);

  await action(sandbox, 'stop').focus();
  await page.keyboard.press('Enter');
  await expect(sandbox).toHaveAttribute('data-run', 'stopped');
  // Stop turns disabled: focus stays in the toolbar, on Run, not at the top of the page.
  await expect(action(sandbox, 'run')).toBeFocused();
  await expect(sandbox).not.toHaveAttribute('data-stuck', 'true');
  await expect(sandbox.locator('[data-notice]')).toBeEmpty();

  await replaceCode(page, sandbox, "console.log('running again');");
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('running again');
});

test('a share link restores the edited code, and Copy copies it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  const code = "// shared 共享\nconsole.log('from a shared link', 6 * 7);";
  await replaceCode(page, sandbox, code);
  await action(sandbox, 'share').click();
  const link = sandbox.locator('[data-share-url]');
  await expect(link).toHaveValue(/#sandbox=talk-to-the-echo-server\.[A-Za-z0-9_-]+$/);
  const url = await link.inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  await action(sandbox, 'copy').click();
  await expect(sandbox.locator('[data-notice]')).toContainText('copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);

  const other = await context.newPage();
  await other.goto(url);
  const restored = sandboxByTitle(other, ECHO);
  await expect(restored.locator('.cm-content')).toContainText('from a shared link');
  await expect(restored.locator('[data-notice]')).toContainText('shared link');
  await action(restored, 'run').click();
  await expect(output(restored)).toContainText('from a shared link 42');
  await action(restored, 'reset').click();
  await expect(restored.locator('.cm-content')).toContainText("ws.send('hello')");
  await expect(other).not.toHaveURL(/#sandbox=/);
  await other.close();
});

test('the sandbox says when the companion server is unreachable and how to start it', async ({ page }) => {
  const server = await startPrivateServer();
  let closed = false;
  try {
    await page.goto(`${server.url}/playground/`);
    const sandbox = sandboxByTitle(page, ECHO);
    await expect(sandbox).toHaveAttribute('data-server', 'online');
    await expect(sandbox.locator('[data-offline]')).toBeHidden();
    await server.close();
    closed = true;
    await action(sandbox, 'run').click();
    await expect(sandbox).toHaveAttribute('data-server', 'offline');
    await expect(sandbox.locator('[data-server-text]')).toHaveText('Server offline');
    await expect(sandbox.locator('[data-offline]')).toBeVisible();
    await expect(sandbox.locator('[data-offline]')).toContainText('npm start');
    await expect(sandbox.locator('[data-offline]')).toContainText(server.url);
  } finally {
    if (!closed) await server.close();
  }
});

test('a keyboard user tabs into the code, edits, runs with Ctrl+Enter, and leaves with Escape then Tab', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await sandbox.locator('[data-code-host] pre').focus();
  const editor = sandbox.locator('.cm-content');
  await expect(editor).toBeFocused();
  await expect(editor).toHaveAttribute('aria-label', /Talk to the echo server/);
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText("\nconsole.log('typed at the keyboard');");
  await page.keyboard.press('Control+Enter');
  await expect(output(sandbox)).toContainText('typed at the keyboard');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  await expect(action(sandbox, 'run')).toBeFocused();
  for (const name of ['run', 'stop', 'reset', 'copy', 'share'] as const) {
    await expect(action(sandbox, name)).toHaveAccessibleName(/\S/);
  }
  await expect(output(sandbox)).toHaveAttribute('role', 'log');
  await expect(output(sandbox)).toHaveAttribute('aria-live', 'polite');
});

test('on a phone-sized screen the sandbox fits the width and its controls stay usable', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/zh-cn/playground/');
  const sandbox = page.locator('[data-rl-sandbox]').nth(3);
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('回显：你好');
  const box = (await sandbox.boundingBox()) as { x: number; width: number };
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(360);
  for (const name of ['run', 'stop', 'reset', 'copy', 'share'] as const) {
    const button = (await action(sandbox, name).boundingBox()) as { x: number; width: number; height: number };
    expect(button.x + button.width).toBeLessThanOrEqual(360);
    expect(button.height).toBeGreaterThanOrEqual(32);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
});
