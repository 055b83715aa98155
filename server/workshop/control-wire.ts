/**
 * The control channel's own wire view: what the server wrote down the attendees' control
 * channels (each broadcast's bytes once, as SSE text and as a WebSocket frame, with how many
 * streams and sockets got it) and what came up (POST heads and bodies, WebSocket frames). The
 * instructor's dashboard shows it live (`event: wire` on the instructor events stream), so the
 * instructor can show the room its own traffic. The last WORKSHOP_WIRE_ENTRIES are kept for a
 * dashboard that opens later. Nothing here ever holds the token or a cookie: attendees' requests
 * carry neither, and only a few named headers of theirs are kept.
 */

/** The longest text of one entry, in characters; the rest is cut, and the entry says how much. */
export const WIRE_TEXT_MAX_CHARS = 2048;

/** Handles an up-message from an attendee (`body`: the frame without `type` and `ref`, or a POST's JSON body). Throws an ApiError to refuse it. */
export type UpHandler = (attendeeId: string, body: unknown) => void;

/** One line of the wire view. */
export type WireEntry =
  | { seq: number; at: number; direction: 'down'; id: number; event: string; sse: string; ws: string; streams: number; sockets: number }
  | { seq: number; at: number; direction: 'up'; transport: 'post' | 'ws'; attendee: string | null; head: string; body: string };

/** `text`, cut at WIRE_TEXT_MAX_CHARS with a note of how much was left out. */
export function wireText(text: string): string {
  return text.length <= WIRE_TEXT_MAX_CHARS ? text : `${text.slice(0, WIRE_TEXT_MAX_CHARS)}… (${text.length - WIRE_TEXT_MAX_CHARS} more characters)`;
}

/** The request headers an up-POST shows on the wire view: never Cookie, never Authorization. */
export const WIRE_HEADERS = ['content-type', 'content-length'] as const;

/** The wire view's entries, bounded, each told to the instructors as it happens. */
export class ControlWire {
  readonly #max: number;
  /** Writes SSE text to every instructor page's event stream. */
  readonly #write: (text: string) => void;
  /** The last entries as SSE text, to send a dashboard that opens later. */
  readonly #recent: string[] = [];
  #seq = 0;

  constructor(maxEntries: number, write: (text: string) => void) {
    this.#max = maxEntries;
    this.#write = write;
  }

  /** A broadcast, as written to the attendees. */
  down(entry: { id: number; event: string; sse: string; ws: string; streams: number; sockets: number }): void {
    this.#add({ seq: 0, at: Date.now(), direction: 'down', ...entry });
  }

  /** An up-message: a POST (head and body) or a WebSocket frame. */
  up(entry: { transport: 'post' | 'ws'; attendee: string | undefined; head: string; body: string }): void {
    this.#add({ seq: 0, at: Date.now(), direction: 'up', transport: entry.transport, attendee: entry.attendee ?? null, head: wireText(entry.head), body: wireText(entry.body) });
  }

  #add(entry: WireEntry): void {
    entry.seq = ++this.#seq;
    const text = `event: wire\ndata: ${JSON.stringify(entry)}\n\n`;
    this.#recent.push(text);
    if (this.#recent.length > this.#max) this.#recent.shift();
    this.#write(text);
  }

  /** The kept entries, oldest first, as `event: wire` SSE text. */
  recent(): readonly string[] {
    return this.#recent;
  }
}
