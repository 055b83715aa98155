/** The exercises as data: enough of them on every technique page, each complete in both languages, its code in step with its files. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { codeModule, CODE_MODULE } from '../../../scripts/exercise-code.ts';
import { applyFaults, NO_FAULTS } from '../../../server/runs/faults.ts';
import { EXERCISES, exercisesOf, type LessonSlug, type Text } from '../../../src/exercises/catalog.ts';

const TECHNIQUE_PAGES: LessonSlug[] = ['polling', 'long-polling', 'sse', 'sse-reconnection', 'websocket', 'websocket-in-practice'];
const CHINESE = /[\u4e00-\u9fff]/;

function assertBilingual(text: Text, where: string): void {
  assert.ok(text.en.trim().length > 0, `${where}: English`);
  assert.match(text.zh, CHINESE, `${where}: Chinese`);
}

describe('the exercise catalog', () => {
  it('has at least 14 exercises, 2 or more on every technique page, and a quiz on choosing', () => {
    assert.ok(EXERCISES.length >= 14, `${EXERCISES.length} exercises`);
    for (const lesson of TECHNIQUE_PAGES) assert.ok(exercisesOf(lesson).length >= 2, lesson);
    assert.ok(exercisesOf('choosing').some((exercise) => exercise.kind === 'quiz'));
  });

  it('gives every exercise a unique id, a page that exists in both languages, and a title and task in both', () => {
    assert.equal(new Set(EXERCISES.map((e) => e.id)).size, EXERCISES.length);
    for (const exercise of EXERCISES) {
      readFileSync(`content/docs/lessons/${exercise.lesson}.mdx`);
      readFileSync(`content/docs/zh-cn/lessons/${exercise.lesson}.mdx`);
      assertBilingual(exercise.title, `${exercise.id} title`);
      assertBilingual(exercise.task, `${exercise.id} task`);
    }
  });

  it('gives every check a hint in both languages, and no hint without its check', () => {
    for (const exercise of EXERCISES) {
      if (exercise.kind !== 'code') continue;
      const ids = exercise.checks.map((check) => check.id);
      assert.equal(new Set(ids).size, ids.length, `${exercise.id}: check ids are unique`);
      assert.deepEqual(Object.keys(exercise.hints).sort(), [...ids].sort(), `${exercise.id}: hints`);
      for (const [id, hint] of Object.entries(exercise.hints)) assertBilingual(hint, `${exercise.id} hint ${id}`);
    }
  });

  it('keeps each Check short and its script pointing at steps that come before it', () => {
    for (const exercise of EXERCISES) {
      if (exercise.kind !== 'code') continue;
      assert.ok(exercise.timeBoundMs <= 10_000, `${exercise.id}: ${exercise.timeBoundMs} ms`);
      exercise.script.forEach((step, i) => {
        if (step.after.step !== undefined) assert.ok(step.after.step < i, `${exercise.id} step ${i} waits for step ${step.after.step}`);
      });
      assert.match(exercise.solution, /console\.log\('done'\)/, `${exercise.id}: the solution logs done`);
    }
  });

  it('asks only for faults the server takes, before the Check and on the way', () => {
    for (const exercise of EXERCISES) {
      if (exercise.kind !== 'code') continue;
      let faults = applyFaults(NO_FAULTS, exercise.faults);
      for (const step of exercise.script) if ('faults' in step) faults = applyFaults(faults, step.faults);
      assert.ok(faults);
    }
  });

  it('publishes the message a check waits for: a stop, a ping', () => {
    for (const exercise of EXERCISES) {
      if (exercise.kind !== 'code') continue;
      const types = new Set(exercise.script.flatMap((step) => ('publish' in step ? [step.publish.type ?? 'message'] : [])));
      for (const check of exercise.checks) {
        if (check.kind === 'stopped-when-told') assert.ok(types.has(check.params.stopType), `${exercise.id}: ${check.params.stopType}`);
        if (check.kind === 'answered-pings') assert.ok(types.has(check.params.pingType), `${exercise.id}: ${check.params.pingType}`);
        if (check.kind === 'all-once' && check.params.source !== 'acks') {
          const published: number = exercise.script.reduce((sum, step) => sum + ('publish' in step && !(check.params.except ?? []).includes(step.publish.type ?? 'message') ? step.publish.count : 0), 0);
          assert.equal(published, check.params.min, `${exercise.id}: the script publishes the messages all-once counts`);
        }
      }
      assert.notEqual(exercise.starter, exercise.solution);
    }
  });

  it('explains every quiz answer in both languages, with answers among the choices', () => {
    for (const exercise of EXERCISES) {
      if (exercise.kind !== 'quiz') continue;
      assert.ok(exercise.scenarios.length >= 4);
      for (const scenario of exercise.scenarios) {
        assert.ok(scenario.answer in exercise.choices);
        assertBilingual(scenario.prompt, `${exercise.id} ${scenario.id}`);
        assertBilingual(scenario.explanation, `${exercise.id} ${scenario.id} explanation`);
      }
    }
  });

  it('has its code module in step with the code files (node scripts/exercise-code.ts --write)', () => {
    assert.equal(readFileSync(CODE_MODULE, 'utf8'), codeModule());
  });
});
