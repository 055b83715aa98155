/**
 * One subscription per run to its tap (GET /api/runs/:run/tap, SSE), read by both the wire
 * view and the fault panel: one EventSource per sandbox, never two. The page's own EventSource,
 * not the frame's: the runs API refuses Origin null.
 *
 * The feed is open while the run is running, and closes TAP_LINGER_MS after it stops or
 * finishes (the server's close events come a moment after the browser's); `open()` opens it
 * again (a fault pressed on a finished run) and the events seen already are skipped by seq.
 */
import type { TapEvent } from '../../server/runs/tap.ts';
import { MAX_SAVED_ITEMS } from './saved-run.ts';

/** How long a tap stays open after its run stopped or finished: the server's last events come after the browser's. */
const TAP_LINGER_MS = 2000;

export type TapListener = (event: TapEvent) => void;

export class TapFeed {
  readonly #url: URL;
  #source: EventSource | undefined;
  readonly #listeners = new Set<TapListener>();
  #lastSeq = 0;
  #ended = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  /** The newest MAX_SAVED_ITEMS events, oldest first: what Save run writes. */
  readonly events: TapEvent[] = [];

  constructor(apiBase: string, run: string) {
    this.#url = new URL(`api/runs/${run}/tap`, apiBase);
  }

  /** Opens the stream (again), unless the run has ended on the server. */
  open(): void {
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    if (this.#source || this.#ended) return;
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
    // The run ended on the server: nothing more will come.
    source.addEventListener('end', () => {
      this.#ended = true;
      this.close();
    });
    this.#source = source;
  }

  /** Closes the stream after TAP_LINGER_MS (`open()` before then keeps it). */
  closeSoon(): void {
    if (!this.#source || this.#closeTimer) return;
    this.#closeTimer = setTimeout(() => this.close(), TAP_LINGER_MS);
  }

  close(): void {
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#source?.close();
    this.#source = undefined;
  }

  /** Follows new events; returns the unsubscribe function. */
  subscribe(listener: TapListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
