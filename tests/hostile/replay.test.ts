/**
 * Hostile replays: clients that ask the server to send its history again and again, all at
 * once, or without reading it. A replay must cost the client that asked, not the server: no
 * replay may hold the event loop for more than a few tens of milliseconds, a client that does
 * not read is cut like any slow consumer, and a well-behaved reader alongside gets every
 * message exactly once, in order.
 *
 * Everything runs on loopback, bounded in count and time. The clients that flood are raw
 * sockets that count what they receive without decoding it, so the event-loop delay measured
 * (the server runs in this process) is the server's, not the clients'.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { EventSource } from 'eventsource';
import { FrameReader, startServer, until, type TestServer } from '../server/helpers.ts';

/**
 * The longest the event loop may be held, in this thread's CPU time, while hostile replays
 * run. Measured: 4-17 ms on a shared 2-core machine; the old replay of one 64 MB history, over 100 ms.
 */
const MAX_LOOP_CPU_MS = 50;
/**
 * The same, in wall-clock time (monitorEventLoopDelay). Looser: on a machine shared with other
 * work the operating system may pause the whole process for a while, which no server can help.
 */
const MAX_LOOP_DELAY_MS = 1000;
/** How long another client may wait for /api/health while they run. */
const MAX_ANSWER_MS = 1000;

interface LoopDelay {
  /** monitorEventLoopDelay's max, in milliseconds of wall-clock time. */
  wallMs: number;
  /** The most CPU time this thread spent between two turns of a 1 ms timer, in milliseconds. */
  cpuMs: number;
}

/** Runs `work` and returns the longest event-loop delay seen meanwhile. */
async function loopDelayDuring(work: () => Promise<unknown>): Promise<LoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let last = process.threadCpuUsage();
  let cpuMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const probe = () => {
    const now = process.threadCpuUsage();
    cpuMs = Math.max(cpuMs, (now.user - last.user + now.system - last.system) / 1000);
    last = now;
    timer = setTimeout(probe, 1);
  };
  timer = setTimeout(probe, 1);
  try {
    await work();
  } finally {
    clearTimeout(timer);
    histogram.disable();
  }
  return { wallMs: histogram.max / 1e6, cpuMs };
}

/** Asserts that neither measure of the event-loop delay passed its bound, and reports both. */
function assertLoopDelay(t: TestContext, delay: LoopDelay): void {
  const seen = `event loop held for ${delay.cpuMs.toFixed(1)} ms of CPU, ${delay.wallMs.toFixed(1)} ms of wall-clock time`;
  t.diagnostic(seen);
  assert.ok(delay.cpuMs < MAX_LOOP_CPU_MS, seen);
  assert.ok(delay.wallMs < MAX_LOOP_DELAY_MS, seen);
}

/** Fills a channel's history with `count` messages whose data is a string of `bytes` characters. */
async function fill(server: TestServer, channel: string, count: number, bytes: number): Promise<string> {
  const before = server.app.log.headId(channel);
  const text = 'x'.repeat(bytes);
  for (let i = 0; i < count; i++) await server.app.log.append(channel, 'message', { i, text });
  return before;
}

