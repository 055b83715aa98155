/**
 * Raw HTTP for the hostile-input tests of the server's edge (hosts, origins, proxies, errors):
 * fetch will not send a Host of our choosing or bind to another loopback address, node:http will.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Another loopback address (127.0.0.2, ...) to be a distinct client. */
  localAddress?: string;
  /** How long to wait for the answer; ANSWER_TIMEOUT_MS unless said. */
  timeoutMs?: number;
}

/** Every test waits at most this long for an answer: a hostile case must end, one way or the other. */
const ANSWER_TIMEOUT_MS = 5000;

/** One request on its own connection, answered in full. */
export function request(base: string, path: string, options: RawOptions = {}): Promise<RawResponse> {
  const url = new URL(base);
  const timeout = options.timeoutMs ?? ANSWER_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress, agent: false, timeout },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within ${timeout} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The head of a response that stays open (SSE, a held long poll): resolves on the status line, then closes it. */
export function head(base: string, path: string, options: RawOptions = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; firstChunk: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: 'GET', headers: options.headers, localAddress: options.localAddress, agent: false, timeout: ANSWER_TIMEOUT_MS },
      (res) => {
        res.setEncoding('utf8');
        res.once('data', (chunk: string) => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, firstChunk: chunk });
          req.destroy();
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, firstChunk: '' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within ${ANSWER_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Opens a stream and keeps it open; `close` ends it. */
export async function openStream(base: string, path: string, options: RawOptions = {}): Promise<{ status: number; body: string; close(): void }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, headers: options.headers, localAddress: options.localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      const done = () => resolve({ status: res.statusCode ?? 0, body, close: () => req.destroy() });
      if (res.statusCode !== 200) {
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', done);
      } else {
        res.once('data', (chunk: string) => {
          body = chunk;
          done();
        });
      }
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket handshake by hand: `upgraded` is true on 101, otherwise the refusal's status and body. */
export function handshake(base: string, path: string, headers: Record<string, string> = {}, localAddress?: string): Promise<{ upgraded: boolean; status: number; headers: http.IncomingHttpHeaders; body: string; close(): void }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path,
      localAddress,
      agent: false,
      timeout: ANSWER_TIMEOUT_MS,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => resolve({ upgraded: true, status: res.statusCode ?? 0, headers: res.headers, body: '', close: () => socket.destroy() }));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ upgraded: false, status: res.statusCode ?? 0, headers: res.headers, body, close: () => {} }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to the handshake on ${path} within ${ANSWER_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The error code of a response in the API's error shape. */
export function errorCode(res: { body: string }): string {
  return (JSON.parse(res.body) as { error: { code: string } }).error.code;
}

/**
 * After a hostile case: a well-behaved client, from an address of its own, still publishes and
 * reads its message back, and health says ok.
 */
export async function assertStillServes(base: string): Promise<void> {
  const health = await request(base, '/api/health');
  assert.equal(health.status, 200, health.body);
  const text = `still here ${Math.random()}`;
  const published = await request(base, '/api/channels/well-behaved/messages', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ data: { text } }),
    localAddress: '127.0.0.254',
  });
  assert.equal(published.status, 201, published.body);
  const page = await request(base, '/api/poll/well-behaved?limit=1', { localAddress: '127.0.0.254' });
  assert.equal(page.status, 200, page.body);
  assert.equal(JSON.parse(page.body).messages[0].data.text, text);
}

/** The server as `npm start` runs it (server/main.ts), on a free port, with its output collected. */
export interface ServerProcess {
  url: string;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts server/main.ts with `env` and waits until it says where it listens. */
export async function startProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['server/main.ts', '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SITE_DIR: 'tests/server/fixtures/site', CLOCK_INTERVAL_MS: '3600000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${stdout}${stderr}`)), 10_000);
    const check = () => {
      const match = /Open http:\/\/localhost:(\d+)\//.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the server exited: ${stdout}${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

