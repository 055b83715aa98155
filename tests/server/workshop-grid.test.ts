/**
 * The class grid (server/workshop/grid.ts, grid-routes.ts): attendees' page and Check reports,
 * validated; the cells' states and the stuck rule; the most common failing checks; the help
 * queue; the CSV and JSON export; and that only the instructor reads any of it.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { EXERCISES } from '../../src/exercises/catalog.ts';
import { checkTitle } from '../../src/exercises/strings.ts';
import { ClassGrid, STUCK_AFTER_FAILED_CHECKS } from '../../server/workshop/grid.ts';
import { CSV_COLUMNS } from '../../server/workshop/grid-export.ts';
import { startServer, type TestServer } from './helpers.ts';

const TOKEN = 'instructor-token-0123456789abcdef';
const AS_INSTRUCTOR = { Authorization: `Bearer ${TOKEN}` };
const HAND_CODE_MAX_BYTES = 300;

/** A random attendee id, as the browser makes one. */
function attendeeId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

let server: TestServer;
before(async () => {
  server = await startServer({ workshop: true, workshopToken: TOKEN, workshopHandCodeMaxBytes: HAND_CODE_MAX_BYTES });
});
after(() => server.close());

async function join(name: string): Promise<string> {
  const id = attendeeId();
  const res = await fetch(`${server.url}/api/workshop/attendees/${id}`, { method: 'PUT', body: JSON.stringify({ name }) });
  assert.equal(res.status, 200);
  return id;
}

function send(id: string, path: string, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(`${server.url}/api/workshop/attendees/${id}/${path}`, { method, body: JSON.stringify(body) });
}

async function report(id: string, exercise: string, state: string, failing: string[] = []): Promise<{ state: string; attempts: number }> {
  const res = await send(id, 'results', { exercise, state, failing });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).cell;
}

