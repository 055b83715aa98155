/**
 * The server's few timers, shared by every connection: one for SSE and tap heartbeats (and
 * the sweeps of rate buckets and idle runs), one for WebSocket pings, one for the clock.
 * Nothing here is per connection.
 */
import type { WebSocket } from 'ws';
import { startClock } from './clock.ts';
import type { ServerContext } from './context.ts';

export interface TimerTargets {
  /** Comments on every SSE stream. */
  sseHeartbeat(): void;
  /** Every open WebSocket, for the ping. */
  sockets(): Iterable<WebSocket>;
}

/** Starts the timers; returns the function that stops them. */
export function startTimers(ctx: ServerContext, targets: TimerTargets): () => void {
  const { config, stats } = ctx;
  const heartbeatTimer = setInterval(() => {
    targets.sseHeartbeat();
    ctx.runs.heartbeat();
    ctx.rateLimiter.sweep();
    ctx.byteRateLimiter.sweep();
  }, config.sseHeartbeatMs).unref();

  const awaitingPong = new Set<WebSocket>();
  function forgetPing(this: WebSocket): void {
    awaitingPong.delete(this);
  }
  const pingTimer = setInterval(() => {
    // A socket that closed while a ping was out is forgotten here, rather than by a close
    // listener on every socket (which costs each idle connection a third of a KiB).
    for (const ws of awaitingPong) if (ws.readyState === ws.CLOSED) awaitingPong.delete(ws);
    for (const ws of targets.sockets()) {
      if (awaitingPong.has(ws)) {
        // No pong since the last ping: the peer is gone without a close. Cut it.
        stats.disconnected.missedPongs += 1;
        ctx.runs.noteServerCut(ws, 'missed-pong');
        awaitingPong.delete(ws);
        ws.terminate();
        continue;
      }
      if (!ws.listenerCount('pong')) {
        // Shared listeners (`this` is the socket): nothing new is allocated per connection.
        ws.on('pong', forgetPing);
      }
      awaitingPong.add(ws);
      ws.ping();
    }
  }, config.wsPingMs).unref();
  const stopClock = startClock(ctx.log, config.clockIntervalMs);

  return () => {
    stopClock();
    clearInterval(heartbeatTimer);
    clearInterval(pingTimer);
  };
}
