/**
 * The instrumentation that runs inside the sandbox frame, before the snippet. It is serialized
 * with `String(frameRuntime)` into the frame's document, so it must be self-contained: it may
 * use only its parameters and the frame's globals.
 *
 * It wraps console, fetch, XMLHttpRequest, EventSource and WebSocket without changing what they
 * do, and posts what it sees to the host page with the run's token. Then it runs the snippet as
 * a module script, so top-level await works.
 */
import type { FrameItem, WireEvent, WireKind } from './protocol.ts';

export interface FrameConfig {
  token: string;
  code: string;
}

export function frameRuntime(config: FrameConfig, formatValue: (value: unknown, top?: boolean) => string): void {
  const parentWindow = window.parent;
  const clock = () => performance.timeOrigin + performance.now();
  const encoder = new TextEncoder();
  const PREVIEW = 160;
  let nextId = 0;

  type Item = FrameItem extends infer T ? (T extends { t: number } ? Omit<T, 't'> : never) : never;
  function send(item: Item): void {
    const stamped = { ...item, t: clock() } as FrameItem;
    parentWindow.postMessage({ token: config.token, batch: [stamped] }, '*');
  }
  function wire(id: number, kind: WireKind, event: WireEvent): void {
    send({ k: 'wire', id, kind, ...event } as Item);
  }
  function preview(text: string): string {
    const flat = text.replace(/\s+/g, ' ');
    return flat.length > PREVIEW ? `${flat.slice(0, PREVIEW)}…` : flat;
  }
  function sizeOf(body: unknown): number {
    if (body === null || body === undefined) return 0;
    if (typeof body === 'string') return encoder.encode(body).byteLength;
    if (body instanceof ArrayBuffer) return body.byteLength;
    if (ArrayBuffer.isView(body)) return body.byteLength;
    if (body instanceof Blob) return body.size;
    if (body instanceof URLSearchParams) return encoder.encode(body.toString()).byteLength;
    return 0;
  }
  function absolute(url: string | URL): string {
    try {
      return new URL(url, document.baseURI).href;
    } catch {
      return String(url);
    }
  }
  function message(error: unknown): string {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }

  // Console: keep the frame's own console working, and copy each call to the host.
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      original(...args);
      send({ k: 'log', level, text: args.map((arg) => formatValue(arg, true)).join(' ') });
    };
  }
  window.addEventListener('error', (event) => {
    send({ k: 'error', text: event.error !== undefined && event.error !== null ? formatValue(event.error, true) : event.message });
  });
  window.addEventListener('unhandledrejection', (event) => {
    send({ k: 'rejection', text: formatValue(event.reason, true) });
  });

  // fetch: the request, its status when the headers arrive, and its body size when it ends.
  const nativeFetch = window.fetch.bind(window);
  window.fetch = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const id = ++nextId;
    const isRequest = input instanceof Request;
    const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
    const url = isRequest ? input.url : absolute(input);
    wire(id, 'fetch', { ev: 'start', method, url, bytesOut: sizeOf(init?.body) });
    const result = nativeFetch(input, init);
    result.then(
      (response) => {
        wire(id, 'fetch', { ev: 'response', status: response.status, statusText: response.statusText });
        if ((response.headers.get('content-type') ?? '').includes('text/event-stream') || !response.body) {
          if (!response.body) wire(id, 'fetch', { ev: 'end', bytesIn: 0 });
          return;
        }
        response
          .clone()
          .arrayBuffer()
          .then(
            (body) => wire(id, 'fetch', { ev: 'end', bytesIn: body.byteLength }),
            (error: unknown) => wire(id, 'fetch', { ev: 'fail', message: message(error) }),
          );
      },
      (error: unknown) => wire(id, 'fetch', { ev: 'fail', message: message(error) }),
    );
    return result;
  };

  // XMLHttpRequest: the same, from open/send and the load events.
  const xhrInfo = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
  const nativeOpen = XMLHttpRequest.prototype.open;
  const nativeSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function open(this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
    xhrInfo.set(this, { method: method.toUpperCase(), url: absolute(url) });
    return (nativeOpen as (...args: unknown[]) => void).call(this, method, url, ...rest);
  } as typeof XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.send = function send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const info = xhrInfo.get(this);
    if (info) {
      const id = ++nextId;
      wire(id, 'xhr', { ev: 'start', method: info.method, url: info.url, bytesOut: sizeOf(body) });
      this.addEventListener('readystatechange', () => {
        if (this.readyState === XMLHttpRequest.HEADERS_RECEIVED) wire(id, 'xhr', { ev: 'response', status: this.status, statusText: this.statusText });
      });
      this.addEventListener('loadend', () => {
        if (this.status === 0) {
          wire(id, 'xhr', { ev: 'fail', message: 'network error' });
          return;
        }
        const response: unknown = this.responseType === '' || this.responseType === 'text' ? this.responseText : this.response;
        wire(id, 'xhr', { ev: 'end', bytesIn: sizeOf(response) });
      });
    }
    return nativeSend.call(this, body);
  };

  const listen = EventTarget.prototype.addEventListener;

  // EventSource: events are observed for every type the snippet listens to, plus the usual ones.
  const NativeEventSource = window.EventSource;
  const observers = new WeakMap<EventSource, (type: string) => void>();
  class InstrumentedEventSource extends NativeEventSource {
    #id = ++nextId;
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      const id = this.#id;
      const observed = new Set<string>();
      const observe = (type: string): void => {
        if (observed.has(type)) return;
        observed.add(type);
        listen.call(this, type, (event: Event) => {
          if (type === 'open') wire(id, 'sse', { ev: 'open' });
          else if (type === 'error') wire(id, 'sse', { ev: 'error' });
          else {
            const { data, lastEventId } = event as MessageEvent<string>;
            wire(id, 'sse', { ev: 'event', type, lastEventId, data: preview(String(data)), bytes: encoder.encode(String(data)).byteLength });
          }
          if (type === 'open' || type === 'error') wire(id, 'sse', { ev: 'state', readyState: this.readyState });
        });
      };
      observers.set(this, observe);
      wire(id, 'sse', { ev: 'start', method: 'GET', url: this.url, bytesOut: 0 });
      for (const type of ['open', 'error', 'message', 'connected', 'gap', 'tick']) observe(type);
    }
    override close(): void {
      const wasClosed = this.readyState === NativeEventSource.CLOSED;
      super.close();
      if (!wasClosed) {
        wire(this.#id, 'sse', { ev: 'closing' });
        wire(this.#id, 'sse', { ev: 'state', readyState: this.readyState });
      }
    }
  }
  InstrumentedEventSource.prototype.addEventListener = function addEventListener(
    this: EventSource,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    observers.get(this)?.(type);
    listen.call(this, type, listener, options);
  } as typeof NativeEventSource.prototype.addEventListener;
  window.EventSource = InstrumentedEventSource as typeof EventSource;

  // WebSocket: the handshake, frames each way with their size, and the close code.
  const NativeWebSocket = window.WebSocket;
  function framePreview(data: unknown): { bytes: number; preview: string; binary: boolean } {
    if (typeof data === 'string') return { bytes: encoder.encode(data).byteLength, preview: preview(data), binary: false };
    const bytes = sizeOf(data);
    return { bytes, preview: `<binary ${bytes} bytes>`, binary: true };
  }
  class InstrumentedWebSocket extends NativeWebSocket {
    #id = ++nextId;
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const id = this.#id;
      wire(id, 'ws', { ev: 'start', method: 'GET', url: this.url, bytesOut: 0 });
      listen.call(this, 'open', () => {
        wire(id, 'ws', { ev: 'open', protocol: this.protocol });
        wire(id, 'ws', { ev: 'state', readyState: this.readyState });
      });
      listen.call(this, 'message', (event: Event) => wire(id, 'ws', { ev: 'frame', dir: 'in', ...framePreview((event as MessageEvent).data) }));
      listen.call(this, 'error', () => wire(id, 'ws', { ev: 'error' }));
      listen.call(this, 'close', (event: Event) => {
        const { code, reason, wasClean } = event as CloseEvent;
        wire(id, 'ws', { ev: 'state', readyState: this.readyState });
        wire(id, 'ws', { ev: 'close', code, reason, wasClean });
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (this.readyState === NativeWebSocket.OPEN) wire(this.#id, 'ws', { ev: 'frame', dir: 'out', ...framePreview(data) });
      super.send(data as string);
    }
    override close(code?: number, reason?: string): void {
      if (this.readyState < NativeWebSocket.CLOSING) {
        wire(this.#id, 'ws', { ev: 'closing', ...(code !== undefined && { code }), ...(reason !== undefined && { reason }) });
      }
      super.close(code, reason);
      wire(this.#id, 'ws', { ev: 'state', readyState: this.readyState });
    }
  }
  window.WebSocket = InstrumentedWebSocket as typeof WebSocket;

  // A heartbeat: when it stops, the host knows the snippet is stuck (a busy loop).
  setInterval(() => send({ k: 'alive' }), 500);

  const script = document.createElement('script');
  script.type = 'module';
  script.textContent = config.code;
  send({ k: 'ready' });
  document.body.append(script);
}
