import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { newRun, nextEvent, publish, startServer, type TestServer, until } from './helpers.ts';

/** Reads a raw event stream with fetch, returning the text once `done` is true of it. */
async function readStream(url: string, done: (text: string) => boolean, headers: Record<string, string> = {}): Promise<{ res: Response; text: string }> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const decoder = new TextDecoder();
  let text = '';
  const reader = res.body!.getReader();
  while (!done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  controller.abort();
  await reader.cancel().catch(() => {});
  return { res, text };
}

describe('GET /api/sse/:channel', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishRatePerS: 10_000, publishBurst: 10_000, historyLimit: 5, sseRetryMs: 1234 });
  });
  after(() => server.close());

  it('answers text/event-stream, not cached, with retry: first and a connected event', async () => {
    const { res, text } = await readStream(`${server.url}/api/sse/chat`, (t) => t.includes('event: connected'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(res.headers.get('cache-control') ?? '', /no-cache/);
    assert.ok(text.startsWith('retry: 1234\n\n'), text);
    const data = JSON.parse(/event: connected\ndata: (.*)\n\n/.exec(text)?.[1] ?? 'null');
    assert.equal(typeof data.connectionId, 'string');
    assert.equal(data.lastEventId, null);
    assert.equal(data.replayed, 0);
  });

  it('writes each message with id, event and data lines, read by the eventsource client', async () => {
    const source = new EventSource(`${server.url}/api/sse/news`);
    try {
      await nextEvent(source, 'connected');
      const sent = await publish(server, 'news', { headline: 'hi' }, 'headline');
      const event = await nextEvent(source, 'headline');
      assert.equal(event.lastEventId, sent.id);
      const envelope = JSON.parse(event.data);
      assert.deepEqual(envelope, { ...sent, channel: 'news', time: envelope.time });
    } finally {
      source.close();
    }
  });

  it('replays what came after Last-Event-ID when the client reconnects, exactly once and in order', async () => {
    const first = await publish(server, 'replay', 1);
    const sent = [await publish(server, 'replay', 2), await publish(server, 'replay', 3)];
    const { text } = await readStream(`${server.url}/api/sse/replay`, (t) => t.includes(`id: ${sent[1]?.id}\n`), { 'Last-Event-ID': first.id });
    const ids = [...text.matchAll(/^id: (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(ids, sent.map((m) => m.id));
    const connected = JSON.parse(/event: connected\ndata: (.*)\n/.exec(text)?.[1] ?? 'null');
    assert.deepEqual({ lastEventId: connected.lastEventId, replayed: connected.replayed }, { lastEventId: first.id, replayed: 2 });
  });

  it('takes ?lastEventId= for a first connection, since EventSource cannot set headers', async () => {
    const first = await publish(server, 'query', 'a');
    const second = await publish(server, 'query', 'b');
    const source = new EventSource(`${server.url}/api/sse/query?lastEventId=${first.id}`);
    try {
      const event = await nextEvent(source, 'message');
      assert.equal(event.lastEventId, second.id);
    } finally {
      source.close();
    }
  });

  it('sends event: gap when Last-Event-ID has left the history, then what is kept', async () => {
    const first = await publish(server, 'gappy', 0);
    for (let i = 1; i <= 8; i++) await publish(server, 'gappy', i);
    const { text } = await readStream(`${server.url}/api/sse/gappy`, (t) => /"data":8/.test(t), { 'Last-Event-ID': first.id });
    const gap = JSON.parse(/event: gap\ndata: (.*)\n\n/.exec(text)?.[1] ?? 'null');
    assert.equal(gap.since, first.id);
    assert.match(gap.message, /no longer in the history/);
    assert.deepEqual([...text.matchAll(/"data":(\d)/g)].map((m) => Number(m[1])), [4, 5, 6, 7, 8]);
    assert.ok(text.indexOf('event: gap') < text.indexOf('"data":4'));
  });

  it('refuses a Last-Event-ID that is not an id with 400, so the browser stops retrying', async () => {
    const res = await fetch(`${server.url}/api/sse/chat`, { headers: { 'Last-Event-ID': 'nonsense' } });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, 'INVALID_ID');
  });

  it('answers a sandboxed frame (Origin null) that carries a live run with CORS headers, and refuses one without', async () => {
    const refused = await fetch(`${server.url}/api/sse/chat`, { headers: { Origin: 'null' } });
    assert.equal(refused.status, 403);
    const { res } = await readStream(`${server.url}/api/sse/chat?run=${await newRun(server)}`, (t) => t.includes('connected'), { Origin: 'null' });
    assert.equal(res.headers.get('access-control-allow-origin'), 'null');
  });

  it('forgets a stream when its client goes away', async () => {
    const source = new EventSource(`${server.url}/api/sse/gone`);
    await nextEvent(source, 'connected');
    assert.equal(server.app.stats.open.sse, 1);
    source.close();
    await until(() => server.app.stats.open.sse === 0, 'the stream to be forgotten');
  });
});

describe('SSE heartbeat (SSE_HEARTBEAT_MS)', () => {
  it('writes a comment line on every open stream from one shared timer', async () => {
    const server = await startServer({ sseHeartbeatMs: 50 });
    try {
      const { text } = await readStream(`${server.url}/api/sse/chat`, (t) => t.split(': heartbeat\n\n').length > 2);
      assert.ok(text.includes(': heartbeat\n\n'));
    } finally {
      await server.close();
    }
  });
});
