/**
 * Nothing lost on restart: the workshop's state (its attendees, the control events' id counter
 * and every kept part: the class grid, the help queue, the solutions lock...) is saved as one
 * JSON document, to `<DATA_DIR>/workshop.json`, or to one Redis key when REDIS_URL is set, and
 * loaded at the next start, before the server listens.
 *
 * Saves follow `Workshop.onChange`, WORKSHOP_SAVE_MS after the first change of a burst, one
 * write in flight at a time; a file is written whole to a temporary name, then renamed over the
 * old one, so a crash mid-write leaves the previous state. A file (or key) that cannot be read
 * is set aside under another name and the server starts empty, saying so: it never stops a class.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Workshop } from './presence.ts';

/** What the saved document says it is, so that another file in DATA_DIR is never taken for one. */
export const STATE_FORMAT = 'realtime-lab-workshop';
/** Bumped when the document's shape changes incompatibly: an older one is set aside. */
export const STATE_VERSION = 1;
/** The file in DATA_DIR. */
export const STATE_FILE_NAME = 'workshop.json';
/** The Redis key, when REDIS_URL is set (the channel log's keys share its prefix). */
export const STATE_REDIS_KEY = 'realtime-lab:workshop:state';

/** The saved document. */
export interface WorkshopStateDocument {
  format: typeof STATE_FORMAT;
  version: number;
  savedAt: string;
  attendees: unknown;
  /** Every kept part's snapshot, by the name it was registered under. */
  parts: Record<string, unknown>;
}

/** Where the document lives: a file or a Redis key. */
export interface StateBackend {
  /** Where, in words, for the log and the pre-flight report. */
  readonly where: string;
  /** The saved text, or undefined when nothing was saved yet. */
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
  /** Moves an unreadable document aside; answers where it went. */
  setAside(): Promise<string>;
  close(): Promise<void>;
}

/** The document in a file: written to a temporary file, then renamed over the old one. */
export class FileBackend implements StateBackend {
  readonly #file: string;
  readonly where: string;

