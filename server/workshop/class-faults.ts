/**
 * A fault on every attendee's runs ("everyone: your connection just dropped"), from the
 * instructor's dashboard:
 *
 *   POST /api/workshop/instructor/faults   { fault, ... }: applies a class fault to every live run
 *
 * In workshop mode the runs on this server are the attendees' sandboxes, exercise checks and lab
 * races. A class fault goes through the run fault machinery (runs/engine.ts), so each attendee's
 * tap, wire view and fault marks show it as they show a fault the attendee set on their own run.
 * Then every attendee's control stream hears `event: fault { fault, at, runs, ... }`.
 */
import express from 'express';
import type { ServerContext } from '../context.ts';
import { ApiError, describeValue } from '../errors.ts';
import { applyFaults, NO_FAULTS, REFUSE_STATUSES, type Faults } from '../runs/faults.ts';
import type { Run } from '../runs/registry.ts';
import type { Workshop } from './presence.ts';

/** The class faults, in the order the dashboard shows them. */
export const CLASS_FAULTS = ['drop', 'restart', 'latency', 'refuseReconnects', 'clear'] as const;
export type ClassFaultName = (typeof CLASS_FAULTS)[number];

/** A class fault, checked: its name and the parameters it takes. */
export type ClassFault =
  | { fault: 'drop'; mode: 'abrupt' | 'clean' }
  | { fault: 'restart' }
  | { fault: 'latency'; ms: number }
  | { fault: 'refuseReconnects'; status: (typeof REFUSE_STATUSES)[number]; count: number }
  | { fault: 'clear' };

/** How far a class fault reached: the live runs it touched, and the connections it cut. */
export interface ClassFaultResult {
  runs: number;
  connections: number;
}

/** What `refuseReconnects` refuses when the instructor does not say: 503, the next 3 requests of each run. */
export const CLASS_REFUSE_DEFAULT = { status: 503, count: 3 } as const;

/** The longest class latency: the run fault `latencyMs`'s own bound. */
export const CLASS_LATENCY_MAX_MS = 10_000;

function refuse(message: string, body: unknown): never {
  throw new ApiError(400, 'INVALID_FAULT', `${message}; received ${describeValue(body)}`);
}

/**
 * Checks a class fault's body: `{ fault: "drop", mode?: "abrupt" | "clean" }`, `{ fault:
 * "restart" }`, `{ fault: "latency", ms }`, `{ fault: "refuseReconnects", status?, count? }` or
 * `{ fault: "clear" }`. Throws 400 INVALID_FAULT (the run faults' code) naming what was received and what is allowed;
 * the ranges are the run faults' own (INVALID_FAULT's messages).
 */
export function checkClassFault(body: unknown): ClassFault {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) refuse(`the body must be a JSON object { "fault": ${CLASS_FAULTS.map((f) => `"${f}"`).join(' | ')}, ... }`, body);
  const { fault, ...params } = body as Record<string, unknown>;
  const keys = Object.keys(params);
  const only = (allowed: string[]) => {
    const extra = keys.filter((key) => !allowed.includes(key));
    if (extra.length > 0) refuse(`the class fault "${String(fault)}" takes ${allowed.length === 0 ? 'no other field' : allowed.map((k) => `"${k}"`).join(', ')}, not ${extra.map((k) => `"${k}"`).join(', ')}`, body);
  };
  switch (fault) {
    case 'drop': {
      only(['mode']);
      const mode = params.mode ?? 'abrupt';
      if (mode !== 'abrupt' && mode !== 'clean') refuse('mode must be "abrupt" (the sockets are destroyed) or "clean" (closed as each technique closes)', params.mode);
      return { fault, mode };
    }
    case 'restart':
    case 'clear':
      only([]);
      return { fault };
    case 'latency': {
      only(['ms']);
      const ms = params.ms;
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > CLASS_LATENCY_MAX_MS) {
        refuse(`ms must be an integer from 1 to ${CLASS_LATENCY_MAX_MS} (the run fault latencyMs's range; the class fault "clear" switches it off)`, ms);
      }
      return { fault, ms };
    }
    case 'refuseReconnects': {
      only(['status', 'count']);
      const value = { status: params.status ?? CLASS_REFUSE_DEFAULT.status, count: params.count ?? CLASS_REFUSE_DEFAULT.count };
      const refusal = applyFaults(NO_FAULTS, { refuseReconnects: value }).refuseReconnects as NonNullable<Faults['refuseReconnects']>;
      return { fault, ...refusal };
    }
    default:
      return refuse(`fault must be one of ${CLASS_FAULTS.map((f) => `"${f}"`).join(', ')}`, fault);
  }
}

/** Applies a class fault to every live run of this server, through the run fault machinery. */
export function applyClassFault(ctx: ServerContext, fault: ClassFault): ClassFaultResult {
  const runs: Run[] = [...ctx.runs.registry.live()];
  let connections = 0;
  let reached = 0;
  for (const run of runs) {
    switch (fault.fault) {
      case 'drop': {
        const cut = ctx.runs.drop(run, fault.mode);
        connections += cut;
        // A run with nothing open has nothing to drop: it is not counted as reached.
        if (cut > 0) reached += 1;
        continue;
      }
      case 'restart':
        connections += run.connections.size;
        ctx.runs.setFaults(run, { ...run.faults, restart: true });
        break;
      case 'latency':
        ctx.runs.setFaults(run, { ...run.faults, latencyMs: fault.ms });
        break;
      case 'refuseReconnects':
        ctx.runs.setFaults(run, { ...run.faults, refuseReconnects: { status: fault.status, count: fault.count } });
        break;
      case 'clear':
        ctx.runs.setFaults(run, { ...NO_FAULTS });
        break;
    }
    reached += 1;
  }
  return { runs: reached, connections };
}

/** The router mounted at /api/workshop/instructor/faults, behind the instructor's token. */
export function createClassFaultRoutes(ctx: ServerContext, workshop: Workshop, readBody: (req: express.Request, res: express.Response) => Promise<unknown>): express.Router {
  const router = express.Router();
  router.post('/', async (req, res) => {
    const fault = checkClassFault(await readBody(req, res));
    const result = applyClassFault(ctx, fault);
    const at = Date.now();
    const id = workshop.broadcast('fault', { ...fault, at, runs: result.runs });
    res.json({ fault, at, id, ...result });
  });
  return router;
}
