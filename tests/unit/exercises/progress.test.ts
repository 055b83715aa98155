/** Progress in localStorage, over a Map-backed storage: restored with a flag, reset, exported and imported with clear errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXERCISES } from '../../../src/exercises/catalog.ts';
import { evaluateChecks } from '../../../src/exercises/checks.ts';
import { IMPORT_ERROR_REASONS, MAX_ATTEMPTS, MAX_CODE_CHARS, MAX_PROGRESS_CHARS, PROGRESS_KEY, ProgressImportError, ProgressStore, type StorageLike } from '../../../src/exercises/progress.ts';
import { EXERCISE_STRINGS, fill } from '../../../src/exercises/strings.ts';
import { recorded } from './fixtures.ts';

class MapStorage implements StorageLike {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

const KNOWN = new Set(EXERCISES.map((exercise) => exercise.id));
const clock = () => new Date('2026-11-26T08:00:00.000Z');

/** A store with one recorded Check of the ws-ack starter in it. */
function storeWithOneCheck(storage = new MapStorage()) {
  const store = new ProgressStore(storage, { now: clock, knownIds: KNOWN });
  const { exercise, evidence } = recorded('ws-ack', 'starter');
  store.recordCheck('ws-ack', exercise.starter, evaluateChecks(exercise.checks, evidence));
  return { store, storage, exercise };
}

