/**
 * "Ping the room": the instructor sends `ping { id, sentAt }` to every attendee's control
 * channel; each attendee answers at once (`POST /api/workshop/attendees/:id/pong { ping }`, or
 * the frame `{ type: 'pong', ping }` on its control socket), and the server measures each
 * attendee's round trip on its own clock, both ends: from writing the ping to reading the answer.
 * That is a round trip (down the control channel, up a POST or a frame), not a one-way time:
 * the attendees' clocks are not the server's, so no arrival time is guessed from them. The
 * dashboard hears the spread after each answer (`event: ping` on the instructor events stream).
 */
import { performance } from 'node:perf_hooks';
import { ApiError, describeValue } from '../errors.ts';
import type { Workshop } from './presence.ts';

/** What the dashboard shows of one ping: answered of present, and the round trips in ms. */
export interface PingSpread {
  id: number;
  sentAt: number;
  /** Attendees present when it was sent. */
  present: number;
  answered: number;
  /** Each answer's round trip, in ms (0.1 ms steps), smallest first. */
  ms: number[];
  min: number | null;
  median: number | null;
  p90: number | null;
  max: number | null;
}

/** The value at fraction `q` of sorted `values` (nearest rank: the smallest value with at least q of them at or below it). */
export function nearestRank(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  return values[Math.max(0, Math.ceil(q * values.length) - 1)] as number;
}

/** The median of sorted `values`: the middle one, or the mean of the two middle ones. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const mid = values.length >> 1;
  return values.length % 2 ? (values[mid] as number) : Math.round((((values[mid - 1] as number) + (values[mid] as number)) / 2) * 10) / 10;
}

interface Ping {
  id: number;
  sentAt: number;
  /** performance.now() when it was written: round trips are measured on the monotonic clock. */
  sentMono: number;
  present: number;
  answers: Map<string, number>;
}

/** The room's pings: the latest one takes answers for WORKSHOP_PING_WINDOW_MS. */
export class RoomPing {
  readonly #workshop: Workshop;
  readonly #windowMs: number;
  #current: Ping | undefined;
  #seq = 0;

  constructor(workshop: Workshop, windowMs: number) {
    this.#workshop = workshop;
    this.#windowMs = windowMs;
    workshop.onUp('pong', (id, body) => this.answer(id, body));
  }

  /** Sends a new ping to every attendee; earlier pings take no more answers. */
  start(): { id: number; sentAt: number } {
    const ping: Ping = { id: ++this.#seq, sentAt: Date.now(), sentMono: performance.now(), present: this.#workshop.summary().connected, answers: new Map() };
    this.#current = ping;
    this.#workshop.broadcast('ping', { id: ping.id, sentAt: ping.sentAt });
    this.#workshop.tellInstructors('ping', this.spread());
    return { id: ping.id, sentAt: ping.sentAt };
  }

  /** Takes an attendee's answer `{ ping }`; its first answer to the current ping counts, later ones change nothing. */
  answer(attendeeId: string, body: unknown): void {
    const now = performance.now();
    const pingId = (body as { ping?: unknown } | null)?.ping;
    if (!Number.isInteger(pingId) || (pingId as number) < 1) {
      throw new ApiError(400, 'INVALID_PONG', `a pong is { "ping": <the id of the ping it answers, an integer from 1> }; received ${describeValue(body)}`);
    }
    const ping = this.#current;
    if (!ping || ping.id !== pingId || now - ping.sentMono > this.#windowMs) {
      const why = !ping ? 'no ping has been sent' : ping.id !== pingId ? `the latest ping is ${ping.id}` : `it was sent ${Math.round(now - ping.sentMono)} ms ago`;
      throw new ApiError(409, 'PING_CLOSED', `ping ${describeValue(pingId)} takes no answers: ${why}; answers count for WORKSHOP_PING_WINDOW_MS (${this.#windowMs} ms) after the latest ping only`);
    }
    if (ping.answers.has(attendeeId)) return;
    ping.answers.set(attendeeId, Math.round((now - ping.sentMono) * 10) / 10);
    this.#workshop.tellInstructors('ping', this.spread());
  }

  /** The latest ping's spread, or null before the first ping. */
  spread(): PingSpread | null {
    const ping = this.#current;
    if (!ping) return null;
    const ms = [...ping.answers.values()].sort((a, b) => a - b);
    return { id: ping.id, sentAt: ping.sentAt, present: ping.present, answered: ms.length, ms, min: ms[0] ?? null, median: median(ms), p90: nearestRank(ms, 0.9), max: ms.at(-1) ?? null };
  }
}
