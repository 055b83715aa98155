/**
 * What the whole class shares, in workshop mode: the instructor's latest notice, the page the
 * class was last moved to, and whether the exercises' solutions are locked. It is the latest
 * broadcast of each of the events `notice`, `move` and `solutions`, kept so that an attendee who
 * joins late, or opens another page, learns it at once (`event: state` right after `welcome`),
 * and kept across a restart (`Workshop.keep('class', …)`).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError, describeValue } from '../errors.ts';
import type { KeptPart, Workshop } from './presence.ts';

/** The latest notice: its text (line breaks kept) and when it was sent (ms since the epoch). */
export interface ClassNotice {
  text: string;
  at: number;
}
/** The latest move: the English path of a page of the site, with an optional `#anchor`. */
export interface ClassMove {
  path: string;
  at: number;
}
/** Whether Show solution and Replace my code with the solution are locked; `at` is 0 before any change. */
export interface ClassSolutions {
  locked: boolean;
  at: number;
}
/** The class's state, as `event: state` sends it and the instructor's `GET /class` returns it. */
export interface ClassSnapshot {
  notice: ClassNotice | null;
  move: ClassMove | null;
  solutions: ClassSolutions;
}

/**
 * A page path: `/`, or lowercase segments each ending in `/` (`/lessons/sse/`), then an optional
 * `#anchor` of letters, digits, `_` and `-`. Nothing else: no `//host`, no scheme, no `..`, no
 * query, no escapes, so what an attendee's browser opens can only be a page of this site.
 */
const PAGE_PATH = /^\/(?:[a-z0-9]+(?:[-_.][a-z0-9]+)*\/)*(?:#([A-Za-z][A-Za-z0-9_-]*))?$/;
/** First segments that are not pages an attendee is sent to: other languages' copies, and the workshop's own pages. */
const NOT_FOR_ATTENDEES = /^\/(?:zh-cn|workshop|_astro|pagefind)\//;

function invalidPage(value: unknown, why: string): ApiError {
  return new ApiError(400, 'INVALID_PAGE', `a move goes to a page of this site, by its English path such as "/lessons/sse/" or "/lessons/sse/#exercise-sse-named-events" (each attendee goes to it in their own language); ${why}; received ${describeValue(value)}`);
}

/**
 * The page the instructor moves the class to, checked against the built site in `siteDir`:
 * its `index.html` must exist, and so must the element the `#anchor` names. A path without its
 * last `/` gets it. Throws 400 INVALID_PAGE otherwise.
 */
export async function checkPagePath(value: unknown, siteDir: string): Promise<string> {
  if (typeof value !== 'string') throw invalidPage(value, 'the path is not a string');
  const hash = value.indexOf('#');
  let pathname = hash < 0 ? value : value.slice(0, hash);
  if (!pathname.endsWith('/')) pathname += '/';
  const normal = pathname + (hash < 0 ? '' : value.slice(hash));
  const match = PAGE_PATH.exec(normal);
  if (!match) throw invalidPage(value, 'it is not a path of lowercase segments, each ending in "/"');
  if (NOT_FOR_ATTENDEES.test(pathname)) throw invalidPage(value, 'that is not a page for attendees (give the English path; the workshop\'s own pages are the instructor\'s)');
  const file = path.join(siteDir, ...pathname.split('/').filter(Boolean), 'index.html');
  const found = await stat(file).catch(() => undefined);
  if (!found?.isFile()) throw invalidPage(value, 'the built site has no such page');
  const anchor = match[1];
  if (anchor !== undefined) {
    const html = await readFile(file, 'utf8');
    if (!new RegExp(`\\bid=(?:"${anchor}"|${anchor}(?=[\\s>]))`).test(html)) throw invalidPage(value, `the page has no element with id "${anchor}"`);
  }
  return normal;
}

/** The body of `PUT /instructor/solutions`: `{ "locked": true }` or `{ "locked": false }`. Throws 400 INVALID_SOLUTIONS otherwise. */
export function checkLocked(body: unknown): boolean {
  const locked = (body as { locked?: unknown } | null)?.locked;
  if (typeof locked !== 'boolean' || typeof body !== 'object' || body === null || Object.keys(body).length !== 1) {
    throw new ApiError(400, 'INVALID_SOLUTIONS', `the body is {"locked": true} to lock the exercises' solutions, or {"locked": false} to reveal them; received ${describeValue(body)}`);
  }
  return locked;
}

function isTimed(value: unknown): value is { at: number } {
  return typeof value === 'object' && value !== null && Number.isFinite((value as { at?: unknown }).at);
}

/** The class's state: records the latest `notice`, `move` and `solutions` broadcast, greets each control stream with it, and is kept across restarts. */
export class ClassState implements KeptPart {
  #notice: ClassNotice | null = null;
  #move: ClassMove | null = null;
  #solutions: ClassSolutions = { locked: false, at: 0 };

  constructor(workshop: Workshop) {
    workshop.keep('class', this);
    workshop.greet(() => ({ event: 'state', data: this.current() }));
    workshop.onBroadcast((event, data) => {
      if (this.#record(event, data)) workshop.changed();
    });
  }

  /** Takes the latest of each class event; returns whether it was one. */
  #record(event: string, data: unknown): boolean {
    if (!isTimed(data)) return false;
    const fields = data as { at: number; text?: unknown; path?: unknown; locked?: unknown };
    if (event === 'notice' && typeof fields.text === 'string') this.#notice = { text: fields.text, at: fields.at };
    else if (event === 'move' && typeof fields.path === 'string') this.#move = { path: fields.path, at: fields.at };
    else if (event === 'solutions' && typeof fields.locked === 'boolean') this.#solutions = { locked: fields.locked, at: fields.at };
    else return false;
    return true;
  }

  /** The latest of each: what `event: state` carries. */
  current(): ClassSnapshot {
    return { notice: this.#notice, move: this.#move, solutions: this.#solutions };
  }

  snapshot(): ClassSnapshot {
    return this.current();
  }

  /** Takes back a saved state; parts that do not have the right shape are left as they are. */
  restore(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const saved = value as Partial<Record<keyof ClassSnapshot, unknown>>;
    if (saved.notice) this.#record('notice', saved.notice);
    if (saved.move) this.#record('move', saved.move);
    if (saved.solutions) this.#record('solutions', saved.solutions);
  }
}
