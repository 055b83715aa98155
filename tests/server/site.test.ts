import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { precompressSite } from '../../scripts/precompress.ts';
import { pageFacts, pagePolicy } from '../../server/site.ts';
import { startServer, type TestServer } from './helpers.ts';

describe('the site, stats and health', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('serves the built site from the same process as the API', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Fixture site/);
  });

  it('answers unknown pages with the site\'s 404 page', async () => {
    const res = await fetch(`${server.url}/no/such/page/`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /Fixture 404/);
  });

  it('reports health', async () => {
    const res = await fetch(`${server.url}/api/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  it('counts open connections per technique, requests and messages', async () => {
    await fetch(`${server.url}/api/poll/chat`);
    await fetch(`${server.url}/api/channels/chat/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"data":1}' });
    const controller = new AbortController();
    const sse = await fetch(`${server.url}/api/sse/chat`, { signal: controller.signal });
    const stats = await (await fetch(`${server.url}/api/stats`)).json();
    controller.abort();
    await sse.body?.cancel().catch(() => {});
    assert.equal(stats.log, 'memory');
    assert.equal(typeof stats.instance, 'string');
    assert.equal(stats.open.sse, 1);
    assert.equal(stats.open.total, 1);
    assert.ok(stats.requests.poll >= 1);
    assert.ok(stats.requests.publish >= 1);
    assert.ok(stats.messages.published >= 1);
  });

  it('ticks the clock channel with type tick and { now }', async () => {
    const ticking = await startServer({ clockIntervalMs: 20 });
    try {
      const res = await fetch(`${ticking.url}/api/long-poll/clock?timeout=5`);
      const page = await res.json();
      assert.equal(page.messages[0].type, 'tick');
      assert.ok(!Number.isNaN(Date.parse(page.messages[0].data.now)));
    } finally {
      await ticking.close();
    }
  });
});

/** One raw GET, so the test sees the bytes on the wire (fetch would decompress them). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function decode(body: Buffer, encoding: string | undefined): string {
  if (encoding === 'br') return zlib.brotliDecompressSync(body).toString('utf8');
  if (encoding === 'gzip') return zlib.gunzipSync(body).toString('utf8');
  assert.equal(encoding, undefined, `an encoding we know: ${encoding}`);
  return body.toString('utf8');
}

/** Something long enough to be worth compressing. */
const PROSE = '<p>Long polling holds the request until a message arrives, then the client asks again.</p>\n'.repeat(40);
const THEME_SCRIPT = "document.documentElement.dataset.theme = localStorage.getItem('theme') ?? 'dark';";
const PAGE = `<!doctype html><html><head><title>Home</title><script>${THEME_SCRIPT}</script><script type="module" src="/_astro/page.Ab12Cd34.js"></script></head><body>${PROSE}</body></html>`;
const SANDBOX_PAGE = `<!doctype html><html><head><title>Lesson</title><script>${THEME_SCRIPT}</script></head><body>${PROSE}<section class="rl-sandbox" data-rl-sandbox data-api-base=""></section></body></html>`;

