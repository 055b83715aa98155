/**
 * Hostile input against the channel log and the publish path, as a bored attendee on the
 * workshop LAN would send it: bodies and frames too large or too deep, JSON of every shape,
 * floods of publishes and of channel names. Each case expects a clear 4xx, close code or error
 * frame; after each, the server answers others within a bound, and a well-behaved reader on
 * its own channel has lost and doubled nothing. All traffic is on loopback and bounded.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import type { Config } from '../../server/config.ts';
import { FrameReader, startServer, until, type TestServer } from '../server/helpers.ts';
import { assertAnswers, assertError, nested, objectArray, post, postRaw, request, Watcher } from './log-helpers.ts';

/** Sends one WebSocket frame and resolves with the next frame of the given types. */
async function frameAfter(reader: FrameReader, frame: string | Buffer, types: string[]): Promise<Record<string, any>> {
  reader.ws.send(frame, { binary: Buffer.isBuffer(frame) });
  for (;;) {
    const next = await reader.next();
    if (types.includes(next.type)) return next;
  }
}

/** A WebSocket publisher on `channel`, welcomed. */
async function publisher(server: TestServer, channel: string, localAddress = '127.0.0.1'): Promise<FrameReader> {
  const reader = await new FrameReader(server.ws(`/api/ws/${channel}`), { localAddress }).opened();
  assert.equal((await reader.next()).type, 'welcome');
  return reader;
}

async function poll(server: TestServer, path: string): Promise<any> {
  const answer = await request(`${server.url}/api/poll/${path}`);
  assert.equal(answer.status, 200, answer.text);
  return answer.json();
}

/**
 * What the blocks below share: a server with `overrides` for the block, handed to `use`, and a
 * well-behaved watcher whose channel exists before the first case. After each case, the
 * server answers others within a bound and the watcher has lost and doubled nothing; after the
 * block, both close. `restart()` starts a fresh server with the same settings, and a watcher.
 */
function watchedServer(overrides: Partial<Config>, use: (server: TestServer) => void): { restart(): Promise<void> } {
  let server: TestServer | undefined;
  let watcher: Watcher | undefined;
  const start = async (): Promise<void> => {
    server = await startServer(overrides);
    use(server);
    watcher = await new Watcher().open(server);
    // The watcher's channel exists once its first probe is published.
    await watcher.check(server);
  };
  const stop = async (): Promise<void> => {
    watcher?.close();
    await server?.close();
  };
  before(start);
  afterEach(async () => {
    await assertAnswers(server as TestServer);
    await watcher?.check(server as TestServer);
  });
  after(stop);
  return {
    async restart() {
      await stop();
      await start();
    },
  };
}