  constructor(dataDir: string) {
    this.#file = path.resolve(dataDir, STATE_FILE_NAME);
    this.where = `the file ${this.#file}`;
  }

  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(text: string): Promise<void> {
    await mkdir(path.dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    await writeFile(temporary, text);
    // [spec] POSIX rename(2): "If newpath already exists, it will be atomically replaced."
    await rename(temporary, this.#file);
  }

  async setAside(): Promise<string> {
    const aside = `${this.#file}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.#file, aside);
    return aside;
  }

  async close(): Promise<void> {}
}

/** The few commands the Redis backend sends: a narrow type rather than the client's whole one. */
interface RedisCommands {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  rename(from: string, to: string): Promise<unknown>;
  destroy(): void;
}

/** The document as one Redis key (SET/GET), for a server whose channel log is in Redis too. */
export class RedisBackend implements StateBackend {
  readonly #url: string;
  readonly #key: string;
  readonly where: string;
  #client: RedisCommands | undefined;

  constructor(url: string, key = STATE_REDIS_KEY) {
    this.#url = url;
    this.#key = key;
    this.where = `the Redis key ${key} at ${new URL(url).host}`;
  }

  async #connected(): Promise<RedisCommands> {
    if (!this.#client) {
      // Loaded only here, so that a server without Redis needs nothing more.
      const { createClient } = await import('redis');
      const client = createClient({ url: this.#url, disableOfflineQueue: true, socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min((retries + 1) * 100, 1000) } });
      // Errors reach the caller of each command; the client's own event would otherwise crash the process.
      client.on('error', () => {});
      await client.connect();
      this.#client = client as unknown as RedisCommands;
    }
    return this.#client;
  }

  async read(): Promise<string | undefined> {
    const value = await (await this.#connected()).get(this.#key);
    return typeof value === 'string' ? value : undefined;
  }

  async write(text: string): Promise<void> {
    await (await this.#connected()).set(this.#key, text);
  }

  async setAside(): Promise<string> {
    const aside = `${this.#key}:bad-${Date.now()}`;
    await (await this.#connected()).rename(this.#key, aside);
    return `the Redis key ${aside}`;
  }

  async close(): Promise<void> {
    this.#client?.destroy();
    this.#client = undefined;
  }
}

/** What a load found, for the log and the pre-flight report. */
export interface LoadReport {
  where: string;
  /** Attendees and kept parts taken back; zero when nothing was saved. */
  attendees: number;
  parts: string[];
  /** What was wrong with the saved state, and where it was set aside; the server started anyway. */
  problem?: string;
}

export interface WorkshopStoreOptions {
  /** Time from the first change of a burst to its save (WORKSHOP_SAVE_MS). */
  saveMs: number;
  /** Where a failed save is told (console.error by default): the class goes on. */
  warn?(message: string): void;
}

/** Loads the workshop's state at start, saves it after each change (debounced) and at close. */
export class WorkshopStore {
  readonly #workshop: Workshop;
  readonly #backend: StateBackend;
  readonly #options: WorkshopStoreOptions;
  /** Snapshots of parts saved by an earlier start that no part claims now: written back as they were. */
  #unclaimed: Record<string, unknown> = {};
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #dirty = false;
  #started = false;
  #closed = false;
  /** After close: nothing more is written (a late change must not reopen the backend). */
  #backendClosed = false;
  /** Saves done, for the tests and the log. */
  saves = 0;

  constructor(workshop: Workshop, backend: StateBackend, options: WorkshopStoreOptions) {
    this.#workshop = workshop;
    this.#backend = backend;
    this.#options = options;
  }

  /** The workshop whose state this store keeps (its kept parts register on it). */
  get workshop(): Workshop {
    return this.#workshop;
  }

  get where(): string {
    return this.#backend.where;
  }

  /**
   * Reads the saved state and gives it back to the workshop and its kept parts, then saves
   * after every change. Call it before the server listens, after every part is registered.
   * Never throws for a bad document: it is set aside, and the report says what was wrong.
   */
  async load(): Promise<LoadReport> {
    const report: LoadReport = { where: this.#backend.where, attendees: 0, parts: [] };
    let text: string | undefined;
    try {
      text = await this.#backend.read();
    } catch (error) {
      // Unreadable (no permission, Redis away): start empty, and do not overwrite what is there.
      report.problem = `could not read ${this.#backend.where} (${(error as Error).message}); the workshop starts empty and will save there once it can`;
    }
    if (text !== undefined) {
      const problems: string[] = [];
      try {
        const document = parseDocument(text);
        report.attendees = this.#workshop.restore(document.attendees).attendees;
        const parts = this.#workshop.keptParts();
        for (const [name, value] of Object.entries(document.parts)) {
          const part = parts.get(name);
          if (!part) {
            this.#unclaimed[name] = value;
            continue;
          }
          try {
            part.restore(value);
            report.parts.push(name);
          } catch (error) {
            problems.push(`its part "${name}" could not be restored (${(error as Error).message}), so it starts empty`);
          }
        }
        if (problems.length > 0) report.problem = `${this.#backend.where}: ${problems.join('; ')}`;
      } catch (error) {
        let aside = '';
        try {
          aside = `; it was set aside as ${await this.#backend.setAside()}`;
        } catch (renameError) {
          aside = `; it could not be set aside (${(renameError as Error).message}) and will be overwritten at the first save`;
        }
        report.problem = `${this.#backend.where} is not a saved workshop state (${(error as Error).message})${aside}. The workshop starts empty`;
      }
    }
    this.#started = true;
    this.#workshop.onChange = () => this.#schedule();
    return report;
  }

  /** The document as it would be saved now. */
  document(): WorkshopStateDocument {
    const parts: Record<string, unknown> = { ...this.#unclaimed };
    for (const [name, part] of this.#workshop.keptParts()) parts[name] = part.snapshot();
    return { format: STATE_FORMAT, version: STATE_VERSION, savedAt: new Date().toISOString(), attendees: this.#workshop.snapshot(), parts };
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.save();
    }, this.#options.saveMs);
  }

  /** Saves now; a save asked while one is in flight runs once it is done, with the state then. */
  async save(): Promise<void> {
    if (!this.#started || this.#backendClosed) return;
    if (this.#writing) {
      this.#dirty = true;
      return this.#writing;
    }
    this.#writing = (async () => {
      try {
        await this.#backend.write(JSON.stringify(this.document()));
        this.saves += 1;
      } catch (error) {
        (this.#options.warn ?? console.error)(`Realtime Lab: the workshop's state could not be saved to ${this.#backend.where}: ${(error as Error).message}; the next change tries again`);
      } finally {
        this.#writing = undefined;
      }
    })();
    await this.#writing;
    if (this.#dirty) {
      this.#dirty = false;
      await this.save();
    }
  }

  /** Saves one last time (shutdown) and lets go of the backend. */
  async close(): Promise<void> {
    if (this.#closed) return;
    // Closed first: a change during the last save schedules nothing more.
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
    await this.save();
    this.#backendClosed = true;
    await this.#backend.close();
  }
}

/** Parses and checks a saved document; throws a sentence that says what is wrong. */
export function parseDocument(text: string): WorkshopStateDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`it is not JSON: ${(error as Error).message}`);
  }
  const document = value as Partial<WorkshopStateDocument> | null;
  if (typeof document !== 'object' || document === null || document.format !== STATE_FORMAT) {
    throw new Error(`it does not say "format": "${STATE_FORMAT}"`);
  }
  if (document.version !== STATE_VERSION) {
    throw new Error(`it is version ${JSON.stringify(document.version)}, and this server reads version ${STATE_VERSION}`);
  }
  if (typeof document.parts !== 'object' || document.parts === null || Array.isArray(document.parts)) {
    throw new Error('its "parts" is not an object');
  }
  return document as WorkshopStateDocument;
}

/** The store for this server's settings: Redis when REDIS_URL is set, else a file in DATA_DIR. */
export function createWorkshopStore(workshop: Workshop, config: { redisUrl: string; dataDir: string; workshopSaveMs: number }): WorkshopStore {
  const backend = config.redisUrl ? new RedisBackend(config.redisUrl) : new FileBackend(config.dataDir);
  return new WorkshopStore(workshop, backend, { saveMs: config.workshopSaveMs });
}
