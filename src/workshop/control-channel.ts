/**
 * The attendee's control channel, over the course's own techniques: SSE down and POST up (the
 * default), or one WebSocket both ways. Either way, handlers get the parsed `data` of each
 * control event by name, and `post` sends up: as a frame `{ type, ref, ...body }` when the
 * socket is open and the server handles that type (it lists them in `welcome`), else as
 * `POST /api/workshop/attendees/<id>/<path>`. Switching keeps the handlers, and the WebSocket
 * resumes after the last event id it saw (`?lastEventId=`), as EventSource does with Last-Event-ID.
 */

export type ControlTransport = 'sse' | 'ws';
/** Where the attendee's choice of transport is kept (localStorage). */
export const TRANSPORT_STORAGE_KEY = 'realtime-lab:workshop-transport';

/** The transport the attendee chose, SSE when none. */
export function readTransport(): ControlTransport {
  try {
    return localStorage.getItem(TRANSPORT_STORAGE_KEY) === 'ws' ? 'ws' : 'sse';
  } catch {
    return 'sse';
  }
}

/** What the channel tells the page about its connection. */
export interface ChannelCallbacks {
  /** `welcome` arrived: connected. */
  online(): void;
  /** The connection dropped; it is being opened again. */
  offline(): void;
  /** The channel closed for good (the server restarted and forgot this attendee, or the socket closed): join again, then `open`. */
  lost(): void;
}

type Frame = { id?: number; event?: string; data?: unknown };

export class ControlChannel {
  readonly #attendeeId: string;
  readonly #callbacks: ChannelCallbacks;
  readonly #handlers = new Map<string, ((data: unknown) => void)[]>();
  #transport: ControlTransport;
  #source: EventSource | undefined;
  #socket: WebSocket | undefined;
  /** The id of the last event seen, for the WebSocket's resume. */
  #lastId: string | undefined;
  /** Frame types the server handles, from its welcome over WebSocket. */
  #ups = new Set<string>();
  #ref = 0;
  readonly #acks = new Map<number, { resolve(res: Response): void; reject(error: Error): void }>();

  constructor(attendeeId: string, transport: ControlTransport, callbacks: ChannelCallbacks) {
    this.#attendeeId = attendeeId;
    this.#transport = transport;
    this.#callbacks = callbacks;
  }

  get transport(): ControlTransport {
    return this.#transport;
  }

  /** Calls `handler` with the parsed data of every control event named `event`, whatever the transport. */
  on(event: string, handler: (data: unknown) => void): void {
    if (!this.#handlers.has(event)) {
      this.#handlers.set(event, []);
      if (this.#source) this.#listen(this.#source, event);
    }
    this.#handlers.get(event)?.push(handler);
  }

  #dispatch(event: string, data: unknown): void {
    for (const handler of this.#handlers.get(event) ?? []) handler(data);
  }

  #listen(source: EventSource, event: string): void {
    source.addEventListener(event, (message) => {
      const { data, lastEventId } = message as MessageEvent<string>;
      if (lastEventId) this.#lastId = lastEventId;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        return;
      }
      this.#dispatch(event, parsed);
    });
  }

  /** Opens the channel on the current transport (closing any connection it had). */
  open(): void {
    this.#closeConnection();
    const base = `/api/workshop/attendees/${this.#attendeeId}`;
    if (this.#transport === 'sse') {
      // The browser reconnects by itself, with Last-Event-ID.
      const source = new EventSource(`${base}/control`);
      this.#source = source;
      for (const event of this.#handlers.keys()) this.#listen(source, event);
      source.addEventListener('welcome', () => this.#callbacks.online());
      source.onerror = () => {
        this.#callbacks.offline();
        // A 404 (the server restarted and forgot us) closes the stream for good.
        if (source.readyState === EventSource.CLOSED && this.#source === source) this.#callbacks.lost();
      };
      return;
    }
    const resume = this.#lastId === undefined ? '' : `?lastEventId=${encodeURIComponent(this.#lastId)}`;
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${base}/ws${resume}`);
    this.#socket = socket;
    socket.onmessage = (message) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(message.data)) as Frame;
      } catch {
        return;
      }
      if (typeof frame.event !== 'string') return;
      if (frame.id !== undefined) this.#lastId = String(frame.id);
      if (frame.event === 'ack') return this.#acked(frame.data as { ref: number; status: number; error?: unknown });
      if (frame.event === 'welcome') {
        this.#ups = new Set((frame.data as { ups?: string[] }).ups ?? []);
        this.#callbacks.online();
      }
      this.#dispatch(frame.event, frame.data);
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      for (const ack of this.#acks.values()) ack.reject(new Error('the control socket closed before the server answered'));
      this.#acks.clear();
      this.#callbacks.offline();
      // Whether the server restarted (and forgot us) or the network dropped: join again, then reopen.
      this.#callbacks.lost();
    };
  }

  /** Moves the channel to the other transport, keeping its handlers and where it was. */
  switchTo(transport: ControlTransport): void {
    this.#transport = transport;
    try {
      localStorage.setItem(TRANSPORT_STORAGE_KEY, transport);
    } catch {
      // Kept for this page only.
    }
    this.open();
  }

  /** Sends `body` up: a frame on an open socket when the server handles `path` as a frame type, else a POST. */
  post(path: string, body: unknown): Promise<Response> {
    const socket = this.#socket;
    const plain = typeof body === 'object' && body !== null && !Array.isArray(body) && !('type' in body) && !('ref' in body);
    if (socket?.readyState === WebSocket.OPEN && this.#ups.has(path) && plain) {
      const ref = ++this.#ref;
      socket.send(JSON.stringify({ type: path, ref, ...body }));
      return new Promise((resolve, reject) => this.#acks.set(ref, { resolve, reject }));
    }
    return fetch(`/api/workshop/attendees/${this.#attendeeId}/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** An ack frame, answered as the POST would have been: its status, and the error body if any. */
  #acked(ack: { ref: number; status: number; error?: unknown }): void {
    const waiting = this.#acks.get(ack.ref);
    if (!waiting) return;
    this.#acks.delete(ack.ref);
    const ok = ack.status < 300;
    waiting.resolve(new Response(ok ? null : JSON.stringify({ error: ack.error }), { status: ok ? 204 : ack.status, headers: ok ? {} : { 'Content-Type': 'application/json' } }));
  }

  #closeConnection(): void {
    this.#source?.close();
    this.#source = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
  }
}
