/**
 * What the run frame sends the host page: first, by window.postMessage, `{ token, batch: [] }`
 * with a MessagePort; the host takes the port only from the current run's frame
 * (`event.source`) with that run's token, and answers "go" on it with the run id the server
 * issued (POST /api/runs). Then every `{ token, batch:
 * FrameItem[] }` comes over the port, which delivers at once even when the frame's code then
 * spins in a busy loop (a window.postMessage to another process would wait for the next task).
 */

/** Every item carries `t`, epoch milliseconds (performance.timeOrigin + performance.now()). */
export type FrameItem =
  | { k: 'ready'; t: number }
  /** The heartbeat, every 500 ms. timers: the snippet's timeouts and intervals still to fire. */
  | { k: 'alive'; t: number; timers: number }
  /** The answer head of a connection-pool probe the host asked for (`{ probe: id }` on the port). */
  | { k: 'probe'; t: number; id: number }
  /** The snippet's top level ran to its end (after any top-level await). */
  | { k: 'evaluated'; t: number }
  | { k: 'log'; t: number; level: 'log' | 'info' | 'warn' | 'error' | 'debug'; text: string }
  /** An uncaught error; `at` is its place in the reader's code when it is a syntax error. */
  | { k: 'error'; t: number; text: string; at?: { line: number; column: number } }
  | { k: 'rejection'; t: number; text: string }
  | WireItem;

export type WireKind = 'fetch' | 'xhr' | 'sse' | 'ws';

/** One thing seen on the wire, for connection `id` of the run. */
export type WireItem = { k: 'wire'; t: number; id: number; kind: WireKind } & WireEvent;

export type WireEvent =
  /** A request or connection starts. bytesOut: request body bytes, when known. */
  | { ev: 'start'; method: string; url: string; bytesOut: number; headBytes: number }
  /** HTTP response headers arrived. headBytes: an estimate of the status line and headers. */
  | { ev: 'response'; status: number; statusText: string; headBytes: number }
  /** The response was an API error: `{ "error": { "code", "message" } }`. */
  | { ev: 'api-error'; code: string; message: string }
  /** The HTTP response body was read to its end. */
  | { ev: 'end'; bytesIn: number }
  /** The request failed (network error, CORS) or was aborted. */
  | { ev: 'fail'; message: string; aborted: boolean }
  /** EventSource or WebSocket open. */
  | { ev: 'open'; protocol?: string }
  /** An SSE event (type, id, data preview, payload bytes). */
  | { ev: 'event'; type: string; lastEventId: string; data: string; bytes: number }
  /** A WebSocket message: `out` sent by the snippet, `in` received. */
  | { ev: 'frame'; dir: 'in' | 'out'; bytes: number; preview: string; binary: boolean }
  /** send() on a closing or closed WebSocket: the browser discards the data without an error. */
  | { ev: 'discarded'; bytes: number; readyState: number }
  | { ev: 'error' }
  /** The snippet called close(). */
  | { ev: 'closing'; code?: number; reason?: string }
  /** A WebSocket close event, or an EventSource that ended. */
  | { ev: 'close'; code?: number; reason?: string; wasClean?: boolean }
  | { ev: 'state'; readyState: number };

/** What the host sends the frame on its port: "go" (run the code, in this server-issued run), or a probe to answer. */
export type HostMessage = { go: true; run: string } | { probe: number };

/** The message envelope the frame posts. */
export interface FrameBatch {
  token: string;
  batch: FrameItem[];
}
