/**
 * The wire view's model: folds what the run frame reports into lanes, one per connection
 * (one per endpoint for plain HTTP requests, so polling shows as many bars on one lane), and
 * counts requests and bytes for the run. Pure: the host renders it.
 */
import type { WireItem } from '../sandbox/protocol.ts';

export type LaneKind = WireItem['kind'];

export interface WireMark {
  /** Milliseconds since Run. */
  at: number;
  /** For spans (HTTP requests): when it ended, or undefined while pending. */
  until?: number;
  tone: 'out' | 'in' | 'info' | 'error' | 'request';
  text: string;
  pending?: boolean;
}

export interface Lane {
  key: string;
  kind: LaneKind;
  label: string;
  /** `pending` (HTTP awaiting a response), `open`, `connecting`, `done`, `closed`, `error`. */
  state: 'pending' | 'connecting' | 'open' | 'done' | 'closed' | 'error';
  readyState?: number;
  start: number;
  end?: number;
  marks: WireMark[];
  /** Marks dropped from the front to keep the view bounded. */
  dropped: number;
}

export interface WireTotals {
  requests: number;
  bytesIn: number;
  bytesOut: number;
  open: number;
}

const MAX_MARKS = 200;
const READY_STATE_NAMES: Record<LaneKind, string[]> = {
  sse: ['CONNECTING', 'OPEN', 'CLOSED'],
  ws: ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'],
  fetch: [],
  xhr: [],
};

/** Bytes for people: 512 B, 1.2 KB, 3.4 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Durations for people: 12 ms, 1.25 s. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A URL as the reader wrote it: path and query when it is on the API base, else whole. */
export function shortUrl(url: string, base: string): string {
  try {
    const u = new URL(url);
    const b = new URL(base);
    const sameHost = u.host === b.host && (u.protocol === b.protocol || u.protocol === b.protocol.replace('http', 'ws'));
    return sameHost ? `${u.pathname}${u.search}` : url;
  } catch {
    return url;
  }
}

interface Request {
  lane: Lane;
  mark: WireMark;
  method: string;
  url: string;
  status?: number;
}

/** The lanes and totals of one run, fed item by item. */
export class WireModel {
  readonly lanes: Lane[] = [];
  readonly totals: WireTotals = { requests: 0, bytesIn: 0, bytesOut: 0, open: 0 };
  readonly #byKey = new Map<string, Lane>();
  readonly #requests = new Map<number, Request>();
  readonly #connections = new Map<number, Lane>();
  readonly #t0: number;
  readonly #base: string;

  constructor(t0: number, base: string) {
    this.#t0 = t0;
    this.#base = base;
  }

  /** Whether a lane has something still in flight (a pending request, an open connection). */
  get live(): boolean {
    return this.lanes.some((lane) => lane.state === 'pending' || lane.state === 'open' || lane.state === 'connecting');
  }

  add(item: WireItem): void {
    const at = Math.max(0, item.t - this.#t0);
    if (item.kind === 'fetch' || item.kind === 'xhr') this.#http(item, at);
    else this.#connection(item, at);
  }

  /** The run was stopped: whatever was open is closed with the frame. */
  stop(now: number, text: string): void {
    const at = Math.max(0, now - this.#t0);
    for (const lane of this.lanes) {
      if (lane.state === 'done' || lane.state === 'closed' || lane.state === 'error') continue;
      for (const mark of lane.marks) {
        if (mark.pending) {
          mark.pending = false;
          mark.until = at;
          mark.text += ` · ${text}`;
        }
      }
      lane.state = 'closed';
      lane.end = at;
      this.#mark(lane, { at, tone: 'info', text });
    }
    this.totals.open = 0;
  }

  #lane(key: string, kind: LaneKind, label: string, at: number, state: Lane['state']): Lane {
    let lane = this.#byKey.get(key);
    if (!lane) {
      lane = { key, kind, label, state, start: at, marks: [], dropped: 0 };
      this.#byKey.set(key, lane);
      this.lanes.push(lane);
    }
    return lane;
  }

  #mark(lane: Lane, mark: WireMark): WireMark {
    lane.marks.push(mark);
    if (lane.marks.length > MAX_MARKS) {
      // Keep pending spans: they are what the reader is watching.
      const index = lane.marks.findIndex((m) => !m.pending);
      lane.marks.splice(index < 0 ? 0 : index, 1);
      lane.dropped += 1;
    }
    return mark;
  }

