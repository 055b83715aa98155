/**
 * Workshop mode, the control part: the instructor's access (the link's token exchanged for a
 * cookie, the dashboard pages' 403), the instructor events stream, the control channel over
 * WebSocket, its wire view, and "ping the room". Real servers on port 0, real clients.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { FrameReader, startMain, startServer, type TestServer } from './helpers.ts';

const TOKEN = 'instructor-token-0123456789abcdef';
const BEARER = { Authorization: `Bearer ${TOKEN}` };
const DASHBOARD_MARK = 'data-rl-workshop-page="instructor"';

/** A built site of three pages: the two dashboards (one with a precompressed variant) and a lesson. */
let siteDir: string;
before(() => {
  siteDir = mkdtempSync(path.join(os.tmpdir(), 'rl-control-site-'));
  for (const prefix of ['', 'zh-cn/']) {
    mkdirSync(path.join(siteDir, `${prefix}workshop/instructor`), { recursive: true });
    writeFileSync(path.join(siteDir, `${prefix}workshop/instructor/index.html`), `<!doctype html><html><body><section ${DASHBOARD_MARK}>dashboard</section></body></html>`);
  }
  writeFileSync(path.join(siteDir, 'workshop/instructor/index.html.br'), `<section ${DASHBOARD_MARK}>`);
  mkdirSync(path.join(siteDir, 'lessons'));
  writeFileSync(path.join(siteDir, 'lessons/index.html'), '<!doctype html><title>lesson</title>');
});
after(() => rmSync(siteDir, { recursive: true, force: true }));

function attendeeId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

