import type { ServerResponse } from 'node:http';

/** The one error shape of the API: `{ "error": { "code", "message" } }`, sent with `status`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers, such as Retry-After. */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Shows a received value in an error message: quoted, and cut short when long. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Logs unexpected errors, the real 500s: a stack trace each, up to LOGGED_ERRORS_PER_MIN a
 * minute, then only a count, written when the minute ends. A client that can trigger a bug
 * must not be able to flood the log with it. One per process, as the log it writes to is.
 */
class ServerErrorLog {
  #perMinute = 10;
  #windowStart = 0;
  #logged = 0;
  #suppressed = 0;
  #timer: NodeJS.Timeout | undefined;

  /** Sets how many stack traces a minute are written (createApp passes LOGGED_ERRORS_PER_MIN). */
  configure(perMinute: number): void {
    this.#perMinute = perMinute;
  }

  log(error: unknown): void {
    const now = Date.now();
    if (now - this.#windowStart >= 60_000) {
      this.#flush();
      this.#windowStart = now;
    }
    if (this.#logged < this.#perMinute) {
      this.#logged += 1;
      console.error(error);
      return;
    }
    if (this.#suppressed === 0) {
      console.error(`Realtime Lab: ${this.#perMinute} server errors logged in the last minute (LOGGED_ERRORS_PER_MIN); the next ones are counted, not shown, until the minute ends`);
      this.#timer = setTimeout(() => this.#flush(), this.#windowStart + 60_000 - now).unref();
    }
    this.#suppressed += 1;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    if (this.#suppressed > 0) console.error(`Realtime Lab: ${this.#suppressed} more server errors in that minute were not logged`);
    this.#logged = 0;
    this.#suppressed = 0;
    this.#windowStart = Date.now();
  }
}

/**
 * For a socket's `error` event when its `close` event does the cleaning up: without a listener,
 * an `error` event would throw; with this one, the error is expected and dropped.
 */
export function ignoreError(): void {}

/** The 503 a request gets while the server is stopping. */
export function shuttingDown(): ApiError {
  return new ApiError(503, 'SHUTTING_DOWN', 'the server is shutting down; try again in a moment', { 'Retry-After': '1' });
}

/** The process's log of unexpected errors. */
export const serverErrors = new ServerErrorLog();

/** Errors that a client's bad input raises inside the libraries: a 4xx, with nothing to log. */
function clientError(error: unknown): ApiError | undefined {
  // A malformed %-escape in the path, from Express's router or our own decoding.
  if (error instanceof URIError) {
    return new ApiError(400, 'INVALID_PATH', 'the path has a malformed %-escape: a "%" must start a %XX escape of UTF-8 bytes (write "%" itself as %25)');
  }
  // http-errors, as Express, body-parser and send throw them: `status` 4xx, `expose` for a message meant for the client.
  const { status, statusCode, expose, message } = (error ?? {}) as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code === 'number' && code >= 400 && code < 500) {
    return new ApiError(code, 'BAD_REQUEST', expose === true && typeof message === 'string' ? message : 'the request could not be handled as sent');
  }
  return undefined;
}

/**
 * Turns anything thrown into an ApiError. Client errors from libraries keep their 4xx; unknown
 * errors become a 500 that hides internals, and are logged (rate-limited).
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const fromClient = clientError(error);
  if (fromClient) return fromClient;
  serverErrors.log(error);
  return new ApiError(500, 'INTERNAL_ERROR', 'the server failed to handle this request; it has been logged');
}

/** Writes an error in the API's shape, unless the response has already started. */
export function sendError(res: ServerResponse, error: unknown): void {
  const apiError = toApiError(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(apiError.toJSON());
  res.writeHead(apiError.status, {
    ...apiError.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}
