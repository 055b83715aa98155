/**
 * Precompression of the built site: Brotli (`.br`) and gzip (`.gz`) files beside each text file,
 * written once at build time, so the server sends compressed bytes without compressing per
 * request (server/site.ts picks the variant). Runs as the last step of `astro build` through the
 * Astro integration below; `node scripts/precompress.ts [dir]` runs it on a built folder.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { AstroIntegration } from 'astro';

/** Files worth compressing: text. Pagefind's own index files are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.xml', '.txt', '.map', '.webmanifest']);
/** Below this, compression saves less than a packet and costs a file. */
const MIN_BYTES = 1024;
/** A variant is kept only if it is at most this fraction of the original. */
const MAX_RATIO = 0.9;
/** Brotli's level: 11 made this site's files 2% smaller than 10, and took three times as long (measured). */
const BROTLI_QUALITY = 10;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

export interface PrecompressSummary {
  files: number;
  bytes: number;
  brotliBytes: number;
  gzipBytes: number;
}

async function compressOne(file: string, summary: PrecompressSummary): Promise<void> {
  const original = await readFile(file);
  if (original.length < MIN_BYTES) return;
  const [br, gz] = await Promise.all([
    brotli(original, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: original.length,
      },
    }),
    gzip(original, { level: zlib.constants.Z_BEST_COMPRESSION }),
  ]);
  if (br.length > original.length * MAX_RATIO) return;
  await Promise.all([writeFile(`${file}.br`, br), gz.length <= original.length * MAX_RATIO ? writeFile(`${file}.gz`, gz) : undefined]);
  summary.files += 1;
  summary.bytes += original.length;
  summary.brotliBytes += br.length;
  summary.gzipBytes += Math.min(gz.length, original.length);
}

/** Writes `.br` and `.gz` beside every compressible file of `dir`; returns what it did. */
export async function precompressSite(dir: string): Promise<PrecompressSummary> {
  const summary: PrecompressSummary = { files: 0, bytes: 0, brotliBytes: 0, gzipBytes: 0 };
  const files: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && COMPRESSIBLE.has(path.extname(entry.name))) files.push(path.join(entry.parentPath, entry.name));
  }
  // zlib's async calls run on libuv's thread pool: all at once keeps it busy, and no more.
  await Promise.all(files.map((file) => compressOne(file, summary)));
  return summary;
}

const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en')} KB`;

/** One line about what precompression did. */
export function describeSummary(summary: PrecompressSummary): string {
  return `compressed ${summary.files} files: ${kb(summary.bytes)} → ${kb(summary.brotliBytes)} Brotli, ${kb(summary.gzipBytes)} gzip`;
}

/** The Astro integration: precompresses the site when the build (and Pagefind's index) is done. */
export function precompress(): AstroIntegration {
  return {
    name: 'realtime-lab:precompress',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        logger.info(describeSummary(await precompressSite(fileURLToPath(dir))));
      },
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'dist';
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    console.error(`precompress: ${dir} is not a folder; build the site first (npm run build)`);
    process.exit(1);
  }
  console.log(describeSummary(await precompressSite(dir)));
}
