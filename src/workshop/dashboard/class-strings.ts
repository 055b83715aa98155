/**
 * What the dashboard's "The class" section says (ClassActions.astro, class-actions.ts), in English
 * and Simplified Chinese. Apart from src/workshop/strings.ts, which every attendee's page loads
 * before interaction: these are for the instructor's page only.
 */
export const CLASS_STRINGS = {
  en: {
    classTitle: 'The class',
    noticeTitle: 'Send a notice',
    noticeLabel: 'Notice to every attendee',
    noticeHelp: (max: number) => `Up to ${max} characters. Line breaks are kept.`,
    noticeCount: (count: number, max: number) => `${count} of ${max} characters`,
    noticeSend: 'Send the notice',
    noticeSent: 'Sent to every attendee.',
    lastNotice: 'Latest notice: ',
    moveTitle: 'Move everyone to a page',
    moveLabel: 'Page',
    movePages: 'Pages',
    moveExercise: (title: string) => `Exercise: ${title}`,
    moveButton: 'Move everyone',
    moved: (page: string) => `Everyone who follows is going to ${page}.`,
    lastMove: (page: string) => `The class was last moved to ${page}.`,
    solutionsTitle: 'Solutions',
    solutionsLocked: 'Solutions are locked: attendees can neither show them nor replace their code with them.',
    solutionsOpen: 'Solutions are open: attendees can show them.',
    solutionsLock: 'Lock solutions',
    solutionsReveal: 'Reveal solutions',
  },
  'zh-CN': {
    classTitle: '全班',
    noticeTitle: '发送通知',
    noticeLabel: '发给所有学员的通知',
    noticeHelp: (max: number) => `最多 ${max} 个字符，保留换行。`,
    noticeCount: (count: number, max: number) => `${count} / ${max} 个字符`,
    noticeSend: '发送通知',
    noticeSent: '已发送给所有学员。',
    lastNotice: '最新通知：',
    moveTitle: '带全班前往某页',
    moveLabel: '页面',
    movePages: '页面',
    moveExercise: (title: string) => `练习：${title}`,
    moveButton: '全班前往',
    moved: (page: string) => `跟随讲师的学员正在前往「${page}」。`,
    lastMove: (page: string) => `全班上一次前往的是「${page}」。`,
    solutionsTitle: '答案',
    solutionsLocked: '答案已锁定：学员既不能查看答案，也不能用答案替换自己的代码。',
    solutionsOpen: '答案已开放：学员可以查看。',
    solutionsLock: '锁定答案',
    solutionsReveal: '开放答案',
  },
};

export type ClassStrings = (typeof CLASS_STRINGS)['en'];

/** The strings for the page's language. */
export function classStrings(lang = document.documentElement.lang): ClassStrings {
  return lang.toLowerCase().startsWith('zh') ? CLASS_STRINGS['zh-CN'] : CLASS_STRINGS.en;
}
