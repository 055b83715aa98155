/**
 * `npm run bench`: Realtime Lab's server against bare node:http + ws (bench/servers.ts), in the
 * same run, on loopback only. Prints each figure beside the target issue 10 holds it to:
 *   - RSS at start: `node server/main.ts` as `npm start` runs it, against the bare server
 *   - heap per idle connection (WebSocket, once pinged, and SSE), after a full GC
 *   - broadcast latency to SSE and WebSocket subscribers together, median and p99 of every delivery
 *   - the same broadcast with some SSE subscribers in tapped runs (`?run=`, each run's tap read)
 *   - polling's 304 path under `wrk` (apt-get install wrk): server CPU per request, and requests per second
 *
 * Settings (environment), smaller counts for a quick look on a shared machine:
 *   BENCH_CONNECTIONS  idle connections opened for the memory figures (default 2000)
 *   BENCH_SUBSCRIBERS  SSE subscribers, and as many WebSockets, for the broadcasts (default 1000)
 *   BENCH_BROADCASTS   broadcasts measured to each server, after a few not measured (default 300)
 *   BENCH_ONLY         start|memory|broadcast|poll: one part only
 *   BENCH_STRICT=1     exit with status 1 when a figure misses its target
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { ask, closeAll, countSetting, NODE_FLAGS, openSse, openSseStream, openWebSockets, pinged, start, stop } from './clients.ts';


const CONNECTIONS = countSetting('BENCH_CONNECTIONS', 2000);
const SUBSCRIBERS = countSetting('BENCH_SUBSCRIBERS', 1000);
const BROADCASTS = countSetting('BENCH_BROADCASTS', 300);
/** Broadcasts sent before measuring, so that neither server is timed while its code warms up. */
const WARM_BROADCASTS = 5;
/** Connections opened (and kept) before the memory baseline: the code they run is compiled by then. */
const WARM_CONNECTIONS = Math.min(100, CONNECTIONS);
/** WS_PING_MS of our server while its idle WebSockets are measured: each is measured once pinged. */
const BENCH_PING_MS = 2000;
/** Runs whose SSE subscribers are tapped in the tapped broadcast, and tap streams read. */
const TAPPED_RUNS = 10;
/** Starts of each server for the RSS figure, after one that fills the compile cache. */
const STARTS = 3;
const PARTS = ['start', 'memory', 'broadcast', 'poll'] as const;
const only = process.env.BENCH_ONLY;
if (only !== undefined && !(PARTS as readonly string[]).includes(only)) throw new Error(`BENCH_ONLY must be one of ${PARTS.join(', ')}; received ${JSON.stringify(only)}`);
const runs = (part: (typeof PARTS)[number]) => only === undefined || only === part;

// --- RSS at start -------------------------------------------------------------------------------

/** Resident memory of a process, in bytes (Linux's /proc, else ps). */
function rssOf(pid: number): number {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))?.[1] ?? 0) * 1024;
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024;
}

/**
 * RSS of a server once it listens: ours is `node server/main.ts` without Redis (it says so by
 * printing its URL), the bare one is bench/servers.ts (it sends its port).
 */
