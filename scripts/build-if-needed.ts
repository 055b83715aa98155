/**
 * Builds the site when dist/ is missing or older than its sources, so `npm start` serves the
 * current lessons without rebuilding on every start. The build's own output (a few hundred
 * lines) is kept out of the way: one line says what was built, and the whole output is shown
 * only when the build fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const STAMP = path.join('dist', '.build-stamp');
/** What the site is built from, besides the files the lessons include (lessonIncludes). */
const SITE_SOURCES = ['content', 'src', 'public', 'astro.config.mjs', 'content.config.ts', 'package-lock.json', 'scripts/precompress.ts'];

/** A `<ServerCode file="…">` in a lesson: the file it shows, read at build time. */
const SERVER_CODE_FILE = /<ServerCode\b[^>]*?\bfile="([^"]+)"/g;

/**
 * The files the lessons under `docsDir` include with `<ServerCode file="…">`, so that a change
 * to any of them (server code, tests, deploy/nginx.conf) rebuilds the site on `npm start`.
 */
export function lessonIncludes(docsDir = path.join('content', 'docs')): string[] {
  const files = new Set<string>();
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.mdx?$/.test(entry.name)) for (const match of readFileSync(full, 'utf8').matchAll(SERVER_CODE_FILE)) files.add(match[1] as string);
    }
  };
  if (existsSync(docsDir)) visit(docsDir);
  return [...files].sort();
}

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** One line about a successful `astro build`, from its output and how long it took. */
export function summarizeBuild(output: string, ms: number): string {
  const text = plain(output);
  const pages = /\b(\d+) page\(s\) built\b/.exec(text)?.[1];
  const compressed = /\[realtime-lab:precompress\] (compressed .*)/.exec(text)?.[1];
  const warnings = text.split('\n').filter((line) => /\[WARN\]/.test(line)).length;
  const parts = [`Built the site in ${(ms / 1000).toFixed(1)} s: ${pages ?? 'its'} pages in dist/`];
  if (compressed) parts.push(compressed);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'} (see \`npm run build\`)`);
  return `${parts.join('; ')}.`;
}

/** Runs `astro build` with its output captured; resolves to its exit code and output. */
function build(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['astro', 'build'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  const changed = Math.max(...[...SITE_SOURCES, ...lessonIncludes()].map(newestMtime));
  if (built > changed) {
    console.log('The site is up to date (dist/).');
  } else {
    console.log(built ? 'Sources changed since the last build: building the site (about half a minute)...' : 'Building the site (first start, about half a minute)...');
    const started = Date.now();
    const result = await build();
    if (result.code !== 0) {
      process.stderr.write(result.output);
      console.error(`\nThe site did not build (astro build exited with ${result.code}); its output is above.`);
      process.exit(result.code);
    }
    writeFileSync(STAMP, new Date().toISOString());
    console.log(summarizeBuild(result.output, Date.now() - started));
  }
}
