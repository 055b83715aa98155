/**
 * The home page's live hero strings, English and Simplified Chinese. HeroLive.astro renders the
 * static ones and hands the page script the rest; `{{name}}` placeholders are filled in on the page.
 */

const EN = {
  label: 'The server’s clock, received four ways',
  intro: 'The server ticks once a second. Each row receives the tick its own way:',
  'technique.poll': 'Short polling',
  'technique.longPoll': 'Long polling',
  'technique.sse': 'Server-Sent Events',
  'technique.ws': 'WebSocket',
  'tile.waiting': 'waiting for a tick…',
  'tile.lag': '+{{seconds}} s after the first',
  'tile.first': 'first to arrive',
  'tile.requests': '{{count}} requests',
  'tile.requests.one': '1 request',
  'tile.connections': '{{count}} connections',
  'tile.connections.one': '1 connection',
  'tile.paused': 'paused',
  pause: 'Pause',
  resume: 'Resume',
  'status.paused': 'Paused: nothing is connected. Scrolling away or hiding the tab pauses it too.',
  lab: 'Race them in the lab, and break the network',
  'offline.picture': 'A still picture of the four lanes: short polling asks again and again, long polling waits for each answer, Server-Sent Events and WebSocket keep one connection open.',
  'offline.hint': 'The companion server does not answer, so this is a still picture. Start it in the Realtime Lab folder with {{command}}, then reload.',
  'offline.hint.workshop': 'The host’s server is not answering, so this is a still picture. Tell the instructor; it comes back live by itself.',
} as const;

const ZH: Record<HeroStringKey, string> = {
  label: '服务器的时钟，用四种方式接收',
  intro: '服务器每秒报时一次。每一行用自己的方式接收它：',
  'technique.poll': '短轮询',
  'technique.longPoll': '长轮询',
  'technique.sse': 'Server-Sent Events',
  'technique.ws': 'WebSocket',
  'tile.waiting': '等待报时…',
  'tile.lag': '比最快的晚 {{seconds}} 秒',
  'tile.first': '最先收到',
  'tile.requests': '{{count}} 次请求',
  'tile.requests.one': '1 次请求',
  'tile.connections': '{{count}} 个连接',
  'tile.connections.one': '1 个连接',
  'tile.paused': '已暂停',
  pause: '暂停',
  resume: '继续',
  'status.paused': '已暂停：没有任何连接。滚出视野或切换标签页时也会暂停。',
  lab: '在实验室里让它们赛跑，并制造网络故障',
  'offline.picture': '四条通道的静态示意图：短轮询一次又一次地询问，长轮询等待每个应答，Server-Sent Events 和 WebSocket 保持一个连接不断开。',
  'offline.hint': '配套服务器没有响应，所以这里只是一张静态图。请在 Realtime Lab 文件夹中运行 {{command}}，然后刷新页面。',
  'offline.hint.workshop': '讲师的服务器没有响应，所以这里只是一张静态图。请告诉讲师；服务器恢复后这里会自动重新动起来。',
};

export type HeroStringKey = keyof typeof EN;
export type HeroStrings = Record<HeroStringKey, string>;

/** The hero's strings in `lang` (`en` or `zh-CN`); English for any other. */
export function heroStrings(lang: string): HeroStrings {
  return lang.toLowerCase().startsWith('zh') ? ZH : EN;
}

/** Fills `{{name}}` placeholders from `values`. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}
