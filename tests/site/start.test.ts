/** The first `npm start` is quiet: the build says one line, without the bundler's noise about Astro's internals. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { lessonIncludes, summarizeBuild } from '../../scripts/build-if-needed.ts';
import { noSitemap, onBundlerWarning } from '../../scripts/quiet-build.ts';

// astro.config.mjs imports packages that Node cannot load outside Vite: read how it wires these in.
const ASTRO_CONFIG = readFileSync('astro.config.mjs', 'utf8');

/** What `astro build` prints, in the parts the summary reads (abridged from a real build). */
const BUILD_OUTPUT = [
  '02:22:47 [build] output: "static"',
  '02:22:51   ├─ /404.html02:22:51 [WARN] [content] Entry docs → 404 was not found.',
  '02:22:54   ├─ /zh-cn/reference/api/index.html (+6ms) ',
  '02:22:55 [starlight:pagefind] Finished building search index in 0.95s.',
  '02:23:07 [realtime-lab:precompress] compressed 63 files: 4,428 KB → 642 KB Brotli, 808 KB gzip',
  '\x1b[32m02:23:07\x1b[0m [build] 27 page(s) built in 22.19s',
  '02:23:07 [build] Complete!',
].join('\n');

describe('the first start', () => {
  it('watches every file a lesson includes with <ServerCode file>, server code, tests and deploy files alike', () => {
    const watched = lessonIncludes();
    for (const file of ['server/examples/long-polling-server.mjs', 'tests/server/origin-check.test.ts', 'server/log/redis.ts', 'server/clock.ts', 'server/transports/subscribers.ts', 'deploy/nginx.conf', 'server/transports/sse.ts']) {
      assert.ok(watched.includes(file), `${file} is watched: ${watched.join(', ')}`);
    }
    for (const file of watched) assert.ok(existsSync(file), `${file}, included by a lesson, exists`);
  });

  it('summarizes the build in one line: pages, compression and how many warnings', () => {
    const summary = summarizeBuild(BUILD_OUTPUT, 22_190);
    assert.equal(summary.split('\n').length, 1);
    assert.equal(summary, 'Built the site in 22.2 s: 27 pages in dist/; compressed 63 files: 4,428 KB → 642 KB Brotli, 808 KB gzip; 1 warning (see `npm run build`).');
  });

  it('drops the bundler\'s warnings about Astro\'s own module directives, and passes on every other', () => {
    const shown: string[] = [];
    const warn = (warning: { message: string }) => shown.push(warning.message);
    onBundlerWarning({ code: 'MODULE_LEVEL_DIRECTIVE', message: 'The semantics of the module level directive "use astro:head-inject" in "content/docs/index.mdx?astroPropagatedAssets" may not be preserved when bundling.' }, warn);
    onBundlerWarning({ code: 'MODULE_LEVEL_DIRECTIVE', message: 'The semantics of the module level directive "use client" in "x.js" may not be preserved when bundling.' }, warn);
    onBundlerWarning({ code: 'CIRCULAR_DEPENDENCY', message: 'Circular dependency: a.ts -> b.ts -> a.ts' }, warn);
    assert.deepEqual(shown, ['The semantics of the module level directive "use client" in "x.js" may not be preserved when bundling.', 'Circular dependency: a.ts -> b.ts -> a.ts']);
    assert.match(ASTRO_CONFIG, /build: \{ rolldownOptions: \{ onwarn: onBundlerWarning \} \}/, 'the build uses it');
  });

  it('builds no sitemap, so Starlight adds none that warns for want of `site`', () => {
    assert.equal(noSitemap.name, '@astrojs/sitemap');
    assert.deepEqual(noSitemap.hooks, {});
    assert.doesNotMatch(ASTRO_CONFIG, /^\s*site:/m);
    const integrations = ASTRO_CONFIG.slice(ASTRO_CONFIG.indexOf('integrations: ['));
    assert.ok(integrations.indexOf('noSitemap,') < integrations.indexOf('starlight('), 'the stand-in comes before Starlight looks for a sitemap');
    assert.ok(integrations.indexOf('precompress()') > integrations.indexOf('starlight('), 'precompression runs after Starlight and its Pagefind index');
  });
});
