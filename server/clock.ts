import type { ChannelLog } from './log/types.ts';

/**
 * The built-in `clock` channel: a `tick` with `{ now }` every CLOCK_INTERVAL_MS. Ticks are
 * timed to the boundaries of the interval (slots); with a shared log (`appendOnce`), every
 * instance tries each slot and the first one wins, so the deployment ticks once per slot.
 */
export function startClock(log: ChannelLog, intervalMs: number): () => void {
  let timer: NodeJS.Timeout;
  let lastSlot = -1;
  const schedule = (): void => {
    timer = setTimeout(tick, intervalMs - (Date.now() % intervalMs)).unref();
  };
  const tick = (): void => {
    const now = Date.now();
    const data = { now: new Date(now).toISOString() };
    const slot = Math.floor(now / intervalMs);
    // A timer may fire a hair early, still in the slot just ticked: then wait for the next one.
    if (slot <= lastSlot) return schedule();
    lastSlot = slot;
    (log.appendOnce ? log.appendOnce('clock', slot, 'tick', data) : log.append('clock', 'tick', data)).catch((error: unknown) => {
      console.error('clock: could not append a tick:', error instanceof Error ? error.message : error);
    });
    schedule();
  };
  schedule();
  return () => clearTimeout(timer);
}
