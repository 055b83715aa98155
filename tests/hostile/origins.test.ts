/**
 * Origins: a page on another site may not read, hold or publish through the API. Poll,
 * long-poll and SSE from a disallowed origin get 403 instead of an answer without CORS headers;
 * `*` never lends credentials. Origin `null` (a sandboxed frame, which any website can embed)
 * is served only with a live run that the server issued to a page it trusts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newRun, publish, startServer, type TestServer } from '../server/helpers.ts';
import { assertStillServes, errorCode, handshake, head, request } from './edge-helpers.ts';

const EVIL = 'https://evil.example';

describe('hostile origins', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('refuses a poll from another site with 403 ORIGIN_NOT_ALLOWED and no messages', async () => {
    await publish(server, 'private', { text: 'for this site only' });
    const res = await request(server.url, '/api/poll/private', { headers: { Origin: EVIL } });
    assert.equal(res.status, 403);
    assert.equal(errorCode(res), 'ORIGIN_NOT_ALLOWED');
    assert.match(JSON.parse(res.body).error.message, /origin "https:\/\/evil\.example"/);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.doesNotMatch(res.body, /for this site only/);
    await assertStillServes(server.url);
  });

  it('refuses a long poll from another site at once with 403, and holds nothing', async () => {
    const started = Date.now();
    const res = await request(server.url, '/api/long-poll/private?timeout=30', { headers: { Origin: EVIL } });
    assert.equal(res.status, 403);
    assert.ok(Date.now() - started < 2000, 'answered at once, not held');
    assert.equal(server.app.stats.open.longPoll, 0);
  });

  it('refuses an SSE stream from another site with 403 in the error shape, and opens none', async () => {
    const res = await head(server.url, '/api/sse/private', { headers: { Origin: EVIL, Accept: 'text/event-stream' } });
    assert.equal(res.status, 403);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(server.app.stats.open.sse, 0);
    await assertStillServes(server.url);
  });

  it('refuses a WebSocket handshake from another site with 403 and no 101', async () => {
    const res = await handshake(server.url, '/api/ws/private', { Origin: EVIL });
    assert.equal(res.upgraded, false);
    assert.equal(res.status, 403);
    assert.equal(errorCode(res), 'ORIGIN_NOT_ALLOWED');
  });

  it('refuses a publish from another site and stores nothing', async () => {
    const before = server.app.log.headId('private');
    const res = await request(server.url, '/api/channels/private/messages', { method: 'POST', headers: { Origin: EVIL, 'Content-Type': 'application/json' }, body: '{"data":"planted"}' });
    assert.equal(res.status, 403);
    assert.equal(server.app.log.headId('private'), before);
    // The same sentence as every other origin refusal: what was refused, the origin, and the origins allowed.
    assert.equal(errorCode(res), 'ORIGIN_NOT_ALLOWED');
    assert.match(JSON.parse(res.body).error.message, /^publishing from origin "https?:\/\/[^"]+" is refused; allowed are the server's own origin and ALLOWED_ORIGINS \(/);
  });

  it('answers a preflight from another site without any CORS permission', async () => {
    const res = await request(server.url, '/api/channels/private/messages', { method: 'OPTIONS', headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal(res.headers['access-control-allow-methods'], undefined);
  });

  it('refuses origins that only look like its own', async () => {
    const port = new URL(server.url).port;
    for (const origin of [`http://127.0.0.1:${port}.evil.example`, 'http://127.0.0.1', `http://127.0.0.1:${port}/`, `ftp://127.0.0.1:${port}`, `https://evil.example/http://127.0.0.1:${port}`, 'nul', 'NULL']) {
      const res = await request(server.url, '/api/poll/chat', { headers: { Origin: origin } });
      assert.equal(res.status, 403, `Origin ${origin}`);
    }
  });

  it('refuses a sandboxed frame (Origin null) that carries no run, on every technique, as any website could embed one', async () => {
    for (const path of ['/api/poll/chat', '/api/long-poll/chat?timeout=1', '/api/sse/chat']) {
      const res = await request(server.url, path, { headers: { Origin: 'null' } });
      assert.equal(res.status, 403, path);
      assert.equal(errorCode(res), 'ORIGIN_NOT_ALLOWED');
      assert.match(res.body, /live run/);
    }
    const posted = await request(server.url, '/api/channels/chat/messages', { method: 'POST', headers: { Origin: 'null', 'Content-Type': 'application/json' }, body: '{"data":"from a frame"}' });
    assert.equal(posted.status, 403);
    for (const path of ['/api/ws/chat', '/api/echo']) {
      const ws = await handshake(server.url, path, { Origin: 'null' });
      assert.equal(ws.upgraded, false, path);
      assert.equal(ws.status, 403, path);
    }
    const runsFromFrame = await request(server.url, '/api/runs', { method: 'POST', headers: { Origin: 'null' } });
    assert.equal(runsFromFrame.status, 403, 'a frame cannot issue itself a run');
    await assertStillServes(server.url);
  });

  it('refuses a frame whose run is forged or ended with 404 UNKNOWN_RUN, readable by the frame', async () => {
    const run = await newRun(server);
    assert.equal((await fetch(`${server.url}/api/runs/${run}`, { method: 'DELETE' })).status, 204);
    for (const id of ['A'.repeat(38), run]) {
      const res = await request(server.url, `/api/poll/chat?run=${id}`, { headers: { Origin: 'null' } });
      assert.equal(res.status, 404);
      assert.equal(errorCode(res), 'UNKNOWN_RUN');
      assert.equal(res.headers['access-control-allow-origin'], 'null');
    }
  });

  it('serves its own pages, and a sandboxed frame with a live run, without credentials for null', async () => {
    const own = await request(server.url, '/api/poll/chat', { headers: { Origin: server.url } });
    assert.equal(own.status, 200);
    const run = await newRun(server);
    const sandbox = await request(server.url, `/api/poll/chat?run=${run}`, { headers: { Origin: 'null' } });
    assert.equal(sandbox.status, 200);
    assert.equal(sandbox.headers['access-control-allow-origin'], 'null');
    assert.equal(sandbox.headers['access-control-allow-credentials'], undefined);
    const stream = await head(server.url, `/api/sse/chat?run=${run}`, { headers: { Origin: 'null' } });
    assert.equal(stream.status, 200);
    const ws = await handshake(server.url, `/api/ws/chat?run=${run}`, { Origin: 'null' });
    assert.equal(ws.upgraded, true);
    ws.close();
  });
});

describe('ALLOWED_ORIGINS', () => {
  it('with *, answers any origin with "*" and never with credentials, and still asks a sandboxed frame for a run', async () => {
    const server = await startServer({ allowedOrigins: ['*'] });
    try {
      assert.equal((await request(server.url, '/api/poll/chat', { headers: { Origin: 'null' } })).status, 403);
      for (const path of ['/api/poll/chat', '/api/health']) {
        const res = await request(server.url, path, { headers: { Origin: EVIL } });
        assert.equal(res.status, 200);
        assert.equal(res.headers['access-control-allow-origin'], '*');
        assert.equal(res.headers['access-control-allow-credentials'], undefined);
      }
      const preflight = await request(server.url, '/api/channels/chat/messages', { method: 'OPTIONS', headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' } });
      assert.equal(preflight.headers['access-control-allow-origin'], '*');
      assert.equal(preflight.headers['access-control-allow-credentials'], undefined);
      const stream = await head(server.url, '/api/sse/chat', { headers: { Origin: EVIL } });
      assert.equal(stream.headers['access-control-allow-credentials'], undefined);
    } finally {
      await server.close();
    }
  });

  it('names a listed origin back, with credentials, and refuses the others', async () => {
    const server = await startServer({ allowedOrigins: ['null', 'https://lab.example.org'] });
    try {
      const listed = await request(server.url, '/api/poll/chat', { headers: { Origin: 'https://lab.example.org' } });
      assert.equal(listed.status, 200);
      assert.equal(listed.headers['access-control-allow-origin'], 'https://lab.example.org');
      assert.equal(listed.headers['access-control-allow-credentials'], 'true');
      assert.match(String(listed.headers.vary), /Origin/);
      const other = await request(server.url, '/api/poll/chat', { headers: { Origin: 'https://lab.example.org.evil.example' } });
      assert.equal(other.status, 403);
    } finally {
      await server.close();
    }
  });
});
