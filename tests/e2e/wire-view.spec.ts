/**
 * The wire view shows both sides of the wire: under each lane of what the browser saw, what the
 * server saw on that connection (the run's tap), on one time axis. In Chromium, against the real
 * server, in both languages: frame anatomy from the keyboard, the reconnect's Last-Event-ID after
 * Drop, a refused reconnect, Save run and Open run, filters, pause, follow, table mode and the
 * live region's throttle.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { action, output, replaceCode, startPrivateServer, wire } from './helpers.ts';

const LANGUAGES = [
  {
    lang: 'en',
    websocket: '/lessons/websocket/',
    reconnection: '/lessons/sse-reconnection/',
    maskedWhy: 'Why masked: the browser masks every frame it sends with a new random key',
    masked: 'masked: sent by the browser',
    unmasked: 'not masked: sent by the server',
    noKey: 'none',
    fault: 'the fault took effect here: drop (abrupt)',
    notRun: 'This file is not a saved run: the field “code” should be text.',
    notJson: 'This file is not a saved run: it is not JSON.',
    replaying: 'Replaying “Hello, echo”',
  },
  {
    lang: 'zh-CN',
    websocket: '/zh-cn/lessons/websocket/',
    reconnection: '/zh-cn/lessons/sse-reconnection/',
    maskedWhy: '为什么要掩码：浏览器发出的每一帧都用一个新的随机密钥做掩码',
    masked: '已掩码：由浏览器发出',
    unmasked: '未掩码：由服务器发出',
    noKey: '无',
    fault: '故障在这里生效：断开（突然）',
    notRun: '这个文件不是运行记录：字段“code”应当是文本。',
    notJson: '这个文件不是运行记录：它不是 JSON。',
    replaying: '正在回放“Hello, echo”',
  },
];

function serverSide(lane: Locator): Locator {
  return lane.locator('.rl-wv-server');
}

/** Opens a server mark's disclosure (head, chunk or frame anatomy) from the keyboard; answers what it discloses. */
async function openFromKeyboard(page: Page, button: Locator, key: 'Enter' | 'Space'): Promise<Locator> {
  await button.focus();
  await expect(button).toBeFocused();
  await page.keyboard.press(key);
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  const panel = page.locator(`#${await button.getAttribute('aria-controls')}`);
  await expect(panel).toBeVisible();
  return panel;
}

async function openPanel(page: Page, sandbox: Locator): Promise<void> {
  await sandbox.locator('[data-fault-panel] summary').focus();
  await page.keyboard.press('Enter');
  await expect(sandbox.locator('[data-fault-panel]')).toHaveAttribute('open', '');
}

