/**
 * A saved run: what "Save run" downloads and "Open run…" replays. Versioned JSON with both
 * sides of the wire: the frame's wire items (the browser's side, with their times), the run's
 * tap events (the server's side), the output, the code and the faults. Pure: `parseSavedRun`
 * checks a file field by field and says which field was wrong.
 */
import type { TapEvent } from '../../../server/runs/tap.ts';
import type { WireItem } from '../protocol.ts';

/** What a run file's `format` says. */
export const RUN_FORMAT = 'realtime-lab-run';
/** The version this page writes and reads; a later format bumps it. */
export const RUN_VERSION = 1;
/** The largest run file "Open run…" reads: a run keeps at most MAX_SAVED_* items of each side. */
export const MAX_RUN_FILE_BYTES = 5 * 1024 * 1024;
/** Items of each side a run keeps for Save run: the newest, as the view keeps the newest marks. */
export const MAX_SAVED_ITEMS = 5000;

/** One line of the output, `at` in ms since Run. */
export interface SavedLine {
  at: number;
  level: string;
  text: string;
}

/** Faults set on the run (as the API answered them), `at` in ms since Run. */
export interface SavedFaults {
  at: number;
  faults: Record<string, unknown>;
}

/** A run as Save run writes it. */
export interface SavedRun {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  /** The sandbox's title, for the reader. */
  title: string;
  code: string;
  faults: SavedFaults[];
  /** When Run was pressed (ISO), for people. */
  startedAt: string;
  /** When Run was pressed, in epoch ms to the fraction: the browser items' `t` count on the same clock. */
  t0: number;
  /** Server clock minus browser clock, in ms (wire-server.ts clockOffset). */
  clockOffsetMs: number;
  browser: WireItem[];
  server: TapEvent[];
  output: SavedLine[];
}

/** Why a file is not a run: `field` is where (`server[3].time`), `expected` what it should be. */
export type RunFileProblem =
  | { problem: 'tooLarge'; bytes: number }
  | { problem: 'notJson' }
  | { problem: 'field'; field: string; expected: 'format' | 'version' | 'text' | 'number' | 'list' | 'object' | 'time' | 'kind' | 'direction' };

/** What parseSavedRun answers. */
export type ParsedRun = { ok: true; run: SavedRun } | ({ ok: false } & RunFileProblem);

const WIRE_KINDS: ReadonlySet<string> = new Set(['fetch', 'xhr', 'sse', 'ws']);
const TAP_KINDS: ReadonlySet<string> = new Set(['request-head', 'response-head', 'body', 'sse', 'ws-frame', 'hold', 'release', 'close', 'fault']);

class Invalid extends Error {
  readonly field: string;
  readonly expected: Extract<RunFileProblem, { problem: 'field' }>['expected'];
  constructor(field: string, expected: Invalid['expected']) {
    super(`${field} should be ${expected}`);
    this.field = field;
    this.expected = expected;
  }
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Invalid(field, 'object');
  return value as Record<string, unknown>;
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new Invalid(field, 'list');
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new Invalid(field, 'text');
  return value;
}

function number(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Invalid(field, 'number');
  return value;
}

function time(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new Invalid(field, 'time');
  return value;
}

/** Reads a run file's text: the run, or which field was wrong. */
export function parseSavedRun(source: string): ParsedRun {
  const bytes = new TextEncoder().encode(source).byteLength;
  if (bytes > MAX_RUN_FILE_BYTES) return { ok: false, problem: 'tooLarge', bytes };
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch {
    return { ok: false, problem: 'notJson' };
  }
  try {
    const root = object(data, 'file');
    if (root.format !== RUN_FORMAT) throw new Invalid('format', 'format');
    if (root.version !== RUN_VERSION) throw new Invalid('version', 'version');
    text(root.title, 'title');
    text(root.code, 'code');
    time(root.startedAt, 'startedAt');
    number(root.t0, 't0');
    number(root.clockOffsetMs, 'clockOffsetMs');
    list(root.faults, 'faults').forEach((entry, i) => {
      const field = `faults[${i}]`;
      const item = object(entry, field);
      number(item.at, `${field}.at`);
      object(item.faults, `${field}.faults`);
    });
    list(root.browser, 'browser').forEach((entry, i) => {
      const field = `browser[${i}]`;
      const item = object(entry, field);
      if (item.k !== 'wire' || !WIRE_KINDS.has(item.kind as string)) throw new Invalid(`${field}.kind`, 'kind');
      number(item.t, `${field}.t`);
      number(item.id, `${field}.id`);
      text(item.ev, `${field}.ev`);
    });
    list(root.server, 'server').forEach((entry, i) => {
      const field = `server[${i}]`;
      const item = object(entry, field);
      number(item.seq, `${field}.seq`);
      time(item.time, `${field}.time`);
      text(item.connection, `${field}.connection`);
      text(item.technique, `${field}.technique`);
      if (item.direction !== 'in' && item.direction !== 'out') throw new Invalid(`${field}.direction`, 'direction');
      if (!TAP_KINDS.has(item.kind as string)) throw new Invalid(`${field}.kind`, 'kind');
      number(item.bytes, `${field}.bytes`);
      if (item.kind === 'ws-frame') object(item.frame, `${field}.frame`);
    });
    list(root.output, 'output').forEach((entry, i) => {
      const field = `output[${i}]`;
      const item = object(entry, field);
      number(item.at, `${field}.at`);
      text(item.level, `${field}.level`);
      text(item.text, `${field}.text`);
    });
    return { ok: true, run: root as unknown as SavedRun };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, problem: 'field', field: error.field, expected: error.expected };
    throw error;
  }
}

/**
 * The run as the text of its file, at most MAX_RUN_FILE_BYTES (`limit`), so that Open run reads
 * every file Save run writes: while it is larger, the oldest tenth of the longer side goes (a
 * frame's text and a body are kept up to 2 KB each, so 5000 events can pass the limit).
 */
export function runFileText(run: SavedRun, limit = MAX_RUN_FILE_BYTES): string {
  let fitted = run;
  for (;;) {
    const text = JSON.stringify(fitted, null, 1);
    if (new TextEncoder().encode(text).byteLength <= limit) return text;
    const side = fitted.server.length >= fitted.browser.length ? 'server' : 'browser';
    const items: unknown[] = fitted[side];
    if (items.length === 0) return text;
    fitted = { ...fitted, [side]: items.slice(Math.ceil(items.length / 10)) };
  }
}

/** A file name for a saved run: the sandbox id and when it ran, `realtime-lab-run-<id>-<time>.json`. */
export function runFileName(id: string, startedAt: string): string {
  return `realtime-lab-run-${id || 'sandbox'}-${startedAt.replace(/[:.]/g, '-')}.json`;
}
