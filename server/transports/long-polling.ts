/**
 * Long polling: the server holds the request until there is news, answers, and the client
 * asks again at once, in a loop.
 *
 *   GET /api/long-poll/:channel?since=ID&timeout=S
 *
 * Messages after `since` already exist: answer at once (200, the same body as a poll).
 * Otherwise the request waits until a message arrives (200) or `timeout` seconds pass
 * (204 No Content: nothing new, ask again). Without `since` it waits for the next message.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context.ts';
import { clientAddress, integerParam, sendJson } from '../http.ts';
import type { StoredMessage } from '../log/types.ts';
import { formatPage } from './polling.ts';

interface Waiter {
  res: ServerResponse;
  channel: string;
  deadline: number;
  /** False while the history is still being read: a message that arrives then is noted, not sent. */
  ready: boolean;
  missed: boolean;
}

/** How often held requests are checked for their timeout: one timer for all of them. */
const TIMEOUT_SWEEP_MS = 100;

export function createLongPollingTransport(ctx: ServerContext) {
  const { config, log, stats, gate } = ctx;
  const waiters = new Map<string, Set<Waiter>>();
  const unsubscribes = new Map<string, () => void>();
  let sweepTimer: NodeJS.Timeout | undefined;

  // #region answer-waiters
  /** A new message: every waiter on the channel gets the same bytes. */
  function answerWaiters(channel: string, message: StoredMessage): void {
    const set = waiters.get(channel);
    if (!set) return;
    const body = formatPage({ messages: [message], cursor: message.id, more: false, gap: false });
    for (const waiter of set) {
      if (!waiter.ready) {
        waiter.missed = true;
        continue;
      }
      finish(waiter);
      sendJson(waiter.res, 200, body, { 'Cache-Control': 'no-store' });
    }
  }
  // #endregion answer-waiters

  function hold(waiter: Waiter): void {
    let set = waiters.get(waiter.channel);
    if (!set) {
      // Subscribing creates no channel: a waiter on a name that does not exist waits for its first message.
      const unsubscribe = log.subscribe(waiter.channel, (message) => answerWaiters(waiter.channel, message));
      set = new Set();
      waiters.set(waiter.channel, set);
      unsubscribes.set(waiter.channel, unsubscribe);
    }
    set.add(waiter);
    stats.open.longPoll += 1;
    sweepTimer ??= setInterval(sweepTimeouts, TIMEOUT_SWEEP_MS).unref();
  }

  /** Stops holding a waiter: it was answered, timed out, or its client went away. */
  function finish(waiter: Waiter): void {
    const set = waiters.get(waiter.channel);
    if (!set?.delete(waiter)) return;
    stats.open.longPoll -= 1;
    if (set.size === 0) {
      waiters.delete(waiter.channel);
      unsubscribes.get(waiter.channel)?.();
      unsubscribes.delete(waiter.channel);
    }
    if (waiters.size === 0 && sweepTimer) {
      clearInterval(sweepTimer);
      sweepTimer = undefined;
    }
  }

  // #region sweep-timeouts
  function sweepTimeouts(): void {
    const now = Date.now();
    for (const set of waiters.values()) {
      for (const waiter of set) {
        if (waiter.ready && waiter.deadline <= now) {
          finish(waiter);
          waiter.res.writeHead(204, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end();
        }
      }
    }
  }
  // #endregion sweep-timeouts

  // #region handle-long-poll
  async function handleLongPoll(req: IncomingMessage, res: ServerResponse, channel: string, params: URLSearchParams): Promise<void> {
    stats.requests.longPoll += 1;
    const timeoutS = integerParam(params, 'timeout', config.longPollDefaultTimeoutS, 1, config.longPollMaxTimeoutS, 'LONG_POLL_MAX_TIMEOUT_S');
    const limit = integerParam(params, 'limit', config.pollMaxLimit, 1, config.pollMaxLimit, 'POLL_MAX_LIMIT');
    const since = params.get('since');
    if (since !== null) log.checkId(since, 'since');

    const address = clientAddress(req);
    gate.open(address);
    const waiter: Waiter = { res, channel, deadline: Date.now() + timeoutS * 1000, ready: since === null, missed: false };
    try {
      hold(waiter);
    } catch (error) {
      gate.release(address);
      throw error;
    }
    res.on('close', () => {
      // Answered, or the client went away: either way, leave no waiter behind.
      finish(waiter);
      gate.release(address);
    });
    if (since === null) return;

    // Hold first, then read: a message that arrives while the history is read is noted in
    // `missed`, and the history is read again, so nothing falls between the two.
    let cursor = since;
    for (;;) {
      waiter.missed = false;
      const page = await ctx.runs.readAfter(res, channel, cursor, limit);
      if (res.destroyed) return;
      if (page.messages.length > 0 || page.gap) {
        finish(waiter);
        sendJson(res, 200, formatPage(page), { 'Cache-Control': 'no-store' });
        return;
      }
      if (!waiter.missed) break;
      cursor = page.cursor;
    }
    waiter.ready = true;
  }
  // #endregion handle-long-poll

  /** Answers one held request with 204 now (a clean drop): its client asks again at once. */
  function answerNow(res: ServerResponse): void {
    for (const set of waiters.values()) {
      for (const waiter of set) {
        if (waiter.res !== res) continue;
        finish(waiter);
        res.writeHead(204, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end();
        return;
      }
    }
  }

  /** On shutdown: answer every held request with 204, so clients ask again elsewhere. */
  function close(): void {
    for (const set of [...waiters.values()]) {
      for (const waiter of [...set]) {
        finish(waiter);
        waiter.res.writeHead(204, { 'Cache-Control': 'no-store', Connection: 'close', 'X-Content-Type-Options': 'nosniff' }).end();
      }
    }
  }

  return { handleLongPoll, answerNow, close };
}