async function instructor(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/api/workshop/instructor/${path}`, { ...init, headers: AS_INSTRUCTOR });
}

async function grid(): Promise<any> {
  const res = await instructor('grid');
  assert.equal(res.status, 200);
  return res.json();
}

async function expectError(res: Response, status: number, code: string, message: RegExp): Promise<void> {
  assert.equal(res.status, status);
  const { error } = await res.json();
  assert.equal(error.code, code);
  assert.match(error.message, message);
}

describe('workshop grid: what attendees report', () => {
  it('records the page an attendee opened, with its title and when, and refuses a path that is not of this site', async () => {
    const id = await join('Page Reader');
    const before = Date.now();
    const ok = await send(id, 'page', { path: '/zh-cn/lessons/sse/', title: 'SSE  | Realtime Lab' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { hand: null });
    const row = (await grid()).attendees.find((a: any) => a.name === 'Page Reader');
    assert.equal(row.page.path, '/zh-cn/lessons/sse/');
    assert.equal(row.page.title, 'SSE | Realtime Lab');
    assert.ok(row.page.at >= before);
    for (const path of ['https://evil.example/', '//evil.example/', '/\\evil.example/', 'lessons/sse/', '/a b', `/${'x'.repeat(600)}`, 42]) {
      await expectError(await send(id, 'page', { path, title: 't' }), 400, 'INVALID_PAGE', /"path" must be a path of this site.*received/);
    }
    await expectError(await send(id, 'page', { path: '/', title: 't', extra: 1 }), 400, 'INVALID_PAGE', /unknown keys \["extra"\]/);
  });

  it('refuses a Check report whose exercise, state or checks are not the catalog\'s, or that contradicts itself', async () => {
    const id = await join('Validator');
    const cases: [unknown, RegExp][] = [
      [{ exercise: 'no-such-exercise', state: 'wrong', failing: ['x'] }, /"exercise" must be the id of an exercise \(polling-cursor, .*choosing-quiz\); received "no-such-exercise"/],
      [{ exercise: 'choosing-quiz', state: 'wrong', failing: ['cursor'] }, /check ids of choosing-quiz, each at most once \(order-status, scoreboard, game, legacy-proxy, chat\)/],
      [{ exercise: 'ws-ack', state: 'great', failing: [] }, /"state" must be one of passed, wrong, timed-out, unreachable; received "great"/],
      [{ exercise: 'ws-ack', state: 'wrong', failing: ['cursor'] }, /check ids of ws-ack, each at most once \(ack-before-next, acks-logged\); received \["cursor"\]/],
      [{ exercise: 'ws-ack', state: 'wrong', failing: ['acks-logged', 'acks-logged'] }, /each at most once/],
      [{ exercise: 'ws-ack', state: 'passed', failing: ['acks-logged'] }, /"passed" has no failing check/],
      [{ exercise: 'ws-ack', state: 'wrong', failing: [] }, /"wrong" has one failing check at least/],
      [{ exercise: 'ws-ack', state: 'wrong', failing: ['acks-logged'], code: 'x' }, /unknown keys \["code"\]/],
      ['ws-ack', /a Check's report is \{/],
    ];
    for (const [body, message] of cases) await expectError(await send(id, 'results', body), 400, 'INVALID_RESULT', message);
    const stranger = attendeeId();
    await expectError(await send(stranger, 'results', { exercise: 'ws-ack', state: 'passed', failing: [] }), 404, 'UNKNOWN_ATTENDEE', /has joined this workshop/);
    await expectError(await send('short', 'results', {}), 400, 'INVALID_ATTENDEE', /received "short"/);
    const cell = (await grid()).attendees.find((a: any) => a.name === 'Validator').cells['ws-ack'];
    assert.equal(cell.attempts, 0, 'nothing refused was counted');
  });
});

describe('workshop grid: cells', () => {
  it('names every check of every code exercise in both languages for the dashboard, its parameters filled in', () => {
    for (const exercise of EXERCISES) {
      if (exercise.kind !== 'code') continue;
      for (const check of exercise.checks) {
        for (const lang of ['en', 'zh-CN']) {
          const title = checkTitle(check, lang);
          assert.notEqual(title, check.kind, `${exercise.id}/${check.id} has a title in ${lang}`);
          assert.doesNotMatch(title, /\{\{/, `${exercise.id}/${check.id} in ${lang}: ${title}`);
        }
      }
    }
    assert.equal(checkTitle({ kind: 'close-frame', params: { technique: 'ws', code: 1000 } }, 'zh-CN'), '以代码 1000 加原因关闭连接');
  });

  it(`counts attempts; a cell is working, stuck after ${STUCK_AFTER_FAILED_CHECKS} Checks without a pass, passed after a pass, and stuck again under a raised hand`, async () => {
    const id = await join('Stuck Sam');
    const cellOf = async (exercise: string) => (await grid()).attendees.find((a: any) => a.name === 'Stuck Sam').cells[exercise];
    assert.equal((await cellOf('sse-named-events')).state, 'not-started');
    assert.deepEqual(await report(id, 'sse-named-events', 'wrong', ['resumed']), { state: 'working', attempts: 1 });
    assert.deepEqual(await report(id, 'sse-named-events', 'timed-out', []), { state: 'working', attempts: 2 });
    assert.deepEqual(await report(id, 'sse-named-events', 'wrong', ['resumed', 'stopped']), { state: 'stuck', attempts: 3 });
    const stuck = await cellOf('sse-named-events');
    assert.equal(stuck.last, 'wrong');
    assert.deepEqual(stuck.failing, ['resumed', 'stopped']);
    assert.ok(stuck.firstAt <= stuck.lastAt);
    assert.deepEqual(await report(id, 'sse-named-events', 'passed'), { state: 'passed', attempts: 4 });
    assert.deepEqual((await cellOf('sse-named-events')).failing, []);
    // A fail after the pass starts a new streak: working, not stuck.
    assert.deepEqual(await report(id, 'sse-named-events', 'wrong', ['stopped']), { state: 'working', attempts: 5 });

    // A quiz is an exercise too: its checks are its scenarios.
    assert.deepEqual(await report(id, 'choosing-quiz', 'wrong', ['game', 'chat']), { state: 'working', attempts: 1 });
    assert.deepEqual((await cellOf('choosing-quiz')).failing, ['game', 'chat']);

    await report(id, 'ws-ack', 'wrong', ['acks-logged']);
    assert.equal((await cellOf('ws-ack')).state, 'working');
    const raised = await send(id, 'hand', { exercise: 'ws-ack', code: 'ws.send(1)', failing: ['acks-logged'], page: '/lessons/websocket/' });
    assert.equal(raised.status, 201);
    assert.equal((await cellOf('ws-ack')).state, 'stuck', 'a raised hand on it');
    assert.equal((await send(id, 'hand', null, 'DELETE')).status, 204);
    assert.equal((await cellOf('ws-ack')).state, 'working', 'the hand lowered');
  });

  it('tells the dashboard of each report through a presence event, so that it reads the grid again', async () => {
    const id = await join('Watched');
    const source = new EventSource(`${server.url}/api/workshop/presence`);
    let events = 0;
    let waiter: (() => void) | undefined;
    source.addEventListener('presence', () => {
      events += 1;
      waiter?.();
    });
    try {
      while (events < 1) await new Promise<void>((resolve) => (waiter = resolve));
      await report(id, 'ws-close-reason', 'wrong', ['close-frame']);
      while (events < 2) await new Promise<void>((resolve) => (waiter = resolve));
    } finally {
      source.close();
    }
  });

  it('lists the most common failing checks: by attendees whose last Check fails it, then by failures in all', async () => {
    const local = await startServer({ workshop: true, workshopToken: TOKEN });
    try {
      const post = async (name: string, reports: [string, string, string[]][]) => {
        const id = attendeeId();
        await fetch(`${local.url}/api/workshop/attendees/${id}`, { method: 'PUT', body: JSON.stringify({ name }) });
        for (const [exercise, state, failing] of reports) {
          assert.equal((await fetch(`${local.url}/api/workshop/attendees/${id}/results`, { method: 'POST', body: JSON.stringify({ exercise, state, failing }) })).status, 201);
        }
      };
      await post('A', [['polling-cursor', 'wrong', ['cursor', 'not-modified']], ['polling-cursor', 'wrong', ['not-modified']]]);
      await post('B', [['polling-cursor', 'wrong', ['not-modified', 'stopped']]]);
      await post('C', [['ws-ack', 'wrong', ['acks-logged']], ['ws-ack', 'passed', []]]);
      const { common } = await (await fetch(`${local.url}/api/workshop/instructor/grid`, { headers: AS_INSTRUCTOR })).json();
      assert.deepEqual(common, [
        { exercise: 'polling-cursor', check: 'not-modified', attendees: 2, failures: 3 },
        { exercise: 'polling-cursor', check: 'stopped', attendees: 1, failures: 1 },
        { exercise: 'polling-cursor', check: 'cursor', attendees: 0, failures: 1 },
        { exercise: 'ws-ack', check: 'acks-logged', attendees: 0, failures: 1 },
      ]);
    } finally {
      await local.close();
    }
  });

  it('forgets the results of an attendee the workshop forgot to make room (WORKSHOP_MAX_ATTENDEES bounds the grid too)', async () => {
    const local = await startServer({ workshop: true, workshopToken: TOKEN, workshopMaxAttendees: 2 });
    try {
      const put = (id: string, name: string) => fetch(`${local.url}/api/workshop/attendees/${id}`, { method: 'PUT', body: JSON.stringify({ name }) });
      const result = (id: string) => fetch(`${local.url}/api/workshop/attendees/${id}/results`, { method: 'POST', body: JSON.stringify({ exercise: 'ws-ack', state: 'passed', failing: [] }) });
      const [a, b, c] = [attendeeId(), attendeeId(), attendeeId()];
      await put(a, 'A');
      assert.equal((await result(a)).status, 201);
      await put(b, 'B');
      // Full: C takes the place of A, gone the longest (none of them holds a control stream).
      assert.equal((await put(c, 'C')).status, 200);
      assert.equal((await result(a)).status, 404, 'A is forgotten');
      assert.equal((await result(c)).status, 201);
      // A comes back (in B's place): its old results went with it.
      await put(a, 'A');
      const { attendees } = await (await fetch(`${local.url}/api/workshop/instructor/grid`, { headers: AS_INSTRUCTOR })).json();
      assert.deepEqual(attendees.map((row: any) => [row.name, row.cells['ws-ack'].state]), [['C', 'passed'], ['A', 'not-started']]);
    } finally {
      await local.close();
    }
  });

  it('keeps the grid across a restart: a snapshot restored into a new grid reads the same, and a damaged one is left out', () => {
    const grid = new ClassGrid();
    grid.recordPage('attendee-one-0123456', { path: '/lessons/sse/', title: 'SSE' }, 1000);
    grid.recordResult('attendee-one-0123456', { exercise: 'sse-fetch-stream', state: 'wrong', failing: ['resumed'] }, 2000);
    grid.raiseHand('attendee-one-0123456', { exercise: 'sse-fetch-stream', code: 'x', failing: ['resumed'], page: '/lessons/sse/' }, 3000);
    const roster = [{ id: 'attendee-one-0123456', name: 'One', present: false }];
    const again = new ClassGrid();
    again.restore(JSON.parse(JSON.stringify(grid.snapshot())));
    assert.deepEqual(again.view(roster), grid.view(roster));
    const damaged = new ClassGrid();
    damaged.restore({
      cells: { x: { 'sse-fetch-stream': { attempts: 'many' }, 'no-such': {} } },
      pages: { y: 3, z: { path: '//evil.example/', title: 't', at: 1 } },
      hands: [{ id: 1 }, { id: 'h', attendee: 'z', raisedAt: 1, code: '', page: '/\\evil.example/', exercise: null, failing: [] }],
    });
    assert.deepEqual(damaged.snapshot(), { cells: {}, pages: {}, hands: [] });
  });
});

describe('workshop grid: the help queue', () => {
  it('queues hands in the order raised, one per attendee, with name, page, exercise, failing check and code; answering one tells its page', async () => {
    const local = await startServer({ workshop: true, workshopToken: TOKEN });
    try {
      const joinLocal = async (name: string) => {
        const id = attendeeId();
        await fetch(`${local.url}/api/workshop/attendees/${id}`, { method: 'PUT', body: JSON.stringify({ name }) });
        return id;
      };
      const raise = (id: string, body: unknown) => fetch(`${local.url}/api/workshop/attendees/${id}/hand`, { method: 'POST', body: JSON.stringify(body) });
      const queue = async () => (await (await fetch(`${local.url}/api/workshop/instructor/grid`, { headers: AS_INSTRUCTOR })).json()).hands;
      const first = await joinLocal('First <b>');
      const second = await joinLocal('Second');
      const hand = { exercise: 'ws-ack', code: 'ws.send("a")\n', failing: ['ack-before-next'], page: '/lessons/websocket/' };
      const one = await raise(first, hand);
      assert.equal(one.status, 201);
      const firstHand = (await one.json()).hand;
      assert.equal((await raise(second, { code: 'help', page: '/lessons/sse/' })).status, 201, 'a hand without an exercise');
      const again = await raise(first, { ...hand, code: 'ws.send("b")\n' });
      assert.equal(again.status, 200, 'raised again: the same hand, updated');
      assert.equal((await again.json()).hand.id, firstHand.id);
      let hands = await queue();
      assert.deepEqual(hands.map((h: any) => [h.name, h.exercise, h.failing, h.code, h.page]), [
        ['First <b>', 'ws-ack', ['ack-before-next'], 'ws.send("b")\n', '/lessons/websocket/'],
        ['Second', null, [], 'help', '/lessons/sse/'],
      ]);
      assert.ok(!JSON.stringify(hands).includes(first), 'attendee ids never reach the dashboard');

      // The page of the hand hears that it was answered, on the control stream.
      const control = new EventSource(`${local.url}/api/workshop/attendees/${first}/control`);
      const answered = new Promise<any>((resolve) => control.addEventListener('hand-answered', (event) => resolve(JSON.parse(event.data))));
      await new Promise<void>((resolve) => control.addEventListener('welcome', () => resolve()));
      const anonymous = await fetch(`${local.url}/api/workshop/instructor/hands/${firstHand.id}/answered`, { method: 'POST' });
      assert.equal(anonymous.status, 403, 'only the instructor answers');
      assert.equal((await fetch(`${local.url}/api/workshop/instructor/hands/${firstHand.id}/answered`, { method: 'POST', headers: AS_INSTRUCTOR })).status, 204);
      assert.deepEqual(await answered, { hand: firstHand.id });
      control.close();
      hands = await queue();
      assert.deepEqual(hands.map((h: any) => h.name), ['Second']);
      await expectError(await fetch(`${local.url}/api/workshop/instructor/hands/${firstHand.id}/answered`, { method: 'POST', headers: AS_INSTRUCTOR }), 404, 'UNKNOWN_HAND', /no raised hand .* is in the queue/);
      // The page learns at its next load whether its hand is still up.
      const page = await fetch(`${local.url}/api/workshop/attendees/${second}/page`, { method: 'POST', body: JSON.stringify({ path: '/lessons/sse/', title: 'SSE' }) });
      assert.equal((await page.json()).hand.exercise, null);
    } finally {
      await local.close();
    }
  });

  it(`refuses a hand whose code is over WORKSHOP_HAND_CODE_MAX_BYTES (${HAND_CODE_MAX_BYTES} here), counted in UTF-8 bytes, or whose checks are not the exercise's`, async () => {
    const id = await join('Long Code');
    const hand = (code: string, failing = ['resumed']) => send(id, 'hand', { exercise: 'sse-named-events', code, failing, page: '/lessons/sse/' });
    assert.equal((await hand('x'.repeat(HAND_CODE_MAX_BYTES))).status, 201);
    await expectError(await hand('好'.repeat(101)), 400, 'HAND_CODE_TOO_LONG', new RegExp(`at most ${HAND_CODE_MAX_BYTES} bytes \\(WORKSHOP_HAND_CODE_MAX_BYTES\\); received 303 bytes`));
    await expectError(await hand('x', ['ack-before-next']), 400, 'INVALID_HAND', /check ids of sse-named-events/);
    await expectError(await send(id, 'hand', { code: 'x', failing: ['resumed'], page: '/' }), 400, 'INVALID_HAND', /without "exercise" has no failing checks/);
    await expectError(await send(id, 'hand', { exercise: 'sse-named-events', code: 'x', failing: [], page: 'http://x/' }), 400, 'INVALID_HAND', /"path" must be a path/);
  });
});

