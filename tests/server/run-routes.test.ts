import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import express from 'express';
import { sendError } from '../../server/errors.ts';
import { RunRegistry } from '../../server/runs/registry.ts';
import { RunIds } from '../../server/runs/run-ids.ts';
import { createRunRoutes } from '../../server/runs/routes.ts';
import { until } from './helpers.ts';

/** The runs API mounted on its own on a real server, as the app will mount it. */
async function startRunsApi() {
  const registry = new RunRegistry(new RunIds(Buffer.from('a deployment secret of 32 bytes!'), 600_000), { idleMs: 600_000, maxRunsPerAddress: 5, maxRuns: 1000, maxTapBytes: 64 * 1024 });
  const routes = createRunRoutes({
    registry,
    allowsOrigin: (req) => req.headers.origin === undefined || req.headers.origin === 'null' || req.headers.origin === 'http://good.example',
    sseRetryMs: 100,
    maxBufferedBytes: 1024 * 1024,
    maxBodyBytes: 4096,
  });
  const app = express();
  app.use('/api/runs', routes.router);
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => sendError(res, error));
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    registry,
    close: () => new Promise<void>((resolve) => {
      routes.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function newRun(url: string): Promise<string> {
  const res = await fetch(`${url}/api/runs`, { method: 'POST' });
  assert.equal(res.status, 201);
  return ((await res.json()) as { run: string }).run;
}

describe('the runs API', () => {
  let api: Awaited<ReturnType<typeof startRunsApi>>;
  before(async () => {
    api = await startRunsApi();
  });
  after(() => api.close());

  it('issues a run with an id, an expiry and the server clock in ms to clients with no Origin and allowed origins', async () => {
    const sent = Date.now();
    const res = await fetch(`${api.url}/api/runs`, { method: 'POST', headers: { Origin: 'http://good.example' } });
    const received = Date.now();
    assert.equal(res.status, 201);
    const body = (await res.json()) as { run: string; expires: string; now: number };
    assert.match(body.run, /^[A-Za-z0-9_-]{16,64}$/);
    assert.ok(Date.parse(body.expires) > Date.now());
    // Same machine, same clock: the server's now lies within the request's round trip.
    assert.ok(Number.isInteger(body.now) && body.now >= sent && body.now <= received, `now ${body.now} outside ${sent}..${received}`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('refuses a run to a sandbox frame (Origin: null) and to other sites with 403', async () => {
    for (const origin of ['null', 'http://evil.example']) {
      const res = await fetch(`${api.url}/api/runs`, { method: 'POST', headers: { Origin: origin } });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ORIGIN_NOT_ALLOWED');
    }
  });

  it('answers a malformed run id with 400 INVALID_RUN and a forged one with 404 UNKNOWN_RUN', async () => {
    const bad = await fetch(`${api.url}/api/runs/not%20a%20run/faults`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'INVALID_RUN');
    const forged = await fetch(`${api.url}/api/runs/${'A'.repeat(38)}/faults`);
    assert.equal(forged.status, 404);
    assert.equal(((await forged.json()) as { error: { code: string } }).error.code, 'UNKNOWN_RUN');
  });

  it('streams the tap: the events kept first, then new ones, each once, in order', async () => {
    const id = await newRun(api.url);
    const run = api.registry.get(id);
    run.tap.record({ connection: 'c1', technique: 'poll', direction: 'in', kind: 'request-head', bytes: 40, text: 'GET /api/poll/chat HTTP/1.1\r\n\r\n' });
    const source = new EventSource(`${api.url}/api/runs/${id}/tap`);
    const seen: { seq: number; kind: string }[] = [];
    source.addEventListener('tap', (event) => seen.push(JSON.parse(event.data)));
    await until(() => seen.length === 1, 'the kept event');
    run.tap.record({ connection: 'c1', technique: 'poll', direction: 'out', kind: 'response-head', bytes: 120, text: 'HTTP/1.1 304 Not Modified\r\n\r\n' });
    await until(() => seen.length === 2, 'the live event');
    source.close();
    assert.deepEqual(seen.map((e) => [e.seq, e.kind]), [[1, 'request-head'], [2, 'response-head']]);
  });

  it('resumes a tap stream after Last-Event-ID without repeating what the reader saw', async () => {
    const id = await newRun(api.url);
    const run = api.registry.get(id);
    for (let i = 0; i < 3; i++) run.tap.record({ connection: 'c1', technique: 'sse', direction: 'out', kind: 'sse', bytes: 9, text: `data: ${i}\n\n` });
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${api.url}/api/runs/${id}/tap`, { headers: { 'Last-Event-ID': `${run.tap.epoch}.2` } }, resolve));
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    await until(() => text.includes('"seq":3'), 'the event after Last-Event-ID');
    res.destroy();
    assert.ok(!text.includes('"seq":1') && !text.includes('"seq":2'));
  });

  it('replays every kept event to a reader whose Last-Event-ID came from another process (an instance that went away)', async () => {
    const id = await newRun(api.url);
    const run = api.registry.get(id);
    for (let i = 0; i < 2; i++) run.tap.record({ connection: 'c1', technique: 'sse', direction: 'out', kind: 'sse', bytes: 9, text: `data: ${i}\n\n` });
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${api.url}/api/runs/${id}/tap`, { headers: { 'Last-Event-ID': 'zzzzzz.1' } }, resolve));
    try {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      await until(() => text.includes('"seq":2'), 'the events kept here');
      assert.ok(text.includes('"seq":1'));
    } finally {
      res.destroy();
      // This API allows five runs per address: give this one back.
      api.registry.end(run);
    }
  });

  it('sets, shows and clears a run\'s faults, and refuses a bad one naming the field', async () => {
    const id = await newRun(api.url);
    const put = await fetch(`${api.url}/api/runs/${id}/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ latencyMs: 200, refuseReconnects: { status: 204, count: 1 } }) });
    assert.equal(put.status, 200);
    const faults = (await put.json()) as { latencyMs: number; refuseReconnects: unknown };
    assert.equal(faults.latencyMs, 200);
    assert.deepEqual(faults.refuseReconnects, { status: 204, count: 1 });
    assert.deepEqual(await (await fetch(`${api.url}/api/runs/${id}/faults`)).json(), faults);
    const bad = await fetch(`${api.url}/api/runs/${id}/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"latencyMs": 99999}' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /latencyMs must be an integer from 0 to 10000; received 99999/);
    const cleared = (await (await fetch(`${api.url}/api/runs/${id}/faults`, { method: 'DELETE' })).json()) as { latencyMs: number; refuseReconnects: unknown };
    assert.equal(cleared.latencyMs, 0);
    assert.equal(cleared.refuseReconnects, null);
  });

  it('drops every open connection of the run at once, and the tap says so', async () => {
    const id = await newRun(api.url);
    const run = api.registry.get(id);
    // A held response standing in for one of the run's connections.
    const held = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': open\n\n');
      run.connections.add({ id: 'c9', technique: 'sse', cut: (mode) => (mode === 'abrupt' ? res.socket?.destroy() : res.end()), faultsChanged: () => {} });
    });
    held.listen(0, '127.0.0.1');
    await once(held, 'listening');
    const response = await new Promise<http.IncomingMessage>((resolve) => http.get(`http://127.0.0.1:${(held.address() as AddressInfo).port}/`, resolve));
    const ended = new Promise<string>((resolve) => {
      response.on('error', () => resolve('abrupt'));
      response.on('end', () => resolve('clean'));
      response.resume();
    });
    const drop = await fetch(`${api.url}/api/runs/${id}/drop`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"mode":"abrupt"}' });
    assert.deepEqual(await drop.json(), { dropped: 1, mode: 'abrupt' });
    assert.equal(await ended, 'abrupt');
    const kept = run.tap.kept().map((chunk) => JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? '{}'));
    assert.deepEqual(kept.map((e: { kind: string; fault: string; connection: string }) => [e.kind, e.fault, e.connection]), [['fault', 'drop-abrupt', 'c9']]);
    const badMode = await fetch(`${api.url}/api/runs/${id}/drop`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"mode":"gentle"}' });
    assert.equal(badMode.status, 400);
    held.closeAllConnections();
    held.close();
  });
});
