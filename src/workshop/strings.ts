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
    instructorNeedsToken: 'This page needs the instructor link printed in the terminal when the server started (it ends with ?token=…).',
    name: 'Name',
    present: 'Present',
    yes: 'yes',
    no: 'no',
    notYet: 'not yet',
    noAttendees: 'No attendee has joined yet.',
    // control: the control channel's transport, ping the room, the wire view
    transportLabel: 'Control channel',
    transports: { sse: 'SSE down, POST up', ws: 'WebSocket' },
    pingTitle: 'Ping the room',
    pingIntro: 'Every attendee\'s page answers at once. The server measures each round trip on its own clock: down the control channel, and back up.',
    pingButton: 'Ping the room',
    pingNone: 'No ping sent yet.',
    pingWaiting: (present: number) => `Ping sent to ${present} present; waiting for answers…`,
    pingSummary: (answered: number, present: number, min: string, median: string, p90: string, max: string) =>
      `${answered} of ${present} answered. Round trip: min ${min} ms, median ${median} ms, p90 ${p90} ms, max ${max} ms.`,
    pingChart: 'Round trips, one mark per attendee, from 0 to the slowest',
    wireTitle: 'The control channel on the wire',
    wireIntro: 'What the server wrote down the attendees\' control channels (each broadcast once, as SSE text and as a WebSocket frame) and what came up (POSTs and frames), live, newest last.',
    wireCaption: (max: number) => `The last ${max} messages on the control channel`,
    wireColumns: { seq: '#', time: 'Time', direction: 'Direction', what: 'What', bytes: 'Bytes' },
    wireDown: '↓ down',
    wireUp: '↑ up',
    wireDelivered: (event: string, streams: number, sockets: number) => `${event}: to ${streams} SSE ${streams === 1 ? 'stream' : 'streams'} and ${sockets} ${sockets === 1 ? 'WebSocket' : 'WebSockets'}`,
    wireFrom: (who: string, transport: 'post' | 'ws') => `${transport === 'ws' ? 'WebSocket frame' : 'POST'} from ${who}`,
    wireSomeone: 'an attendee',
    wireEmpty: 'Nothing has crossed the control channel yet.',
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
    instructorNeedsToken: '这个页面需要服务器启动时终端里打印的讲师链接（以 ?token=… 结尾）。',
    name: '名字',
    present: '在线',
    yes: '是',
    no: '否',
    notYet: '尚未完成',
    noAttendees: '还没有学员加入。',
    // control: the control channel's transport, ping the room, the wire view
    transportLabel: '控制通道',
    transports: { sse: 'SSE 下行，POST 上行', ws: 'WebSocket' },
    pingTitle: '全场 ping',
    pingIntro: '每位学员的页面收到后立即回应。服务器用自己的时钟测量每一次往返：经控制通道下行，再上行回来。',
    pingButton: '向全场发送 ping',
    pingNone: '还没有发送过 ping。',
    pingWaiting: (present: number) => `已向在线的 ${present} 位学员发送 ping，正在等待回应…`,
    pingSummary: (answered: number, present: number, min: string, median: string, p90: string, max: string) =>
      `${present} 人中有 ${answered} 人回应。往返时间：最短 ${min} 毫秒，中位数 ${median} 毫秒，p90 ${p90} 毫秒，最长 ${max} 毫秒。`,
    pingChart: '往返时间，每位学员一个标记，从 0 到最慢的一位',
    wireTitle: '线路上的控制通道',
    wireIntro: '服务器经学员的控制通道发出的内容（每次广播只记一次，分别以 SSE 文本和 WebSocket 帧的形式），以及上行的内容（POST 请求和帧），实时更新，最新的在最后。',
    wireCaption: (max: number) => `控制通道上最近的 ${max} 条消息`,
    wireColumns: { seq: '#', time: '时间', direction: '方向', what: '内容', bytes: '字节' },
    wireDown: '↓ 下行',
    wireUp: '↑ 上行',
    wireDelivered: (event: string, streams: number, sockets: number) => `${event}：发往 ${streams} 条 SSE 流和 ${sockets} 个 WebSocket`,
    wireFrom: (who: string, transport: 'post' | 'ws') => `来自 ${who} 的${transport === 'ws' ? ' WebSocket 帧' : ' POST 请求'}`,
    wireSomeone: '一位学员',
    wireEmpty: '控制通道上还没有任何流量。',
  },
};

export type WorkshopStrings = (typeof WORKSHOP_STRINGS)['en'];

/** The strings for the page's language. */
export function workshopStrings(lang = document.documentElement.lang): WorkshopStrings {
  return lang.toLowerCase().startsWith('zh') ? WORKSHOP_STRINGS['zh-CN'] : WORKSHOP_STRINGS.en;
}

/** The techniques of a self-test, in the lessons' order (the server's SELF_TEST_TECHNIQUES). */
export const TECHNIQUES: readonly Technique[] = ['poll', 'longPoll', 'sse', 'websocket'];
