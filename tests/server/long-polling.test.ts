import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { publish, startServer, stats, until, type TestServer } from './helpers.ts';

describe('GET /api/long-poll/:channel', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishRatePerS: 10_000, publishBurst: 10_000, historyLimit: 5 });
  });
  after(() => server.close());

  it('answers at once when messages after since exist', async () => {
    const first = await publish(server, 'ready', 1);
    await publish(server, 'ready', 2);
    const res = await fetch(`${server.url}/api/long-poll/ready?since=${first.id}`);
    assert.equal(res.status, 200);
    const page = await res.json();
    assert.deepEqual(page.messages.map((m: { data: number }) => m.data), [2]);
  });

  it('holds the request until a message arrives, then answers with it', async () => {
    const first = await publish(server, 'held', 1);
    const pending = fetch(`${server.url}/api/long-poll/held?since=${first.id}`);
    await until(() => server.app.stats.open.longPoll === 1, 'the request to be held');
    const second = await publish(server, 'held', 2);
    const res = await pending;
    assert.equal(res.status, 200);
    const page = await res.json();
    assert.deepEqual(page.messages.map((m: { id: string }) => m.id), [second.id]);
    assert.equal(page.cursor, second.id);
  });

  it('without since, waits for the next new message', async () => {
    await publish(server, 'next', 'old');
    const pending = fetch(`${server.url}/api/long-poll/next`);
    await until(() => server.app.stats.open.longPoll === 1, 'the request to be held');
    await publish(server, 'next', 'new');
    const page = await (await pending).json();
    assert.deepEqual(page.messages.map((m: { data: string }) => m.data), ['new']);
  });

  it('answers 204 when the timeout passes with no news', async () => {
    const started = Date.now();
    const res = await fetch(`${server.url}/api/long-poll/quiet?timeout=1`);
    assert.equal(res.status, 204);
    assert.ok(Date.now() - started >= 1000);
    assert.equal(server.app.stats.open.longPoll, 0);
  });

  it('refuses a timeout outside 1 to 60 seconds with 400 that names the range', async () => {
    for (const timeout of ['0', '61', 'soon']) {
      const res = await fetch(`${server.url}/api/long-poll/chat?timeout=${timeout}`);
      assert.equal(res.status, 400);
      const { error } = await res.json();
      assert.equal(error.code, 'INVALID_TIMEOUT');
      assert.match(error.message, /1 to 60/);
    }
  });

  it('leaves no waiter behind when the client goes away', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.url}/api/long-poll/abandoned`, { signal: controller.signal }).catch((error: Error) => error);
    await until(() => server.app.stats.open.longPoll === 1, 'the request to be held');
    controller.abort();
    assert.equal(((await pending) as Error).name, 'AbortError');
    await until(async () => (await stats(server)).open.longPoll === 0 && (await stats(server)).open.total === 0, 'the waiter to be removed');
  });

  it('says gap: true at once when since has left the history', async () => {
    const first = await publish(server, 'lost', 0);
    for (let i = 1; i <= 10; i++) await publish(server, 'lost', i);
    const page = await (await fetch(`${server.url}/api/long-poll/lost?since=${first.id}`)).json();
    assert.equal(page.gap, true);
    assert.deepEqual(page.messages.map((m: { data: number }) => m.data), [6, 7, 8, 9, 10]);
  });

  it('answers every waiter on the channel with the same message', async () => {
    const pending = [1, 2, 3].map(() => fetch(`${server.url}/api/long-poll/fanout?timeout=10`).then((res) => res.json()));
    await until(() => server.app.stats.open.longPoll === 3, 'three held requests');
    const message = await publish(server, 'fanout', 'all');
    for (const page of await Promise.all(pending)) assert.equal(page.messages[0].id, message.id);
  });
});