async function startRss(kind: 'ours' | 'bare', cache: boolean): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.REDIS_URL;
  if (cache) delete env.NODE_DISABLE_COMPILE_CACHE;
  else env.NODE_DISABLE_COMPILE_CACHE = '1';
  const [file, ...args] = kind === 'ours' ? ['server/main.ts', '--port', '0', '--host', '127.0.0.1'] : ['bench/servers.ts', 'bare'];
  const child = fork(file as string, args, { execArgv: NODE_FLAGS, env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  if (kind === 'bare') {
    await once(child, 'message');
  } else {
    let output = '';
    for await (const chunk of child.stdout as NodeJS.ReadableStream) {
      output += String(chunk);
      if (/Open http/.test(output)) break;
    }
  }
  const rss = rssOf(child.pid as number);
  await stop(child);
  return rss;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function rssAtStart(cache: boolean): Promise<{ ours: number; bare: number }> {
  if (cache) {
    // The first start fills the compile cache (or finds it full from an earlier start).
    await startRss('ours', true);
    await startRss('bare', true);
  }
  const samples: Record<'ours' | 'bare', number[]> = { ours: [], bare: [] };
  for (let i = 0; i < (cache ? STARTS : 1); i++) {
    for (const kind of ['bare', 'ours'] as const) samples[kind].push(await startRss(kind, cache));
  }
  return { ours: median(samples.ours), bare: median(samples.bare) };
}

// --- Heap per idle connection ---------------------------------------------------------------------

/**
 * What one idle connection adds to the heap. An idle WebSocket on our server is measured once
 * it has been pinged, as every socket is after WS_PING_MS: the heartbeat keeps state per socket.
 */
async function memoryPerConnection(kind: string, technique: 'websocket' | 'sse'): Promise<number> {
  const pings = technique === 'websocket' && kind === 'ours';
  const { child, port } = await start(kind, pings ? { BENCH_WS_PING_MS: String(BENCH_PING_MS) } : {});
  const open = async (count: number) => {
    if (technique === 'sse') return openSse(port, count);
    const sockets = await openWebSockets(port, count);
    if (pings) await pinged(sockets, 10 * BENCH_PING_MS);
    return sockets;
  };
  // The first connections compile the code every connection runs (about half a megabyte, once):
  // they stay open, and only the connections after them are counted.
  const warm = await open(WARM_CONNECTIONS);
  const before = await ask<{ heapUsed: number }>(child, 'measure');
  const counted = await open(CONNECTIONS);
  const after = await ask<{ heapUsed: number }>(child, 'measure');
  closeAll([...warm, ...counted]);
  await stop(child);
  return (after.heapUsed - before.heapUsed) / CONNECTIONS;
}

// --- Broadcast latency ----------------------------------------------------------------------------

interface Latency {
  median: number;
  p99: number;
  /** Server CPU time per broadcast (the publish, the writes to every subscriber, the tap's records). */
  cpu: number;
  /** Tap events read by the tap streams (tapped runs only). */
  tapEvents: number;
}

/** The value below which `fraction` of the sorted samples lie. */
function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

/** POST /api/runs from `localAddress`: the run id, or undefined when the API answers 404 (not mounted). */
function createRun(port: number, localAddress: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/runs', method: 'POST', localAddress, headers: { 'Content-Type': 'application/json', 'Content-Length': 2 } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode === 404) resolve(undefined);
        else if (res.statusCode === 201) resolve((JSON.parse(body) as { run: string }).run);
        else reject(new Error(`POST /api/runs answered ${res.statusCode}: ${body}`));
      });
    });
    req.on('error', reject);
    req.end('{}');
  });
}

/** A server with its subscribers open, and what its broadcasts measured. */
interface Audience {
  child: ChildProcess;
  open: Parameters<typeof closeAll>[0];
  subscribers: number;
  samples: Float64Array;
  count: number;
  tapEvents: number;
}

/** The broadcast in flight: one at a time, to one server's audience. */
let inFlight: { audience: Audience; started: number; pending: number; measuring: boolean; done: () => void } | undefined;

function delivered(): void {
  if (!inFlight) return;
  if (inFlight.measuring) inFlight.audience.samples[inFlight.audience.count++] = performance.now() - inFlight.started;
  if (--inFlight.pending === 0) inFlight.done();
}

function onSseEvent(block: string): void {
  if (block.includes('\nevent: message\n')) delivered();
}

/**
 * Starts server `kind` and opens SUBSCRIBERS SSE streams and as many WebSockets to it. With
 * `tapped`, TAPPED_RUNS of the SSE subscribers each belong to a run of their own, and each run's
 * tap is read as the wire view reads it. Undefined when the runs API is not mounted.
 */
async function gather(kind: string, tapped = false): Promise<Audience | undefined> {
  const { child, port } = await start(kind);
  const audience: Audience = { child, open: [], subscribers: 2 * SUBSCRIBERS, samples: new Float64Array(2 * SUBSCRIBERS * BROADCASTS), count: 0, tapEvents: 0 };
  const onTapEvent = (block: string) => {
    if (block.includes('event: tap')) audience.tapEvents += 1;
  };
  try {
    if (tapped) {
      for (let i = 0; i < TAPPED_RUNS; i++) {
        // Each run from an address of its own: runs per address are bounded.
        const localAddress = `127.0.0.${2 + i}`;
        const run = await createRun(port, localAddress);
        if (run === undefined) {
          await disperse(audience);
          return undefined;
        }
        audience.open.push(await openSseStream(port, `/api/runs/${run}/tap`, { localAddress, onEvent: onTapEvent }));
        audience.open.push(await openSseStream(port, `/api/sse/bench?run=${encodeURIComponent(run)}`, { localAddress, onEvent: onSseEvent }));
      }
    }
    audience.open.push(...(await openSse(port, SUBSCRIBERS - (tapped ? TAPPED_RUNS : 0), { onEvent: onSseEvent })));
    audience.open.push(...(await openWebSockets(port, SUBSCRIBERS, (data) => data.subarray(0, 17).toString() === '{"type":"message"' && delivered())));
  } catch (error) {
    await disperse(audience);
    throw error;
  }
  return audience;
}

