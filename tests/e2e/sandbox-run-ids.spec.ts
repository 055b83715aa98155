/**
 * Every Run of a sandbox is a run the server issued: the page asks POST /api/runs, the frame
 * adds `run=<id>` to the snippet's API URLs, and the server's own view of the run (its tap) shows
 * the snippet's requests carrying it. A frame request without it is refused; a second Run, or
 * the page going, ends the first run; a run refused or ended is said in the output.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { action, output, readTap, replaceCode, sandboxByTitle, startPrivateServer, type TapEvent, wire } from './helpers.ts';

const ECHO = 'Talk to the echo server';
const POLL = 'Poll the clock three times';
/** The echo sandbox is the fourth on the Chinese playground too. */
const ECHO_ZH = 3;
/** The most a test waits for the tap to show what it expects. */
/** The run id the page was issued for this sandbox's current Run. */
async function runIdOf(sandbox: Locator): Promise<string> {
  await expect(sandbox).toHaveAttribute('data-run-id', /^[A-Za-z0-9_-]{16,64}$/);
  return (await sandbox.getAttribute('data-run-id')) as string;
}

function requestLines(events: TapEvent[]): string[] {
  return events.filter((event) => event.kind === 'request-head').map((event) => (event.text ?? '').split('\r\n')[0] as string);
}

async function faultsStatus(page: Page, base: string, run: string): Promise<number> {
  return (await page.request.get(`${base}/api/runs/${run}/faults`)).status();
}

