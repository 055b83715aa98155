import type { Technique } from '../../server/workshop/presence.ts';

/** What the workshop's page scripts say, in English and Simplified Chinese. */
export const WORKSHOP_STRINGS = {
  en: {
    joinTitle: 'Workshop',
    joinLabel: 'Your name, as the instructor will see it',
    joinButton: 'Join',
    joinLater: 'Not now',
    joined: (name: string) => `Workshop: you are ${name}`,
    rename: 'Change name',
    selfTestRunning: 'checking the connection…',
    selfTestDone: (ok: number, total: number) => `${ok} of ${total} techniques reach the server`,
    offline: 'Workshop: reconnecting…',
    techniques: { poll: 'polling', longPoll: 'long polling', sse: 'SSE', websocket: 'WebSocket' },
    connected: 'Connected attendees',
    colon: ': ',
    selfTestReported: (n: number) => (n === 1 ? '1 self-test reported' : `${n} self-tests reported`),
    off: 'Workshop mode is off on this server.',
    instructorNeedsToken: 'This page needs the instructor link printed in the terminal when the server started (it ends with #token=…).',
    name: 'Name',
    present: 'Present',
    yes: 'yes',
    no: 'no',
    notYet: 'not yet',
    noAttendees: 'No attendee has joined yet.',
    // ops: a fault on every attendee's runs (fault-notice.ts, dashboard/class-faults.ts)
    classFault: {
      drop: 'The instructor dropped everyone’s connections — watch your code reconnect',
      restart: 'The instructor restarted the server for everyone: it has forgotten the history — watch how your code resumes',
      latency: (ms: number) => `The instructor slowed everyone’s connections by ${ms} ms — watch the messages arrive late`,
      refuseReconnects: (status: number, count: number) => `The instructor made the server refuse everyone’s next ${count} reconnects with ${status} — watch your code retry`,
      clear: 'The instructor switched the class faults off',
    },
    classFaultDismiss: 'Dismiss',
    classFaultsTitle: 'A fault for everyone',
    classFaultsIntro: 'Each fault reaches every sandbox, check and lab race running on this server now, and shows in each attendee’s wire view; runs started later begin without it.',
    classFaultButtons: { drop: 'Drop every connection', restart: 'Restart (forget the history)', latency: 'Add latency', refuseReconnects: 'Refuse reconnects (503, 3 each)', clear: 'Clear the faults' },
    classFaultLatencyLabel: 'Latency (ms)',
    classFaultReached: (what: string, runs: number, connections: number) => `${what}: ${runs === 1 ? '1 run' : `${runs} runs`} reached${connections > 0 ? `, ${connections === 1 ? '1 connection' : `${connections} connections`} cut` : ''}.`,
    classFaultFailed: (what: string, message: string) => `${what}: refused (${message})`,
  },
  'zh-CN': {
    joinTitle: '工作坊',
    joinLabel: '你的名字（讲师会看到）',
    joinButton: '加入',
    joinLater: '稍后',
    joined: (name: string) => `工作坊：你是 ${name}`,
    rename: '改名',
    selfTestRunning: '正在检查连接…',
    selfTestDone: (ok: number, total: number) => `${total} 种技术中有 ${ok} 种能连到服务器`,
    offline: '工作坊：正在重新连接…',
    techniques: { poll: '轮询', longPoll: '长轮询', sse: 'SSE', websocket: 'WebSocket' },
    connected: '已连接的学员',
    colon: '：',
    selfTestReported: (n: number) => `已收到 ${n} 份自检结果`,
    off: '这台服务器没有开启工作坊模式。',
    instructorNeedsToken: '这个页面需要服务器启动时终端里打印的讲师链接（以 #token=… 结尾）。',
    name: '名字',
    present: '在线',
    yes: '是',
    no: '否',
    notYet: '尚未完成',
    noAttendees: '还没有学员加入。',
    // ops: a fault on every attendee's runs (fault-notice.ts, dashboard/class-faults.ts)
    classFault: {
      drop: '讲师断开了所有人的连接——看看你的代码怎样重新连上',
      restart: '讲师让服务器对所有人“重启”了一次：它已经忘掉了历史——看看你的代码怎样接着收消息',
      latency: (ms: number) => `讲师给所有人的连接加了 ${ms} 毫秒延迟——看看消息怎样晚到`,
      refuseReconnects: (status: number, count: number) => `讲师让服务器用 ${status} 拒绝所有人接下来的 ${count} 次重连——看看你的代码怎样重试`,
      clear: '讲师关闭了全班的故障',
    },
    classFaultDismiss: '关闭',
    classFaultsTitle: '全班故障',
    classFaultsIntro: '故障会作用于这台服务器上此刻正在运行的每个沙盒、检查和实验，并显示在每位学员的线路视图里；之后新开始的运行不受影响。',
    classFaultButtons: { drop: '断开所有连接', restart: '重启（忘掉历史）', latency: '加延迟', refuseReconnects: '拒绝重连（503，每个 3 次）', clear: '关闭故障' },
    classFaultLatencyLabel: '延迟（毫秒）',
    classFaultReached: (what: string, runs: number, connections: number) => `${what}：作用到 ${runs} 个运行${connections > 0 ? `，断开了 ${connections} 条连接` : ''}。`,
    classFaultFailed: (what: string, message: string) => `${what}：被拒绝（${message}）`,
  },
};

export type WorkshopStrings = (typeof WORKSHOP_STRINGS)['en'];

/** The strings for the page's language. */
export function workshopStrings(lang = document.documentElement.lang): WorkshopStrings {
  return lang.toLowerCase().startsWith('zh') ? WORKSHOP_STRINGS['zh-CN'] : WORKSHOP_STRINGS.en;
}

/** The techniques of a self-test, in the lessons' order (the server's SELF_TEST_TECHNIQUES). */
export const TECHNIQUES: readonly Technique[] = ['poll', 'longPoll', 'sse', 'websocket'];