/** Reads RFC 4180 CSV: quoted fields with doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += c;
  }
  return rows;
}

describe('workshop grid: export and who may read it', () => {
  it('exports CSV as an attachment, quoted per RFC 4180, with a quote before a name a spreadsheet would run as a formula', async () => {
    const local = await startServer({ workshop: true, workshopToken: TOKEN });
    try {
      const names = ['=HYPERLINK("http://evil.example","x")', '+1', '-2', '@SUM(A1)', 'Smith, "Jo"', '李雷'];
      for (const name of names) {
        const id = attendeeId();
        await fetch(`${local.url}/api/workshop/attendees/${id}`, { method: 'PUT', body: JSON.stringify({ name }) });
        await fetch(`${local.url}/api/workshop/attendees/${id}/results`, { method: 'POST', body: JSON.stringify({ exercise: 'ws-ack', state: 'wrong', failing: ['ack-before-next', 'acks-logged'] }) });
      }
      const res = await fetch(`${local.url}/api/workshop/instructor/export.csv`, { headers: AS_INSTRUCTOR });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="workshop-[\d-]+\.csv"$/);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark, for spreadsheets');
      const text = bytes.subarray(3).toString('utf8');
      assert.ok(text.endsWith('\r\n'));
      const [header, ...rows] = parseCsv(text);
      assert.deepEqual(header, [...CSV_COLUMNS]);
      const exercises = (await (await fetch(`${local.url}/api/workshop/instructor/grid`, { headers: AS_INSTRUCTOR })).json()).exercises;
      assert.equal(rows.length, names.length * exercises.length, 'one row per attendee and exercise');
      const ack = rows.filter((row) => row[4] === 'ws-ack');
      assert.deepEqual(ack.map((row) => row[0]), [`'=HYPERLINK("http://evil.example","x")`, "'+1", "'-2", "'@SUM(A1)", 'Smith, "Jo"', '李雷']);
      assert.deepEqual(ack[0]?.slice(4, 9), ['ws-ack', 'working', '1', 'wrong', 'ack-before-next acks-logged']);
      assert.match(text, /"Smith, ""Jo"""/, 'quotes doubled inside a quoted field');

      const json = await fetch(`${local.url}/api/workshop/instructor/export.json`, { headers: AS_INSTRUCTOR });
      assert.match(json.headers.get('content-disposition') ?? '', /^attachment; filename="workshop-[\d-]+\.json"$/);
      const body = await json.json();
      assert.equal(body.rows.length, rows.length);
      assert.deepEqual(body.rows.find((row: any) => row.name === '李雷' && row.exercise === 'ws-ack'), {
        ...body.rows.find((row: any) => row.name === '李雷' && row.exercise === 'ws-ack'),
        state: 'working',
        attempts: 1,
        failing: 'ack-before-next acks-logged',
      });
      assert.deepEqual(body.common.slice(0, 2).map((c: any) => [c.check, c.attendees]), [['ack-before-next', 6], ['acks-logged', 6]]);
    } finally {
      await local.close();
    }
  });

  it('answers the grid, the export and the answered hand only to the instructor: an attendee gets 403', async () => {
    const id = await join('Curious');
    for (const [method, path] of [['GET', 'grid'], ['GET', 'export.csv'], ['GET', 'export.json'], ['POST', 'hands/abc/answered']] as const) {
      for (const headers of [{}, { Authorization: `Bearer ${id}` }]) {
        const res = await fetch(`${server.url}/api/workshop/instructor/${path}`, { method, headers });
        await expectError(res, 403, 'INSTRUCTOR_TOKEN_REQUIRED', /Authorization: Bearer/);
      }
    }
  });

  it('answers 404 WORKSHOP_OFF for every grid endpoint when workshop mode is off', async () => {
    const off = await startServer();
    try {
      const res = await fetch(`${off.url}/api/workshop/attendees/${attendeeId()}/results`, { method: 'POST', body: '{}' });
      await expectError(res, 404, 'WORKSHOP_OFF', /--workshop/);
    } finally {
      await off.close();
    }
  });
});
