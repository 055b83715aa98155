/**
 * One resilient client per technique, as a reader's code would write it: each keeps the id of
 * the last message it received and, when its connection breaks or an answer is a 5xx, tries
 * again with that id. Every message received is kept, so a test can check that none is missing,
 * none doubled, and the order held.
 */
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import type { Envelope } from '../../server/log/types.ts';
import { until } from '../server/helpers.ts';

export interface Receiver {
  readonly technique: string;
  readonly messages: Envelope[];
  /** Connections or requests that failed and were retried. */
  readonly failures: string[];
  /** Gaps the server reported: there must be none in these tests. */
  gaps: number;
  /** Streams (SSE, WebSocket) opened, the first included. */
  connections: number;
  /** Resolves once `count` messages have arrived; rejects after `timeoutMs`. */
  received(count: number, timeoutMs: number): Promise<void>;
  stop(): void;
}

const RETRY_MS = 50;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

abstract class BaseReceiver implements Receiver {
  abstract readonly technique: string;
  readonly messages: Envelope[] = [];
  readonly failures: string[] = [];
  gaps = 0;
  connections = 0;
  stopped = false;
  last: string;
  #waiters = new Set<() => void>();

  constructor(since: string) {
    this.last = since;
  }

  push(envelope: Envelope): void {
    this.messages.push(envelope);
    this.last = envelope.id;
    for (const waiter of this.#waiters) waiter();
  }

  received(count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.messages.length < count) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${this.technique}: received ${this.messages.length} of ${count} messages within ${timeoutMs} ms (failures: ${this.failures.slice(-5).join('; ')})`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  stop(): void {
    this.stopped = true;
  }
}

interface PageBody {
  messages: Envelope[];
  cursor: string;
  gap?: true;
}

/** Short polling: asks every `intervalMs` for what came after its cursor. */
export class PollReceiver extends BaseReceiver {
  readonly technique = 'poll';

  constructor(base: string, channel: string, since: string, intervalMs = 20) {
    super(since);
    void this.#run(base, channel, intervalMs);
  }

  async #run(base: string, channel: string, intervalMs: number): Promise<void> {
    while (!this.stopped) {
      try {
        const res = await fetch(`${base}/api/poll/${channel}?since=${this.last}&limit=100`);
        if (res.status === 200) {
          const page = (await res.json()) as PageBody;
          if (page.gap) this.gaps += 1;
          for (const message of page.messages) this.push(message);
          if (page.messages.length > 0) continue;
        } else {
          this.failures.push(`HTTP ${res.status}`);
          await res.body?.cancel();
        }
      } catch (error) {
        this.failures.push(String((error as Error).cause ?? error));
      }
      await pause(intervalMs);
    }
  }
}

/** Long polling: one request held at a time, asked again at once after each answer. */
export class LongPollReceiver extends BaseReceiver {
  readonly technique = 'long-poll';

  constructor(base: string, channel: string, since: string) {
    super(since);
    void this.#run(base, channel);
  }

  async #run(base: string, channel: string): Promise<void> {
    while (!this.stopped) {
      try {
        const res = await fetch(`${base}/api/long-poll/${channel}?since=${this.last}&timeout=5`, { signal: AbortSignal.timeout(15_000) });
        if (res.status === 200) {
          const page = (await res.json()) as PageBody;
          if (page.gap) this.gaps += 1;
          for (const message of page.messages) this.push(message);
          continue;
        }
        if (res.status === 204) continue;
        this.failures.push(`HTTP ${res.status}`);
        await res.body?.cancel();
      } catch (error) {
        this.failures.push(String((error as Error).cause ?? error));
      }
      await pause(RETRY_MS);
    }
  }
}

/**
 * Server-Sent Events with the `eventsource` package. It reconnects by itself after a network
 * error, sending Last-Event-ID; after an HTTP error it gives up (as the spec says), so then a
 * new EventSource starts from the last id.
 */
export class SseReceiver extends BaseReceiver {
  readonly technique = 'sse';
  #source: EventSource | undefined;
  readonly #base: string;
  readonly #channel: string;

  constructor(base: string, channel: string, since: string) {
    super(since);
    this.#base = base;
    this.#channel = channel;
    this.#open();
  }

  /** Resolves once the first `connected` event has arrived. */
  connected(timeoutMs = 10_000): Promise<void> {
    return until(() => this.connections > 0, 'the first connected event', timeoutMs, 10);
  }

  #open(): void {
    if (this.stopped) return;
    const source = new EventSource(`${this.#base}/api/sse/${this.#channel}?lastEventId=${this.last}`);
    this.#source = source;
    source.addEventListener('connected', () => {
      this.connections += 1;
    });
    source.addEventListener('gap', () => {
      this.gaps += 1;
    });
    // Each message is an event named after its type: `message` by default, `tick` on the clock.
    for (const type of ['message', 'tick']) source.addEventListener(type, (event) => this.push(JSON.parse(event.data) as Envelope));
    source.addEventListener('error', (event) => {
      this.failures.push(`sse error ${(event as { code?: number }).code ?? ''} ${(event as { message?: string }).message ?? ''}`);
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(() => this.#open(), RETRY_MS);
      }
    });
  }

  override stop(): void {
    super.stop();
    this.#source?.close();
  }
}

/** WebSocket with the `ws` client: reconnects with `?since=` the last id it received. */
export class WebSocketReceiver extends BaseReceiver {
  readonly technique = 'websocket';
  #ws: WebSocket | undefined;
  readonly #url: string;
  readonly #channel: string;
  /** Resolves on the first `welcome` frame. */
  readonly welcomed: Promise<void>;
  #welcome: (() => void) | undefined;

  constructor(base: string, channel: string, since: string) {
    super(since);
    this.#url = base.replace(/^http/, 'ws');
    this.#channel = channel;
    this.welcomed = new Promise((resolve) => {
      this.#welcome = resolve;
    });
    this.#open();
  }

  #open(): void {
    if (this.stopped) return;
    const ws = new WebSocket(`${this.#url}/api/ws/${this.#channel}?since=${this.last}`);
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; message?: Envelope; code?: string };
      if (frame.type === 'welcome') {
        this.connections += 1;
        this.#welcome?.();
      } else if (frame.type === 'message' && frame.message) {
        this.push(frame.message);
      } else if (frame.type === 'gap') {
        this.gaps += 1;
      } else if (frame.type === 'error') {
        this.failures.push(`error frame ${frame.code}`);
        // Only a failed replay (the log was away) sends one here: connect again from the last id.
        ws.terminate();
      }
    });
    ws.on('error', (error) => this.failures.push(`ws error ${error.message}`));
    ws.on('close', () => {
      if (!this.stopped) setTimeout(() => this.#open(), RETRY_MS);
    });
  }

  override stop(): void {
    super.stop();
    this.#ws?.terminate();
  }
}

/** Checks that `messages` carry exactly the numbers 1..count in `data.n`, in order, once each. */
export function sequenceProblems(messages: readonly Envelope[], count: number): string | undefined {
  const numbers = messages.map((message) => (message.data as { n: number }).n);
  for (let i = 0; i < Math.max(numbers.length, count); i++) {
    if (numbers[i] !== i + 1) {
      return `expected n=${i + 1} at position ${i}, got ${numbers[i]} (received ${numbers.length}; around it: ${numbers.slice(Math.max(0, i - 3), i + 4).join(',')})`;
    }
  }
  return undefined;
}
