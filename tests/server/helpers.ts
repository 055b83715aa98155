/** A real companion server on port 0, and small event-waiting helpers for the tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { createApp, type App } from '../../server/app.ts';
import type { Config } from '../../server/config.ts';

export interface TestServer {
  app: App;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `ws://127.0.0.1:PORT` + path */
  ws(path: string): string;
  close(): Promise<void>;
}

/** Starts createApp on a free port. Slow intervals by default, so tests control time. */
export async function startServer(overrides: Partial<Config> = {}, options: Parameters<typeof createApp>[1] = {}): Promise<TestServer> {
  const app = createApp({ clockIntervalMs: 3_600_000, siteDir: 'tests/server/fixtures/site', ...overrides }, options);
  app.server.listen(0, '127.0.0.1');
  await once(app.server, 'listening');
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    ws: (path) => `ws://127.0.0.1:${port}${path}`,
    async close() {
      await app.close();
      app.server.closeAllConnections();
      if (app.server.listening) await new Promise((resolve) => app.server.close(resolve));
    },
  };
}

/** A new run from POST /api/runs, as a sandbox's page asks for one before each Run. */
export async function newRun(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/api/runs`, { method: 'POST' });
  if (res.status !== 201) throw new Error(`POST /api/runs failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { run: string }).run;
}

/** Publishes over HTTP and returns the envelope. */
export async function publish(server: TestServer, channel: string, data: unknown, type?: string): Promise<{ id: string; type: string; data: unknown }> {
  const res = await fetch(`${server.url}/api/channels/${channel}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(type === undefined ? { data } : { type, data }),
  });
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { message: { id: string; type: string; data: unknown } }).message;
}

/** A `ws` client that queues every JSON frame, so tests can await the next one. */
export class FrameReader {
  readonly ws: WebSocket;
  readonly #frames: unknown[] = [];
  readonly #waiters: ((frame: unknown) => void)[] = [];

  constructor(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString());
      const waiter = this.#waiters.shift();
      if (waiter) waiter(frame);
      else this.#frames.push(frame);
    });
  }

  /** The next frame, in order. */
  next<T = Record<string, any>>(): Promise<T> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame as T);
    return new Promise((resolve) => this.#waiters.push(resolve as (frame: unknown) => void));
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  async opened(): Promise<this> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
    return this;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await once(this.ws, 'close');
  }
}

/**
 * Waits until `check` is true, re-checking on every turn of the event loop (or every
 * `everyMs`, for a check that asks another process), up to a deadline. A check that throws (a
 * refused connection, for one) has not held yet; if time runs out, its last error is the cause.
 */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000, everyMs = 0): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError === undefined ? '' : `; the check last failed with: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`, { cause: lastError });
    }
    await (everyMs > 0 ? delay(everyMs) : nextTurn());
  }
}

/** The next event of `type` on an EventSource (the `eventsource` package or the browser's). */
export function nextEvent(source: EventTarget, type: string): Promise<MessageEvent> {
  return new Promise((resolve) => source.addEventListener(type, (event) => resolve(event as MessageEvent), { once: true }));
}

/** Reads the server's /api/stats. */
export async function stats(server: TestServer): Promise<any> {
  return (await fetch(`${server.url}/api/stats`)).json();
}

/**
 * `npm start`'s server as a child process (server/main.ts with `args`), in workshop mode's
 * folder of its own (a new DATA_DIR unless `env` names one): resolves once it printed where to
 * open it. `output()` is everything it printed so far; `stop()` sends SIGTERM and waits for the exit.
 */
export async function startMain(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output(): string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['server/main.ts', ...args], {
    env: { ...process.env, SITE_DIR: 'tests/server/fixtures/site', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'rl-main-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const match = /Open (http:\/\/\S+?)\//.exec(output);
      if (match) resolve(match[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return {
    child,
    url,
    output: () => output,
    async stop() {
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      await closed;
    },
  };
}
