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
    // control: the control channel's transport (the dashboard's strings are in dashboard/control-strings.ts)
    transportLabel: 'Control channel',
    transports: { sse: 'SSE down, POST up', ws: 'WebSocket' },
    // class: the notices banner, follow the instructor (the dashboard's section: dashboard/class-strings.ts)
    bannerLabel: 'From the instructor',
    noticeFrom: 'Notice from the instructor: ',
    dismiss: 'Dismiss',
    movingTo: (page: string) => `Moving to ${page} with the class…`,
    stayHere: 'Stay here',
    classIsOn: (page: string) => `The class is on ${page}`,
    go: 'Go',
    following: 'You follow the instructor.',
    detached: 'You are not following the instructor.',
    detach: 'Detach',
    rejoin: 'Rejoin',
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
    // control: the control channel's transport (the dashboard's strings are in dashboard/control-strings.ts)
    transportLabel: '控制通道',
    transports: { sse: 'SSE 下行，POST 上行', ws: 'WebSocket' },
    // class: the notices banner, follow the instructor (the dashboard's section: dashboard/class-strings.ts)
    bannerLabel: '讲师消息',
    noticeFrom: '讲师通知：',
    dismiss: '关闭',
    movingTo: (page: string) => `正在随全班前往「${page}」…`,
    stayHere: '留在本页',
    classIsOn: (page: string) => `全班正在「${page}」`,
    go: '前往',
    following: '你正在跟随讲师。',
    detached: '你没有跟随讲师。',
    detach: '不再跟随',
    rejoin: '重新跟随',
  },
};

export type WorkshopStrings = (typeof WORKSHOP_STRINGS)['en'];

/** The strings for the page's language. */
export function workshopStrings(lang = document.documentElement.lang): WorkshopStrings {
  return lang.toLowerCase().startsWith('zh') ? WORKSHOP_STRINGS['zh-CN'] : WORKSHOP_STRINGS.en;
}

/** The techniques of a self-test, in the lessons' order (the server's SELF_TEST_TECHNIQUES). */
export const TECHNIQUES: readonly Technique[] = ['poll', 'longPoll', 'sse', 'websocket'];
