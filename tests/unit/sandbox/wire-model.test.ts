/** The wire view's model (src/sandbox/page/wire-model.ts): lanes, marks and totals from the frame's reports. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiErrorValues, WireModel, formatBytes, shortUrl, wsFrameHeaderBytes, type Say } from '../../../src/sandbox/page/wire-model.ts';
import en from '../../../content/i18n/en.json' with { type: 'json' };
import zh from '../../../content/i18n/zh-CN.json' with { type: 'json' };

/** The wire model's words, from a locale's real UI strings. */
function sayIn(strings: Record<string, string>): Say {
  return (key, values = {}) => (strings[`sandbox.wire.${key}`] ?? key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** Asserts that `actual` has these fields with these values (and says nothing about the others). */
function assertFields(actual: object, expected: Record<string, unknown>): void {
  const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, (actual as Record<string, unknown>)[key]]));
  assert.deepEqual(picked, expected);
}

function assertIncludes(text: string, part: string): void {
  assert.ok(text.includes(part), `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`);
}

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
  assert.deepEqual(
    model.lanes.map((lane) => [lane.label, lane.state]),
    [
      ['GET /api/poll/clock', 'pending'],
      ['GET /api/long-poll/clock', 'pending'],
      ['WebSocket /api/echo', 'open'],
    ],
  );
  assertFields(model.totals, { requests: 4, bytesIn: 300, bytesOut: 5, open: 1, pending: 2 });
  // Heads: three requests and a handshake estimated, one response head, and the 5-byte frame's 2 + 4 (mask) header bytes.
  assertFields(model.totals, { headOut: 2100 + 6, headIn: 200 + 129 });
  assert.equal(model.httpStreams, 2);
  assert.deepEqual(
    model.waiting.map((request) => request.lane.label),
    ['GET /api/poll/clock', 'GET /api/long-poll/clock'],
  );
  assert.equal(model.lanes[0]?.marks[0]?.text, 'GET /api/poll/clock?since=a → 200 OK · 300 B body · ≈200 B headers · 12 ms');
  model.stop(3000);
  assert.ok(model.lanes.every((lane) => lane.state !== 'pending' && lane.state !== 'open'));
  assertFields(model.totals, { open: 0, pending: 0 });
  assert.equal(model.live, false);
  assert.equal(formatBytes(1500), '1.5 KB');
  assert.equal(shortUrl('https://elsewhere.example/x', base), 'https://elsewhere.example/x');
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
  assert.deepEqual(
    model.lanes.map((lane) => lane.state),
    ['aborted', 'failed', 'retrying', 'failed'],
  );
  const notes = model.lanes.map((lane) => lane.marks.map((mark) => mark.note ?? '').join(' '));
  assert.match(notes[0] as string, /never retry/);
  assert.match(notes[1] as string, /DevTools.*CORS/);
  assert.match(notes[2] as string, /reconnects by itself/);
  assert.match(notes[3] as string, /text\/event-stream.*MIME/);
  // The reconnecting EventSource still counts as open; the one that gave up does not.
  assert.equal(model.totals.open, 1);
  for (const strings of [en, zh] as Record<string, string>[]) {
    for (const state of ['pending', 'connecting', 'open', 'retrying', 'done', 'closed', 'failed', 'aborted']) assert.ok(strings[`sandbox.wire.state.${state}`], state);
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
  const [echo, refused] = model.lanes.map((lane) => lane.marks.map((mark) => `${mark.text} ${mark.note ?? ''}`).join('\n')) as [string, string];
  assertIncludes(echo, '握手 /api/echo');
  assertIncludes(echo, '已打开');
  assert.match(echo, /close\(\) 之后调用了 send\(\)：5 B 被丢弃/);
  assert.match(echo, /关闭 1005 1005 表示关闭帧里没有状态码/);
  assert.match(refused, /出错 握手失败/);
  assert.match(refused, /关闭 1006 （非正常关闭） 1006 表示连接在没有关闭帧的情况下结束了/);
  for (const english of ['handshake', 'open', 'error', '(not clean)']) assert.ok(!`${echo}\n${refused}`.includes(english), english);
  assert.equal(wsFrameHeaderBytes(5, true), 6);
  assert.equal(wsFrameHeaderBytes(200, false), 4);
  assert.equal(wsFrameHeaderBytes(70_000, true), 14);
});