describe('hostile publishes: bodies, JSON shapes and depths, sizes', () => {
  let server: TestServer;
  watchedServer({ maxChannels: 50, publishRatePerS: 1000, publishBurst: 1000, publishBytesPerS: 16 * 1024 * 1024 }, (started) => (server = started));

  it('refuses a body nested 5,000 deep with 400 JSON_TOO_DEEP, and the next publish takes the next id', async () => {
    const before = await post(server, 'deep', { n: 1 });
    const deep = await postRaw(server, 'deep', `{"data":${nested(5000)}}`);
    assertError(deep, 400, 'JSON_TOO_DEEP');
    assert.match(deep.json().error.message, /MAX_JSON_DEPTH/);
    const next = await post(server, 'deep', { n: 2 });
    const [epoch, seq] = before.json().message.id.split('-');
    assert.equal(next.json().message.id, `${epoch}-${Number(seq) + 1}`, 'the refused publish used no id');
  });

  it('leaves a limit=1 poller with no duplicate and no false gap around a refused deep publish', async () => {
    let cursor = (await poll(server, 'paged')).cursor as string;
    const sent: string[] = [];
    for (let n = 0; n < 6; n++) {
      if (n % 2 === 1) assertError(await postRaw(server, 'paged', `{"data":${nested(2000, '{"a":', '}')}}`), 400, 'JSON_TOO_DEEP');
      sent.push((await post(server, 'paged', { n })).json().message.id);
    }
    const seen: string[] = [];
    for (let round = 0; round < 20; round++) {
      const page = await poll(server, `paged?since=${cursor}&limit=1`);
      assert.equal(page.gap, undefined);
      if (page.messages.length === 0) break;
      seen.push(page.messages[0].id);
      cursor = page.cursor;
    }
    assert.deepEqual(seen, sent);
  });

  it('counts strings as flat: brackets inside a string are not nesting', async () => {
    const answer = await post(server, 'flat', { text: '['.repeat(5000) + '{'.repeat(5000) });
    assert.equal(answer.status, 201);
  });

  it('accepts nesting up to MAX_JSON_DEPTH (counting the outer object) and refuses one level more', async () => {
    const depth = server.app.config.maxJsonDepth;
    assert.equal((await postRaw(server, 'depth', `{"data":${nested(depth - 1)}}`)).status, 201);
    assertError(await postRaw(server, 'depth', `{"data":${nested(depth)}}`), 400, 'JSON_TOO_DEEP');
  });

  it('refuses deep nesting in a WebSocket publish frame with an error frame, keeps the socket, and uses no id', async () => {
    const ws = await publisher(server, 'ws-deep');
    const first = await frameAfter(ws, JSON.stringify({ type: 'publish', data: 1 }), ['ack']);
    const refused = await frameAfter(ws, `{"type":"publish","data":${nested(5000)}}`, ['error']);
    assert.equal(refused.code, 'JSON_TOO_DEEP');
    const second = await frameAfter(ws, JSON.stringify({ type: 'publish', data: 2 }), ['ack']);
    assert.equal(second.id, first.id.replace(/\d+$/, (d: string) => String(Number(d) + 1)));
    await ws.close();
  });

  it('refuses a body over MAX_MESSAGE_BYTES with 413, and stores nothing', async () => {
    const before = server.app.log.storedBytes?.() ?? 0;
    assertError(await postRaw(server, 'big', `{"data":"${'x'.repeat(20 * 1024)}"}`), 413, 'BODY_TOO_LARGE');
    assert.equal(server.app.log.storedBytes?.(), before);
  });

  it('refuses a WebSocket publish frame over MAX_MESSAGE_BYTES with an error frame, as HTTP refuses the body', async () => {
    const ws = await publisher(server, 'ws-big');
    const before = server.app.log.storedBytes?.() ?? 0;
    const refused = await frameAfter(ws, `{"type":"publish","data":${objectArray(60 * 1024)}}`, ['error', 'ack']);
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'MESSAGE_TOO_LARGE');
    assert.match(refused.message, /MAX_MESSAGE_BYTES/);
    assert.equal(server.app.log.storedBytes?.(), before, 'a 60 KB frame is not stored');
    assert.equal((await frameAfter(ws, JSON.stringify({ type: 'publish', data: 'small' }), ['ack', 'error'])).type, 'ack');
    await ws.close();
  });

  it('closes with 1009 a WebSocket frame over MAX_FRAME_BYTES', async () => {
    const ws = await publisher(server, 'ws-huge');
    ws.ws.send('x'.repeat(server.app.config.maxFrameBytes + 1));
    const [code] = await once(ws.ws, 'close');
    assert.equal(code, 1009);
  });

  it('accepts a 15 KB array of empty objects, counted at its stored size', async () => {
    const before = server.app.log.storedBytes?.() ?? 0;
    const body = `{"data":${objectArray(15 * 1024)}}`;
    assert.equal((await postRaw(server, 'objects', body)).status, 201);
    const added = (server.app.log.storedBytes?.() ?? 0) - before;
    assert.ok(added > 15 * 1024 && added < 17 * 1024, `counted ${added} bytes`);
  });

  for (const [name, body] of [
    ['not JSON', 'hello'],
    ['an unterminated string ending in a backslash', '{"data":"abc\\'],
    ['unbalanced closing brackets', ']]]]]]]]'],
    ['an empty body', ''],
    ['a lone surrogate escape inside truncated JSON', '{"data":"\\ud800'],
  ] as const) {
    it(`refuses ${name} with 400 INVALID_JSON`, async () => {
      assertError(await postRaw(server, 'shapes', body), 400, 'INVALID_JSON');
    });
  }

  for (const [name, body] of [
    ['an array', '[1,2]'],
    ['a number', '42'],
    ['a string', '"data"'],
    ['null', 'null'],
  ] as const) {
    it(`refuses ${name} as the body with 400 INVALID_BODY`, async () => {
      assertError(await postRaw(server, 'shapes', body), 400, 'INVALID_BODY');
    });
  }

  it('refuses a body in a charset other than UTF-8 with 415', async () => {
    for (const charset of ['utf-7', 'latin1', 'utf-16le']) {
      assertError(await postRaw(server, 'charset', '{"data":1}', '127.0.0.1', { 'Content-Type': `application/json; charset=${charset}` }), 415, 'UNSUPPORTED_CHARSET');
    }
    assert.equal((await postRaw(server, 'charset', '{"data":1}', '127.0.0.1', { 'Content-Type': 'application/json; charset=UTF-8' })).status, 201);
  });

  it('answers a frame of invalid JSON and a binary frame with error frames, and keeps the socket', async () => {
    const ws = await publisher(server, 'ws-shapes');
    assert.equal((await frameAfter(ws, '{"type":"publish",', ['error'])).code, 'INVALID_JSON');
    assert.equal((await frameAfter(ws, Buffer.from([1, 2, 3]), ['error'])).code, 'BINARY_NOT_SUPPORTED');
    assert.equal((await frameAfter(ws, '{"type":"resume","since":"nope"}', ['error'])).code, 'INVALID_ID');
    assert.equal((await frameAfter(ws, JSON.stringify({ type: 'publish', data: 'ok' }), ['ack'])).type, 'ack');
    await ws.close();
  });
});

