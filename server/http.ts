import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { parse as parseContentType } from 'content-type';
import proxyaddr from 'proxy-addr';
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

/** Whether an address is one of the trusted proxies (TRUST_PROXY), compiled once by proxy-addr. */
export type ProxyTrust = ((address: string, hop: number) => boolean) | undefined;

/** Compiles TRUST_PROXY; `undefined` when it is empty, and X-Forwarded-For is never read. */
export function compileProxyTrust(trustProxy: readonly string[]): ProxyTrust {
  return trustProxy.length > 0 ? proxyaddr.compile([...trustProxy]) : undefined;
}

/**
 * Takes the client address from X-Forwarded-For when the request came from a trusted proxy
 * (TRUST_PROXY). proxy-addr walks the header from the right, past every trusted hop, and stops
 * at the first address it does not trust: a peer that is not a trusted proxy is its own socket
 * address, whatever X-Forwarded-For it sends.
 */
export function trustForwardedFor(req: IncomingMessage, trust: ProxyTrust): void {
  if (trust === undefined || req.headers['x-forwarded-for'] === undefined) return;
  const address = proxyaddr(req, trust);
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

/** Host names that are this machine whatever it is bound to. */
function isLoopbackName(name: string): boolean {
  // [spec] RFC 6761, 6.3: "localhost." and names under it resolve to loopback addresses.
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true;
  return name.startsWith('127.') && net.isIPv4(name);
}

/** The host name of a Host header, lower-cased, without port, brackets or a final dot; undefined if malformed. */
function hostName(host: string): string | undefined {
  let name: string;
  let rest: string;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return undefined;
    name = host.slice(1, end);
    rest = host.slice(end + 1);
  } else {
    const colon = host.indexOf(':');
    name = colon < 0 ? host : host.slice(0, colon);
    rest = colon < 0 ? '' : host.slice(colon);
  }
  // [spec] RFC 9110, 7.2: Host = uri-host [ ":" port ]
  if (rest !== '' && !/^:\d{0,5}$/.test(rest)) return undefined;
  name = name.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  return /^[a-z0-9_.:-]{1,253}$/.test(name) ? name : undefined;
}

/** Host header values already found allowed are remembered, up to this many. */
const MAX_KNOWN_HOSTS = 1000;
/** How often the network addresses may be read again, for a server bound to all of them. */
const INTERFACES_REREAD_MS = 1000;

/**
 * The names the server answers to, against DNS rebinding: a page on evil.example whose name
 * is made to resolve to this machine is same-origin with it in the browser, but its requests
 * still carry `Host: evil.example`. Allowed are loopback names (localhost, *.localhost,
 * 127.0.0.0/8, [::1]), HOST, the machine's network addresses when bound to all of them
 * (0.0.0.0 or ::), and ALLOWED_HOSTS. Other names get 421.
 */
export class HostPolicy {
  /** Host header values (port included) already allowed: the common case is one Set lookup. */
  readonly #known = new Set<string>();
  readonly #names = new Set<string>();
  readonly #suffixes: string[] = [];
  readonly #any: boolean;
  /** Bound to every interface: the machine's network addresses are names it answers to. */
  readonly #everyInterface: boolean;
  #interfacesReadAt = 0;

