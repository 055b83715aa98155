/** The pages of the built site, discovered from dist/ so that every new page is covered as it lands. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SITE_DIR } from './helpers.ts';

/** A built page: the URL path that serves it and how many sandboxes it holds. */
export interface BuiltPage {
  url: string;
  file: string;
  sandboxes: number;
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '_astro' || entry.name === 'pagefind' ? [] : htmlFiles(full);
    return entry.name.endsWith('.html') ? [full] : [];
  });
}

/** Every HTML page under SITE_DIR, sorted by URL; `index.html` is served at its folder's URL. */
export function builtPages(): BuiltPage[] {
  return htmlFiles(SITE_DIR)
    .map((file) => {
      const relative = path.relative(SITE_DIR, file).replace(/\\/g, '/');
      // 404 pages are served for missing paths; ask for the file itself.
      const url = relative.endsWith('404.html') ? `/${relative}` : `/${relative.replace(/index\.html$/, '').replace(/\.html$/, '/')}`;
      return { url, file, sandboxes: (readFileSync(file, 'utf8').match(/data-rl-sandbox(?![\w-])/g) ?? []).length };
    })
    .sort((a, b) => a.url.localeCompare(b.url));
}
