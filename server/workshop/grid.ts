/**
 * The class grid: where each attendee is (the page it last opened) and how each of its exercises
 * goes (fed by the exercise Checks its pages report), the most common failing checks, and the
 * help queue of raised hands. One ClassGrid per workshop, kept across restarts (Workshop.keep).
 *
 * A cell (attendee × exercise) is derived from one record, never counted twice:
 *   not started  no Check reported yet;
 *   passed       the last Check passed;
 *   stuck        STUCK_AFTER_FAILED_CHECKS or more Checks in a row without a pass, or a hand
 *                raised on that exercise;
 *   working      any other Check reported.
 */
import crypto from 'node:crypto';
import { EXERCISES } from '../../src/exercises/catalog.ts';
import type { OverallState } from '../../src/exercises/checks.ts';
import { ApiError, describeValue } from '../errors.ts';
import type { KeptPart } from './presence.ts';

/** Checks in a row without a pass after which a cell counts as stuck. */
export const STUCK_AFTER_FAILED_CHECKS = 3;
/** The overall states a Check reports (src/exercises/checks.ts, OverallState). */
export const REPORTED_STATES = ['passed', 'wrong', 'timed-out', 'unreachable'] as const satisfies readonly OverallState[];
/** Longest page path an attendee may report (a path of this site is far shorter). */
export const PAGE_PATH_MAX_CHARS = 512;
/** Longest page title an attendee may report. */
export const PAGE_TITLE_MAX_CHARS = 200;

export type ReportedState = (typeof REPORTED_STATES)[number];
// Every state checks.ts can give is one the server accepts: this fails to compile when one is added there.
const everyStateAccepted: [Exclude<OverallState, ReportedState>] extends [never] ? true : never = true;
void everyStateAccepted;

/** A cell's state on the grid. */
export type CellState = 'not-started' | 'working' | 'passed' | 'stuck';

/** The grid's columns: every exercise in the catalog's order, with the ids of its checks (a quiz's are its scenarios). */
const GRID_EXERCISES = new Map(EXERCISES.map((e) => [e.id, { id: e.id, checks: (e.kind === 'code' ? e.checks : e.scenarios).map((c) => c.id) }]));
type GridExercise = { id: string; checks: string[] };

/** The page an attendee reported last. */
export interface PageSeen {
  path: string;
  title: string;
  /** ms since the epoch */
  at: number;
}

/** One Check's report: `failing` lists the check ids that failed. */
export interface CheckReportIn {
  exercise: string;
  state: ReportedState;
  failing: string[];
}

/** What a raised hand carries. */
export interface HandIn {
  exercise: string | null;
  code: string;
  failing: string[];
  page: string;
}

interface Cell {
  attempts: number;
  last: ReportedState;
  failing: string[];
  /** Checks since the last pass (all of them when none passed). */
  failedInARow: number;
  /** How many Checks failed each check, over all attempts. */
  failures: Record<string, number>;
  firstAt: number;
  lastAt: number;
}

interface Hand extends HandIn {
  id: string;
  attendee: string;
  raisedAt: number;
}

/** What the instructor sees of a cell. */
export interface CellView {
  state: CellState;
  attempts: number;
  last: ReportedState | null;
  failing: string[];
  firstAt: number | null;
  lastAt: number | null;
}

/** A hand as the instructor sees it: no attendee id, the name instead. */
export interface HandView {
  id: string;
  name: string;
  exercise: string | null;
  failing: string[];
  code: string;
  page: string;
  raisedAt: number;
}