describe('hostile channel names: the channel table', () => {
  let server: TestServer;
  const watched = watchedServer({ maxChannels: 20 }, (started) => (server = started));
  // Cases that create channels restart the server, so that the next case finds an empty table.
  afterEach(() => {
    // `watch` is a channel too: everything else a case did must have left the table as it was.
    assert.equal(server.app.log.channelCount(), 1);
  });

  it('creates no channel for 400 refused WebSocket handshakes on new names', async () => {
    const port = Number(new URL(server.url).port);
    await Promise.all(Array.from({ length: 400 }, async (_, n) => {
      const socket = net.connect(port, '127.0.0.1');
      // Version 12 is refused by ws after the app has looked at the channel name.
      socket.end(`GET /api/ws/refused-${n} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 12\r\n\r\n`);
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      await once(socket, 'close');
      assert.match(text, /^HTTP\/1\.1 4\d\d/);
    }));
    assert.equal((await post(server, 'after-refusals', { ok: true }, '127.0.0.3')).status, 201);
    assert.equal((await post(server, 'chat', { ok: true }, '127.0.0.3')).status, 201);
    assert.equal(server.app.log.channelCount(), 2, '`watch` and `after-refusals`; `chat` is not counted');
    await watched.restart();
  });

  it('creates no channel for 100 accepted WebSockets on new names, which then wait for a first message', async () => {
    const readers = await Promise.all(Array.from({ length: 100 }, (_, n) => new FrameReader(server.ws(`/api/ws/accepted-${n}`)).opened()));
    for (const reader of readers) assert.equal((await reader.next()).type, 'welcome');
    assert.equal(server.app.log.channelCount(), 1);
    await Promise.all(readers.map((reader) => reader.close()));
  });

  it('creates no channel for 90 SSE streams and 90 long polls on new names', async () => {
    const streams = Array.from({ length: 90 }, (_, n) => new EventSource(`${server.url}/api/sse/sse-${n}`));
    await Promise.all(streams.map((stream) => new Promise((resolve) => stream.addEventListener('connected', resolve, { once: true }))));
    const polls = Array.from({ length: 90 }, (_, n) => request(`${server.url}/api/long-poll/held-${n}?timeout=1`));
    await until(() => server.app.stats.open.longPoll === 90, 'the long polls to be held');
    assert.equal(server.app.log.channelCount(), 1);
    for (const stream of streams) stream.close();
    for (const answer of await Promise.all(polls)) assert.equal(answer.status, 204);
  });

  it('creates no channel for 300 polls of new names', async () => {
    for (let n = 0; n < 300; n++) assert.deepEqual((await poll(server, `polled-${n}`)).messages, []);
  });

  it('delivers the first message of a channel to a WebSocket and an SSE stream that waited on it', async () => {
    const ws = await publisher(server, 'born-later');
    const sse = new EventSource(`${server.url}/api/sse/born-later`);
    await new Promise((resolve) => sse.addEventListener('connected', resolve, { once: true }));
    const received = new Promise<string>((resolve) => sse.addEventListener('message', (event) => resolve(JSON.parse(event.data).data)));
    assert.equal((await post(server, 'born-later', 'first', '127.0.0.3')).status, 201);
    assert.equal((await ws.next()).message.data, 'first');
    assert.equal(await received, 'first');
    sse.close();
    await ws.close();
    await watched.restart();
  });

  it('keeps chat, clock and quiet-room working when publishes have filled MAX_CHANNELS', async () => {
    for (let n = 0; n < 19; n++) assert.equal((await post(server, `filler-${n}`, n, `127.0.0.${10 + (n % 5)}`)).status, 201);
    assertError(await post(server, 'one-too-many', 1, '127.0.0.20'), 507, 'TOO_MANY_CHANNELS');
    assert.equal((await post(server, 'chat', 'still here', '127.0.0.20')).status, 201);
    assert.equal((await post(server, 'quiet-room', 'still here', '127.0.0.20')).status, 201);
    await server.app.log.append('clock', 'tick', { now: new Date().toISOString() });
    assert.equal((await poll(server, 'clock')).messages.length, 1);
    const ws = await publisher(server, 'never-made');
    assert.equal((await frameAfter(ws, JSON.stringify({ type: 'publish', data: 1 }), ['error'])).code, 'TOO_MANY_CHANNELS');
    await ws.close();
    await watched.restart();
  });
});

