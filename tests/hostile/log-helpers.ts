/**
 * Helpers for the hostile-input cases against the channel log and the publish path: requests
 * from a chosen loopback address (so per-address limits apply as on a LAN), and a well-behaved
 * reader that runs alongside every case and checks that it lost and doubled nothing.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { WebSocket } from 'ws';
import type { TestServer } from '../server/helpers.ts';
import { request as rawRequest, type RawOptions } from './edge-helpers.ts';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

/** One HTTP request from `localAddress` (127.0.0.1 unless said), resolved with the whole answer. */
export async function request(url: string, options: RawOptions = {}): Promise<Answer> {
  const { origin, pathname, search } = new URL(url);
  const { status, headers, body } = await rawRequest(origin, `${pathname}${search}`, { timeoutMs: 10_000, ...options });
  return { status, headers, text: body, json: () => JSON.parse(body) };
}

/** Publishes `data` over HTTP, as `{ data }`. */
export function post(server: TestServer, channel: string, data: unknown, localAddress = '127.0.0.1'): Promise<Answer> {
  return postRaw(server, channel, JSON.stringify({ data }), localAddress);
}

/** Sends `body` as it is to the publish endpoint. */
export function postRaw(server: TestServer, channel: string, body: string, localAddress = '127.0.0.1', headers: Record<string, string> = {}): Promise<Answer> {
  return request(`${server.url}/api/channels/${channel}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    localAddress,
  });
}

/** Asserts an answer in the API's error shape, with this status and code. */
export function assertError(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.text.slice(0, 300));
  assert.equal(answer.json().error.code, code, answer.text.slice(0, 300));
}

/** Asserts that the server answers a health check, from another address, within `boundMs`. */
export async function assertAnswers(server: TestServer, boundMs = 1000): Promise<void> {
  const started = Date.now();
  const answer = await request(`${server.url}/api/health`, { localAddress: '127.0.0.250', timeoutMs: boundMs });
  assert.equal(answer.status, 200);
  assert.ok(Date.now() - started <= boundMs, `health answered in ${Date.now() - started} ms`);
}

/** `[{},{},...]` JSON of about `bytes` bytes: the shape that costs the heap most per byte once parsed. */
export function objectArray(bytes: number): string {
  return `[${Array.from({ length: Math.max(1, Math.floor(bytes / 3)) }, () => '{}').join(',')}]`;
}

/** Brackets nested `depth` deep around a number. */
export function nested(depth: number, open = '[', close = ']'): string {
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

/**
 * A well-behaved WebSocket reader on the `watch` channel, from its own address. `check()`
 * publishes a probe from another address and waits for it: every message must arrive once,
 * in order, with no gap, within `boundMs`.
 */
export class Watcher {
  readonly ids: string[] = [];
  readonly probes: number[] = [];
  gaps = 0;
  errors: string[] = [];
  #ws: WebSocket | undefined;
  #next = 0;
  #wake: (() => void) | undefined;

  async open(server: TestServer): Promise<this> {
    const ws = new WebSocket(server.ws('/api/ws/watch'), { localAddress: '127.0.0.251' });
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'message') {
        this.ids.push(frame.message.id);
        this.probes.push(frame.message.data.probe);
      } else if (frame.type === 'gap') this.gaps += 1;
      else if (frame.type === 'error') this.errors.push(frame.code);
      this.#wake?.();
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    return this;
  }

  async check(server: TestServer, boundMs = 2000): Promise<void> {
    const probe = ++this.#next;
    const answer = await post(server, 'watch', { probe }, '127.0.0.252');
    assert.equal(answer.status, 201, `the watcher's probe was refused: ${answer.text}`);
    const deadline = Date.now() + boundMs;
    while (!this.probes.includes(probe)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the well-behaved reader did not receive probe ${probe} within ${boundMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    assert.deepEqual(this.probes, Array.from({ length: probe }, (_, i) => i + 1), 'the reader received every probe once, in order');
    assert.equal(new Set(this.ids).size, this.ids.length);
    assert.equal(this.gaps, 0);
    assert.deepEqual(this.errors, []);
  }

  close(): void {
    this.#ws?.terminate();
  }
}
