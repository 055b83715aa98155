/**
 * Runs under a hostile client: a flood of runs, a tap reader that never reads, output held by
 * a fault that grows without end, oversized fault bodies. Each gets a clear error or is cut,
 * and the server goes on serving everyone else.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { FrameReader, newRun, publish, startServer, until, type TestServer } from '../server/helpers.ts';
import { assertStillServes, errorCode, request } from './edge-helpers.ts';

describe('hostile runs', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxRunsPerAddress: 5, maxRuns: 8, maxBufferedBytes: 64 * 1024, publishRatePerS: 10_000, publishBurst: 10_000, publishBytesPerS: 16 * 1024 * 1024 });
  });
  after(() => server.close());

  it('refuses runs past MAX_RUNS_PER_ADDRESS with 429 and past MAX_RUNS with 503, and serves other addresses meanwhile', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await request(server.url, '/api/runs', { method: 'POST' })).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429, 429]);
    const refused = await request(server.url, '/api/runs', { method: 'POST' });
    assert.equal(errorCode(refused), 'TOO_MANY_RUNS');
    assert.match(refused.body, /MAX_RUNS_PER_ADDRESS/);
    assert.equal(refused.headers['retry-after'], '60');
    const other = [];
    for (let i = 0; i < 4; i++) other.push((await request(server.url, '/api/runs', { method: 'POST', localAddress: '127.0.0.2' })).status);
    assert.deepEqual(other, [201, 201, 201, 503], 'eight runs in all (MAX_RUNS)');
    await assertStillServes(server.url);
  });

});

describe('hostile runs: other sites', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('refuses another site, and a sandbox frame, every runs API call on a run whose id it has learned', async () => {
    const run = await newRun(server);
    for (const origin of ['https://evil.example', 'null']) {
      const calls = [
        request(server.url, `/api/runs/${run}/drop`, { method: 'POST', headers: { Origin: origin, 'Content-Type': 'text/plain' }, body: '{"mode":"abrupt"}' }),
        request(server.url, `/api/runs/${run}/faults`, { method: 'PUT', headers: { Origin: origin, 'Content-Type': 'text/plain' }, body: '{"latencyMs":3000}' }),
        request(server.url, `/api/runs/${run}/tap`, { headers: { Origin: origin } }),
        request(server.url, `/api/runs/${run}`, { method: 'DELETE', headers: { Origin: origin } }),
      ];
      for (const res of await Promise.all(calls)) {
        assert.equal(res.status, 403, origin);
        assert.equal(errorCode(res), 'ORIGIN_NOT_ALLOWED');
      }
    }
    const faults = await (await fetch(`${server.url}/api/runs/${run}/faults`)).json();
    assert.equal(faults.latencyMs, 0, 'nothing was changed');
  });
});

describe('hostile runs: what a run holds', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxBufferedBytes: 64 * 1024, publishRatePerS: 10_000, publishBurst: 10_000, publishBytesPerS: 16 * 1024 * 1024, maxMessageBytes: 16 * 1024 });
  });
  after(() => server.close());

  it('refuses a faults body over MAX_MESSAGE_BYTES, and one that is not JSON, with 400 INVALID_JSON', async () => {
    const run = await newRun(server);
    for (const body of ['{"latencyMs":' + ' '.repeat(20_000) + '1}', 'latency please']) {
      const res = await request(server.url, `/api/runs/${run}/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(res.status, 400);
      assert.equal(errorCode(res), 'INVALID_JSON');
    }
    const faults = await (await fetch(`${server.url}/api/runs/${run}/faults`)).json();
    assert.equal(faults.latencyMs, 0, 'nothing was applied');
  });

  it('drops a tap reader that never reads, like any slow consumer, and goes on serving the run', async () => {
    const run = await newRun(server);
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /api/runs/${run}/tap HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    socket.pause();
    // Text frames echoed in the run: each makes two tap events of about 2.5 KB. 2,000 of them
    // make some 10 MB of tap output, more than the socket buffers and MAX_BUFFERED_BYTES hold.
    const ws = new WebSocket(server.ws(`/api/echo?run=${run}`));
    await once(ws, 'open');
    const frame = 'x'.repeat(4000);
    let echoed = 0;
    ws.on('message', () => (echoed += 1));
    for (let sent = 50; sent <= 2000; sent += 50) {
      for (let i = 0; i < 50; i++) ws.send(frame);
      await until(() => echoed === sent, 'the echoes');
    }
    // Now read what the server wrote before it gave up: the stream ends, far short of it all.
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.on('error', () => {});
    const closed = once(socket, 'close');
    socket.resume();
    await closed;
    assert.ok(received < 8 * 1024 * 1024, `the reader was cut after ${received} bytes`);
    ws.close();
    const tap = await fetch(`${server.url}/api/runs/${run}/tap`);
    assert.equal(tap.status, 200, 'the run and its tap are still there for a reader that reads');
    await tap.body?.cancel();
    await assertStillServes(server.url);
  });

  it('cuts a connection whose output held by a latency fault passes MAX_BUFFERED_BYTES', async () => {
    const run = await newRun(server);
    await fetch(`${server.url}/api/runs/${run}/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"latencyMs":10000}' });
    const client = await new FrameReader(server.ws(`/api/ws/held-output?run=${run}`)).opened();
    const closed = once(client.ws, 'close');
    const bystander = await new FrameReader(server.ws('/api/ws/held-output')).opened();
    await bystander.next();
    const big = 'y'.repeat(8000);
    for (let i = 0; i < 12; i++) await publish(server, 'held-output', { i, big });
    const [code] = (await closed) as [number];
    assert.equal(code, 1006, 'cut, not buffered without end');
    for (let i = 0; i < 12; i++) assert.equal((await bystander.next()).message.data.i, i, 'the bystander got each message, in order');
    await bystander.close();
  });
});
