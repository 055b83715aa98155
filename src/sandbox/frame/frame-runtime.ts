/**
 * The instrumentation that runs inside the sandbox frame, before the snippet. It is serialized
 * with `String(frameRuntime)` into the frame's document, so it must be self-contained: it may
 * use only its parameters and the frame's globals.
 *
 * It wraps console, fetch, XMLHttpRequest, EventSource, WebSocket and the timers without
 * changing what they do, and reports what it sees to the host page over a MessagePort, with the
 * run's token. When the host says "go" with the run id the server issued (POST /api/runs), it
 * runs the snippet as a module script (top-level await works) named `your-code.js` in stacks,
 * and reports when its top level has ended.
 *
 * The server serves a sandbox frame (Origin: null) only with a live run, so the wrappers add
 * `run=<id>` to every URL of the snippet (fetch, XMLHttpRequest, EventSource, WebSocket and
 * WebSocketStream) that goes to the API server: same host and port, over http(s) or ws(s),
 * path under /api/ (src/sandbox/frame/run-url.ts). The code the reader sees stays as the lesson wrote
 * it, and what the snippet reads back (`res.url`, `xhr.responseURL`, `es.url`, `ws.url`) is
 * shown without the parameter. What still differs from a run without it: those URLs are
 * absolute (as the browser makes them anyway), a trailing empty `?` is lost, a Request passed
 * to fetch is sent as a copy with the new URL (its body read first), and DevTools, resource
 * timing and the browser's own console messages show the real URL, run= included. The wire
 * view shows URLs as the reader wrote them (without run=) and counts the parameter's bytes in
 * its head estimates, because they are sent.
 */
import type { FrameItem, HostMessage, WireEvent, WireKind } from '../protocol.ts';

export interface FrameConfig {
  token: string;
  code: string;
}

/** The name the reader's code goes by in stacks and error positions (its `//# sourceURL`). */
export const SNIPPET_SOURCE_NAME = 'your-code.js';
/**
 * Chromium's request headers a page cannot see, typical size: Connection, Accept,
 * Accept-Encoding, Accept-Language, Origin, Sec-Fetch-Site/Mode/Dest and sec-ch-ua*.
 */
export const BROWSER_REQUEST_HEADERS_B = 340;
/**
 * Response headers a cross-origin frame cannot read, typical size: Access-Control-Allow-Origin,
 * Access-Control-Expose-Headers, Vary, Date, Connection and Keep-Alive (183 B on the companion
 * server's poll answer, measured).
 */
export const HIDDEN_RESPONSE_HEADERS_B = 180;

