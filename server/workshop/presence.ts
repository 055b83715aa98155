/**
 * Who is in the workshop: each attendee's name, control streams and self-test, and the
 * watchers (the projector and instructor pages) told of every change.
 *
 * An attendee picks a random id in the browser and keeps it with its name; it is present while
 * it holds a control stream (SSE down; POSTs up), and for PRESENCE_GRACE_MS after its last one
 * closes, so that moving to the next page does not make it leave and join again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context.ts';
import { ApiError, describeValue } from '../errors.ts';
import { clientAddress } from '../http.ts';

/** How long an attendee whose control stream closed still counts as present. */
export const PRESENCE_GRACE_MS = 3000;
/** Attendee ids: chosen at random by the browser, 16 to 64 URL-safe characters. */
export const ATTENDEE_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** The techniques a self-test tries, in the order of the lessons. */
export const SELF_TEST_TECHNIQUES = ['poll', 'longPoll', 'sse', 'websocket'] as const;
/** The longest round trip a self-test may report. */
export const SELF_TEST_MAX_MS = 60_000;
/** Control events kept for a reconnecting attendee (Last-Event-ID); an older id hears `missed`. */
export const CONTROL_REPLAY_EVENTS = 256;

export type Technique = (typeof SELF_TEST_TECHNIQUES)[number];
/** One technique's result: did the round trip work, and how long it took. */
export interface TechniqueResult {
  ok: boolean;
  ms: number;
}
export type SelfTest = Record<Technique, TechniqueResult>;

interface Attendee {
  id: string;
  name: string;
  streams: Set<ServerResponse>;
  selfTest: SelfTest | undefined;
  /** When it was last present (its last stream closed), for eviction when full. */
  goneAt: number;
  graceTimer: NodeJS.Timeout | undefined;
}

/** What the projector shows: no names, no ids. */
export interface PresenceSummary {
  connected: number;
  /** Connected attendees who sent a self-test, and how many of them reached each technique. */
  selfTest: { reported: number; ok: Record<Technique, number> };
}

/** Throws a 400 unless `id` is a valid attendee id. */
export function checkAttendeeId(id: string): string {
  if (!ATTENDEE_ID_PATTERN.test(id)) {
    throw new ApiError(400, 'INVALID_ATTENDEE', `attendee ids are 16 to 64 characters of A-Z, a-z, 0-9, "_" and "-"; received ${describeValue(id)}`);
  }
  return id;
}

/** The name an attendee gave, trimmed; throws a 400 unless it is 1 to `maxChars` printable characters. */
export function checkName(value: unknown, maxChars: number): string {
  const name = typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : undefined;
  // Characters, not UTF-16 units: a name in Chinese or with an emoji counts as a reader would.
  const length = name === undefined ? 0 : [...name].length;
  if (name === undefined || length === 0 || length > maxChars || /[\p{Cc}\p{Cf}]/u.test(name)) {
    throw new ApiError(400, 'INVALID_NAME', `a name is 1 to ${maxChars} characters (WORKSHOP_NAME_MAX_CHARS) of text without control characters; received ${describeValue(value)}`);
  }
  return name;
}

/** The instructor's notice, trimmed; throws a 400 unless it is 1 to `maxChars` characters of text (line breaks allowed). */
export function checkNotice(value: unknown, maxChars: number): string {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const length = text === undefined ? 0 : [...text].length;
  if (text === undefined || length === 0 || length > maxChars || /[\p{Cf}\x00-\x09\x0b-\x1f\x7f]/u.test(text)) {
    throw new ApiError(400, 'INVALID_NOTICE', `a notice is 1 to ${maxChars} characters (WORKSHOP_NOTICE_MAX_CHARS) of text, line breaks allowed but no other control characters; received ${describeValue(value)}`);
  }
  return text;
}