async function join(server: TestServer, id: string, name: string): Promise<void> {
  const res = await fetch(`${server.url}/api/workshop/attendees/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });
  assert.equal(res.status, 200, await res.text());
}

/** An SSE reader over fetch that collects parsed events, so tests can wait for one that passes a test. */
async function readEvents(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  assert.equal(res.status, 200, `${url}: ${res.status}`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; id?: string | undefined; data: any; raw: string }[] = [];
  let buffer = '';
  let waiter: (() => void) | undefined;
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(raw.split('\n').filter((line) => !line.startsWith(':')).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
        if (fields.data === undefined) continue;
        events.push({ event: fields.event ?? 'message', id: fields.id, data: JSON.parse(fields.data), raw });
        waiter?.();
      }
    }
  })();
  return {
    events,
    async until(test: (event: (typeof events)[number]) => boolean): Promise<(typeof events)[number]> {
      for (;;) {
        const found = events.find(test);
        if (found) return found;
        await new Promise<void>((resolve) => (waiter = resolve));
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** The cookie the instructor link sets, as `name=value`, and the whole Set-Cookie header. */
async function instructorCookie(server: TestServer, prefix = ''): Promise<{ cookie: string; setCookie: string; res: Response }> {
  const res = await fetch(`${server.url}${prefix}/workshop/instructor/?token=${TOKEN}`, { redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] as string, setCookie, res };
}

/** A control socket's frames, without the class's `state` greeting after welcome (tests/server/workshop-class.test.ts has it). */
class ControlFrames extends FrameReader {
  override async next<T = Record<string, any>>(): Promise<T> {
    for (;;) {
      const frame = await super.next<T & { event?: string }>();
      if (frame.event !== 'state') return frame;
    }
  }
}

/** A control socket that has had its welcome frame. */
async function openSocket(server: TestServer, id: string, query = ''): Promise<ControlFrames> {
  const reader = await new ControlFrames(server.ws(`/api/workshop/attendees/${id}/ws${query}`)).opened();
  const welcome = await reader.next();
  assert.equal(welcome.event, 'welcome');
  return reader;
}

describe('workshop control: the instructor\'s access', () => {
  it('answers the dashboard pages 403 without the instructor\'s cookie, in the page\'s language, with no dashboard and no attendee', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, siteDir });
    try {
      const id = attendeeId();
      await join(server, id, 'Ada Lovelace');
      const paths = ['/workshop/instructor/', '/workshop/instructor', '/workshop/instructor/index.html', '/workshop/instructor/index', '/workshop/instructor/index.html.br', '/Workshop/Instructor/', '/workshop//instructor/', '/workshop/%69nstructor/', '/zh-cn/workshop/instructor/', '/workshop/instructor/?token=wrong-token-0123456789abc', '/workshop/instructor/?token='];
      for (const url of paths) {
        const res = await fetch(`${server.url}${url}`, { redirect: 'manual', headers: { 'Accept-Encoding': 'br' } });
        const html = await res.text();
        assert.equal(res.status, 403, url);
        assert.equal(res.headers.get('set-cookie'), null, `${url}: no cookie without the token`);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        assert.equal(res.headers.get('cache-control'), 'no-store');
        assert.ok(!html.includes(DASHBOARD_MARK) && !html.includes('Ada') && !html.includes(id) && !html.includes(TOKEN), `${url}: nothing of the dashboard, the attendees or the token`);
        const zh = url.startsWith('/zh-cn/');
        assert.match(html, zh ? /<html lang="zh-CN">[^]*请打开服务器启动时终端里打印的讲师链接/ : /<html lang="en">[^]*Open the instructor link printed in the terminal/);
        assert.doesNotMatch(html, /<script/i);
      }
      // The rest of the site is untouched, and the projector stays open.
      assert.equal((await fetch(`${server.url}/lessons/`)).status, 200);
      assert.equal((await fetch(`${server.url}/api/workshop/presence`, { signal: AbortSignal.timeout(2000) })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('exchanges the link\'s ?token= for an HttpOnly SameSite=Strict cookie that is not the token, and redirects (303) to the page without it', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, siteDir });
    try {
      for (const prefix of ['', '/zh-cn']) {
        const { cookie, setCookie, res } = await instructorCookie(server, prefix);
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), `${prefix}/workshop/instructor/`);
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
        assert.match(setCookie, /^rl-instructor=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
        assert.ok(!setCookie.includes(TOKEN), 'the cookie holds a value derived from the token, not the token');
        const page = await fetch(`${server.url}${prefix}/workshop/instructor/`, { headers: { Cookie: `theme=dark; ${cookie}` } });
        assert.equal(page.status, 200);
        assert.match(await page.text(), new RegExp(DASHBOARD_MARK));
      }
      const { cookie } = await instructorCookie(server);
      const withCookie = await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: { Cookie: cookie } });
      assert.equal(withCookie.status, 200, 'the instructor API takes the cookie');
      const withBearer = await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: BEARER });
      assert.equal(withBearer.status, 200, 'and still takes the Bearer token');
      const pasted = await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: { Authorization: `Bearer ${cookie.split('=')[1]}` } });
      assert.equal(pasted.status, 403, 'the cookie\'s value is not a token');
    } finally {
      await server.close();
    }
  });

  it('refuses a cookie from another start of the server (another token), on the page and the API', async () => {
    const first = await startServer({ workshop: true, workshopToken: TOKEN, siteDir });
    const second = await startServer({ workshop: true, siteDir });
    try {
      const { cookie } = await instructorCookie(first);
      assert.equal((await fetch(`${second.url}/workshop/instructor/`, { headers: { Cookie: cookie } })).status, 403);
      const api = await fetch(`${second.url}/api/workshop/instructor/attendees`, { headers: { Cookie: cookie } });
      assert.equal(api.status, 403);
      const { error } = await api.json();
      assert.equal(error.code, 'INSTRUCTOR_TOKEN_REQUIRED');
      assert.match(error.message, /a cookie from another start of the server/);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('serves the dashboard pages as built when workshop mode is off (there is no data to guard)', async () => {
    const server = await startServer({ siteDir });
    try {
      assert.equal((await fetch(`${server.url}/workshop/instructor/`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('prints the ?token= link once; neither the token nor the cookie appears again in any log, whatever requests come', async (t) => {
    const main = await startMain(['--port', '0', '--workshop'], { SITE_DIR: siteDir, WORKSHOP_TOKEN: TOKEN, WORKSHOP: '' });
    const { url } = main;
    let output = main.output();
    assert.match(output, new RegExp(`/workshop/instructor/\\?token=${TOKEN}\\n`));
    const res = await fetch(`${url}/workshop/instructor/?token=${TOKEN}`, { redirect: 'manual' });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    for (const headers of [{ Cookie: cookie }, { Cookie: `${cookie}x` }, BEARER, { Authorization: `Bearer ${TOKEN}x` }]) {
      await fetch(`${url}/api/workshop/instructor/attendees`, { headers }).then((r) => r.text());
      await fetch(`${url}/workshop/instructor/`, { headers }).then((r) => r.text());
    }
    await fetch(`${url}/workshop/instructor/?token=${TOKEN}x`).then((r) => r.text());
    await fetch(`${url}/api/workshop/instructor/${TOKEN}?token=${TOKEN}`).then((r) => r.text());
    await main.stop();
    output = main.output();
    t.diagnostic(`${output.split('\n').length} lines of output`);
    assert.equal(output.split(TOKEN).length - 1, 1, 'the token appears in the output exactly once');
    assert.ok(!output.includes(cookie.split('=')[1] as string), 'the cookie\'s value never appears');
  });
});

describe('workshop control: the instructor events stream and the wire view', () => {
  it('tells the dashboard presence at each change and every broadcast\'s exact bytes once, with how many streams and sockets got it', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, siteDir });
    const sources: EventSource[] = [];
    try {
      const anonymous = await fetch(`${server.url}/api/workshop/instructor/events`);
      assert.equal(anonymous.status, 403);
      const { cookie } = await instructorCookie(server);
      const events = await readEvents(`${server.url}/api/workshop/instructor/events`, { Cookie: cookie });
      assert.equal((await events.until((e) => e.event === 'presence')).data.connected, 0);
      const [a, b] = [attendeeId(), attendeeId()];
      await join(server, a, 'Ada');
      await join(server, b, 'Grace');
      const source = new EventSource(`${server.url}/api/workshop/attendees/${a}/control`);
      sources.push(source);
      const noticed = new Promise<MessageEvent>((resolve) => source.addEventListener('notice', resolve));
      await new Promise((resolve) => source.addEventListener('welcome', resolve));
      const socket = await openSocket(server, b);
      await events.until((e) => e.event === 'presence' && e.data.connected === 2);
      const res = await fetch(`${server.url}/api/workshop/instructor/notices`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'Break: 10 min' }) });
      assert.equal(res.status, 201);
      const wire = await events.until((e) => e.event === 'wire' && e.data.direction === 'down');
      const notice = await noticed;
      const frame = await socket.next();
      assert.deepEqual(frame, { id: wire.data.id, event: 'notice', data: JSON.parse(notice.data) });
      assert.equal(wire.data.sse, `id: ${wire.data.id}\nevent: notice\ndata: ${notice.data}\n\n`, 'the SSE bytes as written');
      assert.equal(wire.data.ws, JSON.stringify(frame), 'the frame as sent');
      assert.equal(wire.data.streams, 1);
      assert.equal(wire.data.sockets, 1);
      assert.equal(events.events.filter((e) => e.event === 'wire').length, 1, 'once, however many got it');
      assert.ok(!events.events.some((e) => e.raw.includes(TOKEN) || e.raw.includes(cookie.split('=')[1] as string)), 'neither token nor cookie on the wire view');
      await socket.close();
      await events.cancel();
    } finally {
      for (const source of sources) source.close();
      await server.close();
    }
  });

  it('shows what came up: an attendee\'s POST head and body, and a WebSocket frame, never a cookie, a token or the attendee\'s id', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN });
    try {
      const events = await readEvents(`${server.url}/api/workshop/instructor/events`, BEARER);
      const id = attendeeId();
      await join(server, id, 'Ada');
      const socket = await openSocket(server, id);
      await fetch(`${server.url}/api/workshop/instructor/ping`, { method: 'POST', headers: BEARER });
      const { data: ping } = await socket.next();
      const pong = await fetch(`${server.url}/api/workshop/attendees/${id}/pong`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: 'rl-instructor=secret-looking' }, body: JSON.stringify({ ping: ping.id }) });
      assert.equal(pong.status, 204);
      const post = await events.until((e) => e.event === 'wire' && e.data.transport === 'post');
      assert.equal(post.data.attendee, 'Ada');
      assert.equal(post.data.head, `POST /api/workshop/attendees/:id/pong → 204\ncontent-type: application/json\ncontent-length: ${JSON.stringify({ ping: ping.id }).length}`);
      assert.ok(!events.events.some((e) => e.event === 'wire' && e.raw.includes(id)), 'the attendee\'s id, which lets a page speak as them, is not shown');
      assert.equal(post.data.body, JSON.stringify({ ping: ping.id }));
      socket.send({ type: 'pong', ping: ping.id, ref: 7 });
      assert.deepEqual((await socket.next()).data, { ref: 7, status: 200 });
      const up = await events.until((e) => e.event === 'wire' && e.data.transport === 'ws');
      assert.equal(up.data.body, JSON.stringify({ type: 'pong', ping: ping.id, ref: 7 }));
      assert.ok(!events.events.some((e) => e.raw.includes('secret-looking') || e.raw.includes(TOKEN)));
      await socket.close();
      await events.cancel();
    } finally {
      await server.close();
    }
  });

  it('counts the instructor events stream in the connection gate, keeps it alive with the shared heartbeat, and ends it when the server stops', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, sseHeartbeatMs: 20, maxConnectionsPerAddress: 1, maxConnections: 10 });
    const res = await fetch(`${server.url}/api/workshop/instructor/events`, { headers: BEARER });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(': heartbeat\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    assert.match(text, /^retry: \d+\n\nevent: presence\n/);
    const second = await fetch(`${server.url}/api/workshop/instructor/events`, { headers: BEARER });
    assert.equal(second.status, 429);
    assert.equal((await second.json()).error.code, 'TOO_MANY_CONNECTIONS');
    await server.app.close();
    for (;;) if ((await reader.read()).done) break;
    await server.close();
  });

  it('keeps the last WORKSHOP_WIRE_ENTRIES entries for a dashboard that opens later', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, workshopWireEntries: 3 });
    try {
      for (let i = 1; i <= 5; i++) {
        await fetch(`${server.url}/api/workshop/instructor/notices`, { method: 'POST', headers: BEARER, body: JSON.stringify({ text: `n${i}` }) });
      }
      const events = await readEvents(`${server.url}/api/workshop/instructor/events`, BEARER);
      await events.until((e) => e.event === 'wire' && e.data.event === 'notice' && e.data.sse.includes('"n5"'));
      assert.deepEqual(events.events.filter((e) => e.event === 'wire').map((e) => JSON.parse(e.data.ws).data.text), ['n3', 'n4', 'n5']);
      await events.cancel();
    } finally {
      await server.close();
    }
  });
});

describe('workshop control: the control channel over WebSocket', () => {
  it('receives a notice as a JSON frame, replays what it missed after ?lastEventId=, and counts as presence', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN });
    const notice = (text: string) => fetch(`${server.url}/api/workshop/instructor/notices`, { method: 'POST', headers: BEARER, body: JSON.stringify({ text }) });
    try {
      const id = attendeeId();
      await join(server, id, 'Ada');
      const first = await openSocket(server, id);
      const { summary } = await (await fetch(`${server.url}/api/workshop/instructor/attendees`, { headers: BEARER })).json();
      assert.equal(summary.connected, 1, 'a control socket counts as presence');
      await notice('one');
      const one = await first.next();
      assert.equal(one.event, 'notice');
      assert.equal(one.data.text, 'one');
      await first.close();
      await notice('two');
      await notice('three');
      const again = new ControlFrames(server.ws(`/api/workshop/attendees/${id}/ws?lastEventId=${one.id}`));
      const binary: boolean[] = [];
      again.ws.on('message', (_data, isBinary) => binary.push(isBinary));
      await again.opened();
      assert.deepEqual((await again.next()).data, { name: 'Ada', resumedAfter: String(one.id), ups: ['pong'] });
      assert.deepEqual([(await again.next()).data.text, (await again.next()).data.text], ['two', 'three']);
      assert.deepEqual(binary, [false, false, false, false], 'text frames, as a browser reads them (welcome, the class\'s state, two, three)');
      await again.close();
      const stale = await new ControlFrames(server.ws(`/api/workshop/attendees/${id}/ws?lastEventId=999`)).opened();
      await stale.next();
      assert.deepEqual(await stale.next(), { id: one.id + 2, event: 'missed', data: { after: 999, latest: one.id + 2 } });
      await stale.close();
    } finally {
      await server.close();
    }
  });

  it('answers a bad frame with an error ack, limits up-frames to the publish rate, and refuses a socket for an unknown attendee, from another origin, or past the per-address cap', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, maxConnectionsPerAddress: 1, maxConnections: 10, publishBurst: 2, publishRatePerS: 1 });
    const refusal = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error(`${url} was accepted`)));
        ws.on('error', () => {});
      });
    try {
      const id = attendeeId();
      assert.equal(await refusal(server.ws(`/api/workshop/attendees/${id}/ws`)), 404);
      await join(server, id, 'Ada');
      assert.equal(await refusal(server.ws(`/api/workshop/attendees/${id}/ws`), { Origin: 'http://evil.example' }), 403);
      assert.equal(await refusal(server.ws('/api/workshop/attendees/short/ws')), 400);
      const socket = await openSocket(server, id);
      assert.equal(await refusal(server.ws(`/api/workshop/attendees/${id}/ws`)), 429);
      socket.ws.send('not json');
      const ack = await socket.next();
      assert.equal(ack.event, 'ack');
      assert.equal(ack.data.status, 400);
      assert.equal(ack.data.error.code, 'INVALID_FRAME');
      assert.match(ack.data.error.message, /"type": "pong".*received "not json"/);
      socket.send({ type: 'pong', ping: 'x', ref: 'a' });
      const bad = await socket.next();
      assert.deepEqual([bad.data.ref, bad.data.status, bad.data.error.code], ['a', 400, 'INVALID_PONG']);
      // Up-frames count against the address's publish rate (PUBLISH_BURST 2 here): the third is refused, and not shown.
      socket.send({ type: 'pong', ping: 1, ref: 'b' });
      const limited = await socket.next();
      assert.deepEqual([limited.data.ref, limited.data.status, limited.data.error.code], ['b', 429, 'RATE_LIMITED']);
      await socket.close();
    } finally {
      await server.close();
    }
    const off = await startServer();
    try {
      assert.equal(await refusal(off.ws(`/api/workshop/attendees/${attendeeId()}/ws`)), 404);
    } finally {
      await off.close();
    }
  });
});

describe('workshop control: ping the room', () => {
  it('measures each attendee\'s round trip, over SSE + POST and over WebSocket, and tells the dashboard the spread', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN });
    const sources: EventSource[] = [];
    try {
      assert.deepEqual(await (await fetch(`${server.url}/api/workshop/instructor/ping`, { headers: BEARER })).json(), { ping: null });
      const events = await readEvents(`${server.url}/api/workshop/instructor/events`, BEARER);
      const ids = [attendeeId(), attendeeId(), attendeeId(), attendeeId()];
      for (const [i, id] of ids.entries()) await join(server, id, `A${i}`);
      // Three attendees answer by POST as soon as their SSE stream brings the ping, one by a frame.
      for (const id of ids.slice(0, 3)) {
        const source = new EventSource(`${server.url}/api/workshop/attendees/${id}/control`);
        sources.push(source);
        source.addEventListener('ping', (event) => {
          void fetch(`${server.url}/api/workshop/attendees/${id}/pong`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ping: JSON.parse(event.data).id }) });
        });
        await new Promise((resolve) => source.addEventListener('welcome', resolve));
      }
      const socket = await openSocket(server, ids[3] as string);
      await events.until((e) => e.event === 'presence' && e.data.connected === 4);
      const before = Date.now();
      const sent = await fetch(`${server.url}/api/workshop/instructor/ping`, { method: 'POST', headers: BEARER });
      assert.equal(sent.status, 201);
      const { ping } = await sent.json();
      assert.ok(ping.sentAt >= before && ping.sentAt <= Date.now());
      const frame = await socket.next();
      assert.deepEqual(frame.data, { id: ping.id, sentAt: ping.sentAt });
      socket.send({ type: 'pong', ping: ping.id });
      const spread = (await events.until((e) => e.event === 'ping' && e.data.answered === 4)).data;
      assert.equal(spread.present, 4);
      assert.equal(spread.ms.length, 4);
      assert.deepEqual(spread.ms, [...spread.ms].sort((a: number, b: number) => a - b));
      assert.ok(spread.min > 0 && spread.min <= spread.median && spread.median <= spread.p90 && spread.p90 <= spread.max, JSON.stringify(spread));
      assert.equal(spread.p90, spread.ms[3], 'nearest rank: 90% of 4 answers is the 4th');
      assert.equal(spread.median, Math.round(((spread.ms[1] + spread.ms[2]) / 2) * 10) / 10);
      // A second answer from the same attendee changes nothing; an answer to an earlier ping is refused.
      socket.send({ type: 'pong', ping: ping.id });
      assert.equal((await socket.next()).data.status, 200);
      assert.equal((await (await fetch(`${server.url}/api/workshop/instructor/ping`, { headers: BEARER })).json()).ping.answered, 4);
      await fetch(`${server.url}/api/workshop/instructor/ping`, { method: 'POST', headers: BEARER });
      const late = await fetch(`${server.url}/api/workshop/attendees/${ids[0]}/pong`, { method: 'POST', body: JSON.stringify({ ping: ping.id }) });
      assert.equal(late.status, 409);
      const { error } = await late.json();
      assert.equal(error.code, 'PING_CLOSED');
      assert.match(error.message, new RegExp(`the latest ping is ${ping.id + 1}.*WORKSHOP_PING_WINDOW_MS`));
      await socket.close();
      await events.cancel();
    } finally {
      for (const source of sources) source.close();
      await server.close();
    }
  });

  it('takes answers only within WORKSHOP_PING_WINDOW_MS, and only from attendees who joined, with the token', async () => {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, workshopPingWindowMs: 100 });
    try {
      assert.equal((await fetch(`${server.url}/api/workshop/instructor/ping`, { method: 'POST' })).status, 403);
      const id = attendeeId();
      await join(server, id, 'Ada');
      const { ping } = await (await fetch(`${server.url}/api/workshop/instructor/ping`, { method: 'POST', headers: BEARER })).json();
      const stranger = await fetch(`${server.url}/api/workshop/attendees/${attendeeId()}/pong`, { method: 'POST', body: JSON.stringify({ ping: ping.id }) });
      assert.equal(stranger.status, 404);
      // The window is measured on the server's clock: wait until it has passed, by asking.
      const deadline = performance.now() + 100;
      while (performance.now() <= deadline) await new Promise((resolve) => setImmediate(resolve));
      const late = await fetch(`${server.url}/api/workshop/attendees/${id}/pong`, { method: 'POST', body: JSON.stringify({ ping: ping.id }) });
      assert.equal(late.status, 409);
      assert.match((await late.json()).error.message, /it was sent \d+ ms ago; answers count for WORKSHOP_PING_WINDOW_MS \(100 ms\)/);
    } finally {
      await server.close();
    }
  });
});
