/** Server-Sent Events, as the SSE lessons teach them: EventSource resumes with Last-Event-ID by itself; when it gives up for good, open a new one from the last id. */
import { backoffMs, runQuery, type Receiver, type ReceiverOptions } from './receiver.ts';

export function startSse(options: ReceiverOptions): Receiver {
  const { origin, channel, run, onMessage, onGap, onState } = options;
  let lastId = options.startAfter;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let stopped = false;

  function open() {
    // lastEventId on the URL for a new EventSource; its own reconnections send the header.
    source = new EventSource(`${origin}/api/sse/${channel}?lastEventId=${encodeURIComponent(lastId)}&${runQuery(run)}`);
    source.addEventListener('connected', () => {
      failures = 0;
      onState('open');
    });
    source.addEventListener('message', (event) => {
      lastId = event.lastEventId;
      onMessage(JSON.parse(event.data));
    });
    source.addEventListener('gap', () => onGap());
    source.addEventListener('error', () => {
      if (source?.readyState === EventSource.CONNECTING) return onState('retrying'); // the browser reconnects
      // CLOSED: refused (204, or any status but 200). The browser will not try again; we do.
      source?.close();
      if (stopped) return;
      onState('retrying');
      timer = setTimeout(open, backoffMs(failures++));
    });
  }

  open();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      source?.close();
      onState('stopped');
    },
  };
}

/** The naive EventSource: trusts the browser to reconnect, so a refusal (204 or 503) stops it for good. */
export function startNaiveSse(options: ReceiverOptions): Receiver {
  const { origin, channel, run, onMessage, onGap, onState } = options;
  const source = new EventSource(`${origin}/api/sse/${channel}?lastEventId=${encodeURIComponent(options.startAfter)}&${runQuery(run)}`);
  source.addEventListener('connected', () => onState('open'));
  source.addEventListener('message', (event) => onMessage(JSON.parse(event.data)));
  source.addEventListener('gap', () => onGap());
  source.addEventListener('error', () => onState(source.readyState === EventSource.CLOSED ? 'stopped' : 'retrying'));
  return {
    stop() {
      source.close();
      onState('stopped');
    },
  };
}
