/** Long polling, as the long-polling lesson teaches it: ask again at once, always with the cursor. */
import { backoffMs, runQuery, sleep, type Page, type Receiver, type ReceiverOptions } from './receiver.ts';

/** How long the server may hold a request, in seconds. */
const HOLD_S = 20;

export function startLongPolling(options: ReceiverOptions): Receiver {
  const { origin, channel, run, onMessage, onGap, onState } = options;
  const stop = new AbortController();
  let since = options.startAfter; // the cursor: the id of the last message seen
  let failures = 0;

  (async () => {
    while (!stop.signal.aborted) {
      const url = `${origin}/api/long-poll/${channel}?since=${encodeURIComponent(since)}&timeout=${HOLD_S}&${runQuery(run)}`;
      try {
        onState('waiting');
        const sentAt = Date.now();
        const response: Response = await fetch(url, { cache: 'no-store', signal: stop.signal });
        if (response.status === 204) {
          // Nothing new in time: ask again at once, with the same cursor. A 204 long before the
          // hold ended is no timeout but a refusal or a closing server: wait first, so it is no flood.
          if (Date.now() - sentAt < (HOLD_S * 1000) / 2) await sleep(backoffMs(failures++), stop.signal);
          else failures = 0;
          continue;
        }
        if (response.status !== 200) throw new Error(`long poll answered ${response.status}`);
        const page = (await response.json()) as Page;
        if (page.gap) onGap();
        for (const message of page.messages) onMessage(message);
        since = page.cursor;
        failures = 0;
      } catch {
        if (stop.signal.aborted) break;
        // A network error or a refusal: wait, longer each time, so a restart is not a flood.
        onState('retrying');
        await sleep(backoffMs(failures++), stop.signal);
      }
    }
    onState('stopped');
  })();
  return { stop: () => stop.abort() };
}
