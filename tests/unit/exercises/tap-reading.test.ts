/** Reading a run's tap into requests and messages, from hand-made events: the edge cases recordings rarely show. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TapEvent } from '../../../server/runs/tap.ts';
import { countLogged, envelopesIn, publishedMessages, readRequests } from '../../../src/exercises/tap-reading.ts';

let seq = 0;
function event(fields: Partial<TapEvent> & Pick<TapEvent, 'connection' | 'kind' | 'direction'>): TapEvent {
  seq += 1;
  return { seq, time: new Date(Date.UTC(2026, 10, 26, 8, 0, 0, seq * 10)).toISOString(), technique: 'sse', bytes: 0, ...fields };
}
const envelope = (id: string, type = 'message') => `{"id":"${id}","channel":"ex","type":"${type}","data":{"n":1},"time":"2026-11-26T08:00:00.000Z"}`;

describe('reading the tap', () => {
  it('finds envelopes in a text cut at 2 KiB, where JSON.parse would fail', () => {
    const page = `{"messages":[${envelope('a-1')},${envelope('a-2', 'stop')},{"id":"a-3","chan`;
    assert.deepEqual(envelopesIn(page), [
      { id: 'a-1', channel: 'ex', type: 'message' },
      { id: 'a-2', channel: 'ex', type: 'stop' },
    ]);
  });

  it('reads a request: its URL without run=, its headers, status, messages and close', () => {
    const tap = [
      event({ connection: 'c1', kind: 'request-head', direction: 'in', text: 'GET /api/sse/ex?lastEventId=a-0&run=RUN HTTP/1.1\r\nLast-Event-ID: a-9\r\nHost: x\r\n\r\n' }),
      event({ connection: 'c1', kind: 'response-head', direction: 'out', text: 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n' }),
      event({ connection: 'c1', kind: 'sse', direction: 'out', text: `id: a-10\nevent: message\ndata: ${envelope('a-10')}\n\n` }),
      event({ connection: 'c1', kind: 'close', direction: 'in', by: 'client' }),
    ];
    const [request] = readRequests(tap);
    assert.ok(request);
    assert.equal(request.url, '/api/sse/ex?lastEventId=a-0');
    assert.equal(request.channel, 'ex');
    assert.equal(request.headers.get('last-event-id'), 'a-9');
    assert.equal(request.status, 200);
    assert.deepEqual(request.delivered.map((m) => m.id), ['a-10']);
    assert.equal(request.closedBy, 'client');
  });

  it('does not count writes the server recorded after a fault cut the connection', () => {
    const tap = [
      event({ connection: 'c1', kind: 'request-head', direction: 'in', text: 'GET /api/sse/ex?run=RUN HTTP/1.1\r\n\r\n' }),
      event({ connection: 'c1', kind: 'sse', direction: 'out', text: `id: a-1\ndata: ${envelope('a-1')}\n\n` }),
      event({ connection: 'c1', kind: 'fault', direction: 'out', fault: 'dropAfter 1' }),
      event({ connection: 'c1', kind: 'sse', direction: 'out', text: `id: a-2\ndata: ${envelope('a-2')}\n\n` }),
      event({ connection: 'c1', kind: 'close', direction: 'out', by: 'fault', code: 'abrupt' }),
    ];
    assert.deepEqual(readRequests(tap)[0]?.delivered.map((m) => m.id), ['a-1']);
  });

  it('takes the published messages from the answers to the run\'s own publishes', () => {
    const tap = [
      event({ connection: 'p1', technique: 'publish', kind: 'request-head', direction: 'in', text: 'POST /api/channels/ex/messages?run=RUN HTTP/1.1\r\n\r\n' }),
      event({ connection: 'p1', technique: 'publish', kind: 'body', direction: 'in', text: '{"type":"message","data":{"n":1}}' }),
      event({ connection: 'p1', technique: 'publish', kind: 'body', direction: 'out', text: `{"message":${envelope('a-5')}}` }),
    ];
    assert.deepEqual(publishedMessages(readRequests(tap), 'ex').map((m) => m.id), ['a-5']);
    assert.deepEqual(publishedMessages(readRequests(tap), 'other'), []);
  });

  it('counts an id logged alone or after one word, and not inside a sentence or as part of a longer id', () => {
    const lines = ['a-4', 'price a-4', 'asking again from a-4', 'a-41', '  a-5  ', 'news: a-5'].map((text) => ({ text }));
    assert.deepEqual(Object.fromEntries(countLogged(lines, ['a-4', 'a-5', 'a-6'])), { 'a-4': 2, 'a-5': 2, 'a-6': 0 });
  });
});