  #http(item: WireItem, at: number): void {
    if (item.ev === 'start') {
      const short = shortUrl(item.url, this.#base);
      const path = short.split('?')[0] as string;
      const lane = this.#lane(`${item.kind} ${item.method} ${path}`, item.kind, `${item.method} ${path}`, at, 'pending');
      lane.state = 'pending';
      delete lane.end;
      this.totals.requests += 1;
      this.totals.bytesOut += item.bytesOut;
      const mark = this.#mark(lane, { at, tone: 'request', text: `${item.method} ${short}`, pending: true });
      this.#requests.set(item.id, { lane, mark, method: item.method, url: short });
      return;
    }
    const request = this.#requests.get(item.id);
    if (!request) return;
    const { lane, mark } = request;
    if (item.ev === 'response') {
      request.status = item.status;
      mark.text = `${request.method} ${request.url} → ${item.status}${item.statusText ? ` ${item.statusText}` : ''}`;
      mark.tone = item.status >= 400 || item.status === 0 ? 'error' : 'request';
    } else if (item.ev === 'end' || item.ev === 'fail') {
      mark.pending = false;
      mark.until = at;
      if (item.ev === 'end') {
        this.totals.bytesIn += item.bytesIn;
        mark.text += ` · ${formatBytes(item.bytesIn)} · ${formatDuration(at - mark.at)}`;
      } else {
        mark.tone = 'error';
        mark.text = `${request.method} ${request.url} ✕ ${item.message} · ${formatDuration(at - mark.at)}`;
      }
      this.#requests.delete(item.id);
      const stillPending = lane.marks.some((m) => m.pending);
      if (!stillPending) {
        lane.state = item.ev === 'fail' ? 'error' : 'done';
        lane.end = at;
      }
    }
  }

  #connection(item: WireItem, at: number): void {
    const names = READY_STATE_NAMES[item.kind];
    if (item.ev === 'start') {
      const short = shortUrl(item.url, this.#base);
      const lane = this.#lane(`${item.kind} #${item.id}`, item.kind, `${item.kind === 'sse' ? 'EventSource' : 'WebSocket'} ${short}`, at, 'connecting');
      lane.readyState = 0;
      this.#connections.set(item.id, lane);
      this.totals.requests += 1;
      this.totals.open += 1;
      this.#mark(lane, { at, tone: 'out', text: item.kind === 'sse' ? `GET ${short} · ${names[0]}` : `handshake ${short} · ${names[0]}` });
      return;
    }
    const lane = this.#connections.get(item.id);
    if (!lane) return;
    const wasOpen = lane.state === 'open' || lane.state === 'connecting';
    const setState = (readyState: number) => {
      if (lane.readyState === readyState) return;
      lane.readyState = readyState;
      this.#mark(lane, { at, tone: 'info', text: `readyState ${readyState} ${names[readyState] ?? ''}`.trim() });
    };
    switch (item.ev) {
      case 'open':
        if (lane.state === 'error' && item.kind === 'sse') {
          // EventSource reconnected by itself: a new request on the same lane.
          this.totals.requests += 1;
          this.totals.open += 1;
        }
        lane.state = 'open';
        this.#mark(lane, { at, tone: 'in', text: item.protocol ? `open (protocol ${item.protocol})` : 'open' });
        setState(1);
        break;
      case 'event':
        this.totals.bytesIn += item.bytes;
        this.#mark(lane, { at, tone: 'in', text: `${item.type}${item.lastEventId ? ` id=${item.lastEventId}` : ''} ${item.data}` });
        break;
      case 'frame':
        if (item.dir === 'in') this.totals.bytesIn += item.bytes;
        else this.totals.bytesOut += item.bytes;
        this.#mark(lane, { at, tone: item.dir, text: `${item.dir === 'in' ? '↓' : '↑'} ${formatBytes(item.bytes)} ${item.preview}` });
        break;
      case 'error':
        this.#mark(lane, { at, tone: 'error', text: 'error' });
        if (item.kind === 'sse' && wasOpen) {
          lane.state = 'error';
          this.totals.open = Math.max(0, this.totals.open - 1);
        }
        break;
      case 'closing':
        this.#mark(lane, { at, tone: 'out', text: `close()${item.code !== undefined ? ` code ${item.code}` : ''}${item.reason ? ` "${item.reason}"` : ''}` });
        break;
      case 'close':
        if (lane.state !== 'closed') {
          if (lane.state !== 'error') this.totals.open = Math.max(0, this.totals.open - 1);
          lane.state = 'closed';
          lane.end = at;
          this.#mark(lane, { at, tone: 'info', text: item.code !== undefined ? `close ${item.code}${item.reason ? ` "${item.reason}"` : ''}${item.wasClean === false ? ' (not clean)' : ''}` : 'closed' });
        }
        break;
      case 'state':
        setState(item.readyState);
        if (item.kind === 'sse' && item.readyState === 2 && lane.state !== 'closed') {
          if (lane.state !== 'error') this.totals.open = Math.max(0, this.totals.open - 1);
          lane.state = 'closed';
          lane.end = at;
        }
        break;
    }
  }
}
