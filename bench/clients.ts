/**
 * What the benchmarks share: starting the servers of bench/servers.ts as child processes,
 * talking to them over IPC, and opening many real SSE and WebSocket clients on loopback.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { WebSocket } from 'ws';

/** Flags of every server started here: as `npm start` runs the server, with the compile cache. */
export const NODE_FLAGS = ['--import', './scripts/compile-cache.mjs'];

export interface Started {
  child: ChildProcess;
  port: number;
}

/** Starts server `kind` of bench/servers.ts (`env` adds to the environment) and resolves once it listens. */
export async function start(kind: string, env: Record<string, string> = {}): Promise<Started> {
  const child = fork('bench/servers.ts', [kind], { execArgv: [...NODE_FLAGS, '--expose-gc', '--max-semi-space-size=16'], env: { ...process.env, ...env }, stdio: 'inherit' });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { child, port: message.port };
}

/** Stops a server and resolves once it has exited. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill();
  await exited;
}

/** Sends an IPC question (bench/servers.ts lists them) and resolves with the answer. */
export async function ask<T>(child: ChildProcess, op: string, data?: unknown): Promise<T> {
  child.send({ op, data });
  const [reply] = (await once(child, 'message')) as [T];
  return reply;
}

// --- Connections ----------------------------------------------------------------------------------

export interface OpenOptions {
  /** The query string of the request, `?run=…` for a tapped subscriber. */
  query?: string;
  /** The loopback address the client connects from. */
  localAddress?: string;
  /** Called for each complete SSE event (block of lines) the stream delivers. */
  onEvent?: (block: string) => void;
}

const sseAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** Opens an SSE stream and resolves once its first bytes arrive. */
export function openSseStream(port: number, path: string, options: OpenOptions = {}): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: sseAgent, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET ${path} answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let pending = '';
      res.once('data', () => resolve(req));
      res.on('data', (chunk: string) => {
        if (!options.onEvent) return;
        // [spec] A blank line ends an event: blocks are separated by "\n\n".
        pending += chunk;
        let end = pending.indexOf('\n\n');
        while (end >= 0) {
          options.onEvent(pending.slice(0, end));
          pending = pending.slice(end + 2);
          end = pending.indexOf('\n\n');
        }
      });
    });
    req.on('error', reject);
  });
}

export async function openSse(port: number, count: number, options: OpenOptions = {}): Promise<http.ClientRequest[]> {
  const requests: http.ClientRequest[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => openSseStream(port, `/api/sse/bench${options.query ?? ''}`, options));
    requests.push(...(await Promise.all(batch)));
  }
  return requests;
}

/** Sockets that have been pinged by the server at least once. */
const pingedOnce = new WeakSet<WebSocket>();

/**
 * Resolves once each socket has been pinged by the server (a server that pings keeps something
 * per connection from then on); rejects if one closes first, or if they are not all pinged
 * within `withinMs`.
 */
export async function pinged(sockets: WebSocket[], withinMs: number): Promise<void> {
  const waiting = sockets.filter((ws) => !pingedOnce.has(ws));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${waiting.filter((ws) => !pingedOnce.has(ws)).length} of ${sockets.length} WebSockets were not pinged within ${withinMs} ms`)), withinMs);
  });
  const each = waiting.map(
    (ws) =>
      new Promise<void>((resolve, reject) => {
        ws.once('ping', () => resolve());
        ws.once('close', (code: number) => reject(new Error(`a WebSocket closed with ${code} before its first ping (a pong came too late?)`)));
      }),
  );
  try {
    await Promise.race([Promise.all(each), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function openWebSockets(port: number, count: number, onMessage?: (data: Buffer) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws/bench`, { perMessageDeflate: false });
      ws.once('ping', () => pingedOnce.add(ws));
      return ws;
    });
    await Promise.all(batch.map((ws) => once(ws, 'message')));
    if (onMessage) for (const ws of batch) ws.on('message', onMessage);
    sockets.push(...batch);
  }
  return sockets;
}

export function closeAll(open: Array<WebSocket | http.ClientRequest>): void {
  for (const c of open) {
    if (c instanceof WebSocket) c.terminate();
    else c.destroy();
  }
}

/** A positive whole number from the environment, or its default. */
export function countSetting(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1; received ${JSON.stringify(text)}`);
  return value;
}
