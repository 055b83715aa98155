/**
 * Builds the site when dist/ is missing or older than its sources, so `npm start` serves the
 * current lessons without rebuilding on every start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STAMP = path.join('dist', '.build-stamp');
const SOURCES = ['content', 'src', 'public', 'astro.config.mjs', 'content.config.ts', 'package-lock.json', 'server/transports'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
const changed = Math.max(...SOURCES.map(newestMtime));
if (built > changed) {
  console.log('The site is up to date (dist/).');
} else {
  console.log(built ? 'Sources changed since the last build: building the site...' : 'Building the site (first start)...');
  const result = spawnSync('npx', ['astro', 'build'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, new Date().toISOString());
}