async function disperse(audience: Audience): Promise<void> {
  closeAll(audience.open);
  await stop(audience.child);
}

/** Publishes one message on `audience`'s server and resolves once every subscriber has read it. */
function broadcastTo(audience: Audience, n: number, measuring: boolean): Promise<void> {
  return new Promise((done) => {
    inFlight = { audience, started: performance.now(), pending: audience.subscribers, measuring, done };
    audience.child.send({ op: 'publish', data: { n, text: 'x'.repeat(100) } });
  });
}

/**
 * Times every delivery of BROADCASTS messages, from the publish to the moment the client reads
 * it, on the servers of `audiences` side by side: one broadcast to each in turn, one at a time,
 * so that a neighbour's burst on the shared machine lands on all of them alike.
 */
async function broadcastLatencies(audiences: Audience[]): Promise<Latency[]> {
  for (let i = 0; i < WARM_BROADCASTS; i++) for (const audience of audiences) await broadcastTo(audience, i, false);
  for (const audience of audiences) await ask(audience.child, 'cpu');
  for (let i = 0; i < BROADCASTS; i++) for (const audience of audiences) await broadcastTo(audience, i, true);
  inFlight = undefined;
  const latencies: Latency[] = [];
  for (const audience of audiences) {
    const { publishes, micros } = await ask<{ publishes: number; micros: number }>(audience.child, 'cpu');
    const sorted = audience.samples.subarray(0, audience.count).sort();
    latencies.push({ median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), cpu: micros / 1000 / publishes, tapEvents: audience.tapEvents });
  }
  return latencies;
}

// --- Polling's 304 path ---------------------------------------------------------------------------

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status === 1; // wrk --version exits 1 after printing
  }
}

/** Requests per second of the 304 path under wrk, and the server's CPU time per request (steadier on a shared machine). */
async function poll304(kind: string): Promise<{ rate: number; cpu: number }> {
  const { child, port } = await start(kind);
  const url = `http://127.0.0.1:${port}/api/poll/bench`;
  const etag = (await fetch(url)).headers.get('etag') ?? '';
  const before = await ask<NodeJS.CpuUsage>(child, 'usage');
  const output = execFileSync('wrk', ['-t1', '-c50', '-d5s', '-H', `If-None-Match: ${etag}`, url], { encoding: 'utf8' });
  const after = await ask<NodeJS.CpuUsage>(child, 'usage');
  await stop(child);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (non2xx) throw new Error(`${kind}: ${non2xx[1]} answers were not 304`);
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  const micros = after.user + after.system - before.user - before.system;
  return { rate: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0), cpu: micros / requests };
}

// --- The report -----------------------------------------------------------------------------------

