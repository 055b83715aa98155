/** formatValue (src/sandbox/frame/format-value.ts): the run frame's console printing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatValue } from '../../../src/sandbox/frame/format-value.ts';

test('formatValue prints top-level strings raw and nested values like a console', () => {
  assert.equal(formatValue('plain'), 'plain');
  assert.equal(formatValue({ a: 1, b: 'two', c: [1, 2], d: null, e: undefined }), "{ a: 1, b: 'two', c: [ 1, 2 ], d: null, e: undefined }");
  assert.equal(formatValue(new Map([['k', 1n]])), "Map(1) { 'k' => 1n }");
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;
  assert.equal(formatValue(cycle), "{ name: 'loop', self: [Circular] }");
  assert.match(formatValue(new TypeError('bad')), /^TypeError: bad/);
  assert.ok(formatValue({ deep: { er: { and: { deeper: { still: 1 } } } } }).includes('[Object]'));
});

test('formatValue breaks long objects over lines with indentation', () => {
  const text = formatValue({ message: { id: 'mwuaong7-42', channel: 'clock', type: 'tick', data: { now: '2026-11-24T06:00:00.000Z' } } });
  assert.ok(text.split('\n').length > 1, text);
  assert.ok(text.includes("\n  message: {\n    id: 'mwuaong7-42'"), text);
});

test('formatValue is self-contained, so it survives being serialized into the frame', () => {
  const revived = new Function(`return (${String(formatValue)})`)() as typeof formatValue;
  assert.equal(revived({ ok: [true] }), '{ ok: [ true ] }');
});