/** Everything `GET /api/workshop/instructor/grid` answers. */
export interface GridView {
  stuckAfter: number;
  exercises: string[];
  attendees: { name: string; present: boolean; page: PageSeen | null; hand: string | null; cells: Record<string, CellView> }[];
  /** Failing checks, most attendees first: how many attendees' last Check of the exercise failed it, and how many Checks did in all. */
  common: { exercise: string; check: string; attendees: number; failures: number }[];
  hands: HandView[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuseKeys(record: Record<string, unknown>, allowed: readonly string[], code: string, shape: string): void {
  const extra = Object.keys(record).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw new ApiError(400, code, `${shape}; received unknown keys ${describeValue(extra)}`);
}

/** Whether `value` is a path of this site: one leading "/", printable, at most PAGE_PATH_MAX_CHARS; the dashboard links to it. */
function isSitePath(value: unknown): value is string {
  // A backslash counts as "/" in a browser's URL parser: "/\host" would link to another site.
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && value.length <= PAGE_PATH_MAX_CHARS && !/[\s\\\p{Cc}\p{Cf}]/u.test(value);
}

/** The path `value`, or a 400 in the shape of `code`. */
function checkPath(value: unknown, code: string, shape: string): string {
  if (!isSitePath(value)) {
    throw new ApiError(400, code, `${shape}; "path" must be a path of this site starting with one "/", without spaces, backslashes or control characters, at most ${PAGE_PATH_MAX_CHARS} characters; received ${describeValue(value)}`);
  }
  return value;
}

/** Throws a 400 unless `value` is `{ path, title }`: the page an attendee has open. */
export function checkPageReport(value: unknown): { path: string; title: string } {
  const shape = 'a page report is { "path": "/lessons/sse/", "title": "..." }';
  if (!isRecord(value)) throw new ApiError(400, 'INVALID_PAGE', `${shape}; received ${describeValue(value)}`);
  refuseKeys(value, ['path', 'title'], 'INVALID_PAGE', shape);
  const path = checkPath(value.path, 'INVALID_PAGE', shape);
  const title = typeof value.title === 'string' ? value.title.trim().replace(/\s+/g, ' ') : undefined;
  if (title === undefined || [...title].length > PAGE_TITLE_MAX_CHARS || /[\p{Cc}\p{Cf}]/u.test(title)) {
    throw new ApiError(400, 'INVALID_PAGE', `${shape}; "title" must be text of at most ${PAGE_TITLE_MAX_CHARS} characters; received ${describeValue(value.title)}`);
  }
  return { path, title };
}

/** The exercise named `value`, or a 400 that lists what exists. */
function checkExercise(value: unknown, code: string): GridExercise {
  const exercise = typeof value === 'string' ? GRID_EXERCISES.get(value) : undefined;
  if (!exercise) throw new ApiError(400, code, `"exercise" must be the id of an exercise (${[...GRID_EXERCISES.keys()].join(', ')}); received ${describeValue(value)}`);
  return exercise;
}

/** Check ids of `exercise`, each once. */
function checkFailing(value: unknown, exercise: GridExercise, code: string): string[] {
  const ids = exercise.checks;
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string' || !ids.includes(id)) || new Set(value).size !== value.length) {
    throw new ApiError(400, code, `"failing" must list check ids of ${exercise.id}, each at most once (${ids.join(', ')}); received ${describeValue(value)}`);
  }
  return value as string[];
}

/** Throws a 400 unless `value` is one Check's report: `{ exercise, state, failing }`, consistent with each other. */
export function checkResultReport(value: unknown): CheckReportIn {
  const shape = `a Check's report is { "exercise": "<exercise id>", "state": ${REPORTED_STATES.map((s) => `"${s}"`).join(' | ')}, "failing": ["<check id>", ...] }`;
  if (!isRecord(value)) throw new ApiError(400, 'INVALID_RESULT', `${shape}; received ${describeValue(value)}`);
  refuseKeys(value, ['exercise', 'state', 'failing'], 'INVALID_RESULT', shape);
  const exercise = checkExercise(value.exercise, 'INVALID_RESULT');
  if (!(REPORTED_STATES as readonly unknown[]).includes(value.state)) {
    throw new ApiError(400, 'INVALID_RESULT', `"state" must be one of ${REPORTED_STATES.join(', ')}; received ${describeValue(value.state)}`);
  }
  const state = value.state as ReportedState;
  const failing = checkFailing(value.failing, exercise, 'INVALID_RESULT');
  // What checks.ts can produce: passed has no failed check, wrong has one at least, unreachable evaluated none.
  if ((state === 'passed' || state === 'unreachable') && failing.length > 0) {
    throw new ApiError(400, 'INVALID_RESULT', `a Check that is "${state}" has no failing check; received "failing": ${describeValue(failing)}`);
  }
  if (state === 'wrong' && failing.length === 0) {
    throw new ApiError(400, 'INVALID_RESULT', 'a Check that is "wrong" has one failing check at least; received "failing": []');
  }
  return { exercise: exercise.id, state, failing };
}

/** Throws a 400 unless `value` is a raised hand: `{ exercise?, code, failing, page }`, the code at most `maxBytes` of UTF-8. */
export function checkHand(value: unknown, maxBytes: number): HandIn {
  const shape = 'a raised hand is { "exercise": "<exercise id>" or null, "code": "...", "failing": ["<check id>", ...], "page": "/lessons/sse/" }';
  if (!isRecord(value)) throw new ApiError(400, 'INVALID_HAND', `${shape}; received ${describeValue(value)}`);
  refuseKeys(value, ['exercise', 'code', 'failing', 'page'], 'INVALID_HAND', shape);
  const exercise = value.exercise === undefined || value.exercise === null ? null : checkExercise(value.exercise, 'INVALID_HAND');
  if (typeof value.code !== 'string') throw new ApiError(400, 'INVALID_HAND', `${shape}; "code" must be a string; received ${describeValue(value.code)}`);
  const bytes = Buffer.byteLength(value.code);
  if (bytes > maxBytes) {
    throw new ApiError(400, 'HAND_CODE_TOO_LONG', `the code of a raised hand is at most ${maxBytes} bytes (WORKSHOP_HAND_CODE_MAX_BYTES); received ${bytes} bytes: send the part you need help with`);
  }
  const failing = exercise ? checkFailing(value.failing ?? [], exercise, 'INVALID_HAND') : [];
  if (!exercise && value.failing !== undefined && !(Array.isArray(value.failing) && value.failing.length === 0)) {
    throw new ApiError(400, 'INVALID_HAND', `a hand without "exercise" has no failing checks; received "failing": ${describeValue(value.failing)}`);
  }
  const page = checkPath(value.page, 'INVALID_HAND', shape);
  return { exercise: exercise?.id ?? null, code: value.code, failing, page };
}

/** The class grid, the pages attendees are on and the help queue. */
export class ClassGrid implements KeptPart {
  /** attendee id → exercise id → cell */
  readonly #cells = new Map<string, Map<string, Cell>>();
  readonly #pages = new Map<string, PageSeen>();
  /** Raised hands, in the order they were raised; one per attendee at most. */
  #hands: Hand[] = [];

