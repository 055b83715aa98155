/** Behind a proxy (TRUST_PROXY), per-address limits apply to each client, not to the proxy. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createApp } from '../../server/app.ts';

async function publishFrom(url: string, forwardedFor: string): Promise<number> {
  const res = await fetch(`${url}/api/channels/chat/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
    body: JSON.stringify({ data: { text: 'hi' } }),
  });
  await res.body?.cancel();
  return res.status;
}

async function withServer(trustProxy: number, run: (url: string) => Promise<void>): Promise<void> {
  const app = createApp({ trustProxy, publishBurst: 2, publishRatePerS: 1, clockIntervalMs: 3_600_000, siteDir: 'tests/server/fixtures/site' });
  app.server.listen(0, '127.0.0.1');
  await once(app.server, 'listening');
  try {
    await run(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  } finally {
    await app.close();
    app.server.closeAllConnections();
  }
}

describe('TRUST_PROXY', () => {
  it('rate-limits each address in X-Forwarded-For on its own when TRUST_PROXY=1', async () => {
    await withServer(1, async (url) => {
      assert.deepEqual([await publishFrom(url, '203.0.113.1'), await publishFrom(url, '203.0.113.1'), await publishFrom(url, '203.0.113.1')], [201, 201, 429]);
      // Another client behind the same proxy still has its own burst.
      assert.equal(await publishFrom(url, '203.0.113.2'), 201);
      // A client cannot escape its limit by sending its own X-Forwarded-For: the proxy appends the real address.
      assert.equal(await publishFrom(url, '198.51.100.7, 203.0.113.1'), 429);
    });
  });

  it('ignores X-Forwarded-For by default, so a direct client cannot pick its address', async () => {
    await withServer(0, async (url) => {
      assert.deepEqual([await publishFrom(url, '203.0.113.1'), await publishFrom(url, '203.0.113.2'), await publishFrom(url, '203.0.113.3')], [201, 201, 429]);
    });
  });
});
