/** The server side of the wire view: clock offset, reading the tap into connections, and matching them to browser lanes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TapEvent } from '../../../server/runs/tap.ts';
import { browserTime, clockOffset, headerValue, matchConnections, requestLine, serverMatchKey, ServerModel, sseFields, type ServerConnection } from '../../../src/sandbox/page/wire-server.ts';
import en from '../../../content/i18n/en.json' with { type: 'json' };

const strings = en as Record<string, string>;
const say = (key: string, values: Record<string, string | number> = {}) =>
  (strings[`sandbox.wire.${key}`] ?? key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));

const T0 = Date.parse('2026-11-26T08:00:00.000Z');

function tap(seq: number, ms: number, fields: Partial<TapEvent> & Pick<TapEvent, 'connection' | 'technique' | 'kind'>): TapEvent {
  return { seq, time: new Date(T0 + ms).toISOString(), direction: 'out', bytes: 0, ...fields };
}

function head(connection: string, technique: TapEvent['technique'], ms: number, line: string, extra = ''): TapEvent {
  const text = `${line}\r\nHost: localhost\r\n${extra}\r\n`;
  return tap(ms, ms, { connection, technique, kind: 'request-head', direction: 'in', text, bytes: text.length });
}

function connection(id: string, technique: TapEvent['technique'], match: string, start: number, end?: number): ServerConnection {
  return { id, technique, match, label: match, start, ...(end === undefined ? {} : { end }), marks: [], dropped: 0, bytesUp: 0, bytesDown: 0 };
}

describe('the clock offset', () => {
  it('takes the middle of the request as the moment the server read its clock', () => {
    assert.equal(clockOffset(1000, 1100, 5050), 4000);
    assert.equal(clockOffset(1000, 1000, 1000), 0);
  });

  it('puts a server time on the browser clock by taking the offset off', () => {
    assert.equal(browserTime('2026-11-26T08:00:05.000Z', 4000), T0 + 1000);
    assert.equal(browserTime('2026-11-26T08:00:00.000Z', -250), T0 + 250);
  });
});

describe('reading request heads', () => {
  it('drops the run parameter the frame adds, and keeps the reader’s own query', () => {
    assert.deepEqual(requestLine('GET /api/poll/clock?limit=1&run=abc_DEF-123 HTTP/1.1\r\n'), { method: 'GET', target: '/api/poll/clock?limit=1' });
    assert.deepEqual(requestLine('GET /api/sse/clock?run=abc HTTP/1.1\r\n'), { method: 'GET', target: '/api/sse/clock' });
  });

  it('keys SSE and WebSocket on path and query, and other HTTP on method and path', () => {
    assert.equal(serverMatchKey('sse', 'GET /api/sse/clock?since=4&run=x HTTP/1.1\r\n'), 'sse /api/sse/clock?since=4');
    assert.equal(serverMatchKey('echo', 'GET /api/echo?run=x HTTP/1.1\r\n'), 'ws /api/echo');
    assert.equal(serverMatchKey('ws', 'GET /api/ws/room?run=x HTTP/1.1\r\n'), 'ws /api/ws/room');
    assert.equal(serverMatchKey('poll', 'GET /api/poll/clock?limit=1&run=x HTTP/1.1\r\n'), 'http GET /api/poll/clock');
    assert.equal(serverMatchKey('publish', 'POST /api/publish/room?run=x HTTP/1.1\r\n'), 'http POST /api/publish/room');
  });

  it('reads a header whatever its case, and the fields of an SSE chunk on one line', () => {
    assert.equal(headerValue('GET / HTTP/1.1\r\nlast-event-id: 7-3\r\n\r\n', 'Last-Event-ID'), '7-3');
    assert.equal(headerValue('GET / HTTP/1.1\r\n\r\n', 'Last-Event-ID'), undefined);
    assert.equal(sseFields('id: 1-2\nevent: tick\ndata: {"n":1}\n\n'), 'id: 1-2 · event: tick · data: {"n":1}');
  });
});

describe('the server model', () => {
  it('folds tap events into connections on the browser clock, with bytes both ways', () => {
    const model = new ServerModel(T0, 2000, say);
    model.add(head('c1', 'sse', 2300, 'GET /api/sse/clock?run=x HTTP/1.1', 'Last-Event-ID: 1-9\r\n'));
    model.add(tap(2, 2400, { connection: 'c1', technique: 'sse', kind: 'response-head', text: 'HTTP/1.1 200 OK\r\n\r\n', bytes: 19 }));
    model.add(tap(3, 2500, { connection: 'c1', technique: 'sse', kind: 'sse', text: 'id: 1-10\nevent: tick\ndata: {}\n\n', bytes: 32 }));
    model.add(tap(4, 2600, { connection: 'c1', technique: 'sse', kind: 'fault', fault: 'drop-abrupt' }));
    model.add(tap(5, 2600, { connection: 'c1', technique: 'sse', kind: 'close', by: 'fault', code: 'abrupt' }));
    const [sse] = model.connections;
    assert.ok(sse);
    assert.equal(sse.label, 'GET /api/sse/clock');
    assert.equal(sse.start, 300);
    assert.equal(sse.end, 600);
    assert.deepEqual(sse.marks.map((mark) => mark.at), [300, 400, 500, 600, 600]);
    assert.match(sse.marks[0]?.text ?? '', /Last-Event-ID: 1-9/);
    assert.match(sse.marks[0]?.detail ?? '', /^Host: localhost$/m);
    assert.match(sse.marks[0]?.detail ?? '', /^GET \/api\/sse\/clock HTTP\/1\.1$/m);
    assert.equal(sse.marks[2]?.text, 'id: 1-10 · event: tick · data: {} (32 B)');
    assert.equal(sse.marks[3]?.text, '⚡ the fault took effect here: drop (abrupt)');
    assert.equal(sse.marks[4]?.text, 'cut abruptly by a fault (no clean end)');
    assert.equal(sse.bytesDown, 19 + 32);
    assert.equal(sse.bytesUp, (sse.marks[0]?.bytes ?? 0));
    assert.equal(model.count, 5);
  });

  it('marks ping, pong and close frames as control frames and says a client frame is masked', () => {
    const model = new ServerModel(T0, 0, say);
    model.add(head('w', 'echo', 10, 'GET /api/echo?run=x HTTP/1.1'));
    const frame = { fin: true, rsv1: false, rsv2: false, rsv3: false, masked: true, maskingKey: '0a0b0c0d', lengthEncoding: 7 as const, headerBytes: 6, payloadHex: '', payloadLength: 2 };
    const text = model.add(tap(2, 20, { connection: 'w', technique: 'echo', kind: 'ws-frame', direction: 'in', bytes: 8, frame: { ...frame, opcode: 1, opcodeName: 'text', text: 'hi' } }));
    const ping = model.add(tap(3, 30, { connection: 'w', technique: 'echo', kind: 'ws-frame', bytes: 2, frame: { ...frame, masked: false, maskingKey: null, opcode: 9, opcodeName: 'ping', payloadLength: 0, headerBytes: 2 } }));
    assert.equal(text.control, false);
    assert.equal(text.way, 'up');
    assert.equal(text.text, '↑ text · 2 B hi · masked');
    assert.equal(ping.control, true);
    assert.equal(ping.way, 'down');
  });
});

describe('keeping cause before effect', () => {
  it('moves the server side later when the offset puts a request before its lane opened, and later events with it', () => {
    const model = new ServerModel(T0, 0, say);
    const first = model.add(head('w', 'echo', 90, 'GET /api/echo?run=x HTTP/1.1'));
    const matched = new Map([['w', 'lane-ws']]);
    assert.equal(model.keepCausal([{ key: 'lane-ws', start: 130 }], matched), 40);
    assert.equal(first.at, 130, 'the request head now comes when the browser opened the socket');
    assert.equal(model.connections[0]?.start, 130);
    const later = model.add(tap(2, 100, { connection: 'w', technique: 'echo', kind: 'close', direction: 'in', by: 'client', code: 1000 }));
    assert.equal(later.at, 140, 'events that come after keep the corrected offset');
    assert.equal(model.keepCausal([{ key: 'lane-ws', start: 130 }], matched), 0, 'once in order, nothing moves');
  });

  it('leaves a server side that is already after its lanes alone, and moves at most 250 ms', () => {
    const model = new ServerModel(T0, 0, say);
    model.add(head('p', 'poll', 50, 'GET /api/poll/clock?run=x HTTP/1.1'));
    assert.equal(model.keepCausal([{ key: 'lane-poll', start: 40 }], new Map([['p', 'lane-poll']])), 0);
    assert.equal(model.keepCausal([{ key: 'lane-poll', start: 5000 }], new Map([['p', 'lane-poll']])), 250);
  });
});

describe('matching server connections to browser lanes', () => {
  const lane = (key: string, kind: 'fetch' | 'xhr' | 'sse' | 'ws', match: string, start: number, end?: number) => ({ key, kind, match, start, ...(end === undefined ? {} : { end }) });

  it('puts every request to one method and path on that path’s lane', () => {
    const matched = matchConnections([lane('poll', 'fetch', 'http GET /api/poll/clock', 0)], [connection('a', 'poll', 'http GET /api/poll/clock', 10), connection('b', 'poll', 'http GET /api/poll/clock', 20)]);
    assert.deepEqual([...matched], [['a', 'poll'], ['b', 'poll']]);
  });

  it('gives the n-th EventSource to a URL the n-th connection to it, and a reconnect to the lane whose connection ended', () => {
    const lanes = [lane('sse #1', 'sse', 'sse /api/sse/clock', 0), lane('sse #2', 'sse', 'sse /api/sse/clock', 5)];
    const connections = [
      connection('a', 'sse', 'sse /api/sse/clock', 10, 500),
      connection('b', 'sse', 'sse /api/sse/clock', 12),
      connection('c', 'sse', 'sse /api/sse/clock', 800),
    ];
    assert.deepEqual([...matchConnections(lanes, connections)], [['a', 'sse #1'], ['b', 'sse #2'], ['c', 'sse #1']]);
  });

  it('gives a reconnect to a lane the browser closed a moment before, as the two clocks may be that far apart', () => {
    const lanes = [lane('sse #1', 'sse', 'sse /api/sse/clock', 0, 3710)];
    const connections = [connection('a', 'sse', 'sse /api/sse/clock', 10, 1750), connection('b', 'sse', 'sse /api/sse/clock', 3750)];
    assert.deepEqual([...matchConnections(lanes, connections)], [['a', 'sse #1'], ['b', 'sse #1']]);
  });

  it('leaves alone a connection no lane can take: a second WebSocket, an EventSource the browser closed, another path', () => {
    const lanes = [lane('ws #1', 'ws', 'ws /api/echo', 0), lane('sse #2', 'sse', 'sse /api/sse/a', 0, 300)];
    const connections = [
      connection('w1', 'echo', 'ws /api/echo', 5, 100),
      connection('w2', 'echo', 'ws /api/echo', 200),
      connection('s1', 'sse', 'sse /api/sse/a', 5, 250),
      connection('s2', 'sse', 'sse /api/sse/a', 1900),
      connection('x', 'poll', 'http GET /api/poll/b', 5),
    ];
    assert.deepEqual([...matchConnections(lanes, connections)], [['w1', 'ws #1'], ['s1', 'sse #2']]);
  });
});
