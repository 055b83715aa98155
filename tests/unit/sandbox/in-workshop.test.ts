/** How a sandbox knows it is on an attendee's page in a workshop (src/sandbox/page/in-workshop.ts). */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ATTENDEE_STORAGE_KEY, inWorkshop, isLoopbackHost } from '../../../src/sandbox/page/in-workshop.ts';

test('localhost, its subdomains, 127.0.0.0/8 and ::1 are this machine; LAN addresses and names are not', () => {
  for (const name of ['localhost', 'LOCALHOST', 'lab.localhost', 'localhost.', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) assert.equal(isLoopbackHost(name), true, name);
  for (const name of ['192.168.1.23', '10.0.0.5', 'my-laptop.local', 'lab.test', '[fe80::1]', '128.0.0.1', 'localhost.example.org', '127.0.0.1.example.org']) {
    assert.equal(isLoopbackHost(name), false, name);
  }
});

test('a page served by another machine is in a workshop, whatever the browser has stored', () => {
  assert.equal(inWorkshop('192.168.1.23'), true);
  assert.equal(inWorkshop('my-laptop.local'), true);
});

test('the sandbox reads the same storage key the attendee part writes when someone joins', async () => {
  const source = await readFile(path.join(import.meta.dirname, '../../../src/workshop/attendee.ts'), 'utf8');
  assert.match(source, new RegExp(`ATTENDEE_STORAGE_KEY = '${ATTENDEE_STORAGE_KEY}'`));
});