  constructor(host: string, allowedHosts: readonly string[]) {
    this.#any = allowedHosts.includes('*');
    this.#everyInterface = host === '0.0.0.0' || host === '::' || host === '';
    if (!this.#everyInterface) this.#names.add(host.toLowerCase().replace(/^\[|\]$/g, ''));
    for (const entry of allowedHosts) {
      const name = entry.toLowerCase().replace(/^\[|\]$/g, '');
      if (name.startsWith('.')) this.#suffixes.push(name);
      else this.#names.add(name);
    }
    if (this.#everyInterface) this.#readInterfaces();
  }

  /** Whether the server answers to this Host header. No Host (HTTP/1.0, not a browser) is allowed. */
  allows(host: string | undefined): boolean {
    if (host === undefined || this.#known.has(host)) return true;
    const name = hostName(host);
    if (name === undefined || !this.#allowsName(name)) return false;
    if (this.#known.size < MAX_KNOWN_HOSTS) this.#known.add(host);
    return true;
  }

  /** The 421 for a Host the server does not answer to, with how to allow it. */
  refusal(host: string | undefined): ApiError {
    const name = host === undefined ? undefined : hostName(host);
    const fix = name === undefined ? 'it is not a valid host name' : `to use this name, start the server with ALLOWED_HOSTS=${name.length > 64 ? `${name.slice(0, 61)}...` : name}`;
    return new ApiError(421, 'HOST_NOT_ALLOWED', `this server does not answer to the host ${describeValue(host)}; it answers to localhost, its own addresses and ALLOWED_HOSTS, which keeps other sites out (DNS rebinding); ${fix}`);
  }

  #allowsName(name: string): boolean {
    if (this.#any || isLoopbackName(name) || this.#names.has(name)) return true;
    for (const suffix of this.#suffixes) if (name === suffix.slice(1) || name.endsWith(suffix)) return true;
    // An address not seen before may be a new one (the laptop joined another network).
    if (this.#everyInterface && net.isIP(name) !== 0 && Date.now() - this.#interfacesReadAt >= INTERFACES_REREAD_MS) {
      this.#readInterfaces();
      return this.#names.has(name);
    }
    return false;
  }

  #readInterfaces(): void {
    this.#interfacesReadAt = Date.now();
    for (const addresses of Object.values(os.networkInterfaces())) {
      for (const { address } of addresses ?? []) this.#names.add(address.toLowerCase());
    }
  }
}

/**
 * The origin policy. Poll, long-poll, SSE and publish answer allowed origins with CORS headers
 * and refuse others with 403; so are WebSocket handshakes. The server's own origin is always
 * allowed.
 */
export class OriginPolicy {
  readonly #allowed: ReadonlySet<string>;
  readonly #any: boolean;

  constructor(allowedOrigins: readonly string[]) {
    this.#allowed = new Set(allowedOrigins);
    this.#any = this.#allowed.has('*');
  }

  /**
   * Whether a request with this Origin header may use the API. No Origin (not a browser) is
   * allowed. `Origin: null` (a sandboxed frame, which any website can embed) is allowed only
   * for a request that carries a live run (`withRun`), and only while ALLOWED_ORIGINS lists
   * `null` or `*`.
   */
  allows(req: IncomingMessage, withRun = false): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (origin === 'null') return withRun && (this.#any || this.#allowed.has(origin));
    if (this.#any || this.#allowed.has(origin)) return true;
    const host = req.headers.host;
    return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
  }

  /**
   * Adds CORS headers for an allowed cross-origin request, and says whether it is allowed.
   * Origins listed in ALLOWED_ORIGINS are named back, with credentials; `*` answers `*`,
   * never with credentials, so that it cannot lend a visitor's cookies to any site.
   */
  applyCors(req: IncomingMessage, res: ServerResponse, withRun = false): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (!this.allows(req, withRun)) return false;
    const listed = this.#allowed.has(origin);
    res.setHeader('Access-Control-Allow-Origin', listed || !this.#any ? origin : '*');
    res.setHeader('Vary', 'Origin');
    // Credentials (cookies) make sense only for a named origin, never for the opaque `null`.
    if (origin !== 'null' && (listed || !this.#any)) res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Retry-After');
    return true;
  }

  /** The 403 for a request from an origin that may not use `what`. */
  refusal(req: IncomingMessage, what: string): ApiError {
    if (req.headers.origin === 'null' && (this.#any || this.#allowed.has('null'))) {
      return new ApiError(403, 'ORIGIN_NOT_ALLOWED', `${what} from a sandboxed frame (Origin null) is served only with a live run: the page asks POST /api/runs and the frame adds run=<id> to its API URLs; this request carries none`);
    }
    return new ApiError(403, 'ORIGIN_NOT_ALLOWED', `${what} from origin ${describeValue(req.headers.origin)} is refused; allowed are the server's own origin and ALLOWED_ORIGINS (${[...this.#allowed].join(', ') || 'none'})`);
  }

  /** Answers a CORS preflight. */
  preflight(req: IncomingMessage, res: ServerResponse, withRun = false): void {
    if (this.applyCors(req, res, withRun)) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Last-Event-ID, If-None-Match');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.writeHead(204, { 'X-Content-Type-Options': 'nosniff' }).end();
  }
}

/**
 * Throws a 415 unless Content-Type is JSON in UTF-8. [spec] RFC 8259, 8.1: JSON exchanged
 * between systems "MUST be encoded using UTF-8"; a body declared as UTF-7 or UTF-16 is refused,
 * not decoded. The header is parsed as RFC 9110 says (quoted parameters included), so a
 * `charset=utf-8` inside another parameter's quoted value cannot hide the real charset.
 */
export function checkJsonContentType(header: string | undefined): void {
  let parsed: { type: string; parameters: Record<string, string> };
  try {
    parsed = parseContentType(header ?? '');
  } catch {
    parsed = { type: '', parameters: {} };
  }
  if (parsed.type !== 'application/json') {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json; received ${describeValue(header || undefined)}`);
  }
  const charset = parsed.parameters['charset'];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new ApiError(415, 'UNSUPPORTED_CHARSET', `the body's charset is ${describeValue(charset)}; JSON must be UTF-8: send Content-Type: application/json, or application/json; charset=utf-8`);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a body as UTF-8, the only charset JSON may use; anything else is a 400. */
export function decodeUtf8(body: Uint8Array, what: string): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw new ApiError(400, 'INVALID_BODY', `the ${what} is not valid UTF-8; send JSON encoded as UTF-8`);
  }
}

/** Sends a JSON body that is already serialized. */
export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}
