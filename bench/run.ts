/**
 * `npm run bench`: Realtime Lab's server against bare node:http + ws, on loopback only.
 * Prints figures; asserts nothing (speed targets live here, not in timed tests).
 *   - memory per idle connection (WebSocket and SSE), after a full GC
 *   - broadcast latency to every WebSocket subscriber
 *   - requests per second of polling's 304 path (needs `wrk`: apt-get install wrk)
 * BENCH_CONNECTIONS (default 2000) sets how many idle connections are opened.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { WebSocket } from 'ws';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 2000);
const BROADCASTS = 20;

interface Started {
  child: ChildProcess;
  port: number;
}

async function start(kind: string): Promise<Started> {
  const child = fork('bench/servers.ts', [kind], { execArgv: ['--expose-gc', '--max-semi-space-size=16'], stdio: 'inherit' });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { child, port: message.port };
}

async function ask<T>(child: ChildProcess, op: string, data?: unknown): Promise<T> {
  child.send({ op, data });
  const [reply] = (await once(child, 'message')) as [T];
  return reply;
}

async function openWebSockets(port: number, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => new WebSocket(`ws://127.0.0.1:${port}/api/ws/bench`, { perMessageDeflate: false }));
    await Promise.all(batch.map((ws) => once(ws, 'message')));
    sockets.push(...batch);
  }
  return sockets;
}

async function openSse(port: number, count: number): Promise<http.ClientRequest[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const requests: http.ClientRequest[] = [];
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, () =>
        new Promise<void>((resolve) => {
          const req = http.get({ host: '127.0.0.1', port, path: '/api/sse/bench', agent }, (res) => res.once('data', () => resolve()));
          requests.push(req);
        }),
      ),
    );
  }
  return requests;
}

async function memoryPerConnection(kind: string, technique: 'websocket' | 'sse'): Promise<number> {
  const { child, port } = await start(kind);
  const before = await ask<{ rss: number; heapUsed: number }>(child, 'measure');
  const open = technique === 'websocket' ? await openWebSockets(port, CONNECTIONS) : await openSse(port, CONNECTIONS);
  const after = await ask<{ rss: number; heapUsed: number }>(child, 'measure');
  for (const c of open) {
    if (c instanceof WebSocket) c.terminate();
    else c.destroy();
  }
  child.kill();
  return (after.heapUsed - before.heapUsed) / CONNECTIONS;
}

async function broadcastLatency(kind: string): Promise<{ median: number; p95: number }> {
  const { child, port } = await start(kind);
  const sockets = await openWebSockets(port, CONNECTIONS);
  const samples: number[] = [];
  for (let i = 0; i < BROADCASTS; i++) {
    let pending = sockets.length;
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      for (const ws of sockets) {
        ws.once('message', () => {
          if (--pending === 0) resolve();
        });
      }
    });
    child.send({ op: 'publish', data: { n: i, text: 'x'.repeat(100) } });
    await done;
    samples.push(performance.now() - started);
  }
  for (const ws of sockets) ws.terminate();
  child.kill();
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)] ?? 0, p95: samples[Math.floor(samples.length * 0.95)] ?? 0 };
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status === 1; // wrk --version exits 1 after printing
  }
}

async function poll304(kind: string): Promise<number> {
  const { child, port } = await start(kind);
  const url = `http://127.0.0.1:${port}/api/poll/bench`;
  const etag = (await fetch(url)).headers.get('etag') ?? '';
  const output = execFileSync('wrk', ['-t1', '-c50', '-d5s', '-H', `If-None-Match: ${etag}`, url], { encoding: 'utf8' });
  child.kill();
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (non2xx) throw new Error(`${kind}: ${non2xx[1]} answers were not 304`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0);
}

const ratio = (ours: number, bare: number) => `${(ours / bare).toFixed(2)}x`;
/** BENCH_ONLY=memory|broadcast|poll runs one part. */
const only = process.env.BENCH_ONLY;
console.log(`Realtime Lab vs bare node:http + ws, ${CONNECTIONS} connections, loopback\n`);
for (const technique of only && only !== 'memory' ? [] : (['websocket', 'sse'] as const)) {
  const bare = await memoryPerConnection('bare', technique);
  const ours = await memoryPerConnection('ours', technique);
  console.log(`heap per idle ${technique} connection: ours ${(ours / 1024).toFixed(2)} KiB, bare ${(bare / 1024).toFixed(2)} KiB (${ratio(ours, bare)}; target <= 1.10x)`);
}
if (!only || only === 'broadcast') {
  const bareLatency = await broadcastLatency('bare');
  const ourLatency = await broadcastLatency('ours');
  console.log(`broadcast to ${CONNECTIONS} WebSockets, median: ours ${ourLatency.median.toFixed(1)} ms, bare ${bareLatency.median.toFixed(1)} ms (${ratio(ourLatency.median, bareLatency.median)}; target <= 1.10x); p95 ours ${ourLatency.p95.toFixed(1)} ms, bare ${bareLatency.p95.toFixed(1)} ms`);
}
if (only && only !== 'poll') {
  // skipped
} else if (hasWrk()) {
  // Alternate three rounds of each and take the medians: wrk and the server share two cores.
  const rounds: Record<string, number[]> = { bare: [], ours: [] };
  for (let i = 0; i < 3; i++) for (const kind of ['bare', 'ours']) rounds[kind]?.push(await poll304(kind));
  const median = (values: number[] = []) => [...values].sort((a, b) => a - b)[1] ?? 0;
  const bare = median(rounds.bare);
  const ours = median(rounds.ours);
  console.log(`poll 304 path: ours ${ours.toFixed(0)} req/s, bare ${bare.toFixed(0)} req/s (${ratio(ours, bare)}; target >= 0.80x)`);
} else {
  console.log('poll 304 path: skipped, `wrk` is not installed (apt-get install wrk)');
}
