/**
 * The lab's publisher: `rate` messages a second, each `{ seq, sentAt, pad }`, POSTed to the
 * run's channel. A 201 acknowledges a seq: the receivers are held to exactly those. A 429
 * (PUBLISH_RATE_PER_S, PUBLISH_BYTES_PER_S) pauses it for the Retry-After the server names.
 */
import { runQuery } from './receiver.ts';

/** At most this many publishes wait for their answer at once (the browser has six connections to share). */
export const MAX_PUBLISHES_IN_FLIGHT = 4;

/** What the publisher tells the page. */
export interface PublisherReport {
  /** A seq has been acknowledged by a 201, at this time (ms, the page's clock). */
  acked(seq: number, at: number): void;
  /** The server refused with 429: the publisher waits `retryAfterS` seconds. */
  rateLimited(retryAfterS: number): void;
  /** A publish failed otherwise (network error, another status). */
  failed(status: number | null): void;
}

export interface PublisherOptions {
  origin: string;
  channel: string;
  run: string;
  /** Messages per second, 1 to 50. */
  rate: number;
  /** The size of each publish's JSON body, in bytes, up to 16,384 (MAX_MESSAGE_BYTES); 0 for no padding. */
  bodyBytes: number;
  /** The page's clock: publish and delivery times come from the same one. */
  now(): number;
  report: PublisherReport;
}

/** The body for `seq`, padded so it is `bodyBytes` long (or as short as it can be). */
export function publishBody(seq: number, sentAt: number, bodyBytes: number): string {
  const bare = JSON.stringify({ type: 'message', data: { seq, sentAt, pad: '' } });
  return JSON.stringify({ type: 'message', data: { seq, sentAt, pad: 'x'.repeat(Math.max(0, bodyBytes - bare.length)) } });
}

/** Publishes one message body to the run's channel; the answer is the server's, whatever its status. */
export async function publishOnce(origin: string, channel: string, run: string, body: string): Promise<Response> {
  return fetch(`${origin}/api/channels/${channel}/messages?${runQuery(run)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
    cache: 'no-store',
  });
}

/** A publisher that runs until `stop()`. `sent` counts the seqs sent; `skipped` the ticks left out while too many waited. */
export class Publisher {
  #options: PublisherOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = 0;
  #pausedUntil = 0;
  #stopped = false;
  #startedAt = 0;
  #ticks = 0;
  sent = 0;
  skipped = 0;

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  start(): void {
    this.#startedAt = this.#options.now();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Ticks on a fixed grid from the start, so timer drift does not lower the rate. */
  #schedule(): void {
    if (this.#stopped) return;
    const next = this.#startedAt + (this.#ticks * 1000) / this.#options.rate;
    this.#timer = setTimeout(() => {
      this.#ticks += 1;
      this.#tick();
      this.#schedule();
    }, Math.max(0, next - this.#options.now()));
  }

  #tick(): void {
    const { origin, channel, run, bodyBytes, now, report } = this.#options;
    if (now() < this.#pausedUntil) return;
    if (this.#inFlight >= MAX_PUBLISHES_IN_FLIGHT) {
      this.skipped += 1;
      return;
    }
    this.sent += 1;
    const seq = this.sent;
    this.#inFlight += 1;
    publishOnce(origin, channel, run, publishBody(seq, now(), bodyBytes))
      .then((response) => {
        if (response.status === 201) report.acked(seq, now());
        else if (response.status === 429) {
          const retryAfterS = Number(response.headers.get('Retry-After')) || 1;
          this.#pausedUntil = Math.max(this.#pausedUntil, now() + retryAfterS * 1000);
          report.rateLimited(retryAfterS);
        } else report.failed(response.status);
        return response.body?.cancel();
      })
      .catch(() => report.failed(null))
      .finally(() => {
        this.#inFlight -= 1;
      });
  }
}
