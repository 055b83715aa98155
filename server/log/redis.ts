/**
 * The channel log on Redis Streams, for several server instances that share one history.
 *
 * Each channel is one stream. A publish is one XADD (`MAXLEN ~ HISTORY_LIMIT`), and the id
 * Redis gives the entry is the message id. Each instance runs ONE blocking read loop, an
 * XREAD BLOCK over the streams of the channels its own clients listen to, on a connection of
 * its own, and fans what it reads out to its local listeners: one Redis read per instance,
 * never one per client. The loop remembers the last id it delivered per stream, so after a
 * lost connection it resumes right after it, and nothing Redis acknowledged is skipped.
 *
 * Gaps: MAXLEN trimming removes the oldest entries, and Redis 7.0 does not record which (its
 * `max-deleted-entry-id` counts XDEL only). So every entry also carries `prev`, the id of the
 * entry before it: the first entry still in the stream then names the newest one trimmed, and
 * a client whose `since` is older than that has missed messages. A first entry whose `prev` is
 * `0-0` began its stream: an id before it is from a stream that is gone (expired, or lost in a
 * Redis restart without persistence), and so is an id newer than the stream's last. Both are
 * answered with a gap, never a 400.
 *
 * Channels expire: each append sets the stream to expire after CHANNEL_IDLE_MS, and the set of
 * channels (a sorted set scored by the time of their last message) forgets those older than
 * that before it counts them against MAX_CHANNELS.
 *
 * Resets: the log keeps a deployment epoch in Redis, set once by whichever instance comes
 * first. An instance that reconnects and finds another epoch (Redis restarted empty) says so,
 * and forgets the heads it knew, so that polls read again and are told of the gap.
 */
import { ClientClosedError, ClientOfflineError, createClient, ErrorReply } from 'redis';
import { BUILT_IN_CHANNELS } from '../channels.ts';
import { ApiError, serverErrors } from '../errors.ts';
import { envelopeJson, logErrors, type ChannelLog, type Listener, type ReadResult, type StoredMessage } from './types.ts';

export interface RedisLogOptions {
  /** `redis://[user:password@]host:port[/db]` */
  url: string;
  historyLimit: number;
  maxChannels: number;
  /** Prefix of every key this log writes, so that several deployments can share one Redis. */
  keyPrefix?: string;
  /** A channel without a new message for this long expires, with its history (CHANNEL_IDLE_MS). */
  channelIdleMs?: number;
  /** Channels not counted against MAX_CHANNELS; BUILT_IN_CHANNELS by default. */
  builtInChannels?: ReadonlySet<string>;
}

/** CHANNEL_IDLE_MS's default, for a log created without it. */
const DEFAULT_IDLE_MS = 15 * 60 * 1000;

/** How long the read loop blocks in one XREAD before it asks again. */
const BLOCK_MS = 5000;
/** Most entries one XREAD returns per stream. */
const READ_COUNT = 500;
/** A channel that exists, read without local listeners, stays in the read loop this long, to keep headId fresh for polls. */
const WATCH_MS = 60_000;
/**
 * Most channels that do not exist that the read loop watches for polls (a poll of one is
 * then answered 304 until its first message). Past it, polls of another unknown name read
 * Redis each time: polls of random names cannot grow every XREAD or restart it at will.
 */
const WATCH_EMPTY_MAX = 16;
/** How long a read waits for the read loop to have delivered what it returns (see #caughtUp). */
const CATCH_UP_MS = 10_000;
/** How long /api/health waits for Redis to answer a PING. */
const HEALTH_TIMEOUT_MS = 2000;
/** Retry delay after a lost connection: grows by 100 ms per attempt, up to 1 s. */
const reconnectStrategy = (retries: number): number => Math.min((retries + 1) * 100, 1000);

const ID_PATTERN = /^(0|[1-9][0-9]{0,19})-(0|[1-9][0-9]{0,19})$/;
const MAX_ID_PART = 2n ** 64n - 1n;

