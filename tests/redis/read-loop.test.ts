/**
 * The read loop reads the streams of channels this instance serves, not every name anyone
 * polls: a poll of a channel that does not exist reads Redis and leaves nothing behind, and is
 * still never answered 304 from a head this instance does not keep.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { Instance, publishTo, RedisServer } from './harness.ts';

/** How many XREADs Redis has run so far (INFO commandstats). */
async function xreadCalls(redis: ReturnType<typeof createClient>): Promise<number> {
  const info = String(await redis.sendCommand(['INFO', 'commandstats']));
  return Number(/^cmdstat_xread:calls=(\d+)/m.exec(info)?.[1] ?? 0);
}

describe('polls of channels that do not exist, with Redis', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;
  let client: ReturnType<typeof createClient>;

  before(async () => {
    redis = await RedisServer.start({ persistence: false });
    // A slow clock: the read loop then blocks in one XREAD for BLOCK_MS, unless something cuts it short.
    const env = { CLOCK_INTERVAL_MS: '3600000' };
    [a, b] = await Promise.all([Instance.start('instance-a', redis.url, env), Instance.start('instance-b', redis.url, env)]);
    await Promise.all([a.healthy(), b.healthy()]);
    client = createClient({ url: redis.url });
    await client.connect();
  });

  after(async () => {
    client?.destroy();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('does not restart the read loop\'s XREAD for each new name polled', async () => {
    const before = await xreadCalls(client);
    for (let n = 0; n < 100; n++) {
      const res = await fetch(`${b.url}/api/poll/unknown-${n}-${Date.now().toString(36)}`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    const added = (await xreadCalls(client)) - before;
    // At most WATCH_EMPTY_MAX (16) names join the loop, each restarting it once; besides, only the loop's own 5 s rounds add XREADs.
    assert.ok(added <= 16 + 4, `100 polls of new names added ${added} XREADs`);
  });

  it('answers a repeated poll of a channel that did not exist with what another instance published since, not 304, past the channels it watches', async () => {
    const channel = `born-elsewhere-${Date.now().toString(36)}`;
    const first = await fetch(`${b.url}/api/poll/${channel}`);
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag') ?? '';
    assert.deepEqual(((await first.json()) as { messages: unknown[] }).messages, []);
    assert.equal((await publishTo(a.url, channel, { from: 'a' })).status, 201);
    const after = await fetch(`${b.url}/api/poll/${channel}`, { headers: { 'If-None-Match': etag } });
    assert.equal(after.status, 200);
    assert.deepEqual(((await after.json()) as { messages: { data: unknown }[] }).messages.map((m) => m.data), [{ from: 'a' }]);
  });
});
