/**
 * Request and upgrade routing: where every request enters, before Express.
 *
 * The held and frequent GETs (poll, long-poll, SSE) are dispatched here, by one regular
 * expression: Express's routing alone halves the requests per second of the 304 polling path
 * (measured), and a held request should carry nothing per connection that it does not need.
 * Everything else goes to Express (api-routes.ts). This is also the one seam where a request
 * that names a run (`run=<id>`) is attached to it, for the tap and the faults.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ServerContext } from './context.ts';
import { ApiError, sendError, shuttingDown, toApiError } from './errors.ts';
import { CHANNEL_PATTERN, checkChannel, clientAddress, type HostPolicy, type ProxyTrust, trustForwardedFor } from './http.ts';
import type { Run } from './runs/registry.ts';

/** Answers at once (returns nothing), or returns the promise of an answer. */
export type StreamHandler = (req: http.IncomingMessage, res: http.ServerResponse, channel: string, params: URLSearchParams) => Promise<void> | undefined;

/** The routes dispatched before Express. */
export interface RouteTable {
  /** GET /api/poll/:channel, /api/long-poll/:channel, /api/sse/:channel */
  streams: Record<'poll' | 'long-poll' | 'sse', StreamHandler>;
  /** GET /api/ws/:channel (Upgrade: websocket) */
  websocket(ws: WebSocket, req: http.IncomingMessage, channel: string, params: URLSearchParams, address: string): void;
  /** GET /api/echo (Upgrade: websocket) */
  echo(ws: WebSocket, address: string): void;
  /** Everything else: publishing, runs, health, stats, the site. */
  express(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** GET /api/workshop/attendees/:id/ws (Upgrade: websocket): an attendee's control channel; absent when workshop mode is off. */
  workshopControl?: {
    /** Throws (404 UNKNOWN_ATTENDEE, 400) before the handshake is accepted. */
    check(id: string): void;
    accept(ws: WebSocket, id: string, params: URLSearchParams, address: string): void;
  };
}

const STREAM_ROUTE = /^\/api\/(poll|long-poll|sse)\/([^/]*)$/;
const PUBLISH_ROUTE = /^\/api\/channels\/([^/]*)\/messages$/;
const WS_ROUTE = /^\/api\/ws\/([^/]*)$/;
const WORKSHOP_WS_ROUTE = /^\/api\/workshop\/attendees\/([^/]*)\/ws$/;
/** What each stream route is called in an error message. */
const STREAM_NAMES: Record<string, string> = { poll: 'a poll', 'long-poll': 'a long poll', sse: 'an SSE stream' };

function splitUrl(url: string): [string, URLSearchParams] {
  const q = url.indexOf('?');
  return q < 0 ? [url, new URLSearchParams()] : [url.slice(0, q), new URLSearchParams(url.slice(q + 1))];
}

/** A channel name to show the tap, when it is one. */
function channelOf(name: string): string | undefined {
  return CHANNEL_PATTERN.test(name) ? name : undefined;
}

/** Writes an HTTP error on a socket whose upgrade is refused, in the API's error shape. */
export function abortHandshake(socket: Duplex, error: ApiError): void {
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

export function createRouting(ctx: ServerContext, hosts: HostPolicy, proxyTrust: ProxyTrust, routes: RouteTable, wss: WebSocketServer) {
  const { runs, origins } = ctx;

  function handleStream(req: http.IncomingMessage, res: http.ServerResponse, technique: 'poll' | 'long-poll' | 'sse', name: string, params: URLSearchParams, run: Run | undefined): void {
    if (!origins.applyCors(req, res, run !== undefined)) {
      sendError(res, origins.refusal(req, STREAM_NAMES[technique] as string));
      return;
    }
    if (ctx.closing) {
      sendError(res, shuttingDown());
      return;
    }
    const link = run && runs.attachRequest(run, technique, channelOf(name), req, res);
    if (link && runs.refuse(link, res)) return;
    try {
      const pending = routes.streams[technique](req, res, checkChannel(name), params);
      pending?.catch((error: unknown) => sendError(res, error));
      if (link && technique === 'long-poll') pending?.then(() => runs.noteHeld(link, res), () => {});
    } catch (error) {
      sendError(res, error);
    }
  }

  function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!hosts.allows(req.headers.host)) {
      sendError(res, hosts.refusal(req.headers.host));
      return;
    }
    trustForwardedFor(req, proxyTrust);
    const url = req.url ?? '/';
    if (!url.startsWith('/api/')) {
      routes.express(req, res);
      return;
    }
    const [pathname, params] = splitUrl(url);
    let run: Run | undefined;
    try {
      run = runs.resolve(req, params);
    } catch (error) {
      // Said to a sandbox frame too, so that it can tell an expired run from a network error.
      origins.applyCors(req, res, true);
      sendError(res, error);
      return;
    }
    if (req.method === 'GET') {
      const match = STREAM_ROUTE.exec(pathname);
      if (match) {
        handleStream(req, res, match[1] as 'poll' | 'long-poll' | 'sse', match[2] as string, params, run);
        return;
      }
    }
    if (run && req.method === 'POST') {
      const match = PUBLISH_ROUTE.exec(pathname);
      if (match) runs.attachRequest(run, 'publish', channelOf(match[1] as string), req, res);
    }
    routes.express(req, res);
  }