for (const language of LANGUAGES) {
  test.describe(`the wire view (${language.lang})`, () => {
    test('a reader runs a WebSocket snippet and opens, from the keyboard, a client frame’s anatomy (masked, with its key) and a server frame’s (not masked)', async ({ page }) => {
      await page.goto(language.websocket);
      const sandbox = page.locator('[data-rl-sandbox]').first();
      // Run twice: the second Run's view is the one that answers the keyboard.
      await action(sandbox, 'run').click();
      await expect(output(sandbox)).toContainText('echo: hello');
      const first = await sandbox.getAttribute('data-run-id');
      await action(sandbox, 'run').click();
      await expect.poll(async () => [null, first].includes(await sandbox.getAttribute('data-run-id'))).toBe(false);
      await expect(output(sandbox)).toContainText('echo: hello');
      const lane = wire(sandbox).locator('.rl-sb-lane[data-kind="ws"]');
      await expect(lane).toHaveCount(1);
      // The server's side sits under the browser's lane: the handshake as received, then the frames.
      await expect(serverSide(lane).locator('.rl-wv-event[data-kind="request-head"]')).toContainText('GET /api/echo');
      await expect(serverSide(lane).locator('.rl-wv-event[data-kind="response-head"]')).toContainText('HTTP/1.1 101 Switching Protocols');

      const clientFrame = serverSide(lane).locator('.rl-wv-event[data-kind="ws-frame"][data-way="up"] button[data-wv-open]').first();
      await expect(clientFrame).toContainText('↑ text');
      const client = await openFromKeyboard(page, clientFrame, 'Enter');
      await expect(client).toContainText('MASK');
      await expect(client).toContainText(language.masked);
      await expect(client).toContainText(/\b[0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}\b/);
      await expect(client).toContainText('0x1 text');
      await expect(client).toContainText('hello');
      await expect(client).toContainText(language.maskedWhy);

      const serverFrame = serverSide(lane).locator('.rl-wv-event[data-kind="ws-frame"][data-way="down"] button[data-wv-open]').first();
      const server = await openFromKeyboard(page, serverFrame, 'Space');
      await expect(server).toContainText(language.unmasked);
      await expect(server.locator('dd').nth(4)).toHaveText(language.noKey);
      // Not masked: the bytes as sent are the text itself, "hello" in UTF-8.
      await expect(server).toContainText('68 65 6c 6c 6f');
      // Both stay open, and Enter closes what it opened.
      await expect(client).toBeVisible();
      await serverFrame.focus();
      await page.keyboard.press('Enter');
      await expect(serverFrame).toHaveAttribute('aria-expanded', 'false');
      await expect(server).toBeHidden();
      await action(sandbox, 'stop').click();
    });

    test('a reader runs the SSE reconnection snippet, presses Drop, and sees in the server lane where the drop took effect and the reconnect’s head with Last-Event-ID', async ({ page }) => {
      await page.goto(language.reconnection);
      const sandbox = page.locator('[data-rl-sandbox]').first();
      await openPanel(page, sandbox);
      await action(sandbox, 'run').click();
      await expect(output(sandbox)).toContainText('tick');
      await sandbox.locator('[data-fault="drop-abrupt"]').click();
      const lane = wire(sandbox).locator('.rl-sb-lane[data-kind="sse"]');
      await expect(lane).toHaveCount(1);
      await expect(serverSide(lane).locator('.rl-wv-event[data-kind="fault"]')).toContainText(language.fault);
      const heads = serverSide(lane).locator('.rl-wv-event[data-kind="request-head"]');
      await expect(heads).toHaveCount(2);
      await expect(heads.first()).not.toContainText('Last-Event-ID');
      await expect(heads.nth(1)).toContainText(/Last-Event-ID: \S+-\d+/);
      // The whole head is there to read.
      const head = await openFromKeyboard(page, heads.nth(1).locator('button[data-wv-open]'), 'Enter');
      await expect(head).toContainText(/^GET \/api\/sse\/clock HTTP\/1\.1$/m);
      await expect(head).toContainText(/^Last-Event-ID: \S+-\d+$/m);
      // SSE chunks as written, their fields visible.
      await expect(serverSide(lane).locator('.rl-wv-event[data-kind="sse"]', { hasText: /id: \S+-\d+ · event: tick · data: / }).first()).toBeVisible();
      // No server connection is left without its browser lane.
      await expect(wire(sandbox).locator('.rl-wv-alone')).toHaveCount(0);
    });

    test('a reader refuses reconnects with 204 and sees the EventSource stop, and the server’s 204 head in its lane', async ({ page }) => {
      await page.goto(language.reconnection);
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
      await openPanel(page, sandbox);
      await sandbox.locator('[data-fault="refuse"]').selectOption('204');
      await expect(sandbox.locator('[data-fault-state]')).toContainText('refuseReconnects 204');
      await sandbox.locator('[data-fault="drop-abrupt"]').click();
      await expect(output(sandbox)).toContainText('error, readyState 2');
      const lane = wire(sandbox).locator('.rl-sb-lane[data-kind="sse"]');
      await expect(lane).toHaveAttribute('data-state', /^(failed|closed)$/);
      await expect(serverSide(lane).locator('.rl-wv-event[data-kind="response-head"]', { hasText: 'HTTP/1.1 204 No Content' })).toHaveCount(1);
      await expect(serverSide(lane).locator('.rl-wv-event[data-kind="fault"]', { hasText: 'refuseReconnects 204' })).toHaveCount(1);
      await expect(sandbox).toHaveAttribute('data-run', 'finished');
    });
  });
}

