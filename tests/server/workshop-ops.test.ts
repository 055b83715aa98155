/**
 * Workshop mode, the host's side: a fault on every attendee's runs from the instructor's
 * dashboard (POST /api/workshop/instructor/faults), and the workshop's state kept across a
 * restart in DATA_DIR (server/workshop/store.ts). Real servers on port 0, real clients.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { preflightReport } from '../../server/workshop/preflight.ts';
import { STATE_FILE_NAME } from '../../server/workshop/store.ts';
import { FrameReader, newRun, nextEvent, startServer, until, type TestServer } from './helpers.ts';

const TOKEN = 'ops-instructor-token-0123456789abcdef';
const AUTH = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

function attendeeId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

async function join(server: TestServer, id: string, name: string): Promise<void> {
  const res = await fetch(`${server.url}/api/workshop/attendees/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });
  assert.equal(res.status, 200);
}

function classFault(server: TestServer, body: unknown, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetch(`${server.url}/api/workshop/instructor/faults`, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** Follows a run's tap with fetch and keeps its `tap` events. */
function followTap(server: TestServer, run: string) {
  const controller = new AbortController();
  const events: { kind: string; fault?: string; by?: string; connection: string; text?: string }[] = [];
  const ready = fetch(`${server.url}/api/runs/${run}/tap`, { signal: controller.signal }).then(async (res) => {
    assert.equal(res.status, 200);
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let end; (end = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(end + 2)) {
            const block = buffer.slice(0, end);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (/^event: tap$/m.test(block) && data) events.push(JSON.parse(data));
          }
        }
      } catch {
        // Aborted at the end of the test: the one expected error.
      }
    })();
  });
  return { events, ready, close: () => controller.abort() };
}

/** An attendee's control stream, keeping every event by name. */
async function control(server: TestServer, id: string, lastEventId?: string) {
  const events: { type: string; data: any; id: string }[] = [];
  const source = new EventSource(`${server.url}/api/workshop/attendees/${id}/control`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) } }),
  });
  for (const type of ['welcome', 'fault', 'notice', 'missed']) source.addEventListener(type, (event) => events.push({ type, data: JSON.parse(event.data), id: event.lastEventId }));
  await nextEvent(source, 'welcome');
  return { source, events };
}

