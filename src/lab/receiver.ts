/** What every lab receiver is given, and what it reports: one shape for the four techniques. */

/** A message as every technique delivers it (the API's envelope). */
export interface Envelope {
  id: string;
  channel: string;
  type: string;
  data: unknown;
  time: string;
}

/** A poll's or long poll's answer: a page of messages and the cursor to send next. */
export interface Page {
  messages: Envelope[];
  cursor: string;
  more?: boolean;
  gap?: boolean;
}

/** How a receiver is started: where to listen, and whom to tell. */
export interface ReceiverOptions {
  /** The API's origin, such as `http://localhost:3000`. */
  origin: string;
  channel: string;
  /** The lab run's id: every request carries `run=<id>`, so the tap and the faults see it. */
  run: string;
  /** The id to start after: the lab's start marker. */
  startAfter: string;
  /** Short polling only: the time between polls. */
  intervalMs: number;
  /** Called for every message received, duplicates included: counting them is the lab's job. */
  onMessage(envelope: Envelope): void;
  /** Called when the server says messages were lost (`gap`). */
  onGap(): void;
  /** Called with a short state: `open`, `waiting`, `retrying`, `stopped`. */
  onState(state: ReceiverState): void;
}

export type ReceiverState = 'open' | 'waiting' | 'retrying' | 'stopped';

/** A running receiver: `stop()` ends it and every connection it holds. */
export interface Receiver {
  stop(): void;
}

/** The run parameter, added to every URL a receiver builds. */
export function runQuery(run: string): string {
  return `run=${encodeURIComponent(run)}`;
}

/** Waits `ms`, or less if `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Exponential backoff with full jitter: 500 ms, 1 s, 2 s ... up to 8 s, and a random part. */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(8000, 500 * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
