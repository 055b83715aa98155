/**
 * The check library over recorded Checks (tests/unit/exercises/fixtures/, from
 * scripts/record-exercise-fixtures.ts): every solution passes, every starter fails, and the
 * sentences' values name the evidence that the tap and output actually hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXERCISES, type CodeExercise } from '../../../src/exercises/catalog.ts';
import { evaluateChecks, evaluateQuiz, type CheckResult, type Evidence } from '../../../src/exercises/checks.ts';
import { sentence } from '../../../src/exercises/strings.ts';
import { recorded, requestHeads } from './fixtures.ts';

const CODE_EXERCISES = EXERCISES.filter((exercise): exercise is CodeExercise => exercise.kind === 'code');

function resultOf(id: string, which: 'starter' | 'solution', check: string): CheckResult {
  const { exercise, evidence } = recorded(id, which);
  const found = evaluateChecks(exercise.checks, evidence).results.find((result) => result.id === check);
  assert.ok(found, `${id} has a check ${check}`);
  return found;
}

describe('intervals-grow', () => {
  it('calls waits of a few milliseconds flat, even when each is longer than the one before', () => {
    // The solution's Check, its clock sped up a hundred times: 200, 400, 800 ms become 2, 4, 8 ms,
    // what a loop that asks again at once shows on a busy machine.
    const { exercise, evidence } = recorded('long-poll-backoff', 'solution');
    const scale = (time: string) => new Date(evidence.startedAt + (Date.parse(time) - evidence.startedAt) / 100).toISOString();
    const fast: Evidence = { ...evidence, endedAt: evidence.startedAt + (evidence.endedAt - evidence.startedAt) / 100, tap: evidence.tap.map((event) => ({ ...event, time: scale(event.time) })) };
    const grow = evaluateChecks(exercise.checks, fast).results.find((result) => result.id === 'grow');
    assert.equal(grow?.key, 'check.intervals-grow.flat', JSON.stringify(grow));
    assert.equal(resultOf('long-poll-backoff', 'solution', 'grow').state, 'passed');
  });
});

describe('the check library over recorded Checks', () => {
  for (const exercise of CODE_EXERCISES) {
    it(`passes every check of the ${exercise.id} solution and fails one of its starter`, () => {
      const solution = evaluateChecks(exercise.checks, recorded(exercise.id, 'solution').evidence);
      assert.equal(solution.state, 'passed', JSON.stringify(solution.results.filter((r) => r.state === 'failed')));
      const starter = evaluateChecks(exercise.checks, recorded(exercise.id, 'starter').evidence);
      assert.ok(starter.results.some((r) => r.state === 'failed'));
      assert.ok(starter.state === 'wrong' || starter.state === 'timed-out');
    });
  }

  it('names the Last-Event-ID the reconnecting EventSource sent, and the messages replayed after it', () => {
    const { evidence } = recorded('sse-named-events', 'solution');
    const sent = /\r\nLast-Event-ID: (\S+)\r\n/.exec(requestHeads(evidence, /^GET \/api\/sse\//)[1] ?? '')?.[1];
    assert.ok(sent, 'the fixture has a reconnection with Last-Event-ID');
    const result = resultOf('sse-named-events', 'solution', 'resumed');
    assert.equal(result.key, 'check.resumed-from-last-id.passed');
    assert.equal(result.values.id, sent);
    assert.equal(result.values.via, 'Last-Event-ID');
    assert.match(sentence(result, 'en'), new RegExp(`reconnected with Last-Event-ID: ${sent} and was sent \\d+ more, \\S+ to \\S+\\.$`));
    assert.ok(sentence(result, 'zh-CN').includes(`Last-Event-ID: ${sent}`));
  });

  it('says that the request after the drop carried no Last-Event-ID, and names the last message the client had', () => {
    const { evidence } = recorded('sse-fetch-stream', 'starter');
    const heads = requestHeads(evidence, /^GET \/api\/sse\//);
    assert.ok(heads.length >= 2 && heads.every((head) => !/last-event-id/i.test(head)));
    const result = resultOf('sse-fetch-stream', 'starter', 'resumed');
    assert.equal(result.key, 'check.resumed-from-last-id.missing');
    const logged = evidence.output.map((line) => /^message (\S+)$/.exec(line.text)?.[1]).filter((id) => id !== undefined);
    assert.equal(result.values.last, logged[2], 'the third message, the last before the cut');
    assert.match(sentence(result, 'en'), /^The request after the drop \(\+\d+\.\d s\) carried no Last-Event-ID; the last message your client had was \S+\.$/);
  });

  it('names the lastEventId a watchdog put in its new stream\'s URL', () => {
    const { evidence } = recorded('sse-watchdog', 'solution');
    const query = new URL(`http://x${requestHeads(evidence, /^GET \/api\/sse\//)[1]?.split(' ')[1]}`).searchParams.get('lastEventId');
    const result = resultOf('sse-watchdog', 'solution', 'resumed');
    assert.equal(result.values.via, 'lastEventId');
    assert.equal(result.values.id, query);
    const watchdog = resultOf('sse-watchdog', 'solution', 'watchdog');
    assert.ok(Number(watchdog.values.silence) >= 700 && Number(watchdog.values.silence) <= 2500);
    assert.equal(resultOf('sse-watchdog', 'starter', 'watchdog').key, 'check.reconnected-after-silence.never');
  });

  it('counts the lost and doubled messages of a poll loop without a cursor, and names them', () => {
    const { evidence } = recorded('polling-cursor', 'starter');
    const result = resultOf('polling-cursor', 'starter', 'all-once');
    assert.ok(result.key === 'check.all-once.doubled' || result.key === 'check.all-once.lost');
    const cursor = resultOf('polling-cursor', 'starter', 'cursor');
    assert.ok(['check.cursor-advanced.stuck', 'check.cursor-advanced.noSince'].includes(cursor.key), cursor.key);
    const notModified = resultOf('polling-cursor', 'starter', 'not-modified');
    assert.equal(notModified.key, 'check.not-modified.noHeader');
    assert.equal(notModified.values.polls, requestHeads(evidence, /^GET \/api\/poll\//).length);
  });

  it('counts the 304s the solution got, and its waits growing after 503s and going back after news', () => {
    const { evidence } = recorded('polling-cursor', 'solution');
    const result = resultOf('polling-cursor', 'solution', 'not-modified');
    const notModified = evidence.tap.filter((event) => event.kind === 'response-head' && event.text?.startsWith('HTTP/1.1 304')).length;
    assert.equal(result.values.count, notModified);
    assert.ok(notModified >= 1);
    const grow = resultOf('polling-backoff', 'solution', 'grow');
    const waits = String(grow.values.waits).split(', ').map(Number);
    assert.ok(waits.length >= 3 && (waits.at(-1) as number) > (waits[0] as number), grow.values.waits as string);
    assert.equal(resultOf('polling-backoff', 'starter', 'grow').key, 'check.intervals-grow.flat');
    assert.ok(Number(resultOf('polling-backoff', 'solution', 'reset').values.wait) <= 250);
  });

  it('reads WebSocket frames: opcodes both ways, the close frame, acks and pongs', () => {
    const binary = resultOf('ws-binary-echo', 'starter', 'binary');
    assert.equal(binary.key, 'check.ws-opcode.notSent');
    assert.equal(binary.values.sent, '1');
    assert.equal(resultOf('ws-binary-echo', 'solution', 'array-buffer').values.bytes, 16);
    const close = resultOf('ws-close-reason', 'starter', 'close-frame');
    assert.equal(close.key, 'check.close-frame.noCode');
    assert.equal(close.values.code, 1000);
    assert.equal(sentence(resultOf('ws-close-reason', 'solution', 'close-frame'), 'en'), 'Your client closed with 1000 and the reason "read 3 messages".');
    assert.equal(resultOf('ws-ack', 'starter', 'ack-before-next').key, 'check.ack-before-next.notWaited');
    const pongs = resultOf('ws-app-ping', 'starter', 'pongs');
    assert.equal(pongs.key, 'check.answered-pings.unanswered');
    assert.equal(pongs.values.missed, pongs.values.count);
  });

  it('measures the delay before each reconnection after 1006, and the since= it resumed from', () => {
    const { evidence } = recorded('ws-reconnect', 'solution');
    const sinces = requestHeads(evidence, /^GET \/api\/ws\//).slice(1).map((head) => new URL(`http://x${head.split(' ')[1]}`).searchParams.get('since'));
    const resumed = resultOf('ws-reconnect', 'solution', 'resumed');
    assert.equal(resumed.values.id, sinces.at(-1));
    assert.equal(resumed.values.resumes, sinces.length);
    assert.equal(resultOf('ws-reconnect', 'starter', 'delay').key, 'check.reconnect-delay.tooSoon');
  });

  it('tells a stop after 204 from a client that asks again', () => {
    assert.equal(resultOf('sse-stop-on-204', 'solution', 'stopped').key, 'check.stopped-after-204.passed');
    const starter = resultOf('sse-stop-on-204', 'starter', 'stopped');
    assert.ok(['check.stopped-after-204.askedAgain', 'check.stopped-after-204.no204'].includes(starter.key), starter.key);
  });

  it('never reads the output as a whole: other lines, and ids inside longer lines, change nothing', () => {
    const { exercise, evidence } = recorded('long-poll-loop', 'solution');
    const noisy: Evidence = {
      ...evidence,
      output: [
        { level: 'log', text: 'starting', at: evidence.startedAt },
        ...evidence.output.flatMap((line) => [line, { ...line, text: `just received ${line.text} (again, in a sentence)` }]),
      ],
    };
    assert.equal(evaluateChecks(exercise.checks, noisy).state, 'passed');
    const doubled: Evidence = { ...evidence, output: [...evidence.output, ...evidence.output.filter((line) => line.text !== 'done')] };
    assert.equal(evaluateChecks(exercise.checks, doubled).results.find((r) => r.id === 'all-once')?.key, 'check.all-once.doubled');
  });

  it('keeps wrong, timed out and unreachable apart', () => {
    const { exercise, evidence } = recorded('ws-ack', 'starter');
    assert.equal(evaluateChecks(exercise.checks, { ...evidence, timedOut: false }).state, 'wrong');
    assert.equal(evaluateChecks(exercise.checks, { ...evidence, timedOut: true }).state, 'timed-out');
    assert.deepEqual(evaluateChecks(exercise.checks, { ...evidence, unreachable: true }), { state: 'unreachable', results: [] });
    const solution = recorded('ws-ack', 'solution').evidence;
    assert.equal(evaluateChecks(exercise.checks, { ...solution, timedOut: true }).state, 'passed', 'every check held: the time bound does not matter');
  });
});

describe('the quiz', () => {
  const quiz = EXERCISES.find((exercise) => exercise.kind === 'quiz');
  it('checks each answer and names both the chosen and the right one', () => {
    assert.ok(quiz?.kind === 'quiz');
    const answers = Object.fromEntries(quiz.scenarios.map((s) => [s.id, s.answer]));
    assert.equal(evaluateQuiz(quiz.scenarios, answers).state, 'passed');
    const first = quiz.scenarios[0];
    assert.ok(first);
    const wrongChoice = first.answer === 'ws' ? 'poll' : 'ws';
    const report = evaluateQuiz(quiz.scenarios, { ...answers, [first.id]: wrongChoice, [quiz.scenarios[1]?.id ?? '']: undefined });
    assert.equal(report.state, 'wrong');
    assert.deepEqual(report.results[0], { id: first.id, state: 'failed', key: 'quiz.wrong', values: { chosen: wrongChoice, answer: first.answer } });
    assert.equal(report.results[1]?.key, 'quiz.unanswered');
  });
});
