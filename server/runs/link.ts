/**
 * One connection of a run: what the tap records of it, and the run's faults applied to what
 * the server sends on it. Every technique's output passes through `deliver`, so latency,
 * proxy buffering and dropAfter are written once, here, for all of them.
 */
import type { ChannelLog, ReadResult } from '../log/types.ts';
import type { Faults } from './faults.ts';
import type { Run, RunConnection } from './registry.ts';
import type { Direction, TapEvent, Technique } from './tap.ts';

/** One output waiting for its time: under latency, or in the proxy's buffer. */
interface Pending {
  due: number;
  bytes: number;
  send: () => void;
}

/** Why the server cut a connection of its own accord: unread output over MAX_BUFFERED_BYTES, or no pong. */
export type ServerCut = 'slow-consumer' | 'missed-pong';

export interface RunLinkOptions {
  /**
   * Cuts the connection: abrupt destroys the socket, clean closes it as the technique does.
   * `flushed`: abrupt, but after what was written has left (dropAfter: the nth message arrives).
   */
  cut(mode: 'abrupt' | 'clean', flushed?: boolean): void;
  /** Output held by the faults past this many bytes cuts the connection, as a slow consumer (MAX_BUFFERED_BYTES). */
  maxHeldBytes: number;
}

export class RunLink implements RunConnection {
  readonly id: string;
  readonly technique: Technique;
  readonly run: Run;
  readonly channel: string | undefined;
  readonly #options: RunLinkOptions;
  /** Messages delivered on this connection, for dropAfter. */
  #messages = 0;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The due time of the last output queued: a delay never reorders. */
  #lastDue = 0;
  /** Faults already told to the tap for this connection, so each shows once. */
  #told = new Set<string>();
  /** Who ended the connection, when the server or a fault did. */
  endedBy: 'server' | 'fault' | undefined;
  /** Why the server cut it, when it did: the tap's `close` names it. */
  cutReason: ServerCut | undefined;
  /** A long poll the server is holding (the tap has shown `hold`). */
  held = false;

  constructor(run: Run, id: string, technique: Technique, channel: string | undefined, options: RunLinkOptions) {
    this.run = run;
    this.id = id;
    this.technique = technique;
    this.channel = channel;
    this.#options = options;
    if (channel !== undefined) run.channels.add(channel);
    run.connections.add(this);
  }

  /** Records a tap event of this connection. */
  record(direction: Direction, kind: TapEvent['kind'], fields: Partial<Omit<TapEvent, 'seq' | 'time' | 'connection' | 'technique' | 'direction' | 'kind'>> & { bytes: number }): void {
    this.run.lastTraffic = Date.now();
    this.run.tap.record({ connection: this.id, technique: this.technique, direction, kind, ...fields });
  }

