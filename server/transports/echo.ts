/**
 * The echo WebSocket, the seed example of every WebSocket lesson.
 *
 *   GET /api/echo   (Upgrade: websocket)
 *
 * Each message comes back unchanged: text as text, binary as binary.
 */
import type { WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';
import { ignoreError } from '../errors.ts';

export function createEchoTransport(ctx: ServerContext) {
  const sockets = new Set<WebSocket>();

  // #region echo
  /** An accepted WebSocket from `address`, counted by the connection gate until it closes. */
  function accept(ws: WebSocket, address: string): void {
    ctx.stats.requests.echo += 1;
    ctx.stats.open.echo += 1;
    sockets.add(ws);
    // A protocol error (such as a frame over MAX_FRAME_BYTES, closed with 1009) is emitted
    // here before `close`; without a listener it would throw and take the server down.
    ws.on('error', ignoreError);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (ws.bufferedAmount > ctx.config.maxBufferedBytes) {
        // A client that sends and never reads: stop, rather than buffer its echoes without end.
        ctx.stats.disconnected.slowConsumers += 1;
        ctx.runs.noteServerCut(ws, 'slow-consumer');
        ws.terminate();
        return;
      }
      ws.send(data, { binary: isBinary });
    });
    ws.on('close', () => {
      ctx.gate.release(address);
      sockets.delete(ws);
      ctx.stats.open.echo -= 1;
    });
  }
  // #endregion echo

  return { accept, all: () => sockets };
}

