import { BUILT_IN_CHANNELS } from '../channels.ts';
import { serverErrors } from '../errors.ts';
import { envelopeJson, logErrors, type ChannelLog, type Listener, type ReadResult, type StoredMessage } from './types.ts';

export interface MemoryLogOptions {
  historyLimit: number;
  maxChannels: number;
  /** Bytes the history may hold in all channels together (MAX_LOG_BYTES); unbounded when absent. */
  maxLogBytes?: number;
  /** A channel with no subscriber and no new message for this long is removed (CHANNEL_IDLE_MS); never when absent. */
  channelIdleMs?: number;
  /** Channels not counted against MAX_CHANNELS; BUILT_IN_CHANNELS by default. */
  builtInChannels?: ReadonlySet<string>;
}

/**
 * What a message costs besides its JSON, counted against MAX_LOG_BYTES: the object, its id
 * and type strings and its slot in the history (about 150 bytes on a 64-bit V8, rounded up).
 */
export const MESSAGE_OVERHEAD_BYTES = 200;

/** A stored message and the bytes it was counted for. */
interface MemoryMessage extends StoredMessage {
  readonly bytes: number;
}

interface Channel {
  readonly name: string;
  /** Ids of this channel are `<epoch>-<seq>`; a channel created again after removal gets a new epoch. */
  readonly epoch: string;
  /** Sequence number of the newest message; 0 before the first. */
  seq: number;
  /** The kept messages, oldest first, from index `first` (earlier slots are already dropped). */
  messages: (MemoryMessage | undefined)[];
  first: number;
  bytes: number;
  /** When it last got a message or lost its last subscriber: it expires CHANNEL_IDLE_MS after. */
  idleSince: number;
  /** Counted against MAX_CHANNELS (not a built-in channel). */
  readonly counted: boolean;
}

const ID_PATTERN = /^([0-9a-z]{1,12})-(0|[1-9][0-9]{0,15})$/;

/**
 * How many removed channel names the log remembers with the epoch of their removal. Past it,
 * the oldest name is forgotten and its mark becomes the floor for every name not remembered.
 */
export const REMOVED_NAMES_KEPT = 10_000;

/** A character outside Latin-1: a string holding one is stored with two bytes a character. */
const WIDE_CHARACTER = /[^\x00-\xff]/;

/**
 * What a string costs on V8's heap: one byte a character, or two if any is outside Latin-1.
 * The test costs next to nothing on a one-byte string (measured: 30 ns for 15 KB, against
 * 4 us for Buffer.byteLength): V8 knows such a string cannot match.
 */
function heapBytes(json: string): number {
  return WIDE_CHARACTER.test(json) ? 2 * json.length : json.length;
}

/**
 * The in-memory channel log. Ids are `<epoch>-<seq>`, where the epoch is the time (base 36)
 * the channel was created: an id from before a restart, or from a channel that expired and
 * was created again, is recognised and answered with a gap instead of being mistaken for a
 * position in the new history.
 *
 * Memory is bounded twice: HISTORY_LIMIT messages per channel, and MAX_LOG_BYTES in all.
 * Past the byte budget, the channel that holds the most bytes loses its oldest messages: a
 * client flooding its own channels costs those channels their history, not `chat`'s.
 */
export class MemoryLog implements ChannelLog {
  readonly kind = 'memory';
  readonly #channels = new Map<string, Channel>();
  /** Subscribers by channel name, whether or not the channel exists yet. */
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #historyLimit: number;
  readonly #maxChannels: number;
  readonly #maxBytes: number;
  readonly #idleMs: number;
  readonly #builtIn: ReadonlySet<string>;
  readonly #sweepTimer: NodeJS.Timeout | undefined;
  #lastEpochMs = 0;
  /**
   * The epoch of each recently removed channel, by name, oldest removal first (at most
   * REMOVED_NAMES_KEPT). A channel that does not exist reads as `<mark>-0`, where the mark is
   * its own name's removal epoch: a reader that comes back with that id has missed nothing
   * unless that same channel was removed since. Another channel's expiry changes nothing.
   */
  readonly #removed = new Map<string, string>();
  /** The mark of names not in `#removed`: this log's creation, then the newest forgotten removal. */
  #floorMark: string;
  #counted = 0;
  #bytes = 0;
  /** The channel losing messages to the byte budget, and how many it lost since it was chosen. */
  #victim: Channel | undefined;
  #victimEvictions = 0;

