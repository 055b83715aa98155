/** The snippet and id a Sandbox takes from its MDX at build time (src/sandbox/build/sandbox-source.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeHtmlEntities, extractSandboxCode, sandboxId } from '../../../src/sandbox/build/sandbox-source.ts';

test('the sandbox source is recovered from the rendered code block, and a wrong block is refused', () => {
  const html = '<pre data-language="js"><code>…</code></pre><button data-code="const a = &#x27;x&#x27;;\u007fconsole.log(a &amp;&amp; &#x60;b&#x60;);">';
  assert.equal(extractSandboxCode(html, 'T'), "const a = 'x';\nconsole.log(a && `b`);");
  assert.throws(() => extractSandboxCode('<p>no code</p>', 'T'), /contains 0 code blocks/);
  assert.throws(() => extractSandboxCode('<pre data-language="py"></pre><button data-code="x">', 'T'), /`py` block/);
  assert.equal(decodeHtmlEntities('&lt;a&gt; &#60;'), '<a> <');
  assert.equal(sandboxId('Poll the clock, 3 times!'), 'poll-the-clock-3-times');
  assert.match(sandboxId('轮询时钟'), /^sandbox-[0-9a-z]+$/);
  assert.notEqual(sandboxId('轮询时钟'), sandboxId('长轮询时钟'));
});
