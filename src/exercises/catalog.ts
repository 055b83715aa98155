/**
 * The exercises, as data: for each, the lesson it belongs to, its task and hints in English and
 * Simplified Chinese, the faults its Check applies, the script the Check plays (publishes, faults
 * set on the way, each started when the tap shows the client's requests), the time bound, the
 * starter and reference solution (src/exercises/code/), and its checks.
 *
 * The output contract every code exercise shares: the code is given `CHANNEL`, a channel of its
 * own for this Check; it logs each message's id (alone or after a word, such as `price <id>`), and
 * logs `done` when it has finished. The checks read those ids and nothing else from the output.
 */
import type { Faults } from '../../server/runs/faults.ts';
import type { CheckSpec } from './checks.ts';
import { EXERCISE_CODE } from './code.ts';

/** A text in both languages of the course. */
export interface Text {
  en: string;
  zh: string;
}

/** Lessons that have exercises: their slugs under /lessons/. */
export type LessonSlug = 'polling' | 'long-polling' | 'sse' | 'sse-reconnection' | 'websocket' | 'websocket-in-practice' | 'choosing';

/**
 * When a step of the script starts: once the client has sent `requests` requests (1 by default)
 * and, when given, step number `step` (from 0) has finished; then `ms` after the client's first
 * request, or after that step finished.
 */
export interface StepTrigger {
  requests?: number;
  step?: number;
  ms?: number;
}

/** One step of a Check's script: publish on the Check's channel, or change the run's faults. */
export type ScriptStep =
  | { after: StepTrigger; publish: { count: number; everyMs: number; type?: string } }
  | { after: StepTrigger; faults: Partial<Faults> };

/** An exercise checked by running the reader's code against a run: by the tap and the output. */
export interface CodeExercise {
  id: string;
  kind: 'code';
  lesson: LessonSlug;
  title: Text;
  /** What to do, and the output contract, in Markdown. */
  task: Text;
  /** The prefix of the Check's channel; each Check adds a random suffix and hands the code `CHANNEL`. */
  channel: string;
  /** Faults set on the run before the code starts. */
  faults: Partial<Faults>;
  script: ScriptStep[];
  /** How long a Check collects at most, in ms; past it, without `done`, it has timed out. */
  timeBoundMs: number;
  starter: string;
  solution: string;
  checks: CheckSpec[];
  /** A hint per check id, offered once that check has failed. */
  hints: Record<string, Text>;
}

/** The techniques a quiz answer names. */
export type TechniqueChoice = 'poll' | 'long-poll' | 'sse' | 'ws';

/** One scenario of a quiz, its right answer and why. */
export interface QuizScenario {
  id: string;
  prompt: Text;
  answer: TechniqueChoice;
  /** Why, shown once answered. */
  explanation: Text;
}

/** An exercise of choices, checked without the server. */
export interface QuizExercise {
  id: string;
  kind: 'quiz';
  lesson: LessonSlug;
  title: Text;
  task: Text;
  choices: Record<TechniqueChoice, Text>;
  scenarios: QuizScenario[];
}

/** Any exercise of the course. */
export type Exercise = CodeExercise | QuizExercise;

function code(id: string): { starter: string; solution: string } {
  const found = EXERCISE_CODE[id];
  if (!found) throw new Error(`no code for exercise ${id}: add src/exercises/code/${id}.starter.js and .solution.js, then run node scripts/exercise-code.ts --write`);
  return found;
}

/** The output contract every code exercise's task ends with (ws-binary-echo states its own). */
export const CONTRACT: Text = {
  en: 'Your code gets `CHANNEL`, a channel of its own for this Check. Log each message id on a line of its own (a word before it is fine), and log `done` when you have finished.',
  zh: '代码里的 `CHANNEL` 是本次检查专用的频道。每条消息的 id 单独打印一行（前面可以加一个词），全部完成后打印 `done`。',
};

function task(en: string, zh: string): Text {
  return { en: `${en}\n\n${CONTRACT.en}`, zh: `${zh}\n\n${CONTRACT.zh}` };
}

