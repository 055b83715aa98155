/**
 * createApp(config): the companion server's routes and WebSocket upgrades on one node:http
 * server. It never listens by itself: main.ts and the tests call `listen`.
 *
 * The held and frequent GET endpoints (poll, long-poll, SSE) are dispatched before Express:
 * Express's routing alone halves the requests per second of the 304 polling path (measured),
 * and a held request should carry nothing per connection that it does not need. Publishing,
 * stats, health and the built site go through Express.
 */
import http from 'node:http';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import express from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import { startClock } from './clock.ts';
import { resolveConfig, type Config } from './config.ts';
import type { ServerContext } from './context.ts';
import { ApiError, sendError, serverErrors, shuttingDown, toApiError } from './errors.ts';
import { checkChannel, clientAddress, compileProxyTrust, HostPolicy, OriginPolicy, sendJson, trustForwardedFor } from './http.ts';
import { ConnectionGate, PublishRateLimiter } from './limits.ts';
import { MemoryLog } from './log/memory.ts';
import type { ChannelLog } from './log/types.ts';
import { createPublishHandler } from './publish.ts';
import { createSiteRouter } from './site.ts';
import { Stats } from './stats.ts';
import { createEchoTransport } from './transports/echo.ts';
import { createLongPollingTransport } from './transports/long-polling.ts';
import { createPollingTransport } from './transports/polling.ts';
import { createSseTransport } from './transports/sse.ts';
import { createWebSocketTransport } from './transports/websocket.ts';

export interface AppOptions {
  /** The channel log; an in-memory one by default. */
  log?: ChannelLog;
}

export interface App {
  readonly config: Config;
  readonly log: ChannelLog;
  readonly stats: Stats;
  /** The configured node:http server, with routes and upgrades attached, not listening. */
  readonly server: http.Server;
  /** Stops accepting, closes WebSockets with 1001, ends SSE streams, answers held long polls. */
  close(): Promise<void>;
}

/** Answers at once (returns nothing), or returns the promise of an answer. */
type StreamHandler = (req: http.IncomingMessage, res: http.ServerResponse, channel: string, params: URLSearchParams) => Promise<void> | undefined;

const STREAM_ROUTE = /^\/api\/(poll|long-poll|sse)\/([^/]*)$/;
const WS_ROUTE = /^\/api\/ws\/([^/]*)$/;
/** What each stream route is called in an error message. */
const STREAM_NAMES: Record<string, string> = { poll: 'a poll', 'long-poll': 'a long poll', sse: 'an SSE stream' };

/** Writes an HTTP error on a socket whose upgrade is refused, in the API's error shape. */
function abortHandshake(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.toJSON());
  const headers = Object.entries(error.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${error.status} ${http.STATUS_CODES[error.status] ?? ''}\r\nConnection: close\r\n${headers}` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n${body}`,
  );
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

function splitUrl(url: string): [string, URLSearchParams] {
  const q = url.indexOf('?');
  return q < 0 ? [url, new URLSearchParams()] : [url.slice(0, q), new URLSearchParams(url.slice(q + 1))];
}

