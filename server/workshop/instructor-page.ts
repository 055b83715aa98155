/**
 * The instructor's dashboard pages (/workshop/instructor/ and /zh-cn/workshop/instructor/),
 * guarded before the static site serves them:
 *
 * - `?token=<token>` that matches: the answer sets the instructor's cookie (a value derived
 *   from the token, HttpOnly, SameSite=Strict) and redirects (303) to the page without the
 *   query, so that the token leaves the address bar and the history;
 * - a valid cookie: the page, as built;
 * - anything else: 403 with a short page in the page's language that says which link to open,
 *   and nothing of the dashboard.
 *
 * Only these paths are looked at; the rest of the site passes through untouched.
 */
import path from 'node:path';
import type express from 'express';
import { hasInstructorCookie, INSTRUCTOR_COOKIE, instructorSession, tokenMatches } from './token.ts';

/**
 * Every way the static site would serve the dashboard's file: the folder, `index`, `index.html`
 * and its precompressed variants, in any case (a case-insensitive disk serves them all).
 */
const INSTRUCTOR_PAGE = /^\/(zh-cn\/)?workshop\/instructor(?:\/(?:index(?:\.html(?:\.br|\.gz)?)?)?)?$/i;

/** What the 403 page says, in the site's two languages. */
const REFUSAL = {
  en: {
    lang: 'en',
    title: 'Instructor page: open the instructor link',
    heading: 'This page needs the instructor link',
    body: 'Open the instructor link printed in the terminal when the server started (it ends with ?token=…). It works in this browser until the server restarts; each start prints a new link unless WORKSHOP_TOKEN is set.',
    projector: 'The projector page',
    projectorPath: '/workshop/',
  },
  zh: {
    lang: 'zh-CN',
    title: '讲师页面：请打开讲师链接',
    heading: '这个页面需要讲师链接',
    body: '请打开服务器启动时终端里打印的讲师链接（以 ?token=… 结尾）。在服务器重启之前，它在这个浏览器里一直有效；除非设置了 WORKSHOP_TOKEN，每次启动都会打印一条新链接。',
    projector: '投影页面',
    projectorPath: '/zh-cn/workshop/',
  },
} as const;

/** The 403 page: static text, no script, nothing from the dashboard. */
export function refusalPage(language: 'en' | 'zh'): string {
  const t = REFUSAL[language];
  return `<!doctype html>
<html lang="${t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${t.title}</title>
<style>:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5}main{max-width:40rem;margin:3rem auto;padding:0 1rem}a{color:LinkText}</style>
</head>
<body>
<main>
<h1>${t.heading}</h1>
<p>${t.body}</p>
<p><a href="${t.projectorPath}">${t.projector}</a></p>
</main>
</body>
</html>
`;
}

/** The dashboard's canonical path that `pathname` names, or undefined when it names another page. */
export function instructorPagePath(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  // As the static server resolves it: `//` and `/./` collapse (it refuses `..` itself).
  const match = INSTRUCTOR_PAGE.exec(path.posix.normalize(decoded));
  if (!match) return undefined;
  return match[1] ? '/zh-cn/workshop/instructor/' : '/workshop/instructor/';
}

/** The guard, mounted before the static site in workshop mode. */
export function createInstructorPageGate(token: string): express.RequestHandler {
  const session = instructorSession(token);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const page = instructorPagePath(req.path);
    if (page === undefined) return next();
    res.setHeader('Cache-Control', 'no-store');
    // The URL may hold the token: no page it leads to gets it as a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    const presented = req.query['token'];
    if (typeof presented === 'string' && tokenMatches(token, presented)) {
      // No Secure: a workshop runs on plain http on the room's network. No Max-Age: it ends
      // with the browser session, and the value dies with the token at the next start anyway.
      res.setHeader('Set-Cookie', `${INSTRUCTOR_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`);
      res.redirect(303, page);
      return;
    }
    if (presented === undefined && hasInstructorCookie(req, token)) return next();
    const language = page.startsWith('/zh-cn/') ? 'zh' : 'en';
    res
      .status(403)
      .set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", 'X-Content-Type-Options': 'nosniff' })
      .send(refusalPage(language));
  };
}
