/** The recorded Checks (scripts/record-exercise-fixtures.ts), for the check library's unit tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exerciseById, type CodeExercise } from '../../../src/exercises/catalog.ts';
import type { Evidence } from '../../../src/exercises/checks.ts';

const DIR = path.join(import.meta.dirname, 'fixtures');

/** The evidence of one recorded Check, and its exercise. */
export function recorded(id: string, which: 'starter' | 'solution'): { exercise: CodeExercise; evidence: Evidence } {
  const exercise = exerciseById(id);
  if (exercise?.kind !== 'code') throw new Error(`${id} is not a code exercise`);
  const { evidence } = JSON.parse(readFileSync(path.join(DIR, `${id}.${which}.json`), 'utf8')) as { evidence: Evidence };
  return { exercise, evidence };
}

/** The request heads of a recorded tap whose request line matches `pattern`, in order. */
export function requestHeads(evidence: Evidence, pattern: RegExp): string[] {
  return evidence.tap.filter((event) => event.kind === 'request-head' && pattern.test(event.text?.split('\r\n')[0] ?? '')).map((event) => event.text ?? '');
}
