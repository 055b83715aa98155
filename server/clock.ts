import type { ChannelLog } from './log/types.ts';

/** The built-in `clock` channel: a `tick` with `{ now }` every CLOCK_INTERVAL_MS. */
export function startClock(log: ChannelLog, intervalMs: number): () => void {
  const timer = setInterval(() => {
    log.append('clock', 'tick', { now: new Date().toISOString() }).catch((error: unknown) => {
      console.error('clock: could not append a tick:', error);
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
