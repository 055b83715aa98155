/**
 * The runs API:
 *
 *   POST   /api/runs                 a new run: 201 { run, expires, now }
 *   GET    /api/runs/:run/tap        the run's tap, as SSE (kept events first, then live ones)
 *   GET    /api/runs/:run/faults     the faults in force
 *   PUT    /api/runs/:run/faults     sets any of the faults; answers those in force
 *   DELETE /api/runs/:run/faults     switches every fault off
 *   POST   /api/runs/:run/drop       { mode: "abrupt" | "clean" }: cuts every open connection of the run now
 *   DELETE /api/runs/:run            ends the run now (a sandbox ends its run when it runs again or its page goes)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { ApiError, describeValue } from '../errors.ts';
import { clientAddress, sendJson } from '../http.ts';
import { applyFaults, NO_FAULTS, type Faults } from './faults.ts';
import type { Run, RunRegistry } from './registry.ts';
import { lastSeenSeq } from './tap.ts';

export interface RunRoutesOptions {
  registry: RunRegistry;
  /** Whether the request's Origin may use the API at all (the server's own, ALLOWED_ORIGINS, or none). */
  allowsOrigin(req: IncomingMessage): boolean;
  sseRetryMs: number;
  maxBufferedBytes: number;
  /** Largest body a faults or drop request may have (MAX_MESSAGE_BYTES). */
  maxBodyBytes: number;
  /** Called after a PUT or DELETE has changed the run's faults, with the faults before it. */
  faultsSet?(run: Run, before: Faults): void;
}


/** Tap streams open now, for the shared heartbeat and for shutdown. */
const TAP_HEARTBEAT = ': heartbeat\n\n';

export function createRunRoutes(options: RunRoutesOptions) {
  const { registry } = options;
  const tapStreams = new Set<ServerResponse>();
  const router = express.Router();
  const parseJson = express.json({ limit: options.maxBodyBytes, strict: false, type: () => true });

  function runOf(req: express.Request): Run {
    return registry.get(String(req.params.run));
  }

  function readBody(req: express.Request, res: express.Response): Promise<unknown> {
    return new Promise((resolve, reject) => {
      parseJson(req, res, (error?: unknown) => {
        if (!error) resolve(req.body);
        else reject(new ApiError(400, 'INVALID_JSON', `the body must be JSON of at most ${options.maxBodyBytes} bytes (MAX_MESSAGE_BYTES); ${(error as Error).message}`));
      });
    });
  }

  // A run's id is the key to its tap and faults: only the pages that may use the API get to use
  // it, and a sandbox frame (Origin: null) never does, so another site cannot drop or watch a run.
  router.use((req, _res, next) => {
    if (req.headers.origin === 'null' || !options.allowsOrigin(req)) {
      throw new ApiError(403, 'ORIGIN_NOT_ALLOWED', `the runs API answers the server's own origin, ALLOWED_ORIGINS and clients that send no Origin; received Origin ${describeValue(req.headers.origin)}`);
    }
    next();
  });

  router.post('/', (req, res) => {
    // A sandbox frame (Origin: null) cannot ask for a run: its page asks, and hands the id in.
    const now = Date.now();
    const issued = registry.issue(clientAddress(req), now);
    // `now`, the server's clock in epoch ms: the page puts the tap's times on its own clock with
    // it (the Date header says the same to the second only).
    sendJson(res, 201, JSON.stringify({ ...issued, now }), { 'Cache-Control': 'no-store' });
  });

  router.get('/:run/tap', (req, res) => {
    const run = runOf(req);
    // [spec] A reconnecting EventSource sends the id of the last event it saw: resume after it.
    // An id from another process (an instance that went away, whose runs nginx now hashes to
    // this one, or this one before a restart) means nothing here: what is kept here is all new.
    const lastSeen = lastSeenSeq(req.get('last-event-id'), run.tap.epoch);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    let head = `retry: ${options.sseRetryMs}\n\n`;
    const dropped = run.tap.dropped;
    if (dropped > 0 && lastSeen < dropped + 1) {
      head += `event: gap\ndata: ${JSON.stringify({ dropped, message: `the first ${dropped} events of this run are no longer kept (MAX_TAP_BYTES)` })}\n\n`;
    }
    for (const chunk of run.tap.kept()) {
      if (lastSeen === 0 || Number(/^id: [a-z0-9]+\.(\d+)/.exec(chunk)?.[1]) > lastSeen) head += chunk;
    }
    res.write(head);
    const unsubscribe = run.tap.subscribe(
      (_event, sse) => {
        // Ended (the run or the server ended it) and not yet closed: nothing more is written.
        if (res.writableEnded || res.destroyed) return;
        if (res.writableLength > options.maxBufferedBytes) {
          // A tap reader that falls behind is dropped like any slow consumer; it resumes by id.
          res.destroy();
          return;
        }
        res.write(sse);
      },
      () => res.end(`event: end\ndata: ${JSON.stringify({ message: 'the run has ended' })}\n\n`),
    );
    tapStreams.add(res);
    res.on('close', () => {
      unsubscribe();
      tapStreams.delete(res);
    });
  });

  router.delete('/:run', (req, res) => {
    const run = runOf(req);
    registry.end(run);
    res.writeHead(204, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end();
  });

  router.get('/:run/faults', (req, res) => {
    sendJson(res, 200, JSON.stringify(runOf(req).faults), { 'Cache-Control': 'no-store' });
  });

  router.put('/:run/faults', async (req, res) => {
    const run = runOf(req);
    const before = run.faults;
    run.faults = applyFaults(run.faults, await readBody(req, res));
    options.faultsSet?.(run, before);
    sendJson(res, 200, JSON.stringify(run.faults), { 'Cache-Control': 'no-store' });
  });

  router.delete('/:run/faults', (req, res) => {
    const run = runOf(req);
    const before = run.faults;
    run.faults = { ...NO_FAULTS };
    options.faultsSet?.(run, before);
    sendJson(res, 200, JSON.stringify(run.faults), { 'Cache-Control': 'no-store' });
  });

  router.post('/:run/drop', async (req, res) => {
    const run = runOf(req);
    const body = await readBody(req, res);
    const mode = (body as { mode?: unknown } | null)?.mode ?? 'abrupt';
    if (mode !== 'abrupt' && mode !== 'clean') {
      throw new ApiError(400, 'INVALID_FAULT', `mode must be "abrupt" or "clean"; received ${describeValue(mode)}`);
    }
    const cut = [...run.connections];
    for (const connection of cut) {
      run.tap.record({ connection: connection.id, technique: connection.technique, direction: 'out', kind: 'fault', bytes: 0, fault: `drop-${mode}` });
      connection.cut(mode);
    }
    sendJson(res, 200, JSON.stringify({ dropped: cut.length, mode }), { 'Cache-Control': 'no-store' });
  });

  /** Comments on every tap stream, from the server's one heartbeat timer. */
  function heartbeat(): void {
    for (const res of tapStreams) if (!res.writableEnded && res.writableLength <= options.maxBufferedBytes) res.write(TAP_HEARTBEAT);
  }

  /** On shutdown: end every tap stream. */
  function close(): void {
    for (const res of [...tapStreams]) res.end();
  }

  return { router, heartbeat, close };
}
