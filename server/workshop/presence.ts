/**
 * Who is in the workshop: each attendee's name, control streams and self-test, and the
 * watchers (the projector and instructor pages) told of every change.
 *
 * An attendee picks a random id in the browser and keeps it with its name; it is present while
 * it holds a control stream (SSE down; POSTs up), and for PRESENCE_GRACE_MS after its last one
 * closes, so that moving to the next page does not make it leave and join again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';
import { ApiError, describeValue } from '../errors.ts';
import { clientAddress } from '../http.ts';
import { ControlWire, type UpHandler, wireText } from './control-wire.ts';

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
  /** Its control channel over WebSocket (control: the same events as JSON frames). */
  sockets: Set<WebSocket>;
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
  /** The last CONTROL_REPLAY_EVENTS broadcasts, as written (SSE text and WebSocket frame): replayed after a reconnect. */
  readonly #replay: { id: number; text: string; frame: Buffer }[] = [];
  #pending = false;
  readonly #parts = new Map<string, KeptPart>();
  /** Called after every change, once per turn of the event loop (the store saves then). */
  onChange: (() => void) | undefined;
  /** Instructor pages' event streams (GET /api/workshop/instructor/events). */
  readonly #instructors = new Set<ServerResponse>();
  /** What came up the control channel and went down it, for the dashboard's wire view. */
  readonly wire: ControlWire;
  /** Handlers of up-messages by type: WebSocket frames `{ type, ref?, ... }` (and the POSTs that do the same). */
  readonly #ups = new Map<string, UpHandler>();
  /** Events every control stream gets right after `welcome` (the class's current state). */
  readonly #greetings: (() => { event: string; data: unknown })[] = [];
  /** Told of every broadcast, after it was sent (the class's state keeps the latest of its events). */
  readonly #broadcastListeners: ((event: string, data: unknown) => void)[] = [];

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
    this.wire = new ControlWire(ctx.config.workshopWireEntries, (text) => this.#writeInstructors(text));
  }

  /** Registers a part of the state to keep across restarts, under a name of its own. */
  keep(name: string, part: KeptPart): void {
    this.#parts.set(name, part);
  }

  /**
   * Adds an event that every control stream gets right after `welcome`, at each (re)connect,
   * without an id (it does not move Last-Event-ID): the current state a late joiner needs.
   */
  greet(greeting: () => { event: string; data: unknown }): void {
    this.#greetings.push(greeting);
  }

  /** The events a new control stream gets after `welcome`, in order (for other control transports too). */
  greetings(): { event: string; data: unknown }[] {
    return this.#greetings.map((greeting) => greeting());
  }

  /** Calls `listener` after each broadcast, with its event name and data. */
  onBroadcast(listener: (event: string, data: unknown) => void): void {
    this.#broadcastListeners.push(listener);
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
      attendee = { id, name, streams: new Set(), sockets: new Set(), selfTest: undefined, goneAt: Date.now(), graceTimer: undefined };
      this.#attendees.set(id, attendee);
    }
    attendee.name = name;
    this.changed();
    return { id, name, selfTest: attendee.selfTest ?? null };
  }

  #forgetOneGone(): boolean {
    let oldest: Attendee | undefined;
    for (const attendee of this.#attendees.values()) {
      if (attendee.streams.size === 0 && attendee.sockets.size === 0 && attendee.graceTimer === undefined && (!oldest || attendee.goneAt < oldest.goneAt)) oldest = attendee;
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
      this.#connectionClosed(attendee);
    });
    clearTimeout(attendee.graceTimer);
    attendee.graceTimer = undefined;
    attendee.streams.add(res);
    // [spec] A reconnecting EventSource sends the last event ID it saw as `Last-Event-ID`;
    // the events after it are what it missed (none yet: notices come with the instructor's controls).
    const lastEventId = req.headers['last-event-id'];
    res.write(`event: welcome\ndata: ${JSON.stringify({ name: attendee.name, resumedAfter: typeof lastEventId === 'string' ? lastEventId : null })}\n\n`);
    for (const { event, data } of this.greetings()) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    this.#replayAfter(res, typeof lastEventId === 'string' ? Number(lastEventId) : undefined);
    this.changed();
  }

  /** After a control stream or socket closed: the attendee stays present for PRESENCE_GRACE_MS after its last one. */
  #connectionClosed(attendee: Attendee): void {
    if (attendee.streams.size > 0 || attendee.sockets.size > 0) return;
    attendee.goneAt = Date.now();
    attendee.graceTimer = setTimeout(() => {
      attendee.graceTimer = undefined;
      this.changed();
    }, PRESENCE_GRACE_MS).unref();
  }

  /** Throws 404 UNKNOWN_ATTENDEE (or 400) unless `id` has joined: checked before a WebSocket upgrade is accepted. */
  checkJoined(id: string): void {
    this.#get(id);
  }

  /**
   * Opens an attendee's control channel over WebSocket: the same events as the SSE stream, as
   * JSON frames `{ id, event, data }` (welcome first, then what it missed after `lastEventId`),
   * and up-messages as frames `{ type, ref?, ... }`, each answered `{ event: 'ack', data: { ref, status } }`.
   * The caller has counted the connection in the gate; it is released here when the socket closes.
   */
  openControlSocket(ws: WebSocket, id: string, params: URLSearchParams, address: string): void {
    const attendee = this.#get(id);
    clearTimeout(attendee.graceTimer);
    attendee.graceTimer = undefined;
    attendee.sockets.add(ws);
    ws.on('error', () => {});
    ws.on('close', () => {
      this.#ctx.gate.release(address);
      attendee.sockets.delete(ws);
      this.#connectionClosed(attendee);
    });
    ws.on('message', (data, isBinary) => this.#receive(ws, attendee, address, isBinary ? undefined : data.toString()));
    const lastEventId = params.get('lastEventId');
    // `ups`: the frame types this server handles, so that the page knows what it may send as a frame.
    ws.send(JSON.stringify({ event: 'welcome', data: { name: attendee.name, resumedAfter: lastEventId, ups: [...this.#ups.keys()] } }));
    for (const { event, data } of this.greetings()) ws.send(JSON.stringify({ event, data }));
    const missed = this.#missedAfter(lastEventId === null ? undefined : Number(lastEventId));
    if (missed === 'gap') ws.send(JSON.stringify({ id: this.#eventId, event: 'missed', data: { after: Number(lastEventId), latest: this.#eventId } }));
    // Text frames, as the live ones: a Buffer would go as a binary frame (a Blob in a browser).
    else for (const event of missed) ws.send(event.frame, { binary: false });
    this.changed();
  }

  /**
   * An up-message on a control socket: counted against the address's publish rate (so that a
   * page cannot flood the dashboard), shown on the wire view, handled by its type's handler, acknowledged.
   */
  #receive(ws: WebSocket, attendee: Attendee, address: string, text: string | undefined): void {
    let frame: Record<string, unknown> | undefined;
    try {
      const parsed = text === undefined ? undefined : (JSON.parse(text) as unknown);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) frame = parsed as Record<string, unknown>;
    } catch {
      // Answered below as a frame that is not an object.
    }
    const { type, ref, ...body } = frame ?? {};
    const answer = (status: number, error?: ApiError) => {
      const data = error ? { ref: ref ?? null, status, ...error.toJSON() } : { ref: ref ?? null, status };
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event: 'ack', data }));
    };
    try {
      this.#ctx.rateLimiter.take(address);
    } catch (error) {
      answer(429, error as ApiError);
      return;
    }
    this.wire.up({ transport: 'ws', attendee: attendee.name, head: 'WebSocket frame', body: text ?? '(binary)' });
    const handler = typeof type === 'string' ? this.#ups.get(type) : undefined;
    if (!frame || !handler) {
      answer(400, new ApiError(400, 'INVALID_FRAME', `a control frame is a JSON object { "type": ${[...this.#ups.keys()].map((k) => JSON.stringify(k)).join(' | ') || '...'}, "ref"?: any, ... }; received ${describeValue(text)}`));
      return;
    }
    try {
      handler(attendee.id, body);
      answer(200);
    } catch (error) {
      answer(error instanceof ApiError ? error.status : 500, error instanceof ApiError ? error : new ApiError(500, 'INTERNAL_ERROR', 'the server failed to handle this frame'));
    }
  }

  /** Handles up-messages of `type` from control sockets (its POST route calls the same handler). */
  onUp(type: string, handler: UpHandler): void {
    this.#ups.set(type, handler);
  }

  /** Every attendee's control socket, for the shared WebSocket ping. */
  *sockets(): Iterable<WebSocket> {
    for (const attendee of this.#attendees.values()) yield* attendee.sockets;
  }

  /** The attendee's name, for the wire view (undefined if it has not joined). */
  nameOf(id: string): string | undefined {
    return this.#attendees.get(id)?.name;
  }

  /** Opens an instructor page's event stream: `presence` now and at every change, then what `tellInstructors` says. */
  openInstructorEvents(req: IncomingMessage, res: ServerResponse): void {
    this.#openStream(req, res, () => this.#instructors.delete(res));
    this.#instructors.add(res);
    res.write(this.#presenceEvent());
    for (const event of this.wire.recent()) res.write(event);
  }

  /** Sends one event to every instructor page's event stream, serialized once. */
  tellInstructors(event: string, data: unknown): void {
    if (this.#instructors.size > 0) this.#writeInstructors(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #writeInstructors(text: string): void {
    for (const res of this.#instructors) res.write(text);
  }

  /** The kept broadcasts after `lastId`; `gap` when they are no longer all kept (or the id is from before a restart). */
  #missedAfter(lastId: number | undefined): { text: string; frame: Buffer }[] | 'gap' {
    if (lastId === undefined || !Number.isInteger(lastId) || lastId === this.#eventId) return [];
    const oldest = this.#replay[0]?.id ?? this.#eventId + 1;
    if (lastId < 0 || lastId > this.#eventId || lastId + 1 < oldest) return 'gap';
    return this.#replay.filter((event) => event.id > lastId);
  }

  /**
   * Writes what a reconnecting stream missed: the broadcasts after `lastId`, or, when they are
   * no longer kept (or the id is from before a restart), `missed` with the range it cannot replay.
   */
  #replayAfter(res: ServerResponse, lastId: number | undefined): void {
    const missed = this.#missedAfter(lastId);
    if (missed === 'gap') res.write(`id: ${this.#eventId}\nevent: missed\ndata: ${JSON.stringify({ after: lastId, latest: this.#eventId })}\n\n`);
    else for (const event of missed) res.write(event.text);
  }

  /**
   * Sends one control event to every attendee's control stream: serialized once, the same bytes
   * to each, and kept (the last CONTROL_REPLAY_EVENTS) for those who reconnect. Returns its id.
   */
  broadcast(event: string, data: unknown): number {
    const id = ++this.#eventId;
    const json = JSON.stringify(data);
    const text = `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
    // The same event for control sockets: one frame, encoded once, the same bytes to each.
    const frame = Buffer.from(`{"id":${id},"event":${JSON.stringify(event)},"data":${json}}`);
    this.#replay.push({ id, text, frame });
    if (this.#replay.length > CONTROL_REPLAY_EVENTS) this.#replay.shift();
    let streams = 0;
    let sockets = 0;
    for (const attendee of this.#attendees.values()) {
      for (const res of attendee.streams) {
        res.write(text);
        streams += 1;
      }
      for (const ws of attendee.sockets) {
        // A socket that cannot keep up is cut, as the course's WebSocket transport cuts a slow consumer.
        if (ws.bufferedAmount > this.#ctx.config.maxBufferedBytes) ws.terminate();
        else if (ws.readyState === ws.OPEN) {
          ws.send(frame, { binary: false });
          sockets += 1;
        }
      }
    }
    this.wire.down({ id, event, sse: wireText(text), ws: wireText(frame.toString()), streams, sockets });
    for (const listener of this.#broadcastListeners) listener(event, data);
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
    return [...this.#attendees.values()].filter((a) => a.streams.size > 0 || a.sockets.size > 0 || a.graceTimer !== undefined);
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

  /** Every attendee with its id, for a part that keeps state per attendee (the class grid); ids never go to a page. */
  roster(): { id: string; name: string; present: boolean }[] {
    const present = new Set(this.#present());
    return [...this.#attendees.values()].map((a) => ({ id: a.id, name: a.name, present: present.has(a) }));
  }

  /** Throws the 400 or 404 an unknown attendee id gets; answers the attendee's name. */
  joinedName(id: string): string {
    return this.#get(id).name;
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
      for (const res of this.#instructors) res.write(event);
      this.onChange?.();
    });
  }

  /** A comment on every stream, so that proxies keep them open (called by the shared heartbeat). */
  heartbeat(): void {
    for (const res of this.#streams()) res.write(': heartbeat\n\n');
  }

  *#streams(): Iterable<ServerResponse> {
    yield* this.#watchers;
    yield* this.#instructors;
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
          sockets: new Set(),
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
    // [spec] RFC 6455, 7.4.1: 1001 indicates that an endpoint is "going away".
    for (const ws of [...this.sockets()]) ws.close(1001, 'server shutting down');
    for (const attendee of this.#attendees.values()) clearTimeout(attendee.graceTimer);
  }
}
