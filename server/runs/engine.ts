/**
 * The lab engine: runs, their tap and their faults, attached to the transports at one seam.
 *
 * The request and upgrade routing (routing.ts) asks `resolve` for the run a request names
 * (`run=<id>`), then `attachRequest` or `attachUpgrade` for a request that has one. From then
 * on the tap records that connection as the server saw it (the request head as received, the
 * response head and every chunk or frame as written) and the run's faults act on its output.
 * A request without a run pays one query-parameter lookup; nothing is wrapped or kept for it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Config } from '../config.ts';
import { ApiError, sendError } from '../errors.ts';
import type { ChannelLog, ReadResult } from '../log/types.ts';
import type { Faults } from './faults.ts';
import { readAfterUnderFaults, RunLink, type ServerCut } from './link.ts';
import { RunRegistry, type Run } from './registry.ts';
import { RunIds } from './run-ids.ts';
import { createRunRoutes } from './routes.ts';
import { ResponseHeadSplitter, tapSocketBytes, tapWrites } from './socket-tap.ts';
import { bodyText, formatRequestHead, type Technique } from './tap.ts';
import { WsFrameParser, type WsFrame } from './ws-frames.ts';

/** How each technique closes a connection cleanly, given by the transports. */
export interface CleanCuts {
  /** Ends an SSE stream. */
  sse(res: ServerResponse): void;
  /** Answers a held long poll with 204 now. */
  longPoll(res: ServerResponse): void;
}

/** The techniques whose requests `refuseReconnects` answers. */
const REFUSABLE: ReadonlySet<Technique> = new Set(['poll', 'long-poll', 'sse']);