export function frameRuntime(
  config: FrameConfig,
  formatValue: (value: unknown, top?: boolean) => string,
  runUrls: typeof import('./run-url.ts').runUrls,
  sizes: { source: string; browserRequestHeaders: number; hiddenResponseHeaders: number },
): void {
  const parentWindow = window.parent;
  const clock = () => performance.timeOrigin + performance.now();
  const encoder = new TextEncoder();
  const PREVIEW = 160;
  let nextId = 0;

  type Item = FrameItem extends infer T ? (T extends { t: number } ? Omit<T, 't'> : never) : never;
  // Everything goes to the host over a MessagePort: window.postMessage to another process is
  // forwarded in a later task, so a line logged just before a busy loop would never arrive;
  // a port's message leaves at once. Until the host holds the port, items wait here.
  const channel = new MessageChannel();
  let port: MessagePort | undefined;
  const early: FrameItem[] = [];
  function send(item: Item): void {
    const stamped = { ...item, t: clock() } as FrameItem;
    if (port) port.postMessage({ token: config.token, batch: [stamped] });
    else early.push(stamped);
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
  function isAbort(error: unknown): boolean {
    return error instanceof DOMException && error.name === 'AbortError';
  }

  // The run's URLs come with "go"; before it, no snippet code runs, so no URL goes out without run=.
  let urls: ReturnType<typeof runUrls> | undefined;
  /** The URL with `run=<id>` when it goes to the API server (runUrls says which); any other URL as given. */
  function withRun<T>(input: T): T | string {
    return urls?.add(String(input)) ?? input;
  }
  /** A URL as the snippet would see it without the run. */
  function withoutRun(url: string): string {
    return urls ? urls.remove(url) : url;
  }
  /** Makes a URL getter of a native prototype answer without run=. */
  function hideRun(proto: object, name: string): void {
    const get = Object.getOwnPropertyDescriptor(proto, name)?.get;
    if (!get) return;
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: true,
      get(this: unknown) {
        return withoutRun(get.call(this) as string);
      },
    });
  }
  /** An estimate of a request's head: what the snippet set, plus what the browser adds. */
  function requestHead(method: string, url: string, headers?: HeadersInit): number {
    let bytes = sizes.browserRequestHeaders + encoder.encode(`User-Agent: ${navigator.userAgent}\r\n`).byteLength;
    try {
      const u = new URL(url);
      bytes += encoder.encode(`${method} ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`).byteLength;
    } catch {
      bytes += url.length;
    }
    new Headers(headers).forEach((value, name) => {
      bytes += encoder.encode(`${name}: ${value}\r\n`).byteLength;
    });
    return bytes;
  }
  /** An estimate of a response's head: the headers this frame can read, plus those it cannot. */
  function responseHead(status: number, statusText: string, headers: Headers | string): number {
    let bytes = sizes.hiddenResponseHeaders + encoder.encode(`HTTP/1.1 ${status} ${statusText}\r\n\r\n`).byteLength;
    if (typeof headers === 'string') bytes += encoder.encode(headers).byteLength;
    else headers.forEach((value, name) => (bytes += encoder.encode(`${name}: ${value}\r\n`).byteLength));
    return bytes;
  }
  /** Reads `{ "error": { "code", "message" } }` (HTTP) or `{ "type": "error", "code", "message" }` (WebSocket). */
  function apiError(text: string): { code: string; message: string } | undefined {
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown }; type?: unknown; code?: unknown; message?: unknown };
      const error = body.type === 'error' ? body : body.error;
      if (error && typeof error.code === 'string' && typeof error.message === 'string') return { code: error.code, message: error.message };
    } catch {
      // not JSON: not an API error
    }
    return undefined;
  }

  let evaluated = false;
  function markEvaluated(): void {
    if (evaluated) return;
    evaluated = true;
    send({ k: 'evaluated' });
  }

  /**
   * Reports a syntax error in the reader's terms: the reason without Chromium's "Failed to
   * execute 'append' on 'Element': ", and the line and column in the reader's code. When the
   * place is not known, it is found by parsing the code again as the body of an async function
   * in a classic script (never called), whose parse errors come as an event with a position.
   * Code with a top-level import or export is not: those are errors in a function body, so the
   * position found would be theirs; the reason is then shown without a place.
   */
  const APPEND_FAILED = "Failed to execute 'append' on 'Element': ";
  let probing = false;
  function syntaxError(error: SyntaxError, known?: { line: number; column: number }): void {
    if (evaluated) return;
    const reason = error.message.replace(APPEND_FAILED, '');
    let at = known;
    // `import x from`, `import {`, `import '…'`, `export …`, `import.meta`; not `import(…)`.
    const moduleSyntax = /^[ \t]*(?:import(?:[ \t]+[\w$]|[ \t]*[{*'"])|export(?:[ \t]+|[ \t]*[{*]))/m.test(config.code) || /\bimport\s*\.\s*meta\b/.test(config.code);
    if (!at && !moduleSyntax) {
      probing = true;
      const probe = (event: ErrorEvent) => {
        at = { line: event.lineno - 1, column: event.colno };
        event.stopImmediatePropagation();
        event.preventDefault();
      };
      window.addEventListener('error', probe, true);
      const check = document.createElement('script');
      check.textContent = `(async function () {\n${config.code}\n});\n//# sourceURL=${sizes.source}`;
      document.body.append(check);
      check.remove();
      window.removeEventListener('error', probe, true);
      probing = false;
    }
    const lines = config.code.split('\n');
    if (at && at.line > lines.length) at = { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
    if (at && at.line < 1) at = { line: 1, column: 1 };
    send({ k: 'error', text: `SyntaxError: ${reason}`, ...(at && { at }) });
    markEvaluated();
  }

  // Timers the snippet set and that have yet to fire: a run with some is not finished.
  const timers = new Set<number>();
  const nativeSetTimeout = window.setTimeout.bind(window);
  const nativeClearTimeout = window.clearTimeout.bind(window);
  const nativeSetInterval = window.setInterval.bind(window);
  const nativeClearInterval = window.clearInterval.bind(window);
  window.setTimeout = ((handler: TimerHandler, delay?: number, ...args: unknown[]) => {
    if (typeof handler !== 'function') return nativeSetTimeout(handler, delay, ...args);
    const id: number = nativeSetTimeout(
      (...callArgs: unknown[]) => {
        timers.delete(id);
        (handler as (...a: unknown[]) => void)(...callArgs);
      },
      delay,
      ...args,
    );
    timers.add(id);
    return id;
  }) as typeof window.setTimeout;
  window.setInterval = ((handler: TimerHandler, delay?: number, ...args: unknown[]) => {
    const id = nativeSetInterval(handler, delay, ...args);
    timers.add(id);
    return id;
  }) as typeof window.setInterval;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined) timers.delete(id);
    nativeClearTimeout(id);
  }) as typeof window.clearTimeout;
  window.clearInterval = ((id?: number) => {
    if (id !== undefined) timers.delete(id);
    nativeClearInterval(id);
  }) as typeof window.clearInterval;

  // Console: keep the frame's own console working, and copy each call to the host.
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      original(...args);
      send({ k: 'log', level, text: args.map((arg) => formatValue(arg, true)).join(' ') });
    };
  }
  window.addEventListener('error', (event) => {
    if (probing) return;
    const error: unknown = event.error;
    // A parse error of the reader's code: reported for the script's sourceURL with the reader's
    // line and column, or (as Chromium does for a script appended from a message handler) for
    // the runtime's append() call, position unknown: then it is found by parsing again, after
    // this event (no error event is dispatched while one is).
    const parsing = !evaluated && error instanceof SyntaxError;
    if (parsing && (event.filename === sizes.source || event.filename.endsWith(`/${sizes.source}`))) {
      syntaxError(error, { line: event.lineno, column: event.colno });
      return;
    }
    if (parsing && error.message.startsWith(APPEND_FAILED)) {
      nativeSetTimeout(() => syntaxError(error));
      return;
    }
    send({ k: 'error', text: error !== undefined && error !== null ? formatValue(error, true) : event.message });
    // A top-level throw ends the module; after it ended, an error in a callback changes nothing.
    markEvaluated();
  });
  window.addEventListener('unhandledrejection', (event) => {
    send({ k: 'rejection', text: formatValue(event.reason, true) });
  });

  // fetch: the request, its status when the headers arrive, and its body size when it ends.
  const nativeFetch = window.fetch.bind(window);
  /**
   * A Request's URL cannot change: it is sent as a copy with the run's URL. Its body is read
   * first: `new Request(url, request)` would carry it as a stream, an upload Chromium makes only
   * over HTTP/2 ("Failed to fetch" over HTTP/1.1).
   */
  function copyTo(url: string, request: Request): Promise<Request> {
    if (request.body === null) return Promise.resolve(new Request(url, request));
    return request.arrayBuffer().then(
      (body) =>
        new Request(url, {
          method: request.method,
          headers: request.headers,
          body,
          mode: request.mode,
          credentials: request.credentials,
          cache: request.cache,
          redirect: request.redirect,
          referrer: request.referrer,
          referrerPolicy: request.referrerPolicy,
          integrity: request.integrity,
          keepalive: request.keepalive,
          signal: request.signal,
        }),
    );
  }
  hideRun(Response.prototype, 'url');
  window.fetch = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const id = ++nextId;
    const isRequest = input instanceof Request;
    const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
    const url = isRequest ? input.url : absolute(input);
    const sentUrl = withRun(url);
    const headers = init?.headers ?? (isRequest ? input.headers : undefined);
    wire(id, 'fetch', { ev: 'start', method, url, bytesOut: sizeOf(init?.body), headBytes: requestHead(method, sentUrl, headers) });
    const result = sentUrl === url ? nativeFetch(input, init) : isRequest ? copyTo(sentUrl, input).then((copy) => nativeFetch(copy, init)) : nativeFetch(sentUrl, init);
    const failed = (error: unknown) => wire(id, 'fetch', { ev: 'fail', message: message(error), aborted: isAbort(error) });
    result.then(
      (response) => {
        wire(id, 'fetch', { ev: 'response', status: response.status, statusText: response.statusText, headBytes: responseHead(response.status, response.statusText, response.headers) });
        if ((response.headers.get('content-type') ?? '').includes('text/event-stream') || !response.body) {
          if (!response.body) wire(id, 'fetch', { ev: 'end', bytesIn: 0 });
          return;
        }
        response
          .clone()
          .arrayBuffer()
          .then((body) => {
            if (response.status >= 400) {
              const error = apiError(new TextDecoder().decode(body));
              if (error) wire(id, 'fetch', { ev: 'api-error', ...error });
            }
            wire(id, 'fetch', { ev: 'end', bytesIn: body.byteLength });
          }, failed);
      },
      failed,
    );
    return result;
  };

  // XMLHttpRequest: the same, from open/send and the load events.
  const xhrInfo = new WeakMap<XMLHttpRequest, { method: string; url: string; sentUrl: string; headers: Headers }>();
  const nativeOpen = XMLHttpRequest.prototype.open;
  const nativeSend = XMLHttpRequest.prototype.send;
  const nativeSetRequestHeader = XMLHttpRequest.prototype.setRequestHeader;
  XMLHttpRequest.prototype.setRequestHeader = function setRequestHeader(this: XMLHttpRequest, name: string, value: string) {
    try {
      xhrInfo.get(this)?.headers.append(name, value);
    } catch {
      // a header Headers refuses still goes to the native call, which says what is wrong
    }
    return nativeSetRequestHeader.call(this, name, value);
  };
  hideRun(XMLHttpRequest.prototype, 'responseURL');
  XMLHttpRequest.prototype.open = function open(this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
    const sentUrl = withRun(url);
    xhrInfo.set(this, { method: method.toUpperCase(), url: absolute(url), sentUrl: absolute(sentUrl), headers: new Headers() });
    return (nativeOpen as (...args: unknown[]) => void).call(this, method, sentUrl, ...rest);
  } as typeof XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.send = function send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const info = xhrInfo.get(this);
    if (info) {
      const id = ++nextId;
      let aborted = false;
      wire(id, 'xhr', { ev: 'start', method: info.method, url: info.url, bytesOut: sizeOf(body), headBytes: requestHead(info.method, info.sentUrl, info.headers) });
      this.addEventListener('readystatechange', () => {
        if (this.readyState === XMLHttpRequest.HEADERS_RECEIVED) {
          wire(id, 'xhr', { ev: 'response', status: this.status, statusText: this.statusText, headBytes: responseHead(this.status, this.statusText, this.getAllResponseHeaders()) });
        }
      });
      this.addEventListener('abort', () => (aborted = true));
      this.addEventListener('loadend', () => {
        if (this.status === 0) {
          wire(id, 'xhr', { ev: 'fail', message: aborted ? 'AbortError: abort() was called' : 'network error', aborted });
          return;
        }
        const response: unknown = this.responseType === '' || this.responseType === 'text' ? this.responseText : this.response;
        if (this.status >= 400 && typeof response === 'string') {
          const error = apiError(response);
          if (error) wire(id, 'xhr', { ev: 'api-error', ...error });
        }
        wire(id, 'xhr', { ev: 'end', bytesIn: sizeOf(response) });
      });
    }
    return nativeSend.call(this, body);
  };

  const listen = EventTarget.prototype.addEventListener;

  // EventSource: events are observed for every type the snippet listens to, plus the usual ones.
  const NativeEventSource = window.EventSource;
  hideRun(NativeEventSource.prototype, 'url');
  const observers = new WeakMap<EventSource, (type: string) => void>();
  class InstrumentedEventSource extends NativeEventSource {
    #id = ++nextId;
    constructor(url: string | URL, init?: EventSourceInit) {
      const sentUrl = withRun(url);
      super(sentUrl, init);
      const id = this.#id;
      const observed = new Set<string>();
      const observe = (type: string): void => {
        if (observed.has(type)) return;
        observed.add(type);
        listen.call(this, type, (event: Event) => {
          if (type === 'open') wire(id, 'sse', { ev: 'open' });
          else if (type === 'error') {
            // Chromium reports both "reconnecting" and "gave up" as an error event; readyState tells them apart.
            wire(id, 'sse', { ev: 'state', readyState: this.readyState });
            wire(id, 'sse', { ev: 'error' });
            return;
          } else {
            const { data, lastEventId } = event as MessageEvent<string>;
            wire(id, 'sse', { ev: 'event', type, lastEventId, data: preview(String(data)), bytes: encoder.encode(String(data)).byteLength });
          }
          if (type === 'open' || type === 'error') wire(id, 'sse', { ev: 'state', readyState: this.readyState });
        });
      };
      observers.set(this, observe);
      wire(id, 'sse', { ev: 'start', method: 'GET', url: this.url, bytesOut: 0, headBytes: requestHead('GET', absolute(sentUrl), { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' }) });
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
  hideRun(NativeWebSocket.prototype, 'url');
  function framePreview(data: unknown): { bytes: number; preview: string; binary: boolean } {
    if (typeof data === 'string') return { bytes: encoder.encode(data).byteLength, preview: preview(data), binary: false };
    const bytes = sizeOf(data);
    return { bytes, preview: `<binary ${bytes} bytes>`, binary: true };
  }
  class InstrumentedWebSocket extends NativeWebSocket {
    #id = ++nextId;
    constructor(url: string | URL, protocols?: string | string[]) {
      const sentUrl = withRun(url);
      super(sentUrl, protocols);
      const id = this.#id;
      const handshake = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'x'.repeat(24), 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' };
      wire(id, 'ws', { ev: 'start', method: 'GET', url: this.url, bytesOut: 0, headBytes: requestHead('GET', absolute(sentUrl), handshake) });
      listen.call(this, 'open', () => {
        wire(id, 'ws', { ev: 'open', protocol: this.protocol });
        wire(id, 'ws', { ev: 'state', readyState: this.readyState });
      });
      listen.call(this, 'message', (event: Event) => {
        const { data } = event as MessageEvent;
        wire(id, 'ws', { ev: 'frame', dir: 'in', ...framePreview(data) });
        const error = typeof data === 'string' ? apiError(data) : undefined;
        if (error) wire(id, 'ws', { ev: 'api-error', ...error });
      });
      listen.call(this, 'error', () => wire(id, 'ws', { ev: 'error' }));
      listen.call(this, 'close', (event: Event) => {
        const { code, reason, wasClean } = event as CloseEvent;
        wire(id, 'ws', { ev: 'state', readyState: this.readyState });
        wire(id, 'ws', { ev: 'close', code, reason, wasClean });
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (this.readyState === NativeWebSocket.OPEN) wire(this.#id, 'ws', { ev: 'frame', dir: 'out', ...framePreview(data) });
      else if (this.readyState > NativeWebSocket.OPEN) wire(this.#id, 'ws', { ev: 'discarded', bytes: framePreview(data).bytes, readyState: this.readyState });
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

  // WebSocketStream (Chromium only, not in TypeScript's DOM types): not on the wire view, but
  // its URL carries the run too, or the server would refuse its handshake.
  type SocketStreamClass = new (url: string | URL, options?: unknown) => object;
  const globals = window as unknown as Record<string, SocketStreamClass | undefined>;
  const NativeWebSocketStream = globals['WebSocketStream'];
  if (typeof NativeWebSocketStream === 'function') {
    hideRun(NativeWebSocketStream.prototype, 'url');
    globals['WebSocketStream'] = class WebSocketStream extends NativeWebSocketStream {
      constructor(url: string | URL, options?: unknown) {
        super(withRun(url), options);
      }
    };
  }

  // A heartbeat: when it stops, the host knows the snippet is stuck (a busy loop).
  nativeSetInterval(() => send({ k: 'alive', timers: timers.size }), 500);

  // The reader's code as a module script (top-level await works). The last line tells the host
  // the top level ran to its end; the sourceURL names the code in stacks and error positions.
  const doneName = `__rlEvaluated${config.token}`;
  Object.defineProperty(window, doneName, { value: markEvaluated });
  const script = document.createElement('script');
  script.type = 'module';
  script.textContent = `${config.code}\n;window.${doneName}();\n//# sourceURL=${sizes.source}`;
  send({ k: 'ready' });
  // The host answers "go" on the port, with the run id, once it holds both; only then does the reader's code run.
  channel.port1.onmessage = (event: MessageEvent<HostMessage>) => {
    const { data } = event;
    if (typeof data !== 'object' || data === null) return;
    if ('probe' in data && typeof data.probe === 'number') {
      // Through the same connection pool as the snippet's requests, and not shown on the wire.
      const id = data.probe;
      nativeFetch(withRun(absolute('api/health')), { cache: 'no-store' }).then(
        () => send({ k: 'probe', id }),
        () => send({ k: 'probe', id }),
      );
      return;
    }
    if (!('go' in data) || typeof data.run !== 'string' || port) return;
    urls = runUrls(document.baseURI, data.run);
    port = channel.port1;
    port.postMessage({ token: config.token, batch: early.splice(0) });
    try {
      document.body.append(script);
    } catch (error) {
      if (error instanceof SyntaxError) syntaxError(error);
      else throw error;
    }
  };
  parentWindow.postMessage({ token: config.token, batch: [] }, '*', [channel.port2]);
}
