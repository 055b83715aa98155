/** The in-memory log and the Redis Streams log pass the same contract suite. */
import { after, before } from 'node:test';
import { MemoryLog } from '../../server/log/memory.ts';
import { RedisLog } from '../../server/log/redis.ts';
import { describeLogContract } from '../log-contract.ts';
import { RedisServer } from './harness.ts';

describeLogContract('in-memory', {
  async create(options) {
    return new MemoryLog(options);
  },
  byteBudget: true,
});

let redis: RedisServer;
let logs = 0;
before(async () => {
  redis = await RedisServer.start();
});
after(async () => {
  await redis?.stop();
});

describeLogContract('Redis Streams', {
  async create(options) {
    // Each test its own keys in the one Redis: no test sees another's channels.
    const log = new RedisLog({ url: redis.url, ...options, keyPrefix: `contract-${++logs}:` });
    if (!(await log.ready())) throw new Error(`the Redis log did not connect to ${redis.url}`);
    return log;
  },
});
