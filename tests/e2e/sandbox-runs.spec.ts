/**
 * How a run behaves and what it tells the reader: when it ends, why a request waits, where a
 * syntax error is, what the wire view says, and the code block itself (wrapping, palette, hints).
 */
import { expect, test } from '@playwright/test';
import { action, failFirstRequests, output, replaceCode, sandboxByTitle, wire } from './helpers.ts';

const ECHO = 'Talk to the echo server';
const ECHO_ZH = 3;
/** Chunks a sandbox loads on demand: `runner` on the first Run, `editor` on the first click on code. */
const CHUNK = { runner: /\/_astro\/runner\.[\w-]+\.js$/, editor: /\/_astro\/editor\.[\w-]+\.js$/ };
/** Six EventSources, counted as they open: the sixth one made is not always the last to open. */
const SIX_STREAMS = "let open = 0;\nfor (let i = 1; i <= 6; i++) new EventSource('/api/sse/clock').onopen = () => console.log('streams open:', ++open);";

test('a run whose code ended with every connection closed shows Finished, in English and Chinese', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('closed 1000 done');
  await expect(sandbox).toHaveAttribute('data-run', 'finished');
  await expect(sandbox.locator('[data-run-state]')).toHaveText('Finished');

  await page.goto('/zh-cn/playground/');
  const zh = page.locator('[data-rl-sandbox]').nth(ECHO_ZH);
  await action(zh, 'run').click();
  await expect(zh).toHaveAttribute('data-run', 'finished');
  await expect(zh.locator('[data-run-state]')).toHaveText('已完成');
});

test('a first Run whose runner fails to load once still runs', async ({ page }) => {
  const failed = await failFirstRequests(page, CHUNK.runner, 1);
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('closed 1000 done');
  await expect(sandbox).toHaveAttribute('data-run', 'finished');
  expect(failed()).toBe(1);
});

test('code whose editor fails to load once still becomes editable on the first click', async ({ page }) => {
  const failed = await failFirstRequests(page, CHUNK.editor, 1);
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(page, sandbox, "console.log('edited');");
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('edited');
  expect(failed()).toBe(1);
});

test('a Run whose runner fails to load twice says so in English and Chinese, and the next Run runs', async ({ page }) => {
  let failed = await failFirstRequests(page, CHUNK.runner, 2);
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await action(sandbox, 'run').click();
  await expect(sandbox.locator('[data-notice]')).toHaveText('The sandbox could not load what it needs to run code. Press Run to try again, or reload the page.');
  expect(failed()).toBe(2);
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('closed 1000 done');
  await expect(sandbox.locator('[data-notice]')).toBeEmpty();

  await page.unrouteAll();
  failed = await failFirstRequests(page, CHUNK.runner, 2);
  await page.goto('/zh-cn/playground/');
  const zh = page.locator('[data-rl-sandbox]').nth(ECHO_ZH);
  await action(zh, 'run').click();
  await expect(zh.locator('[data-notice]')).toHaveText('沙盒没能加载运行代码所需的文件。请再点一次运行重试，或刷新页面。');
  expect(failed()).toBe(2);
});

test('a run that still holds connections says how many, and finishes when the code closes them', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(
    page,
    sandbox,
    [
      "const a = new EventSource('/api/sse/clock');",
      "const b = new WebSocket('/api/echo');",
      "await new Promise((resolve) => b.addEventListener('open', resolve));",
      "console.log('both open');",
      "window.closeAll = () => { a.close(); b.close(); };",
      "setTimeout(() => { a.close(); b.close(); console.log('closed both'); }, 1500);",
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('both open');
  await expect(sandbox.locator('[data-run-state]')).toHaveText('Running · open connections: 2');
  await expect(output(sandbox)).toContainText('closed both');
  await expect(sandbox).toHaveAttribute('data-run', 'finished');
  await expect(sandbox.locator('[data-run-state]')).toHaveText('Finished');
});

test('a syntax error shows its line and column in the reader’s code, and stacks show no sandbox internals', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(page, sandbox, "console.log('first line');\nconst x = ;");
  await action(sandbox, 'run').click();
  const uncaught = output(sandbox).locator('.rl-sb-line[data-uncaught]');
  await expect(uncaught).toHaveText(/SyntaxError: Unexpected token ';' \(line 2, column 11\)/);
  await expect(uncaught).not.toContainText('about:srcdoc');
  await expect(uncaught).not.toContainText('Failed to execute');
  await expect(sandbox).toHaveAttribute('data-run', 'finished');

  await replaceCode(page, sandbox, "const ws = new WebSocket('/api/echo');\nws.send('too early');");
  await action(sandbox, 'run').click();
  await expect(uncaught).toContainText("InvalidStateError: Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.");
  await expect(uncaught).toContainText('at your-code.js:2:4');
  await expect(uncaught).not.toContainText('srcdoc');

  await page.goto('/zh-cn/playground/');
  const zh = page.locator('[data-rl-sandbox]').nth(ECHO_ZH);
  await replaceCode(page, zh, 'if (true) {\n  console.log(1)\n  )');
  await action(zh, 'run').click();
  await expect(output(zh).locator('.rl-sb-line[data-uncaught]')).toContainText('（第 3 行，第 3 列）');
});

