/**
 * Redis is killed and started again while messages flow: health says so, publishes fail with a
 * clear 503, connected subscribers stay connected, and no message Redis acknowledged is lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LongPollReceiver, PollReceiver, type Receiver, SseReceiver, WebSocketReceiver } from './clients.ts';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { until } from '../server/helpers.ts';
import { Instance, publishTo, RedisServer } from './harness.ts';

const TOTAL_ACKED = 300;
const KILL_AFTER = 100;

describe('Redis restarted mid-stream', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;

  before(async () => {
    redis = await RedisServer.start();
    [a, b] = await Promise.all([Instance.start('instance-a', redis.url), Instance.start('instance-b', redis.url)]);
    await Promise.all([a.healthy(), b.healthy()]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('loses no acknowledged message, keeps subscribers connected, and recovers its health', { timeout: 120_000 }, async () => {
    const channel = 'outage';
    const start = ((await (await fetch(`${a.url}/api/poll/${channel}`)).json()) as { cursor: string }).cursor;
    const sse = new SseReceiver(a.url, channel, start);
    const ws = new WebSocketReceiver(b.url, channel, start);
    const receivers: Receiver[] = [sse, ws, new LongPollReceiver(a.url, channel, start), new PollReceiver(b.url, channel, start)];
    const acked: string[] = [];
    const refusals: { status: number; code: string; retryAfter: string | null }[] = [];
    let publishing = true;

    // Publishes without pause, alternating instances; a refused publish is tried again.
    const publisher = (async () => {
      for (let n = 1; publishing; n++) {
        for (;;) {
          const target = n % 2 === 0 ? a : b;
          const res = await fetch(`${target.url}/api/channels/${channel}/messages`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ data: { n } }),
          });
          const body = (await res.json()) as { message?: { id: string }; error?: { code: string } };
          if (res.status === 201 && body.message) {
            acked.push(body.message.id);
            break;
          }
          refusals.push({ status: res.status, code: body.error?.code ?? '', retryAfter: res.headers.get('retry-after') });
          await new Promise((resolve) => setTimeout(resolve, 20));
          if (!publishing) return;
        }
        if (acked.length >= TOTAL_ACKED) return;
      }
    })();

    try {
      await sse.connected();
      await ws.welcomed;
      await until(() => acked.length >= KILL_AFTER, `${KILL_AFTER} acknowledged publishes`, 20_000, 5);
      await redis.kill();

      for (const instance of [a, b]) {
        let health: { ok: boolean; reason?: string } | undefined;
        await until(async () => {
          const res = await fetch(`${instance.url}/api/health`);
          health = (await res.json()) as { ok: boolean; reason?: string };
          return res.status === 503;
        }, `${instance.name} to report 503 on /api/health`, 10_000, 20);
        assert.equal(health?.ok, false);
        // It says the log is Redis, but not where Redis is: that is for the operator's log, not for every client.
        assert.match(health?.reason ?? '', /the channel log \(Redis\)/);
        assert.doesNotMatch(health?.reason ?? '', /127\.0\.0\.1|:\d{2,5}/);
      }
      const ackedWhileDown = acked.length;
      await until(() => refusals.length > 0, 'a publish refused while Redis is down', 10_000, 20);
      assert.equal(acked.length, ackedWhileDown, 'nothing is acknowledged while Redis is down');

      // A subscriber that arrives while Redis is away (no id to replay from) is accepted, and
      // receives what is published once Redis is back.
      const late = new EventSource(`${a.url}/api/sse/outage-late`);
      const lateMessages: unknown[] = [];
      late.addEventListener('message', (event) => lateMessages.push(JSON.parse(event.data).data));
      await new Promise((resolve) => late.addEventListener('connected', resolve, { once: true }));

      // A stream that reconnects while Redis is away cannot be replayed yet: it is told to
      // retry (a 503 would make a browser give up for good), and resumes once Redis is back.
      const resuming = new EventSource(`${a.url}/api/sse/${channel}?lastEventId=${start}`);
      const resumed: string[] = [];
      resuming.addEventListener('message', (event) => resumed.push(event.lastEventId));
      await new Promise((resolve) => resuming.addEventListener('error', resolve, { once: true }));
      assert.notEqual(resuming.readyState, EventSource.CLOSED, 'the EventSource keeps retrying');

      await redis.restart();
      await Promise.all([a.healthy(15_000), b.healthy(15_000)]);
      await until(async () => {
        if (lateMessages.length === 0) await publishTo(b.url, 'outage-late', { late: true });
        return lateMessages.length > 0;
      }, 'the late subscriber to receive a message published after the restart', 10_000, 200);
      late.close();
      await until(() => resumed.length >= ackedWhileDown, 'the resuming stream to replay once Redis is back', 15_000, 20);
      resuming.close();
      assert.deepEqual(resumed.slice(0, ackedWhileDown), acked.slice(0, ackedWhileDown));
      assert.deepEqual(lateMessages[0], { late: true });
      await until(() => acked.length >= TOTAL_ACKED, `${TOTAL_ACKED} acknowledged publishes`, 30_000, 20);
      publishing = false;
      await publisher;

      assert.ok(refusals.every((refusal) => refusal.status === 503 && refusal.code === 'LOG_UNAVAILABLE' && refusal.retryAfter === '1'), JSON.stringify(refusals.slice(0, 3)));

      // Every client ends with every acknowledged id, in order, none twice.
      await Promise.all(receivers.map((receiver) => until(() => {
        const received = new Set(receiver.messages.map((m) => m.id));
        return acked.every((id) => received.has(id));
      }, `${receiver.technique} to receive every acknowledged message`, 30_000, 20)));
      for (const receiver of receivers) {
        const received = receiver.messages.map((m) => m.id);
        assert.equal(new Set(received).size, received.length, `${receiver.technique} received no message twice`);
        const ackedInOrder = received.filter((id) => acked.includes(id));
        assert.deepEqual(ackedInOrder, acked, `${receiver.technique} received the acknowledged messages in order`);
        assert.equal(receiver.gaps, 0);
      }
      // The streams rode out the outage on their first connection.
      assert.equal(sse.connections, 1, `SSE stayed connected (${sse.failures.join('; ')})`);
      assert.equal(ws.connections, 1, `WebSocket stayed connected (${ws.failures.join('; ')})`);

      // And the history after the restart holds them all.
      const history = (await (await fetch(`${b.url}/api/poll/${channel}?since=${start}&limit=100`)).json()) as { messages: { id: string }[] };
      assert.deepEqual(history.messages.map((m) => m.id).filter((id) => acked.includes(id)), acked.slice(0, 100));
    } finally {
      publishing = false;
      await publisher.catch(() => {});
      for (const receiver of receivers) receiver.stop();
    }
  });

  it('warns without persistence, and after Redis restarts empty tells clients resuming from an old id of a gap on every technique', { timeout: 60_000 }, async () => {
    const bare = await RedisServer.start({ persistence: false });
    const instance = await Instance.start('instance-bare', bare.url);
    try {
      await instance.healthy();
      const health = (await (await fetch(`${instance.url}/api/health`)).json()) as { ok: boolean; warnings?: string[] };
      assert.equal(health.ok, true);
      assert.match(health.warnings?.join(' ') ?? '', /appendonly yes/);

      const channel = 'reset';
      const ids: string[] = [];
      for (let n = 1; n <= 5; n++) ids.push((await publishTo(instance.url, channel, { n })).body.message.id as string);
      const old = ids[2] as string;
      // A poller that is up to date, with the ETag of the head it saw.
      const current = await fetch(`${instance.url}/api/poll/${channel}?since=${ids[4]}`);
      const etag = current.headers.get('etag') ?? '';

      await bare.restart();
      await instance.healthy(15_000);
      await until(async () => {
        const res = await fetch(`${instance.url}/api/poll/${channel}?since=${ids[4]}`, { headers: { 'If-None-Match': etag } });
        return res.status === 200 && ((await res.json()) as { gap?: boolean }).gap === true;
      }, 'the instance to notice the reset', 10_000, 100);

      const gapSeen = async (): Promise<Record<string, boolean>> => {
        const poll = (await (await fetch(`${instance.url}/api/poll/${channel}?since=${old}`)).json()) as { gap?: boolean };
        const held = await fetch(`${instance.url}/api/long-poll/${channel}?since=${old}&timeout=1`);
        const longPoll = held.status === 200 && ((await held.json()) as { gap?: boolean }).gap === true;
        const sse = await new Promise<boolean>((resolve) => {
          const source = new EventSource(`${instance.url}/api/sse/${channel}?lastEventId=${old}`);
          const timer = setTimeout(() => finish(false), 5000);
          const finish = (seen: boolean): void => {
            clearTimeout(timer);
            source.close();
            resolve(seen);
          };
          source.addEventListener('gap', () => finish(true));
          source.addEventListener('message', () => finish(false));
        });
        const ws = await new Promise<boolean>((resolve) => {
          const socket = new WebSocket(`${instance.url.replace('http', 'ws')}/api/ws/${channel}?since=${old}`);
          const timer = setTimeout(() => finish(false), 5000);
          const finish = (seen: boolean): void => {
            clearTimeout(timer);
            socket.terminate();
            resolve(seen);
          };
          socket.on('message', (data: Buffer) => {
            const type = JSON.parse(data.toString()).type;
            if (type === 'gap') finish(true);
            else if (type !== 'welcome') finish(false);
          });
        });
        return { poll: poll.gap === true, longPoll, sse, ws };
      };
      // Before anything is published again: the id is newer than the (empty) stream.
      assert.deepEqual(await gapSeen(), { poll: true, longPoll: true, sse: true, ws: true });
      // And after: the id is older than a stream that began after it.
      await publishTo(instance.url, channel, { n: 6 });
      assert.deepEqual(await gapSeen(), { poll: true, longPoll: true, sse: true, ws: true });
    } finally {
      await instance.stop();
      await bare.stop();
    }
  });
});
