import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, describeValue } from './errors.ts';

/** Channel names: lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
export const CHANNEL_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Channels only the server publishes to. */
export const READ_ONLY_CHANNELS: ReadonlySet<string> = new Set(['clock']);

/** Throws a 400 unless `name` is a valid channel name. */
export function checkChannel(name: string): string {
  if (!CHANNEL_PATTERN.test(name)) {
    throw new ApiError(400, 'INVALID_CHANNEL', `channel names are 1 to 64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit; received ${describeValue(safeDecode(name))}`);
  }
  return name;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Client addresses read from X-Forwarded-For, for requests that came through a trusted proxy. */
const forwardedAddresses = new WeakMap<IncomingMessage, string>();

/**
 * Behind `hops` trusted reverse proxies (TRUST_PROXY), takes the client address from
 * X-Forwarded-For: each proxy appends the address it received the request from, so the entry
 * `hops` from the right is the one the nearest untrusted hop cannot forge.
 */
export function trustForwardedFor(req: IncomingMessage, hops: number): void {
  if (hops <= 0) return;
  const header = req.headers['x-forwarded-for'];
  if (typeof header !== 'string') return;
  const addresses = header.split(',').map((part) => part.trim()).filter(Boolean);
  const address = addresses[Math.max(addresses.length - hops, 0)];
  if (address) forwardedAddresses.set(req, address);
}

/** The address a connection comes from, as used for per-address limits. */
export function clientAddress(req: IncomingMessage): string {
  return forwardedAddresses.get(req) ?? req.socket.remoteAddress ?? 'unknown';
}

/** Parses an optional integer query parameter and checks its range. */
export function integerParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number, limitName: string): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) {
    throw new ApiError(400, `INVALID_${name.toUpperCase()}`, `${name} must be an integer from ${min} to ${max} (${limitName}); received ${describeValue(raw)}`);
  }
  return value;
}

/**
 * The origin policy. Poll, long-poll, SSE and publish answer allowed origins with CORS headers;
 * WebSocket handshakes from other origins are refused. The server's own origin is always allowed.
 */
export class OriginPolicy {
  readonly #allowed: ReadonlySet<string>;
  readonly #any: boolean;

  constructor(allowedOrigins: readonly string[]) {
    this.#allowed = new Set(allowedOrigins);
    this.#any = this.#allowed.has('*');
  }

  /** Whether a request with this Origin header may use the API. No Origin (not a browser) is allowed. */
  allows(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined || this.#any || this.#allowed.has(origin)) return true;
    const host = req.headers.host;
    return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
  }

  /** Adds CORS headers for an allowed cross-origin request. */
  applyCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin === undefined || !this.allows(req)) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    // Credentials (cookies) make sense only for a real origin, never for the opaque `null`.
    if (origin !== 'null') res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Retry-After');
  }

  /** Answers a CORS preflight. */
  preflight(req: IncomingMessage, res: ServerResponse): void {
    this.applyCors(req, res);
    if (this.allows(req)) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Last-Event-ID, If-None-Match');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.writeHead(204).end();
  }
}

/** Sends a JSON body that is already serialized. */
export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