export function createApp(overrides: Partial<Config> = {}, options: AppOptions = {}): App {
  const config = resolveConfig(overrides);
  serverErrors.configure(config.loggedErrorsPerMin);
  const hosts = new HostPolicy(config.host, config.allowedHosts);
  const proxyTrust = compileProxyTrust(config.trustProxy);
  const log =
    options.log ??
    new MemoryLog({ historyLimit: config.historyLimit, maxChannels: config.maxChannels, maxLogBytes: config.maxLogBytes, channelIdleMs: config.channelIdleMs });
  const stats = new Stats();
  /** The name /api/stats gives this instance. */
  const instanceName = config.instanceName || `${os.hostname()}-${process.pid}`;
  /** Prefix of connection ids: short, and unique across instances and restarts. */
  const instance = Math.random().toString(36).slice(2, 8);
  let connections = 0;
  const ctx: ServerContext = {
    config,
    log,
    stats,
    origins: new OriginPolicy(config.allowedOrigins),
    gate: new ConnectionGate(config.maxConnections, config.maxConnectionsPerAddress),
    rateLimiter: new PublishRateLimiter(config.publishRatePerS, config.publishBurst),
    byteRateLimiter: new PublishRateLimiter(config.publishBytesPerS, 2 * config.publishBytesPerS, { unit: 'bytes', rate: 'PUBLISH_BYTES_PER_S', burst: 'twice the rate' }),
    nextConnectionId: () => `${instance}-${(++connections).toString(36)}`,
  };
  let closing = false;

  const polling = createPollingTransport(ctx);
  const longPolling = createLongPollingTransport(ctx);
  const sse = createSseTransport(ctx);
  const websocket = createWebSocketTransport(ctx);
  const echo = createEchoTransport(ctx);
  const streamHandlers: Record<string, StreamHandler> = { poll: polling, 'long-poll': longPolling.handleLongPoll, sse: sse.handleSse };
  const handlePublish = createPublishHandler(ctx);

  const expressApp = express();
  expressApp.disable('x-powered-by');
  expressApp.use('/api', (req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    ctx.origins.applyCors(req, res);
    if (req.method === 'OPTIONS') ctx.origins.preflight(req, res);
    else next();
  });
  expressApp.post('/api/channels/:channel/messages', (req, res) => handlePublish(req, res, req.params.channel));
  expressApp.get('/api/health', async (_req, res) => {
    const health = closing ? { ok: false, reason: 'shutting down' } : await log.health();
    sendJson(res, health.ok ? 200 : 503, JSON.stringify(health), { 'Cache-Control': 'no-store' });
  });
  expressApp.get('/api/stats', (_req, res) => {
    const open = { ...stats.open, total: ctx.gate.total };
    res.set('Cache-Control', 'no-store').json({
      log: log.kind,
      instance: instanceName,
      uptimeS: Math.round(process.uptime()),
      channels: log.channelCount(),
      ...(log.storedBytes ? { storedBytes: log.storedBytes() } : {}),
      open,
      requests: stats.requests,
      messages: stats.messages,
      disconnected: stats.disconnected,
    });
  });
  expressApp.use('/api', (req) => {
    throw new ApiError(404, 'NOT_FOUND', `no API endpoint at ${req.method} ${req.originalUrl.split('?')[0]}; see /reference/api/ for the endpoints`);
  });
  expressApp.use(createSiteRouter(config.siteDir));
  expressApp.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    // A malformed %-escape in a route parameter arrives here as a URIError: a 400, not a 500.
    sendError(res, error);
  });

  function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!hosts.allows(req.headers.host)) {
      sendError(res, hosts.refusal(req.headers.host));
      return;
    }
    trustForwardedFor(req, proxyTrust);
    const url = req.url ?? '/';
    if (req.method === 'GET' && url.startsWith('/api/')) {
      const [pathname, params] = splitUrl(url);
      const match = STREAM_ROUTE.exec(pathname);
      if (match) {
        if (!ctx.origins.applyCors(req, res)) {
          sendError(res, ctx.origins.refusal(req, STREAM_NAMES[match[1] as string] as string));
          return;
        }
        const handler = streamHandlers[match[1] as string] as StreamHandler;
        if (closing) {
          sendError(res, shuttingDown());
          return;
        }
        try {
          handler(req, res, checkChannel(match[2] as string), params)?.catch((error: unknown) => sendError(res, error));
        } catch (error) {
          sendError(res, error);
        }
        return;
      }
    }
    expressApp(req, res);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });

  function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const [pathname, params] = splitUrl(req.url ?? '/');
    const match = WS_ROUTE.exec(pathname);
    try {
      if (!hosts.allows(req.headers.host)) throw hosts.refusal(req.headers.host);
      trustForwardedFor(req, proxyTrust);
      if (!match && pathname !== '/api/echo') {
        throw new ApiError(404, 'NOT_FOUND', `no WebSocket endpoint at ${pathname}; WebSockets are served at /api/ws/:channel and /api/echo`);
      }
      if (closing) throw shuttingDown();
      if (!ctx.origins.allows(req)) throw ctx.origins.refusal(req, 'a WebSocket connection');
      const channel = match ? checkChannel(match[1] as string) : undefined;
      const address = clientAddress(req);
      ctx.gate.open(address);
      let accepted = false;
      wss.handleUpgrade(req, socket, head, (ws) => {
        // From here the transport counts the connection until the WebSocket closes.
        accepted = true;
        if (channel === undefined) echo.accept(ws, address);
        else websocket.accept(ws, req, channel, params, address);
      });
      // Without verifyClient or extensions to negotiate, ws accepts or refuses a handshake
      // synchronously: not accepted by now means refused (bad key or version), so uncount it.
      if (!accepted) ctx.gate.release(address);
    } catch (error) {
      socket.on('error', destroySocket);
      abortHandshake(socket, toApiError(error));
    }
  }

  const server = http.createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      maxHeaderSize: config.maxHeaderBytes,
      // How often the timeouts above are checked (Node's default is every 30 s).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.headersTimeoutMs / 2)),
    },
    handleRequest,
  );
  server.on('upgrade', handleUpgrade);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const apiError =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError(431, 'HEADERS_TOO_LARGE', `the request headers are larger than ${config.maxHeaderBytes} bytes (MAX_HEADER_BYTES)`)
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new ApiError(408, 'REQUEST_TIMEOUT', `the request was not received in time (HEADERS_TIMEOUT_MS ${config.headersTimeoutMs} ms, REQUEST_TIMEOUT_MS ${config.requestTimeoutMs} ms)`)
          : new ApiError(400, 'BAD_REQUEST', `the request is not valid HTTP (${error.code ?? 'parse error'})`);
    abortHandshake(socket, apiError);
  });

  // One timer for all SSE heartbeats, one for all WebSocket pings, one for the clock.
  const heartbeatTimer = setInterval(() => {
    sse.heartbeat();
    ctx.rateLimiter.sweep();
    ctx.byteRateLimiter.sweep();
  }, config.sseHeartbeatMs).unref();
  const awaitingPong = new Set<WebSocket>();
  function forgetPing(this: WebSocket): void {
    awaitingPong.delete(this);
  }
  const pingTimer = setInterval(() => {
    for (const ws of [...websocket.all(), ...echo.all()]) {
      if (awaitingPong.has(ws)) {
        // No pong since the last ping: the peer is gone without a close. Cut it.
        stats.disconnected.missedPongs += 1;
        awaitingPong.delete(ws);
        ws.terminate();
        continue;
      }
      if (!ws.listenerCount('pong')) {
        // Shared listeners (`this` is the socket): nothing new is allocated per connection.
        ws.on('pong', forgetPing);
        ws.once('close', forgetPing);
      }
      awaitingPong.add(ws);
      ws.ping();
    }
  }, config.wsPingMs).unref();
  const stopClock = startClock(log, config.clockIntervalMs);

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    stopClock();
    clearInterval(heartbeatTimer);
    clearInterval(pingTimer);
    server.close();
    longPolling.close();
    sse.close();
    // [spec] RFC 6455, 7.4.1: 1001 indicates that an endpoint is "going away", such as a server going down.
    for (const ws of [...websocket.all(), ...echo.all()]) ws.close(1001, 'server shutting down');
    server.closeIdleConnections();
    await log.close();
  }

  return { config, log, stats, server, close };
}
