/**
 * The server's side of the wire view: folds a run's tap (what the server saw, GET
 * /api/runs/:run/tap) into one connection per server connection, with marks on the browser's
 * clock, and matches each server connection to the browser lane it belongs to. Pure: no DOM,
 * no fetch; every word it writes comes from `say`, as in wire-model.ts.
 */
import type { Direction, TapEvent, TapKind, Technique } from '../../../server/runs/tap.ts';
import type { WsFrame } from '../../../server/runs/ws-frames.ts';
import { formatBytes, type Lane, type Say } from './wire-model.ts';

/** Which way bytes went: `up` from the browser to the server, `down` from the server to the browser. */
export type Way = 'up' | 'down';

/** One thing the server saw on one connection. */
export interface ServerMark {
  seq: number;
  /** Milliseconds since Run, on the browser's clock. */
  at: number;
  kind: TapKind;
  way: Way;
  /** One line: what it was. */
  text: string;
  /** The whole head or chunk as it crossed the wire, when there is more to read than `text`. */
  detail?: string;
  /** Bytes on the wire, headers and frame headers included. */
  bytes: number;
  frame?: WsFrame;
  /** A ping, pong or close frame. */
  control: boolean;
}

/** One connection as the server saw it. */
export interface ServerConnection {
  id: string;
  technique: Technique;
  /** The key it is matched on: see `serverMatchKey`. */
  match: string;
  /** Method and URL as received, without the run= the frame adds. */
  label: string;
  start: number;
  end?: number;
  marks: ServerMark[];
  /** Marks dropped from the front to keep the view bounded. */
  dropped: number;
  bytesUp: number;
  bytesDown: number;
}

/** keepCausal moves the server's side by at most this: past it, the match is wrong, not the clock. */
const MAX_CAUSAL_SHIFT_MS = 250;
/** Marks kept per server connection, as the browser's lanes keep MAX_MARKS. */
const MAX_SERVER_MARKS = 200;
/**
 * How far apart the two clocks may still be after clockOffset: half the round trip of POST
 * /api/runs, and the frame's clock against the page's. A browser lane that ended this little
 * before a server connection started may still be the one that opened it.
 */
