/** The sandbox's UI strings (src/sandbox/build/sandbox-strings.ts) against content/i18n and the server's error codes. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { SANDBOX_PLACEHOLDERS, SANDBOX_STRING_KEYS } from '../../../src/sandbox/build/sandbox-strings.ts';
import en from '../../../content/i18n/en.json' with { type: 'json' };
import zh from '../../../content/i18n/zh-CN.json' with { type: 'json' };

test('every sandbox string exists in English and Chinese, with the same placeholders, and nothing else is there', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
  const english = en as Record<string, string>;
  const chinese = zh as Record<string, string>;
  for (const key of SANDBOX_STRING_KEYS) {
    assert.ok(english[key], `${key} in en.json`);
    assert.ok(chinese[key], `${key} in zh-CN.json`);
    for (const name of placeholders(chinese[key] as string)) {
      assert.ok((SANDBOX_PLACEHOLDERS as readonly string[]).includes(name as string), `{{${name}}} in ${key} is filled on the page`);
    }
    // A Chinese API error sentence may use values read from the English message; other strings keep the same placeholders.
    if (!key.startsWith('sandbox.wire.api.')) assert.deepEqual(placeholders(chinese[key] as string), placeholders(english[key] as string), key);
  }
  const sandboxKeys = (strings: Record<string, string>) => Object.keys(strings).filter((key) => key.startsWith('sandbox.'));
  assert.deepEqual(
    sandboxKeys(english).filter((key) => !(SANDBOX_STRING_KEYS as string[]).includes(key)),
    [],
  );
  assert.deepEqual(
    sandboxKeys(chinese).filter((key) => !(SANDBOX_STRING_KEYS as string[]).includes(key)),
    [],
  );
});

/** The error codes the server can send, read from its source: every `new ApiError(status, 'CODE'`, messageTooLarge's codes, and integerParam's INVALID_<NAME>. */
async function serverErrorCodes(): Promise<Set<string>> {
  const root = path.join(import.meta.dirname, '../../../server');
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
  assert.ok(codes.size > 20, `${codes.size} codes found in server/**/*.ts`);
  const prefix = 'sandbox.wire.api.';
  const translated = SANDBOX_STRING_KEYS.filter((key) => key.startsWith(prefix) && key !== 'sandbox.wire.api.original').map((key) => key.slice(prefix.length));
  assert.deepEqual(
    [...codes].filter((code) => !translated.includes(code)).sort(),
    [],
    'server codes without a sandbox string',
  );
  assert.deepEqual(
    translated.filter((code) => !codes.has(code)).sort(),
    [],
    'sandbox strings for codes the server never sends',
  );
  for (const code of codes) assert.match((zh as Record<string, string>)[`${prefix}${code}`] ?? '', /[\u4e00-\u9fff]/, `${code} in zh-CN.json`);
});
