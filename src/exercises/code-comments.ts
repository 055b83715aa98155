/**
 * The exercises' code comments in Chinese: the code files (src/exercises/code/*.js) are written
 * once, in English; a Chinese page shows the same code with each `// comment` put in Chinese.
 * Only comments change, so the code that runs (and is checked) is the same in both languages.
 * A comment without a translation fails tests/unit/exercises/code-comments.test.ts.
 */

/** Each comment's text (after `// `) in English, and in Chinese. */
export const ZH_COMMENTS: Record<string, string> = {
  "(A real client adds random jitter; leave it out here so the check can read your waits.)": "（真实的客户端还会加上随机抖动；这里先不加，好让检查读出你的等待时间。）",
  "1000: a normal closure, with a reason the other side can log (at most 123 bytes of UTF-8).": "1000：正常关闭，附上对方可以记进日志的原因（UTF-8 编码最多 123 字节）。",
  "200, 400, 800, 800 ... ms: twice as long after each failure, up to the cap.": "200、400、800、800 …… 毫秒：每失败一次等待时间翻倍，直到上限。",
  "300 ms, 600 ms, 1.2 s ... up to 5 s, with up to 50% jitter.": "300 毫秒、600 毫秒、1.2 秒 …… 最多 5 秒，另加最多 50% 的抖动。",
  "304 Not Modified: nothing new since the last answer.": "304 Not Modified：自上次应答以来没有新消息。",
  "A blank line dispatches the event.": "遇到空行，事件才被派发。",
  "A long-poll loop with three mistakes. The check cuts the connection after 3 messages.": "一个有三处错误的长轮询循环。检查会在 3 条消息之后切断连接。",
  "A message comes every 150 ms. Partway through, the stream goes silent (the check holds its output back).": "每 150 毫秒来一条消息。中途流会突然沉默（检查扣住了它的输出）。",
  "A new EventSource cannot set Last-Event-ID itself: pass the last id in the URL.": "新建的 EventSource 不能自己设置 Last-Event-ID：把最后一个 id 放进 URL。",
  "Asks again at once after every answer, errors included. The check refuses the first requests with 503.": "每次应答之后立刻再问，出错也一样。检查会用 503 拒绝最初的几个请求。",
  "Asks every 100 ms, whatever the answer. Make it back off instead.": "不管应答是什么，每 100 毫秒问一次。改成退避。",
  "CLOSED: the server answered 204 (or an error) and the browser gave up. Stay away.": "CLOSED：服务器回了 204（或一个错误），浏览器已经放弃。别再连了。",
  "Cut before the answer: nothing was delivered, so the same cursor asks for the same messages.": "应答之前就断了：什么也没送达，所以用同一个游标再要同样的消息。",
  "Messages after our last id have left the history: read what the channel holds now.": "我们最后那个 id 之后的消息已经离开历史：读取频道现在保留的内容。",
  "Named events reach only the listeners for their name: onmessage sees only `message`.": "具名事件只送到监听这个名字的监听器：onmessage 只看得到 `message`。",
  "News: back to the base. Nothing new, or an error: twice as long, up to the cap.": "有新消息：回到基础间隔。没有新消息或出错：等待翻倍，直到上限。",
  "One request at a time: wait for the answer, then wait, then ask again.": "同一时间只有一个请求：等应答回来，再等一会儿，然后再问。",
  "Polls every 200 ms. Find what goes wrong: the check publishes 20 messages, then a `stop`.": "每 200 毫秒轮询一次。找出哪里出了错：检查会发布 20 条消息，然后发一条 `stop`。",
  "Publishes 5 messages. It should send each one only once the server has acknowledged the one before.": "发布 5 条消息。每一条都应当等服务器确认了上一条之后再发。",
  "Reads 3 messages, then closes. Close so that the server knows why.": "读 3 条消息，然后关闭。关闭时让服务器知道原因。",
  "Reads the event stream with fetch and reconnects after a cut. What does it lose?": "用 fetch 读取事件流，断开后重新连接。它会丢掉什么？",
  "Reconnects at once after a drop, from the live edge. The check cuts each socket after 3 messages.": "断开后立刻重连，从最新处开始。检查会在每个套接字收到 3 条消息后切断它。",
  "Reconnects by hand after every error. The check's server will answer 204: \"stop\".": "每次出错后手动重连。检查用的服务器会回 204：“别再连了”。",
  "Restarted by every message: it fires only when the stream has gone quiet.": "每来一条消息就重新计时：只有流沉默下来它才会触发。",
  "Resumes by itself after the cut, but the server keeps only the last 2 messages for this run.": "断开后会自己续上，但服务器为这次运行只保留最近 2 条消息。",
  "Sends 16 bytes to the echo server and reads them back. Log `<type> <byte length>` of what comes back.": "向回声服务器发送 16 个字节，再读回来。对收到的内容打印 `<类型> <字节长度>`。",
  "The check publishes events named `price` and `news`, then one named `stop`.": "检查会发布名为 `price` 和 `news` 的事件，最后发一个名为 `stop` 的事件。",
  "The check publishes messages of type `ping` on the channel. Answer each one.": "检查会在频道上发布类型为 `ping` 的消息。每一条都要回应。",
  "The connection was lost: the browser reconnects by itself, with Last-Event-ID.": "连接断了：浏览器会自己带着 Last-Event-ID 重连。",
  "The next ack (or error) frame, as a promise.": "下一个 ack（或 error）帧，包装成一个 Promise。",
  "This server takes `publish` and `resume` frames only: a pong is a publish that names its ping.": "这个服务器只接受 `publish` 和 `resume` 帧：pong 就是一条注明所回应 ping 的 publish。",
  "What EventSource does for you: send the last id back when reconnecting.": "这正是 EventSource 替你做的事：重连时把最后一个 id 发回去。",
  "a message comes every 150 ms: a second of nothing means trouble": "每 150 毫秒来一条消息：一整秒什么都没有，就说明出事了",
  "a network error: back off as for an error answer": "网络错误：和出错的应答一样退避",
  "a timeout is a success: ask again at once": "超时也算成功：立刻再问",
  "a typed array goes as a binary frame (opcode 2)": "类型化数组作为二进制帧发送（操作码 2）",
  "an answer that never arrived moved nothing": "没有到达的应答不推进任何东西",
  "binary messages arrive as ArrayBuffer, not Blob": "二进制消息以 ArrayBuffer 而不是 Blob 的形式到达",
  "more is waiting already: ask again at once": "还有消息在等着：立刻再问",
  "nothing new within the timeout: ask again at once": "超时之内没有新消息：立刻再问",
  "or the browser reconnects by itself": "否则浏览器会自己重连",
  "the id of the last event received: where to resume": "最后收到的事件的 id：从这里续上",
  "the poll and the stream may both bring a message: keep it once": "轮询和流可能带来同一条消息：只保留一次",
  "this connection works: the next drop starts the backoff afresh": "这条连接是好的：下次断开时退避从头算起",
};

/** A `// comment` at the start of a line or after code (after a space), to the end of the line. */
const COMMENT = /(^|\s)\/\/ (.*)$/gm;

/** The comments in `code`, in order. */
export function commentsOf(code: string): string[] {
  return [...code.matchAll(COMMENT)].map((match) => match[2] as string);
}

/** `code` with its comments in the page's language (`en` leaves it as it is). Throws on a comment with no translation. */
export function localizeComments(code: string, lang: 'en' | 'zh-CN'): string {
  if (lang === 'en') return code;
  return code.replace(COMMENT, (_all, before: string, text: string) => {
    const translated = ZH_COMMENTS[text];
    if (translated === undefined) throw new Error(`no Chinese for the exercise code comment ${JSON.stringify(text)}: add it to src/exercises/code-comments.ts`);
    return `${before}// ${translated}`;
  });
}
