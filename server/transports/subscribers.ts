/**
 * What the three push transports (long polling, SSE and WebSocket) share: their subscribers
 * grouped by channel, with one log subscription per channel; live messages held back while a
 * subscriber reads the history; and replays of history that cost the client, not the server. A
 * replay is read a page at a time, written a chunk at a time, waits until the client has taken
 * each chunk, and holds back the live messages that arrive meanwhile.
 *
 * The transports keep their own wire format and their slow-consumer check; this file is the
 * plumbing around them, written once.
 */
import type { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ServerContext } from '../context.ts';
import type { Listener, ReadResult, StoredMessage } from '../log/types.ts';

/**
 * Messages read from the log at a time during a replay (references to the stored messages,
 * not copies). After the first page, reads take about a chunk's worth.
 */
export const REPLAY_PAGE_MESSAGES = 1000;
/** Bytes written to one client before the replay waits for them to be taken and lets the server do other work. */
export const REPLAY_CHUNK_BYTES = 64 * 1024;

/** How a transport writes a replay: its own frames, on its own connection. */
export interface ReplayWriter {
  /** Writes the notice that messages after `since` have left the history. */
  gap(since: string, page: ReadResult): void;
  /**
   * Writes one message, and calls `flushed` once its bytes have been handed to the socket;
   * returns false, without calling it, when the connection is closed or being cut.
   */
  message(message: StoredMessage, flushed?: (error?: Error | null) => void): boolean;
  /**
   * Tells the client a page could not be read. If nothing was sent yet the connection goes on
   * live; otherwise it is cut after this, so the client resumes from its last id.
   */
  error(error: unknown): void;
}

/** A replay in progress: the live messages held back until it is done, and their size. */
interface Held {
  messages: StoredMessage[];
  bytes: number;
}

/**
 * Subscribers of type `T` (an SSE response, a WebSocket) by channel. The first subscriber of a
 * channel subscribes to the log with `deliver`; the last one to leave unsubscribes.
 */
export class Subscribers<T extends EventEmitter> {
  readonly #ctx: ServerContext;
  readonly #deliver: (channel: string, message: StoredMessage) => void;
  readonly #cut: (subscriber: T) => void;
  readonly #byChannel = new Map<string, Set<T>>();
  readonly #unsubscribes = new Map<string, () => void>();
  /** Only subscribers that are replaying have an entry: nothing is kept per idle connection. */
  readonly #held = new Map<T, Held>();

  /**
   * `deliver` broadcasts a live message; `cut` ends a connection at once (its client
   * reconnects with its last id and resumes from the history).
   */
  constructor(ctx: ServerContext, deliver: (channel: string, message: StoredMessage) => void, cut: (subscriber: T) => void) {
    this.#ctx = ctx;
    this.#deliver = deliver;
    this.#cut = cut;
  }

  /** Adds a subscriber; throws what the log throws when the channel cannot be subscribed to. */
  add(channel: string, subscriber: T): void {
    let set = this.#byChannel.get(channel);
    if (!set) {
      const listener: Listener = (message) => this.#deliver(channel, message);
      const unsubscribe = this.#ctx.log.subscribe(channel, listener);
      set = new Set();
      this.#byChannel.set(channel, set);
      this.#unsubscribes.set(channel, unsubscribe);
    }
    set.add(subscriber);
  }

  /** Removes a subscriber (and stops its replay); false if it was not there. */
  remove(channel: string, subscriber: T): boolean {
    this.#held.delete(subscriber);
    const set = this.#byChannel.get(channel);
    if (!set?.delete(subscriber)) return false;
    if (set.size === 0) {
      this.#byChannel.delete(channel);
      this.#unsubscribes.get(channel)?.();
      this.#unsubscribes.delete(channel);
    }
    return true;
  }

  /** The subscribers of a channel, if it has any. */
  get(channel: string): ReadonlySet<T> | undefined {
    return this.#byChannel.get(channel);
  }

  has(channel: string): boolean {
    return this.#byChannel.has(channel);
  }

