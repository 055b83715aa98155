/**
 * What the run frame posts to the host page: `{ token, batch: FrameItem[] }`. The host accepts a
 * batch only from the current run's frame (`event.source`) carrying that run's token.
 */

/** Every item carries `t`, epoch milliseconds (performance.timeOrigin + performance.now()). */
export type FrameItem =
  | { k: 'ready'; t: number }
  | { k: 'alive'; t: number }
  | { k: 'log'; t: number; level: 'log' | 'info' | 'warn' | 'error' | 'debug'; text: string }
  | { k: 'error'; t: number; text: string }
  | { k: 'rejection'; t: number; text: string }
  | WireItem;

export type WireKind = 'fetch' | 'xhr' | 'sse' | 'ws';

/** One thing seen on the wire, for connection `id` of the run. */
export type WireItem = { k: 'wire'; t: number; id: number; kind: WireKind } & WireEvent;

export type WireEvent =
  /** A request or connection starts. bytesOut: request body bytes, when known. */
  | { ev: 'start'; method: string; url: string; bytesOut: number }
  /** HTTP response headers arrived. */
  | { ev: 'response'; status: number; statusText: string }
  /** The HTTP response body was read to its end. */
  | { ev: 'end'; bytesIn: number }
  /** The request failed (network error, abort, CORS). */
  | { ev: 'fail'; message: string }
  /** EventSource or WebSocket open. */
  | { ev: 'open'; protocol?: string }
  /** An SSE event (type, id, data preview, payload bytes). */
  | { ev: 'event'; type: string; lastEventId: string; data: string; bytes: number }
  /** A WebSocket message: `out` sent by the snippet, `in` received. */
  | { ev: 'frame'; dir: 'in' | 'out'; bytes: number; preview: string; binary: boolean }
  | { ev: 'error' }
  /** The snippet called close(). */
  | { ev: 'closing'; code?: number; reason?: string }
  /** A WebSocket close event, or an EventSource that ended. */
  | { ev: 'close'; code?: number; reason?: string; wasClean?: boolean }
  | { ev: 'state'; readyState: number };

/** The message envelope the frame posts. */
export interface FrameBatch {
  token: string;
  batch: FrameItem[];
}
