/** Share links (src/sandbox/page/share-code.ts): the reader's code in the URL's hash. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCode, encodeCode, MAX_SHARED_CODE_BYTES, parseShareHash, shareHash, ShareTooLargeError } from '../../../src/sandbox/page/share-code.ts';
import en from '../../../content/i18n/en.json' with { type: 'json' };
import zh from '../../../content/i18n/zh-CN.json' with { type: 'json' };

test('share links round-trip code, including non-Latin text', async () => {
  const code = "console.log('你好', `${1 + 1}`);\n// ✓ done";
  const payload = await encodeCode(code);
  assert.match(payload, /^[A-Za-z0-9_-]+$/);
  assert.equal(await decodeCode(payload), code);
  const hash = await shareHash('echo', code);
  assert.deepEqual(parseShareHash(hash), { id: 'echo', payload });
  assert.equal(parseShareHash('#overview'), null);
  await assert.rejects(decodeCode('not-deflate'));
});

test('a share link holds at most MAX_SHARED_CODE_BYTES of code: longer code is refused, and a link that inflates past it is refused', async () => {
  const limit = 'x'.repeat(MAX_SHARED_CODE_BYTES);
  assert.equal(await decodeCode(await encodeCode(limit)), limit);
  await assert.rejects(encodeCode(`${limit}x`), ShareTooLargeError);
  // A crafted link: 10 MB of one letter deflates to a few KB, and must not be inflated whole.
  const bomb = await new Response(new Blob([new Uint8Array(10_000_000).fill(120)]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer();
  const payload = btoa(String.fromCharCode(...new Uint8Array(bomb))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  assert.ok(payload.length < 20_000, `payload of ${payload.length} characters`);
  await assert.rejects(decodeCode(payload), /MAX_SHARED_CODE_BYTES/);
  for (const strings of [en, zh] as Record<string, string>[]) assert.ok(strings['sandbox.share.tooLarge']?.includes('{{max}}'));
});
