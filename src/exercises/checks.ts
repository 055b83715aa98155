/**
 * The exercises' one check library, shared by the page, CI and workshop mode.
 *
 * A check is data, `{ id, kind, params }`; each kind is a small predicate over the evidence of
 * one Check: the run's tap as the server saw it, and the lines the reader's code logged. A
 * result is `passed` or `failed` with a sentence key (src/exercises/strings.ts) and the values
 * that name the evidence, so the page can say it in either language. No check ever compares the
 * whole output with a string: it reads ids and numbers that the exercise's output contract asks
 * the code to log, and everything else from the wire.
 *
 * Pure TypeScript: no DOM, no Node APIs.
 */
import type { Faults } from '../../server/runs/faults.ts';
import type { TapEvent } from '../../server/runs/tap.ts';
// The quiz is checked without the server, in a module of its own: the quiz's page script loads only that.
export { evaluateQuiz, type QuizResult } from './quiz.ts';
import { clientRequests, countLogged, jsonFrames, publishedMessages, readRequests, timeOf, type SeenMessage, type TapRequest } from './tap-reading.ts';

/** One line the reader's code logged, as the sandbox frame reports it. */
export interface OutputLine {
  level: 'log' | 'info' | 'warn' | 'error';
  text: string;
  /** ms since the epoch */
  at: number;
}

/** What one Check collected, for a bounded time. */
export interface Evidence {
  tap: TapEvent[];
  output: OutputLine[];
  /** The channel this Check's script published on, and the code was given as CHANNEL. */
  channel: string;
  /** The faults the exercise applied (and any it set on the way). */
  faults: Partial<Faults>;
  /** ms since the epoch */
  startedAt: number;
  endedAt: number;
  /** The code had not logged its `done` line when the time bound passed. */
  timedOut: boolean;
  /** The server could not be reached: no run, no tap. */
  unreachable: boolean;
}

type Polling = 'poll' | 'long-poll';

/** Every kind of check, with its parameters. */
export type CheckSpec =
  | { id: string; kind: 'cursor-advanced'; params: { technique: Polling } }
  | { id: string; kind: 'not-modified'; params: { min: number } }
  | { id: string; kind: 'one-at-a-time'; params: { technique: Polling } }
  | { id: string; kind: 'all-once'; params: { min: number; except?: string[]; source?: 'published' | 'acks' } }
  | { id: string; kind: 'stopped-when-told'; params: { technique: Polling | 'sse' | 'ws'; stopType: string } }
  | { id: string; kind: 'stopped-after-204'; params: { technique: Polling | 'sse' } }
  | { id: string; kind: 'intervals-grow'; params: { technique: Polling; baseMs: number; capMs: number } }
  | { id: string; kind: 'intervals-capped'; params: { technique: Polling; baseMs: number; capMs: number } }
  | { id: string; kind: 'interval-reset'; params: { technique: Polling; baseMs: number; capMs: number } }
  | { id: string; kind: 'no-gap-between-holds'; params: { maxMs: number } }
  | { id: string; kind: 'resumed-from-last-id'; params: { technique: 'sse' | 'ws'; via: 'Last-Event-ID' | 'lastEventId' | 'since' | 'Last-Event-ID or lastEventId' } }
  | { id: string; kind: 'caught-up-after-gap'; params: Record<string, never> }
  | { id: string; kind: 'reconnected-after-silence'; params: { minMs: number; maxMs: number } }
  | { id: string; kind: 'ws-opcode'; params: { technique: 'ws' | 'echo'; opcode: number } }
  | { id: string; kind: 'logged-byte-length'; params: { technique: 'ws' | 'echo'; label: string } }
  | { id: string; kind: 'ack-before-next'; params: { count: number } }
  | { id: string; kind: 'close-frame'; params: { technique: 'ws' | 'echo'; code: number } }
  | { id: string; kind: 'reconnect-delay'; params: { minMs: number; maxMs: number } }
  | { id: string; kind: 'answered-pings'; params: { pingType: string; withinMs: number } };

/** The name of a check's predicate. */
export type CheckKind = CheckSpec['kind'];

