/** Behind a proxy (TRUST_PROXY), per-address limits apply to each client, not to the proxy. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFromEnvironment } from '../../server/config.ts';
import { startServer, type TestServer } from './helpers.ts';

async function publishFrom(server: TestServer, forwardedFor: string): Promise<number> {
  const res = await fetch(`${server.url}/api/channels/chat/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
    body: JSON.stringify({ data: { text: 'hi' } }),
  });
  await res.body?.cancel();
  return res.status;
}

async function withServer(trustProxy: string[], run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer({ trustProxy, publishBurst: 2, publishRatePerS: 1 });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

describe('TRUST_PROXY', () => {
  it('rate-limits each address in X-Forwarded-For on its own when the proxy on loopback is trusted', async () => {
    await withServer(['loopback'], async (server) => {
      assert.deepEqual([await publishFrom(server, '203.0.113.1'), await publishFrom(server, '203.0.113.1'), await publishFrom(server, '203.0.113.1')], [201, 201, 429]);
      // Another client behind the same proxy still has its own burst.
      assert.equal(await publishFrom(server, '203.0.113.2'), 201);
      // A client cannot escape its limit by sending its own X-Forwarded-For: the proxy appends the real address.
      assert.equal(await publishFrom(server, '198.51.100.7, 203.0.113.1'), 429);
    });
  });

  it('ignores X-Forwarded-For by default, so a direct client cannot pick its address', async () => {
    await withServer([], async (server) => {
      assert.deepEqual([await publishFrom(server, '203.0.113.1'), await publishFrom(server, '203.0.113.2'), await publishFrom(server, '203.0.113.3')], [201, 201, 429]);
    });
  });

  it('reads loopback, lists of addresses and ranges, and off; 1 means loopback', () => {
    assert.deepEqual(configFromEnvironment({ TRUST_PROXY: 'loopback' }).trustProxy, ['loopback']);
    assert.deepEqual(configFromEnvironment({ TRUST_PROXY: '1' }).trustProxy, ['loopback']);
    assert.deepEqual(configFromEnvironment({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,uniquelocal' }).trustProxy, ['10.0.0.5', '10.1.0.0/16', 'uniquelocal']);
    for (const off of ['', '0', 'off', 'false']) assert.deepEqual(configFromEnvironment({ TRUST_PROXY: off }).trustProxy, []);
  });

  it('refuses a hop count or an address it cannot read, with a sentence that says what to write', () => {
    assert.throws(() => configFromEnvironment({ TRUST_PROXY: '2' }), /TRUST_PROXY names the proxies to believe, not how many there are; received "2"\. For nginx on this machine use TRUST_PROXY=loopback/);
    assert.throws(() => configFromEnvironment({ TRUST_PROXY: 'nginx.internal' }), /TRUST_PROXY must be "loopback", "linklocal", "uniquelocal" or addresses and ranges.*invalid IP address: nginx\.internal/);
    assert.throws(() => configFromEnvironment({ TRUST_PROXY: '10.0.0.0/99' }), /invalid range on address: 10\.0\.0\.0\/99/);
  });
});
