/**
 * The memory-flood soak: for SOAK_SECONDS (60 by default), ten loopback addresses
 * (127.0.0.2 to 127.0.0.11) publish arrays of empty objects, the JSON that costs the heap most
 * once parsed: over WebSocket, frames of about 60 KB (over MAX_MESSAGE_BYTES: refused) and of
 * about 15 KB (stored), and over HTTP, 15 KB bodies. The server runs as a child process with the
 * default settings but PUBLISH_BYTES_PER_S, raised to 1 MiB so that the default message rate
 * (20 a second per address) fills MAX_LOG_BYTES (64 MiB) in about 20 s. Its resident memory must stay under
 *
 *   RSS at start + HEAP_FACTOR (5) x MAX_LOG_BYTES + MARGIN_BYTES (64 MiB)
 *
 * The history itself stays within MAX_LOG_BYTES (asserted from /api/stats). The rest is
 * garbage: V8 collects its old generation lazily, and under an allocation rate this high it
 * lets the heap grow up to four times what is live before a full collection (its largest heap
 * growing factor; measured: about 70 MB live after each mark-compact, 250 to 300 MB of heap
 * before it), and keeps freed pages pooled for a while. The margin covers parsed bodies in
 * flight and socket buffers. Measured on a shared 2-core machine: 103.5 MiB at start, 400.1 MiB
 * at peak, the slowest health check 100 ms.
 *
 * while it keeps answering a health check within HEALTH_BOUND_MS (2 s: the flood and this test
 * share the machine's cores) and a well-behaved reader receives
 * every probe once, in order. Before the byte budget, this flood grew RSS by tens of MB a second
 * until the heap ran out.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { DEFAULT_CONFIG } from '../../server/config.ts';
import type { TestServer } from '../server/helpers.ts';
import { objectArray, postRaw, request, Watcher } from './log-helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOAK_S = Math.min(600, Math.max(1, Number(process.env.SOAK_SECONDS ?? 60)));
const MAX_LOG_BYTES = DEFAULT_CONFIG.maxLogBytes;
const HEAP_FACTOR = 5;
const MARGIN_BYTES = 64 * 1024 * 1024;
const HEALTH_BOUND_MS = 2000;
const ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);

/** The resident set size of a process, from /proc. */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

describe('soak: a memory flood from ten addresses', () => {
  let child: ChildProcess;
  let server: TestServer;

  before(async () => {
    child = spawn(process.execPath, ['server/main.ts', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, PUBLISH_BYTES_PER_S: String(1024 * 1024), SITE_DIR: 'tests/server/fixtures/site' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk;
        const match = /http:\/\/localhost:(\d+)\//.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${output}`)));
    });
    server = { url: `http://127.0.0.1:${port}`, ws: (p: string) => `ws://127.0.0.1:${port}${p}` } as TestServer;
  });

  after(() => {
    child?.kill('SIGKILL');
  });

  it(`keeps RSS under its start + ${HEAP_FACTOR} x MAX_LOG_BYTES + ${mib(MARGIN_BYTES)} for ${SOAK_S} s, and keeps answering`, { timeout: (SOAK_S + 60) * 1000 }, async () => {
    const watcher = await new Watcher().open(server);
    const startRss = rssOf(child.pid as number);
    const bound = startRss + HEAP_FACTOR * MAX_LOG_BYTES + MARGIN_BYTES;
    const deadline = Date.now() + SOAK_S * 1000;
    const large = `{"type":"publish","data":${objectArray(60 * 1024)}}`;
    const small = `{"type":"publish","data":${objectArray(15 * 1024)}}`;
    const body = `{"data":${objectArray(15 * 1024)}}`;
    const counts = { frames: 0, acks: 0, refusedFrames: 0, posts: 0, stored: 0 };
    let peak = startRss;
    let slowestHealthMs = 0;
    const sockets: WebSocket[] = [];

    const flooders = ADDRESSES.map(async (localAddress, a) => {
      const ws = new WebSocket(server.ws(`/api/ws/flood-${a}`), { localAddress });
      sockets.push(ws);
      ws.on('message', (data: Buffer) => {
        const type = /"type":"(\w+)"/.exec(data.toString('utf8', 0, 40))?.[1];
        if (type === 'ack') counts.acks += 1;
        else if (type === 'error') counts.refusedFrames += 1;
      });
      ws.on('error', () => {});
      await new Promise((resolve) => ws.once('open', resolve));
      const frames = (async () => {
        for (let n = 0; Date.now() < deadline && ws.readyState === WebSocket.OPEN; n++) {
          // Do not let this client's own buffers grow: the server is the one under test.
          if (ws.bufferedAmount < 256 * 1024) {
            ws.send(n % 2 === 0 ? large : small);
            counts.frames += 1;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const posts = (async () => {
        while (Date.now() < deadline) {
          const answer = await postRaw(server, `flood-http-${a % 5}`, body, localAddress).catch(() => undefined);
          counts.posts += 1;
          if (answer?.status === 201) counts.stored += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      await Promise.all([frames, posts]);
    });

    const monitor = (async () => {
      while (Date.now() < deadline) {
        peak = Math.max(peak, rssOf(child.pid as number));
        const stored = (await request(`${server.url}/api/stats`, { localAddress: '127.0.0.250' })).json().storedBytes as number;
        assert.ok(stored <= MAX_LOG_BYTES, `the history holds ${stored} bytes, over MAX_LOG_BYTES`);
        if (process.env.SOAK_TRACE) console.log(`rss ${mib(rssOf(child.pid as number))} stored ${mib(stored)}`);
        assert.ok(peak <= bound, `RSS ${mib(peak)} passed ${mib(bound)} (start ${mib(startRss)} + ${HEAP_FACTOR} x MAX_LOG_BYTES + margin)`);
        const started = Date.now();
        const health = await request(`${server.url}/api/health`, { localAddress: '127.0.0.250', timeoutMs: HEALTH_BOUND_MS });
        assert.equal(health.status, 200);
        slowestHealthMs = Math.max(slowestHealthMs, Date.now() - started);
        await watcher.check(server, HEALTH_BOUND_MS);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();

    try {
      await Promise.all([monitor, ...flooders]);
    } finally {
      for (const ws of sockets) ws.terminate();
      watcher.close();
    }
    peak = Math.max(peak, rssOf(child.pid as number));
    const stats = (await request(`${server.url}/api/stats`)).json();
    console.log(
      `soak ${SOAK_S} s: RSS ${mib(startRss)} at start, ${mib(peak)} at peak (bound ${mib(bound)}); ` +
        `${counts.frames} frames (${counts.acks} acked, ${counts.refusedFrames} refused), ${counts.posts} HTTP publishes (${counts.stored} stored); ` +
        `${stats.messages.published} messages published; slowest health check ${slowestHealthMs} ms`,
    );
    assert.ok(counts.refusedFrames > 0 && counts.acks > 0 && counts.stored > 0, 'the flood was both stored and refused');
    assert.ok(peak <= bound);
    await request(`${server.url}/api/health`);
  });
});
