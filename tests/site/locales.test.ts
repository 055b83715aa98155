/** The two languages stay in step: every page exists in both, with the same sandboxes and server code. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';

const DOCS = 'content/docs';
const CHINESE = path.join(DOCS, 'zh-cn');

async function pages(dir: string, skip?: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || !/\.mdx?$/.test(entry.name) || (skip && full.startsWith(skip + path.sep))) continue;
    found.push(path.relative(dir, full));
  }
  return found.sort();
}

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

describe('English and Simplified Chinese', () => {
  it('have the same pages', async () => {
    const english = await pages(DOCS, CHINESE);
    const chinese = await pages(CHINESE);
    assert.ok(english.length > 0);
    assert.deepEqual(english.filter((p) => !chinese.includes(p)), [], 'pages with no Chinese version (add them under content/docs/zh-cn/)');
    assert.deepEqual(chinese.filter((p) => !english.includes(p)), [], 'Chinese pages with no English version');
  });

  it('have the same sandboxes and the same server code on each page', async () => {
    for (const page of await pages(DOCS, CHINESE)) {
      const en = await readFile(path.join(DOCS, page), 'utf8');
      const zh = await readFile(path.join(CHINESE, page), 'utf8').catch(() => '');
      assert.equal(count(zh, /<Sandbox\b/g), count(en, /<Sandbox\b/g), `${page}: sandboxes`);
      const regions = (text: string) => [...text.matchAll(/<ServerCode\b[^>]*file="([^"]+)"[^>]*?(?:region="([^"]+)")?/g)].map((m) => `${m[1]}#${m[2] ?? ''}`);
      assert.deepEqual(regions(zh), regions(en), `${page}: server code shown`);
    }
  });
});
