/** How a sandbox knows it is on an attendee's page in a workshop (src/sandbox/page/in-workshop.ts). */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { inWorkshop, WORKSHOP_SEEN_KEY } from '../../../src/sandbox/page/in-workshop.ts';

test('a page is in a workshop when the loader last saw the server in workshop mode, and not when storage throws', () => {
  const store = new Map<string, string>();
  const storage = { getItem: (key: string) => store.get(key) ?? null };
  Object.defineProperty(globalThis, 'localStorage', { value: storage, configurable: true });
  try {
    assert.equal(inWorkshop(), false);
    store.set(WORKSHOP_SEEN_KEY, '1');
    assert.equal(inWorkshop(), true);
    Object.defineProperty(globalThis, 'localStorage', {
      get() {
        throw new Error('storage disabled');
      },
      configurable: true,
    });
    assert.equal(inWorkshop(), false);
  } finally {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  }
});

test('the sandbox reads the key the loader writes while the server says workshop mode is on, and removes when off', async () => {
  const source = await readFile(path.join(import.meta.dirname, '../../../src/workshop/loader.ts'), 'utf8');
  assert.match(source, new RegExp(`setItem\\('${WORKSHOP_SEEN_KEY}'`));
  assert.match(source, new RegExp(`removeItem\\('${WORKSHOP_SEEN_KEY}'`));
});
