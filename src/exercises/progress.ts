/**
 * Progress through the exercises, kept in the browser (localStorage), with no account: per
 * exercise its state, attempts, last code and when, and each check's last result. Restored on
 * return with a flag the page shows as "restored, reset?"; reset one or all; exported as JSON
 * and imported again (validated, each error naming the wrong field, bounded in size).
 *
 * Pure logic over a Storage-like interface, so node:test can run it with a Map-backed storage.
 */
import type { CheckResult, OverallState } from './checks.ts';

/** What the store needs of `localStorage`. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The localStorage key the progress lives under. */
export const PROGRESS_KEY = 'realtime-lab.progress';
/** The version of the stored and exported shape. */
export const PROGRESS_VERSION = 1;
/** The largest progress file import takes, in characters. */
export const MAX_PROGRESS_CHARS = 512 * 1024;
/** The longest code kept per exercise, in characters: longer code is kept cut to this. */
export const MAX_CODE_CHARS = 20_000;
/** The most attempts counted per exercise. */
export const MAX_ATTEMPTS = 1_000_000;

const STATES: readonly OverallState[] = ['passed', 'wrong', 'timed-out', 'unreachable'];

/** A check's last result, as kept: enough to show its sentence again. */
export interface CheckProgress {
  state: 'passed' | 'failed';
  key: string;
  values: Record<string, string | number>;
}

/** One exercise's progress. */
export interface ExerciseProgress {
  /** The last Check's state; absent until the first Check (the code alone was kept). */
  state?: OverallState;
  attempts: number;
  /** The reader's code as last edited or checked. */
  code: string;
  /** When it last changed, ISO 8601. */
  at: string;
  /** The last Check's result per check id (or quiz scenario id). */
  checks: Record<string, CheckProgress>;
  /** A quiz's answers, scenario id to technique. */
  answers?: Record<string, string>;
}

/** What localStorage holds and Export writes. */
export interface ProgressFile {
  version: typeof PROGRESS_VERSION;
  exercises: Record<string, ExerciseProgress>;
}

/** Why an import can be refused; the page says each in the reader's language (`progress.error.<reason>`). */
export const IMPORT_ERROR_REASONS = ['tooLarge', 'notJson', 'fileObject', 'version', 'exercises', 'object', 'state', 'attempts', 'code', 'time', 'checkState', 'checkKey', 'checkValues', 'answers'] as const;
/** Why an import was refused. */
export type ImportErrorReason = (typeof IMPORT_ERROR_REASONS)[number];

/** An import refused: `field` names where the file went wrong (`exercises["polling-cursor"].attempts`). */
export class ProgressImportError extends Error {
  readonly field: string;
  readonly reason: ImportErrorReason;
  /** What the sentence names: `received` (the value, shortened) and the bound (`max`, `allowed`, `version`). */
  readonly values: Readonly<Record<string, string | number>>;
  constructor(field: string, message: string, reason: ImportErrorReason = 'fileObject', values: Record<string, string | number> = {}) {
    super(field === '' ? message : `${field} ${message}`);
    this.name = 'ProgressImportError';
    this.field = field;
    this.reason = reason;
    this.values = { field, ...values };
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(field: string, expected: string, value: unknown, reason: ImportErrorReason, values: Record<string, string | number> = {}): never {
  const received = describe(value);
  throw new ProgressImportError(field, `must be ${expected}; received ${received}`, reason, { received, ...values });
}

/** One exercise's progress, checked field by field; throws ProgressImportError. */
function parseExercise(field: string, value: unknown): ExerciseProgress {
  if (!isRecord(value)) fail(field, 'an object', value, 'object');
  const { state, attempts, code, at, checks, answers } = value;
  if (state !== undefined && !STATES.includes(state as OverallState)) fail(`${field}.state`, `one of ${STATES.join(', ')}`, state, 'state', { allowed: STATES.join(', ') });
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 0 || attempts > MAX_ATTEMPTS) fail(`${field}.attempts`, `a whole number from 0 to ${MAX_ATTEMPTS}`, attempts, 'attempts', { max: MAX_ATTEMPTS });
  if (typeof code !== 'string' || code.length > MAX_CODE_CHARS) fail(`${field}.code`, `a string of at most ${MAX_CODE_CHARS} characters`, typeof code === 'string' ? `${code.length} characters` : code, 'code', { max: MAX_CODE_CHARS });
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) fail(`${field}.at`, 'an ISO 8601 time', at, 'time');
  if (!isRecord(checks)) fail(`${field}.checks`, 'an object', checks, 'object');
  const parsedChecks: Record<string, CheckProgress> = {};
  for (const [id, check] of Object.entries(checks)) {
    const where = `${field}.checks[${JSON.stringify(id)}]`;
    if (!isRecord(check)) fail(where, 'an object', check, 'object');
    if (check.state !== 'passed' && check.state !== 'failed') fail(`${where}.state`, 'passed or failed', check.state, 'checkState');
    if (typeof check.key !== 'string' || !/^(check|quiz)\.[\w.-]{1,80}$/.test(check.key)) fail(`${where}.key`, 'a sentence key such as check.all-once.passed', check.key, 'checkKey');
    if (!isRecord(check.values) || !Object.values(check.values).every((v) => typeof v === 'string' || typeof v === 'number')) fail(`${where}.values`, 'an object of strings and numbers', check.values, 'checkValues');
    parsedChecks[id] = { state: check.state, key: check.key, values: check.values as Record<string, string | number> };
  }
  const parsed: ExerciseProgress = { attempts, code, at: new Date(Date.parse(at)).toISOString(), checks: parsedChecks };
  if (state !== undefined) parsed.state = state as OverallState;
  if (answers !== undefined) {
    if (!isRecord(answers) || !Object.values(answers).every((v) => typeof v === 'string')) fail(`${field}.answers`, 'an object of strings', answers, 'answers');
    parsed.answers = answers as Record<string, string>;
  }
  return parsed;
}

