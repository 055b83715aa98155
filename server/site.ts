/**
 * The built site (SITE_DIR): static files, their precompressed variants, cache headers, and the
 * security headers of the pages. createApp mounts it after the API; the API's poll, long-poll and
 * SSE paths never reach it, so nothing here touches them, and nothing here compresses a stream.
 *
 * - Compression: `astro build` writes `.br` and `.gz` beside each text file
 *   (scripts/precompress.ts); this sends the best one the client accepts, with `Vary:
 *   Accept-Encoding`, and the file itself to a client that accepts neither. Nothing is compressed
 *   per request.
 * - Caching: files with a content hash in their names (`_astro/`, Pagefind's chunks) never
 *   change, so they are cached for a year as immutable. Everything else (pages, Pagefind's entry
 *   file, the favicon) is revalidated on each use: `no-cache` with an ETag, answered 304 when it
 *   still matches.
 * - Headers: every response says `nosniff`, a Referrer-Policy and `Cross-Origin-Opener-Policy:
 *   same-origin`; pages carry a Content-Security-Policy built for that page (pagePolicy).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import express from 'express';

/** Encodings we precompress, best first, with the suffix of their files. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;
type Encoding = (typeof ENCODINGS)[number]['name'];

function suffixOf(encoding: Encoding): string {
  return ENCODINGS.find(({ name }) => name === encoding)?.suffix ?? '';
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/**
 * Files whose names carry a hash of their content, relative to the site: Astro's assets, and
 * Pagefind's index chunks, fragments and metadata (pagefind-entry.json names the current ones).
 */
const HASHED = [/^_astro\//, /^pagefind\/(?:fragment|index)\//, /^pagefind\/pagefind\.[^/]+\.pf_meta$/];

/** Headers every site response carries. */
const SITE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  // Lessons link out to specifications: those sites learn that a reader came from here, not
  // which page (a full URL can carry a shared snippet).
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // A window this site opens, or that opens it, gets no handle on it (window.opener is null).
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** What a page's Content-Security-Policy depends on, read once from its HTML. */
interface PageFacts {
  /** `'sha256-…'` of each inline script; null when the page needs 'unsafe-inline' (it has sandboxes). */
  scriptHashes: string[] | null;
  /** Origins of an API base the page was built with (PUBLIC_API_BASE); none means its own origin. */
  apiOrigins: string[];
}

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
const API_BASE = /\bdata-api-base="([^"]+)"/g;

/** Reads the facts a page's policy needs from its HTML. */
export function pageFacts(html: string): PageFacts {
  const apiOrigins = new Set<string>();
  for (const [, base] of html.matchAll(API_BASE)) {
    try {
      apiOrigins.add(new URL((base as string).replace(/&amp;/g, '&')).origin);
    } catch {
      // Not an absolute URL: the frames resolve it against the page, which 'self' covers.
    }
  }
  // Sandboxes and exercises both run code in srcdoc frames.
  if (html.includes('data-rl-sandbox') || html.includes('data-rl-exercise')) return { scriptHashes: null, apiOrigins: [...apiOrigins] };
  const scriptHashes = new Set<string>();
  for (const [, attributes, body] of html.matchAll(INLINE_SCRIPT)) {
    if (/\bsrc\s*=/i.test(attributes as string)) continue;
    scriptHashes.add(`'sha256-${createHash('sha256').update(body as string).digest('base64')}'`);
  }
  return { scriptHashes: [...scriptHashes], apiOrigins: [...apiOrigins] };
}

/** `ws://` or `wss://` for an http(s) origin. */
function socketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The Content-Security-Policy of one page, for a request to `host`.
 *
 * script-src: Starlight's pages have small inline scripts (the theme, before first paint), each
 * allowed by its hash. A page with sandboxes cannot list hashes: a sandbox runs the reader's code
 * in `<iframe sandbox="allow-scripts" srcdoc=…>`, and a srcdoc frame inherits the page's policy,
 * so the frame's inline scripts (the instrumentation and the code being edited, different on
 * every Run) must be allowed as inline scripts. Those pages use 'unsafe-inline' (a hash in the
 * list would switch it off). The frame is still an opaque origin: it can reach neither the page,
 * nor its storage. 'wasm-unsafe-eval' lets Pagefind's search compile its WebAssembly.
 * style-src 'unsafe-inline': Starlight sets style attributes (icon sizes) that no hash can allow.
 * connect-src: the sandboxes' fetch, EventSource and WebSocket talk to this server (or the API
 * base the site was built with), on http and ws.
 * base-uri: each sandbox frame sets `<base href>` to the API base.
 */
