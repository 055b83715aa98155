import { envelopeJson, logErrors, type ChannelLog, type Listener, type ReadResult, type StoredMessage } from './types.ts';

export interface MemoryLogOptions {
  historyLimit: number;
  maxChannels: number;
  /** Start of the id epoch; ids from another epoch (an earlier run) are reported as a gap. */
  epoch?: string;
}

interface Channel {
  /** Sequence number of the newest message; 0 before the first. */
  seq: number;
  /** Ring buffer of the last `historyLimit` messages. */
  ring: StoredMessage[];
  /** Index in `ring` of the oldest message kept. */
  start: number;
  listeners: Set<Listener>;
}

const ID_PATTERN = /^([0-9a-z]{1,12})-(0|[1-9][0-9]{0,15})$/;

/**
 * The in-memory channel log. Ids are `<epoch>-<seq>`: the epoch is the time this log was
 * created, so an id from before a restart is recognised and answered with a gap instead of
 * being mistaken for a position in the new history.
 */
export class MemoryLog implements ChannelLog {
  readonly kind = 'memory';
  readonly #channels = new Map<string, Channel>();
  readonly #historyLimit: number;
  readonly #maxChannels: number;
  readonly #epoch: string;

  constructor(options: MemoryLogOptions) {
    this.#historyLimit = options.historyLimit;
    this.#maxChannels = options.maxChannels;
    this.#epoch = options.epoch ?? Date.now().toString(36);
  }

  async append(channel: string, type: string, data: unknown): Promise<StoredMessage> {
    const state = this.#channel(channel);
    // Serialize before taking an id: a value that cannot be serialized leaves the channel as it was.
    const dataJson = JSON.stringify(data) ?? 'null';
    state.seq += 1;
    const id = `${this.#epoch}-${state.seq}`;
    const message: StoredMessage = { id, type, json: envelopeJson(id, channel, type, dataJson, new Date().toISOString()) };
    if (state.ring.length < this.#historyLimit) {
      state.ring.push(message);
    } else {
      state.ring[state.start] = message;
      state.start = (state.start + 1) % this.#historyLimit;
    }
    for (const listener of state.listeners) listener(message);
    return message;
  }

  async readAfter(channel: string, since: string, limit: number): Promise<ReadResult> {
    const state = this.#channels.get(channel);
    const head = state?.seq ?? 0;
    const [epoch, sinceSeq] = this.#parse(since, 'since');
    const oldest = head - (state?.ring.length ?? 0) + 1;
    let from: number;
    let gap = false;
    if (epoch !== this.#epoch) {
      // An id from an earlier run of the server: that history is gone.
      from = oldest;
      gap = true;
    } else if (sinceSeq > head) {
      throw logErrors.unknownId(channel, since, `${this.#epoch}-${head}`);
    } else if (sinceSeq + 1 < oldest) {
      from = oldest;
      gap = true;
    } else {
      from = sinceSeq + 1;
    }
    return this.#slice(state, from, head, limit, gap);
  }

  async readLatest(channel: string, limit: number): Promise<ReadResult> {
    const state = this.#channels.get(channel);
    const head = state?.seq ?? 0;
    const oldest = head - (state?.ring.length ?? 0) + 1;
    const result = this.#slice(state, Math.max(oldest, head - limit + 1), head, limit, false);
    return { ...result, more: false };
  }

  headId(channel: string): string {
    return `${this.#epoch}-${this.#channels.get(channel)?.seq ?? 0}`;
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

  subscribe(channel: string, listener: Listener): () => void {
    const state = this.#channel(channel);
    state.listeners.add(listener);
    return () => state.listeners.delete(listener);
  }

  channelCount(): number {
    return this.#channels.size;
  }

  async health(): Promise<{ ok: boolean; reason?: string }> {
    return { ok: true };
  }

  async close(): Promise<void> {
    for (const state of this.#channels.values()) state.listeners.clear();
  }

  #channel(name: string): Channel {
    let state = this.#channels.get(name);
    if (!state) {
      if (this.#channels.size >= this.#maxChannels) {
        throw logErrors.tooManyChannels(name, this.#channels.size, 'server');
      }
      state = { seq: 0, ring: [], start: 0, listeners: new Set() };
      this.#channels.set(name, state);
    }
    return state;
  }

  #parse(id: string, name: string): [string, number] {
    const match = ID_PATTERN.exec(id);
    if (!match) {
      throw logErrors.invalidId(name, id, `${this.#epoch}-42`);
    }
    return [match[1] as string, Number(match[2])];
  }

  #slice(state: Channel | undefined, from: number, head: number, limit: number, gap: boolean): ReadResult {
    const messages: StoredMessage[] = [];
    if (state) {
      const oldest = head - state.ring.length + 1;
      const to = Math.min(head, from + limit - 1);
      for (let seq = from; seq <= to; seq++) {
        messages.push(state.ring[(state.start + seq - oldest) % state.ring.length] as StoredMessage);
      }
    }
    const last = messages.at(-1);
    const cursor = last ? last.id : `${this.#epoch}-${Math.max(from - 1, 0)}`;
    return { messages, cursor, more: from + messages.length <= head, gap };
  }
}
