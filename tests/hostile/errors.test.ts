/**
 * A client's bad input is a 4xx in the API's error shape, with no stack in the log; real 500s
 * are logged, at most LOGGED_ERRORS_PER_MIN a minute. Every API answer says nosniff, and none
 * shows where Redis is.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MemoryLog } from '../../server/log/memory.ts';
import { RedisLog } from '../../server/log/redis.ts';
import type { ChannelLog } from '../../server/log/types.ts';
import { publish, startServer, type TestServer } from '../server/helpers.ts';
import { assertStillServes, errorCode, handshake, head, request, startProcess, type ServerProcess } from './edge-helpers.ts';

function post(base: string, path: string, body: string | Buffer, contentType: string | undefined): ReturnType<typeof request> {
  return request(base, path, { method: 'POST', headers: contentType === undefined ? {} : { 'Content-Type': contentType }, body });
}

/** A stack trace line, as console.error prints an Error. */
const STACK_LINE = /^\s+at /m;

describe('bad input to the server as npm start runs it', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startProcess();
  });
  after(() => server.stop());

  it('answers a malformed %-escape in the publish path with 400 INVALID_PATH, and logs no stack', async () => {
    const logged = server.stderr().length;
    const res = await post(server.url, '/api/channels/%E0%A4%A/messages', '{"data":1}', 'application/json');
    assert.equal(res.status, 400, res.body);
    assert.equal(errorCode(res), 'INVALID_PATH');
    assert.match(JSON.parse(res.body).error.message, /malformed %-escape/);
    assert.doesNotMatch(server.stderr().slice(logged), STACK_LINE);
    await assertStillServes(server.url);
  });

  it('answers malformed escapes on every route with a 4xx, and logs nothing', async () => {
    const logged = server.stderr().length;
    for (const path of ['/api/poll/%E0%A4%A', '/api/long-poll/%ZZ', '/api/sse/%', '/api/%E0%A4%A', '/api/channels/%C0%80/messages', '/%E0%A4%A']) {
      const res = await request(server.url, path);
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status} ${res.body}`);
    }
    const ws = await handshake(server.url, '/api/ws/%E0%A4%A');
    assert.equal(ws.upgraded, false);
    assert.equal(ws.status, 400);
    assert.equal(server.stderr().slice(logged), '');
  });

  it('answers broken and hostile JSON bodies with 400 and logs nothing', async () => {
    const logged = server.stderr().length;
    for (const body of ['{"data":', '', 'null', '[1,2]', '"just a string"', '{"data":1}garbage', '\u0000']) {
      const res = await post(server.url, '/api/channels/chat/messages', body, 'application/json');
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.body}`);
    }
    assert.equal(server.stderr().slice(logged), '');
    await assertStillServes(server.url);
  });
});

