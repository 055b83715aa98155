/** WebSocket, as "WebSocket in practice" teaches it: keep the last id, reconnect with backoff and jitter, resume with ?since=. */
import { backoffMs, runQuery, type Receiver, type ReceiverOptions } from './receiver.ts';

/** `ws:` or `wss:` for an `http:` or `https:` origin. */
function socketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}

export function startWebSocket(options: ReceiverOptions): Receiver {
  const { origin, channel, run, onMessage, onGap, onState } = options;
  let lastId = options.startAfter;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let stopped = false;

  function connect() {
    socket = new WebSocket(`${socketOrigin(origin)}/api/ws/${channel}?since=${encodeURIComponent(lastId)}&${runQuery(run)}`);
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === 'welcome') {
        failures = 0;
        onState('open');
      } else if (frame.type === 'message') {
        lastId = frame.message.id;
        onMessage(frame.message);
      } else if (frame.type === 'gap') {
        onGap();
      }
    });
    socket.addEventListener('close', () => {
      if (stopped) return;
      // 1006 (cut), 1001 (going away), anything: come back later, from the last id.
      onState('retrying');
      timer = setTimeout(connect, backoffMs(failures++));
    });
  }

  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      socket?.close(1000, 'lab stopped');
      onState('stopped');
    },
  };
}

/** The naive WebSocket: reconnects after a second, but without ?since=, so what was sent while it was down is lost. */
export function startNaiveWebSocket(options: ReceiverOptions): Receiver {
  const { origin, channel, run, onMessage, onGap, onState } = options;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let first = true;

  function connect() {
    // Only the first connection starts at the lab's start; every later one starts "now".
    const since = first ? `since=${encodeURIComponent(options.startAfter)}&` : '';
    first = false;
    socket = new WebSocket(`${socketOrigin(origin)}/api/ws/${channel}?${since}${runQuery(run)}`);
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === 'welcome') onState('open');
      else if (frame.type === 'message') onMessage(frame.message);
      else if (frame.type === 'gap') onGap();
    });
    socket.addEventListener('close', () => {
      if (stopped) return;
      onState('retrying');
      timer = setTimeout(connect, 1000);
    });
  }

  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      socket?.close(1000, 'lab stopped');
      onState('stopped');
    },
  };
}
