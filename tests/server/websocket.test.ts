import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { FrameReader, newRun, publish, startServer, until, type TestServer } from './helpers.ts';

/** The status line of a refused handshake, with its JSON body. */
function refusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => reject(new Error('the handshake was accepted')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

describe('WebSocket /api/ws/:channel', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishRatePerS: 10_000, publishBurst: 10_000, historyLimit: 5, maxFrameBytes: 1024, maxMessageBytes: 1024 });
  });
  after(() => server.close());

  it('welcomes with the handshake as the server saw it, with an accept value per RFC 6455', async () => {
    const client = await new FrameReader(server.ws('/api/ws/chat')).opened();
    try {
      const welcome = await client.next();
      assert.equal(welcome.type, 'welcome');
      assert.equal(typeof welcome.connectionId, 'string');
      assert.equal(typeof welcome.cursor, 'string');
      assert.equal(welcome.handshake.version, '13');
      const expected = createHash('sha1').update(`${welcome.handshake.key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      assert.equal(welcome.handshake.accept, expected);
    } finally {
      await client.close();
    }
  });

  it('acks a publish and broadcasts it to every subscriber, the sender included', async () => {
    const alice = await new FrameReader(server.ws('/api/ws/room')).opened();
    const bob = await new FrameReader(server.ws('/api/ws/room')).opened();
    try {
      await alice.next();
      await bob.next();
      alice.send({ type: 'publish', event: 'say', data: { text: 'hello' } });
      const [first, second] = [await alice.next(), await alice.next()];
      const ack = first.type === 'ack' ? first : second;
      const own = first.type === 'message' ? first : second;
      assert.equal(ack.type, 'ack');
      assert.equal(own.message.id, ack.id);
      assert.equal(own.message.type, 'say');
      const theirs = await bob.next();
      assert.deepEqual(theirs.message, own.message);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('delivers messages published over HTTP as message frames', async () => {
    const client = await new FrameReader(server.ws('/api/ws/mixed')).opened();
    try {
      await client.next();
      const sent = await publish(server, 'mixed', 42);
      const frame = await client.next();
      assert.deepEqual({ type: frame.type, id: frame.message.id, data: frame.message.data }, { type: 'message', id: sent.id, data: 42 });
    } finally {
      await client.close();
    }
  });

  it('replays after ?since= on connect and after a resume frame, exactly once and in order', async () => {
    const first = await publish(server, 'resumable', 1);
    const rest = [await publish(server, 'resumable', 2), await publish(server, 'resumable', 3)];
    const client = await new FrameReader(server.ws(`/api/ws/resumable?since=${first.id}`)).opened();
    try {
      assert.equal((await client.next()).cursor, first.id);
      assert.deepEqual([(await client.next()).message.id, (await client.next()).message.id], rest.map((m) => m.id));
      client.send({ type: 'resume', since: rest[0]?.id });
      assert.equal((await client.next()).message.id, rest[1]?.id);
      const live = await publish(server, 'resumable', 4);
      assert.equal((await client.next()).message.id, live.id);
    } finally {
      await client.close();
    }
  });

  it('sends a gap frame when the resume id has left the history', async () => {
    const first = await publish(server, 'gone', 0);
    for (let i = 1; i <= 7; i++) await publish(server, 'gone', i);
    const client = await new FrameReader(server.ws(`/api/ws/gone?since=${first.id}`)).opened();
    try {
      await client.next();
      const gap = await client.next();
      assert.equal(gap.type, 'gap');
      assert.equal(gap.since, first.id);
      assert.equal((await client.next()).message.data, 3);
    } finally {
      await client.close();
    }
  });

  it('answers malformed frames with an error frame and keeps the connection open', async () => {
    const client = await new FrameReader(server.ws('/api/ws/chat')).opened();
    try {
      await client.next();
      client.ws.send('not json');
      assert.equal((await client.next()).code, 'INVALID_JSON');
      client.send({ type: 'shout' });
      const unknown = await client.next();
      assert.equal(unknown.code, 'UNKNOWN_FRAME_TYPE');
      assert.match(unknown.message, /"publish" or "resume"/);
      client.send({ type: 'publish' });
      assert.equal((await client.next()).code, 'MISSING_DATA');
      client.send({ type: 'resume', since: 'garbage' });
      assert.equal((await client.next()).code, 'INVALID_ID');
      client.ws.send(Buffer.from([1, 2, 3]));
      assert.equal((await client.next()).code, 'BINARY_NOT_SUPPORTED');
      client.send({ type: 'publish', data: 'still here' });
      const frames = [await client.next(), await client.next()];
      assert.ok(frames.some((f) => f.type === 'ack'));
    } finally {
      await client.close();
    }
  });

  it('answers a bad ?since= with an error frame after the welcome, and goes live from now', async () => {
    const client = await new FrameReader(server.ws('/api/ws/badsince?since=garbage')).opened();
    try {
      const welcome = await client.next();
      assert.notEqual(welcome.cursor, 'garbage');
      const error = await client.next();
      assert.equal(error.code, 'INVALID_ID');
      assert.match(error.message, /garbage/);
      const live = await publish(server, 'badsince', 'now');
      assert.equal((await client.next()).message.id, live.id);
    } finally {
      await client.close();
    }
  });

  it('refuses publishing to the clock with an error frame', async () => {
    const client = await new FrameReader(server.ws('/api/ws/clock')).opened();
    try {
      await client.next();
      client.send({ type: 'publish', data: 1 });
      assert.equal((await client.next()).code, 'CHANNEL_READ_ONLY');
    } finally {
      await client.close();
    }
  });

  it('closes with 1009 when a frame is larger than MAX_FRAME_BYTES', async () => {
    const client = await new FrameReader(server.ws('/api/ws/chat')).opened();
    await client.next();
    client.ws.send('x'.repeat(2048));
    const [code] = (await once(client.ws, 'close')) as [number];
    assert.equal(code, 1009);
  });

  it('refuses a handshake from an origin that is not allowed, or from null without a live run, with 403, and accepts null with a run and its own', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const refused = await refusal(server.ws('/api/ws/chat'), { Origin: origin });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'ORIGIN_NOT_ALLOWED');
    }
    const run = await newRun(server);
    for (const [origin, path] of [['null', `/api/ws/chat?run=${run}`], [server.url, '/api/ws/chat']] as const) {
      const client = await new FrameReader(server.ws(path), { headers: { Origin: origin } }).opened();
      assert.equal((await client.next()).type, 'welcome');
      await client.close();
    }
  });

  it('refuses unknown paths with 404 and bad channel names with 400 before upgrading', async () => {
    assert.equal((await refusal(server.ws('/api/ws/Bad'))).status, 400);
    assert.equal((await refusal(server.ws('/api/nowhere'))).status, 404);
  });

  it('uncounts a handshake that ws refuses, such as one with a bad Sec-WebSocket-Version', async () => {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    socket.write('GET /api/ws/chat HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 7\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    await once(socket, 'close');
    assert.match(answer, /^HTTP\/1\.1 400/);
    const stats = await (await fetch(`${server.url}/api/stats`)).json();
    assert.equal(stats.open.total, 0);
  });

  it('works with Node\'s own WebSocket client too', async () => {
    const ws = new globalThis.WebSocket(server.ws('/api/ws/native'));
    const welcome = await new Promise<any>((resolve) => ws.addEventListener('message', (e) => resolve(JSON.parse(String(e.data))), { once: true }));
    assert.equal(welcome.type, 'welcome');
    ws.close();
    await new Promise((resolve) => ws.addEventListener('close', resolve, { once: true }));
  });
});

describe('WebSocket /api/echo', () => {
  it('echoes text as text and binary as binary, unchanged', async () => {
    const server = await startServer();
    const ws = new WebSocket(server.ws('/api/echo'));
    try {
      await once(ws, 'open');
      ws.send('héllo');
      const [text, textIsBinary] = (await once(ws, 'message')) as [Buffer, boolean];
      assert.deepEqual([text.toString(), textIsBinary], ['héllo', false]);
      const bytes = Buffer.from([0, 255, 7]);
      ws.send(bytes);
      const [binary, binaryIsBinary] = (await once(ws, 'message')) as [Buffer, boolean];
      assert.deepEqual([binary, binaryIsBinary], [bytes, true]);
    } finally {
      ws.close();
      await once(ws, 'close');
      await server.close();
    }
  });
});

describe('dead connections (WS_PING_MS)', () => {
  it('pings, and terminates a connection that misses a pong', async () => {
    const server = await startServer({ wsPingMs: 50 });
    const silent = new WebSocket(server.ws('/api/ws/chat'), { autoPong: false });
    const lively = new WebSocket(server.ws('/api/ws/chat'));
    try {
      await Promise.all([once(silent, 'open'), once(lively, 'open')]);
      await once(lively, 'ping');
      const [code] = (await once(silent, 'close')) as [number];
      assert.equal(code, 1006);
      assert.equal(server.app.stats.disconnected.missedPongs, 1);
      await once(lively, 'ping');
      assert.equal(lively.readyState, WebSocket.OPEN);
    } finally {
      lively.close();
      await server.close();
    }
  });
});

describe('connection limits (MAX_CONNECTIONS_PER_ADDRESS, MAX_CONNECTIONS)', () => {
  it('refuses a WebSocket past the per-address limit with 429 before the upgrade, and counts closes', async () => {
    const server = await startServer({ maxConnectionsPerAddress: 2, maxConnections: 100 });
    try {
      const open = [await new FrameReader(server.ws('/api/ws/chat')).opened(), await new FrameReader(server.ws('/api/echo')).opened()];
      const refused = await refusal(server.ws('/api/ws/chat'));
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, 'TOO_MANY_CONNECTIONS');
      assert.match(refused.body.error.message, /MAX_CONNECTIONS_PER_ADDRESS/);
      const sse = await fetch(`${server.url}/api/sse/chat`);
      assert.equal(sse.status, 429);
      const longPoll = await fetch(`${server.url}/api/long-poll/chat`);
      assert.equal(longPoll.status, 429);
      await open[0]?.close();
      await until(() => server.app.stats.open.websocket === 0, 'the close to be counted');
      const again = await new FrameReader(server.ws('/api/ws/chat')).opened();
      assert.equal((await again.next()).type, 'welcome');
      await again.close();
      await open[1]?.close();
    } finally {
      await server.close();
    }
  });

  it('refuses past the total limit with 429 that names MAX_CONNECTIONS', async () => {
    const server = await startServer({ maxConnectionsPerAddress: 1, maxConnections: 1 });
    try {
      const first = await new FrameReader(server.ws('/api/echo')).opened();
      const refused = await refusal(server.ws('/api/echo'));
      assert.equal(refused.status, 429);
      assert.match(refused.body.error.message, /MAX_CONNECTIONS/);
      await first.close();
    } finally {
      await server.close();
    }
  });
});