test('API errors keep their code and read as a Chinese sentence built from the values in the server message, with the English one kept', () => {
  const base = 'http://127.0.0.1:3000/';
  const message = 'limit must be an integer from 1 to 100 (POLL_MAX_LIMIT); received "500"';
  assertFields(apiErrorValues(message), { name: 'limit', min: '1', max: '100', setting: 'POLL_MAX_LIMIT', received: '"500"' });
  const model = new WireModel(0, base, sayIn(zh));
  model.add({ k: 'wire', t: 0, id: 1, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/poll/clock?limit=500`, bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 1, id: 1, kind: 'fetch', ev: 'response', status: 400, statusText: 'Bad Request', headBytes: 1 });
  model.add({ k: 'wire', t: 2, id: 1, kind: 'fetch', ev: 'api-error', code: 'INVALID_LIMIT', message });
  const note = model.lanes[0]?.marks[0]?.note ?? '';
  assertIncludes(note, 'INVALID_LIMIT: limit 必须是 1 到 100 之间的整数（POLL_MAX_LIMIT）；收到的是 "500"。');
  assertIncludes(note, `服务器原文：${message}`);
  const english = new WireModel(0, base, sayIn(en));
  english.add({ k: 'wire', t: 0, id: 1, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/poll/clock?limit=500`, bytesOut: 0, headBytes: 1 });
  english.add({ k: 'wire', t: 2, id: 1, kind: 'fetch', ev: 'api-error', code: 'INVALID_LIMIT', message });
  assert.equal(english.lanes[0]?.marks[0]?.note, `INVALID_LIMIT: ${message}`);
  // Every code with a Chinese sentence has its English key too (which shows the server's own message).
  for (const key of Object.keys(zh).filter((k) => k.startsWith('sandbox.wire.api.'))) assert.ok((en as Record<string, string>)[key], key);
});

test('the new error codes and the byte rate limit read as Chinese sentences with the values from the server message', () => {
  const base = 'http://127.0.0.1:3000/';
  const note = (code: string, message: string) => {
    const model = new WireModel(0, base, sayIn(zh));
    model.add({ k: 'wire', t: 0, id: 1, kind: 'fetch', ev: 'start', method: 'POST', url: `${base}api/publish/chat`, bytesOut: 0, headBytes: 1 });
    model.add({ k: 'wire', t: 2, id: 1, kind: 'fetch', ev: 'api-error', code, message });
    return model.lanes[0]?.marks[0]?.note ?? '';
  };
  assertIncludes(
    note('RATE_LIMITED', 'your address 127.0.0.1 is publishing faster than 65536 bytes per second (PUBLISH_BYTES_PER_S, bursts of 131072: twice the rate); retry after 2 s'),
    '发布得太快了：上限是每秒 65536 字节（PUBLISH_BYTES_PER_S）；请 2 秒后再试。',
  );
  assertIncludes(
    note('RATE_LIMITED', 'your address 127.0.0.1 is publishing faster than 5 messages per second (PUBLISH_RATE_PER_S, bursts of 10: PUBLISH_BURST); retry after 1 s'),
    '上限是每秒 5 条消息（PUBLISH_RATE_PER_S）；请 1 秒后再试。',
  );
  assertIncludes(note('MESSAGE_TOO_LARGE', 'the 70000-byte frame is larger than the most allowed, 65536 bytes (MAX_MESSAGE_BYTES)'), '这条消息有 70000 字节，超过了上限 65536 字节（MAX_MESSAGE_BYTES）。');
  assertIncludes(note('JSON_TOO_DEEP', 'the body nests objects and arrays more than 32 levels deep (MAX_JSON_DEPTH, counting the outer object); send flatter data'), '最多只能嵌套 32 层（MAX_JSON_DEPTH，');
  assertIncludes(note('UNSUPPORTED_CHARSET', 'the body\'s charset is "utf-7"; JSON must be UTF-8: send Content-Type: application/json, or application/json; charset=utf-8'), '请求体的字符集是 "utf-7"，');
  assertIncludes(note('RESUME_IN_PROGRESS', 'a replay is still being sent on this socket; resume again (received since="5-0") only after its messages have arrived'), '这次收到的 since 是 "5-0"');
  assertIncludes(
    note('HOST_NOT_ALLOWED', 'this server does not answer to the host "evil.test"; it answers to localhost, its own addresses and ALLOWED_HOSTS, which keeps other sites out (DNS rebinding); add it'),
    '不响应主机名 "evil.test"：',
  );
  assertIncludes(
    note('REFUSED_BY_FAULT', "this run's refuseReconnects fault answers 503; it will refuse 2 more (DELETE /api/runs/:run/faults to switch it off)"),
    '这次运行（run）开启了 refuseReconnects 故障，服务器按设定回答了 503；',
  );
  assertIncludes(note('HEADERS_TOO_LARGE', 'the request headers are larger than 16384 bytes (MAX_HEADER_BYTES)'), '超过了 16384 字节（MAX_HEADER_BYTES）');
});

