/** A sandbox's `expect` attribute (src/sandbox/build/sandbox-expect.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesExpect, parseExpect } from '../../../src/sandbox/build/sandbox-expect.ts';

test('expect accepts text or a /pattern/flags, and says when a pattern is broken', () => {
  assert.equal(matchesExpect('tick 12', 'tick'), true);
  assert.equal(matchesExpect('poll 3: 2 messages', '/poll 3: \\d+ message/'), true);
  assert.equal(matchesExpect('TICK', '/tick/i'), true);
  assert.equal(matchesExpect('tock', 'tick'), false);
  assert.deepEqual(parseExpect('a/b'), { kind: 'text', text: 'a/b' });
  assert.throws(() => parseExpect('/(unclosed/'), /not a valid regular expression/);
});
