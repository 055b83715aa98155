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

export async function start(kind: string): Promise<Started> {
  const child = fork('bench/servers.ts', [kind], { execArgv: [...NODE_FLAGS, '--expose-gc', '--max-semi-space-size=16'], stdio: 'inherit' });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { child, port: message.port };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill();
  await exited;
}

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

export async function openWebSockets(port: number, count: number, onMessage?: (data: Buffer) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => new WebSocket(`ws://127.0.0.1:${port}/api/ws/bench`, { perMessageDeflate: false }));
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