describe('hostile channel names: idle channels expire', () => {
  it('frees the slots of idle channels, and answers their old ids with a gap on every technique', async () => {
    const server = await startServer({ maxChannels: 5, channelIdleMs: 300 });
    try {
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) ids.push((await post(server, `idle-${n}`, n, `127.0.0.${30 + n}`)).json().message.id);
      assertError(await post(server, 'newcomer', 1, '127.0.0.40'), 507, 'TOO_MANY_CHANNELS');
      await until(() => server.app.log.channelCount() === 0, 'the idle channels to expire', 5000);
      assert.equal((await post(server, 'newcomer', 1, '127.0.0.40')).status, 201);

      const since = ids[0] as string;
      const polled = await poll(server, `idle-0?since=${since}`);
      assert.equal(polled.gap, true);
      const held = await request(`${server.url}/api/long-poll/idle-0?since=${since}&timeout=1`);
      assert.equal(held.status, 200);
      assert.equal(held.json().gap, true);
      const sse = new EventSource(`${server.url}/api/sse/idle-0?lastEventId=${since}`);
      const gap = await new Promise<any>((resolve) => sse.addEventListener('gap', (event) => resolve(JSON.parse(event.data))));
      sse.close();
      assert.equal(gap.since, since);
      const ws = new FrameReader(server.ws(`/api/ws/idle-0?since=${since}`));
      assert.equal((await ws.next()).type, 'welcome');
      assert.equal((await ws.next()).type, 'gap');
      await ws.close();
      await assertAnswers(server);
    } finally {
      await server.close();
    }
  });
});

