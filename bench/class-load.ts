/**
 * A class on one laptop, simulated: attendees from distinct loopback addresses (127.0.0.2
 * upward: Linux routes all of 127/8 to lo, so per-address limits count each attendee as on a
 * real LAN), each with a sandbox's connections and the control channel, while the instructor
 * sends notices. Used by tests/server/workshop-load.test.ts and `node bench/workshop-class.ts`.
 *
 * Each attendee: joins (PUT), takes a run (POST /api/runs), opens its control stream (SSE), and
 * through the run one SSE stream, one WebSocket and a long-poll loop on one channel. Every
 * request and upgrade's status is counted: a class is "refused nothing" when every answer is
 * 2xx, 101 or 304. A notice's latency is from the instructor's POST to its arrival on each
 * control stream.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

export interface ClassLoadOptions {
  /** `http://127.0.0.1:PORT` */
  url: string;
  token: string;
  attendees: number;
  broadcasts: number;
  /** Running sandboxes per attendee, each a run with its SSE stream, WebSocket and long-poll loop (the capacity: 3). */
  sandboxes?: number;
  /** A channel message between notices, so that every sandbox connection carries traffic too. */
  publishBetween?: boolean;
  /**
   * Send each notice only once the channel message before it has reached every sandbox
   * connection, so the notice's latency is its own, not that of 900 deliveries queued ahead of
   * it in the same process (the test's clients share the server's process and cores).
   */
  settle?: boolean;
  /** Notices sent first and not measured, so that no figure times code still warming up (default 1). */
  warmup?: number;
}

export interface ClassLoadResult {
  /** Every notice's arrival at every attendee, in ms from its POST. */
  latenciesMs: number[];
  /** Answers by HTTP status (101 for accepted upgrades). */
  statuses: Record<number, number>;
  /** Requests answered with anything but 2xx, 101 or 304, or that failed: what and why. */
  refused: string[];
  /** Connections held open at once: control streams, SSE streams, WebSockets and held long polls. */
  connections: number;
  /** Messages the sandbox connections received. */
  sandboxMessages: number;
}