  /** An attendee's control channel over WebSocket: the workshop API's origin policy (no sandbox frame), the per-address gate. */
  function upgradeWorkshopControl(req: http.IncomingMessage, socket: Duplex, head: Buffer, id: string, params: URLSearchParams): void {
    const control = routes.workshopControl;
    if (!control) throw new ApiError(404, 'WORKSHOP_OFF', 'workshop mode is off on this server; start it with `npm start -- --host 0.0.0.0 --workshop` (or WORKSHOP=1)');
    if (ctx.closing) throw shuttingDown();
    if (!origins.allows(req)) throw origins.refusal(req, 'the workshop API');
    control.check(id);
    const address = clientAddress(req);
    ctx.gate.open(address);
    let accepted = false;
    wss.handleUpgrade(req, socket, head, (ws) => {
      accepted = true;
      control.accept(ws, id, params, address);
    });
    if (!accepted) ctx.gate.release(address);
  }

  function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const [pathname, params] = splitUrl(req.url ?? '/');
    const match = WS_ROUTE.exec(pathname);
    try {
      if (!hosts.allows(req.headers.host)) throw hosts.refusal(req.headers.host);
      trustForwardedFor(req, proxyTrust);
      const workshopMatch = WORKSHOP_WS_ROUTE.exec(pathname);
      if (workshopMatch) {
        upgradeWorkshopControl(req, socket, head, workshopMatch[1] as string, params);
        return;
      }
      if (!match && pathname !== '/api/echo') {
        throw new ApiError(404, 'NOT_FOUND', `no WebSocket endpoint at ${pathname}; WebSockets are served at /api/ws/:channel, /api/echo and, in workshop mode, /api/workshop/attendees/:id/ws`);
      }
      if (ctx.closing) throw shuttingDown();
      const run = runs.resolve(req, params);
      if (!origins.allows(req, run !== undefined)) throw origins.refusal(req, 'a WebSocket connection');
      const channel = match ? checkChannel(match[1] as string) : undefined;
      const address = clientAddress(req);
      ctx.gate.open(address);
      const attached = run && runs.attachUpgrade(run, channel === undefined ? 'echo' : 'ws', channel, req, socket);
      let accepted = false;
      wss.handleUpgrade(req, socket, head, (ws) => {
        // From here the transport counts the connection until the WebSocket closes.
        accepted = true;
        attached?.(ws);
        if (channel === undefined) routes.echo(ws, address);
        else routes.websocket(ws, req, channel, params, address);
      });
      // Without verifyClient or extensions to negotiate, ws accepts or refuses a handshake
      // synchronously: not accepted by now means refused (bad key or version), so uncount it.
      if (!accepted) ctx.gate.release(address);
    } catch (error) {
      socket.on('error', destroySocket);
      abortHandshake(socket, toApiError(error));
    }
  }

  /** A request node:http could not parse: answered in the API's error shape, on the socket. */
  function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const { config } = ctx;
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
  }

  return { handleRequest, handleUpgrade, handleClientError };
}
