import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { FrameReader, startServer, until, type TestServer } from './helpers.ts';

/** Sends raw bytes and resolves with everything the server wrote before closing. */
function rawRequest(server: TestServer, bytes: string): Promise<string> {
  const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
  socket.write(bytes);
  let text = '';
  socket.on('data', (chunk) => (text += chunk));
  return new Promise((resolve) => socket.on('close', () => resolve(text)));
}

describe('bad requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxHeaderBytes: 2048, headersTimeoutMs: 300, requestTimeoutMs: 300 });
  });
  after(() => server.close());

  it('answers an oversized header block with 431 in the API error shape', async () => {
    // A server of its own, with the default time limits: on a busy machine more than 300 ms can
    // pass before the server reads the headers, and it would rightly answer 408 instead.
    const roomy = await startServer({ maxHeaderBytes: 2048 });
    try {
      const res = await fetch(`${roomy.url}/api/poll/chat`, { headers: { 'X-Big': 'x'.repeat(4096) } });
      assert.equal(res.status, 431);
      assert.equal((await res.json()).error.code, 'HEADERS_TOO_LARGE');
    } finally {
      await roomy.close();
    }
  });

  it('answers a client that never finishes its headers with 408 and closes', async () => {
    const text = await rawRequest(server, 'GET /api/poll/chat HTTP/1.1\r\nHost: localhost\r\n');
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.match(text, /REQUEST_TIMEOUT/);
  });

  it('answers a request that is not HTTP with 400', async () => {
    const text = await rawRequest(server, 'HELLO THERE\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 400/);
  });

  it('stays up for everyone else', async () => {
    const res = await fetch(`${server.url}/api/health`);
    assert.deepEqual(await res.json(), { ok: true });
  });
});