  /** Records the page an attendee opened. */
  recordPage(attendee: string, page: { path: string; title: string }, at = Date.now()): void {
    this.#pages.set(attendee, { ...page, at });
  }

  /** Records one Check of an exercise. */
  recordResult(attendee: string, report: CheckReportIn, at = Date.now()): CellView {
    let row = this.#cells.get(attendee);
    if (!row) this.#cells.set(attendee, (row = new Map()));
    let cell = row.get(report.exercise);
    if (!cell) row.set(report.exercise, (cell = { attempts: 0, last: report.state, failing: [], failedInARow: 0, failures: {}, firstAt: at, lastAt: at }));
    cell.attempts += 1;
    cell.last = report.state;
    cell.failing = report.failing;
    cell.failedInARow = report.state === 'passed' ? 0 : cell.failedInARow + 1;
    for (const check of report.failing) cell.failures[check] = (cell.failures[check] ?? 0) + 1;
    cell.lastAt = at;
    return this.#view(attendee, report.exercise);
  }

  /** The attendee's raised hand, if any. */
  handOf(attendee: string): Hand | undefined {
    return this.#hands.find((hand) => hand.attendee === attendee);
  }

  /**
   * Raises the attendee's hand, or, when it is up already, updates what it carries and keeps
   * its place in the queue: an attendee has one hand.
   */
  raiseHand(attendee: string, hand: HandIn, at = Date.now()): { hand: Hand; raised: boolean } {
    const up = this.handOf(attendee);
    if (up) {
      Object.assign(up, hand);
      return { hand: up, raised: false };
    }
    const raised: Hand = { ...hand, id: crypto.randomBytes(9).toString('base64url'), attendee, raisedAt: at };
    this.#hands.push(raised);
    return { hand: raised, raised: true };
  }

  /** Lowers the attendee's hand; answers it, or undefined when none was up. */
  lowerHand(attendee: string): Hand | undefined {
    const hand = this.handOf(attendee);
    if (hand) this.#hands = this.#hands.filter((h) => h !== hand);
    return hand;
  }

  /** Takes a hand out of the queue as answered; a 404 for an id not in it. */
  answerHand(id: string): Hand {
    const hand = this.#hands.find((h) => h.id === id);
    if (!hand) throw new ApiError(404, 'UNKNOWN_HAND', `no raised hand ${describeValue(id)} is in the queue (it may have been answered or lowered already)`);
    this.#hands = this.#hands.filter((h) => h !== hand);
    return hand;
  }

  #view(attendee: string, exercise: string): CellView {
    const cell = this.#cells.get(attendee)?.get(exercise);
    if (!cell) return { state: 'not-started', attempts: 0, last: null, failing: [], firstAt: null, lastAt: null };
    const handUp = this.handOf(attendee)?.exercise === exercise;
    const state: CellState = cell.last === 'passed' ? 'passed' : handUp || cell.failedInARow >= STUCK_AFTER_FAILED_CHECKS ? 'stuck' : 'working';
    return { state, attempts: cell.attempts, last: cell.last, failing: cell.failing, firstAt: cell.firstAt, lastAt: cell.lastAt };
  }