const CLOCK_SLACK_MS = 1000;
/** The run parameter the frame puts last in the query of every API URL (src/lib/run-url.ts). */
const RUN_PARAMETER = /[?&]run=[^&#]*$/;

/**
 * The offset of the server's clock from the browser's, in ms (server minus browser), from one
 * request: the server read its clock (`serverNow`, epoch ms) somewhere between `sentAt` and
 * `receivedAt` (the browser's epoch ms); the midpoint is the best guess, off by at most half
 * the round trip.
 */
export function clockOffset(sentAt: number, receivedAt: number, serverNow: number): number {
  return serverNow - (sentAt + receivedAt) / 2;
}

/** A server time (the tap's ISO `time`) on the browser's clock, in epoch ms. */
export function browserTime(serverIso: string, offset: number): number {
  return Date.parse(serverIso) - offset;
}

/** A request head's first line, read: method and target, the target without the run parameter. */
export function requestLine(head: string): { method: string; target: string } {
  const [method = 'GET', target = '/'] = (head.split('\r\n', 1)[0] ?? '').split(' ');
  return { method, target: target.replace(RUN_PARAMETER, '') };
}

/**
 * What a server connection is matched on: `sse <path?query>` for SSE, `ws <path?query>` for
 * WebSocket (the channel and the echo), `http <METHOD> <path>` for everything else (polls, long
 * polls, publishes), which the browser's view puts one lane per method and path.
 */
export function serverMatchKey(technique: Technique, head: string): string {
  const { method, target } = requestLine(head);
  if (technique === 'sse') return `sse ${target}`;
  if (technique === 'ws' || technique === 'echo') return `ws ${target}`;
  return `http ${method} ${target.split('?')[0]}`;
}

/**
 * Which browser lane each server connection belongs to (connection id -> lane key); a
 * connection with none gets a lane of its own. Connections are taken in the order they started
 * on the server, and each goes to a lane with the same match key (`serverMatchKey`):
 *   - HTTP requests: the one lane of that method and path (polling is many requests, one lane);
 *   - SSE and WebSocket: first a lane that has no server connection yet, in the order the lanes
 *     started (the n-th `new EventSource(url)` is the n-th connection to url); else, for SSE,
 *     a lane whose last connection has ended and that the browser had not closed yet (give or
 *     take CLOCK_SLACK_MS): EventSource reconnecting by itself on the same lane. A second
 *     WebSocket needs a lane of its own.
 * Derived anew on every call, so a lane the frame reports after the server's first event is
 * matched on the next render.
 */
export function matchConnections(lanes: readonly Pick<Lane, 'key' | 'match' | 'start' | 'end' | 'kind'>[], connections: readonly ServerConnection[]): Map<string, string> {
  const matched = new Map<string, string>();
  /** Per lane: the server connections matched to it so far. */
  const taken = new Map<string, ServerConnection[]>();
  const ordered = [...connections].sort((a, b) => a.start - b.start);
  for (const connection of ordered) {
    const candidates = lanes.filter((lane) => lane.match === connection.match).sort((a, b) => a.start - b.start);
    let chosen: (typeof candidates)[number] | undefined;
    if (connection.match.startsWith('http ')) chosen = candidates[0];
    else {
      chosen = candidates.find((lane) => !taken.has(lane.key));
      if (!chosen && connection.technique === 'sse') {
        chosen = candidates.find((lane) => {
          const last = taken.get(lane.key)?.at(-1);
          return last?.end !== undefined && last.end <= connection.start && (lane.end === undefined || lane.end + CLOCK_SLACK_MS >= connection.start);
        });
      }
    }
    if (!chosen) continue;
    matched.set(connection.id, chosen.key);
    taken.set(chosen.key, [...(taken.get(chosen.key) ?? []), connection]);
  }
  return matched;
}

/** The fields of an SSE chunk as written, one line: `id: 7 · event: tick · data: {...}`. */
export function sseFields(chunk: string): string {
  return chunk
    .split('\n')
    .filter((line) => line !== '')
    .join(' · ');
}

/** A header's value in a head as received, or undefined. */
export function headerValue(head: string, name: string): string | undefined {
  const match = new RegExp(`^${name}: *(.*?)\\r?$`, 'im').exec(head);
  return match?.[1];
}

/** The server's connections of one run, fed tap event by tap event. */
export class ServerModel {
  readonly connections: ServerConnection[] = [];
  readonly #byId = new Map<string, ServerConnection>();
  readonly #t0: number;
  #offset: number;
  readonly #say: Say;
  #count = 0;

  /** `t0`: when the run started (the browser's epoch ms); `offset`: clockOffset's answer. */
  constructor(t0: number, offset: number, say: Say) {
    this.#t0 = t0;
    this.#offset = offset;
    this.#say = say;
  }

  /** How many tap events were added. */
  get count(): number {
    return this.#count;
  }

  /** Bytes both ways, headers included, as the server counted them. */
  get totals(): { up: number; down: number } {
    let up = 0;
    let down = 0;
    for (const connection of this.connections) {
      up += connection.bytesUp;
      down += connection.bytesDown;
    }
    return { up, down };
  }

  /**
   * Keeps cause before effect: the server cannot receive a connection's request before the
   * browser opened it. When the measured offset puts a matched connection's first event before
   * its lane's start (the clocks still differ by a few ms, see CLOCK_SLACK_MS), the server's side
   * moves later by that much, at most MAX_CAUSAL_SHIFT_MS; answers the shift.
   */
  keepCausal(lanes: readonly Pick<Lane, 'key' | 'start'>[], matched: ReadonlyMap<string, string>): number {
    const starts = new Map(lanes.map((lane) => [lane.key, lane.start]));
    let shift = 0;
    for (const connection of this.connections) {
      const laneStart = starts.get(matched.get(connection.id) ?? '');
      if (laneStart !== undefined) shift = Math.max(shift, laneStart - connection.start);
    }
    shift = Math.min(shift, MAX_CAUSAL_SHIFT_MS);
    if (shift <= 0) return 0;
    this.#offset -= shift;
    for (const connection of this.connections) {
      connection.start += shift;
      if (connection.end !== undefined) connection.end += shift;
      for (const mark of connection.marks) mark.at += shift;
    }
    return shift;
  }

  /** Adds one tap event; answers its mark. */
  add(event: TapEvent): ServerMark {
    this.#count += 1;
    const at = Math.max(0, browserTime(event.time, this.#offset) - this.#t0);
    let connection = this.#byId.get(event.connection);
    if (!connection) {
      const head = event.kind === 'request-head' ? (event.text ?? '') : '';
      const { method, target } = requestLine(head);
      connection = {
        id: event.connection,
        technique: event.technique,
        match: head ? serverMatchKey(event.technique, head) : `${event.technique} #${event.connection}`,
        label: head ? `${method} ${target}` : `${event.technique} #${event.connection}`,
        start: at,
        marks: [],
        dropped: 0,
        bytesUp: 0,
        bytesDown: 0,
      };
      this.#byId.set(event.connection, connection);
      this.connections.push(connection);
    }
    const way = wayOf(event.direction);
    if (way === 'up') connection.bytesUp += event.bytes;
    else connection.bytesDown += event.bytes;
    if (event.kind === 'close') connection.end = at;
    const mark: ServerMark = { seq: event.seq, at, kind: event.kind, way, bytes: event.bytes, control: false, ...this.#describe(event) };
    if (event.frame) {
      mark.frame = event.frame;
      mark.control = event.frame.opcode >= 8;
    }
    connection.marks.push(mark);
    if (connection.marks.length > MAX_SERVER_MARKS) {
      connection.marks.shift();
      connection.dropped += 1;
    }
    return mark;
  }

  #describe(event: TapEvent): { text: string; detail?: string } {
    const say = this.#say;
    const size = formatBytes(event.bytes);
    switch (event.kind) {
      case 'request-head': {
        const head = event.text ?? '';
        const { method, target } = requestLine(head);
        const last = headerValue(head, 'Last-Event-ID');
        const text = `${method} ${target} · ${say('server.head', { bytes: size })}${last !== undefined ? ` · Last-Event-ID: ${last}` : ''}`;
        // The URL as the reader wrote it, as everywhere in the wire view; the bytes count the run= too.
        const [first = '', ...rest] = head.trimEnd().split('\r\n');
        const version = first.split(' ')[2] ?? 'HTTP/1.1';
        return { text, detail: [`${method} ${target} ${version}`, ...rest].join('\r\n') };
      }
      case 'response-head': {
        const head = event.text ?? '';
        return { text: `${head.split('\r\n', 1)[0] ?? ''} · ${say('server.head', { bytes: size })}`, detail: head.trimEnd() };
      }
      case 'sse': {
        const chunk = event.text ?? '';
        return { text: `${sseFields(chunk)} (${size})`, detail: chunk };
      }
      case 'body': {
        const body = event.text ?? '';
        const preview = body.length > 80 ? `${body.slice(0, 80)}…` : body;
        const text = `${say('server.body', { bytes: size })} ${preview}`;
        return body.length > 80 ? { text, detail: body } : { text };
      }
      case 'ws-frame': {
        const frame = event.frame as WsFrame;
        const arrow = event.direction === 'in' ? '↑' : '↓';
        let text = `${arrow} ${frame.opcodeName} · ${formatBytes(frame.payloadLength)}`;
        if (frame.opcode === 8) text += ` · ${frame.closeCode ?? 1005}${frame.closeReason ? ` "${frame.closeReason}"` : ''}`;
        else if (frame.text !== undefined) text += ` ${frame.text.length > 60 ? `${frame.text.slice(0, 60)}…` : frame.text}`;
        if (frame.masked) text += ` · ${say('server.masked')}`;
        return { text };
      }
      case 'hold':
        return { text: say('server.hold') };
      case 'release':
        return { text: say('server.release', { reason: say(`server.release.${event.reason ?? 'message'}`) }) };
      case 'close': {
        const by = say(`server.by.${event.by ?? 'client'}`);
        return { text: event.code === 'abrupt' || event.code === undefined ? say('server.close.abrupt', { by }) : say('server.close', { by, code: event.code }) };
      }
      case 'fault':
        return { text: say('server.fault', { fault: faultName(event.fault ?? '', say) }) };
    }
  }
}

/** The tap's direction (`in`: client to server) as the view's way. */
export function wayOf(direction: Direction): Way {
  return direction === 'in' ? 'up' : 'down';
}

function faultName(fault: string, say: Say): string {
  if (fault === 'drop-abrupt' || fault === 'drop-clean') return say(`server.fault.${fault}`);
  return fault;
}
