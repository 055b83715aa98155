/**
 * Workshop mode, the class's controls: notices, moving everyone to a page, locking solutions,
 * and the `state` event a control stream gets right after `welcome`.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClassState } from '../../server/workshop/class-state.ts';
import { Workshop } from '../../server/workshop/presence.ts';
import { startServer, type TestServer } from './helpers.ts';

const TOKEN = 'instructor-token-0123456789abcdef';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** A built site of a few pages: what the move is checked against. */
let siteDir: string;
before(async () => {
  siteDir = await mkdtemp(path.join(os.tmpdir(), 'rl-class-site-'));
  const page = async (dir: string, body = '') => {
    await mkdir(path.join(siteDir, dir), { recursive: true });
    await writeFile(path.join(siteDir, dir, 'index.html'), `<!doctype html><html><body>${body}</body></html>`);
  };
  await page('');
  await page('lessons/sse', '<section class="rl-ex" id="exercise-sse-named-events">task</section>');
  await page('zh-cn/lessons/sse', '<section id="exercise-sse-named-events"></section>');
  await page('workshop/instructor');
  await page('lab');
  await writeFile(path.join(siteDir, 'secret.txt'), 'not a page');
});
after(async () => {
  await rm(siteDir, { recursive: true, force: true });
});

function attendeeId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

async function join(server: TestServer, id: string, name: string): Promise<void> {
  const res = await fetch(`${server.url}/api/workshop/attendees/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });
  assert.equal(res.status, 200);
}

function instructor(server: TestServer, method: string, what: string, body: unknown, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetch(`${server.url}/api/workshop/instructor/${what}`, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** An attendee's control stream read as text, as events come. */
async function control(server: TestServer, id: string) {
  const res = await fetch(`${server.url}/api/workshop/attendees/${id}/control`);
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const stream = {
    text: '',
    /** Reads until an event named `event` whose data passes `test` has come; returns its data. */
    async next(event: string, test: (data: any) => boolean = () => true): Promise<any> {
      for (;;) {
        for (const [, name, data] of stream.text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)) {
          if (name === event && test(JSON.parse(data as string))) return JSON.parse(data as string);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before event ${event}`);
        stream.text += decoder.decode(value, { stream: true });
      }
    },
    /** The names of the events so far, in order. */
    events: () => [...stream.text.matchAll(/event: (\w+)\n/g)].map((m) => m[1]),
    cancel: () => reader.cancel(),
  };
  return stream;
}

