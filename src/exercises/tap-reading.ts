/**
 * What a run's tap says, read into requests and messages: the evidence the checks reason over.
 * Pure: no DOM, no Node APIs, so the page, CI and workshop mode read a tap the same way.
 */
import type { TapEvent, Technique } from '../../server/runs/tap.ts';

/** One message envelope seen in a body, an SSE chunk or a WebSocket frame. */
export interface SeenMessage {
  id: string;
  channel: string;
  type: string;
  /** The tap event that carried it. */
  seq: number;
  at: number;
  connection: string;
}

/** One request (an HTTP request, an SSE stream or a WebSocket) of the run, from its tap events. */
export interface TapRequest {
  connection: string;
  technique: Technique;
  /** The request line's target, without `run=`. */
  url: string;
  path: string;
  query: URLSearchParams;
  channel: string | undefined;
  /** Request headers, lower-case names. */
  headers: Map<string, string>;
  seq: number;
  at: number;
  /** The response's status, when a response head was sent. */
  status?: number;
  responseHeaders: Map<string, string>;
  /** When the connection closed (seq and time), and how. */
  closeSeq?: number;
  closeAt?: number;
  closeCode?: number | 'abrupt';
  closedBy?: 'client' | 'server' | 'fault';
  /** Messages the server sent on it, and that the client sent (WebSocket publishes), in order. */
  delivered: SeenMessage[];
  /** Out and in body texts, SSE chunks and frame texts, in order. */
  events: TapEvent[];
}

// The envelope's first three fields, in the order the server writes them: read by pattern, not
// JSON.parse, because the tap cuts long texts at 2 KiB and a cut page is no longer JSON.
const ENVELOPE = /\{"id":"([^"\\]+)","channel":"([^"\\]+)","type":"([^"\\]+)"/g;

/** A tap event's time in ms since the epoch. */
export function timeOf(event: TapEvent): number {
  return Date.parse(event.time);
}

/** The message envelopes in a text, in order. */
export function envelopesIn(text: string | undefined): { id: string; channel: string; type: string }[] {
  if (!text) return [];
  return [...text.matchAll(ENVELOPE)].map((m) => ({ id: m[1] as string, channel: m[2] as string, type: m[3] as string }));
}

function parseHead(text: string): { line: string; headers: Map<string, string> } {
  const [line = '', ...rest] = text.split('\r\n');
  const headers = new Map<string, string>();
  for (const header of rest) {
    const colon = header.indexOf(':');
    if (colon > 0) headers.set(header.slice(0, colon).trim().toLowerCase(), header.slice(colon + 1).trim());
  }
  return { line, headers };
}

/**
 * Faults that end a connection. The server may still record writes on it between the fault and
 * its close (a message published while the socket is ending): those never reached the client.
 */
const CUTTING_FAULT = /^(dropAfter|drop-abrupt|drop-clean|restart$|held-output)/;

const CHANNEL_OF_PATH = /^\/api\/(?:poll|long-poll|sse|ws|channels)\/([^/?]+)/;

/** The run's requests, in the order they arrived, each with its answer, messages and end. */
export function readRequests(tap: readonly TapEvent[]): TapRequest[] {
  const byConnection = new Map<string, TapRequest>();
  const cut = new Set<string>();
  const order: TapRequest[] = [];
  for (const event of tap) {
    let request = byConnection.get(event.connection);
    if (event.kind === 'request-head' && !request) {
      const { line, headers } = parseHead(event.text ?? '');
      const target = line.split(' ')[1] ?? '/';
      const url = new URL(target, 'http://tap.invalid');
      url.searchParams.delete('run');
      const path = url.pathname;
      request = {
        connection: event.connection,
        technique: event.technique,
        url: `${path}${url.search}`,
        path,
        query: url.searchParams,
        channel: CHANNEL_OF_PATH.exec(path)?.[1],
        headers,
        seq: event.seq,
        at: timeOf(event),
        responseHeaders: new Map(),
        delivered: [],
        events: [],
      };
      byConnection.set(event.connection, request);
      order.push(request);
      continue;
    }
    if (!request) continue;
    request.events.push(event);
    if (event.kind === 'response-head') {
      const { line, headers } = parseHead(event.text ?? '');
      request.status = Number(line.split(' ')[1]);
      request.responseHeaders = headers;
    } else if (event.kind === 'fault' && CUTTING_FAULT.test(event.fault ?? '')) {
      cut.add(event.connection);
    } else if (event.kind === 'close') {
      request.closeSeq = event.seq;
      request.closeAt = timeOf(event);
      if (event.code !== undefined) request.closeCode = event.code;
      if (event.by !== undefined) request.closedBy = event.by;
    } else if (event.kind === 'body' || event.kind === 'sse' || event.kind === 'ws-frame') {
      const text = event.kind === 'ws-frame' ? event.frame?.text : event.text;
      // A WebSocket client's own publish frames carry no envelope; only what the server sends does.
      if (event.direction === 'out' && !cut.has(event.connection)) {
        for (const envelope of envelopesIn(text)) request.delivered.push({ ...envelope, seq: event.seq, at: timeOf(event), connection: event.connection });
      }
    }
  }
  return order;
}

/** The messages the run published over HTTP (`POST .../messages?run=`), as the server answered them. */
export function publishedMessages(requests: readonly TapRequest[], channel: string | undefined): SeenMessage[] {
  return requests
    .filter((request) => request.technique === 'publish' && (channel === undefined || request.channel === channel))
    .flatMap((request) => request.delivered);
}

/** The client's requests (not the check's own publishes) of a technique, on a channel when given. */
export function clientRequests(requests: readonly TapRequest[], technique: Technique | readonly Technique[], channel?: string): TapRequest[] {
  const techniques = typeof technique === 'string' ? [technique] : technique;
  return requests.filter((request) => techniques.includes(request.technique) && (channel === undefined || request.channel === channel));
}

/** The text frames of a WebSocket request in one direction, parsed as JSON when they are. */
export function jsonFrames(request: TapRequest, direction: 'in' | 'out'): { seq: number; at: number; frame: Record<string, unknown> }[] {
  const frames: { seq: number; at: number; frame: Record<string, unknown> }[] = [];
  for (const event of request.events) {
    if (event.kind !== 'ws-frame' || event.direction !== direction || event.frame?.opcode !== 1 || event.frame.text === undefined) continue;
    try {
      const frame = JSON.parse(event.frame.text) as unknown;
      if (typeof frame === 'object' && frame !== null) frames.push({ seq: event.seq, at: timeOf(event), frame: frame as Record<string, unknown> });
    } catch {
      // Not JSON: not a frame of this API's protocol; the checks look only at those.
    }
  }
  return frames;
}

/**
 * How many times each id was logged, by the exercises' output contract: a line that is the id,
 * or one word and the id (`price <id>`, `ack <id>`). Other lines may name ids freely
 * (`asking again from <id>`) without counting.
 */
export function countLogged(lines: readonly { text: string }[], ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const line of lines) {
    const id = /^(?:\S+\s+)?(\S+)$/.exec(line.text.trim())?.[1];
    if (id !== undefined && counts.has(id)) counts.set(id, (counts.get(id) as number) + 1);
  }
  return counts;
}