test('six open streams hold back a request in another sandbox, the page says why, and Stop all frees them', async ({ page }) => {
  await page.goto('/playground/');
  const streams = sandboxByTitle(page, 'Listen to the clock with EventSource');
  const poll = sandboxByTitle(page, 'Poll the clock three times');
  await replaceCode(page, streams, SIX_STREAMS);
  // From the keyboard: the editor has just replaced the static code, and a click aims at
  // coordinates that can still move under it.
  await action(streams, 'run').press('Enter');
  await expect(output(streams)).toContainText('streams open: 6');
  await expect(action(streams, 'stop-all')).toBeHidden();

  await replaceCode(page, poll, "const res = await fetch('/api/poll/clock?limit=1');\nconsole.log('poll answered', res.status);");
  await action(poll, 'run').press('Enter');
  await expect(poll.locator('[data-notice]')).toContainText('at most six connections to one host', { timeout: 15_000 });
  await expect(poll.locator('[data-notice]')).toContainText('this page has 7 HTTP requests and streams open');
  await expect(wire(poll).locator('.rl-sb-event[data-pending="true"]')).toContainText('waiting for a free connection');
  await expect(output(poll)).not.toContainText('poll answered');

  await expect(action(poll, 'stop-all')).toBeVisible();
  await action(poll, 'stop-all').click();
  await expect(streams).toHaveAttribute('data-run', 'stopped');
  await expect(poll).toHaveAttribute('data-run', 'stopped');
  await expect(poll.locator('[data-notice]')).toContainText('Stopped every run on this page (2)');
  await expect(action(poll, 'run')).toBeFocused();

  await action(poll, 'run').click();
  await expect(output(poll)).toContainText('poll answered 200');
  await expect(poll).toHaveAttribute('data-run', 'finished');
});

test('an open stream with nothing new lengthens its bar in place, without redrawing its lane', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(page, sandbox, "new EventSource('/api/sse/quiet-' + Math.random().toString(36).slice(2)).onopen = () => console.log('open');");
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('open');
  await expect(wire(sandbox)).toContainText('connected');
  // A handle on the bar as drawn now: a redrawn lane would leave it detached, 0 px wide.
  const bar = await wire(sandbox).locator('.rl-sb-span[data-live]').elementHandle();
  const width = () => bar?.evaluate((element) => element.getBoundingClientRect().width) ?? 0;
  const first = await width();
  expect(first).toBeGreaterThan(0);
  await expect.poll(width).toBeGreaterThan(first);
  await action(sandbox, 'stop').click();
});