describe('workshop mode: the class\'s controls', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ workshop: true, workshopToken: TOKEN, siteDir, workshopNoticeMaxChars: 40 });
  });
  after(async () => {
    await server.close();
  });

  it('moves every attendee to a page of the site, with or without its last "/" and with an anchor that exists on it', async () => {
    const id = attendeeId();
    await join(server, id, 'Ada');
    const stream = await control(server, id);
    await stream.next('welcome');
    for (const [sent, kept] of [
      ['/lessons/sse/', '/lessons/sse/'],
      ['/lessons/sse', '/lessons/sse/'],
      ['/lessons/sse/#exercise-sse-named-events', '/lessons/sse/#exercise-sse-named-events'],
      ['/', '/'],
      ['/lab/', '/lab/'],
    ]) {
      const res = await instructor(server, 'POST', 'move', { path: sent });
      assert.equal(res.status, 201, sent);
      const { move } = await res.json();
      assert.equal(move.path, kept);
      const event = await stream.next('move', (data) => data.at === move.at);
      assert.deepEqual(event, { path: kept, at: move.at });
    }
    await stream.cancel();
  });

  it('refuses hostile and unknown paths with 400 INVALID_PAGE in the one error shape, naming what it received, and sends nothing', async () => {
    const id = attendeeId();
    await join(server, id, 'Mallory');
    const stream = await control(server, id);
    await stream.next('welcome');
    const cases: [unknown, RegExp][] = [
      ['//evil.example', /lowercase segments/],
      ['//evil.example/', /lowercase segments/],
      ['javascript:alert(1)', /lowercase segments/],
      ['/../', /lowercase segments/],
      ['/lessons/../../etc/passwd', /lowercase segments/],
      ['/%2e%2e/', /lowercase segments/],
      ['/lessons\\sse/', /lowercase segments/],
      ['https://evil.example/lessons/sse/', /lowercase segments/],
      ['/lessons/sse/?x=1', /lowercase segments/],
      ['/lessons/sse/#"><img src=x>', /lowercase segments/],
      ['lessons/sse/', /lowercase segments/],
      ['/lessons/nope/', /no such page/],
      ['/secret.txt', /no such page/],
      ['/lessons/sse/#exercise-nope', /no element with id "exercise-nope"/],
      ['/zh-cn/lessons/sse/', /English path/],
      ['/workshop/instructor/', /not a page for attendees/],
      [42, /not a string/],
      [undefined, /not a string/],
    ];
    for (const [value, why] of cases) {
      const res = await instructor(server, 'POST', 'move', value === undefined ? {} : { path: value });
      assert.equal(res.status, 400, String(value));
      const { error } = await res.json();
      assert.equal(error.code, 'INVALID_PAGE');
      assert.match(error.message, why, String(value));
      assert.match(error.message, /received /);
    }
    // The next event is the move below: none of the refused ones was sent.
    const ok = await (await instructor(server, 'POST', 'move', { path: '/lab/' })).json();
    await stream.next('move', (data) => data.at === ok.move.at);
    assert.deepEqual(stream.events().filter((name) => name === 'move'), ['move']);
    await stream.cancel();
  });

  it('locks and reveals solutions for everyone, and refuses anything but {"locked": true|false}', async () => {
    const id = attendeeId();
    await join(server, id, 'Grace');
    const stream = await control(server, id);
    await stream.next('welcome');
    const lock = await instructor(server, 'PUT', 'solutions', { locked: true });
    assert.equal(lock.status, 200);
    assert.equal((await lock.json()).solutions.locked, true);
    assert.equal((await stream.next('solutions')).locked, true);
    const reveal = await instructor(server, 'PUT', 'solutions', { locked: false });
    assert.equal((await reveal.json()).solutions.locked, false);
    await stream.next('solutions', (data) => data.locked === false);
    for (const body of [{ locked: 'yes' }, {}, { locked: true, extra: 1 }, [true], null]) {
      const res = await instructor(server, 'PUT', 'solutions', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const { error } = await res.json();
      assert.equal(error.code, 'INVALID_SOLUTIONS');
      assert.match(error.message, /\{"locked": true\}.*received/);
    }
    await stream.cancel();
  });

  it('lets only the token holder notify, move or lock: an attendee or a stranger gets 403 or 404, and nothing is sent', async () => {
    const id = attendeeId();
    await join(server, id, 'Eve');
    const { solutions: before } = await (await instructor(server, 'GET', 'class', undefined)).json();
    for (const headers of [{}, { Authorization: 'Bearer not-the-token-at-all-0000' }, { Authorization: TOKEN }]) {
      for (const [method, what, body] of [['POST', 'notices', { text: 'hi' }], ['POST', 'move', { path: '/lab/' }], ['PUT', 'solutions', { locked: !before.locked }], ['GET', 'class', undefined]] as const) {
        const res = await instructor(server, method, what, body, headers);
        assert.equal(res.status, 403, `${method} ${what}`);
        assert.equal((await res.json()).error.code, 'INSTRUCTOR_TOKEN_REQUIRED');
      }
    }
    // The attendee's own API has no such endpoints.
    for (const what of ['notices', 'move', 'solutions']) {
      const res = await fetch(`${server.url}/api/workshop/attendees/${id}/${what}`, { method: 'POST', body: JSON.stringify({ path: '/lab/', text: 'hi', locked: true }) });
      assert.equal(res.status, 404, what);
      assert.equal((await res.json()).error.code, 'NOT_FOUND');
    }
    const { solutions: after } = await (await instructor(server, 'GET', 'class', undefined)).json();
    assert.deepEqual(after, before, 'the lock did not change');
  });

  it('greets every control stream, right after `welcome`, with `state`: the latest notice, move and solutions lock', async () => {
    const notice = await (await instructor(server, 'POST', 'notices', { text: 'Break:\n10 minutes' })).json();
    const move = await (await instructor(server, 'POST', 'move', { path: '/lessons/sse/#exercise-sse-named-events' })).json();
    await instructor(server, 'PUT', 'solutions', { locked: true });
    const id = attendeeId();
    await join(server, id, 'Late Joiner');
    const stream = await control(server, id);
    const state = await stream.next('state');
    assert.deepEqual(stream.events(), ['welcome', 'state'], 'state comes right after welcome');
    assert.equal(state.notice.text, 'Break:\n10 minutes');
    assert.equal(state.notice.text, notice.notice.text);
    assert.deepEqual(state.move, { path: '/lessons/sse/#exercise-sse-named-events', at: move.move.at });
    assert.equal(state.solutions.locked, true);
    assert.match(stream.text, /event: state\ndata: [^\n]*\n\n/, 'state has no id: it does not move Last-Event-ID');
    assert.doesNotMatch(stream.text, /id: \d+\nevent: state/);
    await stream.cancel();
    const { notice: n, move: m, solutions, noticeMaxChars } = await (await instructor(server, 'GET', 'class', undefined)).json();
    assert.deepEqual({ n, m, solutions }, { n: state.notice, m: state.move, solutions: state.solutions });
    assert.equal(noticeMaxChars, 40);
    await instructor(server, 'PUT', 'solutions', { locked: false });
  });
});

describe('workshop mode: the class\'s state across a restart', () => {
  it('is kept as a part named "class" whose JSON snapshot, restored by the next start, greets with the same state; a saved part of the wrong shape is ignored', () => {
    // The workshop object alone (no server): what the store saves and restores at a restart.
    const ctx = { config: {} } as never;
    const first = new Workshop(ctx);
    new ClassState(first);
    first.broadcast('notice', { text: 'Welcome\nback', at: 1 });
    first.broadcast('move', { path: '/lab/', at: 2 });
    first.broadcast('solutions', { locked: true, at: 3 });
    first.broadcast('ping', { id: 'x', at: 4 });
    const saved = JSON.parse(JSON.stringify(first.keptParts().get('class')?.snapshot()));
    assert.deepEqual(saved, { notice: { text: 'Welcome\nback', at: 1 }, move: { path: '/lab/', at: 2 }, solutions: { locked: true, at: 3 } });

    const second = new Workshop(ctx);
    new ClassState(second);
    second.keptParts().get('class')?.restore(saved);
    assert.deepEqual(second.greetings(), [{ event: 'state', data: saved }]);

    const third = new Workshop(ctx);
    const partial = new ClassState(third);
    partial.restore({ notice: { text: 42, at: 1 }, move: { path: '/lab/', at: 'soon' }, solutions: { locked: true, at: 5 } });
    assert.deepEqual(partial.current(), { notice: null, move: null, solutions: { locked: true, at: 5 } });
    partial.restore('garbage');
    assert.deepEqual(partial.current().solutions, { locked: true, at: 5 });
  });
});