/**
 * A progress file's text, checked: JSON, at most MAX_PROGRESS_CHARS, this version, each field
 * in range. Exercises this course does not know (renamed since) are left out, and counted.
 */
export function parseProgress(text: string, knownIds?: ReadonlySet<string>): { file: ProgressFile; skipped: string[] } {
  if (text.length > MAX_PROGRESS_CHARS) throw new ProgressImportError('', `the file must be at most ${MAX_PROGRESS_CHARS} characters (MAX_PROGRESS_CHARS); received ${text.length}`, 'tooLarge', { max: MAX_PROGRESS_CHARS, received: text.length });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ProgressImportError('', `the file must be JSON, as Export writes it; ${(error as Error).message}`, 'notJson', { detail: (error as Error).message });
  }
  if (!isRecord(data)) fail('the file', 'a JSON object with version and exercises', data, 'fileObject');
  if (data.version !== PROGRESS_VERSION) fail('version', String(PROGRESS_VERSION), data.version, 'version', { version: PROGRESS_VERSION });
  if (!isRecord(data.exercises)) fail('exercises', 'an object of exercise ids', data.exercises, 'exercises');
  const exercises: Record<string, ExerciseProgress> = {};
  const skipped: string[] = [];
  for (const [id, value] of Object.entries(data.exercises)) {
    if (knownIds && !knownIds.has(id)) {
      skipped.push(id);
      continue;
    }
    exercises[id] = parseExercise(`exercises[${JSON.stringify(id)}]`, value);
  }
  return { file: { version: PROGRESS_VERSION, exercises }, skipped };
}

/** The browser's localStorage, or memory when it is refused (privacy settings): progress then lasts the page. */
export function browserStorage(): StorageLike {
  try {
    const local = globalThis.localStorage;
    if (local) return local;
  } catch {
    // SecurityError: fall through to memory
  }
  const memory = new Map<string, string>();
  return { getItem: (key) => memory.get(key) ?? null, setItem: (key, value) => void memory.set(key, value), removeItem: (key) => void memory.delete(key) };
}

/** The progress of every exercise, kept in `storage` under PROGRESS_KEY. */
export class ProgressStore {
  readonly #storage: StorageLike;
  readonly #now: () => Date;
  readonly #knownIds: ReadonlySet<string> | undefined;
  #exercises: Record<string, ExerciseProgress>;
  /** Exercises whose progress came from storage when the store was opened: the page offers "restored, reset?". */
  readonly #restored: Set<string>;

  constructor(storage: StorageLike, options: { now?: () => Date; knownIds?: ReadonlySet<string> } = {}) {
    this.#storage = storage;
    this.#now = options.now ?? (() => new Date());
    this.#knownIds = options.knownIds;
    this.#exercises = this.#load();
    this.#restored = new Set(Object.keys(this.#exercises));
  }

  /** What storage holds; a broken or foreign entry is ignored, not thrown (the page must still work). */
  #load(): Record<string, ExerciseProgress> {
    let text: string | null = null;
    try {
      text = this.#storage.getItem(PROGRESS_KEY);
    } catch {
      // Storage refused (a sandboxed frame, privacy settings): progress lives in memory only.
    }
    if (text === null) return {};
    try {
      return parseProgress(text, this.#knownIds).file.exercises;
    } catch {
      return {};
    }
  }

