/**
 * Records what each exercise's starter and reference solution do against the real server, as
 * JSON fixtures for the check library's unit tests (tests/unit/exercises/fixtures/):
 *   node scripts/record-exercise-fixtures.ts            all code exercises
 *   node scripts/record-exercise-fixtures.ts ws-ack ... only these
 * A fixture is written only when the solution passes every check and the starter fails one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXERCISES, type CodeExercise } from '../src/exercises/catalog.ts';
import type { Evidence } from '../src/exercises/checks.ts';
import { checkExercise, HARNESS_CONFIG } from '../tests/unit/exercises/harness.ts';
import { startServer } from '../tests/server/helpers.ts';

export const FIXTURES_DIR = 'tests/unit/exercises/fixtures';

/** A fixture as JSON with one tap event or output line per line: small, and readable in a diff. */
function fixtureText(exercise: string, which: string, evidence: Evidence): string {
  const { tap, output, ...rest } = evidence;
  const list = (items: readonly unknown[]) => (items.length === 0 ? '[]' : `[\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]`);
  return `{"exercise":${JSON.stringify(exercise)},"which":${JSON.stringify(which)},"evidence":{${Object.entries(rest).map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')},\n"output":${list(output)},\n"tap":${list(tap)}}}\n`;
}

const wanted = process.argv.slice(2);
const exercises = EXERCISES.filter((exercise): exercise is CodeExercise => exercise.kind === 'code' && (wanted.length === 0 || wanted.includes(exercise.id)));
const server = await startServer(HARNESS_CONFIG);
mkdirSync(FIXTURES_DIR, { recursive: true });
let failed = 0;
await Promise.all(
  exercises.map(async (exercise) => {
    const [solution, starter] = await Promise.all([checkExercise(exercise, 'solution', server.url), checkExercise(exercise, 'starter', server.url)]);
    if (solution.report.state !== 'passed' || starter.report.results.every((r) => r.state === 'passed')) {
      failed += 1;
      console.error(`${exercise.id}: not recorded (solution ${solution.report.state}, starter ${starter.report.state})`);
      return;
    }
    for (const [which, { evidence }] of [['solution', solution], ['starter', starter]] as const) {
      writeFileSync(path.join(FIXTURES_DIR, `${exercise.id}.${which}.json`), fixtureText(exercise.id, which, evidence));
    }
    console.log(`${exercise.id}: recorded (starter ${starter.report.state})`);
  }),
);
await server.close();
process.exit(failed > 0 ? 1 : 0);
