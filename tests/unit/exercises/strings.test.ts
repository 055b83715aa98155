/** The exercises' strings: both languages have the same keys and placeholders, and every sentence a check can produce. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECK_OUTCOMES } from '../../../src/exercises/checks.ts';
import { EXERCISE_STRINGS, fill, sentence } from '../../../src/exercises/strings.ts';

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('the exercises\' strings', () => {
  const en = EXERCISE_STRINGS.en as Record<string, string>;
  const zh = EXERCISE_STRINGS['zh-CN'] as Record<string, string>;

  it('have the same keys in English and Chinese', () => {
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  });

  it('have the same placeholders in both languages, key by key', () => {
    for (const key of Object.keys(en)) assert.deepEqual(placeholders(zh[key] as string), placeholders(en[key] as string), key);
  });

  it('are written in Chinese on the Chinese side, not left in English', () => {
    for (const [key, text] of Object.entries(zh)) assert.match(text, /[\u4e00-\u9fff]/, key);
  });

  it('have a sentence for every outcome of every check kind, and no sentence for an outcome that does not exist', () => {
    const expected = Object.entries(CHECK_OUTCOMES).flatMap(([kind, outcomes]) => outcomes.map((outcome) => `check.${kind}.${outcome}`));
    for (const key of expected) assert.ok(key in en, `missing ${key}`);
    const checkKeys = Object.keys(en).filter((key) => /^check\.[a-z-]+\.[A-Za-z0-9]+$/.test(key) && key.split('.').length === 3 && key.split('.')[1] !== 'hint');
    assert.deepEqual(checkKeys.filter((key) => !expected.includes(key)), []);
  });

  it('fill their placeholders, in the reader\'s language', () => {
    const result = { key: 'check.all-once.lost', values: { lost: 2, count: 20, ids: 'a-3, a-7' } };
    assert.equal(sentence(result, 'en'), '2 of the 20 messages never showed in your output: a-3, a-7.');
    assert.equal(sentence(result, 'zh-CN'), '20 条消息中有 2 条没出现在你的输出里：a-3, a-7。');
    assert.equal(fill('{{a}} and {{b}}', { a: 1 }), '1 and {{b}}', 'a missing value stays visible');
  });
});
