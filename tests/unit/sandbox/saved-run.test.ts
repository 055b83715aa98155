/** Saved runs: what "Open run…" accepts, and which field it names when a file is not a run. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RUN_FILE_BYTES, parseSavedRun, RUN_FORMAT, RUN_VERSION, runFileName, runFileText, type SavedRun } from '../../../src/sandbox/page/saved-run.ts';

function run(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    title: 'Echo',
    code: "new WebSocket('/api/echo')",
    faults: [{ at: 120, faults: { latencyMs: 200 } }],
    startedAt: '2026-11-26T08:00:00.000Z',
    t0: 1795680000000.25,
    clockOffsetMs: -3.5,
    browser: [{ k: 'wire', t: 1795680000100, id: 1, kind: 'ws', ev: 'start', method: 'GET', url: 'ws://localhost/api/echo', bytesOut: 0, headBytes: 200 }],
    server: [{ seq: 1, time: '2026-11-26T08:00:00.110Z', connection: 'c1', technique: 'echo', direction: 'in', kind: 'request-head', bytes: 300, text: 'GET /api/echo HTTP/1.1\r\n\r\n' }],
    output: [{ at: 130, level: 'log', text: 'open' }],
    ...overrides,
  };
}

describe('parseSavedRun', () => {
  it('accepts a run as Save run writes it', () => {
    const parsed = parseSavedRun(JSON.stringify(run()));
    assert.equal(parsed.ok, true);
    assert.equal(parsed.ok && parsed.run.server[0]?.connection, 'c1');
  });

  it('refuses text that is not JSON, and a file past MAX_RUN_FILE_BYTES before parsing it', () => {
    assert.deepEqual(parseSavedRun('{ not json'), { ok: false, problem: 'notJson' });
    const big = parseSavedRun(' '.repeat(MAX_RUN_FILE_BYTES + 1));
    assert.deepEqual(big, { ok: false, problem: 'tooLarge', bytes: MAX_RUN_FILE_BYTES + 1 });
  });

  it('names the field that is wrong, and what it should be', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ format: 'something-else' }, 'format', 'format'],
      [{ version: 2 }, 'version', 'version'],
      [{ code: 42 }, 'code', 'text'],
      [{ startedAt: 'yesterday' }, 'startedAt', 'time'],
      [{ clockOffsetMs: 'soon' }, 'clockOffsetMs', 'number'],
      [{ t0: null }, 't0', 'number'],
      [{ browser: {} }, 'browser', 'list'],
      [{ browser: [{ k: 'wire', t: 1, id: 1, kind: 'carrier-pigeon', ev: 'start' }] }, 'browser[0].kind', 'kind'],
      [{ server: [null] }, 'server[0]', 'object'],
      [{ server: [{ ...(run().server as object[])[0], direction: 'sideways' }] }, 'server[0].direction', 'direction'],
      [{ server: [{ ...(run().server as object[])[0], time: 12 }] }, 'server[0].time', 'time'],
      [{ output: [{ at: 1, level: 'log' }] }, 'output[0].text', 'text'],
    ];
    for (const [overrides, field, expected] of cases) {
      assert.deepEqual(parseSavedRun(JSON.stringify(run(overrides))), { ok: false, problem: 'field', field, expected }, JSON.stringify(overrides));
    }
    assert.deepEqual(parseSavedRun('[1, 2]'), { ok: false, problem: 'field', field: 'file', expected: 'object' });
  });

  it('writes a run larger than the limit without its oldest events, so Open run reads every file Save run writes', () => {
    const base = run() as unknown as SavedRun;
    const event = (base.server[0] as SavedRun['server'][number]);
    const big = { ...base, server: Array.from({ length: 400 }, (_, i) => ({ ...event, seq: i + 1, text: 'x'.repeat(2048) })) };
    const text = runFileText(big, 200_000);
    assert.ok(Buffer.byteLength(text) <= 200_000);
    const parsed = parseSavedRun(text);
    assert.equal(parsed.ok, true);
    const kept = parsed.ok ? parsed.run.server : [];
    assert.ok(kept.length > 50 && kept.length < 400);
    assert.equal(kept.at(-1)?.seq, 400, 'the newest events are kept');
    assert.equal(runFileText(base), JSON.stringify(base, null, 1));
  });

  it('names a file after the sandbox and the time it ran, without characters file systems refuse', () => {
    assert.equal(runFileName('echo', '2026-11-26T08:00:00.000Z'), 'realtime-lab-run-echo-2026-11-26T08-00-00-000Z.json');
  });
});
