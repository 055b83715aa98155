import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

/** The command `npm start` runs the server with (its last step), as arguments to node. */
function startCommand(): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const [node, ...args] = (scripts.start ?? '').split('&&').at(-1)?.trim().split(/\s+/) ?? [];
  assert.equal(node, 'node', `npm start ends with a node command: ${scripts.start}`);
  return args;
}

/**
 * Starts the server as `npm start` does, with the compile cache in `cacheDir` and Node's own
 * report of what the cache did (NODE_DEBUG_NATIVE=COMPILE_CACHE, on stderr); once it prints its
 * URL, kills it with SIGKILL, so that nothing runs at exit. Resolves with that report.
 */
async function startAndKill(cacheDir: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: cacheDir, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', SITE_DIR: 'tests/server/fixtures/site' };
  delete env.REDIS_URL;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  const child = spawn(process.execPath, [...startCommand(), '--port', '0', '--host', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let report = '';
  let output = '';
  child.stderr.on('data', (chunk) => (report += chunk));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (/Open http:\/\//.test(output)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code} before listening: ${output}${report}`)));
  });
  child.kill('SIGKILL');
  await exited;
  return report;
}

describe('the compile cache at start', () => {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'realtime-lab-compile-cache-'));
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('is written once the server listens, and a second start takes every server file from it without stripping types', async () => {
    const first = await startAndKill(cacheDir);
    assert.match(first, /saving transpilation cache for StrippedTypeScript file:\/\/\S+\/server\/app\.ts/, 'the first start strips app.ts and keeps the result');

    const second = await startAndKill(cacheDir);
    assert.match(second, /retrieving transpile cache for StrippedTypeScript file:\/\/\S+\/server\/main\.ts\.\.\.success/, 'main.ts comes from the cache');
    assert.match(second, /retrieving transpile cache for StrippedTypeScript file:\/\/\S+\/server\/app\.ts\.\.\.success/, 'app.ts comes from the cache');
    const stripped = [...second.matchAll(/no transpile cache for StrippedTypeScript (\S+)/g)].map((match) => match[1]);
    assert.deepEqual(stripped, [], 'no file is stripped again');
  });
});
