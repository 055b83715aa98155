/** Short polling, as the polling lesson teaches it: a cursor, ETag and 304, backoff on errors. */
import { backoffMs, runQuery, sleep, type Page, type Receiver, type ReceiverOptions } from './receiver.ts';

export function startPolling(options: ReceiverOptions): Receiver {
  const { origin, channel, run, intervalMs, onMessage, onGap, onState } = options;
  const stop = new AbortController();
  let since = options.startAfter; // the cursor: the id of the last message seen
  let etag: string | null = null; // the last answer's ETag, sent back in If-None-Match
  let failures = 0;

  (async () => {
    while (!stop.signal.aborted) {
      const url = `${origin}/api/poll/${channel}?since=${encodeURIComponent(since)}&${runQuery(run)}`;
      try {
        // cache: 'no-store' keeps the browser's cache out, so this loop sees the 304 itself.
        const response: Response = await fetch(url, {
          cache: 'no-store',
          headers: etag ? { 'If-None-Match': etag } : {},
          signal: stop.signal,
        });
        if (response.status === 200) {
          const page = (await response.json()) as Page;
          etag = response.headers.get('ETag');
          if (page.gap) onGap();
          for (const message of page.messages) onMessage(message);
          since = page.cursor;
          if (page.more) continue; // more is waiting already: ask again at once
        } else if (response.status !== 304) {
          throw new Error(`poll answered ${response.status}`);
        }
        failures = 0;
        onState('open');
        await sleep(intervalMs, stop.signal);
      } catch {
        if (stop.signal.aborted) break;
        onState('retrying');
        await sleep(Math.max(intervalMs, backoffMs(failures++)), stop.signal);
      }
    }
    onState('stopped');
  })();
  return { stop: () => stop.abort() };
}

/** The naive poll: no cursor, the newest message only. Misses some when two arrive between polls, repeats it when none does. */
export function startNaivePolling(options: ReceiverOptions): Receiver {
  const { origin, channel, run, intervalMs, onMessage, onState } = options;
  const stop = new AbortController();

  (async () => {
    while (!stop.signal.aborted) {
      try {
        const response: Response = await fetch(`${origin}/api/poll/${channel}?limit=1&${runQuery(run)}`, { cache: 'no-store', signal: stop.signal });
        if (response.status === 200) {
          for (const message of ((await response.json()) as Page).messages) onMessage(message);
          onState('open');
        }
      } catch {
        if (stop.signal.aborted) break;
        onState('retrying');
      }
      await sleep(intervalMs, stop.signal);
    }
    onState('stopped');
  })();
  return { stop: () => stop.abort() };
}
