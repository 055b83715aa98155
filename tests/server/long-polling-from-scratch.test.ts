/**
 * The from-scratch long-polling server that the long-polling lesson shows
 * (server/examples/long-polling-server.mjs), run as a reader runs it: `node` on the file, then
 * long-polled over real HTTP.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';

const FILE = 'server/examples/long-polling-server.mjs';
const HOLD_MS = 300;

describe('the from-scratch long-polling server of the lesson', () => {
  let child: ChildProcess;
  let base: string;
  before(async () => {
    child = spawn(process.execPath, [FILE], { env: { ...process.env, PORT: '0', HOLD_MS: String(HOLD_MS) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    for await (const chunk of child.stdout!) {
      output += chunk;
      const match = /http:\/\/localhost:(\d+)\/poll/.exec(output);
      if (match) {
        base = `http://127.0.0.1:${match[1]}`;
        break;
      }
    }
    assert.ok(base, `the server printed no URL; it said: ${output}`);
  });
  after(async () => {
    child.kill();
    if (child.exitCode === null) await once(child, 'exit');
  });

  const publish = (text: string) => fetch(`${base}/publish`, { method: 'POST', body: text });

  it('holds a poll and answers it as soon as a message is published', async () => {
    let answered = false;
    const held = fetch(`${base}/poll?since=0`).then((response) => {
      answered = true;
      return response;
    });
    // The poll is held: it has not been answered before anything is published.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answered, false);
    assert.equal((await publish('hello')).status, 204);
    const response = await held;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { messages: ['hello'], cursor: 1 });
  });

  it('answers at once when the cursor is behind the history', async () => {
    await publish('again');
    const response = await fetch(`${base}/poll?since=0`);
    assert.deepEqual(await response.json(), { messages: ['hello', 'again'], cursor: 2 });
  });

  it('answers 204 when nothing is published within the hold', async () => {
    const started = performance.now();
    const response = await fetch(`${base}/poll?since=2`);
    assert.equal(response.status, 204);
    assert.ok(performance.now() - started >= HOLD_MS - 20, 'answered before the hold was over');
  });

  it('answers every held poll with the same message', async () => {
    const polls = [fetch(`${base}/poll?since=2`), fetch(`${base}/poll?since=2`)];
    await new Promise((resolve) => setImmediate(resolve));
    await publish('to both');
    for (const response of await Promise.all(polls)) {
      assert.deepEqual(await response.json(), { messages: ['to both'], cursor: 3 });
    }
  });

  it('refuses a cursor that is not a whole number with 400', async () => {
    assert.equal((await fetch(`${base}/poll?since=abc`)).status, 400);
  });
});
