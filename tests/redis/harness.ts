/**
 * Real processes for the scale-out tests: Debian's `redis-server` and `nginx` on free loopback
 * ports, in temporary folders, and server instances as child processes (`node server/main.ts`)
 * so that one can be SIGKILLed. Everything started here is killed by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../server/helpers.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The deployment recipe the docs show; the tests run this very file. */
export const NGINX_CONF = path.join(ROOT, 'deploy/nginx.conf');

/**
 * The path of a Debian program, looked up on PATH and in the sbin folders (nginx lives in
 * /usr/sbin, which a non-root PATH often lacks). Throws with the package to install.
 */
export function program(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // Not in this folder.
    }
  }
  throw new Error(`${name} is not installed: the scale-out tests need Debian's ${debianPackage} (sudo apt-get install ${debianPackage}); .ci/run installs it`);
}

/** Every process started here: killed when the test process exits, however the tests ended. */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  // SIGTERM: nginx's master then stops its workers too.
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** A port the OS says is free now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits for a child's output to match, or fails when it exits or the time is up. */
function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (pattern.test(output)) finish();
    };
    const onExit = (code: number | null): void => finish(new Error(`${what} exited (${code}) before it was ready:\n${output}`));
    const timer = setTimeout(() => finish(new Error(`${what} was not ready within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    function finish(error?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

export class RedisServer {
  readonly port: number;
  readonly dir: string;
  /** With the append-only file (the default), or with no persistence at all: then a restart starts empty. */
  readonly persistence: boolean;
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string, persistence: boolean) {
    this.port = port;
    this.dir = dir;
    this.persistence = persistence;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts redis-server in a temporary folder. The append-only file is synced on every write
   * (`appendfsync always`): what Redis acknowledged survives a SIGKILL of Redis.
   */
  static async start(options: { persistence?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(path.join(os.tmpdir(), 'rtlab-redis-')), options.persistence ?? true);
    await server.#spawn();
    return server;
  }

  async #spawn(): Promise<void> {
    const child = track(spawn(program('redis-server', 'redis-server'), [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--daemonize', 'no',
      '--save', '', '--appendonly', this.persistence ? 'yes' : 'no', '--appendfsync', 'always', '--protected-mode', 'yes',
    ], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.#child = child;
    await waitForOutput(child, /Ready to accept connections/, `redis-server on port ${this.port}`);
  }

  /** Kills Redis at once, as a crash would. */
  async kill(): Promise<void> {
    await killChild(this.#child);
  }

  /** Starts it again on the same port and folder: it reloads the append-only file. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class Instance {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;

  private constructor(name: string, port: number, child: ChildProcess) {
    this.name = name;
    this.port = port;
    this.child = child;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `node server/main.ts` with REDIS_URL and test-friendly limits, and waits until it listens. */
  static async start(name: string, redisUrl: string, env: Record<string, string> = {}): Promise<Instance> {
    const port = await freePort();
    const child = track(spawn(process.execPath, ['server/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: redisUrl,
        INSTANCE_NAME: name,
        TRUST_PROXY: 'loopback',
        SITE_DIR: 'tests/server/fixtures/site',
        PUBLISH_RATE_PER_S: '100000',
        PUBLISH_BURST: '100000',
        PUBLISH_BYTES_PER_S: String(1024 * 1024 * 1024),
        SSE_RETRY_MS: '100',
        SHUTDOWN_GRACE_MS: '500',
        CLOCK_INTERVAL_MS: '3600000',
        ...env,
      },
    }));
    const instance = new Instance(name, port, child);
    await waitForOutput(child, /Realtime Lab is running/, `instance ${name}`);
    return instance;
  }

  /** Resolves once /api/health answers 200. */
  async healthy(timeoutMs = 10_000): Promise<void> {
    await until(async () => (await fetch(`${this.url}/api/health`)).status === 200, `${this.name} to be healthy`, timeoutMs, 20);
  }

  async kill(): Promise<void> {
    await killChild(this.child);
  }

  async stop(): Promise<void> {
    await killChild(this.child, 'SIGTERM').catch(() => {});
    await killChild(this.child);
  }
}

export class Nginx {
  readonly port: number;
  readonly dir: string;
  readonly #child: ChildProcess;

  private constructor(port: number, dir: string, child: ChildProcess) {
    this.port = port;
    this.dir = dir;
    this.#child = child;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Runs deploy/nginx.conf in front of `upstreams`. The file is included as it is, inside a
   * minimal main configuration; only its ports change: the `listen` port and, in each `upstream`
   * group, the `server 127.0.0.1:PORT` lines are replaced by free ones (the same in every group).
   */
  static async start(upstreams: readonly number[]): Promise<Nginx> {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rtlab-nginx-'));
    // Workers may run as another user (nobody, when the tests run as root): let them in.
    chmodSync(dir, 0o755);
    const recipe = readFileSync(NGINX_CONF, 'utf8');
    const groups = /^upstream [\w-]+ \{$[\s\S]*?^\}$/gm;
    const serverLines = /^(\s*)server 127\.0\.0\.1:\d+([^;]*);.*$/gm;
    const upstreamGroups = recipe.match(groups) ?? [];
    if (upstreamGroups.length === 0 || !upstreamGroups.every((group) => /^\s*server 127\.0\.0\.1:\d+/m.test(group)) || !/^\s*listen 8080;/m.test(recipe)) {
      throw new Error('deploy/nginx.conf no longer has the `upstream` groups of `server 127.0.0.1:PORT` lines and the `listen 8080;` line the tests substitute');
    }
    const site = recipe
      .replace(groups, (group) => {
        let inserted = false;
        return group.replace(serverLines, (_line, indent: string, options: string) => {
          if (inserted) return '';
          inserted = true;
          return upstreams.map((upstream) => `${indent}server 127.0.0.1:${upstream}${options};`).join('\n');
        });
      })
      .replace(/^(\s*)listen 8080;/m, `$1listen 127.0.0.1:${port};`);
    writeFileSync(path.join(dir, 'realtime-lab.conf'), site);
    writeFileSync(path.join(dir, 'nginx.conf'), [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      `  access_log off;`,
      `  client_body_temp_path ${dir}/client_body;`,
      `  proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi;`,
      `  scgi_temp_path ${dir}/scgi;`,
      `  include ${dir}/realtime-lab.conf;`,
      '}',
      '',
    ].join('\n'));
    const child = track(spawn(program('nginx', 'nginx'), ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const nginx = new Nginx(port, dir, child);
    await until(() => new Promise<boolean>((resolve, reject) => {
      if (child.exitCode !== null) reject(new Error(`nginx exited: ${stderr.join('')}`));
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    }), 'nginx to listen', 10_000, 20);
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr.join('')}`);
    return nginx;
  }

  async stop(): Promise<void> {
    await killChild(this.#child, 'SIGTERM').catch(() => {});
    await killChild(this.#child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Publishes over HTTP; returns the response status and body. */
export async function publishTo(baseUrl: string, channel: string, data: unknown, type?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/api/channels/${channel}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(type === undefined ? { data } : { type, data }),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}