/** The values a sentence names: ids, counts, times in seconds since the Check started, waits in ms. */
export type Values = Record<string, string | number>;

/** One check's verdict over one Check's evidence. */
export interface CheckResult {
  id: string;
  kind: CheckKind;
  state: 'passed' | 'failed';
  /** A key of the check sentences in strings.ts: `check.<kind>.<outcome>`. */
  key: string;
  values: Values;
}

/** The overall state of one Check: wrong, timed out and unreachable are told apart. */
export type OverallState = 'passed' | 'wrong' | 'timed-out' | 'unreachable';

/** Every check's verdict, and the Check's overall state. */
export interface CheckReport {
  state: OverallState;
  results: CheckResult[];
}

/** What every predicate is given: the evidence, and its tap read into requests once. */
interface Reading {
  evidence: Evidence;
  requests: TapRequest[];
  channel: string;
  /** Seconds since the Check started, one decimal: how sentences name a moment. */
  at(ms: number): number;
}

/** Ids for a sentence: the first three, then how many more. */
function listIds(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} (+${ids.length - 3})`;
}

function result(spec: CheckSpec, passed: boolean, outcome: string, values: Values = {}): CheckResult {
  return { id: spec.id, kind: spec.kind, state: passed ? 'passed' : 'failed', key: `check.${spec.kind}.${outcome}`, values };
}

/** When a request was over: its close, or (never closed while the Check watched) the end. */
function endOf(request: TapRequest, evidence: Evidence): number {
  return request.closeAt ?? evidence.endedAt;
}

/** The cursor a poll or long-poll answer gave, if its body says. */
function cursorOf(request: TapRequest): string | undefined {
  for (const event of request.events) {
    if (event.direction !== 'out' || event.kind !== 'body') continue;
    const match = /"cursor":"([^"\\]+)"/.exec(event.text ?? '');
    if (match) return match[1];
  }
  return undefined;
}

/** An answer of a polling loop: news (200 with messages), nothing (304, 204, an empty page) or a failure. */
function outcomeOf(request: TapRequest): 'news' | 'nothing' | 'failure' {
  if (request.status === undefined || request.status >= 400 || request.closeCode === 'abrupt') return 'failure';
  return request.delivered.length > 0 ? 'news' : 'nothing';
}

/** The waits between each answer and the next request, with what that answer was. */
function waitsOf(requests: readonly TapRequest[], evidence: Evidence): { after: TapRequest; ms: number }[] {
  const waits: { after: TapRequest; ms: number }[] = [];
  for (let i = 0; i + 1 < requests.length; i++) {
    const after = requests[i] as TapRequest;
    waits.push({ after, ms: Math.max(0, (requests[i + 1] as TapRequest).at - endOf(after, evidence)) });
  }
  return waits;
}

/** The id a request named as its position: `since`, `lastEventId` or the Last-Event-ID header. */
function namedId(request: TapRequest, via: string): { id: string | undefined; how: string } {
  const header = request.headers.get('last-event-id');
  const lastEventId = request.query.get('lastEventId');
  const since = request.query.get('since');
  if ((via === 'Last-Event-ID' || via.startsWith('Last-Event-ID or')) && header) return { id: header, how: 'Last-Event-ID' };
  if ((via === 'lastEventId' || via.endsWith('or lastEventId')) && lastEventId) return { id: lastEventId, how: 'lastEventId' };
  if (via === 'since' && since) return { id: since, how: 'since' };
  return { id: undefined, how: via };
}

type Predicate<K extends CheckKind> = (spec: Extract<CheckSpec, { kind: K }>, reading: Reading) => CheckResult;

const PREDICATES: { [K in CheckKind]: Predicate<K> } = {
  'cursor-advanced'(spec, { requests, channel }) {
    const polls = clientRequests(requests, spec.params.technique, channel);
    if (polls.length < 2) return result(spec, false, 'tooFew', { requests: polls.length });
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (const [i, poll] of polls.entries()) {
      const since = poll.query.get('since');
      if (i > 0 && cursor !== undefined && since !== cursor) {
        return result(spec, false, since === null ? 'noSince' : 'wrongCursor', { n: i + 1, since: since ?? '', cursor });
      }
      if (since !== null) seen.add(since);
      cursor = cursorOf(poll) ?? cursor;
    }
    if (seen.size < 2) return result(spec, false, 'stuck', { requests: polls.length, since: [...seen][0] ?? '' });
    return result(spec, true, 'passed', { count: seen.size, last: [...seen].at(-1) as string });
  },

  'not-modified'(spec, { requests, channel }) {
    const polls = clientRequests(requests, 'poll', channel);
    const withHeader = polls.filter((poll) => poll.headers.has('if-none-match')).length;
    const notModified = polls.filter((poll) => poll.status === 304).length;
    const values = { polls: polls.length, count: notModified, withHeader, min: spec.params.min };
    if (notModified >= spec.params.min) return result(spec, true, 'passed', values);
    return result(spec, false, withHeader === 0 ? 'noHeader' : 'staleEtag', values);
  },

  'one-at-a-time'(spec, reading) {
    const { channel } = reading;
    const polls = clientRequests(reading.requests, spec.params.technique, channel);
    for (let i = 1; i < polls.length; i++) {
      const earlier = polls.slice(0, i).find((poll) => (poll.closeSeq ?? Infinity) > (polls[i] as TapRequest).seq);
      if (earlier) return result(spec, false, 'overlap', { first: reading.at(earlier.at), second: reading.at((polls[i] as TapRequest).at) });
    }
    return result(spec, true, 'passed', { requests: polls.length });
  },

  'all-once'(spec, { requests, evidence, channel }) {
    const except = new Set(spec.params.except ?? []);
    // The messages the Check published, or those the client published over its WebSocket (their acks name them).
    const ids =
      spec.params.source === 'acks'
        ? clientRequests(requests, 'ws', channel).flatMap((socket) => jsonFrames(socket, 'out')).filter(({ frame }) => frame.type === 'ack').map(({ frame }) => String(frame.id))
        : publishedMessages(requests, channel).filter((message) => !except.has(message.type)).map((message) => message.id);
    if (ids.length < spec.params.min) return result(spec, false, 'notPublished', { count: ids.length, min: spec.params.min });
    const counts = countLogged(evidence.output, ids);
    const lost = ids.filter((id) => counts.get(id) === 0);
    const doubled = ids.filter((id) => (counts.get(id) ?? 0) > 1);
    const values = { count: ids.length, first: ids[0] as string, last: ids.at(-1) as string };
    if (lost.length > 0) return result(spec, false, 'lost', { ...values, lost: lost.length, ids: listIds(lost) });
    if (doubled.length > 0) return result(spec, false, 'doubled', { ...values, doubled: doubled.length, ids: listIds(doubled) });
    return result(spec, true, 'passed', values);
  },

  'stopped-when-told'(spec, reading) {
    const { channel } = reading;
    const mine = clientRequests(reading.requests, spec.params.technique, channel);
    const stop = mine.flatMap((request) => request.delivered).find((message) => message.type === spec.params.stopType);
    if (!stop) return result(spec, false, 'notDelivered', { type: spec.params.stopType });
    const after = mine.find((request) => request.seq > stop.seq);
    if (after) return result(spec, false, 'askedAgain', { stop: reading.at(stop.at), next: reading.at(after.at) });
    if (mine.some((request) => request.closeSeq === undefined)) return result(spec, false, 'leftOpen', { stop: reading.at(stop.at) });
    return result(spec, true, 'passed', { stop: reading.at(stop.at), id: stop.id });
  },

  'stopped-after-204'(spec, reading) {
    const { channel } = reading;
    const mine = clientRequests(reading.requests, spec.params.technique, channel);
    const refused = mine.find((request) => request.status === 204);
    if (!refused) return result(spec, false, 'no204', { requests: mine.length });
    const again = mine.filter((request) => request.seq > refused.seq);
    if (again.length > 0) return result(spec, false, 'askedAgain', { at: reading.at(refused.at), count: again.length });
    return result(spec, true, 'passed', { at: reading.at(refused.at), requests: mine.length });
  },

  'intervals-grow'(spec, { requests, evidence, channel }) {
    const waits = waitsOf(clientRequests(requests, spec.params.technique, channel), evidence);
    // The first run of three or more waits after answers with nothing new (or errors).
    let streak: number[] = [];
    for (const wait of waits) {
      if (outcomeOf(wait.after) === 'news') {
        if (streak.length >= 3) break;
        streak = [];
      } else {
        streak.push(Math.round(wait.ms));
      }
    }
    if (streak.length < 3) return result(spec, false, 'noStreak', { count: streak.length });
    const list = streak.slice(0, 6).join(', ');
    // Timers fire late, never early, and a busy machine (a workshop laptop, a shared CI runner)
    // can make any one wait look long: compare the shorter of the first two waits with the
    // shorter of the last two, so that one late timer neither hides growth nor fakes it.
    const early = Math.min(streak[0] as number, streak[1] as number);
    const late = Math.min(streak.at(-1) as number, streak.at(-2) as number);
    // Growth is counted in the exercise's own units: the later waits must reach four times the
    // base wait. A loop that asks again at once (1 ms, then 3 ms on a busy machine) or waits a
    // fixed 100 ms (200 ms and more when a loaded machine runs its timers late) has not backed
    // off; doubling from the base passes four times it on the third error.
    if (late < Math.max(4 * spec.params.baseMs, Math.min(2 * early, spec.params.capMs * 0.75))) return result(spec, false, 'flat', { waits: list, count: streak.length });
    return result(spec, true, 'passed', { waits: list });
  },

  'intervals-capped'(spec, { requests, evidence, channel }) {
    const waits = waitsOf(clientRequests(requests, spec.params.technique, channel), evidence);
    if (waits.length === 0) return result(spec, false, 'tooFew', {});
    const longest = Math.round(Math.max(...waits.map((wait) => wait.ms)));
    const values = { longest, cap: spec.params.capMs };
    // A busy machine makes timers late by up to a second: a wait past twice the cap means the
    // doubling went on (the exercises' scripts keep it going long enough to reach four times).
    return longest <= spec.params.capMs * 2 + 200 ? result(spec, true, 'passed', values) : result(spec, false, 'over', values);
  },

  'interval-reset'(spec, reading) {
    const { channel } = reading;
    const waits = waitsOf(clientRequests(reading.requests, spec.params.technique, channel), reading.evidence);
    for (let i = 1; i < waits.length; i++) {
      const wait = waits[i] as { after: TapRequest; ms: number };
      const before = waits[i - 1] as { after: TapRequest; ms: number };
      // News after a backed-off wait: the next wait must be back at the base.
      if (outcomeOf(wait.after) !== 'news' || before.ms < spec.params.baseMs * 2 - 40) continue;
      const values = { at: reading.at(endOf(wait.after, reading.evidence)), wait: Math.round(wait.ms), before: Math.round(before.ms), base: spec.params.baseMs };
      // Back at the base, give or take late timers: nearer the base than the cap, or well under the wait before.
      const reset = wait.ms <= (spec.params.baseMs + spec.params.capMs) / 2 || wait.ms <= before.ms * 0.6;
      return reset ? result(spec, true, 'passed', values) : result(spec, false, 'notReset', values);
    }
    return result(spec, false, 'notSeen', {});
  },

  'no-gap-between-holds'(spec, reading) {
    const { channel } = reading;
    const polls = clientRequests(reading.requests, 'long-poll', channel);
    const waits = waitsOf(polls, reading.evidence);
    if (waits.length === 0) return result(spec, false, 'tooFew', { requests: polls.length });
    const longest = waits.reduce((a, b) => (b.ms > a.ms ? b : a));
    const values = { longest: Math.round(longest.ms), max: spec.params.maxMs, at: reading.at(endOf(longest.after, reading.evidence)) };
    return longest.ms <= spec.params.maxMs ? result(spec, true, 'passed', values) : result(spec, false, 'gap', values);
  },

  'resumed-from-last-id'(spec, reading) {
    const { channel } = reading;
    const mine = clientRequests(reading.requests, spec.params.technique, channel);
    const delivered: SeenMessage[] = [];
    let resumes = 0;
    let shown: Values = {};
    for (const request of mine) {
      const last = delivered.filter((message) => message.seq < request.seq).at(-1);
      if (last) {
        const named = namedId(request, spec.params.via);
        if (named.id === undefined) return result(spec, false, 'missing', { via: spec.params.via, at: reading.at(request.at), last: last.id });
        // The server may have written a message or two on the old connection while the client was
        // already leaving it: any id of the last connection that delivered something resumes from
        // where the client was (a replay it has seen is only dropped again); an older id, or one
        // never sent, is wrong.
        const fromLast = delivered.some((message) => message.connection === last.connection && message.id === named.id);
        if (!fromLast) return result(spec, false, 'wrong', { via: named.how, id: named.id, last: last.id });
        resumes += 1;
        const after = request.delivered;
        shown = { via: named.how, id: named.id, count: after.length, first: after[0]?.id ?? '-', last: after.at(-1)?.id ?? '-' };
      }
      delivered.push(...request.delivered);
    }
    if (resumes === 0) return result(spec, false, 'noReconnect', { requests: mine.length });
    return result(spec, true, 'passed', { ...shown, resumes });
  },

  'caught-up-after-gap'(spec, reading) {
    const { channel } = reading;
    const streams = clientRequests(reading.requests, 'sse', channel);
    const gap = streams.flatMap((stream) => stream.events).find((event) => event.direction === 'out' && event.kind === 'sse' && /^event: gap$/m.test(event.text ?? ''));
    if (!gap) return result(spec, false, 'noGap', { streams: streams.length });
    const poll = clientRequests(reading.requests, 'poll', channel).find((request) => request.seq > gap.seq && request.status === 200);
    if (!poll) return result(spec, false, 'noPoll', { at: reading.at(timeOf(gap)) });
    return result(spec, true, 'passed', { at: reading.at(timeOf(gap)), url: poll.url, count: poll.delivered.length });
  },

  'reconnected-after-silence'(spec, reading) {
    const { channel } = reading;
    const streams = clientRequests(reading.requests, 'sse', channel);
    for (let i = 1; i < streams.length; i++) {
      const before = streams[i - 1] as TapRequest;
      const next = streams[i] as TapRequest;
      const lastOutput = before.events.filter((event) => event.direction === 'out' && event.kind === 'sse' && event.seq < next.seq).at(-1);
      const silence = Math.round(next.at - (lastOutput ? timeOf(lastOutput) : before.at));
      const values = { silence, min: spec.params.minMs, max: spec.params.maxMs, at: reading.at(next.at) };
      if (silence < spec.params.minMs) return result(spec, false, 'tooSoon', values);
      if (silence > spec.params.maxMs) return result(spec, false, 'tooLate', values);
      return result(spec, true, 'passed', values);
    }
    return result(spec, false, 'never', { max: spec.params.maxMs });
  },

  'ws-opcode'(spec, { requests }) {
    const sockets = clientRequests(requests, spec.params.technique);
    const frames = sockets.flatMap((socket) => socket.events).filter((event) => event.kind === 'ws-frame' && event.frame && event.frame.opcode !== 8 && event.frame.opcode < 9);
    const opcodes = (direction: 'in' | 'out') => [...new Set(frames.filter((event) => event.direction === direction).map((event) => event.frame?.opcode as number))];
    const values = { opcode: spec.params.opcode, sent: opcodes('in').join(', ') || '-', received: opcodes('out').join(', ') || '-' };
    if (!opcodes('in').includes(spec.params.opcode)) return result(spec, false, 'notSent', values);
    if (!opcodes('out').includes(spec.params.opcode)) return result(spec, false, 'notReceived', values);
    return result(spec, true, 'passed', values);
  },

  'logged-byte-length'(spec, { requests, evidence }) {
    const echoed = clientRequests(requests, spec.params.technique)
      .flatMap((socket) => socket.events)
      .find((event) => event.kind === 'ws-frame' && event.direction === 'out' && event.frame?.opcode === 2);
    if (!echoed?.frame) return result(spec, false, 'noBinary', { label: spec.params.label });
    const bytes = echoed.frame.payloadLength;
    // The output contract: one line `<label> <byte length>`, such as `ArrayBuffer 16`.
    const pattern = new RegExp(`^${spec.params.label} (\\d+)$`);
    const logged = evidence.output.map((line) => pattern.exec(line.text.trim())).find((match) => match !== null);
    if (!logged) return result(spec, false, 'notLogged', { label: spec.params.label, bytes });
    if (Number(logged[1]) !== bytes) return result(spec, false, 'wrongLength', { label: spec.params.label, bytes, logged: Number(logged[1]) });
    return result(spec, true, 'passed', { label: spec.params.label, bytes });
  },

  'ack-before-next'(spec, { requests, channel }) {
    const sockets = clientRequests(requests, 'ws', channel);
    const publishes = sockets.flatMap((socket) => jsonFrames(socket, 'in')).filter(({ frame }) => frame.type === 'publish');
    const acks = sockets.flatMap((socket) => jsonFrames(socket, 'out')).filter(({ frame }) => frame.type === 'ack');
    for (let i = 1; i < publishes.length; i++) {
      const previous = (publishes[i - 1] as { seq: number }).seq;
      const current = (publishes[i] as { seq: number }).seq;
      if (!acks.some((ack) => ack.seq > previous && ack.seq < current)) return result(spec, false, 'notWaited', { n: i + 1, previous: i });
    }
    if (publishes.length < spec.params.count || acks.length < spec.params.count) return result(spec, false, 'tooFew', { sent: publishes.length, acks: acks.length, count: spec.params.count });
    return result(spec, true, 'passed', { sent: publishes.length, last: String(acks.at(-1)?.frame.id ?? '') });
  },

  'close-frame'(spec, { requests }) {
    const sockets = clientRequests(requests, spec.params.technique);
    const close = sockets.flatMap((socket) => socket.events).find((event) => event.kind === 'ws-frame' && event.direction === 'in' && event.frame?.opcode === 8);
    if (!close?.frame) {
      const ended = sockets.find((socket) => socket.closeCode !== undefined);
      return result(spec, false, 'noClose', { code: spec.params.code, ended: ended ? String(ended.closeCode) : 'open' });
    }
    // A close frame without a code is one the other side reads as 1005: say so, not "the code none".
    if (close.frame.closeCode === undefined || close.frame.closeCode === null) return result(spec, false, 'noCode', { code: spec.params.code });
    const code = close.frame.closeCode;
    const reason = close.frame.closeReason ?? '';
    if (code !== spec.params.code) return result(spec, false, 'wrongCode', { code: spec.params.code, got: code });
    if (reason === '') return result(spec, false, 'noReason', { code });
    return result(spec, true, 'passed', { code, reason });
  },

  'reconnect-delay'(spec, reading) {
    const { channel } = reading;
    const sockets = clientRequests(reading.requests, 'ws', channel);
    const delays: number[] = [];
    for (const [i, socket] of sockets.entries()) {
      if (socket.closeCode !== 'abrupt' || socket.closedBy === 'client') continue;
      const next = sockets[i + 1];
      if (!next) break;
      const delay = Math.round(next.at - endOf(socket, reading.evidence));
      const values = { delay, min: spec.params.minMs, max: spec.params.maxMs, at: reading.at(endOf(socket, reading.evidence)) };
      if (delay < spec.params.minMs) return result(spec, false, 'tooSoon', values);
      if (delay > spec.params.maxMs) return result(spec, false, 'tooLate', values);
      delays.push(delay);
    }
    if (delays.length === 0) return result(spec, false, 'never', { drops: sockets.filter((socket) => socket.closeCode === 'abrupt').length });
    return result(spec, true, 'passed', { drops: delays.length, delays: delays.join(', ') });
  },

  'answered-pings'(spec, reading) {
    const { channel } = reading;
    const sockets = clientRequests(reading.requests, 'ws', channel);
    const pings = sockets.flatMap((socket) => socket.delivered).filter((message) => message.type === spec.params.pingType);
    if (pings.length === 0) return result(spec, false, 'noPing', {});
    const publishes = sockets.flatMap((socket) => jsonFrames(socket, 'in')).filter(({ frame }) => frame.type === 'publish');
    const late: string[] = [];
    let slowest = 0;
    for (const ping of pings) {
      // A pong: a publish of type `pong` whose data names the ping's id.
      const pong = publishes.find(({ seq, frame }) => seq > ping.seq && frame.event === 'pong' && JSON.stringify(frame.data ?? null).includes(`"${ping.id}"`));
      if (!pong || pong.at - ping.at > spec.params.withinMs) late.push(ping.id);
      else slowest = Math.max(slowest, Math.round(pong.at - ping.at));
    }
    if (late.length > 0) return result(spec, false, 'unanswered', { missed: late.length, count: pings.length, ids: listIds(late), within: spec.params.withinMs });
    return result(spec, true, 'passed', { count: pings.length, slowest });
  },
};

function readingOf(evidence: Evidence): Reading {
  return {
    evidence,
    requests: readRequests(evidence.tap),
    channel: evidence.channel,
    at: (ms) => Math.round((ms - evidence.startedAt) / 100) / 10,
  };
}

function evaluate(spec: CheckSpec, reading: Reading): CheckResult {
  return (PREDICATES[spec.kind] as Predicate<typeof spec.kind>)(spec as never, reading);
}

/** Evaluates one check over the evidence (whatever its overall state). */
export function evaluateCheck(spec: CheckSpec, evidence: Evidence): CheckResult {
  return evaluate(spec, readingOf(evidence));
}

/**
 * Evaluates every check of an exercise over one Check's evidence. Unreachable wins over all;
 * then passed when every check passed; timed out (the code never logged `done`) and wrong are
 * told apart, with every check's result either way.
 */
export function evaluateChecks(specs: readonly CheckSpec[], evidence: Evidence): CheckReport {
  if (evidence.unreachable) return { state: 'unreachable', results: [] };
  const reading = readingOf(evidence);
  const results = specs.map((spec) => evaluate(spec, reading));
  const passed = results.every((check) => check.state === 'passed');
  return { state: passed ? 'passed' : evidence.timedOut ? 'timed-out' : 'wrong', results };
}

/** Every sentence key a check kind can produce, by kind: the strings file must have each. */
export const CHECK_OUTCOMES: { readonly [K in CheckKind]: readonly string[] } = {
  'cursor-advanced': ['passed', 'tooFew', 'noSince', 'wrongCursor', 'stuck'],
  'not-modified': ['passed', 'noHeader', 'staleEtag'],
  'one-at-a-time': ['passed', 'overlap'],
  'all-once': ['passed', 'notPublished', 'lost', 'doubled'],
  'stopped-when-told': ['passed', 'notDelivered', 'askedAgain', 'leftOpen'],
  'stopped-after-204': ['passed', 'no204', 'askedAgain'],
  'intervals-grow': ['passed', 'noStreak', 'flat'],
  'intervals-capped': ['passed', 'tooFew', 'over'],
  'interval-reset': ['passed', 'notReset', 'notSeen'],
  'no-gap-between-holds': ['passed', 'tooFew', 'gap'],
  'resumed-from-last-id': ['passed', 'missing', 'wrong', 'noReconnect'],
  'caught-up-after-gap': ['passed', 'noGap', 'noPoll'],
  'reconnected-after-silence': ['passed', 'tooSoon', 'tooLate', 'never'],
  'ws-opcode': ['passed', 'notSent', 'notReceived'],
  'logged-byte-length': ['passed', 'noBinary', 'notLogged', 'wrongLength'],
  'ack-before-next': ['passed', 'notWaited', 'tooFew'],
  'close-frame': ['passed', 'noClose', 'noCode', 'wrongCode', 'noReason'],
  'reconnect-delay': ['passed', 'tooSoon', 'tooLate', 'never'],
  'answered-pings': ['passed', 'noPing', 'unanswered'],
};
