/**
 * `npm test`: the whole suite.
 *   - strict type checking: `astro check` checks every file of tsconfig.json, the .ts files as
 *     well as the .astro ones (a probe file with six kinds of error got the same six from it as
 *     from `tsc --noEmit`), so tsc is not run a second time here (`npm run check` still runs both);
 *   - the unit tests of the pages' pure parts and the site tests (node:test, no server, no browser);
 *   - server tests (node:test): real servers on port 0, real clients; the hostile-input tests,
 *     the same clients behaving badly (tests/hostile/); the scale-out tests (Redis, nginx);
 *   - build the site, then the browser tests (Playwright Test, Debian's Chromium).
 *
 * Steps run side by side where nothing orders them: most of the server tests' time is spent
 * waiting on timers (long-poll holds, reconnect delays), not on the CPU, so they run beside the
 * type check and the build instead of before them. A step waits only for the steps it needs
 * (`after`): the build waits for `astro check` (both write Astro's generated types and content
 * store), the browser tests for the build. What needs the CPU (the type check, the build, the
 * 60 s memory-flood soak, a step of its own) starts first, so that the browser tests, whose
 * timing-sensitive checks suffer most from a busy machine, mostly have it to themselves.
 * Within a node:test step, files still run one at a time (node's default on 2 cores): with four
 * at once, tests/server/exercises.test.ts twice never finished on a loaded machine.
 *
 * The browser tests' output is shown as it comes; every other step's output is shown in one
 * block when that step ends, so that steps running together do not interleave their lines.
 * Every step runs even if another one failed; the exit code says whether all passed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

interface Step {
  name: string;
  command: string[];
  when?: () => boolean;
  /** Names of the steps that must have ended (passed or not) before this one starts. */
  after?: string[];
  /** Shows the output as it comes rather than in one block at the end. */
  live?: boolean;
}

/** The test files under `dir`, sorted. */
const testFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true })
        .map((file) => `${dir}/${String(file)}`)
        .filter((file) => file.endsWith('.test.ts'))
        .sort()
    : [];
const hasTests = (dir: string) => testFiles(dir).length > 0;
const nodeTest = (...files: string[]) => ['node', '--test', '--test-reporter=spec', ...files];
const SOAK = 'tests/hostile/soak.test.ts';
const hostileFiles = testFiles('tests/hostile').filter((file) => file !== SOAK);

const TYPE_CHECK = 'type check (.astro and .ts)';
const BUILD = 'build the site';
const steps: Step[] = [
  { name: TYPE_CHECK, command: ['npx', 'astro', 'check'] },
  { name: 'soak (a 60 s memory flood)', command: nodeTest(SOAK), when: () => existsSync(SOAK) },
  { name: 'unit tests (pure parts of the pages)', command: nodeTest('tests/unit/**/*.test.ts'), when: () => hasTests('tests/unit') },
  { name: 'site tests', command: nodeTest('tests/site/**/*.test.ts') },
  { name: 'server tests', command: nodeTest('tests/server/**/*.test.ts') },
  { name: 'hostile-input tests', command: nodeTest(...hostileFiles), when: () => hostileFiles.length > 0 },
  { name: 'scale-out tests (Redis, nginx)', command: nodeTest('tests/redis/**/*.test.ts'), when: () => hasTests('tests/redis') },
  { name: BUILD, command: ['npx', 'astro', 'build'], after: [TYPE_CHECK] },
  { name: 'browser tests', command: ['npx', 'playwright', 'test'], when: () => existsSync('playwright.config.ts'), after: [BUILD], live: true },
];

function run(step: Step): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(step.command[0] as string, step.command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk;
      if (step.live) stream.write(chunk);
    };
    child.stdout.on('data', collect(process.stdout));
    child.stderr.on('data', collect(process.stderr));
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

const suiteStarted = Date.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
let passed = 0;
let failed = 0;
const failedSteps: string[] = [];
const timings: string[] = [];
const ended = new Map<string, Promise<void>>();

async function runStep(step: Step): Promise<void> {
  await Promise.all((step.after ?? []).map((name) => ended.get(name)));
  const started = Date.now();
  console.log(`\n=== ${step.name}: ${step.command.join(' ')} (started at ${seconds(started - suiteStarted)})`);
  const result = await run(step);
  const tally = counts(result.output);
  passed += tally.passed;
  failed += tally.failed;
  if (result.code !== 0) {
    failedSteps.push(step.name);
    if (tally.failed === 0) failed += 1;
  }
  const verdict = `${result.code === 0 ? 'ok' : `FAILED (exit ${result.code})`} in ${seconds(Date.now() - started)}`;
  if (!step.live) process.stdout.write(`\n=== ${step.name}: output\n${result.output}`);
  console.log(`=== ${step.name}: ${verdict}`);
  timings.push(`  ${step.name}: ${verdict}, from ${seconds(started - suiteStarted)} to ${seconds(Date.now() - suiteStarted)}`);
}

for (const step of steps) {
  if (step.when && !step.when()) {
    ended.set(step.name, Promise.resolve());
    continue;
  }
  ended.set(step.name, runStep(step));
}
await Promise.all(ended.values());
console.log(`\nSteps (${seconds(Date.now() - suiteStarted)} in all):\n${timings.join('\n')}`);
if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failedSteps.length > 0 ? 1 : 0);