/** The n-th attendee's address: 127.0.0.2, 127.0.0.3, ... 127.0.1.1, ... */
export function attendeeAddress(index: number): string {
  const n = index + 2;
  return `127.0.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** The value at quantile q (0..1) of sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/** Runs the class; resolves once every notice has reached every attendee, or rejects after `timeoutMs`. */
export async function simulateClass(options: ClassLoadOptions, timeoutMs = 30_000): Promise<ClassLoadResult> {
  const base = new URL(options.url);
  const port = Number(base.port);
  const result: ClassLoadResult = { latenciesMs: [], statuses: {}, refused: [], connections: 0, sandboxMessages: 0 };
  const open = new Set<{ destroy(): void }>();
  let stopping = false;
  /** Arrivals of each notice (by event id) per attendee. */
  const arrivals = new Map<number, number[]>();
  let arrived: (() => void) | undefined;
  /** Long polls sent and not yet answered. */
  let longPollsWaiting = 0;

  const count = (status: number, what: string) => {
    result.statuses[status] = (result.statuses[status] ?? 0) + 1;
    if (!(status >= 200 && status < 300) && status !== 101 && status !== 304) result.refused.push(`${what}: ${status}`);
  };

  /** One request from `localAddress`; resolves with status and body (or, for `stream`, once the head arrives). */
  function request(localAddress: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: base.hostname, port, path, method, localAddress, agent: false, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
        count(res.statusCode ?? 0, `${method} ${path.replace(/\?.*/, '')} from ${localAddress}`);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
      open.add(req);
      req.on('close', () => open.delete(req));
    });
  }

  /** An SSE stream from `localAddress`: `onEvent(event, data)` per event; resolves once the head arrived. */
  function stream(localAddress: string, path: string, onEvent: (event: string, data: string, id: string | undefined) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: base.hostname, port, path, localAddress, agent: false }, (res) => {
        count(res.statusCode ?? 0, `GET ${path.replace(/\?.*/, '')} from ${localAddress}`);
        res.setEncoding('utf8');
        let pending = '';
        res.on('data', (chunk: string) => {
          // [spec] A blank line ends an event.
          pending += chunk;
          for (let end; (end = pending.indexOf('\n\n')) >= 0; pending = pending.slice(end + 2)) {
            const block = pending.slice(0, end);
            const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data !== undefined) onEvent(event, data, /^id: (.*)$/m.exec(block)?.[1]);
          }
        });
        res.on('error', () => {});
        resolve();
      });
      req.on('error', (error) => (stopping ? undefined : reject(error)));
      open.add(req);
    });
  }

  async function attendee(index: number): Promise<void> {
    const from = attendeeAddress(index);
    const id = `load-attendee-${String(index).padStart(8, '0')}`;
    await request(from, 'PUT', `/api/workshop/attendees/${id}`, { name: `Attendee ${index + 1}` });
    await stream(from, `/api/workshop/attendees/${id}/control`, (event, _data, eventId) => {
      if (event !== 'notice') return;
      const at = performance.now();
      const noticeId = Number(eventId);
      const list = arrivals.get(noticeId) ?? [];
      list.push(at);
      arrivals.set(noticeId, list);
      arrived?.();
    });
    for (let n = 0; n < (options.sandboxes ?? 1); n++) await sandbox(from);
  }

  /** One running sandbox: a run, and through it an SSE stream, a WebSocket and a long-poll loop. */
  async function sandbox(from: string): Promise<void> {
    const issued = await request(from, 'POST', '/api/runs');
    const run = (JSON.parse(issued.text) as { run: string }).run;
    await stream(from, `/api/sse/class-load?run=${run}`, (event) => {
      if (event === 'message') result.sandboxMessages += 1;
    });
    const ws = new WebSocket(`ws://${base.host}/api/ws/class-load?run=${run}`, { localAddress: from });
    open.add({ destroy: () => ws.terminate() });
    ws.on('upgrade', () => count(101, `WebSocket from ${from}`));
    ws.on('unexpected-response', (_req, res) => count(res.statusCode ?? 0, `WebSocket from ${from}`));
    ws.on('message', (data: Buffer) => {
      if (data.toString().startsWith('{"type":"message')) result.sandboxMessages += 1;
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    // The long-poll loop: asks again at once after each answer, as the lesson's client does.
    void (async () => {
      while (!stopping) {
        longPollsWaiting += 1;
        const answer = await request(from, 'GET', `/api/long-poll/class-load?run=${run}&timeout=20`).catch(() => undefined);
        longPollsWaiting -= 1;
        if (answer?.status === 200) result.sandboxMessages += (JSON.parse(answer.text) as { messages: unknown[] }).messages.length;
      }
    })();
  }

  const deadline = setTimeout(() => {
    stopping = true;
    for (const connection of [...open]) connection.destroy();
    arrived?.();
  }, timeoutMs);
  try {
    await Promise.all(Array.from({ length: options.attendees }, (_, i) => attendee(i)));
    result.connections = options.attendees * (1 + 3 * (options.sandboxes ?? 1));
    const instructor = { Authorization: `Bearer ${options.token}` };
    const warmup = options.warmup ?? 1;
    for (let n = 0; n < warmup + options.broadcasts; n++) {
      if (stopping) throw new Error(`the class did not finish in ${timeoutMs} ms`);
      if (options.publishBetween !== false) {
        await request('127.0.0.1', 'POST', '/api/channels/class-load/messages', { data: { n } });
        const sandboxes = options.attendees * (options.sandboxes ?? 1);
        const expected = sandboxes * 3 * (n + 1);
        while (options.settle && (result.sandboxMessages < expected || longPollsWaiting < sandboxes) && !stopping) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const sent = performance.now();
      const { text } = await request('127.0.0.1', 'POST', '/api/workshop/instructor/notices', { text: `notice ${n + 1} to the whole class` }, instructor);
      const id = (JSON.parse(text) as { notice: { id: number } }).notice.id;
      while ((arrivals.get(id)?.length ?? 0) < options.attendees) {
        if (stopping) throw new Error(`notice ${n + 1} (counting ${warmup} not measured) reached ${arrivals.get(id)?.length ?? 0} of ${options.attendees} attendees in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => (arrived = resolve));
      }
      if (n >= warmup) for (const at of arrivals.get(id) ?? []) result.latenciesMs.push(at - sent);
    }
    return result;
  } finally {
    clearTimeout(deadline);
    stopping = true;
    for (const connection of [...open]) connection.destroy();
  }
}