const missed: string[] = [];
/** `ours / base` and whether it holds `target` (at most, or at least). */
function verdict(figure: string, ours: number, base: number, target: number, way: 'at most' | 'at least'): string {
  const ratio = ours / base;
  const held = way === 'at most' ? ratio <= target : ratio >= target;
  if (!held) missed.push(figure);
  return `${ratio.toFixed(2)}x (target ${way === 'at most' ? '<=' : '>='} ${target.toFixed(2)}x) ${held ? 'ok' : 'MISSED'}`;
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

console.log(`Realtime Lab vs bare node:http + ws, loopback: ${CONNECTIONS} idle connections, ${SUBSCRIBERS} SSE + ${SUBSCRIBERS} WebSocket subscribers, ${BROADCASTS} broadcasts\n`);
if (runs('start')) {
  const cached = await rssAtStart(true);
  const cold = await rssAtStart(false);
  console.log(`RSS at start: ours ${mb(cached.ours)}, bare ${mb(cached.bare)}: ${verdict('RSS at start', cached.ours, cached.bare, 1.2, 'at most')}`);
  console.log(`  without the compile cache (a first start): ours ${mb(cold.ours)}, bare ${mb(cold.bare)} (${(cold.ours / cold.bare).toFixed(2)}x)`);
}
if (runs('memory')) {
  for (const technique of ['websocket', 'sse'] as const) {
    const bare = await memoryPerConnection('bare', technique);
    const ours = await memoryPerConnection('ours', technique);
    console.log(`heap per idle ${technique} connection: ours ${(ours / 1024).toFixed(2)} KiB, bare ${(bare / 1024).toFixed(2)} KiB: ${verdict(`heap per ${technique} connection`, ours, bare, 1, 'at most')}`);
  }
}
if (runs('broadcast')) {
  const bareAudience = (await gather('bare')) as Audience;
  const oursAudience = (await gather('ours')) as Audience;
  const tappedAudience = await gather('ours', true);
  const [bare, ours, tapped] = (await broadcastLatencies([bareAudience, oursAudience, ...(tappedAudience ? [tappedAudience] : [])])) as [Latency, Latency, Latency | undefined];
  for (const audience of [bareAudience, oursAudience, tappedAudience]) if (audience) await disperse(audience);
  console.log(`broadcast to ${SUBSCRIBERS} SSE + ${SUBSCRIBERS} WebSockets, p99: ours ${ms(ours.p99)}, bare ${ms(bare.p99)}: ${verdict('broadcast p99', ours.p99, bare.p99, 1.1, 'at most')}`);
  console.log(`  median ours ${ms(ours.median)}, bare ${ms(bare.median)} (${(ours.median / bare.median).toFixed(2)}x); server CPU per broadcast: ours ${ms(ours.cpu)}, bare ${ms(bare.cpu)} (${(ours.cpu / bare.cpu).toFixed(2)}x)`);
  if (!tapped) {
    console.log(`broadcast with ${TAPPED_RUNS} SSE subscribers in tapped runs: skipped: runs API not mounted`);
  } else {
    console.log(`broadcast with ${TAPPED_RUNS} of the ${SUBSCRIBERS} SSE subscribers in tapped runs, p99: ${ms(tapped.p99)}, untapped ${ms(ours.p99)}: ${verdict('tapped broadcast p99', tapped.p99, ours.p99, 1.2, 'at most')}`);
    console.log(`  median ${ms(tapped.median)}; server CPU per broadcast ${ms(tapped.cpu)} (${(tapped.cpu / ours.cpu).toFixed(2)}x untapped); the ${TAPPED_RUNS} tap streams read ${tapped.tapEvents} tap events`);
  }
}
if (!runs('poll')) {
  // not asked for
} else if (hasWrk()) {
  // Alternate three rounds of each and take the medians: wrk and the server share two cores.
  const rounds: Record<'bare' | 'ours', Array<{ rate: number; cpu: number }>> = { bare: [], ours: [] };
  for (let i = 0; i < 3; i++) for (const kind of ['bare', 'ours'] as const) rounds[kind].push(await poll304(kind));
  const [bare, ours] = (['bare', 'ours'] as const).map((kind) => ({ rate: median(rounds[kind].map((round) => round.rate)), cpu: median(rounds[kind].map((round) => round.cpu)) })) as [{ rate: number; cpu: number }, { rate: number; cpu: number }];
  // The verdict is on throughput per CPU second (1 / CPU per request): what the server can do on
  // a core of its own. wrk's requests per second swing with the neighbours' load on a shared machine.
  console.log(`poll 304 path, server CPU per request: ours ${ours.cpu.toFixed(1)} µs, bare ${bare.cpu.toFixed(1)} µs: throughput ${verdict('poll 304 path', 1 / ours.cpu, 1 / bare.cpu, 0.8, 'at least')}`);
  console.log(`  wrk: ours ${ours.rate.toFixed(0)} req/s, bare ${bare.rate.toFixed(0)} req/s (${(ours.rate / bare.rate).toFixed(2)}x)`);
} else {
  console.log('poll 304 path: skipped, `wrk` is not installed (apt-get install wrk)');
}
if (missed.length > 0) {
  console.log(`\nMissed: ${missed.join(', ')}`);
  if (process.env.BENCH_STRICT === '1') process.exitCode = 1;
}
