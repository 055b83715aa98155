/**
 * The tap: what crossed the wire for one run, as the server saw it. Transports record events
 * here; `GET /api/runs/:run/tap` replays the kept ones and streams the rest as SSE.
 */
import type { IncomingMessage } from 'node:http';
import type { WsFrame } from './ws-frames.ts';

export type Technique = 'poll' | 'long-poll' | 'sse' | 'ws' | 'echo' | 'publish';
/** `in` is client to server, `out` server to client. */
export type Direction = 'in' | 'out';
export type TapKind = 'request-head' | 'response-head' | 'body' | 'sse' | 'ws-frame' | 'hold' | 'release' | 'close' | 'fault';

/** One event of a run's tap, as the tap stream sends it (`event: tap`, this as JSON data). */
export interface TapEvent {
  seq: number;
  time: string;
  connection: string;
  technique: Technique;
  direction: Direction;
  kind: TapKind;
  bytes: number;
  text?: string;
  /** The text was cut at TAP_TEXT_BYTES; `bytes` is still the whole size. */
  truncated?: boolean;
  frame?: WsFrame;
  /** `release`: message, timeout, shutdown or fault. `close` by the server: slow-consumer or missed-pong. */
  reason?: string;
  /** `close`: client, server or fault. */
  by?: 'client' | 'server' | 'fault';
  /** `close`: the close code, or `abrupt`. */
  code?: number | 'abrupt';
  /** `fault`: which fault took effect. */
  fault?: string;
}

/** Bytes of a body's text the tap keeps. */
export const TAP_TEXT_BYTES = 2048;

/** Header values the tap never shows. */
const REDACTED_HEADERS: ReadonlySet<string> = new Set(['cookie', 'authorization', 'proxy-authorization']);

/**
 * The request line and headers as received: original case and order (from rawHeaders), with
 * credentials shown as `[redacted]`.
 */
export function formatRequestHead(req: IncomingMessage): string {
  let text = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    text += `${name}: ${REDACTED_HEADERS.has(name.toLowerCase()) ? '[redacted]' : raw[i + 1]}\r\n`;
  }
  return `${text}\r\n`;
}

/** A body as the tap shows it: its whole size, and its text cut at TAP_TEXT_BYTES. */
export function bodyText(body: Buffer | string): { bytes: number; text: string; truncated?: boolean } {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (bytes <= TAP_TEXT_BYTES) return { bytes, text: body.toString() };
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  return { bytes, text: buffer.subarray(0, TAP_TEXT_BYTES).toString('utf8'), truncated: true };
}

/** This process's tap epoch: a reader that resumes with another one's ids saw them elsewhere. */
export const TAP_EPOCH = Math.random().toString(36).slice(2, 8);

/**
 * The seq a tap reader's Last-Event-ID names, if it was issued by this tap's process; 0 (send
 * everything kept) for none, or for an id from another process (an instance that went away,
 * or this one before a restart), whose numbers mean nothing here.
 */
export function lastSeenSeq(lastEventId: string | undefined, epoch: string): number {
  const match = /^([a-z0-9]+)\.(\d{1,15})$/.exec(lastEventId ?? '');
  return match && match[1] === epoch ? Number(match[2]) : 0;
}

export type TapListener = (event: TapEvent, sse: string) => void;

/**
 * The events kept for one run (the newest, up to `maxBytes` of their SSE text) and the streams
 * following it. Each
 * event is serialized once, as the SSE chunk every subscriber is sent.
 */
export class RunTap {
  readonly #maxBytes: number;
  #bytes = 0;
  readonly #events: string[] = [];
  readonly #listeners = new Set<TapListener>();
  readonly #enders = new Set<() => void>();
  #seq = 0;
  /** Events dropped from the front because the run passed maxBytes. */
  #dropped = 0;

  /** Starts each event's SSE id: this process's, so that a reader who saw events on another one is told apart. */
  readonly epoch: string;

  constructor(maxBytes: number, epoch = TAP_EPOCH) {
    this.#maxBytes = maxBytes;
    this.epoch = epoch;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Records an event: numbered, timed, kept, and sent to every subscriber. */
  record(event: Omit<TapEvent, 'seq' | 'time'>): TapEvent {
    const full: TapEvent = { seq: ++this.#seq, time: new Date().toISOString(), ...event };
    const sse = `id: ${this.epoch}.${full.seq}\nevent: tap\ndata: ${JSON.stringify(full)}\n\n`;
    this.#events.push(sse);
    this.#bytes += sse.length;
    while (this.#bytes > this.#maxBytes && this.#events.length > 1) {
      this.#bytes -= (this.#events.shift() as string).length;
      this.#dropped += 1;
    }
    for (const listener of this.#listeners) listener(full, sse);
    return full;
  }

  /** The kept events as SSE chunks, oldest first: what a new subscriber is sent first. */
  kept(): readonly string[] {
    return this.#events;
  }

  /** Follows new events; `onEnd` is called when the run ends. Returns the unsubscribe function. */
  subscribe(listener: TapListener, onEnd?: () => void): () => void {
    this.#listeners.add(listener);
    if (onEnd) this.#enders.add(onEnd);
    return () => {
      this.#listeners.delete(listener);
      if (onEnd) this.#enders.delete(onEnd);
    };
  }

  /** The run has ended: every subscriber is told, and let go. */
  end(): void {
    for (const onEnd of [...this.#enders]) onEnd();
    this.#listeners.clear();
    this.#enders.clear();
  }

  get subscribers(): number {
    return this.#listeners.size;
  }
}
