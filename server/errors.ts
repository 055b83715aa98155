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

/** Turns anything thrown into an ApiError; unknown errors become a 500 that hides internals. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(500, 'INTERNAL_ERROR', 'the server failed to handle this request; it has been logged');
}

/** Writes an error in the API's shape, unless the response has already started. */
export function sendError(res: ServerResponse, error: unknown): void {
  const apiError = toApiError(error);
  if (apiError.status >= 500 && !(error instanceof ApiError)) console.error(error);
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
  });
  res.end(body);
}