test('what a run holds is derived from its requests and lanes: held is pending requests plus open connections, a retrying EventSource holds no pool connection', () => {
  const base = 'http://127.0.0.1:3000/';
  const model = new WireModel(0, base, sayIn(en));
  const held = () => ({ held: model.held, open: model.totals.open, pending: model.totals.pending, live: model.live, httpStreams: model.httpStreams, starts: model.streamStarts });
  assert.deepEqual(held(), { held: 0, open: 0, pending: 0, live: false, httpStreams: 0, starts: [] });
  model.add({ k: 'wire', t: 10, id: 1, kind: 'fetch', ev: 'start', method: 'GET', url: `${base}api/long-poll/clock`, bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 20, id: 2, kind: 'sse', ev: 'start', method: 'GET', url: `${base}api/sse/clock`, bytesOut: 0, headBytes: 1 });
  model.add({ k: 'wire', t: 30, id: 3, kind: 'ws', ev: 'start', method: 'GET', url: 'ws://127.0.0.1:3000/api/echo', bytesOut: 0, headBytes: 1 });
  assert.deepEqual(held(), { held: 3, open: 2, pending: 1, live: true, httpStreams: 2, starts: [10, 20] });
  model.add({ k: 'wire', t: 40, id: 2, kind: 'sse', ev: 'open' });
  model.add({ k: 'wire', t: 41, id: 3, kind: 'ws', ev: 'open', protocol: '' });
  model.add({ k: 'wire', t: 50, id: 1, kind: 'fetch', ev: 'response', status: 200, statusText: 'OK', headBytes: 1 });
  model.add({ k: 'wire', t: 51, id: 1, kind: 'fetch', ev: 'end', bytesIn: 10 });
  assert.deepEqual(held(), { held: 2, open: 2, pending: 0, live: true, httpStreams: 1, starts: [20] });
  // The EventSource lost its connection and waits to reconnect: still open to the reader, out of the pool meanwhile.
  model.add({ k: 'wire', t: 60, id: 2, kind: 'sse', ev: 'state', readyState: 0 });
  model.add({ k: 'wire', t: 60, id: 2, kind: 'sse', ev: 'error' });
  assert.deepEqual(held(), { held: 2, open: 2, pending: 0, live: true, httpStreams: 0, starts: [] });
  model.add({ k: 'wire', t: 70, id: 3, kind: 'ws', ev: 'close', code: 1000, reason: '', wasClean: true });
  assert.deepEqual(held(), { held: 1, open: 1, pending: 0, live: true, httpStreams: 0, starts: [] });
  model.stop(80);
  assert.deepEqual(held(), { held: 0, open: 0, pending: 0, live: false, httpStreams: 0, starts: [] });
});
