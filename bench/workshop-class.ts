/**
 * `npm run bench:workshop`: a class on one laptop, as `npm start -- --workshop` runs it (its
 * default limits, its own process), against simulated attendees from distinct loopback
 * addresses (bench/class-load.ts). Prints a notice's latency to every attendee (p50, p99, max)
 * in two ways: on its own while the class's connections are held, and with a channel message
 * fanned out to every sandbox just before it; then the answers by status and the server's RSS.
 *
 * Settings (environment):
 *   BENCH_ATTENDEES   attendees (default 100)
 *   BENCH_SANDBOXES   running sandboxes per attendee (default 3)
 *   BENCH_NOTICES     notices measured in each way (default 20)
 *   BENCH_STRICT=1    exit with status 1 when a p99 is 1 s or more, or anything is refused
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quantile, simulateClass } from './class-load.ts';
import { countSetting, NODE_FLAGS } from './clients.ts';


const ATTENDEES = countSetting('BENCH_ATTENDEES', 100);
const SANDBOXES = countSetting('BENCH_SANDBOXES', 3);
const NOTICES = countSetting('BENCH_NOTICES', 20);
const TOKEN = 'bench-workshop-token-0123456789abcdef';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rl-bench-workshop-'));
const child = spawn(process.execPath, [...NODE_FLAGS, 'server/main.ts', '--port', '0', '--workshop'], {
  env: { ...process.env, WORKSHOP_TOKEN: TOKEN, DATA_DIR: dataDir, SITE_DIR: 'tests/server/fixtures/site' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
    const match = /Open (http:\/\/\S+?)\/\n/.exec(output);
    if (match) resolve((match[1] as string).replace('localhost', '127.0.0.1'));
  });
  child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
});

const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
let failed = false;
try {
  console.log(`${ATTENDEES} attendees from 127.0.0.2 up, each with the control channel and ${SANDBOXES} running sandboxes (a run, SSE, WebSocket, long-poll loop): ${ATTENDEES * (1 + 3 * SANDBOXES)} connections`);
  for (const settle of [true, false]) {
    const result = await simulateClass({ url, token: TOKEN, attendees: ATTENDEES, broadcasts: NOTICES, sandboxes: SANDBOXES, settle }, 120_000);
    const sorted = result.latenciesMs.sort((a, b) => a - b);
    const p99 = quantile(sorted, 0.99);
    console.log(
      `  notice ${settle ? 'on its own        ' : 'behind a fan-out  '}: p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target < 1000), max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms; ` +
        `answers ${JSON.stringify(result.statuses)}${result.refused.length > 0 ? `; REFUSED ${result.refused.length}: ${result.refused.slice(0, 3).join('; ')}` : '; nothing refused'}; server RSS ${rssMiB().toFixed(0)} MiB`,
    );
    if (p99 >= 1000 || result.refused.length > 0) failed = true;
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
if (failed && process.env.BENCH_STRICT === '1') process.exit(1);
