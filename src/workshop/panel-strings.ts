import type { Technique } from '../../server/workshop/presence.ts';

/**
 * What the attendee's panel says (its name form, self-test and control channel), in English and
 * Simplified Chinese: the part of the workshop's strings a page loads before any interaction.
 * The rest (banner, hand, dashboard, projector) is in strings.ts, loaded with the parts that use it.
 */
export const PANEL_STRINGS = {
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
    transportLabel: 'Control channel',
    transports: { sse: 'SSE down, POST up', ws: 'WebSocket' },
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
    transportLabel: '控制通道',
    transports: { sse: 'SSE 下行，POST 上行', ws: 'WebSocket' },
  },
};

export type PanelStrings = (typeof PANEL_STRINGS)['en'];

/** The panel's strings for the page's language. */
export function panelStrings(lang = document.documentElement.lang): PanelStrings {
  return lang.toLowerCase().startsWith('zh') ? PANEL_STRINGS['zh-CN'] : PANEL_STRINGS.en;
}

/** The techniques of a self-test, in the lessons' order (the server's SELF_TEST_TECHNIQUES). */
export const TECHNIQUES: readonly Technique[] = ['poll', 'longPoll', 'sse', 'websocket'];