  /** Records that a fault took effect on this connection; `once` keys show only the first time. */
  fault(fault: string, once = false): void {
    if (once) {
      if (this.#told.has(fault)) return;
      this.#told.add(fault);
    }
    this.record('out', 'fault', { bytes: 0, fault });
  }

  /** The connection ended: it is no longer the run's. */
  detach(): void {
    this.run.connections.delete(this);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#queuedBytes = 0;
  }

  cut(mode: 'abrupt' | 'clean', flushed = false): void {
    this.endedBy = 'fault';
    if (mode === 'abrupt') this.#queue = [];
    this.#flush(Infinity);
    this.#options.cut(mode, flushed);
  }

  /**
   * One output of the connection (`bytes` long, carrying `messages` messages), sent by `send`
   * now, or later as the run's faults say: held `latencyMs` (+ jitter), in order; held in a
   * proxy's buffer until `proxyBuffering` bytes wait (SSE); and the connection is cut once
   * `dropAfter` messages have gone.
   */
  deliver(bytes: number, messages: number, send: () => void): void {
    const faults = this.run.faults;
    if (faults.latencyMs === 0 && faults.jitterMs === 0 && faults.proxyBuffering === 0 && this.#queue.length === 0) {
      this.#send(messages, send);
      return;
    }
    const now = Date.now();
    const delay = faults.latencyMs + (faults.jitterMs > 0 ? Math.floor(Math.random() * (faults.jitterMs + 1)) : 0);
    if (delay > 0) this.fault('latency', true);
    const due = Math.max(now + delay, this.#lastDue);
    this.#lastDue = due;
    this.#queue.push({ due, bytes, send: () => this.#send(messages, send) });
    this.#queuedBytes += bytes;
    if (this.#queuedBytes > this.#options.maxHeldBytes) {
      // Held output is owed to the client like unsent output: past the bound, cut it as slow.
      this.fault('held-output-over-max-buffered-bytes');
      this.cut('abrupt');
      return;
    }
    this.#schedule();
  }

  /** The run's faults changed: re-time what waits (latency switched off lets it go now). */
  faultsChanged(): void {
    const faults = this.run.faults;
    if (faults.latencyMs === 0 && faults.jitterMs === 0) {
      for (const pending of this.#queue) pending.due = 0;
      this.#lastDue = 0;
    }
    this.#schedule();
  }

  #send(messages: number, send: () => void): void {
    send();
    if (messages === 0) return;
    this.#messages += messages;
    const { dropAfter } = this.run.faults;
    if (dropAfter !== null && this.#messages >= dropAfter && this.technique !== 'poll' && this.technique !== 'long-poll') {
      this.fault(`dropAfter ${dropAfter}`);
      this.cut('abrupt', true);
    }
  }

  /** Sends what is due; a proxy buffer lets go only once `proxyBuffering` bytes wait. */
  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = Date.now();
    const buffering = this.run.faults.proxyBuffering;
    if (buffering > 0 && this.technique === 'sse') {
      const due = this.#queue.filter((pending) => pending.due <= now);
      const dueBytes = due.reduce((sum, pending) => sum + pending.bytes, 0);
      if (dueBytes >= buffering) {
        this.fault(`proxyBuffering ${buffering}: ${dueBytes} bytes let go`);
        this.#flush(now);
      } else if (due.length > 0) {
        this.fault('proxyBuffering', true);
      }
    } else {
      this.#flush(now);
    }
    const next = this.#queue[0];
    if (next && next.due > now) this.#timer = setTimeout(() => this.#schedule(), next.due - now).unref();
  }

  /** Sends, in order, every queued output due by `now`. */
  #flush(now: number): void {
    while (this.#queue.length > 0 && (this.#queue[0] as Pending).due <= now) {
      const pending = this.#queue.shift() as Pending;
      this.#queuedBytes -= pending.bytes;
      pending.send();
    }
    if (this.#queue.length === 0) this.#lastDue = 0;
  }
}

/**
 * The history as a run's reader sees it. `historyLimit`: as if each channel kept only its last
 * n messages, so a resume from an older id gets the gap signal. `restart`: ids up to the mark
 * taken when the fault was set are from before the restart, and get the gap signal as after a
 * real restart, followed by what came since.
 */
export async function readAfterUnderFaults(log: ChannelLog, link: RunLink, channel: string, since: string, limit: number): Promise<ReadResult> {
  const faults: Faults = link.run.faults;
  const mark = faults.restart ? link.run.restartMarks.get(channel) : undefined;
  if (mark !== undefined && log.compareIds(since, mark) <= 0) {
    link.fault('restart: the id is from before the restart', true);
    return { ...(await log.readAfter(channel, mark, limit)), gap: true };
  }
  if (faults.historyLimit === null) return log.readAfter(channel, since, limit);
  const kept = faults.historyLimit;
  const probe = await log.readAfter(channel, since, kept + 1);
  if (probe.gap || (probe.messages.length <= kept && !probe.more)) return probe.messages.length <= limit && !probe.more ? probe : log.readAfter(channel, since, limit);
  link.fault(`historyLimit ${kept}`);
  const latest = kept === 0 ? { messages: [], cursor: log.headId(channel), more: false, gap: false } : await log.readLatest(channel, kept);
  const messages = latest.messages.slice(0, limit);
  return { messages, cursor: messages.at(-1)?.id ?? latest.cursor, more: latest.messages.length > messages.length, gap: true };
}
