/**
 * The channel log: the one source of truth for message ids and history. Transports read and
 * subscribe through this interface only, so an in-memory log and a Redis Streams log can be
 * swapped without touching them.
 */

import { ApiError, describeValue } from '../errors.ts';

/** A message as every technique delivers it. */
export interface Envelope {
  /** Opaque, increasing in the channel's order; clients only pass it back. */
  id: string;
  channel: string;
  type: string;
  data: unknown;
  /** ISO-8601 time the log accepted the message. */
  time: string;
}

/**
 * A message as the log keeps it: its envelope serialized once, when it is appended, and never
 * parsed again. The parsed `data` is not kept: JSON made of small objects costs many times its
 * size on the heap, so the bytes are the one stored form; `id` and `type` are what the
 * transports need to frame it.
 */
export interface StoredMessage {
  readonly id: string;
  readonly type: string;
  /** The Envelope as JSON: `{"id","channel","type","data","time"}`, no line breaks. */
  readonly json: string;
}

/** Serializes an envelope whose `data` is already JSON text, in the order the Envelope lists its fields. */
export function envelopeJson(id: string, channel: string, type: string, dataJson: string, time: string): string {
  return `{"id":${JSON.stringify(id)},"channel":${JSON.stringify(channel)},"type":${JSON.stringify(type)},"data":${dataJson},"time":"${time}"}`;
}

/** A page of history. */
export interface ReadResult {
  /** Oldest first. */
  messages: StoredMessage[];
  /** What to pass as `since` next time: the last id returned, or the position read up to. */
  cursor: string;
  /** More messages after these exist already: ask again at once. */
  more: boolean;
  /**
   * Messages after `since` have left the history, or `since` cannot be placed in it (an id from
   * an earlier run, from a channel that expired, or newer than the channel after a Redis reset):
   * some may have been missed, and the page starts at the oldest message kept.
   */
  gap: boolean;
}

/** The errors every log gives for the same mistakes, in the same words. */
export const logErrors = {
  invalidId: (name: string, value: string, example: string) =>
    new ApiError(400, 'INVALID_ID', `${name} must be a message id taken from an earlier response, such as "${example}"; received ${describeValue(value)}`),
  /** `scope` is what holds the channels: this server, or a deployment sharing one log. */
  tooManyChannels: (channel: string, count: number, scope: 'server' | 'deployment') =>
    new ApiError(507, 'TOO_MANY_CHANNELS', `channel "${channel}" cannot be created: the ${scope} already has ${count} channels, the most allowed (MAX_CHANNELS); use an existing channel`),
};

/** What a client is told, on any transport, when messages after `since` have left the history. */
export function gapNotice(since: string, page: ReadResult): { since: string; oldest: string | null; message: string } {
  return {
    since,
    oldest: page.messages[0]?.id ?? null,
    message: `messages after ${since} are no longer in the history; what follows starts at the oldest message kept`,
  };
}

export type Listener = (message: StoredMessage) => void;

export interface ChannelLog {
  /** Which implementation this is, for /api/stats: `memory` or `redis`. */
  readonly kind: string;
  /** Validates, assigns the next id, appends to the bounded history and notifies subscribers. */
  append(channel: string, type: string, data: unknown): Promise<StoredMessage>;
  /**
   * Messages after `since`, oldest first, at most `limit`. Throws an ApiError (400) for an id
   * that is malformed; an id it cannot place is answered with `gap`, never refused.
   */
  readAfter(channel: string, since: string, limit: number): Promise<ReadResult>;
  /** The newest `limit` messages, oldest first. */
  readLatest(channel: string, limit: number): Promise<ReadResult>;
  /** The newest id this instance has seen on the channel, or the channel's starting position. */
  headId(channel: string): string;
  /**
   * Whether headId is known to be current for the channel; false when another instance may
   * have appended unseen (Redis, for a channel this instance does not watch), and then a poll
   * is read rather than answered 304. Absent: always current (one process holds the log).
   */
  headIsCurrent?(channel: string): boolean;
  /** Throws an ApiError (400) unless `id` has the form of this log's ids. */
  checkId(id: string, name: string): void;
  /** Negative, zero or positive as `a` comes before, is, or comes after `b`. */
  compareIds(a: string, b: string): number;
  /**
   * Calls `listener` for every message appended from now on; returns the unsubscribe function.
   * It never creates the channel nor counts against MAX_CHANNELS: a channel comes into being
   * with its first message.
   */
  subscribe(channel: string, listener: Listener): () => void;
  /**
   * How many channels exist, counted against MAX_CHANNELS (built-in channels are not). A log
   * shared by several servers answers as of its last count, and counts again when asked.
   */
  channelCount(): number;
  /** Bytes the history holds, as counted against MAX_LOG_BYTES, for a log that keeps it in this process. */
  storedBytes?(): number;
  /** Whether the log can take and serve messages now; `reason` says why not (for /api/health). */
  health(): Promise<{ ok: boolean; reason?: string; warnings?: string[] }>;
  /**
   * Appends unless this `slot` (a time-slot number), or a later one, was already appended to
   * the channel by any server sharing the log; then resolves to null. Lets every instance of a
   * deployment run the clock while the channel ticks once per slot. A log private to one
   * process does not need it.
   */
  appendOnce?(channel: string, slot: number, type: string, data: unknown): Promise<StoredMessage | null>;
  close(): Promise<void>;
}
