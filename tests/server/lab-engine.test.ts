/**
 * The lab engine against a real server with real clients: every tap kind, every fault, and
 * that a fault on one run never touches another.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { FrameReader, newRun, nextEvent, publish, startServer, type TestServer, until } from './helpers.ts';

interface TapEvent {
  seq: number;
  time: string;
  connection: string;
  technique: string;
  direction: 'in' | 'out';
  kind: string;
  bytes: number;
  text?: string;
  frame?: Record<string, any>;
  reason?: string;
  by?: string;
  code?: number | 'abrupt';
  fault?: string;
}

/** Follows a run's tap (`GET /api/runs/:run/tap`) with fetch, and keeps every event it reads. */
class TapReader {
  readonly events: TapEvent[] = [];
  readonly #controller = new AbortController();
  ended = false;

  static async open(server: TestServer, run: string): Promise<TapReader> {
    const reader = new TapReader();
    const res = await fetch(`${server.url}/api/runs/${run}/tap`, { signal: reader.#controller.signal });
    assert.equal(res.status, 200);
    void reader.#read(res);
    return reader;
  }

  async #read(res: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: tap$/m.test(block) && data) this.events.push(JSON.parse(data) as TapEvent);
        }
      }
    } catch {
      // aborted
    }
    this.ended = true;
  }

  /** Waits until an event matches, and returns it. */
  async find(what: string, match: (event: TapEvent) => boolean): Promise<TapEvent> {
    await until(() => this.events.some(match), what);
    return this.events.find(match) as TapEvent;
  }

  all(match: (event: TapEvent) => boolean): TapEvent[] {
    return this.events.filter(match);
  }

  close(): void {
    this.#controller.abort();
  }
}