/** How long /api/health takes to answer, in milliseconds. */
async function answerTime(server: TestServer): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${server.url}/api/health`);
  assert.equal(res.status, 200);
  await res.text();
  return performance.now() - started;
}

/** A masked client text frame (RFC 6455, 5.3: every frame from a client is masked). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x81, 0x80 | length]) : Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff]);
  const mask = randomBytes(4);
  for (let i = 0; i < length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([head, mask, payload]);
}

/**
 * A WebSocket client on a raw socket: it counts the frames it receives and decodes them only
 * when `decode` is set, and can send many frames in one write.
 */
class RawWebSocket {
  readonly socket: net.Socket;
  readonly opened: Promise<void>;
  readonly closed: Promise<unknown>;
  /** Decoded JSON frames (when `decode`). */
  readonly frames: any[] = [];
  count = 0;
  #upgraded = false;
  #http = '';
  #head: number[] = [];
  #opcode = 0;
  #remaining = 0;
  #parts: Buffer[] = [];
  readonly #decode: boolean;
  readonly #waiters: { count: number; resolve: () => void }[] = [];

  constructor(server: TestServer, path: string, options: { decode?: boolean; localAddress?: string } = {}) {
    this.#decode = options.decode ?? false;
    const { port } = new URL(server.url);
    this.socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress: options.localAddress ?? '127.0.0.1' });
    this.socket.on('error', () => {});
    this.closed = once(this.socket, 'close');
    this.socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    this.opened = new Promise((resolve, reject) => {
      this.socket.on('data', (chunk: Buffer) => {
        if (this.#upgraded) return this.#read(chunk, 0);
        this.#http += chunk.toString('latin1');
        const end = this.#http.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!this.#http.startsWith('HTTP/1.1 101')) return reject(new Error(this.#http));
        this.#upgraded = true;
        resolve();
        this.#read(chunk, chunk.length - (this.#http.length - end - 4));
      });
    });
  }

  /** Sends every frame in one write. */
  send(frames: unknown[]): void {
    this.socket.write(Buffer.concat(frames.map((frame) => clientFrame(JSON.stringify(frame)))));
  }

  /** Resolves once `count` frames have arrived. */
  received(count: number): Promise<void> {
    if (this.count >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  #read(chunk: Buffer, offset: number): void {
    while (offset < chunk.length) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - offset);
        if (this.#decode) this.#parts.push(chunk.subarray(offset, offset + take));
        offset += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#frameDone();
        continue;
      }
      const head = this.#head;
      head.push(chunk[offset++] as number);
      if (head.length < 2) continue;
      const short = (head[1] as number) & 0x7f;
      const headLength = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (head.length < headLength) continue;
      this.#remaining = short === 126 ? ((head[2] as number) << 8) | (head[3] as number) : short === 127 ? Number(Buffer.from(head.slice(2)).readBigUInt64BE()) : short;
      this.#opcode = (head[0] as number) & 0x0f;
      this.#head = [];
      if (this.#remaining === 0) this.#frameDone();
    }
  }

  #frameDone(): void {
    if (this.#opcode !== 1) return;
    this.count += 1;
    if (this.#decode) this.frames.push(JSON.parse(Buffer.concat(this.#parts).toString()));
    this.#parts = [];
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i] as { count: number; resolve: () => void };
      if (this.count >= waiter.count) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}

/** An event stream read on a raw HTTP/1.0 socket (no chunked framing): it keeps the ids and event names it sees. */
class RawEventStream {
  readonly socket: net.Socket;
  readonly closed: Promise<unknown>;
  readonly ids: string[] = [];
  readonly events: string[] = [];
  #tail = '';
  #body = false;
  readonly #waiters: { count: number; resolve: () => void }[] = [];

  constructor(server: TestServer, path: string, options: { lastEventId?: string; localAddress?: string } = {}) {
    const { port } = new URL(server.url);
    this.socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress: options.localAddress ?? '127.0.0.1' });
    this.socket.on('error', () => {});
    this.closed = once(this.socket, 'close');
    const lastEventId = options.lastEventId ? `Last-Event-ID: ${options.lastEventId}\r\n` : '';
    this.socket.write(`GET ${path} HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\n${lastEventId}\r\n`);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (text: string) => this.#read(text));
  }

  /** Resolves once `count` message ids have arrived. */
  received(count: number): Promise<void> {
    if (this.ids.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  #read(text: string): void {
    let data = this.#tail + text;
    if (!this.#body) {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        this.#tail = data;
        return;
      }
      this.#body = true;
      data = data.slice(end + 4);
    }
    let start = 0;
    for (let newline = data.indexOf('\n'); newline >= 0; newline = data.indexOf('\n', start)) {
      if (data.startsWith('id: ', start)) this.ids.push(data.slice(start + 4, newline));
      else if (data.startsWith('event: ', start)) this.events.push(data.slice(start + 7, newline));
      start = newline + 1;
    }
    // Keep only the start of an unfinished line: enough to tell an id or event line from a data line.
    this.#tail = data.slice(start, start + 64);
    if (data.length - start > 64 && !this.#tail.startsWith('id: ') && !this.#tail.startsWith('event: ')) this.#tail = 'data: ';
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i] as { count: number; resolve: () => void };
      if (this.ids.length >= waiter.count) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}

/** An EventSource that records each message's data.i and counts gaps. */
function wellBehavedSse(server: TestServer, channel: string): { source: EventSource; received: number[]; connected: Promise<void> } {
  const source = new EventSource(`${server.url}/api/sse/${channel}`);
  const received: number[] = [];
  source.addEventListener('message', (event) => received.push(JSON.parse(event.data).data.i));
  const connected = new Promise<void>((resolve) => source.addEventListener('connected', () => resolve(), { once: true }));
  return { source, received, connected };
}

/** A `ws` client that records each message's data.i. */
async function wellBehavedWs(server: TestServer, channel: string): Promise<{ client: FrameReader; received: number[] }> {
  const client = new FrameReader(server.ws(`/api/ws/${channel}`));
  const received: number[] = [];
  client.ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === 'message') received.push(frame.message.data.i);
  });
  await client.opened();
  await client.next();
  return { client, received };
}

/** Publishes `count` live messages numbered from `from`, one per turn of the event loop. */
async function publishLive(server: TestServer, channel: string, from: number, count: number, bytes = 100): Promise<void> {
  const text = 'y'.repeat(bytes);
  for (let i = from; i < from + count; i++) {
    await server.app.log.append(channel, 'message', { i, text });
    await nextTurn();
  }
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

describe('WebSocket resume storms', () => {
  const HISTORY = 100;
  let server: TestServer;
  let start: string;
  before(async () => {
    server = await startServer({ historyLimit: HISTORY, maxBufferedBytes: 1024 * 1024 });
    start = await fill(server, 'storm', HISTORY, 32 * 1024);
    // The first fetch loads its HTTP client: keep that out of the measured time.
    await answerTime(server);
  });
  after(() => server.close());

  it('answers 100 resume frames sent in one write with one replay and 99 RESUME_IN_PROGRESS error frames, holding the event loop under the bound', async (t) => {
    const client = new RawWebSocket(server, '/api/ws/storm', { decode: true });
    await client.opened;
    await client.received(1);
    const delay = await loopDelayDuring(async () => {
      client.send(Array.from({ length: 100 }, () => ({ type: 'resume', since: start })));
      await client.received(1 + HISTORY + 99);
    });
    const errors = client.frames.filter((frame) => frame.type === 'error');
    assert.equal(errors.length, 99);
    assert.ok(errors.every((frame) => frame.code === 'RESUME_IN_PROGRESS'), JSON.stringify(errors[0]));
    assert.match(errors[0].message, new RegExp(start));
    const replayed = client.frames.filter((frame) => frame.type === 'message').map((frame) => frame.message.data.i);
    assert.deepEqual(replayed, range(0, HISTORY));
    assertLoopDelay(t, delay);
    client.socket.destroy();
  });

  it('serves a resume sent after the previous replay has arrived', async () => {
    const client = await new FrameReader(server.ws(`/api/ws/storm?since=${start}`)).opened();
    try {
      await client.next();
      for (let i = 0; i < HISTORY; i++) assert.equal((await client.next()).message.data.i, i);
      const middle = server.app.log.headId('storm').replace(/\d+$/, (seq) => String(Number(seq) - 3));
      client.send({ type: 'resume', since: middle });
      assert.deepEqual([(await client.next()).message.data.i, (await client.next()).message.data.i, (await client.next()).message.data.i], range(HISTORY - 3, 3));
    } finally {
      await client.close();
    }
  });

  it('refuses a resume frame while the ?since= replay of the same socket is still being sent', async () => {
    const client = new RawWebSocket(server, `/api/ws/storm?since=${start}`, { decode: true });
    await client.opened;
    client.send([{ type: 'resume', since: start }]);
    await client.received(1 + HISTORY + 1);
    const error = client.frames.find((frame) => frame.type === 'error');
    assert.equal(error?.code, 'RESUME_IN_PROGRESS');
    assert.equal(client.frames.filter((frame) => frame.type === 'message').length, HISTORY);
    client.socket.destroy();
  });

  it('keeps resume storms from 10 loopback addresses under the event-loop bound, one replay per socket, and still answers others', async (t) => {
    const clients = Array.from({ length: 10 }, (_, i) => new RawWebSocket(server, '/api/ws/storm', { decode: true, localAddress: `127.0.0.${i + 2}` }));
    await Promise.all(clients.map((client) => client.opened));
    await Promise.all(clients.map((client) => client.received(1)));
    let answer = 0;
    const delay = await loopDelayDuring(async () => {
      for (const client of clients) client.send(Array.from({ length: 20 }, () => ({ type: 'resume', since: start })));
      answer = await answerTime(server);
      await Promise.all(clients.map((client) => client.received(1 + HISTORY + 19)));
    });
    for (const client of clients) {
      assert.equal(client.frames.filter((frame) => frame.type === 'message').length, HISTORY);
      assert.equal(client.frames.filter((frame) => frame.code === 'RESUME_IN_PROGRESS').length, 19);
      client.socket.destroy();
    }
    assertLoopDelay(t, delay);
    assert.ok(answer < MAX_ANSWER_MS, `health answered in ${answer.toFixed(0)} ms`);
  });
});

describe('200 WebSocket ?since= replays at once', () => {
  const HISTORY = 100;
  const CLIENTS = 200;
  let server: TestServer;
  let start: string;
  before(async () => {
    server = await startServer({ historyLimit: 2 * HISTORY, maxConnectionsPerAddress: 1000 });
    start = await fill(server, 'many', HISTORY, 16 * 1024);
    await answerTime(server);
  });
  after(() => server.close());

  it('replays the whole history to each, keeping the event loop under the bound, with a reader alongside getting every live message once, in order', async (t) => {
    const reader = await wellBehavedWs(server, 'many');
    const replayedBefore = server.app.stats.messages.replayed;
    const clients: RawWebSocket[] = [];
    let answer = 0;
    const delay = await loopDelayDuring(async () => {
      for (let i = 0; i < CLIENTS; i++) clients.push(new RawWebSocket(server, `/api/ws/many?since=${start}`, { localAddress: `127.0.1.${(i % 50) + 1}` }));
      const live = publishLive(server, 'many', HISTORY, 50);
      answer = await answerTime(server);
      await live;
      await Promise.all(clients.map((client) => client.received(1 + HISTORY + 50)));
    });
    assertLoopDelay(t, delay);
    assert.ok(answer < MAX_ANSWER_MS, `health answered in ${answer.toFixed(0)} ms`);
    for (const client of clients) assert.equal(client.count, 1 + HISTORY + 50, 'welcome, the history and the live messages, none twice');
    // Live messages published while a client was replaying may reach it through the replay.
    const replayed = server.app.stats.messages.replayed - replayedBefore;
    assert.ok(replayed >= CLIENTS * HISTORY && replayed <= CLIENTS * (HISTORY + 50), `${replayed} counted`);
    await until(() => reader.received.length === 50, 'the live messages');
    assert.deepEqual(reader.received, range(HISTORY, 50));
    for (const client of clients) client.socket.destroy();
    await reader.client.close();
    await until(() => server.app.stats.open.websocket === 0, 'every socket closed');
  });
  it('writes to 200 clients that ask for a 5 MB replay and leave after 10 frames only about what they took', async (t) => {
    const from = await fill(server, 'leave', 150, 32 * 1024);
    const replayedBefore = server.app.stats.messages.replayed;
    const clients: RawWebSocket[] = [];
    const delay = await loopDelayDuring(async () => {
      for (let i = 0; i < CLIENTS; i++) {
        const client = new RawWebSocket(server, `/api/ws/leave?since=${from}`, { localAddress: `127.0.1.${(i % 50) + 1}` });
        void client.received(10).then(() => client.socket.destroy());
        clients.push(client);
      }
      await Promise.all(clients.map((client) => client.closed));
      await until(() => server.app.stats.open.websocket === 0, 'every socket closed', 20_000);
    });
    assertLoopDelay(t, delay);
    const replayed = server.app.stats.messages.replayed - replayedBefore;
    assert.ok(replayed < (CLIENTS * 150) / 2, `${replayed} of ${CLIENTS * 150} messages written`);
  });
});

describe('SSE replays of a full history of large messages', () => {
  // The default HISTORY_LIMIT of 1,000 messages, each about 64 KB: 64 MB per replay.
  const HISTORY = 1000;
  let server: TestServer;
  let start: string;
  before(async () => {
    server = await startServer({ historyLimit: HISTORY, maxBufferedBytes: 1024 * 1024 });
    start = await fill(server, 'big', HISTORY, 64 * 1024);
    await answerTime(server);
  });
  after(() => server.close());

  it('writes 4 replays of 64 MB each without holding the event loop past the bound, and answers others meanwhile', async (t) => {
    const streams: RawEventStream[] = [];
    let answer = 0;
    const delay = await loopDelayDuring(async () => {
      for (let i = 0; i < 4; i++) streams.push(new RawEventStream(server, '/api/sse/big', { lastEventId: start, localAddress: `127.0.2.${i + 1}` }));
      answer = await answerTime(server);
      await Promise.all(streams.map((stream) => stream.received(HISTORY)));
    });
    assertLoopDelay(t, delay);
    assert.ok(answer < MAX_ANSWER_MS, `health answered in ${answer.toFixed(0)} ms`);
    for (const stream of streams) {
      assert.equal(new Set(stream.ids).size, HISTORY);
      assert.deepEqual(stream.events.slice(0, 2), ['connected', 'message']);
      stream.socket.destroy();
    }
    assert.equal(server.app.stats.disconnected.slowConsumers, 0, 'readers that read are not cut');
  });

  it('stops writing to a reader that does not read: the server holds no more than a chunk or two of its replay', async () => {
    let serverSocket: net.Socket | undefined;
    const onConnection = (socket: net.Socket) => (serverSocket = socket);
    server.app.server.once('connection', onConnection);
    const stream = new RawEventStream(server, '/api/sse/big', { lastEventId: start });
    await stream.received(1);
    stream.socket.pause();
    // The kernel's buffers fill first; then the server's own unsent output starts to grow.
    await until(() => (serverSocket?.writableLength ?? 0) > 0, 'the socket to fill', 10_000);
    const replayed = server.app.stats.messages.replayed;
    for (let i = 0; i < 50; i++) await nextTurn();
    assert.ok((serverSocket?.writableLength ?? 0) <= 4 * 64 * 1024 + 1024, `the server holds ${serverSocket?.writableLength} bytes`);
    assert.equal(server.app.stats.messages.replayed, replayed, 'the replay waits for the reader');
    assert.equal(server.app.stats.disconnected.slowConsumers, 0);
    stream.socket.destroy();
    await until(() => server.app.stats.open.sse === 0, 'the stream to close');
  });

  it('stops a replay when its reader goes away', async () => {
    const replayedBefore = server.app.stats.messages.replayed;
    const stream = new RawEventStream(server, '/api/sse/big', { lastEventId: start });
    await stream.received(5);
    stream.socket.destroy();
    await until(() => server.app.stats.open.sse === 0, 'the stream to close');
    const replayed = server.app.stats.messages.replayed - replayedBefore;
    for (let i = 0; i < 20; i++) await nextTurn();
    assert.equal(server.app.stats.messages.replayed - replayedBefore, replayed, 'nothing more is written');
    assert.ok(replayed < HISTORY, `${replayed} of ${HISTORY} replayed`);
  });

  it('replays to an EventSource every message exactly once, in order, followed by the live ones', async () => {
    const source = new EventSource(`${server.url}/api/sse/big?lastEventId=${start}`);
    const received: number[] = [];
    source.addEventListener('message', (event) => received.push(JSON.parse(event.data).data.i));
    try {
      await until(() => received.length >= 10, 'the replay to start', 10_000);
      await publishLive(server, 'big', HISTORY, 5, 10);
      await until(() => received.length === HISTORY + 5, 'the whole history and the live messages', 20_000);
      assert.deepEqual(received, range(0, HISTORY + 5));
    } finally {
      source.close();
    }
  });
});

describe('clients that do not read during a replay (MAX_BUFFERED_BYTES)', () => {
  const HISTORY = 300;
  const BOUND = 256 * 1024;
  let server: TestServer;
  let start: string;
  before(async () => {
    server = await startServer({ historyLimit: 1000, maxBufferedBytes: BOUND });
    start = await fill(server, 'stall', HISTORY, 32 * 1024);
  });
  after(() => server.close());

  it('cuts an SSE reader that stops reading during its replay once the live messages held for it pass the bound, and it resumes without a hole', async () => {
    const cutBefore = server.app.stats.disconnected.slowConsumers;
    const reader = wellBehavedSse(server, 'stall');
    await reader.connected;
    const stream = new RawEventStream(server, '/api/sse/stall', { lastEventId: start });
    await stream.received(1);
    stream.socket.pause();
    let published = 0;
    while (server.app.stats.disconnected.slowConsumers === cutBefore && published < 200) {
      await publishLive(server, 'stall', 1000 + published, 1, 16 * 1024);
      published += 1;
    }
    assert.equal(server.app.stats.disconnected.slowConsumers, cutBefore + 1);
    assert.ok(published * 16 * 1024 <= BOUND + 64 * 1024, `cut after ${published} live messages`);
    stream.socket.resume();
    await stream.closed;
    // It comes back with the last id it received, and is owed everything after it.
    const last = stream.ids.at(-1) as string;
    const again = new RawEventStream(server, '/api/sse/stall', { lastEventId: last });
    const owed = HISTORY + published - stream.ids.length;
    await again.received(owed);
    assert.equal(again.ids.length, owed);
    assert.equal(new Set([...stream.ids, ...again.ids]).size, HISTORY + published, 'nothing skipped, nothing twice');
    again.socket.destroy();
    await until(() => reader.received.length === published, 'the live messages');
    assert.deepEqual(reader.received, range(1000, published));
    reader.source.close();
  });

  it('cuts a WebSocket that stops reading during its replay once live messages pass the bound, counted once', async () => {
    const cutBefore = server.app.stats.disconnected.slowConsumers;
    const client = new RawWebSocket(server, `/api/ws/stall?since=${start}`, { decode: true });
    await client.received(2);
    client.socket.pause();
    let published = 0;
    while (server.app.stats.disconnected.slowConsumers === cutBefore && published < 200) {
      await publishLive(server, 'stall', 2000 + published, 1, 16 * 1024);
      published += 1;
    }
    // More messages after the cut: none of them may count it again.
    await publishLive(server, 'stall', 2000 + published, 20, 16);
    assert.equal(server.app.stats.disconnected.slowConsumers, cutBefore + 1);
    client.socket.resume();
    await client.closed;
    await until(() => server.app.stats.open.websocket === 0, 'the socket to be gone');
  });

  it('holds live messages for a replay that never finishes only up to the bound, then ends the connection so it resumes', async () => {
    const cutBefore = server.app.stats.disconnected.slowConsumers;
    const client = new RawWebSocket(server, `/api/ws/stall?since=${start}`);
    await client.received(2);
    client.socket.pause();
    let published = 0;
    while (server.app.stats.disconnected.slowConsumers === cutBefore && published < 1000) {
      await publishLive(server, 'stall', 3000 + published, 1, 1024);
      published += 1;
    }
    assert.equal(server.app.stats.disconnected.slowConsumers, cutBefore + 1);
    assert.ok(published * 1024 <= BOUND + 64 * 1024, `ended after ${published} live messages of 1 KiB`);
    client.socket.resume();
    await client.closed;
  });
});

describe('counters', () => {
  it('counts each slow consumer once, however many messages arrive after it is cut', async () => {
    const server = await startServer({ maxBufferedBytes: 64 * 1024, maxConnectionsPerAddress: 1000 });
    try {
      const sse = Array.from({ length: 20 }, () => new RawEventStream(server, '/api/sse/burst'));
      const ws = Array.from({ length: 20 }, () => new RawWebSocket(server, '/api/ws/burst'));
      await Promise.all(sse.map((stream) => stream.received(0)));
      await until(() => server.app.stats.open.sse === 20 && server.app.stats.open.websocket === 20, 'every client');
      await Promise.all(ws.map((client) => client.received(1)));
      for (const client of [...sse, ...ws]) client.socket.pause();
      const chunk = 'z'.repeat(32 * 1024);
      for (let round = 0; round < 300 && server.app.stats.open.sse + server.app.stats.open.websocket > 0; round++) {
        // Bursts: several messages in one turn, so many writes reach a stream after it is cut and before it closes.
        for (let i = 0; i < 10; i++) void server.app.log.append('burst', 'message', chunk);
        await nextTurn();
      }
      await until(() => server.app.stats.open.sse + server.app.stats.open.websocket === 0, 'every client cut');
      assert.equal(server.app.stats.disconnected.slowConsumers, 40);
      for (const client of [...sse, ...ws]) client.socket.destroy();
    } finally {
      await server.close();
    }
  });

  it('counts as replayed only the messages a replay has written, not those of a client gone midway', async () => {
    const server = await startServer({ historyLimit: 300 });
    try {
      const start = await fill(server, 'count', 300, 32 * 1024);
      const client = new RawWebSocket(server, `/api/ws/count?since=${start}`);
      await client.received(3);
      client.socket.destroy();
      await until(() => server.app.stats.open.websocket === 0, 'the socket to close');
      for (let i = 0; i < 20; i++) await nextTurn();
      assert.ok(server.app.stats.messages.replayed < 300, `${server.app.stats.messages.replayed} counted`);
      const full = new RawWebSocket(server, `/api/ws/count?since=${start}`);
      const before = server.app.stats.messages.replayed;
      await full.received(301);
      assert.equal(server.app.stats.messages.replayed - before, 300);
      full.socket.destroy();
    } finally {
      await server.close();
    }
  });
});

describe('replays across pages and gaps', () => {
  const HISTORY = 2500;
  let server: TestServer;
  let start: string;
  before(async () => {
    server = await startServer({ historyLimit: HISTORY, publishRatePerS: 100_000, publishBurst: 100_000 });
    start = await fill(server, 'long', HISTORY, 10);
  });
  after(() => server.close());

  it('replays a history longer than one page to an EventSource once, in order', async () => {
    const source = new EventSource(`${server.url}/api/sse/long?lastEventId=${start}`);
    const received: number[] = [];
    source.addEventListener('message', (event) => received.push(JSON.parse(event.data).data.i));
    try {
      await until(() => received.length === HISTORY, 'every message', 20_000);
      assert.deepEqual(received, range(0, HISTORY));
    } finally {
      source.close();
    }
  });

  it('replays a history longer than one page to a WebSocket once, in order, with live messages after it', async () => {
    const client = new RawWebSocket(server, `/api/ws/long?since=${start}`, { decode: true });
    await client.opened;
    const live = publishLive(server, 'long', HISTORY, 20, 10);
    await client.received(1 + HISTORY + 20);
    await live;
    const ids = client.frames.filter((frame) => frame.type === 'message').map((frame) => frame.message.data.i);
    assert.deepEqual(ids, range(0, HISTORY + 20), 'no hole, nothing twice');
    client.socket.destroy();
  });

  it('tells a WebSocket replay from an id that left the history with a gap frame first', async () => {
    const trimmed = await fill(server, 'trimmed', HISTORY + 10, 10);
    const client = new RawWebSocket(server, `/api/ws/trimmed?since=${trimmed}`, { decode: true });
    await client.received(3);
    assert.equal(client.frames[1].type, 'gap');
    assert.equal(client.frames[1].since, trimmed);
    assert.equal(client.frames[2].message.data.i, 10);
    client.socket.destroy();
  });

  it('tells an SSE replay from an id that left the history with a gap event first', async () => {
    const trimmed = await fill(server, 'trimmed-sse', HISTORY + 10, 10);
    const stream = new RawEventStream(server, '/api/sse/trimmed-sse', { lastEventId: trimmed });
    await stream.received(1);
    assert.deepEqual(stream.events.slice(0, 3), ['connected', 'gap', 'message']);
    stream.socket.destroy();
  });

  it('tells a reader whose unread history left the log during its slow replay with a gap frame, never a silent hole', async () => {
    const own = await startServer({ historyLimit: 1500 });
    try {
      const from = await fill(own, 'slow', 1500, 2048);
      const client = new RawWebSocket(own, `/api/ws/slow?since=${from}`, { decode: true });
      await client.received(2);
      client.socket.pause();
      // While it does not read, 1,100 live messages push the part of the history it has not been sent out of the log.
      await until(() => own.app.stats.messages.replayed > 0, 'the replay to start');
      for (let i = 1500; i < 2600; i++) await own.app.log.append('slow', 'message', { i });
      client.socket.resume();
      await until(() => client.frames.at(-1)?.message?.data.i === 2599, 'the last live message', 20_000);
      const seen = client.frames.filter((frame) => frame.type !== 'welcome');
      const gap = seen.findIndex((frame) => frame.type === 'gap');
      assert.ok(gap > 0, 'a gap frame after the part of the history that was sent');
      const before = seen.slice(0, gap).map((frame) => frame.message.data.i);
      const afterGap = seen.slice(gap + 1).map((frame) => frame.message.data.i);
      assert.deepEqual(before, range(0, before.length));
      assert.equal(seen[gap].since, seen[gap - 1].message.id);
      assert.deepEqual(afterGap, range(afterGap[0], afterGap.length), 'after the gap: no hole, nothing twice');
      assert.ok((afterGap[0] ?? 0) > before.length, `the replay resumes at ${afterGap[0]}, after a hole it was told of`);
      client.socket.destroy();
    } finally {
      await own.close();
    }
  });

  it('answers a resume after an id newer than the channel with a gap, never silence, and keeps sending live messages', async () => {
    await server.app.log.append('ahead', 'message', { i: 1 });
    await server.app.log.append('ahead', 'message', { i: 2 });
    const client = new RawWebSocket(server, '/api/ws/ahead', { decode: true });
    await client.received(1);
    const head = server.app.log.headId('ahead');
    const future = head.replace(/\d+$/, (seq) => String(Number(seq) + 1000));
    client.send([{ type: 'resume', since: future }]);
    await client.received(4);
    // An id the log cannot place (here: newer than anything it holds) is a gap, never a 400 or
    // silence; what follows starts at the oldest message kept.
    assert.equal(client.frames[1].type, 'gap');
    assert.equal(client.frames[1].since, future);
    assert.deepEqual([client.frames[2].message.data.i, client.frames[3].message.data.i], [1, 2]);
    await server.app.log.append('ahead', 'message', { i: -1 });
    await client.received(5);
    assert.equal(client.frames[4].message.data.i, -1);
    client.socket.destroy();
  });

  it('keeps a reconnect storm of 100 event streams with Last-Event-ID from 20 addresses under the bound', async (t) => {
    const from = await fill(server, 'reconnect', 200, 8 * 1024);
    const streams: RawEventStream[] = [];
    const delay = await loopDelayDuring(async () => {
      for (let i = 0; i < 100; i++) streams.push(new RawEventStream(server, '/api/sse/reconnect', { lastEventId: from, localAddress: `127.0.3.${(i % 20) + 1}` }));
      await Promise.all(streams.map((stream) => stream.received(200)));
    });
    assertLoopDelay(t, delay);
    for (const stream of streams) {
      assert.equal(new Set(stream.ids).size, 200);
      stream.socket.destroy();
    }
  });

  it('ends replays on shutdown without an error', async () => {
    const own = await startServer({ historyLimit: 200 });
    const from = await fill(own, 'bye', 200, 32 * 1024);
    const sse = new RawEventStream(own, '/api/sse/bye', { lastEventId: from });
    const ws = new RawWebSocket(own, `/api/ws/bye?since=${from}`);
    await Promise.all([sse.received(1), ws.received(2)]);
    sse.socket.pause();
    ws.socket.pause();
    await own.close();
    sse.socket.destroy();
    ws.socket.destroy();
    await Promise.all([sse.closed, ws.closed]);
    await until(() => own.app.stats.open.sse + own.app.stats.open.websocket === 0, 'both closed');
  });
});
