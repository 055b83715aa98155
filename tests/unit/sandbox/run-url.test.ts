/** runUrls (src/sandbox/frame/run-url.ts): the run= the frame adds to the snippet's API URLs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runUrls } from '../../../src/sandbox/frame/run-url.ts';

test('run= goes on the API’s URLs only, last in the query, once, before the hash, and comes off as it went on', () => {
  const run = 'AbC-123_xyzXYZ0123456789';
  const urls = runUrls('http://127.0.0.1:3000/', run);
  assert.equal(urls.add('/api/poll/clock'), `http://127.0.0.1:3000/api/poll/clock?run=${run}`);
  assert.equal(urls.add('api/sse/clock?limit=2&since=a%20b#frag'), `http://127.0.0.1:3000/api/sse/clock?limit=2&since=a%20b&run=${run}#frag`);
  assert.equal(urls.add('ws://127.0.0.1:3000/api/echo'), `ws://127.0.0.1:3000/api/echo?run=${run}`);
  // Already naming a run (even another one): left as it is.
  assert.equal(urls.add('/api/poll/clock?run=other'), undefined);
  // Not the API: another host, port or scheme, a path outside /api/, a data: URL.
  for (const other of ['http://localhost:3000/api/poll/clock', 'http://127.0.0.1:3001/api/poll/clock', 'wss://127.0.0.1/api/echo', '/apiary/x', '/api', '/lessons/', 'data:text/plain,api/', 'http://[::1', 'https://cdn.example/api/x']) {
    assert.equal(urls.add(other), undefined, other);
  }
  // Default ports count as spelled out: http and ws on 80, https and wss on 443.
  assert.equal(runUrls('http://lab.test/', run).add('ws://lab.test:80/api/echo'), `ws://lab.test/api/echo?run=${run}`);
  assert.equal(runUrls('https://lab.test/', run).add('wss://lab.test/api/echo'), `wss://lab.test/api/echo?run=${run}`);
  assert.equal(runUrls('https://lab.test/', run).add('ws://lab.test/api/echo'), undefined);
  for (const url of ['/api/poll/clock', 'api/sse/clock?limit=2#frag', 'ws://127.0.0.1:3000/api/echo?a=1']) {
    const absolute = new URL(url, 'http://127.0.0.1:3000/').href;
    assert.equal(urls.remove(urls.add(url) as string), absolute);
  }
  assert.equal(urls.remove('http://127.0.0.1:3000/api/poll/clock?run=other'), 'http://127.0.0.1:3000/api/poll/clock?run=other');
  // Self-contained: it works serialized into the frame.
  const revived = new Function(`return (${String(runUrls)})`)() as typeof runUrls;
  assert.equal(revived('http://127.0.0.1:3000/', run).add('/api/echo'), `http://127.0.0.1:3000/api/echo?run=${run}`);
});
