/**
 * Runs across several instances behind nginx (deploy/nginx.conf, as the docs show it): a run
 * issued by any instance is accepted by all of them (its id is signed with the shared
 * RUN_SECRET), and nginx sends every request that names a run to one instance, chosen by a
 * consistent hash of the id, so that the run's connections, its tap and its faults meet there.
 * A run's request is never retried on another instance: a cut the instance makes (a fault, or
 * its death) reaches the client as a network error, and the run stays where its state is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { RunIds } from '../../server/runs/run-ids.ts';
import { Instance, Nginx, RedisServer } from './harness.ts';

const RUN_SECRET = 'the scale-out tests share this run secret';
/** Each test waits on events (a tap event, a frame, a reconnection): bounded, so that one that never comes fails the test instead of hanging it. */
const BOUNDED = { timeout: 30_000 };
/** How long a test waits for a tap event: a reconnection takes SSE_RETRY_MS (1 s here). */
const WAIT_MS = 10_000;

/** A tap event, as `GET /api/runs/:run/tap` sends it. */
interface TapEvent {
  seq: number;
  connection: string;
  technique: string;
  direction: 'in' | 'out';
  kind: string;
  text?: string;
  fault?: string;
  frame?: { masked: boolean; opcodeName: string; text?: string };
}

