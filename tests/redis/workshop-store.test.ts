/**
 * The workshop's state in Redis (REDIS_URL set): one key, saved after each change and at stop,
 * loaded at the next start; a key that is not a saved state is renamed aside. Real redis-server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { STATE_REDIS_KEY } from '../../server/workshop/store.ts';
import { startServer, until } from '../server/helpers.ts';
import { RedisServer } from './harness.ts';

const TOKEN = 'redis-store-token-0123456789abcdef';
const ID = 'redis-store-attendee-0001';

describe('the workshop state in Redis', () => {
  let redis: RedisServer;
  let client: ReturnType<typeof createClient>;
  before(async () => {
    redis = await RedisServer.start({ persistence: false });
    client = createClient({ url: redis.url });
    await client.connect();
  });
  after(async () => {
    client.destroy();
    await redis.stop();
  });

  async function startOn() {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, redisUrl: redis.url, workshopSaveMs: 5 });
    const store = server.app.workshopStore;
    assert.ok(store);
    const part = { value: null as unknown, snapshot: () => part.value, restore: (value: unknown) => void (part.value = value) };
    store.workshop.keep('grid', part);
    return { server, store, part, report: await store.load() };
  }

  it('keeps attendees and kept parts in one key across a stop and a start', async () => {
    const first = await startOn();
    assert.match(first.report.where, new RegExp(`the Redis key ${STATE_REDIS_KEY} at 127\\.0\\.0\\.1:${redis.port}`));
    await fetch(`${first.server.url}/api/workshop/attendees/${ID}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"name":"Grace"}' });
    first.part.value = { cells: 3 };
    first.store.workshop.changed();
    await until(async () => JSON.parse((await client.get(STATE_REDIS_KEY)) ?? 'null')?.parts?.grid?.cells === 3, 'the key holds the part', 5000, 20);
    await first.server.close();

    const second = await startOn();
    try {
      assert.equal(second.report.problem, undefined);
      assert.equal(second.report.attendees, 1);
      assert.deepEqual(second.part.value, { cells: 3 });
    } finally {
      await second.server.close();
    }
  });

  it('renames a key that is not a saved state aside, says so, and starts empty', async () => {
    await client.set(STATE_REDIS_KEY, 'not json');
    const { server, report } = await startOn();
    try {
      assert.match(report.problem ?? '', /is not a saved workshop state \(it is not JSON.*\); it was set aside as the Redis key realtime-lab:workshop:state:bad-\d+/);
      const aside = await client.keys(`${STATE_REDIS_KEY}:bad-*`);
      assert.equal(aside.length, 1);
      assert.equal(await client.get(aside[0] as string), 'not json');
      assert.equal(report.attendees, 0);
    } finally {
      await server.close();
    }
  });
});