test('a Run’s fetch, XMLHttpRequest, EventSource and WebSocket carry the issued run, as the server’s tap shows, while the snippet sees its own URLs', async ({ page, baseURL }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(
    page,
    sandbox,
    [
      'const base = document.baseURI;',
      "const res = await fetch('/api/poll/clock?limit=1');",
      "console.log('fetch', res.status, res.url === new URL('/api/poll/clock?limit=1', base).href);",
      "const request = new Request(new URL('/api/channels/run-ids/messages', base), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: { text: 'hi' } }) });",
      "const published = await fetch(request);",
      "console.log('request', published.status, request.url === new URL('/api/channels/run-ids/messages', base).href);",
      'const xhr = new XMLHttpRequest();',
      "xhr.open('GET', '/api/poll/run-ids');",
      'await new Promise((resolve) => { xhr.onloadend = resolve; xhr.send(); });',
      "console.log('xhr', xhr.status, xhr.responseURL === new URL('/api/poll/run-ids', base).href);",
      "const es = new EventSource('/api/sse/run-ids?x=1#here');",
      "await new Promise((resolve) => es.addEventListener('open', resolve, { once: true }));",
      "console.log('sse', es instanceof EventSource, EventSource.OPEN === 1, EventSource.prototype.isPrototypeOf(es), es.url === new URL('/api/sse/run-ids?x=1#here', base).href);",
      'es.close();',
      "const ws = new WebSocket('/api/echo');",
      "await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));",
      "console.log('ws', ws instanceof WebSocket, WebSocket.CLOSED === 3, ws.url === new URL('/api/echo', base).href.replace('http', 'ws'));",
      'ws.close();',
      "console.log('all done');",
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('all done');
  await expect(output(sandbox)).toContainText('fetch 200 true');
  await expect(output(sandbox)).toContainText('request 201 true');
  await expect(output(sandbox)).toContainText('xhr 200 true');
  await expect(output(sandbox)).toContainText('sse true true true true');
  await expect(output(sandbox)).toContainText('ws true true true');
  // The wire view shows URLs as the reader wrote them.
  await expect(wire(sandbox)).toContainText('/api/sse/run-ids?x=1');
  await expect(wire(sandbox)).not.toContainText('run=');

  const run = await runIdOf(sandbox);
  const wanted = [
    `GET /api/poll/clock?limit=1&run=${run} HTTP/1.1`,
    `POST /api/channels/run-ids/messages?run=${run} HTTP/1.1`,
    `GET /api/poll/run-ids?run=${run} HTTP/1.1`,
    // The hash never leaves the browser.
    `GET /api/sse/run-ids?x=1&run=${run} HTTP/1.1`,
    `GET /api/echo?run=${run} HTTP/1.1`,
  ];
  const events = await readTap(baseURL as string, run, (seen) => wanted.every((line) => requestLines(seen).includes(line)));
  expect(requestLines(events).sort()).toEqual([...wanted].sort());
  // The WebSocket handshake came from the frame itself, whose origin is opaque.
  expect(events.find((event) => event.kind === 'request-head' && event.technique === 'echo')?.text).toMatch(/\r\nOrigin: null\r\n/i);
});

test('a request from the sandbox frame that carries no run is refused, while the same request with the page’s run is served', async ({ page, baseURL }) => {
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, ECHO);
  await replaceCode(
    page,
    sandbox,
    [
      '// The browser’s own EventSource, under the sandbox’s: it adds no run=.',
      'const Bare = Object.getPrototypeOf(EventSource);',
      'const outcome = (source) => new Promise((resolve) => { source.onopen = () => resolve(\'open\'); source.onerror = () => resolve(`error ${source.readyState}`); });',
      "const bare = new Bare('/api/sse/clock');",
      'const bareOutcome = await outcome(bare);',
      "const wrapped = new EventSource('/api/sse/clock');",
      "console.log('bare', bareOutcome, 'wrapped', await outcome(wrapped));",
      'bare.close();',
      'wrapped.close();',
    ].join('\n'),
  );
  await action(sandbox, 'run').click();
  // A refused EventSource gives up for good (readyState 2, CLOSED): the frame cannot read why.
  await expect(output(sandbox)).toContainText('bare error 2 wrapped open');
  const run = await runIdOf(sandbox);
  // What the frame could not read, as the server answers it.
  const refused = await page.request.get(`${baseURL}/api/poll/clock`, { headers: { Origin: 'null' } });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED', message: expect.stringContaining('run=') });
  const served = await page.request.get(`${baseURL}/api/poll/clock?run=${run}`, { headers: { Origin: 'null' } });
  expect(served.status()).toBe(200);
  expect(served.headers()['access-control-allow-origin']).toBe('null');
});

test('Stop keeps the run, a second Run ends it on the server, and leaving the page ends the second', async ({ page, baseURL }) => {
  const base = baseURL as string;
  await page.goto('/playground/');
  const sandbox = sandboxByTitle(page, POLL);
  await action(sandbox, 'run').click();
  await expect(output(sandbox)).toContainText('poll 1');
  const first = await runIdOf(sandbox);
  // Stop ends the frame, not the run: its tap can still be read.
  await action(sandbox, 'stop').click();
  await expect(sandbox).toHaveAttribute('data-run', 'stopped');
  expect(await faultsStatus(page, base, first)).toBe(200);
  await expect(sandbox).toHaveAttribute('data-run-id', first);

  await action(sandbox, 'run').click();
  await expect(sandbox).not.toHaveAttribute('data-run-id', first);
  const second = await runIdOf(sandbox);
  await expect.poll(() => faultsStatus(page, base, first)).toBe(404);
  const ended = await page.request.get(`${base}/api/runs/${first}/faults`);
  expect(((await ended.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_RUN');
  expect(await faultsStatus(page, base, second)).toBe(200);

  // pagehide: the page ends its runs with a keepalive DELETE.
  await page.goto('/');
  await expect.poll(() => faultsStatus(page, base, second)).toBe(404);
});

test('a run the server refuses to issue, or ends while the snippet runs, is said in the output in English and Chinese', async ({ page }) => {
  const server = await startPrivateServer({ maxRunsPerAddress: 1 });
  try {
    await page.goto(`${server.url}/playground/`);
    const holder = sandboxByTitle(page, 'Listen to the clock with EventSource');
    await action(holder, 'run').click();
    await expect(output(holder)).toContainText('tick');
    const run = await runIdOf(holder);

    const refused = sandboxByTitle(page, POLL);
    await action(refused, 'run').click();
    await expect(output(refused)).toContainText('The run did not start: the server issued no run for it (TOO_MANY_RUNS).');
    await expect(output(refused)).toContainText('MAX_RUNS_PER_ADDRESS');
    await expect(output(refused)).not.toContainText('poll 1');
    await expect(refused).toHaveAttribute('data-run', 'stopped');

    // The run ends on the server while its EventSource is open: the stream ends, the reconnect is refused.
    expect((await page.request.delete(`${server.url}/api/runs/${run}`)).status()).toBe(204);
    await expect(output(holder)).toContainText('The server no longer knows this run (UNKNOWN_RUN)');

    await page.goto(`${server.url}/zh-cn/playground/`);
    // The Chinese page's first Run holds the one run allowed: the next is refused.
    const zhHolder = page.locator('[data-rl-sandbox]').nth(0);
    await action(zhHolder, 'run').click();
    await runIdOf(zhHolder);
    const zh = page.locator('[data-rl-sandbox]').nth(ECHO_ZH);
    await action(zh, 'run').click();
    await expect(output(zh)).toContainText('运行没有开始：服务器没有为它分配运行（run）（TOO_MANY_RUNS）。同时存在的运行（run）已达上限（MAX_RUNS_PER_ADDRESS）');
  } finally {
    await server.close();
  }
});

test('a Run while the server is down says that the run could not be asked for, and where', async ({ page }) => {
  const server = await startPrivateServer();
  let closed = false;
  try {
    await page.goto(`${server.url}/playground/`);
    const sandbox = sandboxByTitle(page, POLL);
    // The first Run loads the runner from the server; the second finds no server.
    await action(sandbox, 'run').click();
    await expect(output(sandbox)).toContainText('poll 1');
    await server.close();
    closed = true;
    await action(sandbox, 'run').click();
    await expect(output(sandbox)).toContainText(`The run did not start: the server at ${server.url}/ did not answer the request for a run (POST /api/runs).`);
    await expect(sandbox).toHaveAttribute('data-run', 'stopped');
    await expect(sandbox).toHaveAttribute('data-server', 'offline');
  } finally {
    if (!closed) await server.close();
  }
});
