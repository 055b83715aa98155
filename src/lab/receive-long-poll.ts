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
        const response: Response = await fetch(url, { cache: 'no-store', signal: stop.signal });
        if (response.status === 204) {
          failures = 0;
          continue; // nothing new in time: ask again, with the same cursor
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
