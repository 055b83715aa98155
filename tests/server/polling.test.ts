import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newRun, publish, startServer, type TestServer } from './helpers.ts';

async function poll(server: TestServer, query: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/poll/${query}`, { headers });
}

describe('GET /api/poll/:channel', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishRatePerS: 10_000, publishBurst: 10_000, historyLimit: 50 });
  });
  after(() => server.close());

  it('answers an empty channel with no messages and a cursor to poll from', async () => {
    const res = await poll(server, 'empty');
    assert.equal(res.status, 200);
    const page = await res.json();
    assert.deepEqual(page.messages, []);
    assert.equal(typeof page.cursor, 'string');
  });

  it('returns the most recent messages without since, oldest first, 20 by default', async () => {
    const sent = [];
    for (let i = 0; i < 25; i++) sent.push(await publish(server, 'recent', i));
    const page = await (await poll(server, 'recent')).json();
    assert.deepEqual(page.messages.map((m: { data: number }) => m.data), sent.slice(5).map((m) => m.data));
    assert.equal(page.cursor, sent.at(-1)?.id);
    const three = await (await poll(server, 'recent?limit=3')).json();
    assert.deepEqual(three.messages.map((m: { data: number }) => m.data), [22, 23, 24]);
  });

  it('returns the messages after since, oldest first, with more: true when a page is full', async () => {
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await publish(server, 'paged', i));
    const first = await (await poll(server, `paged?since=${sent[0]?.id}&limit=2`)).json();
    assert.deepEqual(first.messages.map((m: { data: number }) => m.data), [1, 2]);
    assert.equal(first.more, true);
    const second = await (await poll(server, `paged?since=${first.cursor}&limit=2`)).json();
    assert.deepEqual(second.messages.map((m: { data: number }) => m.data), [3, 4]);
    assert.equal(second.more, undefined);
    const none = await (await poll(server, `paged?since=${second.cursor}`)).json();
    assert.deepEqual(none.messages, []);
    assert.equal(none.cursor, second.cursor);
  });

  it('answers 304 to a client that already has the answer, and 200 once there is news', async () => {
    const first = await publish(server, 'etag', 'a');
    const res = await poll(server, `etag?since=${first.id}`);
    const etag = res.headers.get('etag');
    assert.ok(etag);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const again = await poll(server, `etag?since=${first.id}`, { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    for (const header of [`"other", ${etag}`, `W/${etag}`]) {
      assert.equal((await poll(server, `etag?since=${first.id}`, { 'If-None-Match': header })).status, 304, header);
    }
    await publish(server, 'etag', 'b');
    const news = await poll(server, `etag?since=${first.id}`, { 'If-None-Match': etag });
    assert.equal(news.status, 200);
    assert.deepEqual((await news.json()).messages.map((m: { data: string }) => m.data), ['b']);
  });

  it('says gap: true when since has left the history, and returns what is kept', async () => {
    const sent = [];
    for (let i = 0; i < 60; i++) sent.push(await publish(server, 'trimmed', i));
    const page = await (await poll(server, `trimmed?since=${sent[2]?.id}&limit=100`)).json();
    assert.equal(page.gap, true);
    assert.equal(page.messages.length, 50);
    assert.equal(page.messages[0].data, 10);
    const inHistory = await (await poll(server, `trimmed?since=${sent[20]?.id}&limit=100`)).json();
    assert.equal(inHistory.gap, undefined);
    assert.equal(inHistory.messages[0].data, 21);
  });

  it('says gap: true for an id from an earlier run of the server', async () => {
    await publish(server, 'restarted', 'new');
    // Ids carry the time their channel was created: one from a log made earlier is from an earlier run.
    const oldId = `${(Date.now() - 60_000).toString(36)}-1`;
    const page = await (await poll(server, `restarted?since=${oldId}`)).json();
    assert.equal(page.gap, true);
    assert.deepEqual(page.messages.map((m: { data: string }) => m.data), ['new']);
  });

  it('refuses since garbage and out-of-range limits with 400, and answers an id it cannot place with a gap', async () => {
    const garbage = await poll(server, 'chat?since=%3Cscript%3E');
    assert.equal(garbage.status, 400);
    const { error } = await garbage.json();
    assert.equal(error.code, 'INVALID_ID');
    assert.match(error.message, /<script>/);
    const head = (await (await poll(server, 'chat')).json()).cursor as string;
    const future = head.replace(/-\d+$/, '-999999');
    const unknown = await poll(server, `chat?since=${future}`);
    assert.equal(unknown.status, 200);
    assert.equal((await unknown.json()).gap, true);
    for (const limit of ['0', '101', 'ten', '-1']) {
      const res = await poll(server, `chat?limit=${limit}`);
      assert.equal(res.status, 400, `limit=${limit}`);
      assert.match((await res.json()).error.message, /1 to 100/);
    }
  });

  it('refuses bad channel names with 400, and unknown API paths with 404', async () => {
    assert.equal((await poll(server, 'UPPER')).status, 400);
    assert.equal((await poll(server, '')).status, 400);
    const res = await fetch(`${server.url}/api/nope`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, 'NOT_FOUND');
  });

  it('answers a sandboxed frame (Origin null) that carries a live run with CORS headers that expose the ETag, and refuses one without', async () => {
    const refused = await poll(server, 'chat', { Origin: 'null' });
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).error.code, 'ORIGIN_NOT_ALLOWED');
    const res = await poll(server, `chat?run=${await newRun(server)}`, { Origin: 'null' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'null');
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /ETag/);
  });
});