describe('serving the built site', () => {
  let server: TestServer;
  let siteDir: string;
  before(async () => {
    siteDir = await mkdtemp(path.join(os.tmpdir(), 'rl-site-'));
    await mkdir(path.join(siteDir, '_astro'));
    await mkdir(path.join(siteDir, 'lessons/demo'), { recursive: true });
    await writeFile(path.join(siteDir, 'index.html'), PAGE);
    await writeFile(path.join(siteDir, 'lessons/demo/index.html'), SANDBOX_PAGE);
    await writeFile(path.join(siteDir, '404.html'), `<!doctype html><title>Not found</title><script>${THEME_SCRIPT}</script><h1>Page not found</h1>${PROSE}`);
    await writeFile(path.join(siteDir, '_astro/page.Ab12Cd34.js'), `export const lines = [${'"a line of the page script", '.repeat(100)}];\n`);
    await writeFile(path.join(siteDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await mkdir(path.join(siteDir, 'pagefind/fragment'), { recursive: true });
    await writeFile(path.join(siteDir, 'pagefind/fragment/en_3b5cbb7.pf_fragment'), 'fragment');
    await writeFile(path.join(siteDir, 'pagefind/pagefind.en_f7e1b53dca.pf_meta'), 'meta');
    await writeFile(path.join(siteDir, 'pagefind/pagefind-entry.json'), '{"version":"1.6.0"}');
    await writeFile(path.join(siteDir, '.build-stamp'), 'stamp');
    await precompressSite(siteDir);
    server = await startServer({ siteDir });
  });
  after(async () => {
    await server.close();
    await rm(siteDir, { recursive: true, force: true });
  });

  it('precompresses text files worth it at build time, in Brotli and gzip, and leaves small ones alone', async () => {
    for (const file of ['index.html', 'lessons/demo/index.html', '404.html', '_astro/page.Ab12Cd34.js']) {
      const original = await readFile(path.join(siteDir, file));
      assert.deepEqual(zlib.brotliDecompressSync(await readFile(path.join(siteDir, `${file}.br`))), original, `${file}.br`);
      assert.deepEqual(zlib.gunzipSync(await readFile(path.join(siteDir, `${file}.gz`))), original, `${file}.gz`);
    }
    await assert.rejects(readFile(path.join(siteDir, 'favicon.svg.br')), { code: 'ENOENT' });
  });

  for (const [accept, expected] of [['gzip, deflate, br, zstd', 'br'], ['gzip, deflate', 'gzip'], ['br;q=0, gzip', 'gzip']] as const) {
    it(`sends a page ${expected}-encoded to a client that sends Accept-Encoding: ${accept}, with the page's bytes inside`, async () => {
      const res = await get(`${server.url}/`, { 'Accept-Encoding': accept });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], expected);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(String(res.headers.vary), /Accept-Encoding/i);
      assert.equal(Number(res.headers['content-length']), res.body.length);
      assert.ok(res.body.length < Buffer.byteLength(PAGE) / 4, `compressed: ${res.body.length} of ${Buffer.byteLength(PAGE)} bytes`);
      assert.equal(decode(res.body, expected), PAGE);
    });
  }

  it('sends the page as it is to a client that sends no Accept-Encoding', async () => {
    const res = await get(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.match(String(res.headers.vary), /Accept-Encoding/i);
    assert.equal(res.body.toString('utf8'), PAGE);
  });

  it('caches hashed assets for a year as immutable, compressed too', async () => {
    const res = await get(`${server.url}/_astro/page.Ab12Cd34.js`, { 'Accept-Encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(decode(res.body, 'gzip'), await readFile(path.join(siteDir, '_astro/page.Ab12Cd34.js'), 'utf8'));
  });

  it('has pages revalidated with an ETag: no-cache, and 304 with no body while it matches', async () => {
    const first = await get(`${server.url}/lessons/demo/`, { 'Accept-Encoding': 'br' });
    assert.equal(first.headers['cache-control'], 'no-cache');
    const etag = first.headers.etag;
    assert.ok(etag, 'an ETag');
    const again = await get(`${server.url}/lessons/demo/`, { 'Accept-Encoding': 'br', 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    // Another encoding is another representation: its ETag differs, so a cache never mixes them.
    const plain = await get(`${server.url}/lessons/demo/`, { 'If-None-Match': etag });
    assert.equal(plain.status, 200);
    assert.notEqual(plain.headers.etag, etag);
    assert.equal(plain.body.toString('utf8'), SANDBOX_PAGE);
  });

  it('caches Pagefind\'s hashed chunks as immutable, and revalidates files without a hash in their names', async () => {
    for (const [url, cacheControl] of [
      ['/pagefind/fragment/en_3b5cbb7.pf_fragment', 'public, max-age=31536000, immutable'],
      ['/pagefind/pagefind.en_f7e1b53dca.pf_meta', 'public, max-age=31536000, immutable'],
      ['/pagefind/pagefind-entry.json', 'no-cache'],
      ['/favicon.svg', 'no-cache'],
    ]) {
      const res = await get(`${server.url}${url}`, { 'Accept-Encoding': 'br' });
      assert.equal(res.status, 200, url);
      assert.equal(res.headers['cache-control'], cacheControl, url);
      assert.equal(res.headers['content-encoding'], undefined, `${url}: too small to compress`);
    }
  });

  it('sends SSE uncompressed even to a client that asks for gzip: compression would hold events back', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${server.url}/api/sse/chat`, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } }, resolve).on('error', reject);
    });
    try {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      assert.equal(res.headers['content-encoding'], undefined);
      const [first] = (await once(res, 'data')) as [Buffer];
      assert.match(first.toString('utf8'), /^(retry|:|event|id|data)/m, 'the stream\'s first bytes are plain text');
    } finally {
      res.destroy();
    }
  });

  it('sends the security headers on pages: CSP with frame-ancestors, nosniff, Referrer-Policy and COOP', async () => {
    for (const url of ['/', '/lessons/demo/']) {
      const res = await get(`${server.url}${url}`, { 'Accept-Encoding': 'br' });
      const policy = String(res.headers['content-security-policy']);
      assert.match(policy, /(^|; )frame-ancestors 'self'(;|$)/, url);
      assert.match(policy, /(^|; )object-src 'none'(;|$)/, url);
      assert.match(policy, /(^|; )default-src 'self'(;|$)/, url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin');
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
    }
  });

  it('allows a page\'s inline scripts by their hashes, and inline scripts in general only on pages with sandboxes', async () => {
    const hash = `'sha256-${createHash('sha256').update(THEME_SCRIPT).digest('base64')}'`;
    const home = String((await get(`${server.url}/`)).headers['content-security-policy']);
    const scripts = /(?:^|; )script-src ([^;]*)/.exec(home)?.[1] ?? '';
    assert.ok(scripts.split(' ').includes(hash), `${scripts} lists ${hash}`);
    assert.ok(!scripts.includes("'unsafe-inline'"), scripts);
    const lesson = String((await get(`${server.url}/lessons/demo/`)).headers['content-security-policy']);
    const lessonScripts = /(?:^|; )script-src ([^;]*)/.exec(lesson)?.[1] ?? '';
    assert.ok(lessonScripts.includes("'unsafe-inline'"), `srcdoc frames inherit the policy and run inline scripts: ${lessonScripts}`);
    assert.ok(!lessonScripts.includes("'sha256-"), `a hash would switch 'unsafe-inline' off: ${lessonScripts}`);
  });

  it('lets pages connect to this server over http and ws, by the name the browser used', async () => {
    const { port } = new URL(server.url);
    const res = await get(`http://localhost:${port}/lessons/demo/`);
    const connect = /(?:^|; )connect-src ([^;]*)/.exec(String(res.headers['content-security-policy']))?.[1] ?? '';
    assert.deepEqual(connect.split(' '), ["'self'", `ws://localhost:${port}`, `wss://localhost:${port}`]);
  });

  it('answers an unknown page with the site\'s 404 page: status 404, compressed, with the security headers', async () => {
    const res = await get(`${server.url}/no/such/page/`, { 'Accept-Encoding': 'br' });
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(decode(res.body, 'br'), /Page not found/);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const plain = await get(`${server.url}/no/such/page/`);
    assert.equal(plain.status, 404);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.body.toString('utf8'), /Page not found/);
  });

  it('serves nothing outside the site, and no dotfiles', async () => {
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/.build-stamp', '/.build-stamp.br']) {
      const res = await get(`${server.url}${url}`, { 'Accept-Encoding': 'br' });
      assert.equal(res.status, 404, url);
      assert.doesNotMatch(decode(res.body, res.headers['content-encoding']), /"name": "realtime-lab"|stamp/, url);
    }
  });
});

describe('the Content-Security-Policy of a page', () => {
  it('allows the API base a page was built with, for requests, WebSockets and the frames\' <base>', () => {
    const policy = pagePolicy(pageFacts('<section data-rl-sandbox data-api-base="https://api.example.org"></section>'), 'lab.example.org');
    assert.match(policy, /connect-src 'self' ws:\/\/lab\.example\.org wss:\/\/lab\.example\.org https:\/\/api\.example\.org wss:\/\/api\.example\.org(;|$)/);
    assert.match(policy, /base-uri 'self' https:\/\/api\.example\.org(;|$)/);
  });

  it('allows inline scripts on a page with exercises, whose Checks run code in srcdoc frames as sandboxes do', () => {
    const script = pagePolicy(pageFacts('<section data-rl-exercise data-api-base=""></section>'), 'localhost').split('; ').find((part) => part.startsWith('script-src')) ?? '';
    assert.ok(script.split(' ').includes("'unsafe-inline'"), script);
  });

  it('puts no Host it cannot trust into the policy', () => {
    const policy = pagePolicy(pageFacts('<p>no scripts</p>'), "evil.test; script-src 'unsafe-eval'");
    assert.match(policy, /connect-src 'self'; /);
    assert.doesNotMatch(policy, /evil/);
  });
});

describe('precompressed files from an earlier build', () => {
  it('are not sent for a file built since: the file itself is', async () => {
    const siteDir = await mkdtemp(path.join(os.tmpdir(), 'rl-site-'));
    let server: TestServer | undefined;
    try {
      await writeFile(path.join(siteDir, 'index.html'), `<!doctype html><title>Old</title>${PROSE}`);
      await precompressSite(siteDir);
      const rebuilt = `<!doctype html><title>New</title>${PROSE}`;
      await writeFile(path.join(siteDir, 'index.html'), rebuilt);
      // A build without precompression: the variants stay behind, older than the page.
      const old = new Date(Date.now() - 60_000);
      await utimes(path.join(siteDir, 'index.html.br'), old, old);
      await utimes(path.join(siteDir, 'index.html.gz'), old, old);
      server = await startServer({ siteDir });
      const res = await get(`${server.url}/`, { 'Accept-Encoding': 'br, gzip' });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.body.toString('utf8'), rebuilt);
    } finally {
      await server?.close();
      await rm(siteDir, { recursive: true, force: true });
    }
  });
});