  constructor(options: MemoryLogOptions) {
    this.#historyLimit = options.historyLimit;
    this.#maxChannels = options.maxChannels;
    this.#maxBytes = options.maxLogBytes ?? Infinity;
    this.#idleMs = options.channelIdleMs ?? Infinity;
    this.#builtIn = options.builtInChannels ?? BUILT_IN_CHANNELS;
    this.#floorMark = this.#nextEpoch();
    if (Number.isFinite(this.#idleMs)) {
      this.#sweepTimer = setInterval(() => this.#sweep(Date.now()), Math.max(50, Math.min(60_000, Math.floor(this.#idleMs / 4)))).unref();
    }
  }

  async append(channel: string, type: string, data: unknown): Promise<StoredMessage> {
    // Serialize before taking an id: a value that cannot be serialized leaves the log as it was.
    const dataJson = JSON.stringify(data) ?? 'null';
    const state = this.#channels.get(channel) ?? this.#create(channel);
    const id = `${state.epoch}-${state.seq + 1}`;
    const json = envelopeJson(id, channel, type, dataJson, new Date().toISOString());
    const message: MemoryMessage = { id, type, json, bytes: heapBytes(json) + MESSAGE_OVERHEAD_BYTES };
    state.seq += 1;
    state.messages.push(message);
    state.bytes += message.bytes;
    this.#bytes += message.bytes;
    state.idleSince = Date.now();
    if (state.messages.length - state.first > this.#historyLimit) this.#dropOldest(state);
    if (this.#bytes > this.#maxBytes) this.#evict();
    const listeners = this.#listeners.get(channel);
    if (listeners) {
      for (const listener of listeners) {
        try {
          listener(message);
        } catch (error) {
          // The message is stored: one failing subscriber must not make its publish fail.
          // Through the rate-limited log: a listener failing on every message must not flood it.
          serverErrors.log(new Error('memory log: a listener failed', { cause: error }));
        }
      }
    }
    return message;
  }

  async readAfter(channel: string, since: string, limit: number): Promise<ReadResult> {
    const [epoch, sinceSeq] = this.#parse(since, 'since');
    const state = this.#channels.get(channel);
    // `<epoch>-0` from a channel that did not exist yet: nothing was missed unless this channel was removed since.
    const fromStart = sinceSeq === 0 && parseInt(epoch, 36) >= parseInt(this.#markOf(channel), 36);
    if (!state) {
      return { messages: [], cursor: this.headId(channel), more: false, gap: !fromStart };
    }
    const oldest = state.seq - (state.messages.length - state.first) + 1;
    let from: number;
    if (epoch === state.epoch && sinceSeq <= state.seq) from = sinceSeq + 1;
    else if (fromStart && epoch !== state.epoch) from = 1;
    else from = 0; // An earlier run's id, a removed channel's, or one newer than the channel: it cannot be placed.
    if (from < oldest) return this.#slice(state, oldest, limit, true);
    return this.#slice(state, from, limit, false);
  }

  async readLatest(channel: string, limit: number): Promise<ReadResult> {
    const state = this.#channels.get(channel);
    if (!state) return { messages: [], cursor: this.headId(channel), more: false, gap: false };
    const oldest = state.seq - (state.messages.length - state.first) + 1;
    return { ...this.#slice(state, Math.max(oldest, state.seq - limit + 1), limit, false), more: false };
  }

  headId(channel: string): string {
    const state = this.#channels.get(channel);
    return state ? `${state.epoch}-${state.seq}` : `${this.#markOf(channel)}-0`;
  }

  checkId(id: string, name: string): void {
    this.#parse(id, name);
  }

  compareIds(a: string, b: string): number {
    const [epochA, seqA] = this.#parse(a, 'id');
    const [epochB, seqB] = this.#parse(b, 'id');
    if (epochA !== epochB) return parseInt(epochA, 36) - parseInt(epochB, 36);
    return seqA - seqB;
  }

  /** Waits for the channel's messages without creating it: it comes into being with its first message. */
  subscribe(channel: string, listener: Listener): () => void {
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    return () => {
      if (!set.delete(listener) || set.size > 0) return;
      if (this.#listeners.get(channel) === set) this.#listeners.delete(channel);
      const state = this.#channels.get(channel);
      if (state) state.idleSince = Date.now();
    };
  }

  /** Channels counted against MAX_CHANNELS (built-in channels are not). */
  channelCount(): number {
    return this.#counted;
  }

  /** Bytes the history holds now, as counted against MAX_LOG_BYTES. */
  storedBytes(): number {
    return this.#bytes;
  }

  async health(): Promise<{ ok: boolean; reason?: string }> {
    return { ok: true };
  }

  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    this.#listeners.clear();
  }

  #create(name: string): Channel {
    const counted = !this.#builtIn.has(name);
    if (counted && this.#counted >= this.#maxChannels) {
      // Channels that have expired since the last sweep make room first.
      this.#sweep(Date.now());
      if (this.#counted >= this.#maxChannels) throw logErrors.tooManyChannels(name, this.#counted, 'server');
    }
    const state: Channel = { name, epoch: this.#nextEpoch(), seq: 0, messages: [], first: 0, bytes: 0, idleSince: Date.now(), counted };
    this.#channels.set(name, state);
    if (counted) this.#counted += 1;
    return state;
  }

  #drop(state: Channel): void {
    this.#channels.delete(state.name);
    if (state.counted) this.#counted -= 1;
    this.#bytes -= state.bytes;
    if (this.#victim === state) this.#victim = undefined;
    // Kept while the name is created again: a reader's `<epoch>-0` from before this removal must still read as a gap.
    this.#removed.delete(state.name);
    this.#removed.set(state.name, this.#nextEpoch());
    if (this.#removed.size > REMOVED_NAMES_KEPT) {
      const [oldest, mark] = this.#removed.entries().next().value as [string, string];
      this.#removed.delete(oldest);
      this.#floorMark = mark;
    }
  }

  /** The epoch at or after which `<epoch>-0` means "from this channel's start". */
  #markOf(channel: string): string {
    return this.#removed.get(channel) ?? this.#floorMark;
  }

  /** Removes channels without subscribers that have had no message for CHANNEL_IDLE_MS. */
  #sweep(now: number): void {
    for (const state of this.#channels.values()) {
      if (now - state.idleSince >= this.#idleMs && !this.#listeners.has(state.name)) this.#drop(state);
    }
  }

  #dropOldest(state: Channel): void {
    const message = state.messages[state.first] as MemoryMessage;
    state.messages[state.first] = undefined;
    state.first += 1;
    state.bytes -= message.bytes;
    this.#bytes -= message.bytes;
    if (state.first >= 1024 && state.first * 2 >= state.messages.length) {
      state.messages = state.messages.slice(state.first);
      state.first = 0;
    }
  }

  /**
   * Drops oldest messages of the channel holding the most bytes until the total fits. The
   * channel is looked for again every 32 messages it loses, not at each one: a scan costs one
   * step per channel.
   */
  #evict(): void {
    while (this.#bytes > this.#maxBytes) {
      let victim = this.#victim;
      if (!victim || victim.messages.length === victim.first || this.#victimEvictions >= 32) {
        victim = undefined;
        for (const state of this.#channels.values()) {
          if (state.messages.length > state.first && (!victim || state.bytes > victim.bytes)) victim = state;
        }
        if (!victim) return;
        this.#victim = victim;
        this.#victimEvictions = 0;
      }
      this.#dropOldest(victim);
      this.#victimEvictions += 1;
    }
  }

  /** A new epoch, later than every one given before: the time in ms, base 36. */
  #nextEpoch(): string {
    this.#lastEpochMs = Math.max(Date.now(), this.#lastEpochMs + 1);
    return this.#lastEpochMs.toString(36);
  }

  #parse(id: string, name: string): [string, number] {
    const match = ID_PATTERN.exec(id);
    if (!match) {
      throw logErrors.invalidId(name, id, `${this.#floorMark}-42`);
    }
    return [match[1] as string, Number(match[2])];
  }

  #slice(state: Channel, from: number, limit: number, gap: boolean): ReadResult {
    const head = state.seq;
    const oldest = head - (state.messages.length - state.first) + 1;
    const to = Math.min(head, from + limit - 1);
    const messages: StoredMessage[] = [];
    for (let seq = from; seq <= to; seq++) messages.push(state.messages[state.first + seq - oldest] as MemoryMessage);
    const last = messages.at(-1);
    const cursor = last ? last.id : `${state.epoch}-${Math.max(from - 1, 0)}`;
    return { messages, cursor, more: to < head, gap };
  }
}
