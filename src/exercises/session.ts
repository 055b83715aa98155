/**
 * One Check of an exercise, from start to verdict: a fresh run, the exercise's faults, the
 * reader's code started in it, the exercise's script (publishes, faults set on the way) played
 * as the tap shows the client arrive, and the tap and output collected until the code logs
 * `done` or the time bound passes. The page, CI (tests/server/exercises.test.ts) and workshop
 * mode run Checks through this one function; each gives its own way to run code and read a tap.
 *
 * No DOM and no Node APIs: `fetch` and the tap reader are handed in.
 */
import type { Faults } from '../../server/runs/faults.ts';
import type { TapEvent } from '../../server/runs/tap.ts';
import { evaluateChecks, type CheckReport, type Evidence, type OutputLine } from './checks.ts';
import type { CodeExercise, ScriptStep } from './catalog.ts';

/** The line that ends a Check early: the exercises' output contract asks the code to log it last. */
export const DONE_LINE = 'done';
/** How long the Check keeps watching after `done` at least: a request sent right after it still counts. */
export const SETTLE_MS = 300;
/** How long it waits at most after `done` for the client's connections to show as closed in the tap. */
export const SETTLE_MAX_MS = 1500;

/** What a Check needs from where it runs: the page's frame and EventSource, or Node's in CI. */
export interface SessionIo {
  /** The API's origin, such as `http://127.0.0.1:3000`. */
  base: string;
  fetch: typeof fetch;
  /** Follows a run's tap (an EventSource on `url`); `onEvent` gets each `tap` event's data. */
  openTap(url: string, onEvent: (event: TapEvent) => void, onOpen: () => void, onError: () => void): { close(): void };
  /**
   * Starts the reader's code in the run, with `CHANNEL` defined as `channel`; `log` gets each
   * line it logs. `stop` ends it for good.
   */
  runCode(code: string, run: string, channel: string, log: (line: OutputLine) => void): { stop(): void };
}

