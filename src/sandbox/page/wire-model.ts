/**
 * The wire view's model: folds what the run frame reports into lanes, one per connection
 * (one per endpoint for plain HTTP requests, so polling shows as many bars on one lane), and
 * counts requests and bytes for the run. Pure: the host renders it, in the reader's language
 * (every word it writes comes from `say`).
 *
 * What is still open is never counted by hand: `totals.open`, `totals.pending`, `held`, `live`
 * and `httpStreams` are all derived from the requests in flight and the lanes' states.
 */
import type { WireItem } from '../protocol.ts';

export type LaneKind = WireItem['kind'];

export interface WireMark {
  /** Milliseconds since Run. */
  at: number;
  /** For spans (HTTP requests): when it ended, or undefined while pending. */
  until?: number;
  tone: 'out' | 'in' | 'info' | 'error' | 'request';
  text: string;
  /** A second line: an explanation, or the server's own (English) message. */
  note?: string;
  /** The language of `note` when it differs from the page's (the server writes English). */
  noteLang?: string;
  pending?: boolean;
}

/**
 * Each lane kind has its own words: fetch and XHR requests `failed` or were `aborted` (they never
 * retry); an EventSource that lost its connection is `retrying`, or `failed` when it gave up.
 */
export type LaneState = 'pending' | 'connecting' | 'open' | 'retrying' | 'done' | 'closed' | 'failed' | 'aborted';

export interface Lane {
  key: string;
  kind: LaneKind;
  label: string;
  /**
   * What the server's side is matched on (src/sandbox/page/wire-server.ts): `http <METHOD> <path>`
   * for fetch and XHR, `sse <path?query>` and `ws <path?query>` for connections.
   */
  match: string;
  state: LaneState;
  readyState?: number;
  start: number;
  end?: number;
  marks: WireMark[];
  /** Marks dropped from the front to keep the view bounded. */
  dropped: number;
}

export interface WireTotals {
  requests: number;
  /** Body, event data and frame payload bytes: counted exactly. */
  bytesIn: number;
  bytesOut: number;
  /** HTTP heads (estimated) and WebSocket frame headers (counted). */
  headIn: number;
  headOut: number;
  /** WebSockets and EventSources not closed yet. */
  open: number;
  /** HTTP requests still waiting for or reading their response. */
  pending: number;
}

/** Fills a UI string: `key` is under `sandbox.wire.`, values fill its `{{placeholders}}`. */
export type Say = (key: string, values?: Record<string, string | number>) => string;

/** A request still waiting, with no response head yet. */
export interface WaitingRequest {
  lane: Lane;
  mark: WireMark;
  /** Milliseconds since Run when it started. */
  at: number;
  /** A long poll: the server holds it by design, so its wait says nothing about the browser's queue. */
  held: boolean;
}

const MAX_MARKS = 200;
/** Long polls (as shortUrl writes them, on this server or another): held open by the server until a message or the timeout. */
const LONG_POLL_PATH = /(?:^|\/)api\/long-poll\//;
/** WebSocket handshake response: status line, Upgrade, Connection, Sec-WebSocket-Accept. */
const WS_HANDSHAKE_RESPONSE_B = 129;
/** An EventSource's response head, which a page cannot read: the companion server's is 340 B (measured). */
const SSE_RESPONSE_HEAD_B = 340;
const READY_STATE_NAMES: Record<LaneKind, string[]> = {
  sse: ['CONNECTING', 'OPEN', 'CLOSED'],
  ws: ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'],
  fetch: [],
  xhr: [],
};
const LIVE_STATES: ReadonlySet<LaneState> = new Set(['pending', 'connecting', 'open', 'retrying']);

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

/** The size of a WebSocket frame's header (RFC 6455 section 5.2): client frames carry a 4-byte mask. */
export function wsFrameHeaderBytes(payload: number, fromClient: boolean): number {
  // [RFC 6455 5.2] Payload length: 7 bits, or 7+16 bits when 126, or 7+64 bits when 127.
  const length = payload < 126 ? 0 : payload < 65536 ? 2 : 8;
  return 2 + length + (fromClient ? 4 : 0);
}

/** A URL as the reader wrote it (never with the run= the frame adds: see frame-runtime.ts): path and query when it is on the API base, else whole. */
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
  headBytes: number;
}

