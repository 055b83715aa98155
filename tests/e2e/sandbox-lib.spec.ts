/** Unit tests of the sandbox's plain logic (src/lib), run by Playwright's runner in Node. */
import { expect, test } from '@playwright/test';
import { formatValue } from '../../src/lib/format-value.ts';
import { matchesExpect, parseExpect } from '../../src/lib/sandbox-expect.ts';
import { decodeCode, encodeCode, parseShareHash, shareHash } from '../../src/lib/share-code.ts';
import { decodeHtmlEntities, extractSandboxCode, sandboxId } from '../../src/lib/sandbox-source.ts';
import { WireModel, formatBytes, shortUrl } from '../../src/lib/wire-model.ts';

test('formatValue prints top-level strings raw and nested values like a console', () => {
  expect(formatValue('plain')).toBe('plain');
  expect(formatValue({ a: 1, b: 'two', c: [1, 2], d: null, e: undefined })).toBe("{ a: 1, b: 'two', c: [ 1, 2 ], d: null, e: undefined }");
  expect(formatValue(new Map([['k', 1n]]))).toBe("Map(1) { 'k' => 1n }");
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;
  expect(formatValue(cycle)).toBe("{ name: 'loop', self: [Circular] }");
  expect(formatValue(new TypeError('bad'))).toMatch(/^TypeError: bad/);
  expect(formatValue({ deep: { er: { and: { deeper: { still: 1 } } } } })).toContain('[Object]');
});

test('formatValue breaks long objects over lines with indentation', () => {
  const text = formatValue({ message: { id: 'mwuaong7-42', channel: 'clock', type: 'tick', data: { now: '2026-11-24T06:00:00.000Z' } } });
  expect(text.split('\n').length).toBeGreaterThan(1);
  expect(text).toContain("\n  message: {\n    id: 'mwuaong7-42'");
});

test('formatValue is self-contained, so it survives being serialized into the frame', () => {
  const revived = new Function(`return (${String(formatValue)})`)() as typeof formatValue;
  expect(revived({ ok: [true] })).toBe('{ ok: [ true ] }');
});

test('expect accepts text or a /pattern/flags, and says when a pattern is broken', () => {
  expect(matchesExpect('tick 12', 'tick')).toBe(true);
  expect(matchesExpect('poll 3: 2 messages', '/poll 3: \\d+ message/')).toBe(true);
  expect(matchesExpect('TICK', '/tick/i')).toBe(true);
  expect(matchesExpect('tock', 'tick')).toBe(false);
  expect(parseExpect('a/b')).toEqual({ kind: 'text', text: 'a/b' });
  expect(() => parseExpect('/(unclosed/')).toThrow(/not a valid regular expression/);
});

test('share links round-trip code, including non-Latin text', async () => {
  const code = "console.log('你好', `${1 + 1}`);\n// ✓ done";
  const payload = await encodeCode(code);
  expect(payload).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(await decodeCode(payload)).toBe(code);
  const hash = await shareHash('echo', code);
  expect(parseShareHash(hash)).toEqual({ id: 'echo', payload });
  expect(parseShareHash('#overview')).toBeNull();
  await expect(decodeCode('not-deflate')).rejects.toThrow();
});

test('the sandbox source is recovered from the rendered code block, and a wrong block is refused', () => {
  const html = '<pre data-language="js"><code>…</code></pre><button data-code="const a = &#x27;x&#x27;;\u007fconsole.log(a &amp;&amp; &#x60;b&#x60;);">';
  expect(extractSandboxCode(html, 'T')).toBe("const a = 'x';\nconsole.log(a && `b`);");
  expect(() => extractSandboxCode('<p>no code</p>', 'T')).toThrow(/contains 0 code blocks/);
  expect(() => extractSandboxCode('<pre data-language="py"></pre><button data-code="x">', 'T')).toThrow(/`py` block/);
  expect(decodeHtmlEntities('&lt;a&gt; &#60;')).toBe('<a> <');
  expect(sandboxId('Poll the clock, 3 times!')).toBe('poll-the-clock-3-times');
  expect(sandboxId('轮询时钟')).toMatch(/^sandbox-[0-9a-z]+$/);
  expect(sandboxId('轮询时钟')).not.toBe(sandboxId('长轮询时钟'));
});

test('the wire model groups requests by endpoint, keeps held requests pending, and counts bytes', () => {
  const base = 'http://127.0.0.1:3000/';
  const model = new WireModel(1000, base);
  model.add({ k: 'wire', t: 1000, id: 1, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/poll/clock?since=a`, bytesOut: 0 });
  model.add({ k: 'wire', t: 1010, id: 1, kind: 'fetch', ev: 'response', status: 200, statusText: 'OK' });
  model.add({ k: 'wire', t: 1012, id: 1, kind: 'fetch', ev: 'end', bytesIn: 300 });
  model.add({ k: 'wire', t: 2000, id: 2, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/poll/clock?since=b`, bytesOut: 0 });
  model.add({ k: 'wire', t: 2000, id: 3, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/long-poll/clock`, bytesOut: 0 });
  model.add({ k: 'wire', t: 2100, id: 4, kind: 'ws', ev: 'start', method: 'GET', url: 'ws://127.0.0.1:3000/api/echo', bytesOut: 0 });
  model.add({ k: 'wire', t: 2150, id: 4, kind: 'ws', ev: 'open', protocol: '' });
  model.add({ k: 'wire', t: 2160, id: 4, kind: 'ws', ev: 'frame', dir: 'out', bytes: 5, preview: 'hello', binary: false });
  expect(model.lanes.map((lane) => [lane.label, lane.state])).toEqual([
    ['GET /api/poll/clock', 'pending'],
    ['GET /api/long-poll/clock', 'pending'],
    ['WebSocket /api/echo', 'open'],
  ]);
  expect(model.totals).toEqual({ requests: 4, bytesIn: 300, bytesOut: 5, open: 1 });
  expect(model.lanes[0]?.marks[0]?.text).toBe('GET /api/poll/clock?since=a → 200 OK · 300 B · 12 ms');
  model.stop(3000, 'closed by Stop');
  expect(model.lanes.every((lane) => lane.state !== 'pending' && lane.state !== 'open')).toBe(true);
  expect(model.totals.open).toBe(0);
  expect(formatBytes(1500)).toBe('1.5 KB');
  expect(shortUrl('https://elsewhere.example/x', base)).toBe('https://elsewhere.example/x');
});