async function putFaults(server: TestServer, run: string, faults: unknown): Promise<Response> {
  return fetch(`${server.url}/api/runs/${run}/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(faults) });
}

async function drop(server: TestServer, run: string, mode: 'abrupt' | 'clean'): Promise<{ dropped: number }> {
  const res = await fetch(`${server.url}/api/runs/${run}/drop`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mode }) });
  assert.equal(res.status, 200);
  return (await res.json()) as { dropped: number };
}

describe('the lab engine: runs attached to every technique', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishRatePerS: 10_000, publishBurst: 10_000, sseRetryMs: 20, sseHeartbeatMs: 100 });
  });
  after(() => server.close());

  it('refuses a malformed run id with 400 INVALID_RUN naming the pattern, and an unknown one with 404 UNKNOWN_RUN, on every technique', async () => {
    const bad = await fetch(`${server.url}/api/poll/chat?run=not%20an%20id`);
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'INVALID_RUN');
    assert.match(body.error.message, /\^\[A-Za-z0-9_-\]\{16,64\}\$/);
    const forged = 'A'.repeat(38);
    for (const path of [`/api/poll/chat?run=${forged}`, `/api/long-poll/chat?run=${forged}`, `/api/sse/chat?run=${forged}`]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'UNKNOWN_RUN');
    }
    const publishRes = await fetch(`${server.url}/api/channels/chat/messages?run=${forged}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"data":1}' });
    assert.equal(publishRes.status, 404);
    const ws = new WebSocket(server.ws(`/api/ws/chat?run=${forged}`));
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 404);
  });

  it('records a poll: the request head as received (original case and order, credentials redacted), the response head as sent, and the body', async () => {
    const run = await newRun(server);
    await publish(server, 'tap-poll', { n: 1 });
    const tap = await TapReader.open(server, run);
    const res = await fetch(`${server.url}/api/poll/tap-poll?run=${run}`, { headers: { 'X-Lesson-Step': 'One', Cookie: 'secret=1', Authorization: 'Bearer abc' } });
    assert.equal(res.status, 200);
    const text = await res.text();
    const head = await tap.find('request-head', (e) => e.kind === 'request-head');
    assert.equal(head.technique, 'poll');
    assert.equal(head.direction, 'in');
    assert.match(head.text ?? '', new RegExp(`^GET /api/poll/tap-poll\\?run=${run} HTTP/1\\.1\\r\\n`));
    assert.match(head.text ?? '', /\r\nX-Lesson-Step: One\r\n/);
    assert.match(head.text ?? '', /\r\nCookie: \[redacted\]\r\n/);
    assert.match(head.text ?? '', /\r\nAuthorization: \[redacted\]\r\n/);
    assert.doesNotMatch(head.text ?? '', /secret=1|Bearer abc/);
    const responseHead = await tap.find('response-head', (e) => e.kind === 'response-head');
    assert.match(responseHead.text ?? '', /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(responseHead.text ?? '', /\r\nETag: "/);
    assert.ok((responseHead.text ?? '').endsWith('\r\n\r\n'));
    const body = await tap.find('body', (e) => e.kind === 'body');
    assert.equal(body.direction, 'out');
    assert.equal(body.text, text);
    assert.equal(body.bytes, Buffer.byteLength(text));
    const close = await tap.find('close', (e) => e.kind === 'close');
    assert.equal(close.by, 'server');
    assert.ok(head.seq < responseHead.seq && responseHead.seq < body.seq, 'in the order they crossed the wire');
    tap.close();
  });

  it('records a publish: its body in, and the answer out', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const res = await fetch(`${server.url}/api/channels/tap-publish/messages?run=${run}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"data":{"text":"hi"}}' });
    assert.equal(res.status, 201);
    const bodyIn = await tap.find('body in', (e) => e.kind === 'body' && e.direction === 'in');
    assert.equal(bodyIn.technique, 'publish');
    assert.equal(bodyIn.text, '{"data":{"text":"hi"}}');
    await tap.find('response head', (e) => e.kind === 'response-head' && /^HTTP\/1\.1 201 Created/.test(e.text ?? ''));
    await tap.find('body out', (e) => e.kind === 'body' && e.direction === 'out' && /"message"/.test(e.text ?? ''));
    tap.close();
  });

  it('records SSE as written (retry, id, event, data and heartbeat comments); an abrupt drop shows a second request head carrying Last-Event-ID', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const source = new EventSource(`${server.url}/api/sse/tap-sse?run=${run}`);
    try {
      await nextEvent(source, 'connected');
      const sent = await publish(server, 'tap-sse', { n: 1 });
      await nextEvent(source, 'message');
      const first = await tap.find('the stream start', (e) => e.kind === 'sse' && (e.text ?? '').startsWith('retry: 20\n\n'));
      assert.equal(first.technique, 'sse');
      await tap.find('the message as written', (e) => e.kind === 'sse' && e.text === `id: ${sent.id}\nevent: message\ndata: ${JSON.stringify(sent)}\n\n`);
      await tap.find('a heartbeat', (e) => e.kind === 'sse' && e.text === ': heartbeat\n\n');
      const dropped = await drop(server, run, 'abrupt');
      assert.equal(dropped.dropped, 1);
      await tap.find('the fault', (e) => e.kind === 'fault' && e.fault === 'drop-abrupt');
      await tap.find('the close', (e) => e.kind === 'close' && e.by === 'fault' && e.code === 'abrupt');
      const again = await tap.find('the reconnection', (e) => e.kind === 'request-head' && /\r\nlast-event-id: /i.test(e.text ?? ''));
      assert.match(again.text ?? '', new RegExp(`\\r\\nlast-event-id: ${sent.id}\\r\\n`, 'i'));
      assert.notEqual(again.connection, first.connection);
    } finally {
      source.close();
      tap.close();
    }
  });

  it('records each WebSocket frame from the socket\'s bytes: client frames masked, server frames not, ping, pong and a close with code 1000', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const client = await new FrameReader(server.ws(`/api/ws/tap-ws?run=${run}`)).opened();
    const welcome = await client.next();
    const head = await tap.find('the 101', (e) => e.kind === 'response-head');
    assert.match(head.text ?? '', /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(head.text ?? '', /\r\nSec-WebSocket-Accept: [A-Za-z0-9+/=]{28}\r\n/);
    assert.equal(welcome.connectionId, head.connection, 'the welcome names the connection as the tap does');
    client.send({ type: 'publish', data: { text: 'hi' } });
    // The sender is a subscriber too: its message comes back, and the ack.
    while ((await client.next()).type !== 'ack');
    const inbound = await tap.find('the publish frame', (e) => e.kind === 'ws-frame' && e.direction === 'in' && e.frame?.opcode === 1);
    assert.equal(inbound.frame?.masked, true);
    assert.match(inbound.frame?.maskingKey ?? '', /^[0-9a-f]{8}$/);
    assert.equal(inbound.frame?.fin, true);
    assert.equal(inbound.frame?.lengthEncoding, 7);
    assert.match(inbound.frame?.text ?? '', /"type":"publish"/);
    const outbound = await tap.find('a server frame', (e) => e.kind === 'ws-frame' && e.direction === 'out' && /"type":"ack"/.test(e.frame?.text ?? ''));
    assert.equal(outbound.frame?.masked, false);
    assert.equal(outbound.frame?.maskingKey, null);
    client.ws.ping(Buffer.from('are you there'));
    await once(client.ws, 'pong');
    await tap.find('the ping', (e) => e.kind === 'ws-frame' && e.direction === 'in' && e.frame?.opcodeName === 'ping' && e.frame?.masked === true);
    await tap.find('the pong', (e) => e.kind === 'ws-frame' && e.direction === 'out' && e.frame?.opcodeName === 'pong');
    client.ws.close(1000, 'done');
    await once(client.ws, 'close');
    const closeIn = await tap.find('the client close frame', (e) => e.kind === 'ws-frame' && e.direction === 'in' && e.frame?.opcode === 8);
    assert.equal(closeIn.frame?.closeCode, 1000);
    assert.equal(closeIn.frame?.closeReason, 'done');
    await tap.find('the server close frame', (e) => e.kind === 'ws-frame' && e.direction === 'out' && e.frame?.opcode === 8 && e.frame?.closeCode === 1000);
    const close = await tap.find('the close', (e) => e.kind === 'close');
    assert.equal(close.by, 'client');
    assert.equal(close.code, 1000);
    tap.close();
  });

  it('records binary echo frames with opcode 2 both ways', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const ws = new WebSocket(server.ws(`/api/echo?run=${run}`));
    await once(ws, 'open');
    ws.send(Buffer.from([1, 2, 3, 250]));
    const [data, isBinary] = (await once(ws, 'message')) as [Buffer, boolean];
    assert.equal(isBinary, true);
    assert.deepEqual([...data], [1, 2, 3, 250]);
    const inbound = await tap.find('binary in', (e) => e.kind === 'ws-frame' && e.direction === 'in' && e.frame?.opcode === 2);
    assert.equal(inbound.technique, 'echo');
    assert.equal(inbound.frame?.payloadLength, 4);
    const outbound = await tap.find('binary out', (e) => e.kind === 'ws-frame' && e.direction === 'out' && e.frame?.opcode === 2);
    assert.equal(outbound.frame?.payloadHex, '010203fa', 'a server frame is not masked: its payload is the data');
    ws.close();
    tap.close();
  });

  it('records a long poll held and released with a message, then held and released by a clean drop with 204', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const first = fetch(`${server.url}/api/long-poll/tap-lp?run=${run}&timeout=30`);
    await tap.find('the hold', (e) => e.kind === 'hold');
    await publish(server, 'tap-lp', { n: 1 });
    const answered = await first;
    assert.equal(answered.status, 200);
    const { cursor } = (await answered.json()) as { cursor: string };
    await tap.find('the release', (e) => e.kind === 'release' && e.reason === 'message');
    const second = fetch(`${server.url}/api/long-poll/tap-lp?run=${run}&since=${cursor}&timeout=30`);
    await until(() => tap.all((e) => e.kind === 'hold').length === 2, 'the second hold');
    await drop(server, run, 'clean');
    assert.equal((await second).status, 204);
    await tap.find('the release by the fault', (e) => e.kind === 'release' && e.reason === 'fault');
    tap.close();
  });

  it('records a long poll released by its timeout', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const res = await fetch(`${server.url}/api/long-poll/tap-timeout?run=${run}&timeout=1`);
    assert.equal(res.status, 204);
    await tap.find('the release', (e) => e.kind === 'release' && e.reason === 'timeout');
    tap.close();
  });

  it('replays the kept events to a tap opened late, so it still sees the handshake', async () => {
    const run = await newRun(server);
    const client = await new FrameReader(server.ws(`/api/ws/tap-late?run=${run}`)).opened();
    await client.next();
    const tap = await TapReader.open(server, run);
    await tap.find('the request head', (e) => e.kind === 'request-head' && /\r\nUpgrade: websocket\r\n/i.test(e.text ?? ''));
    await tap.find('the 101', (e) => e.kind === 'response-head');
    await client.close();
    tap.close();
  });

  it('ends a run on DELETE: its connections close, its tap ends, and its id is then unknown', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const client = await new FrameReader(server.ws(`/api/ws/tap-end?run=${run}`)).opened();
    await client.next();
    const closed = once(client.ws, 'close');
    const res = await fetch(`${server.url}/api/runs/${run}`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    const [code] = (await closed) as [number];
    assert.equal(code, 1001);
    await until(() => tap.ended, 'the tap stream to end');
    assert.equal((await fetch(`${server.url}/api/runs/${run}/faults`)).status, 404);
  });
});

describe('the lab engine: faults', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishRatePerS: 10_000, publishBurst: 10_000, sseRetryMs: 20, historyLimit: 100 });
  });
  after(() => server.close());

  it('refuseReconnects 204 stops an EventSource for good, and counts down', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    assert.equal((await putFaults(server, run, { refuseReconnects: { status: 204, count: 1 } })).status, 200);
    const source = new EventSource(`${server.url}/api/sse/fault-refuse?run=${run}`);
    await new Promise((resolve) => source.addEventListener('error', resolve, { once: true }));
    // [spec] WHATWG HTML 9.2: a 204 (any status but 200) fails the connection: no reconnection.
    assert.equal(source.readyState, EventSource.CLOSED);
    await tap.find('the refusal', (e) => e.kind === 'fault' && e.fault === 'refuseReconnects 204');
    const faults = (await (await fetch(`${server.url}/api/runs/${run}/faults`)).json()) as { refuseReconnects: unknown };
    assert.equal(faults.refuseReconnects, null, 'one refusal was asked for, and it is spent');
    const next = await fetch(`${server.url}/api/poll/fault-refuse?run=${run}`);
    assert.equal(next.status, 200);
    tap.close();
  });

  it('refuseReconnects 503 answers the run\'s polls in the API\'s error shape', async () => {
    const run = await newRun(server);
    await putFaults(server, run, { refuseReconnects: { status: 503, count: 2 } });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/api/long-poll/fault-503?run=${run}&timeout=1`);
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'REFUSED_BY_FAULT');
    }
    assert.equal((await fetch(`${server.url}/api/poll/fault-503?run=${run}`)).status, 200);
  });

  it('proxyBuffering holds the run\'s SSE output until that many bytes wait', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    await putFaults(server, run, { proxyBuffering: 600 });
    const received: string[] = [];
    const source = new EventSource(`${server.url}/api/sse/fault-buffer?run=${run}`);
    source.addEventListener('message', (event) => received.push((event as MessageEvent).data));
    try {
      await tap.find('the buffer holding', (e) => e.kind === 'fault' && e.fault === 'proxyBuffering');
      // Each message is about 150 bytes as an event: the first ones wait in the "proxy".
      // Published in the run, so the tap records each publish after the writes it caused: once the
      // second publish's answer is in the tap, an unbuffered write would have been too.
      for (const n of [1, 2]) {
        const res = await fetch(`${server.url}/api/channels/fault-buffer/messages?run=${run}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: { n } }) });
        assert.equal(res.status, 201);
      }
      await until(() => tap.all((e) => e.technique === 'publish' && e.kind === 'close').length === 2, 'both publishes in the tap');
      assert.equal(tap.all((e) => e.kind === 'sse').length, 0, 'nothing was written to the socket yet');
      assert.equal(received.length, 0, 'nothing passes the proxy before the threshold');
      for (let n = 3; n <= 5; n++) await publish(server, 'fault-buffer', { n });
      await until(() => received.length >= 3, 'the buffer let go');
      const letGo = await tap.find('the release', (e) => e.kind === 'fault' && /^proxyBuffering 600: \d+ bytes let go$/.test(e.fault ?? ''));
      assert.ok(Number(/: (\d+) bytes/.exec(letGo.fault ?? '')?.[1]) >= 600);
      assert.deepEqual(received.map((data) => (JSON.parse(data) as { data: { n: number } }).data.n).slice(0, 3), [1, 2, 3]);
    } finally {
      source.close();
      tap.close();
    }
  });

  it('latencyMs holds each delivery that long, in order', async () => {
    const run = await newRun(server);
    await putFaults(server, run, { latencyMs: 300, jitterMs: 100 });
    const client = await new FrameReader(server.ws(`/api/ws/fault-latency?run=${run}`)).opened();
    await client.next();
    const sentAt = Date.now();
    for (let n = 1; n <= 5; n++) await publish(server, 'fault-latency', { n });
    const order: number[] = [];
    for (let n = 1; n <= 5; n++) order.push(((await client.next()) as { message: { data: { n: number } } }).message.data.n);
    assert.ok(Date.now() - sentAt >= 300, `delivered after ${Date.now() - sentAt} ms`);
    assert.deepEqual(order, [1, 2, 3, 4, 5], 'a delay never reorders');
    await client.close();
  });

  it('dropAfter cuts each of the run\'s SSE connections after n messages, and the client resumes with Last-Event-ID', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    await putFaults(server, run, { dropAfter: 2 });
    const ids: string[] = [];
    const source = new EventSource(`${server.url}/api/sse/fault-drop-after?run=${run}`);
    source.addEventListener('message', (event) => ids.push((event as MessageEvent).lastEventId));
    try {
      await nextEvent(source, 'connected');
      const sent = [];
      for (let n = 1; n <= 2; n++) sent.push((await publish(server, 'fault-drop-after', { n })).id);
      await tap.find('the cut', (e) => e.kind === 'fault' && e.fault === 'dropAfter 2');
      const again = await tap.find('the reconnection', (e) => e.kind === 'request-head' && /last-event-id/i.test(e.text ?? ''));
      assert.match(again.text ?? '', new RegExp(`last-event-id: ${sent[1]}`, 'i'));
      for (let n = 3; n <= 4; n++) sent.push((await publish(server, 'fault-drop-after', { n })).id);
      await until(() => ids.length === 4, 'four messages');
      assert.deepEqual(ids, sent, 'nothing lost or doubled across the cut');
    } finally {
      source.close();
      tap.close();
    }
  });

  it('dropAfter cuts a poll loop\'s connection once n messages have gone over it', async () => {
    const run = await newRun(server);
    await putFaults(server, run, { dropAfter: 1 });
    const first = await publish(server, 'fault-drop-poll', { n: 1 });
    for (let n = 2; n <= 3; n++) await publish(server, 'fault-drop-poll', { n });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (since?: string) =>
      new Promise<{ status: number; body: string } | 'cut'>((resolve) => {
        const req = http.get(`${server.url}/api/poll/fault-drop-poll?run=${run}&limit=1${since ? `&since=${since}` : ''}`, { agent }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', () => resolve('cut'));
      });
    const answer = await get(first.id);
    assert.notEqual(answer, 'cut');
    const cursor = (JSON.parse((answer as { body: string }).body) as { cursor: string }).cursor;
    assert.equal(await get(cursor), 'cut', 'the second answer would pass the first message: the connection is cut instead');
    agent.destroy();
  });

  it('dropAfter counts per run: a kept-alive connection that served another run\'s polls starts again from 0', async () => {
    const [first, second] = [await newRun(server), await newRun(server)];
    await putFaults(server, first, { dropAfter: 1 });
    await putFaults(server, second, { dropAfter: 1 });
    const published = await publish(server, 'fault-drop-shared', { n: 1 });
    await publish(server, 'fault-drop-shared', { n: 2 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const get = (run: string) =>
      new Promise<number | 'cut'>((resolve) => {
        const req = http.get(`${server.url}/api/poll/fault-drop-shared?run=${run}&limit=1&since=${published.id}`, { agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve('cut'));
      });
    assert.equal(await get(first), 200, 'the first run\'s first message passes');
    assert.equal(await get(second), 200, 'the second run on the same connection has sent nothing yet');
    assert.equal(sockets.size, 1, 'both polls went over one kept-alive connection');
    assert.equal(await get(second), 'cut', 'its second message would pass dropAfter 1');
    agent.destroy();
  });

  it('historyLimit answers a resume from an older id with the gap signal', async () => {
    const run = await newRun(server);
    const first = await publish(server, 'fault-history', { n: 0 });
    for (let n = 1; n <= 5; n++) await publish(server, 'fault-history', { n });
    await putFaults(server, run, { historyLimit: 2 });
    const res = await fetch(`${server.url}/api/poll/fault-history?run=${run}&since=${first.id}`);
    const page = (await res.json()) as { messages: { data: { n: number } }[]; gap?: boolean };
    assert.equal(page.gap, true);
    assert.deepEqual(page.messages.map((m) => m.data.n), [4, 5], 'what follows starts at the oldest message "kept"');
    const other = await newRun(server);
    const untouched = (await (await fetch(`${server.url}/api/poll/fault-history?run=${other}&since=${first.id}`)).json()) as { messages: unknown[]; gap?: boolean };
    assert.equal(untouched.gap, undefined, 'a fault on run A never touches run B');
    assert.equal(untouched.messages.length, 5);
  });

  it('restart cuts the run\'s connections and answers its older ids as from a previous epoch', async () => {
    const run = await newRun(server);
    const before = await publish(server, 'fault-restart', { n: 1 });
    const client = await new FrameReader(server.ws(`/api/ws/fault-restart?run=${run}`)).opened();
    await client.next();
    const closed = once(client.ws, 'close');
    await putFaults(server, run, { restart: true });
    const [code] = (await closed) as [number];
    assert.equal(code, 1001, 'closed as a server going away');
    const after = await publish(server, 'fault-restart', { n: 2 });
    const sse = await fetch(`${server.url}/api/sse/fault-restart?run=${run}`, { headers: { 'Last-Event-ID': before.id } });
    const reader = sse.body!.getReader();
    let text = '';
    while (!text.includes(`id: ${after.id}`)) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    assert.match(text, /event: gap\n/);
  });

  it('a drop on run A closes A\'s WebSocket with 1006 (abrupt) and leaves run B\'s open', async () => {
    const a = await newRun(server);
    const b = await newRun(server);
    const clientA = await new FrameReader(server.ws(`/api/ws/fault-ab?run=${a}`)).opened();
    const clientB = await new FrameReader(server.ws(`/api/ws/fault-ab?run=${b}`)).opened();
    await clientA.next();
    await clientB.next();
    const closedA = once(clientA.ws, 'close');
    await putFaults(server, a, { latencyMs: 5000 });
    assert.equal((await drop(server, a, 'abrupt')).dropped, 1);
    const [code] = (await closedA) as [number];
    assert.equal(code, 1006);
    const sent = await publish(server, 'fault-ab', { n: 1 });
    const frame = await clientB.next();
    assert.equal(frame.type, 'message');
    assert.equal(frame.message.id, sent.id, 'B is neither cut nor delayed');
    await clientB.close();
  });

  it('a clean drop closes a WebSocket with 1001 and ends an SSE stream', async () => {
    const run = await newRun(server);
    const client = await new FrameReader(server.ws(`/api/ws/fault-clean?run=${run}`)).opened();
    await client.next();
    const res = await fetch(`${server.url}/api/sse/fault-clean?run=${run}`);
    const reader = res.body!.getReader();
    await reader.read();
    const closed = once(client.ws, 'close');
    assert.equal((await drop(server, run, 'clean')).dropped, 2);
    const [code] = (await closed) as [number];
    assert.equal(code, 1001);
    for (;;) if ((await reader.read()).done) break;
  });

  it('refuses a bad fault with 400 naming the field, the value and the range', async () => {
    const run = await newRun(server);
    const res = await putFaults(server, run, { latencyMs: 20_000 });
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'INVALID_FAULT');
    assert.match(error.message, /latencyMs must be an integer from 0 to 10000; received 20000/);
  });
});

describe('the lab engine: a raw socket', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('shows fragments and their continuation frames as sent by the client', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /api/echo?run=${run} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    await tap.find('the 101', (e) => e.kind === 'response-head');
    const key = Buffer.from([1, 2, 3, 4]);
    const frame = (fin: boolean, opcode: number, text: string) => {
      const payload = Buffer.from(text).map((byte, i) => byte ^ (key[i % 4] as number));
      return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]), key, payload]);
    };
    socket.write(Buffer.concat([frame(false, 1, 'hel'), frame(true, 0, 'lo')]));
    const parts = await until(() => tap.all((e) => e.kind === 'ws-frame' && e.direction === 'in').length >= 2, 'both fragments').then(() => tap.all((e) => e.kind === 'ws-frame' && e.direction === 'in'));
    assert.deepEqual(parts.map((e) => [e.frame?.fin, e.frame?.opcodeName, e.frame?.text]), [[false, 'text', 'hel'], [true, 'continuation', 'lo']]);
    socket.destroy();
    tap.close();
  });
});

describe('the lab engine: cuts the server makes of its own accord', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ wsPingMs: 50 });
  });
  after(() => server.close());

  it('a WebSocket that never answers a ping is cut by the server, and the tap says so: by server, missed-pong, abrupt', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    // autoPong off: the client reads pings and never answers them, like a peer that went away.
    const ws = new WebSocket(server.ws(`/api/ws/quiet-room?run=${run}`), { autoPong: false });
    await once(ws, 'ping');
    const [code] = (await once(ws, 'close')) as [number];
    assert.equal(code, 1006, 'terminated without a close frame');
    const close = await tap.find('close', (e) => e.kind === 'close');
    assert.deepEqual([close.by, close.direction, close.code, close.reason], ['server', 'out', 'abrupt', 'missed-pong']);
    tap.close();
  });

  it('a WebSocket the client closes is still recorded as closed by the client, with its code and no server reason', async () => {
    const run = await newRun(server);
    const tap = await TapReader.open(server, run);
    const ws = new WebSocket(server.ws(`/api/ws/quiet-room?run=${run}`));
    await once(ws, 'open');
    ws.close(1000, 'done');
    const close = await tap.find('close', (e) => e.kind === 'close');
    assert.deepEqual([close.by, close.code, close.reason], ['client', 1000, undefined]);
    tap.close();
  });
});