test('a long poll the server holds shows as held, then released with its reason, on the lane of its path, bytes counted with headers', async ({ page }) => {
  await page.goto('/zh-cn/playground/');
  const sandbox = page.locator('[data-rl-sandbox]').first();
  await replaceCode(
    page,
    sandbox,
    [
      "const channel = 'held-' + Math.random().toString(36).slice(2);",
      'const res = await fetch(`/api/long-poll/${channel}?timeout=1`);',
      "console.log('released', res.status);",
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('released 204');
  const lane = wire(sandbox).locator('.rl-sb-lane[data-kind="fetch"]');
  await expect(lane).toHaveCount(1);
  await expect(serverSide(lane).locator('.rl-wv-event[data-kind="hold"]')).toHaveText(/挂起：暂时没有新消息/);
  await expect(serverSide(lane).locator('.rl-wv-event[data-kind="release"]')).toHaveText(/释放：等待超时/);
  await expect(serverSide(lane).locator('.rl-wv-event[data-kind="response-head"]')).toContainText('HTTP/1.1 204 No Content');
  await expect(serverSide(lane).locator('.rl-wv-side')).toHaveText(/^服务器 · ↑ \d+ B ↓ \d+ B，含头部$/);
});

test('a reader saves a run and replays it in another sandbox and on the Chinese page, with the same server events and no request to the server; a broken file gets a clear error', async ({ page }) => {
  await page.goto('/lessons/websocket/');
  const echo = page.locator('[data-rl-sandbox]').first();
  await action(echo, 'run').click();
  await expect(output(echo)).toContainText('echo: hello');
  const lane = wire(echo).locator('.rl-sb-lane[data-kind="ws"]');
  await expect(serverSide(lane).locator('.rl-wv-event[data-kind="ws-frame"]')).toHaveCount(2);
  await action(echo, 'stop').click();
  await expect(serverSide(lane).locator('.rl-wv-event[data-kind="ws-frame"]')).toHaveCount(4);
  await expect(serverSide(lane).locator('.rl-wv-event[data-kind="close"]')).toHaveCount(1);
  const original = await serverSide(lane).locator('.rl-wv-event').allInnerTexts();

  const [download] = await Promise.all([page.waitForEvent('download'), echo.locator('button[data-wv="save"]').click()]);
  expect(download.suggestedFilename()).toMatch(/^realtime-lab-run-[\w-]+\.json$/);
  const file = (await download.path()) as string;
  const saved = JSON.parse(await readFile(file, 'utf8')) as { format: string; version: number; code: string; server: { kind: string; frame?: { opcodeName: string } }[]; browser: unknown[] };
  expect(saved).toMatchObject({ format: 'realtime-lab-run', version: 1 });
  expect(saved.code).toContain("new WebSocket('/api/echo')");
  // hello and its echo, then the close frames both ways that Stop caused.
  expect(saved.server.filter((event) => event.kind === 'ws-frame').map((event) => event.frame?.opcodeName)).toEqual(['text', 'text', 'close', 'close']);
  expect(saved.browser.length).toBeGreaterThan(0);

  // Another sandbox on the page, never run: the replay runs nothing and asks the server nothing.
  const other = page.locator('[data-rl-sandbox]').nth(1);
  const requests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) requests.push(request.url());
  });
  await other.locator('[data-open-run]').setInputFiles(file);
  await expect(other.locator('[data-notice]')).toContainText(LANGUAGES[0]?.replaying as string);
  await expect(other).toHaveAttribute('data-run', 'replay');
  const replayed = wire(other).locator('.rl-sb-lane[data-kind="ws"]');
  await expect(serverSide(replayed).locator('.rl-wv-event')).toHaveCount(original.length);
  expect(await serverSide(replayed).locator('.rl-wv-event').allInnerTexts()).toEqual(original);
  await expect(output(other)).toContainText('echo: hello');
  await expect(other.locator('[data-replay-code] pre')).toHaveText(saved.code);
  const anatomy = await openFromKeyboard(page, serverSide(replayed).locator('.rl-wv-event[data-way="up"][data-kind="ws-frame"] button').first(), 'Enter');
  await expect(anatomy).toContainText(LANGUAGES[0]?.masked as string);
  expect(requests).toEqual([]);

  // A file that is not a run says which field was wrong, in the page's language.
  const broken = { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'realtime-lab-run', version: 1, title: 'x', code: 5 })) };
  await other.locator('[data-open-run]').setInputFiles(broken);
  await expect(other.locator('[data-notice]')).toHaveText(LANGUAGES[0]?.notRun as string);
  await other.locator('[data-open-run]').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('hello') });
  await expect(other.locator('[data-notice]')).toHaveText(LANGUAGES[0]?.notJson as string);

  await page.goto('/zh-cn/lessons/websocket/');
  const zh = page.locator('[data-rl-sandbox]').first();
  await zh.locator('[data-open-run]').setInputFiles(file);
  await expect(zh.locator('[data-notice]')).toContainText(LANGUAGES[1]?.replaying as string);
  const zhLane = wire(zh).locator('.rl-sb-lane[data-kind="ws"]');
  await expect(serverSide(zhLane).locator('.rl-wv-event')).toHaveCount(original.length);
  await expect(serverSide(zhLane).locator('.rl-wv-event[data-way="up"][data-kind="ws-frame"]').first()).toContainText('已掩码');
  await zh.locator('[data-open-run]').setInputFiles(broken);
  await expect(zh.locator('[data-notice]')).toHaveText(LANGUAGES[1]?.notRun as string);
});

