/** The exercises' code on Chinese pages: the same code, its comments in Chinese. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXERCISES } from '../../../src/exercises/catalog.ts';
import { commentsOf, localizeComments, ZH_COMMENTS } from '../../../src/exercises/code-comments.ts';

const codeExercises = EXERCISES.flatMap((exercise) => (exercise.kind === 'code' ? [exercise] : []));
/** The code without its comments, so that two languages' versions can be compared. */
const withoutComments = (code: string) => code.replace(/(^|\s)\/\/ .*$/gm, '$1');

describe('the exercises\' code comments in Chinese', () => {
  it('has a Chinese comment for every comment of every starter and solution, and none left over', () => {
    const used = new Set<string>();
    for (const exercise of codeExercises) {
      for (const code of [exercise.starter, exercise.solution]) {
        for (const comment of commentsOf(code)) {
          assert.ok(ZH_COMMENTS[comment], `${exercise.id}: no Chinese for ${JSON.stringify(comment)}`);
          used.add(comment);
        }
      }
    }
    assert.ok(used.size > 30);
    assert.deepEqual(Object.keys(ZH_COMMENTS).filter((comment) => !used.has(comment)), [], 'translations of comments no code has');
  });

  it('changes only the comments: the code that runs is the same in both languages', () => {
    for (const exercise of codeExercises) {
      for (const code of [exercise.starter, exercise.solution]) {
        const zh = localizeComments(code, 'zh-CN');
        assert.equal(withoutComments(zh), withoutComments(code), exercise.id);
        assert.equal(zh.split('\n').length, code.split('\n').length, `${exercise.id}: same lines`);
        if (commentsOf(code).length > 0) assert.match(zh, /\/\/ .*[\u4e00-\u9fff]/, `${exercise.id}: the comments are Chinese`);
      }
      assert.equal(localizeComments(exercise.starter, 'en'), exercise.starter);
    }
  });

  it('refuses a comment it has no Chinese for, naming it and where to add it', () => {
    assert.throws(() => localizeComments('const a = 1; // a new comment\n', 'zh-CN'), /no Chinese for the exercise code comment "a new comment": add it to src\/exercises\/code-comments\.ts/);
    assert.equal(localizeComments("fetch('http://example.org/x'); // or the browser reconnects by itself", 'zh-CN'), "fetch('http://example.org/x'); // 否则浏览器会自己重连");
  });
});