describe('workshop ops: a fault on every attendee\'s runs', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ workshop: true, workshopToken: TOKEN, sseRetryMs: 20 });
  });
  after(() => server.close());

  it('drops every live run\'s connections at once: each run\'s tap shows the drop and the reconnection, and every attendee hears `fault` with how many runs it reached', async () => {
    const attendee = attendeeId();
    await join(server, attendee, 'Ada');
    const { source: controlStream, events } = await control(server, attendee);
    const runs = await Promise.all([newRun(server), newRun(server), newRun(server)]);
    const taps = runs.map((run) => followTap(server, run));
    await Promise.all(taps.map((tap) => tap.ready));
    const sources = runs.map((run) => new EventSource(`${server.url}/api/sse/class-drop?run=${run}`));
    const connected = Promise.all(sources.map((source) => nextEvent(source, 'connected')));
    const sockets = await Promise.all(runs.map((run) => new FrameReader(server.ws(`/api/ws/class-drop?run=${run}`)).opened()));
    try {
      await connected;
      const res = await classFault(server, { fault: 'drop' });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { runs: number; connections: number; fault: { fault: string; mode: string } };
      assert.deepEqual(body.fault, { fault: 'drop', mode: 'abrupt' });
      assert.ok(body.runs >= 3 && body.connections >= 6, `reached ${body.runs} runs, ${body.connections} connections`);
      for (const [i, tap] of taps.entries()) {
        await until(() => tap.events.filter((e) => e.kind === 'fault' && e.fault === 'drop-abrupt').length === 2, `run ${i}: a drop on its SSE stream and its WebSocket`);
        await until(() => tap.events.filter((e) => e.kind === 'close' && e.by === 'fault').length === 2, `run ${i}: both closes by the fault`);
        await until(() => tap.events.filter((e) => e.kind === 'request-head' && e.text?.startsWith('GET /api/sse/')).length === 2, `run ${i}: the SSE stream reconnects`);
      }
      await until(() => events.some((e) => e.type === 'fault'), 'the fault event on the attendee\'s control stream');
      const told = events.find((e) => e.type === 'fault')?.data;
      assert.equal(told.fault, 'drop');
      assert.equal(told.runs, body.runs);
      assert.ok(Number.isInteger(told.at));
    } finally {
      for (const source of sources) source.close();
      for (const socket of sockets) socket.ws.terminate();
      for (const tap of taps) tap.close();
      controlStream.close();
    }
  });

  it('sets latency, refused reconnects and the restart on every live run as their own faults, and clears them all', async () => {
    const runs = await Promise.all([newRun(server), newRun(server)]);
    const faultsOf = async (run: string) => (await fetch(`${server.url}/api/runs/${run}/faults`)).json() as Promise<Record<string, unknown>>;
    assert.equal((await classFault(server, { fault: 'latency', ms: 400 })).status, 200);
    assert.equal((await classFault(server, { fault: 'refuseReconnects' })).status, 200);
    const restart = (await (await classFault(server, { fault: 'restart' })).json()) as { runs: number };
    assert.ok(restart.runs >= 2);
    for (const run of runs) {
      assert.deepEqual(await faultsOf(run), { latencyMs: 400, jitterMs: 0, proxyBuffering: 0, dropAfter: null, refuseReconnects: { status: 503, count: 3 }, historyLimit: null, restart: true });
    }
    const refused = await fetch(`${server.url}/api/poll/class-faults?run=${runs[0]}`);
    assert.equal(refused.status, 503, 'the refused reconnect answers as the run fault does');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'REFUSED_BY_FAULT');
    assert.equal((await classFault(server, { fault: 'clear' })).status, 200);
    for (const run of runs) assert.deepEqual(await faultsOf(run), { latencyMs: 0, jitterMs: 0, proxyBuffering: 0, dropAfter: null, refuseReconnects: null, historyLimit: null, restart: false });
  });

  it('answers only the instructor\'s token: an attendee or a stranger gets 403 and no run is touched', async () => {
    const run = await newRun(server);
    for (const headers of [{ 'Content-Type': 'application/json' }, { Authorization: `Bearer ${TOKEN}x`, 'Content-Type': 'application/json' }]) {
      const res = await classFault(server, { fault: 'latency', ms: 1000 }, headers);
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'INSTRUCTOR_TOKEN_REQUIRED');
    }
    const faults = (await (await fetch(`${server.url}/api/runs/${run}/faults`)).json()) as { latencyMs: number };
    assert.equal(faults.latencyMs, 0);
  });

  it('refuses an unknown fault, a parameter out of range or one the fault does not take, with 400 INVALID_FAULT naming what it received', async () => {
    const cases: [unknown, RegExp][] = [
      [{ fault: 'explode' }, /fault must be one of "drop", "restart", "latency", "refuseReconnects", "clear"; received "explode"/],
      [{ fault: 'latency', ms: 0 }, /ms must be an integer from 1 to 10000 .*; received 0/],
      [{ fault: 'latency' }, /ms must be an integer from 1 to 10000/],
      [{ fault: 'drop', mode: 'gentle' }, /mode must be "abrupt" .* or "clean" .*; received "gentle"/],
      [{ fault: 'clear', ms: 5 }, /the class fault "clear" takes no other field, not "ms"/],
      [{ fault: 'refuseReconnects', status: 418 }, /refuseReconnects must be \{"status": 204\|404\|500\|503/],
      [['drop'], /the body must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await classFault(server, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'INVALID_FAULT');
      assert.match(error.message, message);
    }
  });
});

