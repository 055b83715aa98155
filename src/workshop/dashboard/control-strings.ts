/**
 * What the dashboard's control sections say (ping the room, the control channel's wire view), in
 * English and Simplified Chinese. Kept apart from strings.ts so that the attendee's part, which
 * every page loads in workshop mode, does not carry the dashboard's words.
 */

export const CONTROL_STRINGS = {
  en: {
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

export type ControlStrings = (typeof CONTROL_STRINGS)['en'];

/** The strings for the page's language. */
export function controlStrings(lang = document.documentElement.lang): ControlStrings {
  return lang.toLowerCase().startsWith('zh') ? CONTROL_STRINGS['zh-CN'] : CONTROL_STRINGS.en;
}