  /**
   * Writes the exercises in `changed` over what storage holds now, so progress that another tab,
   * or another store on this page, saved since this one was opened is kept.
   */
  #save(changed: readonly string[]): void {
    const stored = this.#load();
    for (const id of changed) {
      const progress = this.#exercises[id];
      if (progress) stored[id] = progress;
      else delete stored[id];
    }
    this.#exercises = stored;
    try {
      this.#storage.setItem(PROGRESS_KEY, JSON.stringify({ version: PROGRESS_VERSION, exercises: this.#exercises } satisfies ProgressFile));
    } catch {
      // Quota or SecurityError: kept in memory for this page.
    }
  }

  #entry(id: string): ExerciseProgress {
    return this.#exercises[id] ?? { attempts: 0, code: '', at: this.#now().toISOString(), checks: {} };
  }

  /** One exercise's progress, if any. */
  get(id: string): ExerciseProgress | undefined {
    return this.#exercises[id];
  }

  /** One exercise's progress, and whether it was restored from an earlier visit (and not reset or changed since). */
  restore(id: string): { progress: ExerciseProgress | undefined; restored: boolean } {
    return { progress: this.#exercises[id], restored: this.#restored.has(id) };
  }

  /** Keeps the reader's code as edited (cut at MAX_CODE_CHARS), without counting an attempt. */
  saveCode(id: string, code: string): void {
    this.#exercises[id] = { ...this.#entry(id), code: code.slice(0, MAX_CODE_CHARS), at: this.#now().toISOString() };
    this.#save([id]);
  }

  /** Records a Check of a code exercise: its state, each check's result, the code checked; one more attempt. */
  recordCheck(id: string, code: string, report: { state: OverallState; results: readonly CheckResult[] }): ExerciseProgress {
    const entry = this.#entry(id);
    const checks: Record<string, CheckProgress> = {};
    for (const result of report.results) checks[result.id] = { state: result.state, key: result.key, values: { ...result.values } };
    const next: ExerciseProgress = { ...entry, state: report.state, attempts: Math.min(MAX_ATTEMPTS, entry.attempts + 1), code: code.slice(0, MAX_CODE_CHARS), at: this.#now().toISOString(), checks };
    this.#exercises[id] = next;
    this.#restored.delete(id);
    this.#save([id]);
    return next;
  }

  /** Records a quiz's answers and their results; one more attempt. */
  recordQuiz(id: string, answers: Readonly<Record<string, string>>, report: { state: 'passed' | 'wrong'; results: readonly { id: string; state: 'passed' | 'failed'; key: string; values: Record<string, string> }[] }): ExerciseProgress {
    const entry = this.#entry(id);
    const checks: Record<string, CheckProgress> = {};
    for (const result of report.results) checks[result.id] = { state: result.state, key: result.key, values: { ...result.values } };
    const next: ExerciseProgress = { ...entry, state: report.state, attempts: Math.min(MAX_ATTEMPTS, entry.attempts + 1), answers: { ...answers }, at: this.#now().toISOString(), checks };
    this.#exercises[id] = next;
    this.#restored.delete(id);
    this.#save([id]);
    return next;
  }

  /** Forgets one exercise's progress. */
  reset(id: string): void {
    delete this.#exercises[id];
    this.#restored.delete(id);
    this.#save([id]);
  }

  /** Forgets all progress. */
  resetAll(): void {
    this.#exercises = {};
    this.#restored.clear();
    try {
      this.#storage.removeItem(PROGRESS_KEY);
    } catch {
      // As in #save: nothing more to do.
    }
  }

  /** Every exercise's progress, by id. */
  all(): Readonly<Record<string, ExerciseProgress>> {
    return this.#exercises;
  }

  /** The progress as a JSON file's text, for Export. */
  exportJson(): string {
    return `${JSON.stringify({ version: PROGRESS_VERSION, exercises: this.#exercises } satisfies ProgressFile, null, 2)}\n`;
  }

  /**
   * Imports a file from Export: checked as a whole first (a bad one changes nothing and throws
   * ProgressImportError naming the field), then each exercise in it replaces the one kept here.
   */
  importJson(text: string): { imported: number; skipped: string[] } {
    const { file, skipped } = parseProgress(text, this.#knownIds);
    for (const [id, progress] of Object.entries(file.exercises)) {
      this.#exercises[id] = progress;
      this.#restored.delete(id);
    }
    this.#save(Object.keys(file.exercises));
    return { imported: Object.keys(file.exercises).length, skipped };
  }
}
