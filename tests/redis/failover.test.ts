/**
 * Through nginx (deploy/nginx.conf, as the docs show it) in front of two instances, one client
 * per technique receives a stream of 1,000 messages while one instance is SIGKILLed partway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LongPollReceiver, PollReceiver, type Receiver, sequenceProblems, SseReceiver, WebSocketReceiver } from './clients.ts';
import { Instance, Nginx, publishTo, RedisServer } from './harness.ts';

const COUNT = 1000;
const KILL_AFTER = 300;

describe('two instances behind nginx, one of them killed', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;
  let nginx: Nginx;

  before(async () => {
    redis = await RedisServer.start();
    [a, b] = await Promise.all([Instance.start('instance-a', redis.url), Instance.start('instance-b', redis.url)]);
    await Promise.all([a.healthy(), b.healthy()]);
    nginx = await Nginx.start([a.port, b.port]);
  });

  after(async () => {
    await nginx?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('serves the API, SSE and WebSocket through nginx from both instances, without sticky sessions', async () => {
    const answeredBy = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${nginx.url}/api/stats`);
      assert.equal(res.status, 200);
      answeredBy.add(((await res.json()) as { instance: string }).instance);
    }
    assert.deepEqual([...answeredBy].sort(), ['instance-a', 'instance-b']);
    const sse = await fetch(`${nginx.url}/api/sse/chat`);
    assert.equal(sse.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    // Unbuffered: the first event arrives while the response is still open.
    const reader = sse.body?.getReader();
    const first = await reader?.read();
    assert.match(new TextDecoder().decode(first?.value), /^retry: /);
    await reader?.cancel();
  });

  it('delivers all 1,000 messages to every technique, in order and once, while instance A is SIGKILLed partway', { timeout: 120_000 }, async () => {
    const channel = 'failover';
    const start = ((await (await fetch(`${nginx.url}/api/poll/${channel}`)).json()) as { cursor: string }).cursor;
    const sse = new SseReceiver(nginx.url, channel, start);
    const ws = new WebSocketReceiver(nginx.url, channel, start);
    const receivers: Receiver[] = [new PollReceiver(nginx.url, channel, start), new LongPollReceiver(nginx.url, channel, start), sse, ws];
    try {
      await sse.connected();
      await ws.welcomed;
      // Round robin spread the SSE stream and the WebSocket over the two instances. The one that
      // holds more of them is the one to kill (call it A), so that at least one stream is cut.
      type Open = { open: { sse: number; websocket: number } };
      const [openA, openB] = await Promise.all([a, b].map(async (instance) => ((await (await fetch(`${instance.url}/api/stats`)).json()) as Open).open));
      assert.equal((openA?.sse ?? 0) + (openB?.sse ?? 0), 1);
      assert.equal((openA?.websocket ?? 0) + (openB?.websocket ?? 0), 1);
      const [victim, survivor, victimOpen] = (openA?.sse ?? 0) + (openA?.websocket ?? 0) >= 1 ? [a, b, openA] : [b, a, openB];
      assert.ok(victimOpen && victimOpen.sse + victimOpen.websocket >= 1);

      // The publisher talks to the survivor directly, so every message is published once.
      for (let n = 1; n <= COUNT; n++) {
        const res = await publishTo(survivor.url, channel, { n });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        if (n === KILL_AFTER) await victim.kill();
      }
      await Promise.all(receivers.map((receiver) => receiver.received(COUNT, 60_000)));
      for (const receiver of receivers) {
        assert.equal(sequenceProblems(receiver.messages, COUNT), undefined, receiver.technique);
        assert.equal(receiver.gaps, 0, `${receiver.technique} was told of no gap`);
      }
      // A stream that was on the killed instance was cut and reconnected (through nginx, to the
      // survivor); one on the survivor never had to.
      assert.equal(sse.connections, 1 + victimOpen.sse, `SSE connections (${sse.failures.join('; ')})`);
      assert.equal(ws.connections, 1 + victimOpen.websocket, `WebSocket connections (${ws.failures.join('; ')})`);
    } finally {
      for (const receiver of receivers) receiver.stop();
    }
  });
});