describe('slow consumers (MAX_BUFFERED_BYTES)', () => {
  it('disconnects an SSE client that stops reading, which then recovers from history', async () => {
    const server = await startServer({ maxBufferedBytes: 64 * 1024, historyLimit: 1000 });
    try {
      const first = await server.app.log.append('flood', 'message', 'before');
      const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
      socket.write('GET /api/sse/flood HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await once(socket, 'data');
      socket.pause();
      const closed = once(socket, 'close');
      const chunk = 'x'.repeat(32 * 1024);
      let appended = 0;
      while (server.app.stats.disconnected.slowConsumers === 0 && appended < 800) {
        await server.app.log.append('flood', 'message', chunk);
        appended += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(server.app.stats.disconnected.slowConsumers, 1);
      socket.resume();
      await closed;
      await until(() => server.app.stats.open.sse === 0, 'the stream to be gone');
      const replay = new EventSource(`${server.url}/api/sse/flood?lastEventId=${first.id}`);
      const connected = await new Promise<any>((resolve) => replay.addEventListener('connected', (e) => resolve(JSON.parse(e.data))));
      replay.close();
      assert.equal(connected.replayed, appended);
    } finally {
      await server.close();
    }
  });

  it('terminates a WebSocket client that stops reading', async () => {
    const server = await startServer({ maxBufferedBytes: 64 * 1024 });
    try {
      const client = await new FrameReader(server.ws('/api/ws/flood')).opened();
      await client.next();
      client.ws.pause();
      const closed = once(client.ws, 'close');
      const chunk = 'x'.repeat(32 * 1024);
      for (let i = 0; server.app.stats.disconnected.slowConsumers === 0 && i < 800; i++) {
        await server.app.log.append('flood', 'message', chunk);
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(server.app.stats.disconnected.slowConsumers, 1);
      client.ws.resume();
      await closed;
    } finally {
      await server.close();
    }
  });
});

describe('nothing lost, nothing doubled, across reconnects', () => {
  const TOTAL = 150;
  let server: TestServer;
  /** Every socket of the server: fetch keeps connections alive, so one may predate a test. */
  const sockets = new Set<net.Socket>();
  before(async () => {
    server = await startServer({ publishRatePerS: 100_000, publishBurst: 100_000, sseRetryMs: 20 });
    server.app.server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  });
  after(() => server.close());

  /** Publishes TOTAL numbered messages, a few per event-loop turn, while clients read. */
  async function publishAll(channel: string): Promise<void> {
    for (let i = 0; i < TOTAL; i++) {
      await server.app.log.append(channel, 'message', i);
      if (i % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  function assertAll(received: number[]): void {
    assert.deepEqual(received, Array.from({ length: TOTAL }, (_, i) => i));
  }

  it('a polling client that drops and resumes from its cursor gets every message once, in order', async () => {
    const start = server.app.log.headId('poll-stream');
    const publishing = publishAll('poll-stream');
    const received: number[] = [];
    let cursor = start;
    while (received.length < TOTAL) {
      const page = await (await fetch(`${server.url}/api/poll/poll-stream?since=${cursor}&limit=7`)).json();
      for (const m of page.messages) received.push(m.data);
      cursor = page.cursor;
    }
    await publishing;
    assertAll(received);
  });

  it('a long-polling client that aborts now and then gets every message once, in order', async () => {
    const received: number[] = [];
    let cursor = server.app.log.headId('lp-stream');
    const publishing = publishAll('lp-stream');
    let requests = 0;
    while (received.length < TOTAL) {
      requests += 1;
      const controller = new AbortController();
      // Every third request is abandoned as soon as it is sent: the client "drops".
      if (requests % 3 === 0) queueMicrotask(() => controller.abort());
      const res = await fetch(`${server.url}/api/long-poll/lp-stream?since=${cursor}&timeout=5`, { signal: controller.signal }).catch(() => null);
      if (!res || res.status === 204) continue;
      const page = await res.json();
      for (const m of page.messages) received.push(m.data);
      cursor = page.cursor;
    }
    await publishing;
    assertAll(received);
    await until(() => server.app.stats.open.longPoll === 0, 'no waiters left');
  });

  it('an EventSource whose connection is cut reconnects with Last-Event-ID and gets every message once, in order', async () => {
    const source = new EventSource(`${server.url}/api/sse/sse-stream`);
    const received: number[] = [];
    const lastEventIds: (string | null)[] = [];
    source.addEventListener('connected', (event) => lastEventIds.push(JSON.parse(event.data).lastEventId));
    source.addEventListener('message', (event) => received.push(JSON.parse(event.data).data));
    await until(() => lastEventIds.length === 1, 'the first connection');
    let next = 0;
    for (const cutAt of [50, 100, TOTAL]) {
      while (next < cutAt) await server.app.log.append('sse-stream', 'message', next++);
      await until(() => received.length === cutAt, `${cutAt} messages`);
      // Cut the connection from the server side; messages published while the client is
      // away must come back through Last-Event-ID.
      if (cutAt < TOTAL) {
        for (const socket of sockets) socket.destroy();
        await server.app.log.append('sse-stream', 'message', next++);
      }
    }
    source.close();
    assert.deepEqual(received.slice(0, TOTAL), Array.from({ length: TOTAL }, (_, i) => i).slice(0, TOTAL));
    assert.equal(lastEventIds.length, 3);
    assert.ok(lastEventIds[1] !== null && lastEventIds[2] !== null, 'reconnected with Last-Event-ID');
  });

  it('a WebSocket client that reconnects with ?since= gets every message once, in order', async () => {
    const received: number[] = [];
    let last = server.app.log.headId('ws-stream');
    const publishing = publishAll('ws-stream');
    while (received.length < TOTAL) {
      const ws = new WebSocket(server.ws(`/api/ws/ws-stream?since=${last}`));
      await new Promise<void>((resolve) => {
        let count = 0;
        ws.on('message', (data: Buffer) => {
          const frame = JSON.parse(data.toString());
          if (frame.type !== 'message') return;
          received.push(frame.message.data);
          last = frame.message.id;
          // Drop after every 33 messages, as a flaky network would.
          if (++count === 33 || received.length === TOTAL) {
            ws.terminate();
            resolve();
          }
        });
      });
    }
    await publishing;
    assertAll(received);
  });
});
