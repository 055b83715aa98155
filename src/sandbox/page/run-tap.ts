/**
 * One subscription per run to its tap (GET /api/runs/:run/tap, SSE), read by both the wire
 * view and the fault panel: one EventSource per sandbox, never two. The page's own EventSource,
 * not the frame's: the runs API refuses Origin null.
 *
 * The feed is open while the run is running, and closes TAP_LINGER_MS after it stops or
 * finishes (the server's close events come a moment after the browser's); `open()` opens it
 * again (a fault pressed on a finished run) and the events seen already are skipped by seq.
 */
import type { TapEvent } from '../../../server/runs/tap.ts';
import { MAX_SAVED_ITEMS } from './saved-run.ts';

/** How long a tap stays open after its run stopped or finished: the server's last events come after the browser's. */
const TAP_LINGER_MS = 2000;
/**
 * Taps the page holds open at once. Each is one of the six HTTP/1.1 connections a browser
 * opens to a host, in the page's pool (the frames' requests have a pool of their own): with a
 * tap per running sandbox, a page of many sandboxes would leave none for POST /api/runs. Past
 * this, the tap open longest waits (the newest Run is the one the reader watches), and opens
 * again when one closes; the events it missed are replayed from what the server keeps.
 */
export const MAX_OPEN_TAPS = 3;

/** Feeds with an open EventSource, oldest first, and those waiting for a free one. */
const connected: TapFeed[] = [];
const waiting: TapFeed[] = [];

function release(feed: TapFeed): void {
  const index = connected.indexOf(feed);
  if (index >= 0) connected.splice(index, 1);
  const queued = waiting.indexOf(feed);
  if (queued >= 0) waiting.splice(queued, 1);
  while (connected.length < MAX_OPEN_TAPS && waiting.length) (waiting.shift() as TapFeed).connect();
}

/** Told each new tap event, once. */
export type TapListener = (event: TapEvent) => void;

/** One run's tap, followed by one EventSource while the page has a free slot for it (MAX_OPEN_TAPS). */
export class TapFeed {
  readonly #url: URL;
  #source: EventSource | undefined;
  readonly #listeners = new Set<TapListener>();
  #lastSeq = 0;
  #ended = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Its run no longer runs: the feed closes TAP_LINGER_MS after it connects. */
  #closing = false;
  /** The newest MAX_SAVED_ITEMS events, oldest first: what Save run writes. */
  readonly events: TapEvent[] = [];
  /**
   * Events the server no longer kept when this feed (re)connected (`event: gap`, MAX_TAP_BYTES):
   * a feed that waited for a free tap can miss the start of its run, and the view says so.
   */
  dropped = 0;

  constructor(apiBase: string, run: string) {
    this.#url = new URL(`api/runs/${run}/tap`, apiBase);
  }

  /** Opens the stream (again), unless the run has ended on the server; past MAX_OPEN_TAPS, another waits for it. */
  open(): void {
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#closing = false;
    if (this.#source || this.#ended || waiting.includes(this)) return;
    if (connected.length >= MAX_OPEN_TAPS) {
      const oldest = connected[0] as TapFeed;
      oldest.#disconnect();
      waiting.push(oldest);
    }
    this.connect();
  }

  /** Opens the EventSource now (MAX_OPEN_TAPS is the caller's to keep). */
  connect(): void {
    if (this.#source || this.#ended) return;
    connected.push(this);
    const source = new EventSource(this.#url);
    source.addEventListener('tap', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as TapEvent;
      // A stream opened again replays what the server keeps: skip what was seen.
      if (event.seq <= this.#lastSeq) return;
      this.#lastSeq = event.seq;
      this.events.push(event);
      if (this.events.length > MAX_SAVED_ITEMS) this.events.shift();
      for (const listener of this.#listeners) listener(event);
    });
    source.addEventListener('gap', (message) => {
      const { dropped } = JSON.parse((message as MessageEvent<string>).data) as { dropped: number };
      // Only what this feed had not seen is lost to it.
      if (dropped > this.#lastSeq) this.dropped = Math.max(this.dropped, dropped - this.#lastSeq);
    });
    // The run ended on the server: nothing more will come.
    source.addEventListener('end', () => {
      this.#ended = true;
      this.close();
    });
    this.#source = source;
    if (this.#closing) {
      this.#closeTimer = undefined;
      this.closeSoon();
    }
  }

  /** Closes the stream after TAP_LINGER_MS (`open()` before then keeps it). */
  closeSoon(): void {
    // A feed waiting for a free connection catches up when it gets one, then closes.
    this.#closing = true;
    if (!this.#source || this.#closeTimer) return;
    this.#closeTimer = setTimeout(() => this.close(), TAP_LINGER_MS);
  }

  close(): void {
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#disconnect();
    release(this);
  }

  #disconnect(): void {
    this.#source?.close();
    this.#source = undefined;
    const index = connected.indexOf(this);
    if (index >= 0) connected.splice(index, 1);
  }

  /** Whether the feed waits for one of the page's MAX_OPEN_TAPS, its run still to be followed. */
  get waiting(): boolean {
    return waiting.includes(this) && !this.#closing;
  }

  /** Follows new events; returns the unsubscribe function. */
  subscribe(listener: TapListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
