import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it, mock } from 'node:test';
import { EventSource } from 'eventsource';
import QRCode from 'qrcode';
import { configFromEnvironment } from '../../server/config.ts';
import { openFilesNeeded, preflightReport } from '../../server/workshop/preflight.ts';
import { CONTROL_REPLAY_EVENTS } from '../../server/workshop/presence.ts';
import { terminalQr } from '../../server/workshop/qr.ts';
import { startMain, startServer, type TestServer } from './helpers.ts';

const TOKEN = 'instructor-token-0123456789abcdef';
const ANSI = /\x1b\[[0-9;]*m/g;

/** A random attendee id, as the browser makes one. */
function attendeeId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

async function join(server: TestServer, id: string, name: unknown): Promise<Response> {
  return fetch(`${server.url}/api/workshop/attendees/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });
}

/** Watches /api/workshop/presence and resolves when a summary passes `test`. */
function watchPresence(server: TestServer) {
  const source = new EventSource(`${server.url}/api/workshop/presence`);
  let latest: any;
  let waiter: (() => void) | undefined;
  source.addEventListener('presence', (event) => {
    latest = JSON.parse(event.data);
    waiter?.();
  });
  return {
    close: () => source.close(),
    async until(test: (summary: any) => boolean): Promise<any> {
      while (latest === undefined || !test(latest)) await new Promise<void>((resolve) => (waiter = resolve));
      return latest;
    },
  };
}

/** Opens an attendee's control stream and resolves once its welcome event arrived. */
async function openControl(server: TestServer, id: string): Promise<EventSource> {
  const source = new EventSource(`${server.url}/api/workshop/attendees/${id}/control`);
  await new Promise<void>((resolve, reject) => {
    source.addEventListener('welcome', () => resolve());
    source.onerror = (event) => reject(new Error(`control stream failed: ${event.message ?? event.code}`));
  });
  return source;
}

const GOOD_SELF_TEST = { poll: { ok: true, ms: 12 }, longPoll: { ok: true, ms: 1010 }, sse: { ok: true, ms: 30 }, websocket: { ok: false, ms: 5000 } };

describe('workshop mode: settings', () => {
  it('is turned on by --workshop or WORKSHOP=1, and off by default', () => {
    assert.equal(configFromEnvironment({}).workshop, false);
    assert.equal(configFromEnvironment({}, ['--workshop', '--host', '0.0.0.0']).workshop, true);
    assert.equal(configFromEnvironment({ WORKSHOP: '1' }).workshop, true);
    assert.equal(configFromEnvironment({ WORKSHOP: 'off' }).workshop, false);
    assert.throws(() => configFromEnvironment({ WORKSHOP: 'maybe' }), /WORKSHOP must be 1, true, on or yes .*received "maybe"/);
  });

  it('refuses a WORKSHOP_TOKEN that is too short or has other characters, without repeating it', () => {
    assert.equal(configFromEnvironment({ WORKSHOP_TOKEN: TOKEN }).workshopToken, TOKEN);
    assert.throws(() => configFromEnvironment({ WORKSHOP_TOKEN: 'short' }), /WORKSHOP_TOKEN must be 22 to 128 characters .*received one of 5 characters$/);
    assert.throws(
      () => configFromEnvironment({ WORKSHOP_TOKEN: 'has spaces and more than twenty-two' }),
      (error: Error) => /with others/.test(error.message) && !error.message.includes('spaces'),
    );
  });
});

describe('workshop mode: the start', () => {
  it('draws a QR code in the terminal that holds exactly the modules of the URL\'s code', () => {
    const url = 'http://192.168.1.20:3000/';
    const text = terminalQr(url);
    const { modules } = QRCode.create(url, { errorCorrectionLevel: 'L' });
    const lines = text.split('\n');
    assert.ok(lines.every((line) => line.startsWith('\x1b[30;47m') && line.endsWith('\x1b[0m')), 'every line sets black on white itself');
    const rows = lines.map((line) => [...line.replace(ANSI, '')]);
    const quiet = 2;
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        const char = rows[Math.floor((row + quiet) / 2)]?.[col + quiet];
        const top = (row + quiet) % 2 === 0;
        const dark = char === '█' || (top ? char === '▀' : char === '▄');
        assert.equal(dark, Boolean(modules.get(row, col)), `module ${row},${col}`);
      }
    }
  });

  it('says what to do when the open-file limit is too low for the class', () => {
    const report = preflightReport({ port: 3000, attendeeUrls: ['http://192.168.1.20:3000/'], openFileLimit: 256, seats: 100, redisUrl: '' }).join('\n');
    assert.equal(openFilesNeeded(100), 1100);
    assert.match(report, /!! {2}the open-file limit is 256, but 100 attendees \(WORKSHOP_SEATS\) x 10 connections \+ 100 need 1100\./);
    assert.match(report, /raise it in this shell with: ulimit -n 4096/);
    assert.match(report, /ok {2}no Redis/);
    const enough = preflightReport({ port: 3000, attendeeUrls: [], openFileLimit: 65536, seats: 100, redisUrl: 'redis://10.0.0.5:6379' }).join('\n');
    assert.match(enough, /ok {2}open-file limit 65536: enough/);
    assert.match(enough, /!! {2}only this machine can connect \(loopback\).*\n.*--host 0\.0\.0\.0/);
    assert.match(enough, /Redis is used \(10\.0\.0\.5:6379\)/);
  });

  it('prints the instructor link with the token once, and never again in any log, whatever requests come', async (t) => {
    const main = await startMain(['--port', '0', '--workshop'], { WORKSHOP_TOKEN: '', WORKSHOP: '' });
    const { url } = main;
    let output = main.output();
    t.diagnostic(`the start, as printed:\n${output.replace(ANSI, '')}`);
    const token = /\/workshop\/instructor\/\?token=([A-Za-z0-9_-]+)\n/.exec(output)?.[1];
    assert.ok(token && token.length >= 22, 'the instructor link carries a token of 128 bits or more');
    assert.match(output, /!! {2}only this machine can connect \(loopback\)/);
    assert.match(output, /ok {2}port \d+ is free/);
    assert.match(output, /open-file limit/);
    // Right, wrong and malformed tokens, and a token in a URL, which no page should send.
    for (const authorization of [`Bearer ${token}`, `Bearer ${token}x`, token, `Basic ${token}`]) {
      await fetch(`${url}/api/workshop/instructor/attendees`, { headers: { Authorization: authorization } }).then((res) => res.text());
    }
    await fetch(`${url}/api/workshop/instructor/${token}`).then((res) => res.text());
    await fetch(`${url}/workshop/instructor/?token=${token}`).then((res) => res.text());
    await main.stop();
    output = main.output();
    assert.equal(output.split(token).length - 1, 1, 'the token appears in the output exactly once');
  });
});

describe('workshop mode: off', () => {
  it('answers every /api/workshop endpoint with 404 WORKSHOP_OFF, saying how to start it', async () => {
    const server = await startServer();
    try {
      for (const [method, path] of [['GET', ''], ['GET', '/presence'], ['PUT', `/attendees/${attendeeId()}`], ['GET', '/instructor/attendees'], ['GET', '/join-qr.svg']] as const) {
        const res = await fetch(`${server.url}/api/workshop${path}`, { method });
        assert.equal(res.status, 404, `${method} ${path}`);
        const body = await res.json();
        assert.equal(body.error.code, 'WORKSHOP_OFF');
        assert.match(body.error.message, /workshop mode is off .*--workshop.*WORKSHOP=1/);
      }
    } finally {
      await server.close();
    }
  });
});

describe('workshop mode: the instructor\'s token', () => {
  it('answers the instructor API 403 without the token, with nothing about attendees, and 200 with it', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN });
    try {
      const id = attendeeId();
      assert.equal((await join(server, id, 'Ada Lovelace')).status, 200);
      for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${TOKEN}0` }, { Authorization: TOKEN }]) {
        const res = await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers });
        assert.equal(res.status, 403);
        const text = await res.text();
        assert.equal(JSON.parse(text).error.code, 'INSTRUCTOR_TOKEN_REQUIRED');
        assert.ok(!text.includes('Ada') && !text.includes(id) && !text.includes(TOKEN), 'a refusal names no attendee and repeats no token');
      }
      const res = await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: { Authorization: `bearer ${TOKEN}` } });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.deepEqual(body.attendees, [{ name: 'Ada Lovelace', present: false, selfTest: null }]);
    } finally {
      await server.close();
    }
  });

  it('compares tokens with crypto.timingSafeEqual over equal-length digests', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN });
    const compare = mock.method(crypto, 'timingSafeEqual');
    try {
      await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: { Authorization: 'Bearer x' } });
      await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(compare.mock.callCount(), 2);
      for (const call of compare.mock.calls) {
        const [a, b] = call.arguments as [Buffer, Buffer];
        assert.equal(a.length, 32);
        assert.equal(b.length, 32);
      }
      assert.deepEqual(compare.mock.calls.map((call) => call.result), [false, true]);
    } finally {
      compare.mock.restore();
      await server.close();
    }
  });

  it('makes a new random token of 192 bits at each start without WORKSHOP_TOKEN', async () => {
    const [a, b] = await Promise.all([startServer({ workshop: true }), startServer({ workshop: true })]);
    try {
      assert.match(a.app.workshopToken ?? '', /^[A-Za-z0-9_-]{32}$/);
      assert.notEqual(a.app.workshopToken, b.app.workshopToken);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('workshop mode: presence and the self-test', () => {
  it('counts attendees with an open control stream, live, and lets one go after the grace period', async () => {
    const server = await startServer({ workshop: true });
    const watcher = watchPresence(server);
    const streams: EventSource[] = [];
    try {
      await watcher.until((s) => s.connected === 0);
      const [a, b] = [attendeeId(), attendeeId()];
      await join(server, a, 'Ada');
      await join(server, b, 'Grace');
      streams.push(await openControl(server, a), await openControl(server, b));
      assert.equal((await watcher.until((s) => s.connected === 2)).connected, 2);
      streams[0]!.close();
      const after = await watcher.until((s) => s.connected === 1);
      assert.deepEqual(after, { connected: 1, selfTest: { reported: 0, ok: { poll: 0, longPoll: 0, sse: 0, websocket: 0 } } });
    } finally {
      watcher.close();
      for (const stream of streams) stream.close();
      await server.close();
    }
  });

  it('replays the notices a reconnecting control stream missed after its Last-Event-ID, says `missed` past the kept ones, and counts the attendee once', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN });
    const notice = (text: string) => fetch(`${server.url}/api/workshop/instructor/notices`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ text }) });
    /** Opens a control stream and reads it until `done` matches what came; `until` reads on. */
    async function read(headers: Record<string, string>, done: RegExp) {
      const res = await fetch(`${server.url}/api/workshop/attendees/${id}/control`, { headers });
      const reader = res.body!.getReader();
      const stream = {
        text: '',
        async until(pattern: RegExp) {
          while (!pattern.test(stream.text)) stream.text += new TextDecoder().decode((await reader.read()).value);
          return stream;
        },
        cancel: () => reader.cancel(),
      };
      return stream.until(done);
    }
    const id = attendeeId();
    try {
      await join(server, id, 'Ada');
      const first = await read({}, /event: welcome\n.*\n\n/);
      assert.match(first.text, /^retry: \d+\n\n/);
      assert.equal((await notice('one')).status, 201);
      await first.until(/"text":"one"/);
      const lastId = /id: (\d+)\nevent: notice\n/.exec(first.text)?.[1];
      assert.ok(lastId, 'a notice has an id');
      await first.cancel();
      assert.equal((await notice('two')).status, 201);
      assert.equal((await notice('three')).status, 201);
      const again = await read({ 'Last-Event-ID': lastId }, /"text":"three"/);
      assert.match(again.text, new RegExp(`"resumedAfter":"${lastId}"`));
      assert.doesNotMatch(again.text, /"text":"one"/, 'what it saw is not sent again');
      assert.match(again.text, /"text":"two"[^]*"text":"three"/, 'what it missed comes, in order');
      const { summary } = await (await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
      assert.equal(summary.connected, 1, 'two streams of one attendee count once');
      await again.cancel();
      for (let i = 0; i < CONTROL_REPLAY_EVENTS; i++) await notice(`n${i}`);
      const late = await read({ 'Last-Event-ID': lastId }, /event: missed\n.*\n\n/);
      assert.match(late.text, new RegExp(`event: missed\\ndata: \\{"after":${lastId},"latest":${Number(lastId) + 2 + CONTROL_REPLAY_EVENTS}\\}`));
      assert.doesNotMatch(late.text, /"text":"n0"/, 'nothing is replayed past a gap it cannot fill');
      await late.cancel();
    } finally {
      await server.close();
    }
  });

  it('sends a notice only with the token, as text within WORKSHOP_NOTICE_MAX_CHARS', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, workshopNoticeMaxChars: 12 });
    try {
      const post = (body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) => fetch(`${server.url}/api/workshop/instructor/notices`, { method: 'POST', headers, body: JSON.stringify(body) });
      const anonymous = await post({ text: 'hi' }, {});
      assert.equal(anonymous.status, 403);
      assert.equal((await anonymous.json()).error.code, 'INSTRUCTOR_TOKEN_REQUIRED');
      for (const text of ['', 'thirteen char', 42, 'bell\u0007']) {
        const res = await post({ text });
        assert.equal(res.status, 400, JSON.stringify(text));
        const { error } = await res.json();
        assert.equal(error.code, 'INVALID_NOTICE');
        assert.match(error.message, /1 to 12 characters \(WORKSHOP_NOTICE_MAX_CHARS\).*received/);
      }
      const ok = await post({ text: '<b>两行\n好</b>' });
      assert.equal(ok.status, 201);
      assert.equal((await ok.json()).notice.text, '<b>两行\n好</b>');
    } finally {
      await server.close();
    }
  });

  it('keeps workshop streams alive with the shared heartbeat, and ends them when the server stops', async () => {
    const server = await startServer({ workshop: true, sseHeartbeatMs: 20 });
    const res = await fetch(`${server.url}/api/workshop/presence`);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(': heartbeat\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    assert.match(text, /event: presence\n/);
    await server.app.close();
    for (;;) if ((await reader.read()).done) break;
    await server.close();
  });

  it('refuses a control stream for an attendee that has not joined, and one past the per-address cap', async () => {
    const server = await startServer({ workshop: true, maxConnectionsPerAddress: 1, maxConnections: 10 });
    try {
      const unknown = await fetch(`${server.url}/api/workshop/attendees/${attendeeId()}/control`);
      assert.equal(unknown.status, 404);
      assert.equal((await unknown.json()).error.code, 'UNKNOWN_ATTENDEE');
      const id = attendeeId();
      await join(server, id, 'Ada');
      const first = await openControl(server, id);
      const second = await fetch(`${server.url}/api/workshop/attendees/${id}/control`);
      assert.equal(second.status, 429);
      assert.equal((await second.json()).error.code, 'TOO_MANY_CONNECTIONS');
      first.close();
    } finally {
      await server.close();
    }
  });

  it('takes a self-test, shows its tally to the projector and its details to the instructor', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN });
    const watcher = watchPresence(server);
    const id = attendeeId();
    try {
      await join(server, id, 'Ada');
      const control = await openControl(server, id);
      const res = await fetch(`${server.url}/api/workshop/attendees/${id}/self-test`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(GOOD_SELF_TEST) });
      assert.equal(res.status, 204);
      const summary = await watcher.until((s) => s.selfTest.reported === 1);
      assert.deepEqual(summary.selfTest.ok, { poll: 1, longPoll: 1, sse: 1, websocket: 0 });
      const list = await (await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
      assert.deepEqual(list.attendees, [{ name: 'Ada', present: true, selfTest: GOOD_SELF_TEST }]);
      const again = await (await join(server, id, 'Ada L.')).json();
      assert.deepEqual(again.attendee.selfTest, GOOD_SELF_TEST, 'an attendee who comes back is not asked for a new self-test');
      control.close();
    } finally {
      watcher.close();
      await server.close();
    }
  });

  it('refuses a bad self-test with the one error shape, naming what was received', async () => {
    const server = await startServer({ workshop: true });
    const id = attendeeId();
    try {
      await join(server, id, 'Ada');
      for (const [body, pattern] of [
        ['[1]', /received \[1\]/],
        [JSON.stringify({ ...GOOD_SELF_TEST, poll: { ok: 'yes', ms: 1 } }), /received \{"ok":"yes","ms":1\} for "poll"/],
        [JSON.stringify({ ...GOOD_SELF_TEST, sse: { ok: true, ms: 60_001 } }), /for "sse"/],
        [JSON.stringify({ ...GOOD_SELF_TEST, extra: 1 }), /unknown keys \["extra"\]/],
      ] as const) {
        const res = await fetch(`${server.url}/api/workshop/attendees/${id}/self-test`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        assert.equal(res.status, 400);
        const { error } = await res.json();
        assert.equal(error.code, 'INVALID_SELF_TEST');
        assert.match(error.message, pattern);
      }
      const unknown = await fetch(`${server.url}/api/workshop/attendees/${attendeeId()}/self-test`, { method: 'POST', body: JSON.stringify(GOOD_SELF_TEST) });
      assert.equal(unknown.status, 404);
      const tooBig = await fetch(`${server.url}/api/workshop/attendees/${id}/self-test`, { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(16 * 1024) }) });
      assert.equal(tooBig.status, 400);
      const tooBigError = (await tooBig.json()).error;
      assert.equal(tooBigError.code, 'INVALID_JSON');
      assert.match(tooBigError.message, /at most 16384 bytes \(MAX_MESSAGE_BYTES\)/);
    } finally {
      await server.close();
    }
  });

  it('keeps names as plain text, limited in characters (WORKSHOP_NAME_MAX_CHARS), without control characters', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, workshopNameMaxChars: 12 });
    try {
      const ok = await join(server, attendeeId(), '  <b>李  小龙</b> ');
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).attendee.name, '<b>李 小龙</b>', 'kept as sent, spaces squeezed: pages show it as text');
      for (const name of ['1234567890123', '', '   ', 'a\u0000b', 'a\u202eb', 42, null]) {
        const res = await join(server, attendeeId(), name);
        assert.equal(res.status, 400, JSON.stringify(name));
        const { error } = await res.json();
        assert.equal(error.code, 'INVALID_NAME');
        assert.match(error.message, /1 to 12 characters \(WORKSHOP_NAME_MAX_CHARS\).*received/);
      }
      const badId = await join(server, 'short', 'Ada');
      assert.equal((await badId.json()).error.code, 'INVALID_ATTENDEE');
    } finally {
      await server.close();
    }
  });

  it('keeps at most WORKSHOP_MAX_ATTENDEES, making room by forgetting one who has gone', async () => {
    const server = await startServer({ workshop: true, workshopMaxAttendees: 1 });
    try {
      const a = attendeeId();
      await join(server, a, 'Ada');
      const control = await openControl(server, a);
      const full = await join(server, attendeeId(), 'Grace');
      assert.equal(full.status, 503);
      const { error } = await full.json();
      assert.equal(error.code, 'WORKSHOP_FULL');
      assert.match(error.message, /WORKSHOP_MAX_ATTENDEES/);
      control.close();
      // Ada is gone once her grace period ends; then Grace gets her place.
      const watcher = watchPresence(server);
      await watcher.until((s) => s.connected === 0);
      watcher.close();
      assert.equal((await join(server, attendeeId(), 'Grace')).status, 200);
    } finally {
      await server.close();
    }
  });

  it('serves the join URL\'s QR code as SVG, made for the Host the page was reached on', async () => {
    const server = await startServer({ workshop: true });
    try {
      const res = await fetch(`${server.url}/api/workshop/join-qr.svg`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      const svg = await res.text();
      assert.match(svg, new RegExp(`<title>QR code: ${server.url}/</title>`));
      assert.match(svg, /<path[^>]+d="M/);
    } finally {
      await server.close();
    }
  });
});