test('a snippet that stops answering while its request waits for a connection gets the explanation back as soon as it answers again', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  const notice = sandbox.locator('[data-notice]');
  // Every text the notice shows, in order: a blank between two explanations would be lost to polling.
  await notice.evaluate((element) => {
    const seen: string[] = [];
    Object.assign(window, { rlNotices: seen });
    new MutationObserver(() => seen.push(element.textContent ?? '')).observe(element, { childList: true, characterData: true, subtree: true });
  });
  await replaceCode(
    page,
    sandbox,
    [
      "await Promise.all(Array.from({ length: 6 }, () => new Promise((open) => (new EventSource('/api/sse/clock').onopen = open))));",
      "fetch('/api/poll/clock?limit=1');",
      "setTimeout(() => { const end = Date.now() + 6000; while (Date.now() < end); console.log('answering again'); }, 4000);",
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(notice).toContainText('at most six connections to one host', { timeout: 15_000 });
  await expect(output(sandbox)).toContainText('answering again', { timeout: 20_000 });
  await expect(sandbox).not.toHaveAttribute('data-stuck', 'true');
  await expect(notice).toContainText('at most six connections to one host');
  const seen = await page.evaluate(() => (window as unknown as { rlNotices: string[] }).rlNotices);
  const explained = seen.findIndex((text) => text.includes('at most six connections'));
  expect(explained).toBeGreaterThanOrEqual(0);
  expect(seen.slice(explained).some((text) => text.includes('The snippet is not responding'))).toBe(true);
  expect(seen.slice(explained)).not.toContain('');
  await action(sandbox, 'stop').click();
});

test('streams held by another tab hold back a request, and the page says so though it holds none itself', async ({ context }) => {
  const other = await context.newPage();
  await other.goto('/playground/');
  const streams = sandboxByTitle(other, 'Listen to the clock with EventSource');
  await replaceCode(other, streams, SIX_STREAMS);
  await action(streams, 'run').click();
  await expect(output(streams)).toContainText('streams open: 6');

  const page = await context.newPage();
  await page.goto('/zh-cn/playground/');
  const poll = page.locator('[data-rl-sandbox]').first();
  await replaceCode(page, poll, "const res = await fetch('/api/poll/clock?limit=1');\nconsole.log('poll answered', res.status);");
  await action(poll, 'run').press('Enter');
  await expect(poll.locator('[data-notice]')).toContainText('很可能已被其他标签页或窗口占满', { timeout: 15_000 });
  await expect(poll.locator('[data-notice]')).toContainText('最多只开 6 个连接');

  await action(streams, 'stop').click();
  await expect(output(poll)).toContainText('poll answered 200');
  await expect(poll.locator('[data-notice]')).toBeEmpty();
  await expect(poll.locator('[data-run-state]')).toHaveText('已完成');
});

test('six long polls the server holds are not said to be queued; only the request behind them waits for a free connection', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(
    page,
    sandbox,
    [
      "const channel = 'held-' + Math.random().toString(36).slice(2);",
      'for (let i = 1; i <= 6; i++) fetch(`/api/long-poll/${channel}?timeout=30`);',
      "fetch('/api/poll/clock?limit=1').then((res) => console.log('poll answered', res.status));",
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(sandbox.locator('[data-notice]')).toContainText('at most six connections to one host', { timeout: 15_000 });
  const queued = wire(sandbox).locator('.rl-sb-event[data-pending="true"]', { hasText: 'waiting for a free connection' });
  await expect(queued).toHaveCount(1);
  await expect(queued).toContainText('GET /api/poll/clock');
  await expect(wire(sandbox).locator('.rl-sb-event[data-pending="true"]')).toHaveCount(7);
  await action(sandbox, 'stop').click();
});

test('a long poll the server holds is never probed as if it were queued behind other tabs', async ({ page }) => {
  const probes: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/health') && request.frame() !== page.mainFrame()) probes.push(request.url());
  });
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(
    page,
    sandbox,
    [
      "const channel = 'held-' + Math.random().toString(36).slice(2);",
      'const res = await fetch(`/api/long-poll/${channel}?timeout=6`);',
      "console.log('long poll answered', res.status);",
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('long poll answered 204', { timeout: 15_000 });
  await expect(sandbox).toHaveAttribute('data-run', 'finished');
  expect(probes).toEqual([]);
  await expect(sandbox.locator('[data-notice]')).toBeEmpty();
});

test('timers tick while a run is running, and none is left on the page once it has finished', async ({ page }) => {
  // Counts the page's live intervals (the frame's are its own): the runner's must end with its runs.
  await page.addInitScript(() => {
    const live = new Set<unknown>();
    const set = window.setInterval.bind(window);
    const clear = window.clearInterval.bind(window);
    Object.assign(window, { rlLiveIntervals: live });
    window.setInterval = ((...args: Parameters<typeof setInterval>) => {
      const id = set(...args);
      live.add(id);
      return id;
    }) as typeof setInterval;
    window.clearInterval = ((id?: number) => {
      live.delete(id);
      clear(id);
    }) as typeof clearInterval;
  });
  await page.goto('/playground/');
  const liveIntervals = () => page.evaluate(() => (window as unknown as { rlLiveIntervals: Set<unknown> }).rlLiveIntervals.size);
  const before = await liveIntervals();
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(page, sandbox, "const ws = new WebSocket('/api/echo');\nwindow.done = () => ws.close();\nws.onopen = () => { console.log('open'); setTimeout(() => ws.close(), 300); };\nws.onclose = () => console.log('closed');");
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('open');
  expect(await liveIntervals()).toBeGreaterThan(before);
  await expect(output(sandbox)).toContainText('closed');
  await expect(sandbox).toHaveAttribute('data-run', 'finished');
  await expect.poll(liveIntervals).toBe(before);
  await expect(sandbox.locator('[data-run-state]')).toHaveText('Finished');
});

test('a syntax error in code with imports is not placed on the import line', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(page, sandbox, "import { a } from 'data:text/javascript,export const a = 1';\nconsole.log(a);\nconst x = ;");
  await action(sandbox, 'run').click();
  const uncaught = output(sandbox).locator('.rl-sb-line[data-uncaught]');
  await expect(uncaught).toContainText("SyntaxError: Unexpected token ';'");
  await expect(uncaught).not.toContainText('line 1,');
  await expect(sandbox).toHaveAttribute('data-run', 'finished');
});

test('the line printed just before a busy loop shows, and a long output says how many lines it dropped', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(page, sandbox, "for (let i = 1; i <= 620; i++) console.log('line', i);\nconsole.log('the last line before the loop');\nwhile (true) {}");
  await action(sandbox, 'run').click();
  await expect(sandbox).toHaveAttribute('data-stuck', 'true');
  await expect(output(sandbox)).toContainText('the last line before the loop');
  await expect(output(sandbox).locator('.rl-sb-dropped')).toHaveText('121 earlier lines dropped: the output keeps the last 500.');
  await expect(output(sandbox).locator('.rl-sb-line').nth(1)).toContainText('line 122');
  await action(sandbox, 'stop').click();
});