/**
 * Appends one message, atomically: registers the channel in the channel set (refusing a new
 * one past MAX_CHANNELS, once channels idle for ARGV[8] ms are forgotten; built-in channels,
 * ARGV[7] = '0', are not counted), reads the stream's last id for `prev`, XADDs with MAXLEN ~
 * and sets the stream to expire when idle. Returns the id, and the channel count when this
 * append created a channel (one not in the set, or expired there): only then is the set
 * counted. With a slot (ARGV[6]), appends only if no instance has appended for that slot or a
 * later one. The `#!lua` line (Redis 7) makes Redis refuse the whole script when it is out of
 * memory: without it, a script whose first write frees memory (ZREMRANGEBYSCORE) may go on to
 * XADD past maxmemory.
 */
// #region append-script
const APPEND_SCRIPT = `#!lua
if ARGV[6] ~= '' then
  local done = tonumber(redis.call('GET', KEYS[3]) or '-1')
  if done >= tonumber(ARGV[6]) then return false end
  redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[8])
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expired = now - tonumber(ARGV[8])
local count = false
if ARGV[7] == '1' then
  local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if not score or tonumber(score) <= expired then
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', expired)
    count = redis.call('ZCARD', KEYS[2])
    if count >= tonumber(ARGV[2]) then return {'', count} end
    count = count + 1
  end
  redis.call('ZADD', KEYS[2], now, ARGV[1])
end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local prev = '0-0'
if #last > 0 then prev = last[1][1] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'type', ARGV[4], 'data', ARGV[5], 'prev', prev)
redis.call('PEXPIRE', KEYS[1], ARGV[8])
if count then return {id, count} end
return {id}
`;
// #endregion append-script

/**
 * Reads a page, atomically with what gap detection needs: the first entry (its `prev` is the
 * newest trimmed id, and its id), the last id, and the page (after ARGV[2], or the newest ARGV[3]).
 */
const READ_SCRIPT = `
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local page
if ARGV[1] == 'after' then
  local ok, entries
  if ARGV[3] == '0' then
    ok, entries = pcall(redis.call, 'XRANGE', KEYS[1], '(' .. ARGV[2], '+')
  else
    ok, entries = pcall(redis.call, 'XRANGE', KEYS[1], '(' .. ARGV[2], '+', 'COUNT', ARGV[3])
  end
  if ok then page = entries else page = {} end
else
  page = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[3])
end
local firstPrev = '0-0'
if #first > 0 then
  local fields = first[1][2]
  for i = 1, #fields, 2 do if fields[i] == 'prev' then firstPrev = fields[i + 1] end end
end
local firstId = '0-0'
if #first > 0 then firstId = first[1][1] end
local lastId = '0-0'
if #last > 0 then lastId = last[1][1] end
return {firstPrev, lastId, page, firstId}
`;

/**
 * Counts the channel set for /api/stats, once it has forgotten the channels idle for ARGV[1]
 * ms (CHANNEL_IDLE_MS), as an append that creates a channel does. No `#!lua` line: pruning
 * only frees memory, and a full Redis still answers.
 */
