/**
 * Proves the exercise catalog in real Chromium (Debian's), as the page will run it: each code
 * exercise's starter and solution, checked through src/exercises/session.ts with the code in a
 * sandboxed srcdoc frame (tests/unit/exercises/browser-io.ts). No site build: the exercise
 * modules are served type-stripped (node:module's stripTypeScriptTypes).
 *   node scripts/exercises-in-chromium.ts            every code exercise
 *   node scripts/exercises-in-chromium.ts ws-ack ... only these
 * At most 4 Checks run at once: a browser keeps 6 connections per host, and each Check holds a
 * tap and the code's streams.
 */
import { chromium } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS } from '../playwright.config.ts';
import { HARNESS_CONFIG } from '../tests/unit/exercises/harness.ts';
import { startServer } from '../tests/server/helpers.ts';

const MODULES = ['src/exercises/session.ts', 'src/exercises/catalog.ts', 'src/exercises/checks.ts', 'src/exercises/tap-reading.ts', 'src/exercises/code.ts', 'tests/unit/exercises/browser-io.ts'];
const AT_ONCE = 4;

const site = mkdtempSync(path.join(tmpdir(), 'rl-exercises-'));
for (const file of MODULES) {
  // Every module lands flat in the site, its `.ts` imports pointing at the stripped `.js` files.
  const code = stripTypeScriptTypes(readFileSync(file, 'utf8'), { mode: 'strip' }).replace(/from '(?:\.\.\/)*(?:\.\/)?(?:src\/exercises\/)?([\w-]+)\.ts'/g, "from './$1.js'");
  writeFileSync(path.join(site, path.basename(file).replace(/\.ts$/, '.js')), code);
}
// data-rl-sandbox: the server's policy lets the frames' inline scripts run on pages marked so.
writeFileSync(path.join(site, 'index.html'), '<!doctype html><html lang="en"><head><title>Exercises in Chromium</title><script type="module" src="/browser-io.js"></script></head><body data-rl-sandbox></body></html>');

const server = await startServer({ ...HARNESS_CONFIG, siteDir: site });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
let bad = 0;
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => 'exerciseIds' in window);
  const wanted = process.argv.slice(2);
  const ids = ((await page.evaluate(() => (window as unknown as { exerciseIds: string[] }).exerciseIds)) as string[]).filter((id) => wanted.length === 0 || wanted.includes(id));
  await page.close();
  const queue = ids.flatMap((id) => (['solution', 'starter'] as const).map((which) => ({ id, which })));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const tab = await browser.newPage();
      await tab.goto(server.url);
      await tab.waitForFunction(() => 'checkInBrowser' in window);
      const result = (await tab.evaluate(([id, which]) => (window as unknown as { checkInBrowser(id: string, which: string): Promise<{ state: string; failed: string[]; output: string[] }> }).checkInBrowser(id, which), [job.id, job.which] as const));
      await tab.close();
      const ok = job.which === 'solution' ? result.state === 'passed' : result.state !== 'passed';
      if (!ok) bad += 1;
      console.log(`${ok ? 'ok ' : 'BAD'} ${job.id} ${job.which}: ${result.state}${result.failed.map((line) => `\n      ${line}`).join('')}`);
      if (!ok) console.log(result.output.map((line) => `      | ${line}`).join('\n'));
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
} finally {
  await browser.close();
  await server.close();
  rmSync(site, { recursive: true, force: true });
}
process.exit(bad > 0 ? 1 : 0);
