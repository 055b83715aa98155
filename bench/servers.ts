/**
 * The two servers a benchmark compares, each run as a child process (`node bench/servers.ts
 * ours|bare`): Realtime Lab's app, and the same endpoints in bare node:http + ws, written the
 * way a careful engineer would without a framework. Each answers IPC `measure` with its memory
 * after a full GC, `snapshot` by writing a heap snapshot to the path given, `publish` by
 * broadcasting one message, `cpu` with the CPU time its publishes took since the last `cpu`, and
 * `usage` with its CPU time so far.
 *
 * The bare server loads nothing of ours: the app is imported only when `ours` is asked for, so
 * that the bare server's memory at start is that of node:http and ws alone.
 */
import http from 'node:http';
import module from 'node:module';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import { WebSocketServer, type WebSocket } from 'ws';

const kind = process.argv[2];
let server: http.Server;
let broadcast: (data: unknown) => Promise<void>;

if (kind === 'ours') {
  const { createApp } = await import('../server/app.ts');
  // BENCH_WS_PING_MS: pings sooner than the default 30 s, so that a measure can wait for every
  // socket's first ping and count what the heartbeat keeps per connection.
  const wsPingMs = process.env.BENCH_WS_PING_MS ? { wsPingMs: Number(process.env.BENCH_WS_PING_MS) } : {};
  const app = createApp({ siteDir: 'dist', maxConnections: 100_000, maxConnectionsPerAddress: 100_000, publishRatePerS: 1_000_000, publishBurst: 1_000_000, clockIntervalMs: 3_600_000, ...wsPingMs });
  server = app.server;
  broadcast = async (data) => {
    await app.log.append('bench', 'message', data);
  };
} else if (kind === 'bare') {
  // Bare node:http + ws: a 304 path for polling, an SSE stream, a WebSocket channel.
  const sse = new Set<http.ServerResponse>();
  const sockets = new Set<WebSocket>();
  let seq = 0;
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/poll/')) {
      const etag = `"${seq}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag }).end();
        return;
      }
      res.writeHead(200, { ETag: etag, 'Content-Type': 'application/json' }).end('{"messages":[]}');
    } else if (req.url?.startsWith('/api/sse/')) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write('retry: 2000\n\n');
      sse.add(res);
      req.on('close', () => sse.delete(res));
    } else {
      res.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('error', () => {});
      // Like ours, it takes publishes from clients.
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { data?: unknown };
        void broadcast(frame.data);
      });
      ws.on('close', () => sockets.delete(ws));
      ws.send('{"type":"welcome"}');
    });
  });
  broadcast = async (data) => {
    seq += 1;
    const envelope = { id: String(seq), channel: 'bench', type: 'message', data, time: new Date().toISOString() };
    const frame = Buffer.from(JSON.stringify({ type: 'message', message: envelope }));
    for (const ws of sockets) ws.send(frame, { binary: false });
    const event = `id: ${seq}\nevent: message\ndata: ${JSON.stringify(envelope)}\n\n`;
    for (const res of sse) res.write(event);
  };
} else {
  throw new Error(`bench/servers.ts: the server to start must be "ours" or "bare"; received ${JSON.stringify(kind)}`);
}

server.listen(0, '127.0.0.1', () => {
  // As server/main.ts does: a server killed at the end of a measure still leaves its compile cache.
  module.flushCompileCache();
  process.send?.({ port: (server.address() as AddressInfo).port });
});
/** CPU time spent in publishes since the last `cpu` question, and how many. */
let publishCpuMicros = 0;
let publishes = 0;
process.on('message', async (message: { op: string; data?: unknown }) => {
  if (message.op === 'measure') {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send?.({ rss, heapUsed, external, arrayBuffers });
  } else if (message.op === 'snapshot') {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    v8.writeHeapSnapshot(message.data as string);
    process.send?.({});
  } else if (message.op === 'publish') {
    const before = process.cpuUsage();
    await broadcast(message.data);
    const used = process.cpuUsage(before);
    publishCpuMicros += used.user + used.system;
    publishes += 1;
  } else if (message.op === 'usage') {
    process.send?.(process.cpuUsage());
  } else if (message.op === 'cpu') {
    process.send?.({ publishes, micros: publishCpuMicros });
    publishCpuMicros = 0;
    publishes = 0;
  } else if (message.op === 'exit') {
    process.exit(0);
  }
});