async function newRun(base: string): Promise<string> {
  const res = await fetch(`${base}/api/runs`, { method: 'POST' });
  assert.equal(res.status, 201);
  return ((await res.json()) as { run: string }).run;
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

/** The run's tap, read with the `eventsource` package; closed when the run ends. */
function openTap(base: string, run: string) {
  const events: TapEvent[] = [];
  const waiters = new Set<() => void>();
  const source = new EventSource(`${base}/api/runs/${run}/tap`);
  source.addEventListener('tap', (event) => {
    events.push(JSON.parse(event.data) as TapEvent);
    for (const waiter of [...waiters]) waiter();
  });
  const ended = new Promise<void>((resolve) => {
    source.addEventListener('end', () => {
      // The run is over: reconnecting would start a new, empty run under the same id.
      source.close();
      resolve();
    });
  });
  /** Resolves once the events received hold what `test` looks for, checked as each arrives; rejects after WAIT_MS. */
  function shows(what: string, test: (received: readonly TapEvent[]) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!test(events)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${WAIT_MS} ms waiting for the tap to show ${what}`));
      }, WAIT_MS);
      waiters.add(check);
      check();
    });
  }
  return { events, ended, shows, close: () => source.close() };
}

describe('runs across three instances behind nginx', () => {
  let redis: RedisServer;
  let instances: Instance[] = [];
  let nginx: Nginx;
  /** The instance started again on a killed one's port, by the last test. */
  let replacement: Instance | undefined;

  /** The instance a request through nginx reached, from /api/stats (a request that names the run when `run` is given). */
  async function answeredBy(run?: string): Promise<string> {
    const res = await fetch(`${nginx.url}/api/stats${run ? `?run=${run}` : ''}`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { instance: string }).instance;
  }

  function instanceNamed(name: string): Instance {
    const instance = instances.find((candidate) => candidate.name === name);
    assert.ok(instance, `an instance called ${name}`);
    return instance;
  }

  before(async () => {
    redis = await RedisServer.start();
    // One after the other, each kept as soon as it runs: on a busy machine a start may time out,
    // and then after() must still stop those already started.
    instances = [];
    for (const name of ['instance-a', 'instance-b', 'instance-c']) instances.push(await Instance.start(name, redis.url, { RUN_SECRET, SSE_RETRY_MS: '1000' }));
    await Promise.all(instances.map((instance) => instance.healthy()));
    nginx = await Nginx.start(instances.map((instance) => instance.port));
  });

  after(async () => {
    await nginx?.stop();
    await Promise.all([...instances, ...(replacement ? [replacement] : [])].map((instance) => instance.stop()));
    await redis?.stop();
  });

  it('issues a run through nginx that every instance accepts directly, and refuses an id signed under another secret with 404 UNKNOWN_RUN', BOUNDED, async () => {
    const run = await newRun(nginx.url);
    for (const instance of instances) {
      const poll = await fetch(`${instance.url}/api/poll/accepted?run=${run}`);
      assert.equal(poll.status, 200, `${instance.name} serves a poll of the run`);
      await poll.body?.cancel();
      const faults = await fetch(`${instance.url}/api/runs/${run}/faults`);
      assert.equal(faults.status, 200, `${instance.name} knows the run's faults`);
      assert.equal(((await faults.json()) as { refuseReconnects: unknown }).refuseReconnects, null);
    }
    // A well-formed id from a deployment with another secret (or an instance started without RUN_SECRET).
    const foreign = new RunIds(Buffer.from('another deployment, another secret'), 600_000).issue().id;
    for (const base of [nginx.url, ...instances.map((instance) => instance.url)]) {
      for (const url of [`${base}/api/poll/accepted?run=${foreign}`, `${base}/api/runs/${foreign}/faults`]) {
        const res = await fetch(url);
        assert.equal(res.status, 404, url);
        assert.equal(await errorCode(res), 'UNKNOWN_RUN', url);
      }
    }
  });

  it('sends requests without a run round robin over every instance, and each run to one instance chosen by its id', BOUNDED, async () => {
    const withoutRun = new Set<string>();
    for (let i = 0; i < 2 * instances.length; i++) withoutRun.add(await answeredBy());
    assert.deepEqual([...withoutRun].sort(), instances.map((instance) => instance.name).sort());

    const owners = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const run = await newRun(nginx.url);
      const owner = await answeredBy(run);
      for (let j = 0; j < 3; j++) assert.equal(await answeredBy(run), owner, `every request of run ${run} reaches ${owner}`);
      owners.add(owner);
    }
    // A key that nginx failed to read (empty, or the same for every run) would send all twelve to one.
    assert.ok(owners.size >= 2, `twelve runs are spread over the instances by their ids: ${[...owners].join(', ')}`);
  });

  it('meets every connection of a run on one instance: the tap opened through nginx shows the poll, long poll, SSE, WebSocket and publish made through nginx', BOUNDED, async () => {
    const run = await newRun(nginx.url);
    const owner = instanceNamed(await answeredBy(run));
    const channel = 'met';
    const tap = openTap(nginx.url, run);
    const sse = new EventSource(`${nginx.url}/api/sse/${channel}?run=${run}`);
    const ws = new WebSocket(`${nginx.url.replace(/^http/, 'ws')}/api/ws/${channel}?run=${run}`);
    try {
      const sseMessage = new Promise<string>((resolve) => sse.addEventListener('message', (event) => resolve(event.data)));
      const wsMessage = new Promise<string>((resolve) => {
        ws.on('message', (data: Buffer) => {
          const frame = JSON.parse(data.toString()) as { type: string; message?: { data: unknown } };
          if (frame.type === 'message') resolve(JSON.stringify(frame.message?.data));
        });
      });
      const wsClosed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      const sseConnected = new Promise<void>((resolve) => sse.addEventListener('connected', () => resolve()));
      const wsWelcomed = new Promise<void>((resolve) => ws.on('message', function welcome(data: Buffer) {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'welcome') {
          ws.off('message', welcome);
          resolve();
        }
      }));
      await Promise.all([sseConnected, wsWelcomed]);

      // `run` first in one query and last in another: nginx reads it wherever it stands.
      const poll = await fetch(`${nginx.url}/api/poll/${channel}?run=${run}&limit=10`);
      assert.equal(poll.status, 200);
      await poll.body?.cancel();
      const longPoll = fetch(`${nginx.url}/api/long-poll/${channel}?timeout=30&run=${run}`);
      // Awaited below; until then, a failure must not surface as an unhandled rejection.
      longPoll.catch(() => {});
      await tap.shows('the long poll held', (received) => received.some((event) => event.technique === 'long-poll' && event.kind === 'hold'));

      // The SSE stream, the WebSocket and the long poll are open on the run's instance, and on no other.
      for (const instance of instances) {
        const { open } = (await (await fetch(`${instance.url}/api/stats`)).json()) as { open: { sse: number; websocket: number; longPoll: number } };
        const expected = instance === owner ? 1 : 0;
        assert.equal(open.sse, expected, `${instance.name} holds ${expected} of the run's SSE streams`);
        assert.equal(open.websocket, expected, `${instance.name} holds ${expected} of the run's WebSockets`);
        assert.equal(open.longPoll, expected, `${instance.name} holds ${expected} of the run's long polls`);
      }

      const published = await fetch(`${nginx.url}/api/channels/${channel}/messages?run=${run}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: { n: 1 } }),
      });
      assert.equal(published.status, 201);
      const answer = await longPoll;
      assert.equal(answer.status, 200);
      assert.deepEqual(((await answer.json()) as { messages: { data: unknown }[] }).messages.map((message) => message.data), [{ n: 1 }]);
      assert.deepEqual(JSON.parse(await sseMessage).data, { n: 1 });
      assert.equal(await wsMessage, '{"n":1}');

      const techniques = ['poll', 'long-poll', 'sse', 'ws', 'publish'];
      await tap.shows('the request head of every technique', (received) => techniques.every((technique) => received.some((event) => event.technique === technique && event.kind === 'request-head')));
      for (const technique of techniques) {
        const heads = tap.events.filter((event) => event.technique === technique && event.kind === 'request-head');
        assert.equal(heads.length, 1, `one ${technique} request head`);
        const text = heads[0]?.text ?? '';
        assert.match(text, new RegExp(`run=${run}`), `the ${technique} request names the run`);
        // As the instance received it: from nginx, which added the client's address.
        assert.match(text, /^X-Forwarded-For: 127\.0\.0\.1\r?$/im, `the ${technique} request came through nginx`);
      }
      assert.match(tap.events.find((event) => event.technique === 'ws' && event.kind === 'request-head')?.text ?? '', /^Upgrade: websocket\r?$/im);
      assert.ok(tap.events.some((event) => event.technique === 'sse' && event.kind === 'sse' && /data: .*"n":1/.test(event.text ?? '')), 'the SSE chunk with the message');
      assert.ok(tap.events.some((event) => event.technique === 'ws' && event.kind === 'ws-frame' && event.direction === 'out' && event.frame?.masked === false && /"n":1/.test(event.frame.text ?? '')), 'the WebSocket frame with the message, unmasked');

      // DELETE /api/runs/:run (an id in the path, no query) reaches the same instance: it ends the tap and the WebSocket there.
      const ended = await fetch(`${nginx.url}/api/runs/${run}`, { method: 'DELETE' });
      assert.equal(ended.status, 204);
      await tap.ended;
      assert.equal(await wsClosed, 1001);
    } finally {
      sse.close();
      ws.terminate();
      tap.close();
    }
  });

  it('acts on a poll of the run through nginx with a fault set through nginx, and on no other request', BOUNDED, async () => {
    const run = await newRun(nginx.url);
    const owner = instanceNamed(await answeredBy(run));
    const tap = openTap(nginx.url, run);
    try {
      const set = await fetch(`${nginx.url}/api/runs/${run}/faults`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refuseReconnects: { status: 503, count: 1 } }),
      });
      assert.equal(set.status, 200);
      assert.deepEqual(((await set.json()) as { refuseReconnects: unknown }).refuseReconnects, { status: 503, count: 1 });
      // The fault is on the run's instance only (the others meet the run here, with none).
      for (const instance of instances) {
        const faults = (await (await fetch(`${instance.url}/api/runs/${run}/faults`)).json()) as { refuseReconnects: unknown };
        assert.deepEqual(faults.refuseReconnects, instance === owner ? { status: 503, count: 1 } : null, instance.name);
      }

      // Polls without the run, on every instance in turn, are not refused.
      for (let i = 0; i < instances.length; i++) {
        const res = await fetch(`${nginx.url}/api/poll/faulty`);
        assert.equal(res.status, 200);
        await res.body?.cancel();
      }
      const refused = await fetch(`${nginx.url}/api/poll/faulty?run=${run}`);
      assert.equal(refused.status, 503);
      assert.equal(await errorCode(refused), 'REFUSED_BY_FAULT');
      const served = await fetch(`${nginx.url}/api/poll/faulty?run=${run}`);
      assert.equal(served.status, 200);
      await served.body?.cancel();
      await tap.shows('the fault', (received) => received.some((event) => event.kind === 'fault' && event.fault === 'refuseReconnects 503'));
      await tap.shows('both polls of the run', (received) => received.filter((event) => event.technique === 'poll' && event.kind === 'request-head').length === 2);
    } finally {
      tap.close();
    }
  });

  it('passes an abrupt drop of a held long poll on to the client as a network error, and keeps the run on its instance', BOUNDED, async () => {
    const run = await newRun(nginx.url);
    const owner = await answeredBy(run);
    const tap = openTap(nginx.url, run);
    try {
      const outcome = fetch(`${nginx.url}/api/long-poll/dropped?timeout=20&run=${run}`).then((res) => `HTTP ${res.status}`, (error: unknown) => error);
      await tap.shows('the long poll held', (received) => received.some((event) => event.technique === 'long-poll' && event.kind === 'hold'));
      const drop = await fetch(`${nginx.url}/api/runs/${run}/drop`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode: 'abrupt' }),
      });
      assert.deepEqual(await drop.json(), { dropped: 1, mode: 'abrupt' });
      // Not retried on another instance (where the poll would have been held on, unbroken), not a 502.
      const seen = await outcome;
      assert.ok(seen instanceof TypeError, `the client sees the cut as a network error, as without nginx; it saw ${String(seen)}`);
      // Nor was the instance taken out of the ring for it: the run's next requests still meet there.
      for (let i = 0; i < 3; i++) assert.equal(await answeredBy(run), owner);
      const again = await fetch(`${nginx.url}/api/poll/dropped?run=${run}&after=drop`);
      assert.equal(again.status, 200);
      await again.body?.cancel();
      await tap.shows('the poll after the drop', (received) => received.some((event) => event.kind === 'request-head' && /&after=drop /.test(event.text ?? '')));
    } finally {
      tap.close();
    }
  });

  // Last: it kills an instance, and starts it again.
  it('keeps each run on its instance while that instance is down, and resumes the run, its streams and its tap there when it is back', BOUNDED, async () => {
    const owners = new Map<string, string>();
    for (let i = 0; i < 12; i++) {
      const run = await newRun(nginx.url);
      owners.set(run, await answeredBy(run));
    }
    const [pinned, victimName] = [...owners.entries()][0] as [string, string];
    const victim = instanceNamed(victimName);
    const channel = 'pinned';
    // The tap of a run on the instance about to die, and an EventSource of that run that has
    // received one message, both through nginx; and a few polls, so that the tap has more
    // events there than the instance started again will have when the tap reconnects to it.
    const tap = openTap(nginx.url, pinned);
    const sse = new EventSource(`${nginx.url}/api/sse/${channel}?run=${pinned}`);
    try {
      const received = new Promise<string>((resolve) => sse.addEventListener('message', (event) => resolve(event.lastEventId)));
      await new Promise<void>((resolve) => sse.addEventListener('connected', () => resolve()));
      for (let i = 0; i < 5; i++) {
        const poll = await fetch(`${nginx.url}/api/poll/${channel}?run=${pinned}`);
        assert.equal(poll.status, 200);
        await poll.body?.cancel();
      }
      const published = await fetch(`${nginx.url}/api/channels/${channel}/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: { n: 1 } }),
      });
      assert.equal(published.status, 201);
      const lastEventId = await received;
      await tap.shows('the five polls', (received) => received.filter((event) => event.technique === 'poll' && event.kind === 'request-head').length === 5);

      await victim.kill();
      for (const [run, owner] of owners) {
        if (owner === victimName) {
          // Not moved to an instance that has none of its state: a network error, as without nginx.
          await assert.rejects(fetch(`${nginx.url}/api/poll/${channel}?run=${run}`), TypeError, `run ${run} waits for its instance`);
        } else {
          assert.equal(await answeredBy(run), owner, `run ${run}, on an instance still up, is served there`);
        }
      }
      // Requests without a run go round robin to the instances still up.
      for (let i = 0; i < instances.length; i++) assert.notEqual(await answeredBy(), victimName);

      // The instance comes back on its port, with the same RUN_SECRET: the run's id is accepted
      // there, and the EventSource and the tap, which kept trying, reconnect to it.
      replacement = await Instance.start(victimName, redis.url, { RUN_SECRET, SSE_RETRY_MS: '1000', PORT: String(victim.port) });
      // Connected to Redis (the victim's URL is its port, where the new process listens).
      await victim.healthy();
      const afterRestart = await fetch(`${nginx.url}/api/poll/${channel}?run=${pinned}&after=restart`);
      assert.equal(afterRestart.status, 200);
      await afterRestart.body?.cancel();
      assert.equal(await answeredBy(pinned), victimName);
      await tap.shows('the resumed SSE request', (received) => received.some((event) => event.technique === 'sse' && event.kind === 'request-head' && new RegExp(`^Last-Event-ID: ${lastEventId}\\r?$`, 'im').test(event.text ?? '')));
      await tap.shows('the poll made before the tap reconnected', (received) => received.some((event) => event.kind === 'request-head' && /&after=restart /.test(event.text ?? '')));
    } finally {
      sse.close();
      tap.close();
    }
  });
});