/** Throws a 400 unless `value` is a self-test result: `{ poll, longPoll, sse, websocket }`, each `{ ok, ms }`. */
export function checkSelfTest(value: unknown): SelfTest {
  const shape = `a self-test is { ${SELF_TEST_TECHNIQUES.map((t) => `"${t}": { "ok": true|false, "ms": 0..${SELF_TEST_MAX_MS} }`).join(', ')} }`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'INVALID_SELF_TEST', `${shape}; received ${describeValue(value)}`);
  }
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => !(SELF_TEST_TECHNIQUES as readonly string[]).includes(key));
  if (extra.length > 0) throw new ApiError(400, 'INVALID_SELF_TEST', `${shape}; received unknown keys ${describeValue(extra)}`);
  const result = {} as SelfTest;
  for (const technique of SELF_TEST_TECHNIQUES) {
    const entry = record[technique] as { ok?: unknown; ms?: unknown } | undefined;
    if (typeof entry !== 'object' || entry === null || typeof entry.ok !== 'boolean' || !Number.isInteger(entry.ms) || (entry.ms as number) < 0 || (entry.ms as number) > SELF_TEST_MAX_MS) {
      throw new ApiError(400, 'INVALID_SELF_TEST', `${shape}; received ${describeValue(entry)} for "${technique}"`);
    }
    result[technique] = { ok: entry.ok, ms: entry.ms as number };
  }
  return result;
}

/**
 * A part of the workshop's state kept across a restart (the class grid, the help queue, the
 * solutions lock...): its owner registers it with `Workshop.keep`, and calls `Workshop.changed`
 * after each change; the store saves every part's snapshot and restores them at start.
 */
export interface KeptPart {
  /** The part's state as plain JSON. */
  snapshot(): unknown;
  /** Takes back a snapshot saved by an earlier start (validate it: the file may be old or edited). */
  restore(value: unknown): void;
}

/** The attendees and the control events' id counter, as the store keeps them: presence is not kept (attendees reconnect). */
export interface AttendeesSnapshot {
  eventId: number;
  attendees: { id: string; name: string; selfTest: SelfTest | null }[];
}