export function pagePolicy(facts: PageFacts, host: string | undefined): string {
  const connect = ["'self'"];
  if (host && HOST.test(host)) connect.push(`ws://${host}`, `wss://${host}`);
  for (const origin of facts.apiOrigins) connect.push(origin, socketOrigin(origin));
  const script = ["'self'", "'wasm-unsafe-eval'", ...(facts.scriptHashes ?? ["'unsafe-inline'"])];
  return [
    "default-src 'self'",
    `script-src ${script.join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    `base-uri 'self'${facts.apiOrigins.map((origin) => ` ${origin}`).join('')}`,
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * Site files that have precompressed variants: their path relative to the site, and which. A
 * variant older than its file is left out: it was written for an earlier build.
 */
function findVariants(siteDir: string): Map<string, Set<Encoding>> {
  const variants = new Map<string, Set<Encoding>>();
  if (!existsSync(siteDir)) return variants;
  for (const entry of readdirSync(siteDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const encoding = ENCODINGS.find(({ suffix }) => entry.name.endsWith(suffix));
    if (!encoding) continue;
    const variant = path.join(entry.parentPath, entry.name);
    const original = variant.slice(0, -encoding.suffix.length);
    const originalStat = statSync(original, { throwIfNoEntry: false });
    if (!originalStat || statSync(variant).mtimeMs < originalStat.mtimeMs) continue;
    const file = path.relative(siteDir, original).split(path.sep).join('/');
    const set = variants.get(file) ?? new Set<Encoding>();
    set.add(encoding.name);
    variants.set(file, set);
  }
  return variants;
}

/** The site file a URL path names, as serve-static resolves it (a folder means its index.html). */
function fileOf(pathname: string): string | undefined {
  try {
    const decoded = decodeURIComponent(pathname);
    return (decoded.endsWith('/') ? `${decoded}index.html` : decoded).slice(1);
  } catch {
    return undefined;
  }
}

/** Serves the built site in `siteDir`, and its 404 page for anything that is not in it. */
export function createSiteRouter(siteDir: string): express.Router {
  const root = path.resolve(siteDir);
  const variants = findVariants(root);
  const facts = new Map<string, { mtimeMs: number; facts: PageFacts }>();

  /** The facts of the page `original`, cached by the file sent (it or a variant) and its mtime. */
  function factsOf(sent: string, original: string, stat: Stats): PageFacts {
    const known = facts.get(sent);
    if (known && known.mtimeMs === stat.mtimeMs) return known.facts;
    const fresh = pageFacts(readFileSync(original, 'utf8'));
    facts.set(sent, { mtimeMs: stat.mtimeMs, facts: fresh });
    return fresh;
  }

  /** The best precompressed variant of `file` this request accepts, if any. Sets Vary. */
  function chooseEncoding(req: express.Request, res: express.Response, file: string | undefined): Encoding | undefined {
    const available = file === undefined ? undefined : variants.get(file);
    if (!available) return undefined;
    res.setHeader('Vary', 'Accept-Encoding');
    return ENCODINGS.find(({ name }) => available.has(name) && req.acceptsEncodings(name) === name)?.name;
  }

  /** Encoding, type, caching and policy of a file being sent (`sent`, a variant when `encoding` is set). */
  function fileHeaders(res: express.Response, sent: string, stat: Stats, encoding: Encoding | undefined): void {
    const original = encoding ? sent.slice(0, -suffixOf(encoding).length) : sent;
    if (encoding) {
      res.setHeader('Content-Encoding', encoding);
      res.type(path.extname(original));
    }
    const relative = path.relative(root, original).split(path.sep).join('/');
    res.setHeader('Cache-Control', HASHED.some((pattern) => pattern.test(relative)) ? IMMUTABLE : REVALIDATE);
    if (original.endsWith('.html')) res.setHeader('Content-Security-Policy', pagePolicy(factsOf(sent, original, stat), res.req.headers.host));
  }

  const router = express.Router();
  router.use((req, res, next) => {
    for (const [name, value] of Object.entries(SITE_HEADERS)) res.setHeader(name, value);
    if (req.method === 'GET' || req.method === 'HEAD') {
      const encoding = chooseEncoding(req, res, fileOf(req.path));
      if (encoding) {
        res.locals.encoding = encoding;
        // serve-static then sends the variant: same path, with the suffix.
        const q = req.url.indexOf('?');
        const pathname = q < 0 ? req.url : req.url.slice(0, q);
        req.url = `${pathname}${pathname.endsWith('/') ? 'index.html' : ''}${suffixOf(encoding)}${q < 0 ? '' : req.url.slice(q)}`;
      }
    }
    next();
  });
  router.use(
    express.static(root, {
      extensions: ['html'],
      setHeaders(res: express.Response, file: string, stat: Stats) {
        fileHeaders(res, file, stat, res.locals.encoding as Encoding | undefined);
      },
    }),
  );
  router.use((req, res) => {
    delete res.locals.encoding;
    res.removeHeader('Vary');
    // A missing page under a language's folder (/zh-cn/...) gets that language's 404 page.
    const locale = /^\/([a-z]{2}(?:-[a-z]{2,4})?)\//i.exec(req.path)?.[1]?.toLowerCase();
    const page = locale && existsSync(path.join(root, locale, '404', 'index.html')) ? `${locale}/404/index.html` : '404.html';
    const notFound = path.join(root, page);
    if (!existsSync(notFound)) {
      res.status(404).type('text/plain').send(`Not found: ${req.path}\nThe site is not built yet: run \`npm run build\`, or \`npm start\`, which builds it.\n`);
      return;
    }
    let encoding = chooseEncoding(req, res, page);
    let stat = encoding && statSync(notFound + suffixOf(encoding), { throwIfNoEntry: false });
    if (!stat) {
      // No variant (or it went away with a rebuild since the start): the page itself.
      encoding = undefined;
      stat = statSync(notFound);
    }
    const sent = encoding ? notFound + suffixOf(encoding) : notFound;
    fileHeaders(res, sent, stat, encoding);
    res.status(404).sendFile(sent);
  });
  return router;
}