  *all(): Iterable<T> {
    for (const set of this.#byChannel.values()) yield* set;
  }

  /** Whether a replay to this subscriber is in progress. */
  isReplaying(subscriber: T): boolean {
    return this.#held.size > 0 && this.#held.has(subscriber);
  }

  /** Starts holding live messages for a subscriber about to replay; call it before reading the history. */
  hold(subscriber: T): void {
    if (!this.#held.has(subscriber)) this.#held.set(subscriber, { messages: [], bytes: 0 });
  }

  /**
   * Stops holding live messages for a subscriber and returns those held, oldest first: for a
   * transport that answers once (a long poll), after its read of the history found nothing.
   */
  release(subscriber: T): StoredMessage[] {
    const held = this.#held.get(subscriber);
    this.#held.delete(subscriber);
    return held?.messages ?? [];
  }

  // #region hold-live
  /**
   * Holds a live message for a subscriber that is replaying, and returns true; returns false
   * (the caller writes it now) when the subscriber is not replaying. Held messages are output
   * owed to the client, charged to MAX_BUFFERED_BYTES like unsent output: past it, the
   * subscriber is disconnected as a slow consumer and resumes later from its last id.
   */
  held(subscriber: T, message: StoredMessage): boolean {
    const held = this.#held.size > 0 ? this.#held.get(subscriber) : undefined;
    if (!held) return false;
    held.messages.push(message);
    held.bytes += message.json.length;
    if (held.bytes > this.#ctx.config.maxBufferedBytes) {
      this.#held.delete(subscriber);
      this.#ctx.stats.disconnected.slowConsumers += 1;
      this.#cut(subscriber);
    }
    return true;
  }
  // #endregion hold-live

  // #region replay-loop
  /**
   * Replays what came after `since` (nothing when null), then the live messages held
   * meanwhile, without any the replay already sent. `first` is the first page when the
   * transport has read it already. Pages are read from the log in a loop; after each chunk of
   * REPLAY_CHUNK_BYTES the replay waits until the socket has taken it (a client that does not
   * read stops its own replay, not the server) and yields to the event loop, so many replays
   * at once take turns. It stops as soon as the connection closes.
   */
  async replay(subscriber: T, channel: string, since: string | null, first: ReadResult | undefined, writer: ReplayWriter): Promise<void> {
    this.hold(subscriber);
    const held = this.#held.get(subscriber) as Held;
    const { log, stats, runs } = this.#ctx;
    const live = () => this.#held.get(subscriber) === held;
    let lastSent: string | undefined;
    /** Bytes and messages written since the last wait. */
    let chunk = 0;
    let inChunk = 0;
    let limit = REPLAY_PAGE_MESSAGES;
    try {
      let page = since === null ? undefined : (first ?? (await runs.readAfter(subscriber, channel, since, limit)));
      let cursor = since;
      while (page && live()) {
        if (page.gap && cursor !== null) writer.gap(cursor, page);
        let unsent = false;
        for (const [index, message] of page.messages.entries()) {
          chunk += message.json.length;
          inChunk += 1;
          const flushed = chunk >= REPLAY_CHUNK_BYTES ? this.#flushed(subscriber) : undefined;
          if (!writer.message(message, flushed?.done)) {
            flushed?.done(new Error('not written'));
            return;
          }
          stats.messages.replayed += 1;
          lastSent = message.id;
          if (flushed) {
            if (!(await flushed.promise)) return;
            await nextTurn();
            if (!live()) return;
            // The client has taken the chunk. The rest of the page is read again rather than
            // kept while the client took its time: what left the history meanwhile is then
            // told as a gap, and a slow reader keeps no evicted message alive.
            limit = Math.min(REPLAY_PAGE_MESSAGES, inChunk);
            chunk = 0;
            inChunk = 0;
            unsent = index < page.messages.length - 1;
            break;
          }
        }
        // Everything after the last message sent is already held: the history has nothing more to give.
        const oldestHeld = held.messages[0];
        if (!(unsent || page.more) || (oldestHeld && lastSent !== undefined && log.compareIds(oldestHeld.id, lastSent) <= 0)) break;
        cursor = lastSent ?? page.cursor;
        page = undefined; // not kept alive while the next one is read
        page = await runs.readAfter(subscriber, channel, cursor, limit);
      }
    } catch (error) {
      if (!live()) return;
      writer.error(error);
      if (lastSent !== undefined) {
        // Part of the history was sent: the held messages would follow it with a hole. End the
        // connection instead, so the client resumes from the last id it received.
        this.#held.delete(subscriber);
        this.#cut(subscriber);
        return;
      }
    }
    if (!live()) return;
    this.#held.delete(subscriber);
    for (const message of held.messages) {
      if (lastSent === undefined || log.compareIds(message.id, lastSent) > 0) writer.message(message);
    }
  }
  // #endregion replay-loop

  /**
   * A promise that resolves true when `done` is called without an error (a write has called
   * back: its bytes are with the socket), or false when the connection closes first.
   */
  #flushed(subscriber: T): { promise: Promise<boolean>; done: (error?: Error | null) => void } {
    let done!: (error?: Error | null) => void;
    const promise = new Promise<boolean>((resolve) => {
      const closed = () => done(new Error('closed'));
      done = (error) => {
        subscriber.off('close', closed);
        resolve(!error);
      };
      subscriber.on('close', closed);
    });
    return { promise, done };
  }
}
