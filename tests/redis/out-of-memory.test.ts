/** A Redis at its maxmemory (noeviction, as deploy/redis.conf sets) refuses publishes with a 503 that says so. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { ApiError } from '../../server/errors.ts';
import { RedisLog } from '../../server/log/redis.ts';
import { RedisServer } from './harness.ts';

describe('a Redis that is out of memory', () => {
  let redis: RedisServer;
  let log: RedisLog;
  let client: ReturnType<typeof createClient>;

  before(async () => {
    redis = await RedisServer.start({ persistence: false });
    log = new RedisLog({ url: redis.url, historyLimit: 100, maxChannels: 10 });
    assert.ok(await log.ready());
    client = createClient({ url: redis.url });
    await client.connect();
  });

  after(async () => {
    client?.destroy();
    await log?.close();
    await redis?.stop();
  });

  it('refuses an append with 503 LOG_UNAVAILABLE that names maxmemory, not a 500', async () => {
    await log.append('before', 'message', { n: 1 });
    await client.sendCommand(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
    await client.sendCommand(['CONFIG', 'SET', 'maxmemory', '1']);
    try {
      await assert.rejects(log.append('full', 'message', { n: 2 }), (error: unknown) => {
        assert.ok(error instanceof ApiError, String(error));
        assert.equal(error.status, 503);
        assert.equal(error.code, 'LOG_UNAVAILABLE');
        assert.match(error.message, /maxmemory/);
        assert.ok(Number(error.headers['Retry-After']) >= 1);
        return true;
      });
    } finally {
      await client.sendCommand(['CONFIG', 'SET', 'maxmemory', '0']);
    }
    assert.equal((await log.append('full', 'message', { n: 3 })).type, 'message', 'it takes messages again once there is room');
  });
});
