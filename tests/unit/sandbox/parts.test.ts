/** The sandbox's three parts stay apart (src/sandbox/README.md): read from the import statements of src/sandbox. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.join(import.meta.dirname, '../../../src/sandbox');

/** Every module src/sandbox's TypeScript files import, by file (relative to src/sandbox), with whether the import is types only. */
async function imports(): Promise<Map<string, { from: string; typeOnly: boolean }[]>> {
  const files = (await readdir(ROOT, { recursive: true })).filter((file) => file.endsWith('.ts'));
  const result = new Map<string, { from: string; typeOnly: boolean }[]>();
  for (const file of files) {
    const source = await readFile(path.join(ROOT, file), 'utf8');
    const found: { from: string; typeOnly: boolean }[] = [];
    for (const match of source.matchAll(/^import\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm)) {
      const specifier = match[2] as string;
      found.push({ from: specifier.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)) : specifier, typeOnly: Boolean(match[1]) });
    }
    // import('./x.ts') loads a module; typeof import('./x.ts') names a type only.
    for (const match of source.matchAll(/(?<!typeof\s+)\bimport\(\s*'([^']+)'\s*\)/g)) {
      found.push({ from: path.relative(ROOT, path.resolve(ROOT, path.dirname(file), match[1] as string)), typeOnly: false });
    }
    result.set(file, found);
  }
  return result;
}

test('the page and the frame never import build-time code, and build-time code never imports the page or the frame', async () => {
  const all = await imports();
  assert.ok(all.size >= 15, `${all.size} files read under src/sandbox`);
  const crossings: string[] = [];
  for (const [file, list] of all) {
    const part = file.split(path.sep)[0];
    for (const { from } of list) {
      if ((part === 'page' || part === 'frame') && from.startsWith(`build${path.sep}`)) crossings.push(`${file} imports ${from}`);
      if (part === 'build' && (from.startsWith(`page${path.sep}`) || from.startsWith(`frame${path.sep}`))) crossings.push(`${file} imports ${from}`);
    }
  }
  assert.deepEqual(crossings, []);
});

test('the page reaches the frame only through frame-document.ts, and the code serialized into the frame imports nothing it would need at run time', async () => {
  const all = await imports();
  const intoFrame = [...all].flatMap(([file, list]) => (file.startsWith(`page${path.sep}`) ? list.filter(({ from }) => from.startsWith(`frame${path.sep}`)).map(({ from }) => from) : []));
  assert.deepEqual([...new Set(intoFrame)], [path.join('frame', 'frame-document.ts')]);
  for (const file of ['frame-runtime.ts', 'format-value.ts', 'run-url.ts']) {
    const values = (all.get(path.join('frame', file)) ?? []).filter(({ typeOnly }) => !typeOnly);
    assert.deepEqual(values, [], `${file} is serialized with String(fn): a value import would be missing in the frame`);
  }
});