describe('the progress store', () => {
  it('keeps what another store (another tab, another exercise on the page) saved after this one was opened', () => {
    const storage = new MapStorage();
    const early = new ProgressStore(storage, { now: clock, knownIds: KNOWN });
    storeWithOneCheck(storage);
    early.saveCode('polling-cursor', '// mine');
    const after = new ProgressStore(storage, { now: clock, knownIds: KNOWN });
    assert.equal(after.get('ws-ack')?.attempts, 1, 'the other store\'s Check survived this one\'s save');
    assert.equal(after.get('polling-cursor')?.code, '// mine');
    early.reset('polling-cursor');
    assert.deepEqual(Object.keys(new ProgressStore(storage, { knownIds: KNOWN }).all()), ['ws-ack'], 'a reset forgets only its own exercise');
  });

  it('keeps each check\'s result, the attempts, the code and when, and restores them on the next visit with the restored flag', () => {
    const { storage, exercise } = storeWithOneCheck();
    const again = new ProgressStore(storage, { now: clock, knownIds: KNOWN });
    const { progress, restored } = again.restore('ws-ack');
    assert.equal(restored, true);
    assert.equal(progress?.state, 'timed-out');
    assert.equal(progress?.attempts, 1);
    assert.equal(progress?.code, exercise.starter);
    assert.equal(progress?.at, '2026-11-26T08:00:00.000Z');
    assert.equal(progress?.checks['ack-before-next']?.key, 'check.ack-before-next.notWaited');
    assert.equal(again.restore('ws-close-reason').restored, false, 'an exercise never tried is not "restored"');
  });

  it('counts attempts and drops the restored flag once the reader checks again', () => {
    const { storage } = storeWithOneCheck();
    const again = new ProgressStore(storage, { now: clock, knownIds: KNOWN });
    const { exercise, evidence } = recorded('ws-ack', 'solution');
    const progress = again.recordCheck('ws-ack', exercise.solution, evaluateChecks(exercise.checks, evidence));
    assert.equal(progress.attempts, 2);
    assert.equal(progress.state, 'passed');
    assert.equal(again.restore('ws-ack').restored, false);
  });

  it('keeps edited code without counting an attempt, cut at MAX_CODE_CHARS', () => {
    const store = new ProgressStore(new MapStorage(), { now: clock });
    store.saveCode('ws-ack', 'x'.repeat(MAX_CODE_CHARS + 10));
    assert.equal(store.get('ws-ack')?.attempts, 0);
    assert.equal(store.get('ws-ack')?.code.length, MAX_CODE_CHARS);
    assert.equal(store.get('ws-ack')?.state, undefined);
  });

  it('forgets one exercise on reset, and everything on reset all', () => {
    const { store, storage } = storeWithOneCheck();
    store.saveCode('ws-close-reason', 'socket.close(1000)');
    store.reset('ws-ack');
    assert.equal(new ProgressStore(storage).get('ws-ack'), undefined);
    assert.ok(new ProgressStore(storage).get('ws-close-reason'));
    store.resetAll();
    assert.equal(storage.getItem(PROGRESS_KEY), null);
    assert.deepEqual(store.all(), {});
  });

  it('exports JSON that imports into another browser unchanged', () => {
    const { store } = storeWithOneCheck();
    store.recordQuiz('choosing-quiz', { game: 'ws' }, { state: 'wrong', results: [{ id: 'game', state: 'passed', key: 'quiz.right', values: { chosen: 'ws', answer: 'ws' } }] });
    const other = new ProgressStore(new MapStorage(), { now: clock, knownIds: KNOWN });
    assert.deepEqual(other.importJson(store.exportJson()), { imported: 2, skipped: [] });
    assert.deepEqual(other.all(), store.all());
    assert.equal(other.restore('ws-ack').restored, false, 'imported, not restored from an earlier visit');
  });

  it('refuses a broken import as a whole, naming the wrong field and the value received', () => {
    const { store } = storeWithOneCheck();
    const file = JSON.parse(store.exportJson());
    const cases: [unknown, RegExp][] = [
      [{ ...file, version: 2 }, /^version must be 1; received 2$/],
      [{ version: 1 }, /^exercises must be an object of exercise ids; received nothing$/],
      [{ version: 1, exercises: { 'ws-ack': { ...file.exercises['ws-ack'], attempts: '3' } } }, /^exercises\["ws-ack"\]\.attempts must be a whole number from 0 to 1000000; received "3"$/],
      [{ version: 1, exercises: { 'ws-ack': { ...file.exercises['ws-ack'], state: 'great' } } }, /^exercises\["ws-ack"\]\.state must be one of passed, wrong, timed-out, unreachable; received "great"$/],
      [{ version: 1, exercises: { 'ws-ack': { ...file.exercises['ws-ack'], checks: { x: { state: 'passed', key: '<img>', values: {} } } } } }, /^exercises\["ws-ack"\]\.checks\["x"\]\.key must be a sentence key/],
      [{ version: 1, exercises: { 'ws-ack': { ...file.exercises['ws-ack'], at: 'yesterday' } } }, /^exercises\["ws-ack"\]\.at must be an ISO 8601 time; received "yesterday"$/],
    ];
    for (const [body, message] of cases) {
      const target = new ProgressStore(new MapStorage(), { knownIds: KNOWN });
      assert.throws(() => target.importJson(JSON.stringify(body)), (error: unknown) => error instanceof ProgressImportError && message.test(error.message), String(message));
      assert.deepEqual(target.all(), {}, 'nothing imported');
    }
    assert.throws(() => store.importJson('{nope'), { name: 'ProgressImportError', message: /^the file must be JSON, as Export writes it; / });
    assert.throws(() => store.importJson(' '.repeat(MAX_PROGRESS_CHARS + 1)), { name: 'ProgressImportError', message: /at most 524288 characters \(MAX_PROGRESS_CHARS\); received 524289$/ });
  });

  it('gives a refused import a reason and values that the page says in either language', () => {
    const target = new ProgressStore(new MapStorage(), { knownIds: KNOWN });
    const file = { version: 1, exercises: { 'ws-ack': { attempts: -2, code: '', at: '2026-01-01T00:00:00.000Z', checks: {} } } };
    assert.throws(() => target.importJson(JSON.stringify(file)), (error: unknown) => {
      assert.ok(error instanceof ProgressImportError);
      assert.equal(error.reason, 'attempts');
      assert.deepEqual(error.values, { field: 'exercises["ws-ack"].attempts', received: '-2', max: MAX_ATTEMPTS });
      assert.equal(fill(EXERCISE_STRINGS['zh-CN'][`progress.error.${error.reason}`], error.values), 'exercises["ws-ack"].attempts 应是 0 到 1000000 之间的整数，文件里是 -2。');
      return true;
    });
    assert.throws(() => target.importJson('{nope'), { reason: 'notJson' });
    for (const reason of IMPORT_ERROR_REASONS) {
      for (const lang of ['en', 'zh-CN'] as const) assert.ok(`progress.error.${reason}` in EXERCISE_STRINGS[lang], `${lang} has progress.error.${reason}`);
    }
  });

  it('leaves out exercises the course no longer has, and says which', () => {
    const { store } = storeWithOneCheck();
    const file = JSON.parse(store.exportJson());
    file.exercises['renamed-long-ago'] = file.exercises['ws-ack'];
    const other = new ProgressStore(new MapStorage(), { knownIds: KNOWN });
    assert.deepEqual(other.importJson(JSON.stringify(file)), { imported: 1, skipped: ['renamed-long-ago'] });
  });

  it('still works when storage holds garbage or refuses to be used', () => {
    const garbage = new MapStorage();
    garbage.setItem(PROGRESS_KEY, '{"version":1,"exercises":{"ws-ack":{"attempts":-1}}}');
    assert.deepEqual(new ProgressStore(garbage).all(), {});
    const refusing: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    const store = new ProgressStore(refusing);
    store.saveCode('ws-ack', 'kept in memory');
    assert.equal(store.get('ws-ack')?.code, 'kept in memory');
    store.resetAll();
  });
});