describe('bodies, charsets, names and ids', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishBurst: 1000, publishRatePerS: 1000 });
  });
  after(() => server.close());

  it('refuses a charset=utf-7 body with 415 and stores nothing', async () => {
    const before = server.app.log.headId('charsets');
    // "+ADw-script+AD4-" is UTF-7 for "<script>".
    const res = await post(server.url, '/api/channels/charsets/messages', '{"data":"+ADw-script+AD4-"}', 'application/json; charset=utf-7');
    assert.equal(res.status, 415);
    assert.equal(errorCode(res), 'UNSUPPORTED_CHARSET');
    assert.match(JSON.parse(res.body).error.message, /charset is "utf-7"; JSON must be UTF-8/);
    assert.equal(server.app.log.headId('charsets'), before);
  });

  it('refuses every charset but UTF-8 with 415, UTF-16 and Latin-1 included', async () => {
    for (const [charset, body] of [['utf-16le', Buffer.from('{"data":1}', 'utf16le')], ['UTF-16', Buffer.from('{"data":1}', 'utf16le')], ['iso-8859-1', '{"data":"caf\u00e9"}'], ['utf-32', '{"data":1}'], ['', '{"data":1}']] as const) {
      const res = await post(server.url, '/api/channels/charsets/messages', body, `application/json; charset=${charset}`);
      assert.equal(res.status, 415, `charset=${charset}: ${res.body}`);
    }
  });

  it('finds the charset parameter itself, not a charset=utf-8 inside another quoted parameter', async () => {
    const before = server.app.log.headId('charsets');
    // "+AGEAYgBj-" is UTF-7 for "abc".
    const res = await post(server.url, '/api/channels/charsets/messages', '{"data":"+AGEAYgBj-"}', 'application/json; foo="a;charset=utf-8"; charset=utf-7');
    assert.equal(res.status, 415, res.body);
    assert.equal(errorCode(res), 'UNSUPPORTED_CHARSET');
    assert.match(JSON.parse(res.body).error.message, /charset is "utf-7"/);
    assert.equal(server.app.log.headId('charsets'), before);
  });

  it('refuses a body that is not valid UTF-8 with 400, and stores nothing', async () => {
    const before = server.app.log.headId('charsets');
    for (const body of [Buffer.from([0x7b, 0x22, 0x64, 0x61, 0x74, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), Buffer.from('{"data":"caf\u00e9"}', 'latin1')]) {
      const res = await post(server.url, '/api/channels/charsets/messages', body, 'application/json');
      assert.equal(res.status, 400, res.body);
      assert.equal(errorCode(res), 'INVALID_BODY');
      assert.match(JSON.parse(res.body).error.message, /not valid UTF-8/);
    }
    assert.equal(server.app.log.headId('charsets'), before);
  });

  it('accepts UTF-8 however it is written: absent, upper case, quoted', async () => {
    for (const contentType of ['application/json', 'application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'Application/JSON; Charset=utf-8']) {
      const res = await post(server.url, '/api/channels/charsets/messages', '{"data":"caf\u00e9"}', contentType);
      assert.equal(res.status, 201, `${contentType}: ${res.body}`);
      assert.equal(JSON.parse(res.body).message.data, 'caf\u00e9');
    }
  });

  it('refuses a body without a JSON Content-Type with 415', async () => {
    for (const contentType of [undefined, 'text/plain', 'application/jsonp', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await post(server.url, '/api/channels/chat/messages', '{"data":1}', contentType);
      assert.equal(res.status, 415, `${contentType}: ${res.body}`);
    }
  });

  it('stores a __proto__ key as data, and pollutes no prototype', async () => {
    const res = await post(server.url, '/api/channels/chat/messages', '{"data":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}', 'application/json');
    assert.equal(res.status, 201);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    const page = JSON.parse((await request(server.url, '/api/poll/chat?limit=1')).body);
    assert.equal(Object.getPrototypeOf(page.messages[0].data), Object.prototype);
  });

  it('refuses channel names that are too long, not ASCII, or path tricks, with 400', async () => {
    for (const name of ['a'.repeat(65), 'caf%C3%A9', '..', '%2e%2e', 'UPPER', '-dash', 'a%00b', 'a%2Fb', '%F0%9F%92%A9']) {
      const res = await request(server.url, `/api/poll/${name}`);
      assert.equal(res.status, 400, `${name}: ${res.body}`);
      assert.equal(errorCode(res), 'INVALID_CHANNEL');
    }
    const ws = await handshake(server.url, `/api/ws/${'a'.repeat(65)}`);
    assert.equal(ws.status, 400);
  });

  it('refuses ids that were never handed out, with 400 INVALID_ID', async () => {
    for (const since of ['abc', '-1', '1e9', '%00', '1-0-0', '9'.repeat(40), "'; DROP TABLE x"]) {
      const res = await request(server.url, `/api/poll/chat?since=${encodeURIComponent(since)}`);
      assert.equal(res.status, 400, `since=${since}: ${res.body}`);
      assert.equal(errorCode(res), 'INVALID_ID');
    }
    const sse = await request(server.url, '/api/sse/chat', { headers: { 'Last-Event-ID': 'not-an-id' } });
    assert.equal(sse.status, 400);
  });

  it('refuses out-of-range limits and timeouts with 400', async () => {
    for (const query of ['limit=0', 'limit=-1', 'limit=100000', 'limit=1.5', 'limit=0x10', 'limit=%201']) {
      assert.equal((await request(server.url, `/api/poll/chat?${query}`)).status, 400, query);
    }
    for (const query of ['timeout=0', 'timeout=99999', 'timeout=NaN']) {
      assert.equal((await request(server.url, `/api/long-poll/chat?${query}`)).status, 400, query);
    }
    await assertStillServes(server.url);
  });
});

describe('hostile WebSocket handshakes', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('refuses handshakes without a key, with a malformed key or an old version with 400, and counts none of them', async () => {
    for (const headers of [{ 'Sec-WebSocket-Key': '' }, { 'Sec-WebSocket-Key': 'short' }, { 'Sec-WebSocket-Version': '7' }, { 'Sec-WebSocket-Version': 'thirteen' }, { Upgrade: 'h2c' }]) {
      const res = await handshake(server.url, '/api/ws/chat', headers);
      assert.equal(res.upgraded, false, JSON.stringify(headers));
      assert.equal(res.status, 400, `${JSON.stringify(headers)}: ${res.status}`);
    }
    assert.equal(JSON.parse((await request(server.url, '/api/stats')).body).open.total, 0);
    await assertStillServes(server.url);
  });

  it('refuses upgrades on paths that are not WebSocket endpoints with 404, site pages included', async () => {
    for (const path of ['/', '/api/poll/chat', '/api/ws', '/api/ws/chat/extra', '/api/echo/x']) {
      const res = await handshake(server.url, path);
      assert.equal(res.upgraded, false, path);
      assert.equal(res.status, 404, path);
    }
  });

  it('refuses a handshake from a disallowed origin on a bad host with 421 first, and upgrades a good one afterwards', async () => {
    const res = await handshake(server.url, '/api/ws/chat', { Host: 'evil.example', Origin: 'https://evil.example' });
    assert.equal(res.status, 421);
    const good = await handshake(server.url, '/api/ws/chat', { Origin: server.url });
    assert.equal(good.upgraded, true);
    good.close();
  });
});

