/**
 * What the Redis log asks of Redis, and when. Counted by Redis itself (INFO commandstats,
 * which counts the commands a script runs too): a burst of subscribes cuts the read loop's
 * XREAD short with a few CLIENT UNBLOCKs, not a retry chain each; reads leave the channel set
 * alone; appends count it only when they create a channel. And a health that says ok has
 * heard the deployment check's answer, warnings included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { RedisLog } from '../../server/log/redis.ts';
import type { StoredMessage } from '../../server/log/types.ts';
import { until } from '../server/helpers.ts';
import { RedisServer } from './harness.ts';

type Client = ReturnType<typeof createClient>;

/** How many times Redis has run each of `commands` (as commandstats names them: `zcard`, `client|unblock`). */
async function calls(client: Client, ...commands: string[]): Promise<Record<string, number>> {
  const info = String(await client.sendCommand(['INFO', 'commandstats']));
  const counts: Record<string, number> = {};
  for (const command of commands) {
    const line = info.split(/\r?\n/).find((row) => row.startsWith(`cmdstat_${command}:`));
    counts[command] = Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
  }
  return counts;
}

/** How many connections are blocked in an XREAD now. */
async function blockedInXread(client: Client): Promise<number> {
  const list = String(await client.sendCommand(['CLIENT', 'LIST']));
  return list.split('\n').filter((row) => / cmd=xread /.test(row) && / flags=\S*b/.test(row)).length;
}

describe('the Redis log\'s commands', () => {
  let redis: RedisServer;
  let client: Client;
  let logs = 0;
  const open: RedisLog[] = [];

  /** A log on its own keys; closed after the suite. */
  async function createLog(options: { maxChannels?: number; channelIdleMs?: number; keyPrefix?: string } = {}): Promise<RedisLog> {
    const log = new RedisLog({ url: redis.url, historyLimit: 100, maxChannels: options.maxChannels ?? 1000, keyPrefix: options.keyPrefix ?? `commands-${++logs}:`, ...(options.channelIdleMs ? { channelIdleMs: options.channelIdleMs } : {}) });
    open.push(log);
    if (!(await log.ready())) throw new Error(`the Redis log did not connect to ${redis.url}`);
    return log;
  }

  before(async () => {
    redis = await RedisServer.start({ persistence: false });
    client = createClient({ url: redis.url });
    await client.connect();
  });

  after(async () => {
    await Promise.all(open.map((log) => log.close()));
    client?.destroy();
    await redis?.stop();
  });

  it('cuts the blocked XREAD short with a few CLIENT UNBLOCKs, not a chain of them per subscribe, when 200 channels are subscribed at once', async () => {
    const log = await createLog();
    const stops = [log.subscribe('first', () => {})];
    await until(async () => (await blockedInXread(client)) === 1, 'the read loop to block in XREAD', 5000, 10);
    const before = await calls(client, 'client|unblock');
    const last: StoredMessage[] = [];
    for (let n = 0; n < 200; n++) stops.push(log.subscribe(`burst-${n}`, n === 199 ? (message) => last.push(message) : () => {}));
    // The last channel's message arrives through the loop once its XREAD watches all 200.
    await until(async () => {
      if (last.length === 0) await log.append('burst-199', 'message', { n: 199 });
      return last.length > 0;
    }, 'the loop to watch the last channel subscribed', 5000, 50);
    await until(async () => (await blockedInXread(client)) === 1, 'the read loop to block in XREAD again', 5000, 10);
    const unblocks = (await calls(client, 'client|unblock'))['client|unblock'] as number - (before['client|unblock'] as number);
    assert.ok(unblocks >= 1, 'the XREAD blocked on `first` was cut short');
    assert.ok(unblocks <= 10, `200 subscribes sent ${unblocks} CLIENT UNBLOCKs`);
    for (const stop of stops) stop();
  });

  it('reads a channel without counting the channel set', async () => {
    const log = await createLog();
    const first = await log.append('read-only', 'message', { n: 1 });
    const counting = ['zcount', 'zcard', 'zremrangebyscore'];
    const before = await calls(client, ...counting);
    for (let n = 0; n < 20; n++) {
      assert.equal((await log.readLatest('read-only', 5)).messages.length, 1);
      assert.equal((await log.readAfter('read-only', first.id, 5)).messages.length, 0);
      await log.readLatest(`never-${n}`, 5);
    }
    assert.deepEqual(await calls(client, ...counting), before, '60 reads counted nothing');
  });

  it('counts the channel set on an append only when the append creates a channel', async () => {
    const log = await createLog({ maxChannels: 2 });
    await log.append('counted', 'message', { n: 0 });
    const counting = ['zcount', 'zcard', 'zremrangebyscore'];
    const before = await calls(client, ...counting);
    for (let n = 1; n <= 20; n++) await log.append('counted', 'message', { n });
    assert.deepEqual(await calls(client, ...counting), before, '20 appends to an existing channel counted nothing');
    await log.append('second', 'message', {});
    const after = await calls(client, ...counting);
    assert.equal((after.zcard as number) - (before.zcard as number), 1, 'a new channel is counted once');
    assert.equal(log.channelCount(), 2);
  });

  it('reports in channelCount the channels another instance created, once they count', async () => {
    const keyPrefix = `shared-${Date.now().toString(36)}:`;
    const [a, b] = [await createLog({ keyPrefix, channelIdleMs: 500 }), await createLog({ keyPrefix, channelIdleMs: 500 })];
    await a.append('made-by-a-1', 'message', {});
    await a.append('made-by-a-2', 'message', {});
    assert.equal(a.channelCount(), 2);
    await until(() => b.channelCount() === 2, 'B to count the channels A created', 5000, 10);
    await until(() => b.channelCount() === 0, 'B to see them expire', 5000, 25);
  });

  it('says that Redis runs without persistence in its very first healthy answer', async () => {
    const log = new RedisLog({ url: redis.url, historyLimit: 100, maxChannels: 10, keyPrefix: 'health:' });
    open.push(log);
    // Asked on every turn of the event loop from the start: the first ok comes right after the connection does.
    let health: Awaited<ReturnType<RedisLog['health']>> = { ok: false };
    await until(async () => (health = await log.health()).ok, 'the log to say it is healthy');
    assert.match(health.warnings?.join(' ') ?? '', /appendonly yes/);
  });
});