  /** The grid for these attendees (the workshop's roster), in their order. */
  view(roster: readonly { id: string; name: string; present: boolean }[]): GridView {
    const exercises = [...GRID_EXERCISES.keys()];
    const names = new Map(roster.map((a) => [a.id, a.name]));
    const attendees = roster.map((a) => ({
      name: a.name,
      present: a.present,
      page: this.#pages.get(a.id) ?? null,
      hand: this.handOf(a.id)?.id ?? null,
      cells: Object.fromEntries(exercises.map((exercise) => [exercise, this.#view(a.id, exercise)])),
    }));
    const counts = new Map<string, { exercise: string; check: string; attendees: number; failures: number }>();
    for (const [attendee, row] of this.#cells) {
      if (!names.has(attendee)) continue;
      for (const [exercise, cell] of row) {
        for (const [check, failures] of Object.entries(cell.failures)) {
          const key = `${exercise}\n${check}`;
          const entry = counts.get(key) ?? { exercise, check, attendees: 0, failures: 0 };
          entry.failures += failures;
          if (cell.failing.includes(check)) entry.attendees += 1;
          counts.set(key, entry);
        }
      }
    }
    const order = (exercise: string, check: string) => exercises.indexOf(exercise) * 100 + (GRID_EXERCISES.get(exercise)?.checks.indexOf(check) ?? 0);
    const common = [...counts.values()].sort((a, b) => b.attendees - a.attendees || b.failures - a.failures || order(a.exercise, a.check) - order(b.exercise, b.check));
    const hands = this.#hands
      .filter((hand) => names.has(hand.attendee))
      .map((hand) => ({ id: hand.id, name: names.get(hand.attendee) as string, exercise: hand.exercise, failing: hand.failing, code: hand.code, page: hand.page, raisedAt: hand.raisedAt }));
    return { stuckAfter: STUCK_AFTER_FAILED_CHECKS, exercises, attendees, common, hands };
  }

  /** Forgets attendees the workshop no longer keeps, so that the grid is bounded as the roster is. */
  forgetAllBut(keep: ReadonlySet<string>): void {
    for (const id of this.#cells.keys()) if (!keep.has(id)) this.#cells.delete(id);
    for (const id of this.#pages.keys()) if (!keep.has(id)) this.#pages.delete(id);
    this.#hands = this.#hands.filter((hand) => keep.has(hand.attendee));
  }

  snapshot(): unknown {
    return {
      cells: Object.fromEntries([...this.#cells].map(([attendee, row]) => [attendee, Object.fromEntries(row)])),
      pages: Object.fromEntries(this.#pages),
      hands: this.#hands,
    };
  }

  /** Takes back a snapshot; entries that do not hold up (an edited or older file) are left out. */
  restore(value: unknown): void {
    this.#cells.clear();
    this.#pages.clear();
    this.#hands = [];
    if (!isRecord(value)) return;
    const isTime = (v: unknown) => Number.isFinite(v) && (v as number) >= 0;
    for (const [attendee, row] of Object.entries(isRecord(value.cells) ? value.cells : {})) {
      if (!isRecord(row)) continue;
      const cells = new Map<string, Cell>();
      for (const [exercise, raw] of Object.entries(row)) {
        const spec = GRID_EXERCISES.get(exercise);
        if (!spec || !isRecord(raw)) continue;
        const checkIds = spec.checks;
        const c = raw as Partial<Record<keyof Cell, unknown>>;
        if (!Number.isInteger(c.attempts) || !(REPORTED_STATES as readonly unknown[]).includes(c.last) || !Array.isArray(c.failing) || !Number.isInteger(c.failedInARow) || !isRecord(c.failures) || !isTime(c.firstAt) || !isTime(c.lastAt)) continue;
        cells.set(exercise, {
          attempts: c.attempts as number,
          last: c.last as ReportedState,
          failing: (c.failing as unknown[]).filter((id): id is string => typeof id === 'string' && checkIds.includes(id)),
          failedInARow: c.failedInARow as number,
          failures: Object.fromEntries(Object.entries(c.failures).filter(([id, n]) => checkIds.includes(id) && Number.isInteger(n))) as Record<string, number>,
          firstAt: c.firstAt as number,
          lastAt: c.lastAt as number,
        });
      }
      if (cells.size > 0) this.#cells.set(attendee, cells);
    }
    for (const [attendee, raw] of Object.entries(isRecord(value.pages) ? value.pages : {})) {
      if (isRecord(raw) && isSitePath(raw.path) && typeof raw.title === 'string' && isTime(raw.at)) this.#pages.set(attendee, { path: raw.path, title: raw.title, at: raw.at as number });
    }
    for (const raw of Array.isArray(value.hands) ? value.hands : []) {
      if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.attendee !== 'string' || !isTime(raw.raisedAt) || typeof raw.code !== 'string' || !isSitePath(raw.page)) continue;
      if (this.handOf(raw.attendee)) continue;
      const exercise = typeof raw.exercise === 'string' && GRID_EXERCISES.has(raw.exercise) ? raw.exercise : null;
      const failing = Array.isArray(raw.failing) ? raw.failing.filter((id): id is string => typeof id === 'string') : [];
      this.#hands.push({ id: raw.id, attendee: raw.attendee, exercise, code: raw.code, failing, page: raw.page, raisedAt: raw.raisedAt as number });
    }
  }
}
