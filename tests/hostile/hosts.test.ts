/**
 * Host names, against DNS rebinding: a page on evil.example whose name is made to resolve to
 * the workshop laptop is same-origin with it in the browser, but its requests say
 * `Host: evil.example`. The server answers only to its own names.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config.ts';
import { configFromEnvironment } from '../../server/config.ts';
import { publish, startServer, type TestServer } from '../server/helpers.ts';
import { assertStillServes, errorCode, handshake, request } from './edge-helpers.ts';

/** A non-loopback IPv4 address of this machine, if it has one. */
function lanAddress(): string | undefined {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

describe('hostile hosts (DNS rebinding)', () => {
  let server: TestServer;
  let port: string;
  before(async () => {
    server = await startServer();
    port = new URL(server.url).port;
  });
  after(() => server.close());

  it('answers a poll with Host evil.example with 421, a sentence naming the host and ALLOWED_HOSTS, and no messages', async () => {
    await publish(server, 'secrets', { text: 'the workshop answer key' });
    const res = await request(server.url, '/api/poll/secrets', { headers: { Host: `evil.example:${port}` } });
    assert.equal(res.status, 421);
    assert.equal(errorCode(res), 'HOST_NOT_ALLOWED');
    assert.match(JSON.parse(res.body).error.message, new RegExp(`host "evil\\.example:${port}".*ALLOWED_HOSTS=evil\\.example`));
    assert.doesNotMatch(res.body, /answer key/);
    await assertStillServes(server.url);
  });

  it('refuses a publish with Host evil.example with 421 and stores nothing', async () => {
    const before = server.app.log.headId('rebound');
    const res = await request(server.url, '/api/channels/rebound/messages', {
      method: 'POST',
      headers: { Host: `evil.example:${port}`, 'Content-Type': 'application/json' },
      body: '{"data":"planted"}',
    });
    assert.equal(res.status, 421);
    assert.equal(server.app.log.headId('rebound'), before);
    await assertStillServes(server.url);
  });

  it('refuses a WebSocket handshake with Host evil.example: 421, no 101, nothing counted', async () => {
    const res = await handshake(server.url, '/api/ws/chat', { Host: `evil.example:${port}` });
    assert.equal(res.upgraded, false);
    assert.equal(res.status, 421);
    assert.equal(errorCode(res), 'HOST_NOT_ALLOWED');
    const echo = await handshake(server.url, '/api/echo', { Host: 'rebind.attacker.test' });
    assert.equal(echo.status, 421);
    assert.equal(JSON.parse((await request(server.url, '/api/stats')).body).open.total, 0);
    await assertStillServes(server.url);
  });

  it('opens no SSE stream and holds no long poll for Host evil.example', async () => {
    const sse = await request(server.url, '/api/sse/chat', { headers: { Host: 'evil.example' } });
    assert.equal(sse.status, 421);
    assert.notEqual(sse.headers['content-type'], 'text/event-stream; charset=utf-8');
    const longPoll = await request(server.url, '/api/long-poll/chat?timeout=30', { headers: { Host: 'evil.example' } });
    assert.equal(longPoll.status, 421);
    assert.equal(server.app.stats.open.sse, 0);
    assert.equal(server.app.stats.open.longPoll, 0);
    await assertStillServes(server.url);
  });

  it('refuses the site pages too, not only the API', async () => {
    const res = await request(server.url, '/', { headers: { Host: 'evil.example' } });
    assert.equal(res.status, 421);
    assert.equal(errorCode(res), 'HOST_NOT_ALLOWED');
    const ok = await request(server.url, '/', { headers: { Host: `localhost:${port}` } });
    assert.equal(ok.status, 200);
  });

  it('answers every loopback name: localhost, *.localhost, 127.0.0.0/8 and [::1], with or without a port', async () => {
    for (const host of ['localhost', `localhost:${port}`, 'LOCALHOST', 'localhost.', `lab.localhost:${port}`, `127.0.0.1:${port}`, '127.8.9.10', `[::1]:${port}`, '[::1]']) {
      const res = await request(server.url, '/api/poll/chat', { headers: { Host: host } });
      assert.equal(res.status, 200, `Host ${host}: ${res.body}`);
    }
  });

  it('refuses names that only look like loopback', async () => {
    for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', 'evil-localhost', '127.0.0.256', '128.0.0.1', '[::2]', 'localhost:80:80', 'localhost:port', '[::1', 'evil.example@localhost']) {
      const res = await request(server.url, '/api/poll/chat', { headers: { Host: host } });
      assert.equal(res.status, 421, `Host ${host}`);
    }
    await assertStillServes(server.url);
  });

  it('refuses 300 different made-up hosts and still answers its own', async () => {
    for (let i = 0; i < 300; i++) {
      const res = await request(server.url, '/api/poll/chat', { headers: { Host: `rebind-${i}.attacker.test` } });
      assert.equal(res.status, 421);
    }
    await assertStillServes(server.url);
  });

  it('does not answer to its network address when bound to loopback only', async (t) => {
    const lan = lanAddress();
    if (lan === undefined) return t.skip('this machine has no network address');
    const res = await request(server.url, '/api/poll/chat', { headers: { Host: `${lan}:${port}` } });
    assert.equal(res.status, 421);
  });
});

describe('DNS rebinding in a real browser', () => {
  it('a page on evil.example, rebound to this machine, reads nothing and opens no WebSocket', async () => {
    const server = await startServer();
    // Chromium resolves evil.example to loopback, as a rebinding DNS server would make it.
    // Its Local Network Access checks are switched off: other browsers have none, and with them
    // on, the page's requests would fail in the browser before the server could show its own defence.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP evil.example 127.0.0.1', '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults'] });
    try {
      await publish(server, 'secrets', { text: 'the workshop answer key' });
      const port = new URL(server.url).port;
      const page = await browser.newPage();
      // The attacker's page, as first loaded from the attacker's server before the name was rebound.
      await page.route(`http://evil.example:${port}/`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>innocent</title>' }));
      await page.goto(`http://evil.example:${port}/`);
      const stolen = await page.evaluate(async () => {
        const poll = await fetch('/api/poll/secrets');
        const publishing = await fetch('/api/channels/secrets/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"data":"planted"}' });
        const socket = await new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/api/ws/secrets`);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        });
        return { poll: poll.status, body: await poll.text(), publish: publishing.status, socket };
      });
      assert.equal(stolen.poll, 421);
      assert.doesNotMatch(stolen.body, /answer key/);
      assert.equal(stolen.publish, 421);
      assert.equal(stolen.socket, 'refused');
      await assertStillServes(server.url);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('hosts the server is told to answer to', () => {
  it('answers the names in ALLOWED_HOSTS, and a leading dot covers a domain and its subdomains', async () => {
    const server = await startServer({ allowedHosts: ['lab.test', '.example.org'] });
    try {
      for (const host of ['lab.test', 'LAB.test:8080', 'example.org', 'room-1.example.org']) {
        assert.equal((await request(server.url, '/api/poll/chat', { headers: { Host: host } })).status, 200, host);
      }
      for (const host of ['sub.lab.test', 'notexample.org', 'example.org.evil.example']) {
        assert.equal((await request(server.url, '/api/poll/chat', { headers: { Host: host } })).status, 421, host);
      }
      const ws = await handshake(server.url, '/api/ws/chat', { Host: 'lab.test' });
      assert.equal(ws.upgraded, true);
      ws.close();
    } finally {
      await server.close();
    }
  });

  it('answers its configured HOST name', async () => {
    const server = await startServer({ host: 'workshop.lan' });
    try {
      assert.equal((await request(server.url, '/api/poll/chat', { headers: { Host: 'workshop.lan:3000' } })).status, 200);
      assert.equal((await request(server.url, '/api/poll/chat', { headers: { Host: 'other.lan' } })).status, 421);
    } finally {
      await server.close();
    }
  });

  it('bound to 0.0.0.0, answers the network addresses it prints for attendees', async (t) => {
    const lan = lanAddress();
    if (lan === undefined) return t.skip('this machine has no network address');
    const server = await startServer({ host: '0.0.0.0' });
    try {
      assert.equal((await request(server.url, '/api/poll/chat', { headers: { Host: `${lan}:3000` } })).status, 200);
      assert.equal((await request(server.url, '/api/poll/chat', { headers: { Host: '203.0.113.50' } })).status, 421);
    } finally {
      await server.close();
    }
  });

  it('with ALLOWED_HOSTS=*, answers any name', async () => {
    const server = await startServer({ allowedHosts: ['*'] });
    try {
      assert.equal((await request(server.url, '/api/poll/chat', { headers: { Host: 'anything.example' } })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('refuses ALLOWED_HOSTS entries with a scheme, port or path, with a sentence that says what to write', () => {
    assert.deepEqual(configFromEnvironment({ ALLOWED_HOSTS: 'Lab.Test, .example.org' }).allowedHosts, ['lab.test', '.example.org']);
    for (const bad of ['http://lab.test', 'lab.test:3000', 'lab.test/path']) {
      assert.throws(() => configFromEnvironment({ ALLOWED_HOSTS: bad }), /ALLOWED_HOSTS entries must be host names or addresses/);
    }
  });
});