describe('hostile floods', () => {
  let server: TestServer;
  watchedServer({ maxLogBytes: 1024 * 1024 }, (started) => (server = started));

  it('refuses a publish flood from one address with 429 RATE_LIMITED and Retry-After past PUBLISH_BURST', async () => {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 100 }, (_, n) => post(server, 'flood', { n }, '127.0.0.60')));
    const refilled = Math.ceil(((Date.now() - started) / 1000) * server.app.config.publishRatePerS);
    const refused = answers.filter((answer) => answer.status === 429);
    assert.ok(refused.length >= 100 - server.app.config.publishBurst - refilled, `${refused.length} refused, ${refilled} tokens refilled meanwhile`);
    assert.equal(refused[0]?.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(refused[0]?.headers['retry-after']) >= 1);
    assert.ok(answers.every((answer) => answer.status === 201 || answer.status === 429));
  });

  it('refuses bytes past PUBLISH_BYTES_PER_S with 429 that names it', async () => {
    const body = JSON.stringify({ data: 'x'.repeat(15 * 1024) });
    let refused;
    for (let n = 0; n < 20 && !refused; n++) {
      const answer = await postRaw(server, 'bytes', body, '127.0.0.61');
      if (answer.status === 429) refused = answer;
      else assert.equal(answer.status, 201);
    }
    assert.ok(refused, 'a byte flood is refused within 20 publishes of 15 KB');
    assert.match(refused.json().error.message, /PUBLISH_BYTES_PER_S/);
  });

  it('spends no message token on a publish that the byte bucket refuses', async () => {
    const limited = await startServer({ publishRatePerS: 1, publishBurst: 3, publishBytesPerS: 10_000 });
    try {
      assert.equal((await postRaw(limited, 'tokens', JSON.stringify({ data: 'x'.repeat(15_000) }))).status, 201);
      assertError(await postRaw(limited, 'tokens', JSON.stringify({ data: 'x'.repeat(15_000) })), 429, 'RATE_LIMITED');
      // One of the burst's three messages is spent; the refused one took none, so two are left.
      assert.equal((await post(limited, 'tokens', 'small')).status, 201);
      assert.equal((await post(limited, 'tokens', 'small')).status, 201);
    } finally {
      await limited.close();
    }
  });

  it('answers 100 publish frames sent in one write, each with an ack or an error frame, and stays open', async () => {
    const ws = await publisher(server, 'frames', '127.0.0.62');
    const frames = Array.from({ length: 100 }, (_, n) => JSON.stringify({ type: 'publish', data: n }));
    for (const frame of frames) ws.ws.send(frame);
    const answers: Record<string, any>[] = [];
    while (answers.length < 100) {
      const frame = await ws.next();
      if (frame.type === 'ack' || frame.type === 'error') answers.push(frame);
    }
    assert.ok(answers.some((answer) => answer.code === 'RATE_LIMITED'));
    assert.equal(ws.ws.readyState, WebSocket.OPEN);
    await ws.close();
  });

  it('keeps the history within MAX_LOG_BYTES under a flood from 10 addresses, and the quiet channel keeps its history', async () => {
    const quiet = (await post(server, 'quiet', 'keep me', '127.0.0.70')).json().message.id;
    const start = (await poll(server, 'noisy-0')).cursor;
    const body = JSON.stringify({ data: JSON.parse(objectArray(15 * 1024)) });
    await Promise.all(Array.from({ length: 10 }, async (_, a) => {
      for (let n = 0; n < 8; n++) await postRaw(server, `noisy-${a % 3}`, body, `127.0.0.${80 + a}`);
    }));
    assert.ok((server.app.log.storedBytes?.() ?? Infinity) <= 1024 * 1024);
    assert.deepEqual((await poll(server, 'quiet')).messages.map((m: { id: string }) => m.id), [quiet]);
    const noisy = await poll(server, `noisy-0?since=${start}&limit=100`);
    assert.equal(noisy.gap, true, 'a reader of a flooded channel is told what it lost');
  });
});
