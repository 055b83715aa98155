/**
 * X-Forwarded-For from a peer that is not a trusted proxy is ignored: a client that writes its
 * own cannot escape the per-address limits. Distinct clients bind to 127.0.0.2, 127.0.0.3, ...
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFromEnvironment } from '../../server/config.ts';
import { startServer, until, type TestServer } from '../server/helpers.ts';
import { assertStillServes, errorCode, handshake, openStream, request, startProcess } from './edge-helpers.ts';

function publishAs(server: TestServer, localAddress: string, forwardedFor?: string): Promise<{ status: number; body: string }> {
  return request(server.url, '/api/channels/chat/messages', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor }) },
    body: '{"data":{"text":"hi"}}',
    localAddress,
  });
}

/** Trusts only the proxy at 127.0.0.1, as TRUST_PROXY=127.0.0.1 would. */
async function behindProxyAt127001(overrides: Parameters<typeof startServer>[0], run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer({ ...configFromEnvironment({ TRUST_PROXY: '127.0.0.1' }), siteDir: 'tests/server/fixtures/site', clockIntervalMs: 3_600_000, ...overrides });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

describe('spoofed X-Forwarded-For', () => {
  it('rate-limits a client that is not the proxy by its own address, whatever X-Forwarded-For it sends', async () => {
    await behindProxyAt127001({ publishBurst: 3, publishRatePerS: 1 }, async (server) => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await publishAs(server, '127.0.0.2', `198.51.100.${i}`)).status);
      assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429]);
      const refused = await publishAs(server, '127.0.0.2', '198.51.100.99');
      assert.match(JSON.parse(refused.body).error.message, /your address 127\.0\.0\.2 /);
      await assertStillServes(server.url);
    });
  });

  it('counts the SSE streams of a client that is not the proxy against its own address', async () => {
    await behindProxyAt127001({ maxConnectionsPerAddress: 2 }, async (server) => {
      const streams = [];
      for (let i = 0; i < 2; i++) {
        const stream = await openStream(server.url, '/api/sse/chat', { headers: { 'X-Forwarded-For': `198.51.100.${i}` }, localAddress: '127.0.0.3' });
        assert.equal(stream.status, 200);
        streams.push(stream);
      }
      const third = await openStream(server.url, '/api/sse/chat', { headers: { 'X-Forwarded-For': '198.51.100.7' }, localAddress: '127.0.0.3' });
      assert.equal(third.status, 429);
      assert.equal(errorCode(third), 'TOO_MANY_CONNECTIONS');
      for (const stream of streams) stream.close();
      await assertStillServes(server.url);
    });
  });

  it('counts the WebSocket handshakes of a client that is not the proxy against its own address', async () => {
    await behindProxyAt127001({ maxConnectionsPerAddress: 2 }, async (server) => {
      const open = [];
      for (let i = 0; i < 2; i++) {
        const ws = await handshake(server.url, '/api/ws/chat', { 'X-Forwarded-For': `198.51.100.${i}` }, '127.0.0.4');
        assert.equal(ws.upgraded, true);
        open.push(ws);
      }
      const third = await handshake(server.url, '/api/ws/chat', { 'X-Forwarded-For': '198.51.100.9' }, '127.0.0.4');
      assert.equal(third.upgraded, false);
      assert.equal(third.status, 429);
      for (const ws of open) ws.close();
    });
  });

  it('believes the trusted proxy, so each client behind it has its own limit', async () => {
    await behindProxyAt127001({ publishBurst: 1, publishRatePerS: 1 }, async (server) => {
      assert.equal((await publishAs(server, '127.0.0.1', '203.0.113.1')).status, 201);
      assert.equal((await publishAs(server, '127.0.0.1', '203.0.113.1')).status, 429);
      assert.equal((await publishAs(server, '127.0.0.1', '203.0.113.2')).status, 201);
    });
  });

  it('walks back through every trusted hop and stops at the first untrusted address', async () => {
    const server = await startServer({ trustProxy: ['127.0.0.1', '10.0.0.0/8'], publishBurst: 1, publishRatePerS: 1 });
    try {
      assert.equal((await publishAs(server, '127.0.0.1', '198.51.100.9, 10.1.2.3')).status, 201);
      // The same client through another inner proxy: still the same client.
      assert.equal((await publishAs(server, '127.0.0.1', '198.51.100.9, 10.9.9.9')).status, 429);
      // A spoofed entry left of the client's real address changes nothing.
      assert.equal((await publishAs(server, '127.0.0.1', '10.0.0.1, 198.51.100.9, 10.1.2.3')).status, 429);
      assert.equal((await publishAs(server, '127.0.0.1', '198.51.100.10, 10.1.2.3')).status, 201);
    } finally {
      await server.close();
    }
  });

  it('survives garbage in X-Forwarded-For from the trusted proxy', async () => {
    await behindProxyAt127001({ publishBurst: 100, publishRatePerS: 100 }, async (server) => {
      for (const header of ['', ',,,', 'not-an-address', ' , 999.1.1.1', 'x'.repeat(4000), '::ffff:127.0.0.1, ::1']) {
        const res = await publishAs(server, '127.0.0.1', header);
        assert.equal(res.status, 201, `X-Forwarded-For ${JSON.stringify(header.slice(0, 40))}: ${res.body}`);
      }
      await assertStillServes(server.url);
    });
  });

  it('warns at start which addresses it trusts when TRUST_PROXY is set, and not otherwise', async () => {
    const trusting = await startProcess({ TRUST_PROXY: 'loopback' });
    try {
      await until(() => /TRUST_PROXY=loopback, so requests from these addresses are taken to come through a proxy/.test(trusting.stderr()), 'the warning');
    } finally {
      await trusting.stop();
    }
    const plain = await startProcess();
    try {
      assert.doesNotMatch(plain.stderr() + plain.stdout(), /TRUST_PROXY/);
    } finally {
      await plain.stop();
    }
  });
});
