/**
 * WebSocket: one TCP connection upgraded from HTTP, full duplex, messages both ways.
 *
 *   GET /api/ws/:channel?since=ID   (Upgrade: websocket)
 *
 * Server to client, JSON text frames: `welcome` first, then `message` for each message.
 * Client to server: `publish` (answered by `ack`, and broadcast to every subscriber, the
 * sender included) and `resume` (replays what came after an id; one at a time per socket, a
 * second one while the first is being sent gets an error frame). A frame the server cannot
 * use gets an `error` frame, and the connection stays open.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';
import { ApiError, describeValue, ignoreError, toApiError } from '../errors.ts';
import { gapNotice, type StoredMessage } from '../log/types.ts';
import { messageTooLarge, parseMessageText, publishMessage } from '../publish.ts';
import { Subscribers } from './subscribers.ts';

// #region accept-key
// [spec] RFC 6455, 1.3: the server concatenates the Sec-WebSocket-Key with this GUID, takes
// the SHA-1 of that, and returns it base64-encoded in Sec-WebSocket-Accept.
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value for a Sec-WebSocket-Key, as RFC 6455 computes it. */
export function computeAccept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}
// #endregion accept-key

/** The `message` frame for one message: built once, the same bytes sent to every subscriber. */
function messageFrame(message: StoredMessage): Buffer {
  return Buffer.from(`{"type":"message","message":${message.json}}`);
}

function errorFrame(error: unknown): string {
  const { code, message } = toApiError(error);
  const retryAfter = error instanceof ApiError ? error.headers['Retry-After'] : undefined;
  return JSON.stringify(retryAfter ? { type: 'error', code, message, retryAfter: Number(retryAfter) } : { type: 'error', code, message });
}

export function createWebSocketTransport(ctx: ServerContext) {
  const { config, log, stats } = ctx;
  /** Open sockets by channel, and the replays in progress (subscribers.ts). */
  const sockets = new Subscribers<WebSocket>(ctx, broadcast, (ws) => ws.terminate());

  // #region send
  /** Sends, or terminates a subscriber whose unsent output has passed MAX_BUFFERED_BYTES. */
  function send(ws: WebSocket, frame: Buffer | string, sent?: (error?: Error | null) => void): boolean {
    // Already closing (or cut, and counted once when it was cut): nothing more to send.
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > config.maxBufferedBytes) {
      stats.disconnected.slowConsumers += 1;
      ctx.runs.noteServerCut(ws, 'slow-consumer');
      // It will reconnect with ?since= and recover what it missed from the history.
      ws.terminate();
      return false;
    }
    ws.send(frame, { binary: false }, sent);
    return true;
  }
  // #endregion send

  function broadcast(channel: string, message: StoredMessage): void {
    const set = sockets.get(channel);
    if (!set) return;
    const frame = messageFrame(message);
    for (const ws of set) {
      if (!sockets.held(ws, message)) send(ws, frame);
    }
  }

  // #region replay
  /**
   * Sends what came after `since`, page by page at the pace the client reads them, then the
   * live messages that arrived meanwhile, without any the replay already sent.
   */
  function replay(ws: WebSocket, channel: string, since: string): Promise<void> {
    return sockets.replay(ws, channel, since, undefined, {
      gap: (from, page) => send(ws, JSON.stringify({ type: 'gap', ...gapNotice(from, page) })),
      message: (message, sent) => send(ws, messageFrame(message), sent),
      error: (error) => send(ws, errorFrame(error)),
    });
  }
  // #endregion replay

  // #region frames
  async function handleFrame(ws: WebSocket, channel: string, address: string, data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) {
      throw new ApiError(400, 'BINARY_NOT_SUPPORTED', 'this endpoint takes JSON text frames, such as {"type":"publish","data":{"text":"hi"}}; binary frames are echoed by /api/echo');
    }
    if (data.length > config.maxMessageBytes) {
      throw messageTooLarge('MESSAGE_TOO_LARGE', 'frame', data.length, config.maxMessageBytes);
    }
    const frame = parseMessageText(ctx, data.toString('utf8'), 'frame');
    const { type, event, data: payload, since } = (typeof frame === 'object' && frame !== null ? frame : {}) as Record<string, unknown>;
    if (type === 'publish') {
      const message = await publishMessage(ctx, channel, event, payload, address, data.length);
      send(ws, JSON.stringify({ type: 'ack', id: message.id }));
    } else if (type === 'resume') {
      if (typeof since !== 'string') {
        throw new ApiError(400, 'INVALID_ID', `resume needs "since": the id of the last message you received; received ${describeValue(since)}`);
      }
      log.checkId(since, 'since');
      // One resume at a time per socket: a second one would send the same history again.
      if (sockets.isReplaying(ws)) {
        throw new ApiError(409, 'RESUME_IN_PROGRESS', `a replay is still being sent on this socket; resume again (received since=${describeValue(since)}) only after its messages have arrived`);
      }
      await replay(ws, channel, since);
    } else {
      throw new ApiError(400, 'UNKNOWN_FRAME_TYPE', `frame type must be "publish" or "resume"; received ${describeValue(type)}`);
    }
  }
  // #endregion frames

  /** A WebSocket whose handshake the app has accepted for `channel`. */
  function accept(ws: WebSocket, req: IncomingMessage, channel: string, params: URLSearchParams, address: string): void {
    stats.requests.websocket += 1;
    sockets.add(channel, ws);
    stats.open.websocket += 1;

    // #region welcome
    let since = params.get('since');
    let sinceError: unknown;
    try {
      if (since !== null) log.checkId(since, 'since');
    } catch (error) {
      // Told in an error frame after the welcome; the connection starts live from now.
      sinceError = error;
      since = null;
    }
    const key = req.headers['sec-websocket-key'] ?? '';
    send(ws, JSON.stringify({
      type: 'welcome',
      connectionId: ctx.runs.connectionId(ws),
      cursor: since ?? log.headId(channel),
      handshake: { key, accept: computeAccept(key), version: req.headers['sec-websocket-version'] ?? null },
    }));
    if (sinceError) send(ws, errorFrame(sinceError));
    if (since !== null) void replay(ws, channel, since);
    // #endregion welcome

    // #region message-and-close
    // A protocol error (such as a frame over MAX_FRAME_BYTES, closed with 1009) is emitted
    // here before `close`; without a listener it would throw and take the server down.
    ws.on('error', ignoreError);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      handleFrame(ws, channel, address, data, isBinary).catch((error: unknown) => send(ws, errorFrame(error)));
    });
    ws.on('close', () => {
      ctx.gate.release(address);
      if (sockets.remove(channel, ws)) stats.open.websocket -= 1;
    });
    // #endregion message-and-close
  }

  function all(): Iterable<WebSocket> {
    return sockets.all();
  }

  return { accept, all };
}

