/**
 * Runs: one execution of a snippet, an exercise check, or one race on the lab page. The server
 * issues each a signed id (run-ids.ts); requests that carry `run=<id>` are attached to it, and
 * what they send and receive is recorded in its tap. A run's state lives in memory on the
 * instance that holds its connections (nginx routes a run's requests to one instance).
 */
import { ApiError } from '../errors.ts';
import { NO_FAULTS, type Faults } from './faults.ts';
import { unknownRun, type RunIds } from './run-ids.ts';
import { RunTap, type Technique } from './tap.ts';

/** An open connection of a run, as the fault `drop` needs it. */
export interface RunConnection {
  readonly id: string;
  readonly technique: Technique;
  /** Abrupt destroys the socket; clean closes as the technique does (1001, end of stream, 204). */
  cut(mode: 'abrupt' | 'clean'): void;
  /** The run's faults changed: output held back by the old ones is re-timed or let go. */
  faultsChanged(): void;
}

export interface Run {
  readonly id: string;
  readonly tap: RunTap;
  faults: Faults;
  /** Milliseconds since the epoch of the run's last traffic. */
  lastTraffic: number;
  readonly connections: Set<RunConnection>;
  /** The address that asked for the run, for the per-address bound; empty when issued by another instance. */
  readonly address: string;
  /** Channels the run's connections have used: the `restart` fault marks each one's head. */
  readonly channels: Set<string>;
  /** Under `restart`: each channel's newest id when the fault was set; ids up to it are from "before the restart". */
  restartMarks: Map<string, string>;
}

export interface RunRegistryOptions {
  /** A run ends this long after its last traffic (RUN_IDLE_MS). */
  idleMs: number;
  /** Live runs one client address may hold (MAX_RUNS_PER_ADDRESS). */
  maxRunsPerAddress: number;
  /** Live runs this instance holds in all (MAX_RUNS). */
  maxRuns: number;
  /** Bytes of tap events kept per run (MAX_TAP_BYTES). */
  maxTapBytes: number;
}

/** The runs this instance holds. */
export class RunRegistry {
  readonly #ids: RunIds;
  readonly #options: RunRegistryOptions;
  readonly #runs = new Map<string, Run>();
  readonly #perAddress = new Map<string, number>();
  /**
   * Runs ended by DELETE, by id, with the time their id would be refused anyway (issued more
   * than RUN_IDLE_MS ago): without this, a valid id this instance no longer holds would be
   * taken for one issued by another instance, and the run would start again. At most MAX_RUNS
   * are kept, oldest dropped first.
   */
  readonly #ended = new Map<string, number>();

  constructor(ids: RunIds, options: RunRegistryOptions) {
    this.#ids = ids;
    this.#options = options;
  }

  get size(): number {
    return this.#runs.size;
  }

  /** A new run for `address`: `{ run, expires }` as POST /api/runs answers. Throws 429 past MAX_RUNS_PER_ADDRESS. */
  issue(address: string, now = Date.now()): { run: string; expires: string } {
    if (this.#runs.size >= this.#options.maxRuns) {
      throw new ApiError(503, 'TOO_MANY_RUNS', `the server holds ${this.#runs.size} live runs, the most allowed (MAX_RUNS); a run ends ${Math.round(this.#options.idleMs / 1000)} s after its last traffic, or when its page ends it (DELETE /api/runs/:run)`, { 'Retry-After': '60' });
    }
    const count = this.#perAddress.get(address) ?? 0;
    if (count >= this.#options.maxRunsPerAddress) {
      throw new ApiError(429, 'TOO_MANY_RUNS', `your address ${address} holds ${count} live runs, the most allowed (MAX_RUNS_PER_ADDRESS); a run ends ${Math.round(this.#options.idleMs / 1000)} s after its last traffic`, { 'Retry-After': '60' });
    }
    const { id } = this.#ids.issue(now);
    this.#add(id, address, now);
    return { run: id, expires: new Date(now + this.#options.idleMs).toISOString() };
  }

  /**
   * The run a request names, touched as having traffic now. Throws 400 INVALID_RUN or 404
   * UNKNOWN_RUN. A valid id this instance has not seen, issued less than RUN_IDLE_MS ago,
   * was issued by another instance of the deployment: its state starts here.
   */
  get(idText: string, now = Date.now()): Run {
    const known = this.#runs.get(idText);
    if (known) {
      known.lastTraffic = now;
      return known;
    }
    const { id, issuedAt } = this.#ids.verify(idText);
    if (this.#ended.has(id)) throw unknownRun(idText, this.#options.idleMs);
    if (now - issuedAt > this.#options.idleMs || issuedAt - now > 60_000) throw unknownRun(idText, this.#options.idleMs);
    return this.#add(id, '', now);
  }

  /** Every live run this instance holds (a class fault reaches them all); nothing is touched. */
  live(): IterableIterator<Run> {
    return this.#runs.values();
  }

  /** The run with this id if this instance holds it; nothing is created or touched. */
  peek(id: string): Run | undefined {
    return this.#runs.get(id);
  }

  /** Ends a run now (its page asked, DELETE /api/runs/:run): its connections are closed and its tap streams ended. */
  end(run: Run): void {
    if (this.#runs.get(run.id) !== run) return;
    for (const connection of [...run.connections]) connection.cut('clean');
    run.tap.end();
    this.#forget(run);
    if (this.#ended.size >= this.#options.maxRuns) this.#ended.delete(this.#ended.keys().next().value as string);
    this.#ended.set(run.id, this.#ids.verify(run.id).issuedAt + this.#options.idleMs);
  }

  /** Ends runs with no open connection and no tap subscriber whose last traffic is older than RUN_IDLE_MS. */
  sweep(now = Date.now()): void {
    for (const [id, refusedFrom] of this.#ended) if (refusedFrom < now) this.#ended.delete(id);
    for (const run of this.#runs.values()) {
      if (run.connections.size > 0 || run.tap.subscribers > 0) {
        run.lastTraffic = now;
      } else if (now - run.lastTraffic > this.#options.idleMs) {
        this.#forget(run);
      }
    }
  }

  #forget(run: Run): void {
    this.#runs.delete(run.id);
    if (run.address) {
      const count = (this.#perAddress.get(run.address) ?? 1) - 1;
      if (count <= 0) this.#perAddress.delete(run.address);
      else this.#perAddress.set(run.address, count);
    }
  }

  #add(id: string, address: string, now: number): Run {
    const run: Run = { id, tap: new RunTap(this.#options.maxTapBytes), faults: { ...NO_FAULTS }, lastTraffic: now, connections: new Set(), address, channels: new Set(), restartMarks: new Map() };
    this.#runs.set(id, run);
    if (address) this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    return run;
  }
}