const CHATTY = [
  "const socket = new WebSocket('/api/echo');",
  'let n = 0;',
  'socket.onopen = () => {',
  '  const timer = setInterval(() => {',
  "    socket.send('n' + ++n);",
  '    if (n === 120) clearInterval(timer);',
  '  }, 100);',
  '};',
  'socket.onmessage = (event) => {',
  "  console.log('echo', event.data);",
  "  if (event.data === 'n120') socket.close(1000, 'done');",
  '};',
].join('\n');

test('filters, Pause, Follow the tail and the table mode work, and the live region speaks at most every few seconds, only while following', async ({ page }) => {
  await page.goto('/playground/');
  const sandbox = page.locator('[data-rl-sandbox]').first();
  await replaceCode(page, sandbox, CHATTY);
  await action(sandbox, 'run').click();
  const tools = sandbox.locator('[data-wire-tools]');
  const live = tools.locator('[data-wv-live]');
  await expect(live).toHaveAttribute('role', 'status');
  // Every change of the live region's text, with when it happened.
  await live.evaluate((node) => {
    const said: { at: number; text: string }[] = [];
    (window as unknown as { said: typeof said }).said = said;
    new MutationObserver(() => said.push({ at: performance.now(), text: node.textContent ?? '' })).observe(node, { childList: true, characterData: true, subtree: true });
  });
  const said = () => page.evaluate(() => (window as unknown as { said: { at: number; text: string }[] }).said);
  const lane = wire(sandbox).locator('.rl-sb-lane[data-kind="ws"]');
  const serverRows = serverSide(lane).locator('.rl-wv-event');

  // Pause: nothing new is drawn, and the view says how much came since.
  await expect(output(sandbox)).toContainText('echo n5');
  await tools.locator('button[data-wv="pause"]').click();
  await expect(tools.locator('button[data-wv="pause"]')).toHaveAttribute('aria-pressed', 'true');
  const frozen = await serverRows.allInnerTexts();
  await expect(tools.locator('[data-wv-new]')).toHaveText(/^\d+ new$/);
  await expect(output(sandbox)).toContainText('echo n15');
  expect(await serverRows.allInnerTexts()).toEqual(frozen);
  await tools.locator('button[data-wv="pause"]').click();
  await expect(tools.locator('[data-wv-new]')).toHaveText('');
  await expect.poll(async () => (await serverRows.allInnerTexts()).length).toBeGreaterThan(frozen.length);

  // While following, the live region sums up; never twice within ANNOUNCE_EVERY_MS (5 s).
  await expect.poll(async () => (await said()).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  const spoken = await said();
  for (const entry of spoken) expect(entry.text).toMatch(/^\d+ new events on the wire$/);
  for (let i = 1; i < spoken.length; i++) expect((spoken[i]?.at ?? 0) - (spoken[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(4900);
  // Not following the tail: the region is silent.
  await tools.locator('button[data-wv="follow"]').click();
  await expect(tools.locator('button[data-wv="follow"]')).toHaveAttribute('aria-pressed', 'false');
  const before = (await said()).length;
  await expect(output(sandbox)).toContainText('echo n120', { timeout: 20_000 });
  await expect(lane).toHaveAttribute('data-state', 'closed');
  await expect(serverSide(lane).locator('.rl-wv-event[data-kind="close"]')).toHaveCount(1);
  expect((await said()).length).toBe(before);

  // Direction: hide what the browser sent, on both sides.
  await expect(serverSide(lane).locator('.rl-wv-event[data-way="up"]').first()).toBeVisible();
  await tools.locator('input[data-wv-way="up"]').uncheck();
  await expect(serverSide(lane).locator('.rl-wv-event[data-way="up"]')).toHaveCount(0);
  await expect(lane.locator('.rl-sb-event[data-tone="out"]')).toHaveCount(0);
  await expect(serverSide(lane).locator('.rl-wv-event[data-way="down"]').first()).toBeVisible();
  await tools.locator('input[data-wv-way="up"]').check();
  // Control frames: the close frames go, the text frames stay.
  await expect(serverSide(lane).locator('.rl-wv-event[data-control]').first()).toBeVisible();
  await tools.locator('input[data-wv-control]').uncheck();
  await expect(serverSide(lane).locator('.rl-wv-event[data-control]')).toHaveCount(0);
  await expect(serverSide(lane).locator('.rl-wv-event[data-kind="ws-frame"]').first()).toBeVisible();
  await tools.locator('input[data-wv-control]').check();
  // Technique: the WebSocket lane hides.
  await tools.locator('input[data-wv-kind="ws"]').uncheck();
  await expect(lane).toBeHidden();
  await tools.locator('input[data-wv-kind="ws"]').check();
  await expect(lane).toBeVisible();

  // Table mode: the same events as a real table, both sides.
  await tools.locator('button[data-wv="table"]').click();
  await expect(wire(sandbox)).toBeHidden();
  const table = sandbox.locator('[data-wire-table] table');
  await expect(table).toBeVisible();
  await expect(table.locator('thead th')).toHaveText(['Time', 'Side', 'Connection', 'Direction', 'Kind', 'What', 'Bytes']);
  // 120 echoes seen from both sides are more than MAX_TABLE_ROWS (300): the caption says how many are left out.
  await expect(table.locator('caption')).toContainText(/\d+ earlier events/);
  await expect(table.locator('tbody tr')).toHaveCount(300);
  await expect(table.locator('tbody tr[data-side="browser"]').first()).toBeVisible();
  const frameRow = table.locator('tbody tr[data-side="server"]', { hasText: 'WebSocket frame' }).first();
  await expect(frameRow.locator('td').nth(6)).toHaveText(/^\d+ B$/);
  await tools.locator('input[data-wv-control]').uncheck();
  await expect(table.locator('tbody tr', { hasText: '↓ close' })).toHaveCount(0);
  await tools.locator('input[data-wv-control]').check();
  await expect(table.locator('tbody tr', { hasText: '↓ close' })).toHaveCount(1);
  await tools.locator('button[data-wv="table"]').click();
  await expect(wire(sandbox)).toBeVisible();
  await expect(sandbox.locator('[data-wire-table]')).toBeHidden();
});

test('past three live runs on a page, the oldest run’s server side waits, says so, catches up when a newer run stops, and says how many first events the server no longer kept (MAX_TAP_BYTES)', async ({ page }) => {
  // A small tap buffer and a fast clock: the oldest run's first events are gone while its tap waits.
  const server = await startPrivateServer({ maxTapBytes: 4096, clockIntervalMs: 100 });
  try {
    await page.goto(`${server.url}/playground/`);
    const sandboxes = page.locator('[data-rl-sandbox]');
    const code = "new EventSource('/api/sse/clock').addEventListener('tick', (event) => console.log('tick', event.lastEventId));";
    for (let i = 0; i < 4; i++) {
      await replaceCode(page, sandboxes.nth(i), code);
      await action(sandboxes.nth(i), 'run').press('Enter');
      await expect(output(sandboxes.nth(i))).toContainText('tick');
    }
    const oldest = sandboxes.nth(0);
    const note = oldest.locator('[data-wv-waiting]');
    await expect(note).toHaveText(/follows at most 3 runs at once/);
    // 4 KB of tap holds about a dozen ticks: wait for a few times that many in the oldest run's output.
    await expect.poll(() => output(oldest).innerText().then((text) => text.split('\n').filter((line) => line.includes('tick')).length), { timeout: 20_000 }).toBeGreaterThan(40);
    for (let i = 1; i < 4; i++) await expect(sandboxes.nth(i).locator('[data-wv-waiting]')).toHaveText('');
    const chunks = serverSide(wire(oldest).locator('.rl-sb-lane[data-kind="sse"]')).locator('.rl-wv-event[data-kind="sse"]');
    const before = await chunks.count();
    await action(sandboxes.nth(3), 'stop').click();
    await expect.poll(() => chunks.count()).toBeGreaterThan(before + 1);
    await expect(note).toHaveText(/^The server no longer kept the first \d+ events of this run’s side when it caught up \(MAX_TAP_BYTES\)/);
    await page.locator('[data-action="stop-all"]').first().click();
  } finally {
    await server.close();
  }
});
