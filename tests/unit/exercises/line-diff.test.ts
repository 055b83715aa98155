/** The solution diff: every line kept, removed or added, in order, and the whole of both sides recoverable. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXERCISES } from '../../../src/exercises/catalog.ts';
import { lineDiff } from '../../../src/exercises/line-diff.ts';

const side = (lines: ReturnType<typeof lineDiff>, kind: 'removed' | 'added') => lines.filter((line) => line.kind !== kind).map((line) => line.text.trimEnd()).join('\n');

describe('the line diff of the reader\'s code against the solution', () => {
  it('marks a changed line as removed then added, and keeps the lines around it', () => {
    assert.deepEqual(lineDiff('a\nb\nc\n', 'a\nB\nc\n'), [
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'B' },
      { kind: 'same', text: 'c' },
    ]);
  });

  it('finds nothing to change between equal code, trailing spaces aside', () => {
    assert.ok(lineDiff('x  \ny', 'x\ny\n').every((line) => line.kind === 'same'));
  });

  it('gives back both sides whole for every starter against its solution', () => {
    for (const exercise of EXERCISES) {
      if (exercise.kind !== 'code') continue;
      const lines = lineDiff(exercise.starter, exercise.solution);
      assert.equal(side(lines, 'added'), exercise.starter.replace(/\n$/, '').split('\n').map((l) => l.trimEnd()).join('\n'), exercise.id);
      assert.equal(side(lines, 'removed'), exercise.solution.replace(/\n$/, '').split('\n').map((l) => l.trimEnd()).join('\n'), exercise.id);
      assert.ok(lines.some((line) => line.kind !== 'same'), `${exercise.id}: the starter differs from the solution`);
    }
  });
});