describe('X-Content-Type-Options: nosniff', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ longPollDefaultTimeoutS: 1 });
  });
  after(() => server.close());

  it('is on every API answer: pages, 304s, streams, publishes, errors, health, stats and refusals', async () => {
    const first = await publish(server, 'sniff', { text: '<html><script>alert(1)</script>' });
    const page = await request(server.url, '/api/poll/sniff');
    const answers: [string, { status: number; headers: Record<string, unknown> }][] = [
      ['poll 200', page],
      ['poll 304', await request(server.url, '/api/poll/sniff', { headers: { 'If-None-Match': String(page.headers.etag) } })],
      ['long poll 200', await request(server.url, `/api/long-poll/sniff?since=0-0`)],
      ['long poll 204', await request(server.url, `/api/long-poll/sniff?since=${first.id}&timeout=1`)],
      ['SSE', await head(server.url, '/api/sse/sniff').then((r) => ({ status: r.status, headers: r.headers }))],
      ['publish 201', await post(server.url, '/api/channels/sniff/messages', '{"data":1}', 'application/json')],
      ['400', await request(server.url, '/api/poll/NOPE')],
      ['404', await request(server.url, '/api/nothing-here')],
      ['415', await post(server.url, '/api/channels/sniff/messages', '{"data":1}', 'text/html')],
      ['403', await request(server.url, '/api/poll/sniff', { headers: { Origin: 'https://evil.example' } })],
      ['421', await request(server.url, '/api/poll/sniff', { headers: { Host: 'evil.example' } })],
      ['health', await request(server.url, '/api/health')],
      ['stats', await request(server.url, '/api/stats')],
      ['preflight', await request(server.url, '/api/channels/sniff/messages', { method: 'OPTIONS', headers: { Origin: 'null', 'Access-Control-Request-Method': 'POST' } })],
      ['WebSocket refusal', await handshake(server.url, '/api/ws/NOPE')],
    ];
    assert.equal(answers[1]?.[1].status, 304);
    assert.equal(answers[3]?.[1].status, 204);
    for (const [name, res] of answers) assert.equal(res.headers['x-content-type-options'], 'nosniff', `${name} (${res.status})`);
  });
});

/** A log whose appends fail as a bug would: the other operations are a real MemoryLog's. */
function failingLog(): ChannelLog {
  const real = new MemoryLog({ historyLimit: 100, maxChannels: 100 });
  return new Proxy(real, {
    get(target, property) {
      if (property === 'append') return async () => { throw new Error('simulated bug: the disk is on fire at /var/secret/path'); };
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('server errors (500)', () => {
  it('are answered without internals, and logged with a stack at most LOGGED_ERRORS_PER_MIN times, then counted', async (t) => {
    const logged = t.mock.method(console, 'error', () => {});
    const server = await startServer({ loggedErrorsPerMin: 3, publishBurst: 100 }, { log: failingLog() });
    try {
      for (let i = 0; i < 8; i++) {
        const res = await post(server.url, '/api/channels/chat/messages', '{"data":1}', 'application/json');
        assert.equal(res.status, 500);
        assert.equal(errorCode(res), 'INTERNAL_ERROR');
        assert.doesNotMatch(res.body, /disk is on fire|secret|at /);
      }
      const calls = logged.mock.calls.map((call) => call.arguments[0]);
      assert.equal(calls.filter((argument) => argument instanceof Error).length, 3, 'three stack traces');
      assert.equal(calls.length, 4, 'and one line that says the rest are counted');
      assert.match(String(calls[3]), /3 server errors logged in the last minute \(LOGGED_ERRORS_PER_MIN\); the next ones are counted/);
      assert.equal((await request(server.url, '/api/health')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('the Redis address', () => {
  it('is not shown by /api/health or by a 503 when Redis is unreachable', async () => {
    const closed = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const server = await startServer({}, { log: new RedisLog({ url: `redis://127.0.0.1:${port}`, historyLimit: 10, maxChannels: 10 }) });
    try {
      const health = await request(server.url, '/api/health');
      assert.equal(health.status, 503);
      const publishing = await post(server.url, '/api/channels/chat/messages', '{"data":1}', 'application/json');
      assert.equal(publishing.status, 503);
      assert.equal(errorCode(publishing), 'LOG_UNAVAILABLE');
      for (const res of [health, publishing]) {
        assert.doesNotMatch(res.body, new RegExp(`127\\.0\\.0\\.1|${port}`), res.body);
        assert.match(res.body, /Redis/);
      }
    } finally {
      await server.close();
    }
  });
});