/** Waits `ms`; the Check's own timers, never the reader's. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs one Check: the exercise's code (starter, solution or the reader's) against a fresh run. */
export async function runCheck(exercise: CodeExercise, code: string, io: SessionIo): Promise<{ evidence: Evidence; report: CheckReport }> {
  const startedAt = Date.now();
  // A channel of this Check's own: two readers checking at once (or CI running the starter and
  // the solution side by side) never see each other's messages.
  const channel = `${exercise.channel}-${Math.random().toString(36).slice(2, 8)}`;
  const tap: TapEvent[] = [];
  const output: OutputLine[] = [];
  const faults: Partial<Faults> = { ...exercise.faults };
  const unreachable = (): { evidence: Evidence; report: CheckReport } => {
    const evidence: Evidence = { tap, output, channel, faults, startedAt, endedAt: Date.now(), timedOut: false, unreachable: true };
    return { evidence, report: evaluateChecks(exercise.checks, evidence) };
  };

  let run: string;
  try {
    const issued = await io.fetch(`${io.base}/api/runs`, { method: 'POST' });
    if (issued.status !== 201) return unreachable();
    run = ((await issued.json()) as { run: string }).run;
  } catch {
    return unreachable();
  }
  const endRun = () => io.fetch(`${io.base}/api/runs/${run}`, { method: 'DELETE' }).catch(() => {});
  if (Object.keys(exercise.faults).length > 0) {
    const set = await io.fetch(`${io.base}/api/runs/${run}/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(exercise.faults) }).catch(() => undefined);
    if (!set) return unreachable();
    // A fault the server refuses is a mistake in the catalog, not the reader's: say so loudly.
    if (set.status !== 200) {
      await endRun();
      throw new Error(`exercise ${exercise.id}: the server refused its faults: ${await set.text()}`);
    }
  }

  // Everything from here waits on tap events: a step starts when the client's requests say so.
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const clientRequests = () => tap.filter((event) => event.kind === 'request-head' && event.technique !== 'publish').length;
  let firstRequestAt: number | undefined;
  let finished = false;
  const until = (ready: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (finished || ready()) {
          waiters.delete(check);
          resolve();
        }
      };
      waiters.add(check);
      check();
    });

  const tapOpened = await new Promise<{ close(): void } | undefined>((resolve) => {
    const reader = io.openTap(
      `${io.base}/api/runs/${run}/tap`,
      (event) => {
        tap.push(event);
        if (firstRequestAt === undefined && event.kind === 'request-head' && event.technique !== 'publish') firstRequestAt = Date.now();
        wake();
      },
      () => resolve(reader),
      () => resolve(undefined),
    );
  });
  if (!tapOpened) {
    await endRun();
    return unreachable();
  }

  let done: () => void = () => {};
  const doneLogged = new Promise<void>((resolve) => {
    done = resolve;
  });
  let program: { stop(): void };
  try {
    program = io.runCode(code, run, channel, (line) => {
      output.push(line);
      if (line.text.trim() === DONE_LINE) done();
    });
  } catch (error) {
    // The code did not even start (a syntax error): nothing will come, so the Check ends now.
    output.push({ level: 'error', text: `Uncaught ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, at: Date.now() });
    program = { stop() {} };
    done();
  }

  const finishedAt: (number | undefined)[] = exercise.script.map(() => undefined);
  // The script's own requests end with the Check: a publish held back by a latency fault is not waited for.
  const scriptAbort = new AbortController();
  const play = async (step: ScriptStep) => {
    const { requests = 1, step: previous, ms = 0 } = step.after;
    await until(() => clientRequests() >= requests && (previous === undefined || finishedAt[previous] !== undefined));
    const from = previous === undefined ? (firstRequestAt ?? Date.now()) : (finishedAt[previous] as number);
    const waitMs = from + ms - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    if (finished) return;
    if ('faults' in step) {
      Object.assign(faults, step.faults);
      await io.fetch(`${io.base}/api/runs/${run}/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(step.faults), signal: scriptAbort.signal });
      return;
    }
    for (let i = 0; i < step.publish.count && !finished; i++) {
      if (i > 0 && step.publish.everyMs > 0) await sleep(step.publish.everyMs);
      // One publish that fails (its answer lost) must not end the step early: the checks count
      // what the tap shows was published, and a step that ends early starts the next one early.
      await io
        .fetch(`${io.base}/api/channels/${channel}/messages?run=${encodeURIComponent(run)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ type: step.publish.type ?? 'message', data: { n: i + 1 } }),
          signal: scriptAbort.signal,
        })
        .catch(() => {});
    }
  };
  const script = Promise.all(
    exercise.script.map((step, i) =>
      play(step)
        .catch(() => {})
        .finally(() => {
          finishedAt[i] = Date.now();
          wake();
        }),
    ),
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), exercise.timeBoundMs);
  });
  const ended = await Promise.race([doneLogged.then(() => 'done' as const), bound]);
  if (ended === 'done') {
    // A close the client made just before `done` reaches the tap a moment later, on a busy machine later still.
    const closed = () => {
      const open = new Set<string>();
      for (const event of tap) {
        if (event.technique === 'publish') continue;
        if (event.kind === 'request-head') open.add(event.connection);
        else if (event.kind === 'close') open.delete(event.connection);
      }
      return open.size === 0;
    };
    await sleep(SETTLE_MS);
    await Promise.race([until(closed), sleep(SETTLE_MAX_MS - SETTLE_MS)]);
  }
  clearTimeout(timer);
  const endedAt = Date.now();
  finished = true;
  wake();
  // The evidence ends here: what the forced stop below closes is not the reader's doing.
  tapOpened.close();
  const evidence: Evidence = { tap: [...tap], output: [...output], channel, faults, startedAt, endedAt, timedOut: ended === 'timeout', unreachable: false };
  program.stop();
  scriptAbort.abort();
  await script;
  await endRun();
  return { evidence, report: evaluateChecks(exercise.checks, evidence) };
}
