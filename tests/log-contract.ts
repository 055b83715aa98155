/**
 * The contract every ChannelLog keeps, as one suite: tests/redis/log-contract.test.ts runs it
 * against the in-memory log and the Redis Streams log. The transports rely on exactly these
 * behaviours, so a log that passes can replace another without touching them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, serverErrors } from '../server/errors.ts';
import type { ChannelLog, StoredMessage } from '../server/log/types.ts';
import { until } from './server/helpers.ts';

export interface LogOptions {
  historyLimit: number;
  maxChannels: number;
  /** MAX_LOG_BYTES, for a log that keeps its history in this process. */
  maxLogBytes?: number;
  channelIdleMs?: number;
}

export interface LogFactory {
  /** A fresh, empty log. */
  create(options: LogOptions): Promise<ChannelLog>;
  /** Whether the log counts its bytes against MAX_LOG_BYTES (the in-memory one; Redis bounds its own memory). */
  byteBudget?: boolean;
}

/** How often a test re-checks what only time brings (expiry): each check asks the log again. */
const EXPIRY_CHECK_MS = 25;

/** Collects what a listener receives, and lets a test await a count. */
function collector(): { messages: StoredMessage[]; listener: (message: StoredMessage) => void; received(count: number, timeoutMs?: number): Promise<void> } {
  const messages: StoredMessage[] = [];
  let wake: (() => void) | undefined;
  return {
    messages,
    listener: (message) => {
      messages.push(message);
      wake?.();
    },
    async received(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`received ${messages.length} of ${count} messages within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

function ids(messages: readonly StoredMessage[]): string[] {
  return messages.map((message) => message.id);
}

/** An id of the same form as `id`, later by `by` in its last number. */
function laterId(id: string, by: number): string {
  return id.replace(/(\d+)$/, (digits) => String(BigInt(digits) + BigInt(by)));
}

async function rejectsWith(promise: Promise<unknown> | (() => unknown), status: number, code: string): Promise<void> {
  await assert.rejects(async () => (typeof promise === 'function' ? promise() : promise), (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    return true;
  });
}

/** Registers the contract suite for one implementation. */
export function describeLogContract(name: string, factory: LogFactory): void {
  describe(`the ${name} channel log keeps the ChannelLog contract`, () => {
    async function withLog(options: Partial<LogOptions>, run: (log: ChannelLog) => Promise<void>): Promise<void> {
      const log = await factory.create({ ...options, historyLimit: options.historyLimit ?? 1000, maxChannels: options.maxChannels ?? 100 });
      try {
        await run(log);
      } finally {
        await log.close();
      }
    }

    it('appends envelopes with increasing ids, the channel, the type, the data and an ISO time', async () => {
      await withLog({}, async (log) => {
        const first = await log.append('chat', 'message', { text: 'one' });
        const second = await log.append('chat', 'note', [1, 2]);
        const envelope = JSON.parse(first.json);
        assert.deepEqual(Object.keys(envelope), ['id', 'channel', 'type', 'data', 'time']);
        assert.equal(envelope.id, first.id);
        assert.equal(envelope.channel, 'chat');
        assert.equal(envelope.type, 'message');
        assert.equal(first.type, 'message');
        assert.equal(second.type, 'note');
        assert.deepEqual(envelope.data, { text: 'one' });
        assert.deepEqual(JSON.parse(second.json).data, [1, 2]);
        assert.equal(new Date(envelope.time).toISOString(), envelope.time);
        assert.ok(log.compareIds(second.id, first.id) > 0);
        assert.ok(log.compareIds(first.id, second.id) < 0);
        assert.equal(log.compareIds(first.id, first.id), 0);
        log.checkId(first.id, 'since');
      });
    });

    it('reads the messages after an id, oldest first, in pages that say when more exist', async () => {
      await withLog({}, async (log) => {
        const start = (await log.readLatest('chat', 10)).cursor;
        const appended: StoredMessage[] = [];
        for (let n = 1; n <= 7; n++) appended.push(await log.append('chat', 'message', { n }));
        const page = await log.readAfter('chat', start, 5);
        assert.deepEqual(ids(page.messages), ids(appended.slice(0, 5)));
        assert.equal(page.more, true);
        assert.equal(page.gap, false);
        assert.equal(page.cursor, appended[4]?.id);
        const rest = await log.readAfter('chat', page.cursor, 5);
        assert.deepEqual(ids(rest.messages), ids(appended.slice(5)));
        assert.equal(rest.more, false);
        const none = await log.readAfter('chat', rest.cursor, 5);
        assert.deepEqual(none.messages, []);
        assert.equal(none.cursor, rest.cursor);
        const all = await log.readAfter('chat', start, Infinity);
        assert.deepEqual(ids(all.messages), ids(appended));
      });
    });

    it('reads the newest messages, oldest first, and reports the newest id as the head', async () => {
      await withLog({}, async (log) => {
        const appended: StoredMessage[] = [];
        for (let n = 1; n <= 5; n++) appended.push(await log.append('news', 'message', { n }));
        const latest = await log.readLatest('news', 3);
        assert.deepEqual(ids(latest.messages), ids(appended.slice(2)));
        assert.equal(latest.cursor, appended[4]?.id);
        assert.equal(log.headId('news'), appended[4]?.id);
        const empty = await log.readLatest('empty', 3);
        assert.deepEqual(empty.messages, []);
        assert.deepEqual((await log.readAfter('empty', empty.cursor, 3)).messages, []);
      });
    });

    it('refuses malformed ids with 400 INVALID_ID, and answers an id newer than the channel with a gap from the oldest message', async () => {
      await withLog({}, async (log) => {
        const first = await log.append('chat', 'message', { n: 1 });
        const last = await log.append('chat', 'message', { n: 2 });
        for (const bad of ['', 'abc', '12', '-1', '1-2-3', 'x'.repeat(200)]) {
          await rejectsWith(() => log.checkId(bad, 'since'), 400, 'INVALID_ID');
          await rejectsWith(log.readAfter('chat', bad, 10), 400, 'INVALID_ID');
        }
        // Such an id cannot be placed (writes lost in a Redis restart): never a 400, never silence.
        const page = await log.readAfter('chat', laterId(last.id, 5), 10);
        assert.equal(page.gap, true);
        assert.deepEqual(ids(page.messages), [first.id, last.id]);
      });
    });

    it('reports a gap when messages after the id have been trimmed from the history, and only then', async () => {
      await withLog({ historyLimit: 5 }, async (log) => {
        const start = (await log.readLatest('busy', 1)).cursor;
        const appended: StoredMessage[] = [];
        for (let n = 1; n <= 300; n++) appended.push(await log.append('busy', 'message', { n }));
        const kept = (await log.readAfter('busy', start, Infinity));
        assert.equal(kept.gap, true, 'reading from the start of a trimmed channel is a gap');
        assert.ok(kept.messages.length >= 5 && kept.messages.length < 300, `a bounded history keeps at least HISTORY_LIMIT messages; kept ${kept.messages.length}`);
        assert.deepEqual(ids(kept.messages), ids(appended.slice(300 - kept.messages.length)), 'what is kept is the newest, in order');

        const oldestKept = 300 - kept.messages.length;
        const newestTrimmed = appended[oldestKept - 1] as StoredMessage;
        const atBoundary = await log.readAfter('busy', newestTrimmed.id, Infinity);
        assert.equal(atBoundary.gap, false, 'the newest trimmed id is followed by the oldest kept message: nothing missed');
        assert.deepEqual(ids(atBoundary.messages), ids(kept.messages));

        const beforeBoundary = await log.readAfter('busy', (appended[oldestKept - 2] as StoredMessage).id, Infinity);
        assert.equal(beforeBoundary.gap, true, 'one message older than that, and one was missed');

        const recent = await log.readAfter('busy', (appended[297] as StoredMessage).id, Infinity);
        assert.equal(recent.gap, false);
        assert.deepEqual(ids(recent.messages), ids(appended.slice(298)));
      });
    });

    it('delivers to a subscriber every message appended after it subscribed, in order, once', async () => {
      await withLog({}, async (log) => {
        await log.append('live', 'message', { n: 0 });
        const seen = collector();
        const unsubscribe = log.subscribe('live', seen.listener);
        const appended: StoredMessage[] = [];
        for (let n = 1; n <= 20; n++) appended.push(await log.append('live', 'message', { n }));
        await seen.received(20);
        assert.deepEqual(ids(seen.messages), ids(appended));
        unsubscribe();
        await log.append('live', 'message', { n: 21 });
        // A second subscriber that is still there proves the 21st was delivered: the first must not have it.
        const other = collector();
        const stop = log.subscribe('live', other.listener);
        const last = await log.append('live', 'message', { n: 22 });
        await other.received(1);
        assert.deepEqual(ids(other.messages), [last.id]);
        assert.equal(seen.messages.length, 20);
        stop();
      });
    });

    it('has handed a subscriber every message a read returns by the time the read resolves', async () => {
      await withLog({}, async (log) => {
        const start = (await log.readLatest('replay', 1)).cursor;
        const seen = collector();
        const unsubscribe = log.subscribe('replay', seen.listener);
        for (let n = 1; n <= 10; n++) await log.append('replay', 'message', { n });
        const page = await log.readAfter('replay', start, Infinity);
        assert.equal(page.messages.length, 10);
        // No waiting here: a transport relays live messages that come after its replay, so
        // these must have come already.
        assert.deepEqual(ids(seen.messages), ids(page.messages));
        unsubscribe();
      });
    });

    it('keeps channels apart', async () => {
      await withLog({}, async (log) => {
        const seen = collector();
        const unsubscribe = log.subscribe('left', seen.listener);
        await log.append('right', 'message', { side: 'right' });
        const left = await log.append('left', 'message', { side: 'left' });
        await seen.received(1);
        assert.deepEqual(ids(seen.messages), [left.id]);
        assert.deepEqual((await log.readLatest('right', 10)).messages.map((m) => JSON.parse(m.json).data), [{ side: 'right' }]);
        unsubscribe();
      });
    });

    it('counts channels and refuses a new one past MAX_CHANNELS with 507 TOO_MANY_CHANNELS', async () => {
      await withLog({ maxChannels: 3 }, async (log) => {
        for (const channel of ['a', 'b', 'c']) await log.append(channel, 'message', {});
        assert.equal(log.channelCount(), 3);
        await rejectsWith(log.append('d', 'message', {}), 507, 'TOO_MANY_CHANNELS');
        await log.append('a', 'message', { again: true });
        assert.equal(log.channelCount(), 3);
      });
    });

    it('waits on a channel that does not exist without creating it, and delivers its first message', async () => {
      await withLog({ maxChannels: 2 }, async (log) => {
        await log.append('a', 'message', {});
        const seen = collector();
        const stops = ['later', 'never-1', 'never-2', 'never-3'].map((channel) => log.subscribe(channel, channel === 'later' ? seen.listener : () => {}));
        assert.deepEqual((await log.readLatest('never-4', 5)).messages, []);
        const cursor = log.headId('never-5');
        assert.deepEqual((await log.readAfter('never-5', cursor, 5)).messages, []);
        assert.equal(log.channelCount(), 1, 'subscribing and reading create nothing');
        const first = await log.append('later', 'message', { n: 1 });
        await seen.received(1);
        assert.deepEqual(ids(seen.messages), [first.id]);
        assert.equal(log.channelCount(), 2);
        await rejectsWith(log.append('never-1', 'message', {}), 507, 'TOO_MANY_CHANNELS');
        for (const stop of stops) stop();
      });
    });

    it('keeps the built-in and lesson channels outside MAX_CHANNELS', async () => {
      await withLog({ maxChannels: 1 }, async (log) => {
        await log.append('mine', 'message', {});
        await rejectsWith(log.append('other', 'message', {}), 507, 'TOO_MANY_CHANNELS');
        for (const channel of ['clock', 'chat', 'quiet-room']) await log.append(channel, 'message', { channel });
        assert.equal(log.channelCount(), 1);
        assert.equal((await log.readLatest('chat', 5)).messages.length, 1);
      });
    });

    it('removes a channel idle for CHANNEL_IDLE_MS, making room, and answers its old ids with a gap', async () => {
      await withLog({ maxChannels: 1, channelIdleMs: 300 }, async (log) => {
        const old = await log.append('idle', 'message', { n: 1 });
        await log.append('idle', 'message', { n: 2 });
        await rejectsWith(log.append('fresh', 'message', {}), 507, 'TOO_MANY_CHANNELS');
        // Refused (507) until the idle channel has expired.
        await until(async () => Boolean(await log.append('fresh', 'message', {})), 'the idle channel to make room', 5000, EXPIRY_CHECK_MS);
        assert.equal(log.channelCount(), 1);
        const page = await log.readAfter('idle', old.id, 10);
        assert.equal(page.gap, true, 'a reader resuming on a removed channel is told it missed messages');
        assert.deepEqual(page.messages, []);
        // The channel can come back, and its new history is told apart from the old one.
        await until(async () => Boolean(await log.append('idle', 'message', { n: 3 })), 'the fresh channel to expire in turn', 5000, EXPIRY_CHECK_MS);
        const again = await log.readAfter('idle', old.id, 10);
        assert.equal(again.gap, true);
        assert.deepEqual(again.messages.map((m) => JSON.parse(m.json).data), [{ n: 3 }]);
      });
    });

    it('keeps appending and delivering when a listener throws, and logs its failures through the rate-limited server error log', async () => {
      await withLog({}, async (log) => {
        const logged: unknown[][] = [];
        const consoleError = console.error;
        serverErrors.configure(2);
        console.error = (...args: unknown[]) => void logged.push(args);
        try {
          const others = collector();
          log.subscribe('faulty', () => {
            throw new Error('listener bug');
          });
          log.subscribe('faulty', others.listener);
          for (let n = 0; n < 6; n++) await log.append('faulty', 'message', { n });
          await others.received(6);
        } finally {
          console.error = consoleError;
          serverErrors.configure(10);
        }
        // The server error log counts per minute and per process: an earlier test may have used this minute's allowance.
        assert.ok(logged.length <= 3, `at most two stacks and one notice that the rest are counted, not one line per message; logged ${logged.length}`);
        for (const [first] of logged) {
          assert.ok(first instanceof Error ? /a listener failed/.test(first.message) : /LOGGED_ERRORS_PER_MIN/.test(String(first)), String(first));
        }
      });
    });

    it('keeps the head id of a channel that never existed, and reads it without a gap, when another channel expires', async () => {
      await withLog({ channelIdleMs: 200 }, async (log) => {
        const emptyHead = log.headId('quiet-room');
        await log.append('short-lived', 'message', { n: 1 });
        await until(() => log.channelCount() === 0, 'the idle channel to be removed', 5000, EXPIRY_CHECK_MS);
        assert.equal(log.headId('quiet-room'), emptyHead, 'another channel expiring does not move the head of an empty one');
        const page = await log.readAfter('quiet-room', emptyHead, 10);
        assert.equal(page.gap, false, 'a reader of a channel that never existed has missed nothing');
        assert.deepEqual(page.messages, []);
        const first = await log.append('quiet-room', 'message', { n: 1 });
        const after = await log.readAfter('quiet-room', emptyHead, 10);
        assert.equal(after.gap, false);
        assert.deepEqual(ids(after.messages), [first.id]);
      });
    });

    it('counts only the channels that have not expired', async () => {
      await withLog({ channelIdleMs: 300 }, async (log) => {
        await log.append('brief-1', 'message', {});
        await log.append('brief-2', 'message', {});
        assert.equal(log.channelCount(), 2);
        await until(() => log.channelCount() === 0, 'both channels to expire and leave the count', 5000, EXPIRY_CHECK_MS);
      });
    });

    if (factory.byteBudget) {
      it('keeps the history within MAX_LOG_BYTES by dropping the oldest messages of the largest channel, with a gap for its readers', async () => {
        const budget = 64 * 1024;
        await withLog({ maxLogBytes: budget }, async (log) => {
          const quiet = await log.append('quiet', 'message', { text: 'keep me' });
          const start = log.headId('noisy');
          const seen = collector();
          const stop = log.subscribe('noisy', seen.listener);
          const appended: StoredMessage[] = [];
          for (let n = 0; n < 100; n++) appended.push(await log.append('noisy', 'message', { n, fill: 'x'.repeat(2000) }));
          assert.ok((log.storedBytes?.() ?? Infinity) <= budget, `stored ${log.storedBytes?.()} bytes, budget ${budget}`);
          assert.equal(seen.messages.length, 100, 'live subscribers received every message');
          const page = await log.readAfter('noisy', start, Infinity);
          assert.equal(page.gap, true);
          assert.ok(page.messages.length > 10 && page.messages.length < 100, `kept ${page.messages.length}`);
          assert.deepEqual(ids(page.messages), ids(appended.slice(100 - page.messages.length)), 'the newest are kept, in order');
          const boundary = appended[100 - page.messages.length - 1] as StoredMessage;
          assert.equal((await log.readAfter('noisy', boundary.id, Infinity)).gap, false, 'a reader that had every dropped message missed nothing');
          assert.deepEqual(ids((await log.readLatest('quiet', 5)).messages), [quiet.id], 'the small channel kept its history');
          stop();
        });
      });

      it('counts a message at its size on the heap: two bytes a character when any is outside Latin-1', async () => {
        await withLog({}, async (log) => {
          const before = log.storedBytes?.() ?? 0;
          await log.append('sizes', 'message', 'a'.repeat(1000));
          const ascii = (log.storedBytes?.() ?? 0) - before;
          await log.append('sizes', 'message', `${'a'.repeat(999)}中`);
          const wide = (log.storedBytes?.() ?? 0) - before - ascii;
          assert.ok(ascii > 1000 && ascii < 1400, `ascii ${ascii}`);
          assert.ok(wide > 2000, `wide ${wide}`);
        });
      });
    }

    it('says it is healthy when it can take messages', async () => {
      await withLog({}, async (log) => {
        const health = await log.health();
        assert.equal(health.ok, true);
        assert.equal(health.reason, undefined);
      });
    });
  });
}
