/** Unit tests of the sandbox's plain logic (src/sandbox), run by Playwright's runner in Node. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { formatValue } from '../../src/sandbox/frame/format-value.ts';
import { runUrls } from '../../src/sandbox/frame/run-url.ts';
import { matchesExpect, parseExpect } from '../../src/sandbox/build/sandbox-expect.ts';
import { decodeCode, encodeCode, MAX_SHARED_CODE_BYTES, parseShareHash, shareHash, ShareTooLargeError } from '../../src/sandbox/page/share-code.ts';
import { decodeHtmlEntities, extractSandboxCode, sandboxId } from '../../src/sandbox/build/sandbox-source.ts';
import { SANDBOX_PLACEHOLDERS, SANDBOX_STRING_KEYS } from '../../src/sandbox/build/sandbox-strings.ts';
import { apiErrorValues, WireModel, formatBytes, shortUrl, wsFrameHeaderBytes, type Say } from '../../src/sandbox/page/wire-model.ts';
import en from '../../content/i18n/en.json' with { type: 'json' };
import zh from '../../content/i18n/zh-CN.json' with { type: 'json' };

/** The wire model's words, from a locale's real UI strings. */
function sayIn(strings: Record<string, string>): Say {
  return (key, values = {}) => (strings[`sandbox.wire.${key}`] ?? key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

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

test('run= goes on the API’s URLs only, last in the query, once, before the hash, and comes off as it went on', () => {
  const run = 'AbC-123_xyzXYZ0123456789';
  const urls = runUrls('http://127.0.0.1:3000/', run);
  expect(urls.add('/api/poll/clock')).toBe(`http://127.0.0.1:3000/api/poll/clock?run=${run}`);
  expect(urls.add('api/sse/clock?limit=2&since=a%20b#frag')).toBe(`http://127.0.0.1:3000/api/sse/clock?limit=2&since=a%20b&run=${run}#frag`);
  expect(urls.add('ws://127.0.0.1:3000/api/echo')).toBe(`ws://127.0.0.1:3000/api/echo?run=${run}`);
  // Already naming a run (even another one): left as it is.
  expect(urls.add('/api/poll/clock?run=other')).toBeUndefined();
  // Not the API: another host, port or scheme, a path outside /api/, a data: URL.
  for (const other of ['http://localhost:3000/api/poll/clock', 'http://127.0.0.1:3001/api/poll/clock', 'wss://127.0.0.1/api/echo', '/apiary/x', '/api', '/lessons/', 'data:text/plain,api/', 'http://[::1', 'https://cdn.example/api/x']) {
    expect(urls.add(other), other).toBeUndefined();
  }
  // Default ports count as spelled out: http and ws on 80, https and wss on 443.
  expect(runUrls('http://lab.test/', run).add('ws://lab.test:80/api/echo')).toBe(`ws://lab.test/api/echo?run=${run}`);
  expect(runUrls('https://lab.test/', run).add('wss://lab.test/api/echo')).toBe(`wss://lab.test/api/echo?run=${run}`);
  expect(runUrls('https://lab.test/', run).add('ws://lab.test/api/echo')).toBeUndefined();
  for (const url of ['/api/poll/clock', 'api/sse/clock?limit=2#frag', 'ws://127.0.0.1:3000/api/echo?a=1']) {
    const absolute = new URL(url, 'http://127.0.0.1:3000/').href;
    expect(urls.remove(urls.add(url) as string)).toBe(absolute);
  }
  expect(urls.remove('http://127.0.0.1:3000/api/poll/clock?run=other')).toBe('http://127.0.0.1:3000/api/poll/clock?run=other');
  // Self-contained: it works serialized into the frame.
  const revived = new Function(`return (${String(runUrls)})`)() as typeof runUrls;
  expect(revived('http://127.0.0.1:3000/', run).add('/api/echo')).toBe(`http://127.0.0.1:3000/api/echo?run=${run}`);
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

test('a share link holds at most MAX_SHARED_CODE_BYTES of code: longer code is refused, and a link that inflates past it is refused', async () => {
  const limit = 'x'.repeat(MAX_SHARED_CODE_BYTES);
  expect(await decodeCode(await encodeCode(limit))).toBe(limit);
  await expect(encodeCode(`${limit}x`)).rejects.toBeInstanceOf(ShareTooLargeError);
  // A crafted link: 10 MB of one letter deflates to a few KB, and must not be inflated whole.
  const bomb = await new Response(new Blob([new Uint8Array(10_000_000).fill(120)]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer();
  const payload = btoa(String.fromCharCode(...new Uint8Array(bomb))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  expect(payload.length).toBeLessThan(20_000);
  await expect(decodeCode(payload)).rejects.toThrow(/MAX_SHARED_CODE_BYTES/);
  for (const strings of [en, zh] as Record<string, string>[]) expect(strings['sandbox.share.tooLarge']).toContain('{{max}}');
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
  const model = new WireModel(1000, base, sayIn(en));
  model.add({ k: 'wire', t: 1000, id: 1, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/poll/clock?since=a`, bytesOut: 0, headBytes: 500 });
  model.add({ k: 'wire', t: 1010, id: 1, kind: 'fetch', ev: 'response', status: 200, statusText: 'OK', headBytes: 200 });
  model.add({ k: 'wire', t: 1012, id: 1, kind: 'fetch', ev: 'end', bytesIn: 300 });
  model.add({ k: 'wire', t: 2000, id: 2, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/poll/clock?since=b`, bytesOut: 0, headBytes: 500 });
  model.add({ k: 'wire', t: 2000, id: 3, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/long-poll/clock`, bytesOut: 0, headBytes: 500 });
  model.add({ k: 'wire', t: 2100, id: 4, kind: 'ws', ev: 'start', method: 'GET', url: 'ws://127.0.0.1:3000/api/echo', bytesOut: 0, headBytes: 600 });
  model.add({ k: 'wire', t: 2150, id: 4, kind: 'ws', ev: 'open', protocol: '' });
  model.add({ k: 'wire', t: 2160, id: 4, kind: 'ws', ev: 'frame', dir: 'out', bytes: 5, preview: 'hello', binary: false });
  expect(model.lanes.map((lane) => [lane.label, lane.state])).toEqual([
    ['GET /api/poll/clock', 'pending'],
    ['GET /api/long-poll/clock', 'pending'],
    ['WebSocket /api/echo', 'open'],
  ]);
  expect(model.totals).toMatchObject({ requests: 4, bytesIn: 300, bytesOut: 5, open: 1, pending: 2 });
  // Heads: three requests and a handshake estimated, one response head, and the 5-byte frame's 2 + 4 (mask) header bytes.
  expect(model.totals).toMatchObject({ headOut: 2100 + 6, headIn: 200 + 129 });
  expect(model.httpStreams).toBe(2);
  expect(model.waiting.map((request) => request.lane.label)).toEqual(['GET /api/poll/clock', 'GET /api/long-poll/clock']);
  expect(model.lanes[0]?.marks[0]?.text).toBe('GET /api/poll/clock?since=a → 200 OK · 300 B body · ≈200 B headers · 12 ms');
  model.stop(3000);
  expect(model.lanes.every((lane) => lane.state !== 'pending' && lane.state !== 'open')).toBe(true);
  expect(model.totals).toMatchObject({ open: 0, pending: 0 });
  expect(model.live).toBe(false);
  expect(formatBytes(1500)).toBe('1.5 KB');
  expect(shortUrl('https://elsewhere.example/x', base)).toBe('https://elsewhere.example/x');
});

test('each lane kind has its own words: an aborted fetch is aborted, not retrying; an EventSource that gives up has failed', () => {
  const base = 'http://127.0.0.1:3000/';
  const model = new WireModel(0, base, sayIn(en));
  model.add({ k: 'wire', t: 0, id: 1, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/long-poll/x`, bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 5, id: 1, kind: 'fetch', ev: 'fail', message: 'AbortError: signal is aborted without reason', aborted: true });
  model.add({ k: 'wire', t: 0, id: 2, kind: 'fetch', ev: 'start', method: 'GET', url: 'http://nowhere.invalid/x', bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 5, id: 2, kind: 'fetch', ev: 'fail', message: 'TypeError: Failed to fetch', aborted: false });
  model.add({ k: 'wire', t: 0, id: 3, kind: 'sse', ev: 'start', method: 'GET', url: `${base}api/sse/a`, bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 1, id: 3, kind: 'sse', ev: 'open' });
  model.add({ k: 'wire', t: 2, id: 3, kind: 'sse', ev: 'state', readyState: 0 });
  model.add({ k: 'wire', t: 2, id: 3, kind: 'sse', ev: 'error' });
  model.add({ k: 'wire', t: 0, id: 4, kind: 'sse', ev: 'start', method: 'GET', url: `${base}not-a-stream`, bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 2, id: 4, kind: 'sse', ev: 'state', readyState: 2 });
  model.add({ k: 'wire', t: 2, id: 4, kind: 'sse', ev: 'error' });
  expect(model.lanes.map((lane) => lane.state)).toEqual(['aborted', 'failed', 'retrying', 'failed']);
  const notes = model.lanes.map((lane) => lane.marks.map((mark) => mark.note ?? '').join(' '));
  expect(notes[0]).toMatch(/never retry/);
  expect(notes[1]).toMatch(/DevTools.*CORS/);
  expect(notes[2]).toMatch(/reconnects by itself/);
  expect(notes[3]).toMatch(/text\/event-stream.*MIME/);
  // The reconnecting EventSource still counts as open; the one that gave up does not.
  expect(model.totals.open).toBe(1);
  for (const strings of [en, zh] as Record<string, string>[]) {
    for (const state of ['pending', 'connecting', 'open', 'retrying', 'done', 'closed', 'failed', 'aborted']) expect(strings[`sandbox.wire.state.${state}`]).toBeTruthy();
  }
});

test('the wire view speaks Chinese on Chinese pages: handshake, open, close codes 1005 and 1006 explained, send() after close() reported', () => {
  const base = 'http://127.0.0.1:3000/';
  const model = new WireModel(0, base, sayIn(zh));
  model.add({ k: 'wire', t: 0, id: 1, kind: 'ws', ev: 'start', method: 'GET', url: 'ws://127.0.0.1:3000/api/echo', bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 1, id: 1, kind: 'ws', ev: 'open', protocol: '' });
  model.add({ k: 'wire', t: 2, id: 1, kind: 'ws', ev: 'closing' });
  model.add({ k: 'wire', t: 2, id: 1, kind: 'ws', ev: 'discarded', bytes: 5, readyState: 2 });
  model.add({ k: 'wire', t: 3, id: 1, kind: 'ws', ev: 'close', code: 1005, reason: '', wasClean: true });
  model.add({ k: 'wire', t: 0, id: 2, kind: 'ws', ev: 'start', method: 'GET', url: 'ws://127.0.0.1:3000/api/nope', bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 1, id: 2, kind: 'ws', ev: 'error' });
  model.add({ k: 'wire', t: 1, id: 2, kind: 'ws', ev: 'close', code: 1006, reason: '', wasClean: false });
  const [echo, refused] = model.lanes.map((lane) => lane.marks.map((mark) => `${mark.text} ${mark.note ?? ''}`).join('\n'));
  expect(echo).toContain('握手 /api/echo');
  expect(echo).toContain('已打开');
  expect(echo).toMatch(/close\(\) 之后调用了 send\(\)：5 B 被丢弃/);
  expect(echo).toMatch(/关闭 1005 1005 表示关闭帧里没有状态码/);
  expect(refused).toMatch(/出错 握手失败/);
  expect(refused).toMatch(/关闭 1006 （非正常关闭） 1006 表示连接在没有关闭帧的情况下结束了/);
  for (const english of ['handshake', 'open', 'error', '(not clean)']) expect(`${echo}\n${refused}`).not.toContain(english);
  expect(wsFrameHeaderBytes(5, true)).toBe(6);
  expect(wsFrameHeaderBytes(200, false)).toBe(4);
  expect(wsFrameHeaderBytes(70_000, true)).toBe(14);
});

test('API errors keep their code and read as a Chinese sentence built from the values in the server message, with the English one kept', () => {
  const base = 'http://127.0.0.1:3000/';
  const message = 'limit must be an integer from 1 to 100 (POLL_MAX_LIMIT); received "500"';
  expect(apiErrorValues(message)).toMatchObject({ name: 'limit', min: '1', max: '100', setting: 'POLL_MAX_LIMIT', received: '"500"' });
  const model = new WireModel(0, base, sayIn(zh));
  model.add({ k: 'wire', t: 0, id: 1, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/poll/clock?limit=500`, bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 1, id: 1, kind: 'fetch', ev: 'response', status: 400, statusText: 'Bad Request', headBytes: 1 });
  model.add({ k: 'wire', t: 2, id: 1, kind: 'fetch', ev: 'api-error', code: 'INVALID_LIMIT', message });
  const note = model.lanes[0]?.marks[0]?.note ?? '';
  expect(note).toContain('INVALID_LIMIT: limit 必须是 1 到 100 之间的整数（POLL_MAX_LIMIT）；收到的是 "500"。');
  expect(note).toContain(`服务器原文：${message}`);
  const english = new WireModel(0, base, sayIn(en));
  english.add({ k: 'wire', t: 0, id: 1, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/poll/clock?limit=500`, bytesOut: 0, headBytes: 1 });
  english.add({ k: 'wire', t: 2, id: 1, kind: 'fetch', ev: 'api-error', code: 'INVALID_LIMIT', message });
  expect(english.lanes[0]?.marks[0]?.note).toBe(`INVALID_LIMIT: ${message}`);
  // Every code with a Chinese sentence has its English key too (which shows the server's own message).
  for (const key of Object.keys(zh).filter((k) => k.startsWith('sandbox.wire.api.'))) expect((en as Record<string, string>)[key]).toBeTruthy();
});

test('every sandbox string exists in English and Chinese, with the same placeholders, and nothing else is there', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
  const english = en as Record<string, string>;
  const chinese = zh as Record<string, string>;
  for (const key of SANDBOX_STRING_KEYS) {
    expect(english[key], `${key} in en.json`).toBeTruthy();
    expect(chinese[key], `${key} in zh-CN.json`).toBeTruthy();
    for (const name of placeholders(chinese[key] as string)) {
      expect(SANDBOX_PLACEHOLDERS as readonly string[], `{{${name}}} in ${key} is filled on the page`).toContain(name);
    }
    // A Chinese API error sentence may use values read from the English message; other strings keep the same placeholders.
    if (!key.startsWith('sandbox.wire.api.')) expect(placeholders(chinese[key] as string), key).toEqual(placeholders(english[key] as string));
  }
  const sandboxKeys = (strings: Record<string, string>) => Object.keys(strings).filter((key) => key.startsWith('sandbox.'));
  expect(sandboxKeys(english).filter((key) => !(SANDBOX_STRING_KEYS as string[]).includes(key))).toEqual([]);
  expect(sandboxKeys(chinese).filter((key) => !(SANDBOX_STRING_KEYS as string[]).includes(key))).toEqual([]);
});

/** The error codes the server can send, read from its source: every `new ApiError(status, 'CODE'`, messageTooLarge's codes, and integerParam's INVALID_<NAME>. */
async function serverErrorCodes(): Promise<Set<string>> {
  const root = path.join(import.meta.dirname, '../../server');
  const files = (await readdir(root, { recursive: true })).filter((file) => file.endsWith('.ts'));
  const codes = new Set<string>();
  for (const file of files) {
    const source = await readFile(path.join(root, file), 'utf8');
    for (const match of source.matchAll(/new ApiError\(\s*[^,()]+,\s*'([A-Z][A-Z0-9_]*)'/g)) codes.add(match[1] as string);
    // messageTooLarge('BODY_TOO_LARGE' | 'MESSAGE_TOO_LARGE', …) builds the one size error of both paths.
    for (const match of source.matchAll(/messageTooLarge\(\s*'([A-Z][A-Z0-9_]*)'/g)) codes.add(match[1] as string);
    // integerParam(params, 'limit', …) builds its code from the parameter's name: INVALID_LIMIT.
    for (const match of source.matchAll(/integerParam\(\s*\w+,\s*'(\w+)'/g)) codes.add(`INVALID_${(match[1] as string).toUpperCase()}`);
  }
  return codes;
}

test('every error code the server sends has a sandbox string in both languages, and no string is kept for a code it no longer sends', async () => {
  const codes = await serverErrorCodes();
  expect(codes.size, 'codes found in server/**/*.ts').toBeGreaterThan(20);
  const prefix = 'sandbox.wire.api.';
  const translated = SANDBOX_STRING_KEYS.filter((key) => key.startsWith(prefix) && key !== 'sandbox.wire.api.original').map((key) => key.slice(prefix.length));
  expect([...codes].filter((code) => !translated.includes(code)).sort(), 'server codes without a sandbox string').toEqual([]);
  expect(translated.filter((code) => !codes.has(code)).sort(), 'sandbox strings for codes the server never sends').toEqual([]);
  for (const code of codes) expect((zh as Record<string, string>)[`${prefix}${code}`], `${code} in zh-CN.json`).toMatch(/[\u4e00-\u9fff]/);
});

test('the new error codes and the byte rate limit read as Chinese sentences with the values from the server message', () => {
  const base = 'http://127.0.0.1:3000/';
  const note = (code: string, message: string) => {
    const model = new WireModel(0, base, sayIn(zh));
    model.add({ k: 'wire', t: 0, id: 1, kind: 'fetch', ev: 'start', method: 'POST', url: `${base}api/publish/chat`, bytesOut: 0, headBytes: 1 });
    model.add({ k: 'wire', t: 2, id: 1, kind: 'fetch', ev: 'api-error', code, message });
    return model.lanes[0]?.marks[0]?.note ?? '';
  };
  expect(note('RATE_LIMITED', 'your address 127.0.0.1 is publishing faster than 65536 bytes per second (PUBLISH_BYTES_PER_S, bursts of 131072: twice the rate); retry after 2 s')).toContain(
    '发布得太快了：上限是每秒 65536 字节（PUBLISH_BYTES_PER_S）；请 2 秒后再试。',
  );
  expect(note('RATE_LIMITED', 'your address 127.0.0.1 is publishing faster than 5 messages per second (PUBLISH_RATE_PER_S, bursts of 10: PUBLISH_BURST); retry after 1 s')).toContain(
    '上限是每秒 5 条消息（PUBLISH_RATE_PER_S）；请 1 秒后再试。',
  );
  expect(note('MESSAGE_TOO_LARGE', 'the 70000-byte frame is larger than the most allowed, 65536 bytes (MAX_MESSAGE_BYTES)')).toContain('这条消息有 70000 字节，超过了上限 65536 字节（MAX_MESSAGE_BYTES）。');
  expect(note('JSON_TOO_DEEP', 'the body nests objects and arrays more than 32 levels deep (MAX_JSON_DEPTH, counting the outer object); send flatter data')).toContain('最多只能嵌套 32 层（MAX_JSON_DEPTH，');
  expect(note('UNSUPPORTED_CHARSET', 'the body\'s charset is "utf-7"; JSON must be UTF-8: send Content-Type: application/json, or application/json; charset=utf-8')).toContain('请求体的字符集是 "utf-7"，');
  expect(note('RESUME_IN_PROGRESS', 'a replay is still being sent on this socket; resume again (received since="5-0") only after its messages have arrived')).toContain('这次收到的 since 是 "5-0"');
  expect(note('HOST_NOT_ALLOWED', 'this server does not answer to the host "evil.test"; it answers to localhost, its own addresses and ALLOWED_HOSTS, which keeps other sites out (DNS rebinding); add it')).toContain('不响应主机名 "evil.test"：');
  expect(note('REFUSED_BY_FAULT', "this run's refuseReconnects fault answers 503; it will refuse 2 more (DELETE /api/runs/:run/faults to switch it off)")).toContain(
    '这次运行（run）开启了 refuseReconnects 故障，服务器按设定回答了 503；',
  );
  expect(note('HEADERS_TOO_LARGE', 'the request headers are larger than 16384 bytes (MAX_HEADER_BYTES)')).toContain('超过了 16384 字节（MAX_HEADER_BYTES）');
});
