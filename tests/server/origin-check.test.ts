/**
 * The Origin check of the WebSocket handshake, as the WebSocket lesson shows it: a browser
 * cannot lie about its origin, but any other client writes the header it likes. The region
 * below is shown in the lesson (content/docs/lessons/websocket.mdx).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startServer, type TestServer } from './helpers.ts';

describe('the Origin check on the WebSocket handshake', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ allowedOrigins: ['null', 'https://lab.example.org'] });
  });
  after(() => server.close());

  it('refuses a disallowed Origin with 403, and lets a client that forges an allowed one in', async () => {
    // #region forged-origin
    // Outside a browser, Origin is just a header the client writes.
    const refused = new WebSocket(server.ws('/api/ws/chat'), { headers: { Origin: 'https://evil.example' } });
    refused.on('error', () => {}); // the failed handshake is reported here too
    const [, response] = (await once(refused, 'unexpected-response')) as [unknown, IncomingMessage];
    assert.equal(response.statusCode, 403); // refused before the upgrade: no 101

    // The same program, claiming to be an allowed site: the server cannot tell.
    const forged = new WebSocket(server.ws('/api/ws/chat'), { headers: { Origin: 'https://lab.example.org' } });
    const [welcome] = (await once(forged, 'message')) as [Buffer];
    assert.equal(JSON.parse(welcome.toString()).type, 'welcome'); // accepted
    // #endregion forged-origin
    response.resume();
    forged.close();
    await once(forged, 'close');
  });
});
