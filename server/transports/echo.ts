/**
 * The echo WebSocket, the seed example of every WebSocket lesson.
 *
 *   GET /api/echo   (Upgrade: websocket)
 *
 * Each message comes back unchanged: text as text, binary as binary.
 */
import type { WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';

export function createEchoTransport(ctx: ServerContext) {
  const sockets = new Set<WebSocket>();

  function accept(ws: WebSocket): void {
    ctx.stats.requests.echo += 1;
    ctx.stats.open.echo += 1;
    sockets.add(ws);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (ws.bufferedAmount > ctx.config.maxBufferedBytes) {
        // A client that sends and never reads: stop, rather than buffer its echoes without end.
        ctx.stats.disconnected.slowConsumers += 1;
        ws.terminate();
        return;
      }
      ws.send(data, { binary: isBinary });
    });
    ws.on('close', () => {
      sockets.delete(ws);
      ctx.stats.open.echo -= 1;
    });
  }

  return { accept, all: () => sockets };
}
