/** The lab's arithmetic (src/lab/stats.ts, publisher.ts, strings.ts): what counts as lost, duplicated and late, the tap's counts, the exports. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/config.ts';
import { publishBody } from '../../src/lab/publisher.ts';
import { buildRows, mostBytes, percentile, Reception, rowsToCsv, rowsToJson, WireCounts } from '../../src/lab/stats.ts';
import { labStrings } from '../../src/lab/strings.ts';

describe('the lab counts deliveries against what the server acknowledged', () => {
  it('counts a seq received twice as one delivery and one duplicate', () => {
    const reception = new Reception();
    reception.receive(1, 1000, 1010);
    reception.receive(1, 1000, 1500);
    reception.receive(2, 1100, 1120);
    assert.equal(reception.delivered, 2);
    assert.equal(reception.duplicated, 1);
  });

  it('counts as lost only acknowledged seqs never received, once they are older than the settle time', () => {
    const reception = new Reception();
    reception.receive(1, 0, 10);
    const acked = new Map([
      [1, 100],
      [2, 200],
      [3, 5000],
    ]);
    assert.equal(reception.lost(acked, 1000), 1); // seq 2; seq 3 may still come
    assert.equal(reception.lost(acked, Number.POSITIVE_INFINITY), 2);
  });

  it('takes latency from the first delivery only, with nearest-rank percentiles', () => {
    const reception = new Reception();
    for (let seq = 1; seq <= 20; seq++) reception.receive(seq, 0, seq * 10);
    reception.receive(20, 0, 99_999);
    assert.deepEqual(reception.latency(), { p50: 100, p95: 190, max: 200 });
    assert.equal(percentile([], 0.5), null);
  });
});

describe('the lab reads bytes, requests and open connections from the tap', () => {
  it('adds bytes by direction, counts request heads, and holds a connection until its close', () => {
    const wire = new WireCounts();
    wire.add({ connection: 'a', technique: 'sse', direction: 'in', kind: 'request-head', bytes: 200 });
    wire.add({ connection: 'a', technique: 'sse', direction: 'out', kind: 'response-head', bytes: 150 });
    wire.add({ connection: 'a', technique: 'sse', direction: 'out', kind: 'sse', bytes: 90 });
    wire.add({ connection: 'b', technique: 'sse', direction: 'in', kind: 'request-head', bytes: 220 });
    wire.add({ connection: 'a', technique: 'sse', direction: 'out', kind: 'close', bytes: 0 });
    assert.deepEqual(wire.of('sse'), { bytesUp: 420, bytesDown: 240, requests: 2, connections: 1 });
    assert.deepEqual(wire.of('ws'), { bytesUp: 0, bytesDown: 0, requests: 0, connections: 0 });
  });
});

describe('the lab exports its table and answers the prediction', () => {
  const wire = new WireCounts();
  wire.add({ connection: 'p', technique: 'poll', direction: 'in', kind: 'request-head', bytes: 900 });
  wire.add({ connection: 'w', technique: 'ws', direction: 'out', kind: 'ws-frame', bytes: 60 });
  const receptions = new Map([['ws', new Reception()]] as const);
  receptions.get('ws')?.receive(1, 0, 5);
  const rows = buildRows(receptions, wire, new Map([[1, 0]]), Number.POSITIVE_INFINITY);

  it('names the technique that moved the most bytes', () => {
    assert.equal(mostBytes(rows), 'poll');
  });

  it('writes one CSV line per technique, latencies in ms and empty cells for no value', () => {
    const lines = rowsToCsv(rows).trimEnd().split('\r\n');
    assert.equal(lines[0], 'technique,delivered,lost,duplicated,gaps,p50Ms,p95Ms,maxMs,requests,bytesUp,bytesDown,connections');
    assert.equal(lines[1], 'poll,0,1,0,0,,,,1,900,0,1');
    assert.equal(lines[4], 'ws,1,0,0,0,5,5,5,0,0,60,0');
  });

  it('writes JSON with the settings beside the rows', () => {
    const parsed = JSON.parse(rowsToJson(rows, { rate: 5 }));
    assert.deepEqual(parsed.settings, { rate: 5 });
    assert.equal(parsed.rows.length, 4);
  });
});

describe('the lab publisher', () => {
  it('pads a body to the size asked for, and never past the server’s largest message', () => {
    for (const size of [0, 256, 1024, 16_384]) {
      const body = publishBody(12, 1_700_000_000_000, size);
      assert.ok(body.length <= Math.max(size, 80), `${size}: ${body.length}`);
      assert.ok(body.length <= DEFAULT_CONFIG.maxMessageBytes);
      if (size >= 256) assert.equal(body.length, size);
      assert.deepEqual(Object.keys(JSON.parse(body).data), ['seq', 'sentAt', 'pad']);
    }
  });
});

describe('the lab speaks both languages', () => {
  it('has every string in English and in Chinese, with the same placeholders', () => {
    const en = labStrings('en');
    const zh = labStrings('zh-CN');
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const names = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();
      assert.deepEqual(names(zh[key]), names(en[key]), key);
    }
  });
});
