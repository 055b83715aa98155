import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from './helpers.ts';

describe('the site, stats and health', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('serves the built site from the same process as the API', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Fixture site/);
  });

  it('answers unknown pages with the site\'s 404 page', async () => {
    const res = await fetch(`${server.url}/no/such/page/`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /Fixture 404/);
  });

  it('reports health', async () => {
    const res = await fetch(`${server.url}/api/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  it('counts open connections per technique, requests and messages', async () => {
    await fetch(`${server.url}/api/poll/chat`);
    await fetch(`${server.url}/api/channels/chat/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"data":1}' });
    const controller = new AbortController();
    const sse = await fetch(`${server.url}/api/sse/chat`, { signal: controller.signal });
    const stats = await (await fetch(`${server.url}/api/stats`)).json();
    controller.abort();
    await sse.body?.cancel().catch(() => {});
    assert.equal(stats.log, 'memory');
    assert.equal(typeof stats.instance, 'string');
    assert.equal(stats.open.sse, 1);
    assert.equal(stats.open.total, 1);
    assert.ok(stats.requests.poll >= 1);
    assert.ok(stats.requests.publish >= 1);
    assert.ok(stats.messages.published >= 1);
  });

  it('ticks the clock channel with type tick and { now }', async () => {
    const ticking = await startServer({ clockIntervalMs: 20 });
    try {
      const res = await fetch(`${ticking.url}/api/long-poll/clock?timeout=5`);
      const page = await res.json();
      assert.equal(page.messages[0].type, 'tick');
      assert.ok(!Number.isNaN(Date.parse(page.messages[0].data.now)));
    } finally {
      await ticking.close();
    }
  });
});
