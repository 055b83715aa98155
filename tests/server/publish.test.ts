import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newRun, publish, startServer, type TestServer } from './helpers.ts';

function post(server: TestServer, channel: string, body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
  return fetch(`${server.url}/api/channels/${channel}/messages`, { method: 'POST', headers, body });
}

describe('POST /api/channels/:channel/messages', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishRatePerS: 1000, publishBurst: 1000, maxChannels: 5 });
  });
  after(() => server.close());

  it('answers 201 with the envelope, and the type defaults to "message"', async () => {
    const res = await post(server, 'chat', JSON.stringify({ data: { text: 'hi' } }));
    assert.equal(res.status, 201);
    const { message } = await res.json();
    assert.equal(message.channel, 'chat');
    assert.equal(message.type, 'message');
    assert.deepEqual(message.data, { text: 'hi' });
    assert.equal(typeof message.id, 'string');
    assert.ok(!Number.isNaN(Date.parse(message.time)));
  });

  it('keeps the type it is given and accepts any JSON value as data', async () => {
    for (const data of [null, 0, 'text', [1, 2], { nested: { a: true } }]) {
      const message = await publish(server, 'chat', data, 'note');
      assert.equal(message.type, 'note');
      assert.deepEqual(message.data, data);
    }
  });

  it('gives ids that increase in the channel order', async () => {
    const a = await publish(server, 'order', 1);
    const b = await publish(server, 'order', 2);
    const page = await (await fetch(`${server.url}/api/poll/order?since=${a.id}`)).json();
    assert.deepEqual(page.messages.map((m: { id: string }) => m.id), [b.id]);
  });

  it('refuses publishing to the read-only clock channel with 403', async () => {
    const res = await post(server, 'clock', JSON.stringify({ data: 1 }));
    assert.equal(res.status, 403);
    const { error } = await res.json();
    assert.equal(error.code, 'CHANNEL_READ_ONLY');
    assert.match(error.message, /clock/);
  });

  it('refuses broken JSON with 400 and says what was wrong', async () => {
    const res = await post(server, 'chat', '{"data": ');
    assert.equal(res.status, 400);
    const { error } = await res.json();
    assert.equal(error.code, 'INVALID_JSON');
  });

  it('refuses a body that is not an object, or has no data', async () => {
    const notObject = await post(server, 'chat', '[1,2]');
    assert.equal(notObject.status, 400);
    assert.equal((await notObject.json()).error.code, 'INVALID_BODY');
    const noData = await post(server, 'chat', '{"type":"x"}');
    assert.equal(noData.status, 400);
    assert.equal((await noData.json()).error.code, 'MISSING_DATA');
  });

  it('refuses a wrong content type with 415, naming the one received', async () => {
    const res = await post(server, 'chat', '{"data":1}', { 'Content-Type': 'text/plain' });
    assert.equal(res.status, 415);
    const { error } = await res.json();
    assert.equal(error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(error.message, /text\/plain/);
  });

  it('refuses a body over MAX_MESSAGE_BYTES with 413, whether or not it declares its length', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(17 * 1024) });
    const declared = await post(server, 'chat', big);
    assert.equal(declared.status, 413);
    assert.equal((await declared.json()).error.code, 'BODY_TOO_LARGE');
    const chunked = await fetch(`${server.url}/api/channels/chat/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
  });

  it('refuses bad channel names and bad or reserved types with 400', async () => {
    const badChannel = await post(server, 'Not-Lower', '{"data":1}');
    assert.equal(badChannel.status, 400);
    const { error } = await badChannel.json();
    assert.equal(error.code, 'INVALID_CHANNEL');
    assert.match(error.message, /Not-Lower/);
    assert.equal((await post(server, 'chat', '{"type":"two words","data":1}')).status, 400);
    const reserved = await post(server, 'chat', '{"type":"error","data":1}');
    assert.equal(reserved.status, 400);
    assert.match((await reserved.json()).error.message, /reserved/);
  });

  it('answers a sandboxed frame (Origin null) that carries a live run with CORS headers, preflight included, and refuses one without', async () => {
    const refused = await post(server, 'chat', '{"data":1}', { 'Content-Type': 'application/json', Origin: 'null' });
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).error.code, 'ORIGIN_NOT_ALLOWED');
    const run = await newRun(server);
    const preflight = await fetch(`${server.url}/api/channels/chat/messages?run=${run}`, {
      method: 'OPTIONS',
      headers: { Origin: 'null', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'null');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Content-Type/i);
    const res = await fetch(`${server.url}/api/channels/chat/messages?run=${run}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'null' }, body: '{"data":1}' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('access-control-allow-origin'), 'null');
  });

  it('refuses publishing from an origin that is not allowed', async () => {
    const res = await post(server, 'chat', '{"data":1}', { 'Content-Type': 'application/json', Origin: 'https://evil.example' });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, 'ORIGIN_NOT_ALLOWED');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  it('refuses a new channel past MAX_CHANNELS with 507 and keeps serving the existing ones', async () => {
    let res: Response | undefined;
    for (let i = 0; i < 10; i++) {
      res = await post(server, `many-${i}`, '{"data":1}');
      if (res.status !== 201) break;
    }
    assert.equal(res?.status, 507);
    assert.equal((await res?.json()).error.code, 'TOO_MANY_CHANNELS');
    assert.equal((await post(server, 'chat', '{"data":"still works"}')).status, 201);
  });
});

describe('publish rate limit (PUBLISH_RATE_PER_S, PUBLISH_BURST)', () => {
  it('answers 429 with Retry-After once an address has used its burst', async () => {
    const server = await startServer({ publishRatePerS: 1, publishBurst: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await post(server, 'chat', '{"data":1}')).status);
      assert.deepEqual(statuses, [201, 201, 201, 429]);
      const res = await post(server, 'chat', '{"data":1}');
      assert.equal(res.status, 429);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      const { error } = await res.json();
      assert.equal(error.code, 'RATE_LIMITED');
      assert.match(error.message, /PUBLISH_RATE_PER_S/);
    } finally {
      await server.close();
    }
  });
});