/** The lanes and totals of one run, fed item by item. */
export class WireModel {
  readonly lanes: Lane[] = [];
  readonly #counts = { requests: 0, bytesIn: 0, bytesOut: 0, headIn: 0, headOut: 0 };
  readonly #byKey = new Map<string, Lane>();
  readonly #requests = new Map<number, Request>();
  readonly #connections = new Map<number, Lane>();
  readonly #t0: number;
  readonly #base: string;
  readonly #say: Say;

  constructor(t0: number, base: string, say: Say) {
    this.#t0 = t0;
    this.#base = base;
    this.#say = say;
  }

  get totals(): WireTotals {
    return { ...this.#counts, open: this.#openConnections().length, pending: this.#requests.size };
  }

  /** What the run holds now: HTTP requests in flight, and WebSockets and EventSources not closed (`totals.pending + totals.open`). */
  get held(): number {
    return this.#requests.size + this.#openConnections().length;
  }

  /** Whether something is still in flight (a pending request, an open or reconnecting connection). */
  get live(): boolean {
    return this.held > 0;
  }

  /**
   * HTTP/1.1 connections this run holds to its server: pending requests and EventSources (a
   * WebSocket has a pool of its own). Browsers open at most six per host.
   */
  get httpStreams(): number {
    return this.streamStarts.length;
  }

  /** When each of `httpStreams` started, in milliseconds since Run: the pool serves them in this order. */
  get streamStarts(): number[] {
    // An EventSource waiting to reconnect (retrying) holds no connection meanwhile.
    const sse = this.lanes.filter((lane) => lane.kind === 'sse' && (lane.state === 'open' || lane.state === 'connecting'));
    return [...[...this.#requests.values()].map(({ mark }) => mark.at), ...sse.map((lane) => lane.start)];
  }

  /** WebSockets and EventSources not closed, a reconnecting EventSource included: from the lanes' states. */
  #openConnections(): Lane[] {
    return this.lanes.filter((lane) => (lane.kind === 'sse' || lane.kind === 'ws') && LIVE_STATES.has(lane.state));
  }

  /** Requests that have had no response head yet. */
  get waiting(): WaitingRequest[] {
    return [...this.#requests.values()]
      .filter((request) => request.status === undefined)
      .map(({ lane, mark, url }) => ({ lane, mark, at: mark.at, held: LONG_POLL_PATH.test(url) }));
  }

  add(item: WireItem): void {
    const at = Math.max(0, item.t - this.#t0);
    if (item.kind === 'fetch' || item.kind === 'xhr') this.#http(item, at);
    else this.#connection(item, at);
  }

  /** The run was stopped: whatever was open is closed with the frame. */
  stop(now: number): void {
    const at = Math.max(0, now - this.#t0);
    const text = this.#say('stopped');
    for (const lane of this.lanes) {
      if (!LIVE_STATES.has(lane.state)) continue;
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
    this.#requests.clear();
  }

  #lane(key: string, kind: LaneKind, label: string, match: string, at: number, state: LaneState): Lane {
    let lane = this.#byKey.get(key);
    if (!lane) {
      lane = { key, kind, label, match, state, start: at, marks: [], dropped: 0 };
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

  /** The server's error in the reader's language, with its own English sentence as a note. */
  #apiError(mark: WireMark, code: string, message: string): void {
    const values = apiErrorValues(message);
    // RATE_LIMITED names its unit in English ("messages", "bytes"): the reader's words for it.
    if (values.unit) values.unit = this.#say(`unit.${values.unit}`);
    const text = this.#say(`api.${code}`, { code, message, ...values });
    const known = text !== `api.${code}` && text.trim() !== '';
    mark.note = `${code}: ${known ? text : message}`;
    if (known && text !== message) {
      mark.note += `\n${this.#say('api.original', { message })}`;
    }
  }

  #http(item: WireItem, at: number): void {
    const say = this.#say;
    if (item.ev === 'start') {
      const short = shortUrl(item.url, this.#base);
      const path = short.split('?')[0] as string;
      const lane = this.#lane(`${item.kind} ${item.method} ${path}`, item.kind, `${item.method} ${path}`, `http ${item.method} ${path}`, at, 'pending');
      lane.state = 'pending';
      delete lane.end;
      this.#counts.requests += 1;
      this.#counts.bytesOut += item.bytesOut;
      this.#counts.headOut += item.headBytes;
      const mark = this.#mark(lane, { at, tone: 'request', text: `${item.method} ${short}`, pending: true });
      this.#requests.set(item.id, { lane, mark, method: item.method, url: short, headBytes: 0 });
      return;
    }
    const request = this.#requests.get(item.id);
    if (!request) return;
    const { lane, mark } = request;
    if (item.ev === 'response') {
      request.status = item.status;
      request.headBytes = item.headBytes;
      this.#counts.headIn += item.headBytes;
      mark.text = `${request.method} ${request.url} → ${item.status}${item.statusText ? ` ${item.statusText}` : ''}`;
      mark.tone = item.status >= 400 || item.status === 0 ? 'error' : 'request';
    } else if (item.ev === 'api-error') {
      this.#apiError(mark, item.code, item.message);
    } else if (item.ev === 'end' || item.ev === 'fail') {
      mark.pending = false;
      mark.until = at;
      let outcome: LaneState = 'done';
      if (item.ev === 'end') {
        this.#counts.bytesIn += item.bytesIn;
        mark.text += ` · ${say('body', { bytes: formatBytes(item.bytesIn) })} · ${say('head', { bytes: formatBytes(request.headBytes) })} · ${formatDuration(at - mark.at)}`;
      } else {
        outcome = item.aborted ? 'aborted' : 'failed';
        mark.tone = item.aborted ? 'info' : 'error';
        mark.text = `${request.method} ${request.url} ✕ ${item.message} · ${formatDuration(at - mark.at)}`;
        mark.note = say(item.aborted ? 'fetch.aborted' : 'fetch.failed');
      }
      this.#requests.delete(item.id);
      if (!lane.marks.some((m) => m.pending)) {
        lane.state = outcome;
        lane.end = at;
      }
    }
  }

  #connection(item: WireItem, at: number): void {
    const say = this.#say;
    const names = READY_STATE_NAMES[item.kind];
    if (item.ev === 'start') {
      const short = shortUrl(item.url, this.#base);
      const lane = this.#lane(`${item.kind} #${item.id}`, item.kind, `${item.kind === 'sse' ? 'EventSource' : 'WebSocket'} ${short}`, `${item.kind} ${short}`, at, 'connecting');
      lane.readyState = 0;
      this.#connections.set(item.id, lane);
      this.#counts.requests += 1;
      this.#counts.headOut += item.headBytes;
      this.#mark(lane, { at, tone: 'out', text: item.kind === 'sse' ? `GET ${short} · ${names[0]}` : `${say('handshake', { url: short })} · ${names[0]}` });
      return;
    }
    const lane = this.#connections.get(item.id);
    if (!lane) return;
    const setState = (readyState: number) => {
      if (lane.readyState === readyState) return;
      lane.readyState = readyState;
      this.#mark(lane, { at, tone: 'info', text: `readyState ${readyState} ${names[readyState] ?? ''}`.trim() });
    };
    switch (item.ev) {
      case 'open':
        if (lane.state === 'retrying') this.#counts.requests += 1; // EventSource reconnected by itself: a new request on the same lane.
        lane.state = 'open';
        this.#counts.headIn += item.kind === 'ws' ? WS_HANDSHAKE_RESPONSE_B : SSE_RESPONSE_HEAD_B;
        this.#mark(lane, { at, tone: 'in', text: item.protocol ? say('open.protocol', { protocol: item.protocol }) : say('open') });
        setState(1);
        break;
      case 'event':
        this.#counts.bytesIn += item.bytes;
        this.#mark(lane, { at, tone: 'in', text: `${item.type}${item.lastEventId ? ` id=${item.lastEventId}` : ''} ${item.data}` });
        break;
      case 'frame':
        if (item.dir === 'in') {
          this.#counts.bytesIn += item.bytes;
          this.#counts.headIn += wsFrameHeaderBytes(item.bytes, false);
        } else {
          this.#counts.bytesOut += item.bytes;
          this.#counts.headOut += wsFrameHeaderBytes(item.bytes, true);
        }
        this.#mark(lane, { at, tone: item.dir, text: `${item.dir === 'in' ? '↓' : '↑'} ${formatBytes(item.bytes)} ${item.preview}` });
        break;
      case 'api-error': {
        const last = lane.marks[lane.marks.length - 1];
        if (last) this.#apiError(last, item.code, item.message);
        break;
      }
      case 'discarded':
        this.#mark(lane, { at, tone: 'error', text: say('discarded', { bytes: formatBytes(item.bytes), state: `${item.readyState} ${names[item.readyState] ?? ''}`.trim() }) });
        break;
      case 'error': {
        const mark = this.#mark(lane, { at, tone: 'error', text: say('error') });
        if (item.kind === 'sse') {
          // [HTML EventSource] On a lost connection the user agent "reestablishes the connection"
          // (readyState CONNECTING); on a bad response it "fails the connection" (CLOSED).
          const gaveUp = lane.readyState === 2;
          mark.note = say(gaveUp ? 'sse.failed' : 'sse.retrying');
          if (gaveUp) {
            lane.state = 'failed';
            lane.end = at;
          } else {
            lane.state = 'retrying';
          }
        } else if (item.kind === 'ws' && lane.state === 'connecting') {
          mark.note = say('ws.failed');
        }
        break;
      }
      case 'closing':
        this.#mark(lane, { at, tone: 'out', text: `close()${item.code !== undefined ? ` code ${item.code}` : ''}${item.reason ? ` "${item.reason}"` : ''}` });
        break;
      case 'close':
        if (lane.state !== 'closed' && lane.state !== 'failed') {
          lane.state = 'closed';
          lane.end = at;
          const text =
            item.code !== undefined ? `${say('close', { code: item.code })}${item.reason ? ` "${item.reason}"` : ''}${item.wasClean === false ? ` ${say('notClean')}` : ''}` : say('closed');
          const mark = this.#mark(lane, { at, tone: 'info', text });
          // 1005 and 1006 are never sent on the wire: the browser reports them (RFC 6455 7.4.1).
          if (item.code === 1005 || item.code === 1006) mark.note = say(`close.${item.code}`);
        }
        break;
      case 'state':
        setState(item.readyState);
        if (item.kind === 'sse' && item.readyState === 2 && lane.state !== 'closed' && lane.state !== 'failed') {
          lane.state = 'closed';
          lane.end = at;
        }
        break;
    }
  }
}

/**
 * The values in one of the API's English error sentences, for a translation to reuse: what was
 * received, the allowed range, a limit's setting name, the endpoint, a retry delay.
 */
export function apiErrorValues(message: string): Record<string, string> {
  const values: Record<string, string> = {};
  const patterns: [RegExp, string[]][] = [
    [/publishing faster than ([\d.]+) (\w+) per second \((\w+)/, ['rate', 'unit', 'setting']],
    [/more than (\d+) levels deep \((\w+)/, ['max', 'setting']],
    [/the (\d+)-byte (?:message|frame) is larger than the most allowed, (\d+) bytes \((\w+)\)/, ['bytes', 'max', 'setting']],
    [/headers are larger than (\d+) bytes \((\w+)\)/, ['max', 'setting']],
    [/\(received since=(.+)\) only after/, ['received']],
    [/charset is (.+?); JSON must be/, ['received']],
    [/does not answer to the host (.+?); it answers/, ['host']],
    [/received (.+)$/, ['received']],
    [/^(\w+) must be an integer from (-?\d+) to (-?\d+) \((\w+)\)/, ['name', 'min', 'max', 'setting']],
    [/the most allowed is (\d+) \((\w+)\)/, ['max', 'setting']],
    [/\(([A-Z][A-Z_]+)\)/, ['setting']],
    [/no (?:API|WebSocket) endpoint at ([^;]+)/, ['endpoint']],
    [/channel "([^"]+)"/, ['channel']],
    [/retry after (\d+) s/, ['seconds']],
    [/origin (\S+)/, ['origin']],
    [/type "([^"]+)" is reserved/, ['received']],
    [/refuseReconnects fault answer(?:s|ed with) (\d{3})/, ['status']],
  ];
  for (const [pattern, names] of patterns) {
    const match = pattern.exec(message);
    if (!match) continue;
    names.forEach((name, index) => {
      values[name] ??= match[index + 1] as string;
    });
  }
  return values;
}