/** The workshop's attendees and watchers. One per server, made only in workshop mode. */
export class Workshop {
  readonly #ctx: ServerContext;
  readonly #attendees = new Map<string, Attendee>();
  /** Projector and instructor pages, told of every change (`event: presence`). */
  readonly #watchers = new Set<ServerResponse>();
  /** Ids of the events on control streams, for Last-Event-ID. */
  #eventId = 0;
  /** The last CONTROL_REPLAY_EVENTS broadcasts, as written: replayed after a reconnect. */
  readonly #replay: { id: number; text: string }[] = [];
  #pending = false;
  readonly #parts = new Map<string, KeptPart>();
  /** Called after every change, once per turn of the event loop (the store saves then). */
  onChange: (() => void) | undefined;

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
  }

  /** Registers a part of the state to keep across restarts, under a name of its own. */
  keep(name: string, part: KeptPart): void {
    this.#parts.set(name, part);
  }

  /** The registered parts, for the store. */
  keptParts(): ReadonlyMap<string, KeptPart> {
    return this.#parts;
  }

  /** Adds an attendee, or renames one that is back; makes room by forgetting the longest gone. */
  join(id: string, name: string): { id: string; name: string; selfTest: SelfTest | null } {
    let attendee = this.#attendees.get(id);
    if (!attendee) {
      if (this.#attendees.size >= this.#ctx.config.workshopMaxAttendees && !this.#forgetOneGone()) {
        throw new ApiError(503, 'WORKSHOP_FULL', `the workshop has ${this.#attendees.size} attendees connected, the most it keeps (WORKSHOP_MAX_ATTENDEES); ask the instructor to raise it`, { 'Retry-After': '10' });
      }
      attendee = { id, name, streams: new Set(), selfTest: undefined, goneAt: Date.now(), graceTimer: undefined };
      this.#attendees.set(id, attendee);
    }
    attendee.name = name;
    this.changed();
    return { id, name, selfTest: attendee.selfTest ?? null };
  }

  #forgetOneGone(): boolean {
    let oldest: Attendee | undefined;
    for (const attendee of this.#attendees.values()) {
      if (attendee.streams.size === 0 && attendee.graceTimer === undefined && (!oldest || attendee.goneAt < oldest.goneAt)) oldest = attendee;
    }
    if (oldest) this.#attendees.delete(oldest.id);
    return oldest !== undefined;
  }

  #get(id: string): Attendee {
    const attendee = this.#attendees.get(checkAttendeeId(id));
    if (!attendee) throw new ApiError(404, 'UNKNOWN_ATTENDEE', `no attendee ${describeValue(id)} has joined this workshop (the server may have restarted); join again with PUT /api/workshop/attendees/:id`);
    return attendee;
  }

  /** Records an attendee's self-test. */
  recordSelfTest(id: string, selfTest: SelfTest): void {
    this.#get(id).selfTest = selfTest;
    this.changed();
  }

  /** Opens an attendee's control stream: it counts as presence until it closes. */
  openControl(req: IncomingMessage, res: ServerResponse, id: string): void {
    const attendee = this.#get(id);
    this.#openStream(req, res, () => {
      attendee.streams.delete(res);
      if (attendee.streams.size > 0) return;
      attendee.goneAt = Date.now();
      attendee.graceTimer = setTimeout(() => {
        attendee.graceTimer = undefined;
        this.changed();
      }, PRESENCE_GRACE_MS).unref();
    });
    clearTimeout(attendee.graceTimer);
    attendee.graceTimer = undefined;
    attendee.streams.add(res);
    // [spec] A reconnecting EventSource sends the last event ID it saw as `Last-Event-ID`;
    // the events after it are what it missed (none yet: notices come with the instructor's controls).
    const lastEventId = req.headers['last-event-id'];
    res.write(`event: welcome\ndata: ${JSON.stringify({ name: attendee.name, resumedAfter: typeof lastEventId === 'string' ? lastEventId : null })}\n\n`);
    this.#replayAfter(res, typeof lastEventId === 'string' ? Number(lastEventId) : undefined);
    this.changed();
  }

  /**
   * Writes what a reconnecting stream missed: the broadcasts after `lastId`, or, when they are
   * no longer kept (or the id is from before a restart), `missed` with the range it cannot replay.
   */
  #replayAfter(res: ServerResponse, lastId: number | undefined): void {
    if (lastId === undefined || !Number.isInteger(lastId) || lastId === this.#eventId) return;
    const oldest = this.#replay[0]?.id ?? this.#eventId + 1;
    if (lastId < 0 || lastId > this.#eventId || lastId + 1 < oldest) {
      res.write(`id: ${this.#eventId}\nevent: missed\ndata: ${JSON.stringify({ after: lastId, latest: this.#eventId })}\n\n`);
      return;
    }
    for (const event of this.#replay) if (event.id > lastId) res.write(event.text);
  }

  /**
   * Sends one control event to every attendee's control stream: serialized once, the same bytes
   * to each, and kept (the last CONTROL_REPLAY_EVENTS) for those who reconnect. Returns its id.
   */
  broadcast(event: string, data: unknown): number {
    const id = ++this.#eventId;
    const text = `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.#replay.push({ id, text });
    if (this.#replay.length > CONTROL_REPLAY_EVENTS) this.#replay.shift();
    for (const attendee of this.#attendees.values()) for (const res of attendee.streams) res.write(text);
    return id;
  }

  /** Opens a watcher's stream of presence summaries (the projector page). */
  openPresence(req: IncomingMessage, res: ServerResponse): void {
    this.#openStream(req, res, () => this.#watchers.delete(res));
    this.#watchers.add(res);
    res.write(this.#presenceEvent());
  }

  /** Starts an SSE response counted by the connection gate; `closed` runs once when it ends. */
  #openStream(req: IncomingMessage, res: ServerResponse, closed: () => void): void {
    const address = clientAddress(req);
    this.#ctx.gate.open(address);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    // [spec] "retry": the reconnection time, in milliseconds.
    res.write(`retry: ${this.#ctx.config.sseRetryMs}\n\n`);
    res.on('close', () => {
      this.#ctx.gate.release(address);
      closed();
    });
  }

  /** Attendees present now: a control stream open, or closed less than PRESENCE_GRACE_MS ago. */
  #present(): Attendee[] {
    return [...this.#attendees.values()].filter((a) => a.streams.size > 0 || a.graceTimer !== undefined);
  }

  /** The count and the self-test tally, with no names. */
  summary(): PresenceSummary {
    const present = this.#present();
    const ok = Object.fromEntries(SELF_TEST_TECHNIQUES.map((t) => [t, 0])) as Record<Technique, number>;
    let reported = 0;
    for (const attendee of present) {
      if (!attendee.selfTest) continue;
      reported += 1;
      for (const technique of SELF_TEST_TECHNIQUES) if (attendee.selfTest[technique].ok) ok[technique] += 1;
    }
    return { connected: present.length, selfTest: { reported, ok } };
  }

  /** Every attendee, for the instructor: name, whether present, self-test. */
  attendees(): { name: string; present: boolean; selfTest: SelfTest | null }[] {
    const present = new Set(this.#present());
    return [...this.#attendees.values()].map((a) => ({ name: a.name, present: present.has(a), selfTest: a.selfTest ?? null }));
  }

  #presenceEvent(): string {
    return `event: presence\ndata: ${JSON.stringify(this.summary())}\n\n`;
  }

  /**
   * Says the state changed: the watchers hear a presence event (the instructor page reads the
   * rest again), and `onChange` runs, once per turn of the event loop however many changes.
   */
  changed(): void {
    if (this.#pending) return;
    this.#pending = true;
    setImmediate(() => {
      this.#pending = false;
      const event = this.#presenceEvent();
      for (const res of this.#watchers) res.write(event);
      this.onChange?.();
    });
  }

  /** A comment on every stream, so that proxies keep them open (called by the shared heartbeat). */
  heartbeat(): void {
    for (const res of this.#streams()) res.write(': heartbeat\n\n');
  }

  *#streams(): Iterable<ServerResponse> {
    yield* this.#watchers;
    for (const attendee of this.#attendees.values()) yield* attendee.streams;
  }

  /** The attendees (id, name, self-test) and the event id counter, for the store. */
  snapshot(): AttendeesSnapshot {
    return { eventId: this.#eventId, attendees: [...this.#attendees.values()].map((a) => ({ id: a.id, name: a.name, selfTest: a.selfTest ?? null })) };
  }

  /**
   * Takes back a snapshot saved before a restart: the attendees come back as gone until they
   * reconnect, and event ids go on from the saved counter, so a Last-Event-ID from before the
   * restart hears `missed` (its events are no longer kept) rather than being taken for a new one.
   * Throws, naming what is wrong, when the value is not a snapshot; entries that fail the checks
   * a join makes are skipped.
   */
  restore(value: unknown): { attendees: number; skipped: number } {
    const snapshot = value as Partial<AttendeesSnapshot> | null;
    if (typeof snapshot !== 'object' || snapshot === null || !Number.isSafeInteger(snapshot.eventId) || (snapshot.eventId as number) < 0 || !Array.isArray(snapshot.attendees)) {
      throw new Error(`the attendees are not { eventId: integer >= 0, attendees: [...] }; found ${describeValue(value)}`);
    }
    this.#eventId = Math.max(this.#eventId, snapshot.eventId as number);
    let skipped = 0;
    for (const entry of snapshot.attendees as unknown[]) {
      try {
        const { id, name, selfTest } = entry as { id: unknown; name: unknown; selfTest: unknown };
        const attendee: Attendee = {
          id: checkAttendeeId(String(id)),
          name: checkName(name, this.#ctx.config.workshopNameMaxChars),
          streams: new Set(),
          selfTest: selfTest === null || selfTest === undefined ? undefined : checkSelfTest(selfTest),
          goneAt: Date.now(),
          graceTimer: undefined,
        };
        if (!this.#attendees.has(attendee.id) && this.#attendees.size < this.#ctx.config.workshopMaxAttendees) this.#attendees.set(attendee.id, attendee);
        else skipped += 1;
      } catch {
        skipped += 1;
      }
    }
    this.changed();
    return { attendees: this.#attendees.size, skipped };
  }

  /** Ends every stream, for shutdown. */
  close(): void {
    for (const res of [...this.#streams()]) res.end();
    for (const attendee of this.#attendees.values()) clearTimeout(attendee.graceTimer);
  }
}
