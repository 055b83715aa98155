import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ResponseHeadSplitter, tapSocketBytes } from '../../server/runs/socket-tap.ts';
import { PAYLOAD_HEX_BYTES, WsFrameParser, type WsFrame } from '../../server/runs/ws-frames.ts';
import { until } from './helpers.ts';

/** A bare ws echo server whose every socket is tapped: frames in, frames out, and the 101 head. */
async function startTappedEcho() {
  const inbound: WsFrame[] = [];
  const outbound: WsFrame[] = [];
  const heads: string[] = [];
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => {
    const inParser = new WsFrameParser((frame) => inbound.push(frame));
    const outParser = new WsFrameParser((frame) => outbound.push(frame));
    const splitter = new ResponseHeadSplitter((text) => heads.push(text), (chunk) => outParser.push(chunk));
    tapSocketBytes(socket, (chunk) => inParser.push(chunk), (chunk) => splitter.push(chunk));
    if (head.length > 0) inParser.push(head);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    inbound,
    outbound,
    heads,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function openClient(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await once(ws, 'open');
  return ws;
}

describe('reading WebSocket frames from a socket\'s raw bytes (RFC 6455 5.2)', () => {
  let echo: Awaited<ReturnType<typeof startTappedEcho>>;
  before(async () => {
    echo = await startTappedEcho();
  });
  after(() => echo.close());

  it('shows client frames masked with their key and server frames unmasked, with the same text', async () => {
    const ws = await openClient(echo.url);
    const from = echo.inbound.length;
    ws.send('hello, wire');
    await once(ws, 'message');
    const sent = echo.inbound.slice(from).find((f) => f.opcode === 1) as WsFrame;
    const echoed = echo.outbound.find((f) => f.opcode === 1 && f.text === 'hello, wire') as WsFrame;
    assert.equal(sent.masked, true);
    assert.match(sent.maskingKey ?? '', /^[0-9a-f]{8}$/);
    assert.equal(sent.text, 'hello, wire');
    assert.equal(sent.fin, true);
    assert.equal(sent.opcodeName, 'text');
    assert.equal(sent.headerBytes, 6);
    // On the wire the masked payload differs from the text; the server's is the text itself.
    assert.notEqual(sent.payloadHex, Buffer.from('hello, wire').toString('hex'));
    assert.equal(echoed.masked, false);
    assert.equal(echoed.maskingKey, null);
    assert.equal(echoed.headerBytes, 2);
    assert.equal(echoed.payloadHex, Buffer.from('hello, wire').toString('hex'));
    ws.close();
    await once(ws, 'close');
  });

  it('shows the 101 response head the server wrote, with Sec-WebSocket-Accept', async () => {
    const ws = await openClient(echo.url);
    const head = echo.heads.at(-1) ?? '';
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(head, /\r\nSec-WebSocket-Accept: [A-Za-z0-9+/]{27}=\r\n/);
    assert.ok(head.endsWith('\r\n\r\n'));
    ws.close();
    await once(ws, 'close');
  });

  it('shows ping, the pong that echoes its payload, and a close with its code and reason both ways', async () => {
    const ws = await openClient(echo.url);
    const inFrom = echo.inbound.length;
    const outFrom = echo.outbound.length;
    ws.ping('are you there');
    await once(ws, 'pong');
    ws.close(1000, 'done here');
    await once(ws, 'close');
    await until(() => echo.outbound.slice(outFrom).some((f) => f.opcode === 8), 'the server\'s close frame');
    const inbound = echo.inbound.slice(inFrom);
    const outbound = echo.outbound.slice(outFrom);
    const ping = inbound.find((f) => f.opcodeName === 'ping') as WsFrame;
    const pong = outbound.find((f) => f.opcodeName === 'pong') as WsFrame;
    assert.equal(ping.masked, true);
    assert.equal(pong.masked, false);
    // [spec] RFC 6455 5.5.3: a pong carries the ping's application data.
    assert.equal(pong.payloadHex, Buffer.from('are you there').toString('hex'));
    const clientClose = inbound.find((f) => f.opcode === 8) as WsFrame;
    const serverClose = outbound.find((f) => f.opcode === 8) as WsFrame;
    assert.deepEqual([clientClose.closeCode, clientClose.closeReason, clientClose.masked], [1000, 'done here', true]);
    assert.equal(serverClose.closeCode, 1000);
    assert.equal(serverClose.masked, false);
  });

  it('names the length encoding: 7 bits to 125, 16 bits to 65535, 64 bits beyond', async () => {
    const ws = await openClient(echo.url);
    const from = echo.inbound.length;
    for (const size of [125, 126, 65_535, 65_536]) {
      ws.send('x'.repeat(size));
      await once(ws, 'message');
    }
    const frames = echo.inbound.slice(from).filter((f) => f.opcode === 1);
    assert.deepEqual(frames.map((f) => [f.payloadLength, f.lengthEncoding, f.headerBytes]), [
      [125, 7, 6],
      [126, 16, 8],
      [65_535, 16, 8],
      [65_536, 64, 14],
    ]);
    const big = frames.at(-1) as WsFrame;
    assert.equal(big.payloadHex.length, PAYLOAD_HEX_BYTES * 2);
    assert.equal(big.truncated, true);
    assert.equal(big.text, 'x'.repeat(2048));
    ws.close();
    await once(ws, 'close');
  });

  it('shows a fragmented message as a text frame without FIN, then a continuation with FIN', async () => {
    const ws = await openClient(echo.url);
    const from = echo.inbound.length;
    ws.send('frag', { fin: false });
    ws.send('mented', { fin: true });
    const [echoed] = await once(ws, 'message');
    assert.equal(String(echoed), 'fragmented');
    const frames = echo.inbound.slice(from).filter((f) => f.opcode < 8);
    assert.deepEqual(frames.map((f) => [f.opcodeName, f.fin, f.text]), [
      ['text', false, 'frag'],
      ['continuation', true, 'mented'],
    ]);
    ws.close();
    await once(ws, 'close');
  });

  it('shows binary frames with their bytes and no text', async () => {
    const ws = await openClient(echo.url);
    const from = echo.inbound.length;
    ws.send(Buffer.from([1, 2, 3, 250]));
    await once(ws, 'message');
    const frame = echo.inbound.slice(from).find((f) => f.opcode === 2) as WsFrame;
    assert.equal(frame.opcodeName, 'binary');
    assert.equal(frame.text, undefined);
    assert.equal(frame.payloadLength, 4);
    ws.close();
    await once(ws, 'close');
  });
});

describe('WsFrameParser fed in pieces', () => {
  /** A masked text frame built by hand, as a browser would send it. */
  function maskedText(text: string, key: Buffer): Buffer {
    const payload = Buffer.from(text);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] as number)));
    return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), key, masked]);
  }

  it('reads the same frames whether the bytes come at once or one at a time', () => {
    const bytes = Buffer.concat([maskedText('one', Buffer.from([1, 2, 3, 4])), maskedText('two, 两', Buffer.from([9, 8, 7, 6]))]);
    const whole: WsFrame[] = [];
    new WsFrameParser((f) => whole.push(f)).push(bytes);
    const pieces: WsFrame[] = [];
    const parser = new WsFrameParser((f) => pieces.push(f));
    for (const byte of bytes) parser.push(Buffer.from([byte]));
    assert.deepEqual(pieces, whole);
    assert.deepEqual(whole.map((f) => [f.text, f.maskingKey]), [
      ['one', '01020304'],
      ['two, 两', '09080706'],
    ]);
  });

  it('reports a close frame without a code as code null', () => {
    const frames: WsFrame[] = [];
    new WsFrameParser((f) => frames.push(f)).push(Buffer.from([0x88, 0x00]));
    assert.equal(frames[0]?.closeCode, null);
    assert.equal(frames[0]?.closeReason, '');
  });

  it('stops at a 64-bit length over 2^53 and says why', () => {
    const errors: string[] = [];
    const frames: WsFrame[] = [];
    const parser = new WsFrameParser((f) => frames.push(f), { onError: (m) => errors.push(m) });
    parser.push(Buffer.from([0x82, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    parser.push(Buffer.from([0x81, 0x00]));
    assert.equal(frames.length, 0);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /2\^53/);
  });
});