const COUNT_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
return redis.call('ZCARD', KEYS[1])
`;

type RawEntry = [id: string, fields: string[]];
type RedisClient = ReturnType<typeof createClient>;

interface LocalListener {
  readonly fn: Listener;
  /** Deliver only ids after this: the stream's last id when it subscribed. Unknown until Redis answers. */
  after: string | undefined;
  /** Messages the loop read before `after` was known. */
  pending: StoredMessage[];
  /** It subscribed while Redis was away: the loop finds its position once Redis is back. */
  orphan: boolean;
}

interface ChannelState {
  listeners: Set<LocalListener>;
  /** The last id the read loop delivered; undefined until the stream's position is known. */
  delivered: string | undefined;
  /** The newest id this instance has seen: the ETag of polls and the welcome cursor. */
  head: string;
  /** Without listeners, the channel stays in the read loop until then. */
  watchUntil: number;
  /** Reads waiting for the loop to have delivered up to an id. */
  catchUps: { id: string; resolve: () => void }[];
}

/**
 * Redis at its maxmemory refuses writes ("OOM command not allowed...", deploy/redis.conf sets
 * noeviction): a 503 that says so, instead of a logged 500. Memory comes back as idle
 * channels expire.
 */
function outOfMemory(error: unknown): ApiError | undefined {
  if (!(error instanceof ErrorReply && /\bOOM\b/.test(error.message))) return undefined;
  return new ApiError(503, 'LOG_UNAVAILABLE', 'the channel log (Redis) is full: it has reached its maxmemory and keeps what it holds (noeviction); space comes back as idle channels expire (CHANNEL_IDLE_MS), so try again later', { 'Retry-After': '30' });
}

/** Compares two ids of the form `<ms>-<seq>`. */
function compare(a: string, b: string): number {
  const [msA = '0', seqA = '0'] = a.split('-');
  const [msB = '0', seqB = '0'] = b.split('-');
  const ms = BigInt(msA) - BigInt(msB);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(seqA) - BigInt(seqB);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

function newer(a: string, b: string): string {
  return compare(a, b) >= 0 ? a : b;
}

/** Builds the stored message for a stream entry; its time is the millisecond part of the id. */
function toMessage(channel: string, id: string, type: string, dataJson: string): StoredMessage {
  return { id, type, json: envelopeJson(id, channel, type, dataJson, new Date(Number(id.split('-')[0])).toISOString()) };
}

function entryToMessage(channel: string, [id, fields]: RawEntry): StoredMessage {
  let type = 'message';
  let data = 'null';
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'type') type = fields[i + 1] ?? type;
    else if (fields[i] === 'data') data = fields[i + 1] ?? data;
  }
  return toMessage(channel, id, type, data);
}

/**
 * A connection error as clients may see it (/api/health, 503 bodies): its code, such as
 * ECONNREFUSED, rather than a message that names Redis's address. main.ts prints the address.
 */
function describeError(error: Error): string {
  const { code } = error as NodeJS.ErrnoException;
  return typeof code === 'string' ? code : error.message || error.name;
}

export class RedisLog implements ChannelLog {
  readonly kind = 'redis';
  readonly #client: RedisClient;
  /** The read loop's own connection: XREAD BLOCK holds it. */
  readonly #reader: RedisClient;
  readonly #historyLimit: number;
  readonly #maxChannels: number;
  readonly #prefix: string;
  readonly #idleMs: number;
  readonly #builtIn: ReadonlySet<string>;
  /** The deployment epoch this instance last found in Redis; another one means Redis was reset. */
  #epoch: string | undefined;
  /** Said in /api/health while true: Redis runs without append-only persistence. */
  #warnings: string[] = [];
  /** The check of the deployment made on the last (re)connection; /api/health waits for it. */
  #deploymentChecked: Promise<void> = Promise.resolve();
  readonly #channels = new Map<string, ChannelState>();
  /** Channels in #channels only because a poll read them while they did not exist (at most WATCH_EMPTY_MAX). */
  readonly #watchedEmpty = new Set<string>();
  readonly #scriptShas = new Map<string, string>();
  /** The channel count as last heard from Redis: on an append that created a channel, or a count (see channelCount). */
  #channelCount = 0;
  /** The count channelCount() asked for and Redis has not answered yet: one at a time. */
  #counting: Promise<void> | undefined;
  /** Counts the appends that told the channel count: a count asked before one of them is older than what it told. */
  #countsTold = 0;
  #lastError = 'not connected yet';
  #closed = false;
  /** The reader's CLIENT ID while it is blocked in XREAD, for CLIENT UNBLOCK. */
  #readerId: string | undefined;
  #blocked = false;
  /** Counts the loop's iterations: an interrupt is done once the loop has begun a new one. */
  #iteration = 0;
  /** The iteration whose XREAD a chain of UNBLOCK retries is cutting short: one chain per iteration at most. */
  #unblocking: number | undefined;
  #wake: (() => void) | undefined;
  readonly #loopDone: Promise<void>;

  constructor(options: RedisLogOptions) {
    this.#historyLimit = options.historyLimit;
    this.#maxChannels = options.maxChannels;
    this.#prefix = options.keyPrefix ?? 'realtime-lab:';
    this.#idleMs = options.channelIdleMs ?? DEFAULT_IDLE_MS;
    this.#builtIn = options.builtInChannels ?? BUILT_IN_CHANNELS;
    // Without an offline queue, a command sent while Redis is away fails at once (503),
    // instead of waiting, unanswered, for a reconnection that may not come soon.
    // RESP3: XREAD answers with an object keyed by stream, or null when its BLOCK times out.
    this.#client = createClient({ url: options.url, RESP: 3, disableOfflineQueue: true, socket: { reconnectStrategy, connectTimeout: 2000 } });
    this.#reader = this.#client.duplicate();
    for (const client of [this.#client, this.#reader]) {
      client.on('error', (error: Error) => {
        this.#lastError = describeError(error);
      });
    }
    // On every (re)connection: is this the Redis we knew, and does it keep what it acknowledges?
    this.#client.on('ready', () => {
      this.#deploymentChecked = this.#checkDeployment().catch((error: unknown) => {
        this.#lastError = (error as Error).message;
      });
      // So that the first /api/stats already counts the channels of the deployment.
      this.channelCount();
    });
    this.#client.connect().catch(() => {});
    this.#reader.connect().catch(() => {});
    this.#loopDone = this.#readLoop();
  }

  /** Waits until both connections are up (or `timeoutMs` passes); for tests and startup logs. */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.#client.isReady && this.#reader.isReady)) {
      if (Date.now() > deadline || this.#closed) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  async append(channel: string, type: string, data: unknown): Promise<StoredMessage> {
    const message = await this.#append(channel, type, data, '');
    return message as StoredMessage;
  }

  async appendOnce(channel: string, slot: number, type: string, data: unknown): Promise<StoredMessage | null> {
    return this.#append(channel, type, data, String(slot));
  }

  async #append(channel: string, type: string, data: unknown, slot: string): Promise<StoredMessage | null> {
    const dataJson = JSON.stringify(data);
    const reply = await this.#script(APPEND_SCRIPT, [this.#streamKey(channel), this.#channelsKey(), `${this.#prefix}slot:${channel}`], [
      channel,
      String(this.#maxChannels),
      String(this.#historyLimit),
      type,
      dataJson,
      slot,
      this.#builtIn.has(channel) ? '0' : '1',
      String(this.#idleMs),
    ]).catch((error: unknown) => {
      throw outOfMemory(error) ?? error;
    });
    if (reply === null) return null;
    const [id, count] = reply as [string, number?];
    if (count !== undefined) {
      this.#channelCount = count;
      this.#countsTold += 1;
    }
    // Refused: the script always says how many channels there are then.
    if (id === '') throw logErrors.tooManyChannels(channel, count as number, 'deployment');
    this.#seen(channel, id);
    return toMessage(channel, id, type, dataJson);
  }

  async readAfter(channel: string, since: string, limit: number): Promise<ReadResult> {
    this.checkId(since, 'since');
    const count = Number.isFinite(limit) ? limit + 1 : 0;
    const [firstPrev, lastId, entries, firstId] = await this.#read(channel, 'after', since, count);
    if (compare(since, lastId) > 0) {
      // Newer than anything the stream has: writes Redis lost in a restart. The reader has
      // missed them, and what follows starts at the oldest message kept.
      return { ...(await this.readAfter(channel, '0-0', limit)), gap: true };
    }
    const more = Number.isFinite(limit) && entries.length > limit;
    const messages = (more ? entries.slice(0, limit) : entries).map((entry) => entryToMessage(channel, entry));
    // #region gap
    // Every entry up to `firstPrev` has been trimmed: if one of them is newer than `since`, it was missed.
    // A stream that begins with its first entry (`prev` 0-0) has no place for an id before it:
    // that id is from a stream that expired or that Redis lost.
    const gap = compare(firstPrev, since) > 0 || (firstPrev === '0-0' && since !== '0-0' && compare(since, firstId) < 0);
    // #endregion gap
    await this.#caughtUp(channel, lastId);
    return { messages, cursor: messages.at(-1)?.id ?? since, more, gap };
  }

  async readLatest(channel: string, limit: number): Promise<ReadResult> {
    const [, lastId, entries] = await this.#read(channel, 'latest', '', limit);
    const messages = entries.reverse().map((entry) => entryToMessage(channel, entry));
    await this.#caughtUp(channel, lastId);
    return { messages, cursor: messages.at(-1)?.id ?? lastId, more: false, gap: false };
  }

  headId(channel: string): string {
    const state = this.#channels.get(channel);
    if (state && state.listeners.size === 0) state.watchUntil = Date.now() + WATCH_MS;
    return state?.head ?? '0-0';
  }

  /** Only a channel in the read loop has a head this instance keeps current; others are read from Redis. */
  headIsCurrent(channel: string): boolean {
    return this.#channels.get(channel)?.delivered !== undefined;
  }

  checkId(id: string, name: string): void {
    const match = ID_PATTERN.exec(id);
    if (!match || BigInt(match[1] as string) > MAX_ID_PART || BigInt(match[2] as string) > MAX_ID_PART) {
      throw logErrors.invalidId(name, id, '1700000000000-0');
    }
  }

  compareIds(a: string, b: string): number {
    this.checkId(a, 'id');
    this.checkId(b, 'id');
    return compare(a, b);
  }

  subscribe(channel: string, fn: Listener): () => void {
    const state = this.#state(channel);
    this.#watchedEmpty.delete(channel);
    const listener: LocalListener = { fn, after: undefined, pending: [], orphan: false };
    state.listeners.add(listener);
    // Sent now, before any read the caller makes next on the same connection: Redis answers
    // in order, so this position is never newer than what that read sees.
    this.#lastEntryId(channel).then(
      (lastId) => {
        state.head = newer(state.head, lastId);
        if (state.delivered === undefined) this.#start(state, lastId);
        this.#startListener(listener, lastId);
      },
      () => {
        // Redis is away: the read loop finds the position once it is back (#seedChannels).
        listener.orphan = true;
        this.#interrupt();
      },
    );
    return () => {
      state.listeners.delete(listener);
      if (state.listeners.size === 0) state.watchUntil = Date.now() + WATCH_MS;
    };
  }

  /**
   * The channels of the deployment, as last counted: after this instance created one, or by
   * the count each call starts (one at a time), so that a reader of /api/stats sees the others'
   * channels and the expired ones leave by the next call. Reads never count.
   */
  channelCount(): number {
    if (this.#counting === undefined && this.#client.isReady && !this.#closed) {
      const told = this.#countsTold;
      this.#counting = this.#script(COUNT_SCRIPT, [this.#channelsKey()], [String(this.#idleMs)]).then(
        (count) => {
          if (this.#countsTold === told) this.#channelCount = Number(count);
        },
        () => {
          // Redis is away: /api/health says so; the count stays as last heard.
        },
      ).finally(() => {
        this.#counting = undefined;
      });
    }
    return this.#channelCount;
  }

  async health(): Promise<{ ok: boolean; reason?: string; warnings?: string[] }> {
    if (!this.#client.isReady || !this.#reader.isReady) {
      return { ok: false, reason: `the channel log (Redis) is unreachable: ${this.#lastError}` };
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      // Once the deployment check has answered too: a health that says ok says its warnings.
      await Promise.race([
        Promise.all([this.#client.ping(), this.#deploymentChecked]),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to PING within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
        }),
      ]);
      return this.#warnings.length > 0 ? { ok: true, warnings: this.#warnings } : { ok: true };
    } catch (error) {
      return { ok: false, reason: `the channel log (Redis) does not answer: ${describeError(error as Error)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    for (const state of this.#channels.values()) {
      state.listeners.clear();
      for (const catchUp of state.catchUps) catchUp.resolve();
    }
    this.#reader.destroy();
    this.#client.destroy();
    await this.#loopDone;
  }

  // ---- the read loop ---------------------------------------------------------------

  // #region read-loop
  async #readLoop(): Promise<void> {
    while (!this.#closed) {
      try {
        if (!this.#client.isReady || !this.#reader.isReady) await this.#untilReady();
        if (this.#closed) break;
        this.#iteration += 1;
        await this.#seedChannels();
        const streams = this.#liveChannels();
        if (streams.length === 0) {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
            setTimeout(resolve, WATCH_MS).unref();
          });
          this.#wake = undefined;
          continue;
        }
        this.#readerId ??= String(await this.#reader.sendCommand(['CLIENT', 'ID']));
        const args = ['XREAD', 'COUNT', String(READ_COUNT), 'BLOCK', String(BLOCK_MS), 'STREAMS'];
        for (const [channel] of streams) args.push(this.#streamKey(channel));
        for (const [, state] of streams) args.push(state.delivered as string);
        this.#blocked = true;
        const reply = (await this.#reader.sendCommand(args)) as Record<string, RawEntry[]> | null;
        this.#blocked = false;
        // Only streams with new entries are in the reply.
        for (const [channel, state] of streams) {
          const entries = reply?.[this.#streamKey(channel)];
          if (entries) this.#deliver(channel, state, entries);
        }
      } catch (error) {
        this.#blocked = false;
        this.#readerId = undefined;
        if (this.#closed) break;
        if (error instanceof ErrorReply) console.error('redis log: the read loop failed:', error.message);
        // A lost connection: the clients reconnect by themselves; #untilReady waits for them.
        await new Promise((resolve) => setTimeout(resolve, error instanceof ErrorReply ? 1000 : 50));
      }
    }
  }
  // #endregion read-loop

  /** Finds the position of listeners that subscribed while Redis was away, and of their channels. */
  async #seedChannels(): Promise<void> {
    for (const [channel, state] of this.#channels) {
      const orphans = [...state.listeners].filter((listener) => listener.orphan);
      if (orphans.length === 0) continue;
      const lastId = await this.#lastEntryId(channel);
      state.head = newer(state.head, lastId);
      if (state.delivered === undefined) this.#start(state, lastId);
      for (const listener of orphans) {
        listener.orphan = false;
        this.#startListener(listener, lastId);
      }
    }
  }

  /** The channels to read: those with listeners, and those read recently. Prunes the rest. */
  #liveChannels(): [string, ChannelState][] {
    const now = Date.now();
    const live: [string, ChannelState][] = [];
    for (const [channel, state] of this.#channels) {
      if (state.listeners.size === 0 && state.watchUntil < now && state.catchUps.length === 0) {
        this.#channels.delete(channel);
        this.#watchedEmpty.delete(channel);
      } else if (state.delivered !== undefined) {
        live.push([channel, state]);
      }
    }
    return live;
  }

  /**
   * Hands what one XREAD read to the channel's listeners. The entries all come after
   * `state.delivered`: XREAD read after it, and only this loop moves it once it is set.
   */
  #deliver(channel: string, state: ChannelState, entries: RawEntry[]): void {
    for (const entry of entries) {
      const message = entryToMessage(channel, entry);
      const id = message.id;
      state.delivered = id;
      state.head = newer(state.head, id);
      for (const listener of state.listeners) {
        if (listener.after === undefined) listener.pending.push(message);
        else if (compare(id, listener.after) > 0) this.#call(listener, message);
      }
    }
    this.#resolveCatchUps(state);
  }

  /** Puts a channel in the read loop, reading after `id`. */
  #start(state: ChannelState, id: string): void {
    state.delivered = id;
    this.#resolveCatchUps(state);
    this.#interrupt();
  }

  #resolveCatchUps(state: ChannelState): void {
    const delivered = state.delivered;
    if (delivered === undefined || state.catchUps.length === 0) return;
    state.catchUps = state.catchUps.filter((catchUp) => {
      if (compare(catchUp.id, delivered) > 0) return true;
      catchUp.resolve();
      return false;
    });
  }

  #startListener(listener: LocalListener, after: string | undefined): void {
    listener.after = after ?? '0-0';
    for (const message of listener.pending.splice(0)) {
      if (compare(message.id, listener.after) > 0) this.#call(listener, message);
    }
  }

  #call(listener: LocalListener, message: StoredMessage): void {
    listener.after = message.id;
    try {
      listener.fn(message);
    } catch (error) {
      // Through the rate-limited log: a listener failing on every message must not flood it.
      serverErrors.log(new Error('redis log: a listener failed', { cause: error }));
    }
  }

  /**
   * Cuts the loop's current XREAD short, so that it is issued again with the new set of
   * streams. A burst of calls (subscribes, first reads) shares one chain of retries: the next
   * iteration reads every stream known by then, whichever call asked.
   */
  #interrupt(): void {
    this.#wake?.();
    const iteration = this.#iteration;
    if (this.#unblocking === iteration) return;
    this.#unblocking = iteration;
    // The UNBLOCK travels on the other connection and may reach Redis before the XREAD it is
    // meant for: repeat it until the loop has started a new iteration.
    const unblock = (attempt: number): void => {
      if (this.#closed || this.#iteration !== iteration || attempt > 40) {
        if (this.#unblocking === iteration) this.#unblocking = undefined;
        return;
      }
      if (this.#blocked && this.#readerId !== undefined && this.#client.isReady) {
        this.#client.sendCommand(['CLIENT', 'UNBLOCK', this.#readerId]).catch(() => {});
      }
      setTimeout(() => unblock(attempt + 1), 25).unref();
    };
    unblock(0);
  }

  async #untilReady(): Promise<void> {
    while (!(this.#client.isReady && this.#reader.isReady) && !this.#closed) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /**
   * A read returns only once the loop has delivered every message up to the stream's last id
   * to this channel's listeners, as the in-memory log does by delivering at append time: a
   * transport that subscribes, then replays history, then relays live messages after the
   * replay, sees each message in exactly one of the two.
   */
  async #caughtUp(channel: string, lastId: string): Promise<void> {
    const state = this.#channels.get(channel);
    if (!state || state.listeners.size === 0 || (state.delivered !== undefined && compare(state.delivered, lastId) >= 0)) return;
    const caught = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        state.catchUps = state.catchUps.filter((other) => other !== catchUp);
        resolve(false);
      }, CATCH_UP_MS);
      const catchUp = {
        id: lastId,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      state.catchUps.push(catchUp);
    });
    if (!caught) throw this.#unavailable(new Error(`the read loop did not reach ${lastId} within ${CATCH_UP_MS} ms`));
  }

  // ---- commands --------------------------------------------------------------------

  async #read(channel: string, mode: 'after' | 'latest', since: string, count: number): Promise<[string, string, RawEntry[], string]> {
    const [firstPrev, lastId, entries, firstId] = (await this.#script(READ_SCRIPT, [this.#streamKey(channel)], [mode, since, String(count)])) as [string, string, RawEntry[], string];
    // A read of a stream that does not exist, on a channel nobody here listens to or appended
    // to, joins the loop only while fewer than WATCH_EMPTY_MAX such channels are watched: a
    // poll of any name must not put it in every later XREAD. Past that, its polls are read
    // from Redis (headIsCurrent is false) until the channel has a message.
    if (lastId === '0-0' && !this.#channels.has(channel)) {
      if (this.#watchedEmpty.size >= WATCH_EMPTY_MAX) return [firstPrev, lastId, entries, firstId];
      this.#watchedEmpty.add(channel);
    }
    // Keep this channel's head fresh for the polls that will follow, on this instance.
    const state = this.#state(channel);
    state.head = newer(state.head, lastId);
    // With listeners, their own positions start the loop (subscribe), not this read.
    if (state.listeners.size === 0) {
      state.watchUntil = Date.now() + WATCH_MS;
      if (state.delivered === undefined) this.#start(state, lastId);
    }
    return [firstPrev, lastId, entries, firstId];
  }

  /**
   * Reads the deployment epoch (setting it if Redis has none) and Redis's persistence. A new
   * epoch means Redis lost everything: the heads this instance knew are forgotten, so that
   * polls read again and learn of the gap instead of being answered 304 from a stale head.
   */
  async #checkDeployment(): Promise<void> {
    const key = `${this.#prefix}epoch`;
    await this.#command(['SET', key, `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, 'NX']);
    const epoch = String(await this.#command(['GET', key]));
    if (this.#epoch !== undefined && epoch !== this.#epoch) {
      console.warn(`redis log: Redis was reset (its deployment epoch changed from ${this.#epoch} to ${epoch}): the history is gone, and readers resuming from an old id are told of a gap`);
      for (const state of this.#channels.values()) state.head = '0-0';
    }
    this.#epoch = epoch;
    const info = String(await this.#command(['INFO', 'persistence']));
    const warnings = /^aof_enabled:1\b/m.test(info)
      ? []
      : ['Redis runs without append-only persistence (appendonly no): a restart loses the messages it acknowledged since its last snapshot, and readers resuming from them are told of a gap; set appendonly yes and appendfsync everysec (see deploy/redis.conf)'];
    if (warnings.length > 0 && this.#warnings.length === 0) console.warn(`redis log: ${warnings[0]}`);
    this.#warnings = warnings;
  }

  async #lastEntryId(channel: string): Promise<string> {
    const reply = (await this.#command(['XREVRANGE', this.#streamKey(channel), '+', '-', 'COUNT', '1'])) as RawEntry[];
    return reply[0]?.[0] ?? '0-0';
  }

  /** Runs a Lua script by its SHA1, loading it when Redis does not know it (after a restart). */
  async #script(script: string, keys: string[], args: string[]): Promise<unknown> {
    const run = (sha: string) => this.#command(['EVALSHA', sha, String(keys.length), ...keys, ...args]);
    const sha = this.#scriptShas.get(script);
    if (sha !== undefined) {
      try {
        return await run(sha);
      } catch (error) {
        if (!(error instanceof ErrorReply && error.message.startsWith('NOSCRIPT'))) throw error;
      }
    }
    const loaded = String(await this.#command(['SCRIPT', 'LOAD', script]));
    this.#scriptShas.set(script, loaded);
    return run(loaded);
  }

  /** Sends a command; a lost or absent connection becomes a 503 LOG_UNAVAILABLE. */
  async #command(args: string[]): Promise<unknown> {
    try {
      return await this.#client.sendCommand(args);
    } catch (error) {
      if (error instanceof ErrorReply) throw error;
      throw this.#unavailable(error as Error);
    }
  }

  #unavailable(error: Error): ApiError {
    // "The client is offline" says less than the connection error that made it so.
    if (!(error instanceof ClientOfflineError || error instanceof ClientClosedError)) this.#lastError = describeError(error);
    return new ApiError(503, 'LOG_UNAVAILABLE', `the channel log (Redis) is unavailable: ${this.#lastError}; try again in a moment`, { 'Retry-After': '1' });
  }

  #state(channel: string): ChannelState {
    let state = this.#channels.get(channel);
    if (!state) {
      state = { listeners: new Set(), delivered: undefined, head: '0-0', watchUntil: Date.now() + WATCH_MS, catchUps: [] };
      this.#channels.set(channel, state);
    }
    return state;
  }

  /** Notes an id this instance appended: the channel joins the read loop, to keep its head fresh. */
  #seen(channel: string, id: string): void {
    const state = this.#state(channel);
    this.#watchedEmpty.delete(channel);
    state.head = newer(state.head, id);
    if (state.delivered === undefined && state.listeners.size === 0) this.#start(state, id);
  }

  /** The sorted set of counted channels, scored by the time of their last message. */
  #channelsKey(): string {
    return `${this.#prefix}channel-times`;
  }

  #streamKey(channel: string): string {
    return `${this.#prefix}channel:${channel}`;
  }
}
