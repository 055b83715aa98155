import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startMain } from './helpers.ts';

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}: closes WebSockets with 1001, ends SSE streams, answers held long polls, and exits`, async () => {
      const { child, url } = await startMain(['--port', '0'], {});
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/ws/chat`);
      await once(ws, 'message');
      const sse = await fetch(`${url}/api/sse/chat`);
      const sseReader = sse.body!.getReader();
      await sseReader.read();
      const longPoll = fetch(`${url}/api/long-poll/chat?timeout=60`);
      // The long poll is held once stats count it.
      for (;;) {
        const stats = await (await fetch(`${url}/api/stats`)).json();
        if (stats.open.longPoll === 1) break;
      }
      const wsClosed = once(ws, 'close');
      const exited = once(child, 'exit');
      const started = Date.now();
      child.kill(signal);
      const [code] = (await wsClosed) as [number];
      assert.equal(code, 1001);
      assert.equal((await longPoll).status, 204);
      for (;;) {
        const { done } = await sseReader.read();
        if (done) break;
      }
      const [exitCode] = (await exited) as [number];
      assert.equal(exitCode, 0);
      assert.ok(Date.now() - started < 5000, 'exited within a few seconds');
    });
  }
});

describe('node server/main.ts', () => {
  it('prints the URL to open as its last line, and serves the site and the API from one process', async () => {
    const { child, url, output } = await startMain(['--port', '0'], {});
    try {
      const lines = output().trimEnd().split('\n');
      assert.match(lines.at(-1) ?? '', /^\s*Open http:\/\/localhost:\d+\/$/);
      assert.ok(lines.length <= 5, `a short start: ${output()}`);
      assert.match(await (await fetch(url)).text(), /Fixture site/);
      assert.deepEqual(await (await fetch(`${url}/api/health`)).json(), { ok: true });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('with --host 0.0.0.0, prints the addresses others on the network can open', async () => {
    const child = spawn(process.execPath, ['server/main.ts', '--port', '0', '--host', '0.0.0.0'], { env: { ...process.env, SITE_DIR: 'tests/server/fixtures/site' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        if (/Open http:\S+\n/.test(output)) resolve();
      });
    });
    child.kill('SIGTERM');
    await once(child, 'exit');
    assert.match(output, /Open http:\/\/localhost:\d+\//);
    // The machine may have no network interface besides loopback; then there is nothing more to print.
    const external = Object.values((await import('node:os')).networkInterfaces()).flat().some((a) => a?.family === 'IPv4' && !a.internal);
    if (external) assert.match(output, /On your network, attendees open:\n\s+http:\/\/\d+\.\d+\.\d+\.\d+:\d+\//);
  });

  it('with --host ::1, prints a URL with the IPv6 address in brackets that answers', { skip: os.networkInterfaces().lo?.some((a) => a.family === 'IPv6') ? false : 'no IPv6 loopback here' }, async () => {
    const child = spawn(process.execPath, ['server/main.ts', '--port', '0', '--host', '::1'], { env: { ...process.env, SITE_DIR: 'tests/server/fixtures/site' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk) => {
          output += chunk;
          if (/Open http:\S+\n/.test(output)) resolve();
        });
      });
      const url = /Open (http:\S+)\n/.exec(output)?.[1] ?? '';
      assert.match(url, /^http:\/\/\[::1\]:\d+\/$/);
      assert.deepEqual(await (await fetch(`${url}api/health`)).json(), { ok: true });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('with --host an address this machine does not have, says which addresses it has and exits with 1', async () => {
    // 10.255.255.1 is on no interface here: binding fails locally, and nothing is sent anywhere.
    const child = spawn(process.execPath, ['server/main.ts', '--port', '0', '--host', '10.255.255.1'], { env: { ...process.env, SITE_DIR: 'tests/server/fixtures/site' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 1);
    assert.match(stderr, /^Realtime Lab: cannot listen on 10\.255\.255\.1: it is not an address of this machine \(EADDRNOTAVAIL\)\./);
    assert.match(stderr, /This machine's addresses are: 127\.0\.0\.1\b/);
    assert.match(stderr, /--host 0\.0\.0\.0/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  it('refuses a bad setting with a sentence that names it, and exits with 2', async () => {
    const child = spawn(process.execPath, ['server/main.ts'], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2);
    assert.match(stderr, /PORT must be an integer from 0 to 65535; received "eighty"/);
  });
});
