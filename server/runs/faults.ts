/**
 * The faults a reader can switch on for one run: `PUT /api/runs/:run/faults` takes any of
 * these fields and answers the faults now in force. They touch only the run's connections.
 */
import { ApiError, describeValue } from '../errors.ts';

/** Statuses a refused reconnect may answer with: what EventSource and a poll loop must survive. */
export const REFUSE_STATUSES = [204, 404, 500, 503] as const;

export interface Faults {
  /** Each delivery to the run is held this long, in order per connection. */
  latencyMs: number;
  /** Up to this much more, at random, on top of latencyMs (never reordering). */
  jitterMs: number;
  /** The run's SSE output is held until this many bytes wait, as a buffering proxy does; 0 is off. */
  proxyBuffering: number;
  /** Each of the run's connections is cut abruptly after this many messages; null is off. */
  dropAfter: number | null;
  /** The run's next `count` poll, long-poll and SSE requests get `status`; null is off. */
  refuseReconnects: { status: (typeof REFUSE_STATUSES)[number]; count: number } | null;
  /** The run is answered as if its channels kept only their last n messages; null is off. */
  historyLimit: number | null;
  /** The run's connections are cut and its older ids answered as from a previous epoch. */
  restart: boolean;
}

/** No faults: what a new run starts with. */
export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  proxyBuffering: 0,
  dropAfter: null,
  refuseReconnects: null,
  historyLimit: null,
  restart: false,
});

/** Each field's range, for the checks and their messages. */
const RANGES = {
  latencyMs: [0, 10_000],
  jitterMs: [0, 10_000],
  proxyBuffering: [0, 65_536],
  dropAfter: [0, 1_000_000],
  count: [1, 1000],
  historyLimit: [0, 1_000_000],
} as const;

const FIELDS = Object.keys(NO_FAULTS) as (keyof Faults)[];

function integerIn(field: string, value: unknown, [min, max]: readonly [number, number], allowNull: boolean): number | null {
  if (value === null && allowNull) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ApiError(400, 'INVALID_FAULT', `${field} must be an integer from ${min} to ${max}${allowNull ? ', or null to switch it off' : ''}; received ${describeValue(value)}`);
  }
  return value;
}

/**
 * The faults in force after a PUT: `current` with the body's fields applied. Throws 400
 * INVALID_FAULT naming the field, the value received and what is allowed.
 */
export function applyFaults(current: Readonly<Faults>, body: unknown): Faults {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'INVALID_FAULT', `the body must be a JSON object with any of ${FIELDS.join(', ')}; received ${describeValue(body)}`);
  }
  const next: Faults = { ...current };
  for (const [field, value] of Object.entries(body)) {
    switch (field) {
      case 'latencyMs':
      case 'jitterMs':
      case 'proxyBuffering':
        next[field] = integerIn(field, value, RANGES[field], false) as number;
        break;
      case 'dropAfter':
      case 'historyLimit':
        next[field] = integerIn(field, value, RANGES[field], true);
        break;
      case 'refuseReconnects': {
        if (value === null) {
          next.refuseReconnects = null;
          break;
        }
        const { status, count, ...rest } = (typeof value === 'object' && value !== null ? value : { status: undefined }) as Record<string, unknown>;
        if (typeof value !== 'object' || value === null || Object.keys(rest).length > 0 || !REFUSE_STATUSES.includes(status as 204)) {
          throw new ApiError(400, 'INVALID_FAULT', `refuseReconnects must be {"status": ${REFUSE_STATUSES.join('|')}, "count": n}, or null to switch it off; received ${describeValue(value)}`);
        }
        next.refuseReconnects = { status: status as (typeof REFUSE_STATUSES)[number], count: integerIn('refuseReconnects.count', count ?? 1, RANGES.count, false) as number };
        break;
      }
      case 'restart':
        if (typeof value !== 'boolean') throw new ApiError(400, 'INVALID_FAULT', `restart must be true or false; received ${describeValue(value)}`);
        next.restart = value;
        break;
      default:
        throw new ApiError(400, 'INVALID_FAULT', `unknown fault ${describeValue(field)}; the faults are ${FIELDS.join(', ')}`);
    }
  }
  return next;
}