test('the wire view calls an aborted fetch aborted, never retrying, and counts a 304 as 0 B of body plus estimated headers', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(
    page,
    sandbox,
    [
      'const controller = new AbortController();',
      "const held = fetch('/api/long-poll/abort-test?timeout=30', { signal: controller.signal });",
      'setTimeout(() => controller.abort(), 300);',
      "try { await held; } catch (e) { console.log('aborted', e.name); }",
      'for (let i = 0; i < 5; i++) {',
      "  const first = await fetch('/api/poll/clock?limit=1');",
      "  const again = await fetch('/api/poll/clock?limit=1', { headers: { 'If-None-Match': first.headers.get('etag') } });",
      "  if (again.status === 304) { console.log('got 304'); break; }",
      '}',
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('aborted AbortError');
  const aborted = wire(sandbox).locator('.rl-sb-lane').filter({ hasText: '/api/long-poll/abort-test' });
  await expect(aborted).toHaveAttribute('data-state', 'aborted');
  await expect(aborted.locator('.rl-sb-lane-state')).toHaveText('aborted');
  await expect(aborted).toContainText('never retry');
  await expect(aborted).not.toContainText('retrying');

  await expect(output(sandbox)).toContainText('got 304');
  await expect(wire(sandbox).locator('.rl-sb-event', { hasText: '→ 304' })).toContainText(/304 Not Modified · 0 B body · ≈\d+ B headers/);
  await expect(sandbox.locator('[data-totals]')).toContainText(/in [\d.]+ K?B \+ ≈[\d.]+ K?B headers/);
  await expect(sandbox.locator('[data-sizes]')).toHaveText('Bodies, events and frames are counted; HTTP headers are estimated (≈).');
});

test('on Chinese pages the wire view speaks Chinese, and an API error reads as a Chinese sentence with the English message kept', async ({ page }) => {
  await page.goto('/zh-cn/playground/');
  const sandbox = page.locator('[data-rl-sandbox]').nth(ECHO_ZH);
  await replaceCode(
    page,
    sandbox,
    [
      "const res = await fetch('/api/poll/clock?limit=5000');",
      "console.log('状态', res.status);",
      "const ws = new WebSocket('/api/echo');",
      "ws.onopen = () => { ws.close(); ws.send('太晚了'); };",
      "await new Promise((resolve) => (ws.onclose = resolve));",
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('状态 400');
  const poll = wire(sandbox).locator('.rl-sb-lane[data-kind="fetch"]');
  await expect(poll).toContainText('INVALID_LIMIT: limit 必须是 1 到');
  await expect(poll).toContainText('服务器原文：limit must be an integer from 1 to');
  const ws = wire(sandbox).locator('.rl-sb-lane[data-kind="ws"]');
  await expect(ws).toContainText('握手 /api/echo');
  await expect(ws).toContainText('已打开');
  await expect(ws).toContainText('close() 之后调用了 send()');
  await expect(ws.locator('.rl-sb-lane-state')).toHaveText('已关闭');
  await expect(ws).not.toContainText(/handshake|\bopen\b|not clean/);
  await expect(sandbox).toHaveAttribute('data-run', 'finished');
});

test('long lines wrap on a phone by default, and the Wrap button toggles wrapping on a desktop, before and after the editor loads', async ({ page }) => {
  const longLine = `console.log('${'a long line that does not fit the column '.repeat(4)}');`;
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  const wrap = action(sandbox, 'wrap');
  await expect(wrap).toHaveAttribute('aria-pressed', 'false');
  const pre = sandbox.locator('[data-code-host] pre');
  await pre.evaluate((el, line) => {
    el.querySelector('code')?.append(`\n${line}`);
  }, longLine);
  const overflows = (selector: string) => sandbox.locator(selector).evaluate((el) => el.scrollWidth > el.clientWidth + 1);
  expect(await overflows('[data-code-host] pre')).toBe(true);
  await wrap.click();
  await expect(wrap).toHaveAttribute('aria-pressed', 'true');
  expect(await overflows('[data-code-host] pre')).toBe(false);

  await replaceCode(page, sandbox, longLine);
  expect(await overflows('.cm-scroller')).toBe(false);
  await wrap.click();
  await expect(wrap).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => overflows('.cm-scroller')).toBe(true);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/zh-cn/playground/');
  const phone = page.locator('[data-rl-sandbox]').nth(ECHO_ZH);
  await expect(action(phone, 'wrap')).toHaveAttribute('aria-pressed', 'true');
  await replaceCode(page, phone, longLine);
  expect(await phone.locator('.cm-scroller').evaluate((el) => el.scrollWidth > el.clientWidth + 1)).toBe(false);
});

test('the static code and the editor use the same tokens and colours, so nothing jumps when the editor loads', async ({ page }) => {
  // Night Owl's keyword colour in each theme (src/styles/code-tokens.css): both sides could match
  // each other and still have lost their colours.
  const KEYWORD = { dark: 'rgb(199, 146, 234)', light: 'rgb(136, 68, 174)' };
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/playground/');
    const sandbox = sandboxByTitle(page, ECHO);
    const tokens = (root: string) =>
      sandbox.locator(`${root} [class^="tok-"]`).evaluateAll((spans) => spans.map((span) => `${span.textContent}|${span.className}|${getComputedStyle(span).color}`));
    const before = await tokens('[data-code-host] pre');
    expect(before.length).toBeGreaterThan(10);
    expect(before.filter((token) => token.includes('|tok-keyword|')).map((token) => token.split('|')[2])).toContain(KEYWORD[scheme]);
    const box = await sandbox.locator('[data-code-host] pre').boundingBox();
    await sandbox.locator('[data-code-host] pre').click();
    await expect(sandbox.locator('.cm-editor')).toBeVisible();
    expect(await tokens('.cm-content')).toEqual(before);
    const after = await sandbox.locator('.cm-editor').boundingBox();
    expect(Math.abs((after?.height ?? 0) - (box?.height ?? 0))).toBeLessThanOrEqual(2);
  }
});

test('touch screens get no Ctrl+Enter hint; keyboards and mice do', async ({ browser }) => {
  for (const [hasTouch, visible] of [
    [true, false],
    [false, true],
  ] as const) {
    const context = await browser.newContext({ hasTouch, isMobile: hasTouch, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto('/zh-cn/playground/');
    const hint = page.locator('[data-rl-sandbox]').first().locator('.rl-sb-keys');
    if (visible) await expect(hint).toBeVisible();
    else await expect(hint).toBeHidden();
    await context.close();
  }
});

test('a share link that inflates past the cap is refused with a clear message, and code too long to share says so', async ({ page }) => {
  // 10 MB of one letter, deflated to a few KB: a link that must not be inflated whole.
  const bomb = new Uint8Array(await new Response(new Blob([new Uint8Array(10_000_000).fill(120)]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
  const payload = Buffer.from(bomb).toString('base64url');
  await page.goto('/zh-cn/playground/');
  const zh = page.locator('[data-rl-sandbox]').nth(ECHO_ZH);
  const id = (await zh.getAttribute('data-id')) as string;
  const original = JSON.parse((await zh.getAttribute('data-code')) as string) as string;
  await page.goto(`/zh-cn/playground/#sandbox=${id}.${payload}`);
  await page.reload();
  await expect(zh.locator('[data-notice]')).toHaveText('这段代码太长，无法放进分享链接：一个链接最多容纳 64 KB。');
  expect(JSON.parse((await zh.getAttribute('data-code')) as string)).toBe(original);

  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(page, sandbox, `// ${'x'.repeat(70_000)}`);
  await action(sandbox, 'share').click();
  await expect(sandbox.locator('[data-notice]')).toHaveText('This code is too long for a share link: the most a link may hold is 64 KB.');
  await expect(sandbox.locator('[data-share]')).toBeHidden();
});
