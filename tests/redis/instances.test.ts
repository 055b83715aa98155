/**
 * Two instances of the server share one Redis: what is published on one reaches the
 * subscribers of the other, over every technique; the clock ticks once per slot for both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { Envelope } from '../../server/log/types.ts';
import { LongPollReceiver, PollReceiver, SseReceiver, WebSocketReceiver } from './clients.ts';
import { until } from '../server/helpers.ts';
import { Instance, publishTo, RedisServer } from './harness.ts';

const CLOCK_MS = 250;
const HISTORY_LIMIT = 20;

describe('two instances sharing one Redis', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;

  before(async () => {
    redis = await RedisServer.start();
    [a, b] = await Promise.all([
      Instance.start('instance-a', redis.url, { CLOCK_INTERVAL_MS: String(CLOCK_MS), HISTORY_LIMIT: String(HISTORY_LIMIT) }),
      Instance.start('instance-b', redis.url, { CLOCK_INTERVAL_MS: String(CLOCK_MS), HISTORY_LIMIT: String(HISTORY_LIMIT) }),
    ]);
    await Promise.all([a.healthy(), b.healthy()]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('delivers a message published on instance A to subscribers on instance B over each technique', async () => {
    const channel = 'across';
    const start = ((await (await fetch(`${b.url}/api/poll/${channel}`)).json()) as { cursor: string }).cursor;
    const receivers = [
      new PollReceiver(b.url, channel, start),
      new LongPollReceiver(b.url, channel, start),
      new SseReceiver(b.url, channel, start),
      new WebSocketReceiver(b.url, channel, start),
    ];
    try {
      await (receivers[2] as SseReceiver).connected();
      await (receivers[3] as WebSocketReceiver).welcomed;
      const published = await publishTo(a.url, channel, { n: 1 });
      assert.equal(published.status, 201);

      // And a WebSocket publish on A reaches them too.
      const ws = new WebSocket(`${a.url.replace('http', 'ws')}/api/ws/${channel}`);
      const ackedId = await new Promise<string>((resolve) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'publish', data: { n: 2 } })));
        ws.on('message', (data: Buffer) => {
          const frame = JSON.parse(data.toString()) as { type: string; id: string };
          if (frame.type === 'ack') resolve(frame.id);
        });
      });
      ws.close();

      for (const receiver of receivers) {
        await receiver.received(2, 5000);
        assert.deepEqual(receiver.messages.map((m) => m.data), [{ n: 1 }, { n: 2 }], receiver.technique);
        assert.deepEqual(receiver.messages.map((m) => m.id), [published.body.message.id, ackedId], receiver.technique);
        assert.equal(receiver.gaps, 0);
      }
    } finally {
      for (const receiver of receivers) receiver.stop();
    }
  });

  it('resumes on instance B after an id a client received from instance A', async () => {
    const channel = 'resume-across';
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) ids.push((await publishTo(a.url, channel, { n })).body.message.id);
    const page = (await (await fetch(`${b.url}/api/poll/${channel}?since=${ids[1]}`)).json()) as { messages: Envelope[]; gap?: boolean };
    assert.deepEqual(page.messages.map((m) => m.id), ids.slice(2));
    assert.equal(page.gap, undefined);
    const unknown = await fetch(`${b.url}/api/poll/${channel}?since=${ids[4]?.replace(/\d+$/, (d) => String(Number(d) + 9))}`);
    // Newer than the stream: writes Redis lost, or a reset. Never a 400: the reader is told of a gap.
    assert.equal(unknown.status, 200);
    assert.equal(((await unknown.json()) as { gap?: boolean }).gap, true);
    const malformed = await fetch(`${b.url}/api/poll/${channel}?since=abc`);
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { error: { code: string } }).error.code, 'INVALID_ID');
  });

  it('tells clients of every technique on instance B when the history after their id was trimmed', async () => {
    const channel = 'trimmed';
    const first = (await publishTo(a.url, channel, { n: 1 })).body.message.id as string;
    // MAXLEN ~ trims whole blocks of about a hundred entries: publish enough to lose the first ones.
    for (let n = 2; n <= 250; n++) assert.equal((await publishTo(a.url, channel, { n })).status, 201);
    const receivers = [
      new PollReceiver(b.url, channel, first),
      new LongPollReceiver(b.url, channel, first),
      new SseReceiver(b.url, channel, first),
      new WebSocketReceiver(b.url, channel, first),
    ];
    try {
      for (const receiver of receivers) {
        await until(() => receiver.gaps === 1, `${receiver.technique} to report the gap`, 5000, 20);
        await until(() => (receiver.messages.at(-1)?.data as { n?: number } | undefined)?.n === 250, `${receiver.technique} to receive what is kept`, 5000, 20);
        const numbers = receiver.messages.map((m) => (m.data as { n: number }).n);
        assert.ok(numbers[0] !== undefined && numbers[0] > 2 && numbers.length >= HISTORY_LIMIT, `${receiver.technique} starts at the oldest message kept (${numbers[0]}, ${numbers.length} kept)`);
        assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => (numbers[0] as number) + i));
      }
    } finally {
      for (const receiver of receivers) receiver.stop();
    }
  });

  it('answers polls on instance B with fresh ETags after publishes on instance A', async () => {
    const channel = 'etag-across';
    const first = (await publishTo(a.url, channel, { n: 1 })).body.message.id as string;
    const poll = (etag?: string) => fetch(`${b.url}/api/poll/${channel}?since=${first}`, etag ? { headers: { 'If-None-Match': etag } } : {});
    await poll(); // B meets the channel: from now on its read loop keeps the channel's head.
    const empty = await poll();
    const etag = empty.headers.get('etag') ?? '';
    assert.equal(empty.status, 200);
    assert.equal((await poll(etag)).status, 304);
    await publishTo(a.url, channel, { n: 2 });
    // B learns of the new head through its read loop: within moments, the same ETag no longer matches.
    await until(async () => {
      const res = await poll(etag);
      return res.status === 200 && ((await res.json()) as { messages: unknown[] }).messages.length === 1;
    }, 'B to answer 200 with the new message', 5000, 20);
  });

  it('answers polls on instance B with fresh ETags even when B first saw the channel empty', async () => {
    const channel = 'etag-empty';
    const poll = (etag?: string) => fetch(`${b.url}/api/poll/${channel}`, etag ? { headers: { 'If-None-Match': etag } } : {});
    const empty = await poll();
    const etag = empty.headers.get('etag') ?? '';
    assert.equal(empty.status, 200);
    assert.equal((await poll(etag)).status, 304);
    await publishTo(a.url, channel, { n: 1 });
    await until(async () => {
      const res = await poll(etag);
      return res.status === 200 && ((await res.json()) as { messages: unknown[] }).messages.length === 1;
    }, 'B to answer 200 with the first message', 5000, 20);
  });

  it('ticks the clock once per slot across both instances', async () => {
    const since = ((await (await fetch(`${a.url}/api/poll/clock`)).json()) as { cursor: string }).cursor;
    const sse = new SseReceiver(b.url, 'clock', since);
    try {
      await sse.received(8, 8 * CLOCK_MS + 5000);
      const ticks = sse.messages.slice(0, 8);
      const slots = ticks.map((tick) => Math.floor(Date.parse((tick.data as { now: string }).now) / CLOCK_MS));
      for (let i = 1; i < slots.length; i++) {
        assert.ok((slots[i] as number) > (slots[i - 1] as number), `one tick per slot: ${slots.join(', ')}`);
      }
      const spanMs = Date.parse(ticks.at(-1)?.time ?? '') - Date.parse(ticks[0]?.time ?? '');
      assert.ok(spanMs >= 6 * CLOCK_MS, `8 ticks from two instances span at least 6 slots, not half that (${spanMs} ms)`);
      assert.ok(ticks.every((tick) => tick.type === 'tick'));
    } finally {
      sse.stop();
    }
  });

  it('says in /api/stats which log is in use and which instance answered', async () => {
    for (const instance of [a, b]) {
      const stats = (await (await fetch(`${instance.url}/api/stats`)).json()) as { log: string; instance: string; channels: number };
      assert.equal(stats.log, 'redis');
      assert.equal(stats.instance, instance.name);
    }
  });

  it('refuses to publish to the read-only clock with 403 on every instance', async () => {
    const res = await publishTo(b.url, 'clock', { now: 'never' });
    assert.equal(res.status, 403);
  });
});
