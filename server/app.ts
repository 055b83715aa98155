/**
 * createApp(config): the companion server on one node:http server. It never listens by itself:
 * main.ts and the tests call `listen`. The parts, each in its own file:
 *
 *   context.ts      settings, log, limits, counters and the lab engine, given to every part
 *   transports/     one file per technique: poll, long-poll, SSE, WebSocket, echo
 *   api-routes.ts   what Express serves: publishing, runs, health, stats, the site
 *   routing.ts      where requests and upgrades enter, and are attached to a run
 *   timers.ts       the few shared timers: heartbeats, pings, the clock
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { createApiRoutes } from './api-routes.ts';
import { resolveConfig, type Config } from './config.ts';
import { createContext } from './context.ts';
import { serverErrors } from './errors.ts';
import { compileProxyTrust, HostPolicy } from './http.ts';
import { MemoryLog } from './log/memory.ts';
import type { ChannelLog } from './log/types.ts';
import { createRouting } from './routing.ts';
import type { Stats } from './stats.ts';
import { startTimers } from './timers.ts';
import { createEchoTransport } from './transports/echo.ts';
import { createLongPollingTransport } from './transports/long-polling.ts';
import { createPollingTransport } from './transports/polling.ts';
import { createSseTransport } from './transports/sse.ts';
import { createWebSocketTransport } from './transports/websocket.ts';
import { Workshop } from './workshop/presence.ts';
import { createWorkshopStore, type WorkshopStore } from './workshop/store.ts';
import { newWorkshopToken } from './workshop/token.ts';

export interface AppOptions {
  /** The channel log; an in-memory one by default. */
  log?: ChannelLog;
}

export interface App {
  readonly config: Config;
  readonly log: ChannelLog;
  readonly stats: Stats;
  /** In workshop mode, the instructor's token (WORKSHOP_TOKEN, or a new random one): main.ts prints it once. */
  readonly workshopToken: string | undefined;
  /**
   * In workshop mode, where its state is saved (DATA_DIR or Redis): main.ts calls `load()`
   * before listening; until then nothing is read or written (tests and rooms keep no file).
   */
  readonly workshopStore: WorkshopStore | undefined;
  /** The configured node:http server, with routes and upgrades attached, not listening. */
  readonly server: http.Server;
  /** Stops accepting, closes WebSockets with 1001, ends SSE streams, answers held long polls. */
  close(): Promise<void>;
}

export function createApp(overrides: Partial<Config> = {}, options: AppOptions = {}): App {
  const config = resolveConfig(overrides);
  serverErrors.configure(config.loggedErrorsPerMin);
  const log =
    options.log ??
    new MemoryLog({ historyLimit: config.historyLimit, maxChannels: config.maxChannels, maxLogBytes: config.maxLogBytes, channelIdleMs: config.channelIdleMs });
  const ctx = createContext(config, log);

  const polling = createPollingTransport(ctx);
  const longPolling = createLongPollingTransport(ctx);
  const sse = createSseTransport(ctx);
  const websocket = createWebSocketTransport(ctx);
  const echo = createEchoTransport(ctx);
  ctx.runs.setCleanCuts({ sse: sse.end, longPoll: longPolling.answerNow });
  const sockets = () => [...websocket.all(), ...echo.all(), ...(workshop?.state.sockets() ?? [])];
  const workshop = config.workshop ? { state: new Workshop(ctx), token: config.workshopToken || newWorkshopToken() } : undefined;

  const workshopStore = workshop ? createWorkshopStore(workshop.state, config) : undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  const routing = createRouting(ctx, new HostPolicy(config.host, config.allowedHosts), compileProxyTrust(config.trustProxy), {
    streams: { poll: polling, 'long-poll': longPolling.handleLongPoll, sse: sse.handleSse },
    websocket: websocket.accept,
    echo: echo.accept,
    express: createApiRoutes(ctx, workshop),
    ...(workshop && { workshopControl: { check: (id: string) => workshop.state.checkJoined(id), accept: workshop.state.openControlSocket.bind(workshop.state) } }),
  }, wss);

  const server = http.createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      maxHeaderSize: config.maxHeaderBytes,
      // How often the timeouts above are checked (Node's default is every 30 s).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.headersTimeoutMs / 2)),
    },
    routing.handleRequest,
  );
  server.on('upgrade', routing.handleUpgrade);
  server.on('clientError', routing.handleClientError);
  const sseHeartbeat = workshop ? () => (sse.heartbeat(), workshop.state.heartbeat()) : sse.heartbeat;
  const stopTimers = startTimers(ctx, { sseHeartbeat, sockets });

  async function close(): Promise<void> {
    if (ctx.closing) return;
    ctx.closing = true;
    stopTimers();
    server.close();
    longPolling.close();
    sse.close();
    workshop?.state.close();
    ctx.runs.close();
    // [spec] RFC 6455, 7.4.1: 1001 indicates that an endpoint is "going away", such as a server going down.
    for (const ws of sockets()) ws.close(1001, 'server shutting down');
    server.closeIdleConnections();
    // The workshop's last save, once every stream is ended (its state no longer changes).
    await workshopStore?.close();
    await log.close();
  }

  return { config, log, stats: ctx.stats, workshopToken: workshop?.token, workshopStore, server, close };
}
