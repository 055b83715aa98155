/**
 * `npm test`: the whole suite, in the order a failure is cheapest to find.
 *   1. strict type checking (astro check for .astro files, tsc for the rest), then the unit
 *      tests of the pages' pure parts (node:test, no server, no browser)
 *   2. server tests (node:test): real servers on port 0, real clients; then the hostile-input
 *      tests, the same clients behaving badly (tests/hostile/)
 *   3. build the site, then the browser tests (Playwright Test, Debian's Chromium)
 * Every step runs even if an earlier one failed; the exit code says whether all passed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

interface Step {
  name: string;
  command: string[];
  when?: () => boolean;
}

const hasTests = (dir: string) => existsSync(dir) && readdirSync(dir, { recursive: true }).some((file) => String(file).endsWith('.test.ts'));

const steps: Step[] = [
  { name: 'type check (.astro)', command: ['npx', 'astro', 'check'] },
  { name: 'type check (.ts)', command: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'unit tests (pure parts of the pages)', command: ['node', '--test', '--test-reporter=spec', 'tests/unit/**/*.test.ts'], when: () => hasTests('tests/unit') },
  { name: 'site tests', command: ['node', '--test', '--test-reporter=spec', 'tests/site/**/*.test.ts'] },
  { name: 'server tests', command: ['node', '--test', '--test-reporter=spec', 'tests/server/**/*.test.ts'] },
  { name: 'hostile-input tests', command: ['node', '--test', '--test-reporter=spec', 'tests/hostile/**/*.test.ts'], when: () => hasTests('tests/hostile') },
  { name: 'scale-out tests (Redis, nginx)', command: ['node', '--test', '--test-reporter=spec', 'tests/redis/**/*.test.ts'], when: () => hasTests('tests/redis') },
  { name: 'build the site', command: ['npx', 'astro', 'build'] },
  { name: 'browser tests', command: ['npx', 'playwright', 'test'], when: () => existsSync('playwright.config.ts') },
];

function run(command: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command[0] as string, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    const forward = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Counts from the closing lines of node:test (ℹ pass N) and Playwright (N passed). */
function counts(output: string): { passed: number; failed: number } {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const node = { passed: /^ℹ pass (\d+)$/m.exec(plain), failed: /^ℹ fail (\d+)$/m.exec(plain) };
  if (node.passed) return { passed: Number(node.passed[1]), failed: Number(node.failed?.[1] ?? 0) };
  return { passed: Number(/^\s*(\d+) passed/m.exec(plain)?.[1] ?? 0), failed: Number(/^\s*(\d+) failed/m.exec(plain)?.[1] ?? 0) };
}

let passed = 0;
let failed = 0;
const failedSteps: string[] = [];
for (const step of steps) {
  if (step.when && !step.when()) continue;
  console.log(`\n=== ${step.name}: ${step.command.join(' ')}`);
  const started = Date.now();
  const result = await run(step.command);
  const tally = counts(result.output);
  passed += tally.passed;
  failed += tally.failed;
  if (result.code !== 0) {
    failedSteps.push(step.name);
    if (tally.failed === 0) failed += 1;
  }
  console.log(`=== ${step.name}: ${result.code === 0 ? 'ok' : `FAILED (exit ${result.code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failedSteps.length > 0 ? 1 : 0);