describe('workshop ops: nothing lost on restart', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function dataDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rl-workshop-'));
    dirs.push(dir);
    return dir;
  }

  /** A workshop server on `dir` with a kept part of its own, its state loaded as main.ts does. */
  async function startOn(dir: string) {
    const server = await startServer({ workshop: true, workshopToken: TOKEN, dataDir: dir, workshopSaveMs: 5 });
    const store = server.app.workshopStore;
    assert.ok(store);
    const part = { value: { locked: false } as unknown, snapshot: () => part.value, restore: (value: unknown) => void (part.value = value) };
    store.workshop.keep('test-part', part);
    const report = await store.load();
    return { server, store, part, report };
  }

  it('keeps the attendees, every kept part and the event ids when a server is stopped and started on the same data folder', async () => {
    const dir = dataDir();
    const first = await startOn(dir);
    assert.equal(first.report.attendees, 0);
    assert.equal(first.report.problem, undefined);
    const id = attendeeId();
    await join(first.server, id, '李雷');
    const selfTest = { poll: { ok: true, ms: 5 }, longPoll: { ok: true, ms: 9 }, sse: { ok: true, ms: 3 }, websocket: { ok: false, ms: 5000 } };
    await fetch(`${first.server.url}/api/workshop/attendees/${id}/self-test`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(selfTest) });
    first.part.value = { locked: true };
    first.store.workshop.changed();
    const notice = (await (await fetch(`${first.server.url}/api/workshop/instructor/notices`, { method: 'POST', headers: AUTH, body: '{"text":"before the restart"}' })).json()) as { notice: { id: number } };
    await until(() => first.store.saves > 0 && JSON.parse(readFileSync(path.join(dir, STATE_FILE_NAME), 'utf8')).parts['test-part']?.locked === true, 'a save with the part');
    await first.server.close();

    const second = await startOn(dir);
    try {
      assert.equal(second.report.attendees, 1);
      // The class's and the grid's parts are kept too (their own tests check what they hold).
      assert.deepEqual(second.report.parts, ['class', 'grid', 'test-part']);
      assert.deepEqual(second.part.value, { locked: true });
      const { attendees } = (await (await fetch(`${second.server.url}/api/workshop/instructor/attendees`, { headers: AUTH })).json()) as { attendees: { name: string; present: boolean; selfTest: unknown }[] };
      assert.deepEqual(attendees, [{ name: '李雷', present: false, selfTest }], 'back, not present until it reconnects');
      // The browser still holds its id: its control stream opens without a new join.
      const back = await control(second.server, id, String(notice.notice.id));
      const next = (await (await fetch(`${second.server.url}/api/workshop/instructor/notices`, { method: 'POST', headers: AUTH, body: '{"text":"after"}' })).json()) as { notice: { id: number } };
      assert.equal(next.notice.id, notice.notice.id + 1, 'ids go on from where they were');
      await until(() => back.events.some((e) => e.type === 'notice'), 'the new notice');
      assert.deepEqual(back.events.map((e) => e.type), ['welcome', 'notice']);
      back.source.close();
      // An id from before the restart whose event is not kept any more hears `missed`.
      const old = await control(second.server, id, String(notice.notice.id - 1));
      await until(() => old.events.some((e) => e.type === 'missed'), 'missed');
      assert.deepEqual(old.events.find((e) => e.type === 'missed')?.data, { after: notice.notice.id - 1, latest: next.notice.id });
      old.source.close();
    } finally {
      await second.server.close();
    }
    const saved = JSON.parse(readFileSync(path.join(dir, STATE_FILE_NAME), 'utf8'));
    assert.equal(saved.attendees.eventId, notice.notice.id + 1, 'saved again at close');
    assert.deepEqual(readdirSync(dir), [STATE_FILE_NAME], 'no temporary file left behind');
  });

  it('is loaded by `npm start` before it listens, named in the pre-flight report, and saved when the server stops', async () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, STATE_FILE_NAME), JSON.stringify({ format: 'realtime-lab-workshop', version: 1, savedAt: '', attendees: { eventId: 7, attendees: [{ id: 'a'.repeat(22), name: 'Ada', selfTest: null }] }, parts: { later: { kept: true } } }));
    const child = spawn(process.execPath, ['server/main.ts', '--port', '0', '--workshop'], {
      env: { ...process.env, SITE_DIR: 'tests/server/fixtures/site', WORKSHOP_TOKEN: TOKEN, DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        if (/Open http:\/\/\S+\//.test(output)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });
    assert.match(output, new RegExp(`ok {2}the workshop's state is saved to the file ${path.join(dir, STATE_FILE_NAME).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a restart loses nothing; 1 attendee came back from the last run`));
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    await exited;
    const saved = JSON.parse(readFileSync(path.join(dir, STATE_FILE_NAME), 'utf8'));
    assert.equal(saved.attendees.eventId, 7);
    assert.deepEqual(saved.parts.later, { kept: true }, 'a part no code claims is written back as it was');
    assert.equal(saved.attendees.attendees[0].name, 'Ada');
  });

  it('starts anyway on a corrupt or old file, sets it aside, says where and what was wrong, and saves afresh', async () => {
    for (const [text, wrong] of [
      ['{"format": "realtime-lab-workshop", "version": 1, "parts": {}, "attend', /is not JSON/],
      ['{"format": "realtime-lab-workshop", "version": 0, "attendees": {}, "parts": {}}', /version 0, and this server reads version 1/],
      ['{"format": "realtime-lab-workshop", "version": 1, "attendees": {"eventId": -3}, "parts": {}}', /eventId: integer >= 0/],
    ] as const) {
      const dir = dataDir();
      writeFileSync(path.join(dir, STATE_FILE_NAME), text);
      const { server, store, report } = await startOn(dir);
      try {
        assert.match(report.problem ?? '', wrong);
        assert.match(report.problem ?? '', new RegExp(`the file ${path.join(dir, STATE_FILE_NAME).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a saved workshop state .* set aside as .*\\.bad-`));
        const aside = readdirSync(dir).find((name) => name.startsWith(`${STATE_FILE_NAME}.bad-`));
        assert.ok(aside, 'the bad file is kept aside');
        assert.equal(readFileSync(path.join(dir, aside), 'utf8'), text);
        const lines = preflightReport({ port: 1, attendeeUrls: [], openFileLimit: 65536, seats: 10, redisUrl: '', state: report }).join('\n');
        assert.match(lines, /!! {2}the file .* is not a saved workshop state/);
        await join(server, attendeeId(), 'Grace');
        await until(() => store.saves > 0, 'a fresh save');
        assert.equal(JSON.parse(readFileSync(path.join(dir, STATE_FILE_NAME), 'utf8')).attendees.attendees[0].name, 'Grace');
      } finally {
        await server.close();
      }
    }
  });
});