function byteLength(chunk: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

/** A chunk written to a response, as text (a string, or a Buffer's UTF-8). */
function chunkText(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  return chunk instanceof Uint8Array ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString() : '';
}

/** Messages in an SSE chunk: the events that carry an id. */
function sseMessages(text: string): number {
  return text.match(/^id: /gm)?.length ?? 0;
}

/** Messages in a poll or long-poll answer (`{"messages":[...]}`). */
function pageMessages(text: string): number {
  try {
    const page = JSON.parse(text) as { messages?: unknown[] };
    return Array.isArray(page.messages) ? page.messages.length : 0;
  } catch {
    return 0;
  }
}

/** A WebSocket text frame that carries a channel message: `{"type":"message",...}`. */
function isMessageFrame(data: unknown): boolean {
  const text = typeof data === 'string' ? data.slice(0, 16) : data instanceof Uint8Array ? Buffer.from(data.buffer, data.byteOffset, Math.min(16, data.byteLength)).toString() : '';
  return text === '{"type":"message';
}

export interface RunEngineOptions {
  config: Config;
  log: ChannelLog;
  /** Whether a request's Origin may ask for runs (the server's own, ALLOWED_ORIGINS, or none). */
  allowsOrigin(req: IncomingMessage): boolean;
  /** A short connection id, unique in this process. */
  nextConnectionId(): string;
  /** Whether the server is shutting down (a long poll answered 204 then is released for `shutdown`). */
  closing(): boolean;
}

export class RunEngine {
  readonly registry: RunRegistry;
  readonly routes: ReturnType<typeof createRunRoutes>;
  readonly #options: RunEngineOptions;
  /** Connections attached to a run, by their request, response or WebSocket: only those have entries. */
  readonly #links = new WeakMap<object, RunLink>();
  /** Requests that name a live run (for CORS on `Origin: null`), tapped or not. */
  readonly #runOf = new WeakMap<IncomingMessage, Run>();
  /**
   * Messages sent on each TCP connection of a run's polls, for dropAfter. Counted per run: a
   * kept-alive connection that carries another run's polls next starts again from 0.
   */
  readonly #socketMessages = new WeakMap<Duplex, { run: Run; sent: number }>();
  /** Open connections attached to any run: while 0, the transports skip every lookup. */
  #attached = 0;
  #cleanCuts: CleanCuts | undefined;

  constructor(options: RunEngineOptions) {
    this.#options = options;
    const { config } = options;
    const secret = config.runSecret === '' ? randomBytes(32) : Buffer.from(config.runSecret);
    this.registry = new RunRegistry(new RunIds(secret, config.runIdleMs), {
      idleMs: config.runIdleMs,
      maxRunsPerAddress: config.maxRunsPerAddress,
      maxRuns: config.maxRuns,
      maxTapBytes: config.maxTapBytes,
    });
    this.routes = createRunRoutes({
      registry: this.registry,
      allowsOrigin: options.allowsOrigin,
      sseRetryMs: config.sseRetryMs,
      maxBufferedBytes: config.maxBufferedBytes,
      maxBodyBytes: config.maxMessageBytes,
      faultsSet: (run, before) => this.#faultsSet(run, before),
    });
  }

  /** The transports' clean cuts, given once they exist. */
  setCleanCuts(cuts: CleanCuts): void {
    this.#cleanCuts = cuts;
  }

  /** The run a request names with `run=`, touched; undefined when it names none. Throws 400 INVALID_RUN or 404 UNKNOWN_RUN. */
  resolve(req: IncomingMessage, params: URLSearchParams): Run | undefined {
    const id = params.get('run');
    if (id === null) return undefined;
    const run = this.registry.get(id);
    this.#runOf.set(req, run);
    return run;
  }

  /** Whether the request names a live run: a sandbox frame (`Origin: null`) is then served. */
  hasRun(req: IncomingMessage): boolean {
    return this.#runOf.has(req);
  }

  /** The run connection of a request, response or WebSocket, if it is attached to one. */
  linkOf(who: object): RunLink | undefined {
    return this.#attached === 0 ? undefined : this.#links.get(who);
  }

  /** The history after `since` as this connection's reader sees it: a run's historyLimit and restart apply. */
  readAfter(who: object, channel: string, since: string, limit: number): Promise<ReadResult> {
    const link = this.#attached === 0 ? undefined : this.#links.get(who);
    return link ? readAfterUnderFaults(this.#options.log, link, channel, since, limit) : this.#options.log.readAfter(channel, since, limit);
  }

  /**
   * Notes that the server is about to cut a run's connection of its own accord, so the tap's
   * `close` says the server did it, and why, not the client. Costs nothing without runs.
   */
  noteServerCut(who: object, reason: ServerCut): void {
    const link = this.linkOf(who);
    if (!link || link.endedBy) return;
    link.endedBy = 'server';
    link.cutReason = reason;
  }

  /** The id the tap knows a connection by, or a new one: `connected` and `welcome` tell the same id. */
  connectionId(who: object): string {
    return this.linkOf(who)?.id ?? this.#options.nextConnectionId();
  }

  /** Records a request body (a publish) in the tap of the request's run, if it has one. */
  recordBody(req: IncomingMessage, body: Uint8Array): void {
    const link = this.linkOf(req);
    if (link) link.record('in', 'body', bodyText(Buffer.from(body.buffer, body.byteOffset, body.byteLength)));
  }

  /**
   * Answers the request at once when the run's `refuseReconnects` fault says so (poll,
   * long-poll and SSE), and returns true; counts the fault down.
   */
  refuse(link: RunLink, res: ServerResponse): boolean {
    const refusal = link.run.faults.refuseReconnects;
    if (!refusal || !REFUSABLE.has(link.technique)) return false;
    const left = refusal.count - 1;
    link.run.faults = { ...link.run.faults, refuseReconnects: left > 0 ? { status: refusal.status, count: left } : null };
    link.fault(`refuseReconnects ${refusal.status}`);
    link.endedBy = 'fault';
    if (refusal.status === 204) {
      res.writeHead(204, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end();
    } else {
      sendError(res, new ApiError(refusal.status, 'REFUSED_BY_FAULT', `this run's refuseReconnects fault answers ${refusal.status}; ${left > 0 ? `it will refuse ${left} more` : 'it refuses no more'} (DELETE /api/runs/:run/faults to switch it off)`));
    }
    return true;
  }

  /**
   * Attaches an HTTP request of a run: its head is recorded as received, its response head as
   * written on the socket, and every write and end of its response goes through the faults.
   */
  attachRequest(run: Run, technique: Technique, channel: string | undefined, req: IncomingMessage, res: ServerResponse): RunLink {
    const socket = req.socket;
    const link = new RunLink(run, this.#options.nextConnectionId(), technique, channel, {
      maxHeldBytes: this.#options.config.maxBufferedBytes,
      cut: (mode, flushed) => {
        // Abrupt: no end of the HTTP message, just the end of the TCP connection.
        if (mode === 'abrupt') flushed ? socket.end() : socket.destroy();
        else if (technique === 'sse') this.#cleanCuts?.sse(res);
        else if (technique === 'long-poll') this.#cleanCuts?.longPoll(res);
        // A poll or publish is answered at once: a clean drop lets it finish.
      },
    });
    this.#attach(link, req, res);
    const head = formatRequestHead(req);
    link.record('in', 'request-head', { text: head, bytes: Buffer.byteLength(head, 'latin1') });

    // The response head, as node:http writes it on the socket; the socket is untapped after it.
    const splitter = new ResponseHeadSplitter((text) => {
      untap();
      link.record('out', 'response-head', { text, bytes: Buffer.byteLength(text, 'latin1') });
    }, () => {});
    const untap = tapWrites(socket, (chunk) => splitter.push(chunk));

    /** An SSE stream's output is shown as SSE; an answer in JSON (a refusal, an error) as a body. */
    const kindOf = (): 'sse' | 'body' => (technique === 'sse' && res.statusCode === 200 ? 'sse' : 'body');
    const write = res.write;
    const end = res.end;
    let ended = false;
    res.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      const callback = rest.find((arg) => typeof arg === 'function') as ((error?: Error | null) => void) | undefined;
      if (ended) {
        callback?.(new Error('the response has ended'));
        return false;
      }
      const text = chunkText(chunk);
      link.deliver(byteLength(chunk), technique === 'sse' ? sseMessages(text) : 0, () => {
        if (res.destroyed) {
          callback?.(new Error('the connection is closed'));
          return;
        }
        (write as (...args: unknown[]) => boolean).call(res, chunk, ...rest);
        link.record('out', kindOf(), bodyText(text));
      });
      return true;
    }) as ServerResponse['write'];
    res.end = ((...args: unknown[]): ServerResponse => {
      if (ended) return res;
      ended = true;
      const chunk = typeof args[0] === 'function' ? undefined : args[0];
      const text = chunkText(chunk);
      const { dropAfter } = run.faults;
      if (dropAfter !== null && (technique === 'poll' || technique === 'long-poll')) {
        // dropAfter counts per TCP connection, across its requests: past it, cut instead of answering.
        const messages = pageMessages(text);
        if (messages > 0) {
          const counted = this.#socketMessages.get(socket);
          const sent = counted?.run === run ? counted.sent : 0;
          if (sent >= dropAfter) {
            link.fault(`dropAfter ${dropAfter}`);
            link.cut('abrupt');
            return res;
          }
          this.#socketMessages.set(socket, { run, sent: sent + messages });
        }
      }
      if (link.held) {
        const reason = link.endedBy === 'fault' ? 'fault' : res.statusCode === 204 ? (this.#options.closing() ? 'shutdown' : 'timeout') : 'message';
        link.record('out', 'release', { bytes: 0, reason });
      }
      link.deliver(byteLength(chunk), 0, () => {
        if (res.destroyed) return;
        (end as (...args: unknown[]) => ServerResponse).apply(res, args);
        if (text !== '') link.record('out', kindOf(), bodyText(text));
      });
      return res;
    }) as ServerResponse['end'];

    res.once('close', () => {
      untap();
      this.#detach(link);
      const finished = res.writableFinished;
      const by = link.endedBy ?? (finished ? 'server' : 'client');
      const reason = link.cutReason === undefined ? {} : { reason: link.cutReason };
      link.record(by === 'client' ? 'in' : 'out', 'close', finished ? { bytes: 0, by, ...reason } : { bytes: 0, by, code: 'abrupt', ...reason });
    });
    return link;
  }

  /** After a long poll's handler has read the history: a request still unanswered is held. */
  noteHeld(link: RunLink, res: ServerResponse): void {
    if (res.headersSent || res.writableEnded || res.destroyed || link.held) return;
    link.held = true;
    link.record('out', 'hold', { bytes: 0 });
  }

  /**
   * Attaches a WebSocket handshake of a run, before it is answered: the socket's bytes are read
   * both ways, the `101` head as text and every frame as RFC 6455 lays it out. Returns what to
   * call with the WebSocket once it is accepted, which puts its sends through the faults.
   */
  attachUpgrade(run: Run, technique: 'ws' | 'echo', channel: string | undefined, req: IncomingMessage, socket: Duplex): (ws: WebSocket) => void {
    let accepted: WebSocket | undefined;
    const link = new RunLink(run, this.#options.nextConnectionId(), technique, channel, {
      maxHeldBytes: this.#options.config.maxBufferedBytes,
      cut: (mode, flushed) => {
        // [spec] RFC 6455, 7.4.1: 1001, going away. Abrupt: no close frame, which the client reports as 1006.
        if (mode === 'clean' && accepted) accepted.close(1001, 'dropped by a fault');
        else if (flushed) socket.end();
        else socket.destroy();
      },
    });
    this.#attach(link, req, undefined);
    const head = formatRequestHead(req);
    link.record('in', 'request-head', { text: head, bytes: Buffer.byteLength(head, 'latin1') });
    /** The first close frame seen, and which side sent it. */
    let firstClose: { by: 'client' | 'server'; code: number } | undefined;
    const onFrame = (direction: 'in' | 'out') => (frame: WsFrame) => {
      if (frame.opcode === 8 && !firstClose) firstClose = { by: direction === 'in' ? 'client' : 'server', code: frame.closeCode ?? 1005 };
      link.record(direction, 'ws-frame', { bytes: frame.headerBytes + frame.payloadLength, frame });
    };
    const reportError = (direction: string) => (message: string) => link.record(direction === 'in' ? 'in' : 'out', 'fault', { bytes: 0, fault: `unparsed: ${message}` });
    const inbound = new WsFrameParser(onFrame('in'), { onError: reportError('in') });
    const outbound = new WsFrameParser(onFrame('out'), { onError: reportError('out') });
    const splitter = new ResponseHeadSplitter(
      (text) => link.record('out', 'response-head', { text, bytes: Buffer.byteLength(text, 'latin1') }),
      (chunk) => outbound.push(chunk),
    );
    const untap = tapSocketBytes(socket, (chunk) => inbound.push(chunk), (chunk) => splitter.push(chunk));
    socket.once('close', () => {
      untap();
      this.#detach(link);
      const by = link.endedBy ?? firstClose?.by ?? 'client';
      const reason = link.cutReason === undefined ? {} : { reason: link.cutReason };
      link.record(by === 'client' ? 'in' : 'out', 'close', { bytes: 0, by, code: link.endedBy === 'fault' && !firstClose ? 'abrupt' : (firstClose?.code ?? 'abrupt'), ...reason });
    });
    return (ws) => {
      accepted = ws;
      this.#links.set(ws, link);
      const send = ws.send;
      ws.send = function (this: WebSocket, data: unknown, ...rest: unknown[]): void {
        const messages = technique === 'echo' || isMessageFrame(data) ? 1 : 0;
        link.deliver(byteLength(data), messages, () => (send as (...args: unknown[]) => void).call(ws, data, ...rest));
      } as WebSocket['send'];
    };
  }

  /**
   * Sets a run's faults from outside its own API (a class fault in workshop mode): as a PUT
   * would, so `restart` marks and cuts, and held output is re-timed.
   */
  setFaults(run: Run, faults: Faults): void {
    const before = run.faults;
    run.faults = faults;
    this.#faultsSet(run, before);
  }

  /** Cuts every open connection of a run now, each marked in the tap as `drop-<mode>`; returns how many. */
  drop(run: Run, mode: 'abrupt' | 'clean'): number {
    const cut = [...run.connections];
    for (const connection of cut) {
      run.tap.record({ connection: connection.id, technique: connection.technique, direction: 'out', kind: 'fault', bytes: 0, fault: `drop-${mode}` });
      connection.cut(mode);
    }
    return cut.length;
  }

  /** Streams and runs to look after on the server's one heartbeat timer. */
  heartbeat(now = Date.now()): void {
    this.routes.heartbeat();
    this.registry.sweep(now);
  }

  close(): void {
    this.routes.close();
  }

  #attach(link: RunLink, req: IncomingMessage, res: ServerResponse | undefined): void {
    this.#links.set(req, link);
    if (res) this.#links.set(res, link);
    this.#attached += 1;
  }

  #detach(link: RunLink): void {
    if (!link.run.connections.has(link)) return;
    link.detach();
    this.#attached -= 1;
  }

  /** After PUT or DELETE faults: `restart` marks each channel's head and cuts the run's connections; held output is re-timed. */
  #faultsSet(run: Run, before: Faults): void {
    if (run.faults.restart && !before.restart) {
      run.restartMarks = new Map([...run.channels].map((channel) => [channel, this.#options.log.headId(channel)]));
      for (const connection of [...run.connections]) {
        run.tap.record({ connection: connection.id, technique: connection.technique, direction: 'out', kind: 'fault', bytes: 0, fault: 'restart' });
        connection.cut('clean');
      }
    } else if (!run.faults.restart) {
      run.restartMarks = new Map();
    }
    for (const connection of run.connections) connection.faultsChanged();
  }
}
