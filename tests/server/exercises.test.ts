/**
 * The exercises, proven against the real server: for each code exercise, its starter and its
 * reference solution run side by side (browser-like globals, tests/unit/exercises/harness.ts)
 * through the same Check the page runs. The solution passes every check; the starter fails at
 * least one. All exercises run at once, so the file takes as long as the slowest Check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EXERCISES, type CodeExercise } from '../../src/exercises/catalog.ts';
import type { CheckReport } from '../../src/exercises/checks.ts';
import { runCheck } from '../../src/exercises/session.ts';
import { checkExercise, HARNESS_CONFIG, nodeRuntime } from '../unit/exercises/harness.ts';
import { startServer, type TestServer } from './helpers.ts';

const CODE_EXERCISES = EXERCISES.filter((exercise): exercise is CodeExercise => exercise.kind === 'code');

/** A report as lines a failing assertion can show: each check's state, key and values. */
function describeReport(report: CheckReport): string {
  return [`state ${report.state}`, ...report.results.map((r) => `  ${r.state} ${r.id}: ${r.key} ${JSON.stringify(r.values)}`)].join('\n');
}

describe('the exercises against the real server', { concurrency: true }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(HARNESS_CONFIG);
  });
  after(() => server.close());

  for (const exercise of CODE_EXERCISES) {
    it(`${exercise.id}: the solution passes every check and the starter fails at least one`, async () => {
      const [solution, starter] = await Promise.all([checkExercise(exercise, 'solution', server.url), checkExercise(exercise, 'starter', server.url)]);
      assert.equal(solution.report.state, 'passed', `the solution of ${exercise.id}:\n${describeReport(solution.report)}\noutput:\n${solution.evidence.output.map((l) => l.text).join('\n')}`);
      assert.equal(solution.report.results.length, exercise.checks.length);
      assert.ok(starter.report.results.some((r) => r.state === 'failed'), `the starter of ${exercise.id} passed every check:\n${describeReport(starter.report)}`);
      assert.notEqual(starter.report.state, 'passed');
    });
  }
});

describe('a Check', () => {
  it('ends at once, wrong, when the code does not even parse, with the error in its output', async () => {
    const server = await startServer(HARNESS_CONFIG);
    try {
      const exercise = CODE_EXERCISES.find((e) => e.id === 'ws-close-reason') as CodeExercise;
      const started = Date.now();
      const { evidence, report } = await runCheck(exercise, 'const socket = new WebSocket(;', { base: server.url, fetch, ...nodeRuntime(server.url) });
      assert.ok(Date.now() - started < exercise.timeBoundMs / 2, 'it did not wait for the time bound');
      assert.equal(report.state, 'wrong');
      assert.ok(report.results.every((r) => r.state === 'failed'));
      assert.match(evidence.output[0]?.text ?? '', /^Uncaught SyntaxError: /);
    } finally {
      await server.close();
    }
  });

  it('says the server is unreachable, not wrong or timed out, when nothing answers', async () => {
    const gone = await startServer(HARNESS_CONFIG);
    const base = gone.url;
    await gone.close();
    const exercise = CODE_EXERCISES[0] as CodeExercise;
    const { report, evidence } = await runCheck(exercise, exercise.solution, { base, fetch, ...nodeRuntime(base) });
    assert.equal(report.state, 'unreachable');
    assert.equal(evidence.unreachable, true);
    assert.deepEqual(report.results, []);
  });
});