/** Every exercise, grouped by lesson in the course's order. */
export const EXERCISES: Exercise[] = [
  {
    id: 'polling-cursor',
    kind: 'code',
    lesson: 'polling',
    title: { en: 'A poll loop that misses nothing', zh: '一条消息都不漏的轮询循环' },
    task: task(
      'The Check publishes 20 messages in bursts, then one of type `stop`. Write a poll loop that passes the cursor back as `since`, sends the last `ETag` in `If-None-Match`, never has two requests outstanding, waits about 100 ms between polls, and stops when the `stop` message arrives.',
      '检查会分几批发布 20 条消息，最后发一条类型为 `stop` 的消息。写一个轮询循环：把 cursor 作为 `since` 传回去，把上次的 `ETag` 放进 `If-None-Match`，任何时候最多只有一个请求在途，两次轮询之间等大约 100 毫秒，收到 `stop` 消息就停下。',
    ),
    channel: 'ex-poll',
    faults: {},
    script: [
      { after: {}, publish: { count: 5, everyMs: 30 } },
      { after: { ms: 1200 }, publish: { count: 5, everyMs: 30 } },
      { after: { ms: 2400 }, publish: { count: 5, everyMs: 30 } },
      { after: { ms: 3600 }, publish: { count: 5, everyMs: 30 } },
      { after: { step: 3, ms: 800 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 8000,
    ...code('polling-cursor'),
    checks: [
      { id: 'cursor', kind: 'cursor-advanced', params: { technique: 'poll' } },
      { id: 'not-modified', kind: 'not-modified', params: { min: 1 } },
      { id: 'one-at-a-time', kind: 'one-at-a-time', params: { technique: 'poll' } },
      { id: 'all-once', kind: 'all-once', params: { min: 20, except: ['stop'] } },
      { id: 'stopped', kind: 'stopped-when-told', params: { technique: 'poll', stopType: 'stop' } },
    ],
    hints: {
      cursor: { en: 'Keep `page.cursor` from each answer and ask `?since=<cursor>` next time.', zh: '保存每次回答里的 `page.cursor`，下次请求时带上 `?since=<cursor>`。' },
      'not-modified': { en: 'Keep the `ETag` header of each 200 and send it back as `If-None-Match`; a 304 has no body, so do not parse it.', zh: '保存每个 200 回答的 `ETag` 头，下次作为 `If-None-Match` 发回；304 没有响应体，别去解析它。' },
      'one-at-a-time': { en: '`setInterval` fires whether or not the last answer came back. Use a `while` loop: `await` the answer, then wait, then ask.', zh: '不管上一个回答回没回来，`setInterval` 都会照常触发。改用 `while` 循环：先 `await` 回答，再等待，再发下一个请求。' },
      'all-once': { en: 'Without `since`, every poll gets the newest messages again. With it, each message comes exactly once.', zh: '不带 `since`，每次轮询都会再拿到最新的那些消息；带上它，每条消息只会来一次。' },
      stopped: { en: 'Look at each message\'s `type`; on `stop`, leave the loop and send nothing more.', zh: '检查每条消息的 `type`；遇到 `stop` 就跳出循环，不再发请求。' },
    },
  },
  {
    id: 'polling-backoff',
    kind: 'code',
    lesson: 'polling',
    title: { en: 'Back off when nothing is new', zh: '没有新消息时退避' },
    task: task(
      'The Check refuses your first 4 polls with 503, publishes 3 messages after 4 s, then a `stop`. Wait 100 ms after news; after an error or an answer with nothing new, wait twice as long as last time, up to 800 ms. Leave out jitter here, so that the Check can read your waits.',
      '检查会用 503 拒绝你的前 4 次轮询，4 秒后发布 3 条消息，然后发一条 `stop`。收到新消息后等 100 毫秒；遇到错误或没有新内容的回答，就把等待时间翻倍，最多 800 毫秒。这里先不加随机抖动，好让检查读出你的等待时间。',
    ),
    channel: 'ex-backoff',
    faults: { refuseReconnects: { status: 503, count: 4 } },
    script: [
      { after: { ms: 4000 }, publish: { count: 3, everyMs: 30 } },
      { after: { step: 0, ms: 1500 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 9000,
    ...code('polling-backoff'),
    checks: [
      { id: 'grow', kind: 'intervals-grow', params: { technique: 'poll', baseMs: 100, capMs: 800 } },
      { id: 'capped', kind: 'intervals-capped', params: { technique: 'poll', baseMs: 100, capMs: 800 } },
      { id: 'reset', kind: 'interval-reset', params: { technique: 'poll', baseMs: 100, capMs: 800 } },
      { id: 'all-once', kind: 'all-once', params: { min: 3, except: ['stop'] } },
    ],
    hints: {
      grow: { en: 'Keep the wait in a variable and double it after each error or empty answer: `wait = Math.min(CAP_MS, wait * 2)`.', zh: '用一个变量保存等待时间，每次出错或回答为空时翻倍：`wait = Math.min(CAP_MS, wait * 2)`。' },
      capped: { en: 'Doubling without a cap soon means minutes between polls: `Math.min(800, ...)`.', zh: '只翻倍不封顶，很快就会几分钟才轮询一次：用 `Math.min(800, ...)` 封顶。' },
      reset: { en: 'When an answer brings messages, set the wait back to 100 ms.', zh: '回答里有消息时，把等待时间重置回 100 毫秒。' },
      'all-once': { en: 'Keep the cursor across errors: a refused poll moved nothing.', zh: '出错时保留 cursor：被拒绝的轮询什么也没推进。' },
    },
  },
  {
    id: 'long-poll-loop',
    kind: 'code',
    lesson: 'long-polling',
    title: { en: 'A long-poll loop that survives a cut', zh: '经得起断线的长轮询循环' },
    task: task(
      'Long-poll with `timeout=1`, asking again at once after each answer. A 204 means nothing came within the timeout: ask again with the same cursor. The Check cuts the connection after every 3 messages: an answer that never arrived moved nothing, so ask again (after about 200 ms) from the same cursor. Stop at the `stop` message.',
      '用 `timeout=1` 做长轮询，每次得到回答后立刻再问。204 表示超时内没有新消息：用同一个 cursor 再问。检查会在每传完 3 条消息后切断连接：没收到的回答什么也没推进，所以（等约 200 毫秒后）从同一个 cursor 再问。收到 `stop` 消息就停下。',
    ),
    channel: 'ex-long',
    faults: { dropAfter: 3 },
    script: [
      { after: {}, publish: { count: 4, everyMs: 100 } },
      { after: { step: 0, ms: 1300 }, publish: { count: 4, everyMs: 100 } },
      { after: { step: 1, ms: 800 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 8000,
    ...code('long-poll-loop'),
    checks: [
      { id: 'all-once', kind: 'all-once', params: { min: 8, except: ['stop'] } },
      { id: 'no-gap', kind: 'no-gap-between-holds', params: { maxMs: 800 } },
      { id: 'one-at-a-time', kind: 'one-at-a-time', params: { technique: 'long-poll' } },
      { id: 'stopped', kind: 'stopped-when-told', params: { technique: 'long-poll', stopType: 'stop' } },
    ],
    hints: {
      'all-once': { en: 'Wrap the request in `try`/`catch`: a cut makes `fetch` throw, and the loop must go on from the same cursor.', zh: '把请求包在 `try`/`catch` 里：连接被切断时 `fetch` 会抛错，循环要从同一个 cursor 继续。' },
      'no-gap': { en: 'Messages published while no request is held wait for the next one: ask again at once, not after a second.', zh: '没有请求挂着时发布的消息只能等下一个请求：立刻再问，别等一秒。' },
      'one-at-a-time': { en: 'Send the next long poll only once the last one has been answered.', zh: '上一个长轮询得到回答后，再发下一个。' },
      stopped: { en: 'A 204 has no body: check `response.status === 204` before `response.json()`. Leave the loop on `stop`.', zh: '204 没有响应体：先判断 `response.status === 204`，再调用 `response.json()`。收到 `stop` 就跳出循环。' },
    },
  },
  {
    id: 'long-poll-backoff',
    kind: 'code',
    lesson: 'long-polling',
    title: { en: 'Back off on errors, not on timeouts', zh: '出错才退避，超时不退避' },
    task: task(
      'The Check refuses your first 5 long polls with 503. After an error, wait 200 ms, then twice as long after each further error, up to 800 ms; after a 204 or an answer with messages, ask again at once. Messages come after 4 s, then a `stop`.',
      '检查会用 503 拒绝你的前 5 次长轮询。出错后先等 200 毫秒，之后每再错一次就翻倍，最多 800 毫秒；收到 204 或带消息的回答后立刻再问。4 秒后会有消息，然后是 `stop`。',
    ),
    channel: 'ex-long-backoff',
    faults: { refuseReconnects: { status: 503, count: 5 } },
    script: [
      { after: { ms: 4000 }, publish: { count: 3, everyMs: 30 } },
      { after: { step: 0, ms: 1000 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 9000,
    ...code('long-poll-backoff'),
    checks: [
      { id: 'grow', kind: 'intervals-grow', params: { technique: 'long-poll', baseMs: 100, capMs: 800 } },
      { id: 'capped', kind: 'intervals-capped', params: { technique: 'long-poll', baseMs: 100, capMs: 800 } },
      { id: 'reset', kind: 'interval-reset', params: { technique: 'long-poll', baseMs: 100, capMs: 800 } },
      { id: 'all-once', kind: 'all-once', params: { min: 3, except: ['stop'] } },
    ],
    hints: {
      grow: { en: 'A refused request fails in a millisecond: asking again at once turns every client into a flood. Count the failures and wait `100 * 2 ** failures` ms.', zh: '被拒绝的请求一毫秒就失败了：立刻重试，每个客户端都会变成一股请求洪流。记下失败次数，等待 `100 * 2 ** failures` 毫秒。' },
      capped: { en: 'Cap the wait: `Math.min(800, ...)`.', zh: '给等待时间封顶：`Math.min(800, ...)`。' },
      reset: { en: 'Set the failure count back to 0 after a success, and ask again at once.', zh: '成功后把失败次数清零，并立刻再问。' },
      'all-once': { en: 'Keep the cursor across errors.', zh: '出错时保留 cursor。' },
    },
  },
  {
    id: 'sse-named-events',
    kind: 'code',
    lesson: 'sse',
    title: { en: 'Named events, and a resume', zh: '具名事件与续传' },
    task: task(
      'The Check publishes events named `price` and `news`, then one named `stop`, and cuts the stream after 4 messages. Log `price <id>` or `news <id>` for each, close the stream on `stop`, and let the browser resume after the cut.',
      '检查会发布名为 `price` 和 `news` 的事件，最后一个名为 `stop`，并在传完 4 条消息后切断流。每个事件打印 `price <id>` 或 `news <id>`，收到 `stop` 时关闭流，断线后让浏览器自己续传。',
    ),
    channel: 'ex-sse',
    faults: { dropAfter: 4 },
    script: [
      { after: { ms: 100 }, publish: { count: 3, everyMs: 80, type: 'price' } },
      { after: { ms: 400 }, publish: { count: 3, everyMs: 80, type: 'news' } },
      { after: { requests: 2, step: 1 }, publish: { count: 1, everyMs: 0, type: 'price' } },
      { after: { step: 2, ms: 300 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 7000,
    ...code('sse-named-events'),
    checks: [
      { id: 'all-once', kind: 'all-once', params: { min: 7, except: ['stop'] } },
      { id: 'resumed', kind: 'resumed-from-last-id', params: { technique: 'sse', via: 'Last-Event-ID' } },
      { id: 'stopped', kind: 'stopped-when-told', params: { technique: 'sse', stopType: 'stop' } },
    ],
    hints: {
      'all-once': { en: '`onmessage` hears only events named `message`. Listen for each name: `source.addEventListener(\'price\', ...)`.', zh: '`onmessage` 只收到名为 `message` 的事件。为每个名字单独监听：`source.addEventListener(\'price\', ...)`。' },
      resumed: { en: 'EventSource sends `Last-Event-ID` by itself when it reconnects, as long as you do not close it and open a new one.', zh: '只要你不自己关闭再新建，EventSource 重连时会自己带上 `Last-Event-ID`。' },
      stopped: { en: 'Listen for `stop` and call `source.close()`: otherwise the browser reconnects for ever.', zh: '监听 `stop` 并调用 `source.close()`：否则浏览器会一直重连。' },
    },
  },
  {
    id: 'sse-fetch-stream',
    kind: 'code',
    lesson: 'sse',
    title: { en: 'An event stream over fetch, resumed by hand', zh: '用 fetch 读事件流，手动续传' },
    task: task(
      'This reader parses the event stream from `fetch` and reconnects after a cut, but the Check cuts it after 3 messages and what came meanwhile is lost. Do what EventSource does: remember the last `id:` and send it back in a `Last-Event-ID` header when you reconnect.',
      '这段代码用 `fetch` 解析事件流，断线后会重连；但检查在传完 3 条消息后切断连接，期间的消息就丢了。照 EventSource 的做法：记住最后一个 `id:`，重连时放进 `Last-Event-ID` 请求头发回去。',
    ),
    channel: 'ex-sse-fetch',
    faults: { dropAfter: 3 },
    script: [
      { after: { ms: 100 }, publish: { count: 5, everyMs: 100 } },
      { after: { step: 0, ms: 800 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 7000,
    ...code('sse-fetch-stream'),
    checks: [
      { id: 'resumed', kind: 'resumed-from-last-id', params: { technique: 'sse', via: 'Last-Event-ID' } },
      { id: 'all-once', kind: 'all-once', params: { min: 5, except: ['stop'] } },
    ],
    hints: {
      resumed: { en: 'Set `lastId = event.id` when an event with an id is dispatched, and pass `headers: { \'Last-Event-ID\': lastId }` to the next `fetch`.', zh: '派发带 id 的事件时执行 `lastId = event.id`，下一次 `fetch` 传入 `headers: { \'Last-Event-ID\': lastId }`。' },
      'all-once': { en: 'Without the last id, the server starts the new stream from now: what was published during the cut is gone.', zh: '不带上次的 id，服务器会从“现在”开始新的流：断线期间发布的消息就没了。' },
    },
  },
  {
    id: 'sse-gap-catch-up',
    kind: 'code',
    lesson: 'sse-reconnection',
    title: { en: 'A gap: catch up through a poll', zh: '出现缺口：用一次轮询补齐' },
    task: task(
      'The Check cuts the stream after 3 messages, publishes 5 more while you are away, and keeps only the last 2 in the history it answers you from. The server then sends an event `gap` before the last 2. On `gap`, read the channel\'s newest messages with one poll (`/api/poll/<channel>?limit=100`, no `since`) and log each one you have not logged yet.',
      '检查会在传完 3 条消息后切断流，趁你不在时再发布 5 条，并且回答你时只保留最后 2 条历史。服务器于是先发一个 `gap` 事件，再发最后 2 条。收到 `gap` 时，用一次轮询（`/api/poll/<channel>?limit=100`，不带 `since`）读取频道最新的消息，把还没打印过的逐条打印出来。',
    ),
    channel: 'ex-gap',
    faults: { dropAfter: 3, historyLimit: 2 },
    script: [
      { after: { ms: 100 }, publish: { count: 3, everyMs: 80 } },
      { after: { ms: 700 }, publish: { count: 5, everyMs: 50 } },
      { after: { requests: 2, ms: 3500 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 9000,
    ...code('sse-gap-catch-up'),
    checks: [
      { id: 'caught-up', kind: 'caught-up-after-gap', params: {} },
      { id: 'all-once', kind: 'all-once', params: { min: 8, except: ['stop'] } },
    ],
    hints: {
      'caught-up': { en: 'Listen for the event named `gap`: `source.addEventListener(\'gap\', async () => { ... })`, and `fetch` the poll there.', zh: '监听名为 `gap` 的事件：`source.addEventListener(\'gap\', async () => { ... })`，在里面用 `fetch` 发起轮询。' },
      'all-once': { en: 'The poll and the stream may both bring the same message: keep a `Set` of the ids you have logged.', zh: '轮询和流可能带来同一条消息：用一个 `Set` 记下已经打印过的 id。' },
    },
  },
  {
    id: 'sse-stop-on-204',
    kind: 'code',
    lesson: 'sse-reconnection',
    title: { en: 'Stop when the server says 204', zh: '服务器回答 204 时停下' },
    task: task(
      'The Check cuts the stream after 2 messages; a client that reconnects with its last id gets what it missed. Then the server restarts, and answers the next reconnection with 204 No Content: its way of saying "stop". This client reconnects by hand after every error, and so never stops. Let the browser do the reconnecting, and when it gives up (`readyState` is `CLOSED`), log `done` and send nothing more.',
      '检查会在传完 2 条消息后切断流；带着最后一个 id 重连的客户端会补上错过的消息。随后服务器重启，并对下一次重连回答 204 No Content：这是它在说“别再来了”。这段代码每次出错都手动重连，所以永远停不下来。把重连交给浏览器；当它放弃时（`readyState` 为 `CLOSED`），打印 `done`，不再发任何请求。',
    ),
    channel: 'ex-204',
    faults: { dropAfter: 2 },
    // The 204 answers the reconnection after a restart, not after the drop: a browser may lose the
    // message written just before an abrupt cut (the response errors before its body is read), and
    // only the reconnection after the drop, with Last-Event-ID, brings it back.
    script: [
      { after: { ms: 100 }, publish: { count: 2, everyMs: 100 } },
      { after: { requests: 2 }, faults: { dropAfter: null } },
      { after: { step: 1, ms: 600 }, faults: { refuseReconnects: { status: 204, count: 1 }, restart: true } },
    ],
    timeBoundMs: 7000,
    ...code('sse-stop-on-204'),
    checks: [
      { id: 'stopped', kind: 'stopped-after-204', params: { technique: 'sse' } },
      { id: 'all-once', kind: 'all-once', params: { min: 2 } },
    ],
    hints: {
      stopped: { en: 'In `onerror`, look at `source.readyState`: `CONNECTING` means the browser is retrying by itself; `CLOSED` means it has given up for good. Do not open a new EventSource then.', zh: '在 `onerror` 里看 `source.readyState`：`CONNECTING` 表示浏览器正在自己重试；`CLOSED` 表示它彻底放弃了，这时不要再新建 EventSource。' },
      'all-once': { en: 'Log `event.lastEventId` for each message.', zh: '每条消息打印 `event.lastEventId`。' },
    },
  },
  {
    id: 'sse-watchdog',
    kind: 'code',
    lesson: 'sse-reconnection',
    title: { en: 'A watchdog for a silent stream', zh: '给沉默的流装一只看门狗' },
    task: task(
      'A message comes every 150 ms. Partway through, the Check holds the stream\'s output back (a latency fault), and the stream goes silent without an error. Keep a watchdog: if nothing has arrived for 1 s, close the stream and open a new one with `?lastEventId=<last id>`, so that nothing is lost. Close it on `stop`.',
      '每 150 毫秒来一条消息。中途检查会扣住流的输出（延迟故障），流就悄无声息地沉默了，不会报错。装一只看门狗：1 秒内什么都没收到，就关闭这个流，用 `?lastEventId=<最后的 id>` 新开一个，一条都不丢。收到 `stop` 时关闭。',
    ),
    channel: 'ex-watchdog',
    faults: {},
    script: [
      { after: { ms: 100 }, publish: { count: 16, everyMs: 150 } },
      { after: { ms: 700 }, faults: { latencyMs: 5000 } },
      { after: { requests: 2 }, faults: { latencyMs: 0 } },
      { after: { step: 0, ms: 300 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 7000,
    ...code('sse-watchdog'),
    checks: [
      { id: 'watchdog', kind: 'reconnected-after-silence', params: { minMs: 700, maxMs: 2500 } },
      { id: 'resumed', kind: 'resumed-from-last-id', params: { technique: 'sse', via: 'Last-Event-ID or lastEventId' } },
      { id: 'all-once', kind: 'all-once', params: { min: 16, except: ['stop'] } },
    ],
    hints: {
      watchdog: { en: 'Start a `setTimeout` of 1 s, and restart it on every event; when it fires, `source.close()` and open a new EventSource.', zh: '设一个 1 秒的 `setTimeout`，每来一个事件就重新计时；它一旦触发，就 `source.close()` 并新建一个 EventSource。' },
      resumed: { en: 'A new EventSource starts with no id: put the last one in the URL, `?lastEventId=...`.', zh: '新建的 EventSource 没有 id：把最后一个 id 放进 URL，`?lastEventId=...`。' },
      'all-once': { en: 'Remember `event.lastEventId` of each message and resume after it.', zh: '记住每条消息的 `event.lastEventId`，从它之后续传。' },
    },
  },
  {
    id: 'ws-ack',
    kind: 'code',
    lesson: 'websocket',
    title: { en: 'Publish, and wait for the ack', zh: '发布，并等待确认' },
    task: task(
      'Open `/api/ws/<channel>` and publish 5 messages, `{"type":"publish","data":{"n":1}}` and so on, sending each one only after the `ack` of the one before has arrived. Log `ack <id>` for each ack. The Check holds every answer of the server back by 150 ms, as a distant server would.',
      '打开 `/api/ws/<channel>`，发布 5 条消息（`{"type":"publish","data":{"n":1}}` 等），每条都要等上一条的 `ack` 到了再发。每收到一个 ack 打印 `ack <id>`。检查会把服务器的每个回答都延迟 150 毫秒，就像服务器在很远的地方。',
    ),
    channel: 'ex-ack',
    // Without a delay, a fast loopback can ack each publish before the next reaches the server even
    // when the code sends all five at once, and the starter would pass by luck.
    faults: { latencyMs: 150 },
    script: [],
    timeBoundMs: 5000,
    ...code('ws-ack'),
    checks: [
      { id: 'ack-before-next', kind: 'ack-before-next', params: { count: 5 } },
      { id: 'acks-logged', kind: 'all-once', params: { min: 5, source: 'acks' } },
    ],
    hints: {
      'ack-before-next': { en: 'Make a promise that resolves on the next `ack` frame, `await` it after each `send`, and only then send the next.', zh: '写一个在下一个 `ack` 帧到达时兑现的 promise，每次 `send` 之后 `await` 它，然后再发下一条。' },
      'acks-logged': { en: 'Log `ack ${frame.id}` once for each ack frame.', zh: '每个 ack 帧打印一次 `ack ${frame.id}`。' },
    },
  },
  {
    id: 'ws-binary-echo',
    kind: 'code',
    lesson: 'websocket',
    title: { en: 'Binary both ways', zh: '双向二进制' },
    task: {
      en: 'Send 16 bytes to `/api/echo` as a binary message, read the echo back as an `ArrayBuffer`, and log `<type> <byte length>` of what came back (for example `ArrayBuffer 16`), then `done`.',
      zh: '把 16 个字节作为二进制消息发给 `/api/echo`，把回声读成 `ArrayBuffer`，打印收到的数据的 `<类型> <字节长度>`（例如 `ArrayBuffer 16`），然后打印 `done`。',
    },
    channel: 'ex-echo',
    faults: {},
    script: [],
    timeBoundMs: 5000,
    ...code('ws-binary-echo'),
    checks: [
      { id: 'binary', kind: 'ws-opcode', params: { technique: 'echo', opcode: 2 } },
      { id: 'array-buffer', kind: 'logged-byte-length', params: { technique: 'echo', label: 'ArrayBuffer' } },
    ],
    hints: {
      binary: { en: 'A string (JSON included) goes as a text frame, opcode 1. Send the `Uint8Array` itself: `socket.send(bytes)`.', zh: '字符串（包括 JSON）会作为文本帧发送，opcode 为 1。直接发送 `Uint8Array` 本身：`socket.send(bytes)`。' },
      'array-buffer': { en: 'Binary messages arrive as `Blob` unless you set `socket.binaryType = \'arraybuffer\'` first; an ArrayBuffer has `byteLength`, not `length`.', zh: '除非先设置 `socket.binaryType = \'arraybuffer\'`，二进制消息会以 `Blob` 到达；ArrayBuffer 用 `byteLength`，没有 `length`。' },
    },
  },
  {
    id: 'ws-reconnect',
    kind: 'code',
    lesson: 'websocket-in-practice',
    title: { en: 'Reconnect after 1006, with backoff, and resume', zh: '1006 之后退避重连并续传' },
    task: task(
      'The Check cuts each socket abruptly after 3 messages (the browser reports 1006). Reconnect after a delay (300 ms, doubling on each failed attempt, with a little jitter), resume with `?since=<last id>`, drop duplicates, and stop at the `stop` message.',
      '检查会在每个 socket 传完 3 条消息后突然切断（浏览器报告 1006）。延迟一段时间后重连（300 毫秒起，每失败一次翻倍，加一点抖动），用 `?since=<最后的 id>` 续传，丢掉重复的消息，收到 `stop` 消息就停下。',
    ),
    channel: 'ex-reconnect',
    faults: { dropAfter: 3 },
    script: [
      { after: { ms: 100 }, publish: { count: 8, everyMs: 150 } },
      { after: { step: 0, ms: 1200 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 8000,
    ...code('ws-reconnect'),
    checks: [
      { id: 'delay', kind: 'reconnect-delay', params: { minMs: 100, maxMs: 2500 } },
      { id: 'resumed', kind: 'resumed-from-last-id', params: { technique: 'ws', via: 'since' } },
      { id: 'all-once', kind: 'all-once', params: { min: 8, except: ['stop'] } },
    ],
    hints: {
      delay: { en: 'Reconnecting at once turns a server restart into a flood of handshakes. Wait with `setTimeout(open, delay)`, doubling `delay` on each failed attempt.', zh: '立刻重连会让服务器一重启就被握手淹没。用 `setTimeout(open, delay)` 等一会儿，每次失败把 `delay` 翻倍。' },
      resumed: { en: 'Keep the id of the last message and open `/api/ws/<channel>?since=<id>`: the server replays what you missed.', zh: '记住最后一条消息的 id，打开 `/api/ws/<channel>?since=<id>`：服务器会重放你错过的消息。' },
      'all-once': { en: 'A new socket without `since` starts from the live edge: what came during the drop is lost.', zh: '不带 `since` 的新 socket 从最新处开始：断线期间的消息就丢了。' },
    },
  },
  {
    id: 'ws-app-ping',
    kind: 'code',
    lesson: 'websocket-in-practice',
    title: { en: 'Answer an application ping', zh: '回应应用层 ping' },
    task: task(
      'The Check publishes messages of type `ping` on the channel. Answer each at once (within 1 s) with a publish of type `pong` that names the ping\'s id: `{"type":"publish","event":"pong","data":{"ping":"<id>"}}`. Close with 1000 at the `stop` message.',
      '检查会在频道上发布类型为 `ping` 的消息。每条都要立刻回应（1 秒之内）：发布一条类型为 `pong`、写明该 ping 的 id 的消息：`{"type":"publish","event":"pong","data":{"ping":"<id>"}}`。收到 `stop` 消息时用 1000 关闭。',
    ),
    channel: 'ex-ping',
    faults: {},
    script: [
      { after: { ms: 300 }, publish: { count: 3, everyMs: 300, type: 'ping' } },
      { after: { step: 0, ms: 400 }, publish: { count: 1, everyMs: 0, type: 'stop' } },
    ],
    timeBoundMs: 6000,
    ...code('ws-app-ping'),
    checks: [
      { id: 'pongs', kind: 'answered-pings', params: { pingType: 'ping', withinMs: 1000 } },
      { id: 'stopped', kind: 'stopped-when-told', params: { technique: 'ws', stopType: 'stop' } },
    ],
    hints: {
      pongs: { en: 'This server takes only `publish` and `resume` frames (others get an `error` frame): a pong is `{"type":"publish","event":"pong","data":{"ping": message.id}}`.', zh: '这个服务器只接受 `publish` 和 `resume` 帧（其他帧会得到 `error` 帧）：pong 要写成 `{"type":"publish","event":"pong","data":{"ping": message.id}}`。' },
      stopped: { en: 'On the `stop` message, call `socket.close(1000)`.', zh: '收到 `stop` 消息时调用 `socket.close(1000)`。' },
    },
  },
  {
    id: 'ws-close-reason',
    kind: 'code',
    lesson: 'websocket-in-practice',
    title: { en: 'Close with 1000 and a reason', zh: '用 1000 和原因关闭' },
    task: task(
      'Read 3 messages from `/api/ws/<channel>`, logging each id, then close the socket with code 1000 and a reason, so that the server\'s log says why.',
      '从 `/api/ws/<channel>` 读 3 条消息，逐条打印 id，然后用代码 1000 加一个原因关闭 socket，让服务器的日志知道为什么关闭。',
    ),
    channel: 'ex-close',
    faults: {},
    script: [{ after: { ms: 200 }, publish: { count: 3, everyMs: 100 } }],
    timeBoundMs: 5000,
    ...code('ws-close-reason'),
    checks: [
      { id: 'close-frame', kind: 'close-frame', params: { technique: 'ws', code: 1000 } },
      { id: 'all-once', kind: 'all-once', params: { min: 3 } },
    ],
    hints: {
      'close-frame': { en: '`socket.close()` without arguments sends a close frame with no code (the other side sees 1005). Pass both: `socket.close(1000, \'read 3 messages\')`.', zh: '不带参数的 `socket.close()` 发送的关闭帧没有代码（对方看到的是 1005）。两个参数都传：`socket.close(1000, \'read 3 messages\')`。' },
      'all-once': { en: 'Log `frame.message.id` for each `message` frame.', zh: '每个 `message` 帧打印 `frame.message.id`。' },
    },
  },
  {
    id: 'choosing-quiz',
    kind: 'quiz',
    lesson: 'choosing',
    title: { en: 'Which technique when?', zh: '什么时候用哪种技术？' },
    task: { en: 'Choose a technique for each scenario. Each answer is checked, and explained.', zh: '为每个场景选一种技术。每个答案都会被检查，并给出解释。' },
    choices: {
      poll: { en: 'Short polling', zh: '短轮询' },
      'long-poll': { en: 'Long polling', zh: '长轮询' },
      sse: { en: 'Server-Sent Events', zh: 'Server-Sent Events' },
      ws: { en: 'WebSocket', zh: 'WebSocket' },
    },
    scenarios: [
      {
        id: 'order-status',
        prompt: { en: 'An order page shows whether a parcel has shipped. It changes once or twice a day, and the API runs on serverless functions that cannot hold a connection open.', zh: '订单页显示包裹是否已发货。状态一天变一两次，API 跑在无法保持长连接的 serverless 函数上。' },
        answer: 'poll',
        explanation: { en: 'Rare changes and no long-lived connections: a poll every minute with If-None-Match costs almost nothing, and every host can serve it.', zh: '变化很少，又不能保持长连接：每分钟带 If-None-Match 轮询一次，几乎没有成本，任何主机都能提供。' },
      },
      {
        id: 'scoreboard',
        prompt: { en: 'A live scoreboard pushes scores to thousands of readers, one way, several times a minute; readers must catch up after a flaky mobile connection.', zh: '实时比分牌每分钟向成千上万的读者单向推送几次比分；读者在手机网络不稳定后必须能补上错过的比分。' },
        answer: 'sse',
        explanation: { en: 'One way, server to client, over plain HTTP: EventSource reconnects by itself and resumes with Last-Event-ID.', zh: '单向、服务器到客户端、普通 HTTP：EventSource 会自己重连，并用 Last-Event-ID 续传。' },
      },
      {
        id: 'game',
        prompt: { en: 'A multiplayer drawing game sends every player\'s pointer position to the others 30 times a second, and binary strokes both ways.', zh: '一个多人绘画游戏每秒 30 次把每个玩家的指针位置发给其他人，双向传输二进制笔画。' },
        answer: 'ws',
        explanation: { en: 'Frequent messages in both directions, and binary: one WebSocket carries them with a few bytes of framing each, with no request per message.', zh: '双向的高频消息，还要传二进制：一个 WebSocket 每条消息只需几个字节的帧头，不用每条消息都发一个请求。' },
      },
      {
        id: 'legacy-proxy',
        prompt: { en: 'Notifications for an intranet app behind an old proxy that buffers streamed responses until they end, but passes ordinary requests of up to 30 s.', zh: '一个内网应用的通知功能，前面有个老代理：它会把流式响应缓冲到结束才放行，但允许 30 秒以内的普通请求。' },
        answer: 'long-poll',
        explanation: { en: 'A buffering proxy holds an SSE stream back, and may not pass the WebSocket upgrade; a long poll is an ordinary request, answered as soon as there is news, with a timeout under the proxy\'s.', zh: '缓冲代理会扣住 SSE 流，也可能不放行 WebSocket 升级；长轮询只是普通请求，一有消息就回答，超时设得比代理的短即可。' },
      },
      {
        id: 'chat',
        prompt: { en: 'A support chat where agent and customer both type, with typing indicators and read receipts.', zh: '一个客服聊天：客服和顾客都在打字，还要显示“正在输入”和已读回执。' },
        answer: 'ws',
        explanation: { en: 'Small messages both ways, often: a WebSocket avoids a request per keystroke indicator, and the server can push at any time.', zh: '双向、频繁的小消息：WebSocket 免去了每个输入提示都发一个请求，服务器也能随时推送。' },
      },
    ],
  },
];

/** The exercises of one lesson, in the order they appear on its page. */
export function exercisesOf(lesson: LessonSlug): Exercise[] {
  return EXERCISES.filter((exercise) => exercise.lesson === lesson);
}

/** One exercise by id, or undefined. */
export function exerciseById(id: string): Exercise | undefined {
  return EXERCISES.find((exercise) => exercise.id === id);
}
