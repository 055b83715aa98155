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
import { Subscribers } from './subscribers.ts';

/** How often held requests are checked for their timeout: one timer for all of them. */
const TIMEOUT_SWEEP_MS = 100;

export function createLongPollingTransport(ctx: ServerContext) {
  const { config, stats, gate } = ctx;
  /** Held requests by channel (subscribers.ts), and when each one times out. */
  const waiters = new Subscribers<ServerResponse>(ctx, answerWaiters, (res) => res.destroy());
  const deadlines = new Map<ServerResponse, { channel: string; deadline: number }>();
  let sweepTimer: NodeJS.Timeout | undefined;

  /** Stops holding a request: it is answered, timed out, or its client went away. */
  function finish(res: ServerResponse): boolean {
    const held = deadlines.get(res);
    if (!held) return false;
    deadlines.delete(res);
    waiters.remove(held.channel, res);
    stats.open.longPoll -= 1;
    if (deadlines.size === 0 && sweepTimer) {
      clearInterval(sweepTimer);
      sweepTimer = undefined;
    }
    return true;
  }

  // #region answer-waiters
  /** A new message: every request held on the channel gets the same bytes. */
  function answerWaiters(channel: string, message: StoredMessage): void {
    const set = waiters.get(channel);
    if (!set) return;
    const body = formatPage({ messages: [message], cursor: message.id, more: false, gap: false });
    for (const res of set) {
      // A request still reading the history keeps the message, and sends it if the history had nothing.
      if (waiters.held(res, message)) continue;
      finish(res);
      sendJson(res, 200, body, { 'Cache-Control': 'no-store' });
    }
  }
  // #endregion answer-waiters

  // #region sweep-timeouts
  function sweepTimeouts(): void {
    const now = Date.now();
    for (const [res, { deadline }] of deadlines) {
      if (deadline <= now && !waiters.isReplaying(res)) {
        finish(res);
        res.writeHead(204, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end();
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
    if (since !== null) ctx.log.checkId(since, 'since');

    const address = clientAddress(req);
    gate.open(address);
    try {
      // Subscribing creates no channel: a request on a name that does not exist waits for its first message.
      waiters.add(channel, res);
    } catch (error) {
      gate.release(address);
      throw error;
    }
    deadlines.set(res, { channel, deadline: Date.now() + timeoutS * 1000 });
    stats.open.longPoll += 1;
    sweepTimer ??= setInterval(sweepTimeouts, TIMEOUT_SWEEP_MS).unref();
    res.on('close', () => {
      // Answered, or the client went away: either way, leave nothing behind.
      finish(res);
      gate.release(address);
    });
    if (since === null) return;

    // Hold first, then read: a message that arrives while the history is read is held back,
    // not lost between the read and the wait, and sent if the history had nothing newer.
    waiters.hold(res);
    const page = await ctx.runs.readAfter(res, channel, since, limit);
    const held = waiters.release(res);
    if (!deadlines.has(res)) return;
    if (page.messages.length > 0 || page.gap) {
      finish(res);
      sendJson(res, 200, formatPage(page), { 'Cache-Control': 'no-store' });
    } else if (held.length > 0) {
      finish(res);
      const messages = held.slice(0, limit);
      sendJson(res, 200, formatPage({ messages, cursor: (messages.at(-1) as StoredMessage).id, more: held.length > limit, gap: false }), { 'Cache-Control': 'no-store' });
    }
  }
  // #endregion handle-long-poll

  /** Answers one held request with 204 now (a clean drop, or shutdown): its client asks again. */
  function answerNow(res: ServerResponse, headers: Record<string, string> = {}): void {
    if (!finish(res)) return;
    res.writeHead(204, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers }).end();
  }

  /** On shutdown: answer every held request with 204, so clients ask again elsewhere. */
  function close(): void {
    for (const res of [...deadlines.keys()]) answerNow(res, { Connection: 'close' });
  }

  return { handleLongPoll, answerNow, close };
}
