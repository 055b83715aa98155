/**
 * "Follow the instructor", the attendee feature: on by default, with Detach and Rejoin in the
 * attendee's panel (kept in localStorage). While following, a `move {path, at}` takes the
 * attendee to that page in their own language (an attendee on /zh-cn/… goes to /zh-cn/<path>),
 * after saying so in the banner for a moment, with "Stay here" to detach instead. A detached
 * attendee sees where the class is, with Go; Rejoin goes to the latest target.
 *
 * A move counts once per tab: the `at` of the last one followed is kept in sessionStorage, so
 * the `state` a page starts with moves only an attendee who has not followed it yet (one who
 * joins late, or whose page was loading when it came), and never yanks back one who went on.
 */
import type { AttendeeSession } from './attendee.ts';
import type { ClassMove, ClassSnapshot } from '../../server/workshop/class-state.ts';
import { bannerButton, pageBanner } from './banner.ts';
import { workshopStrings } from './strings.ts';

/** `detached` while the attendee does not follow (localStorage); following is the default. */
export const FOLLOW_KEY = 'realtime-lab:workshop-follow';
/** The `at` of the last move this tab followed (sessionStorage). */
const FOLLOWED_KEY = 'realtime-lab:workshop-followed';
/** How long the banner says "Moving to … with the class" before the page changes. */
export const MOVE_NOTICE_MS = 2500;

/** The move's path in this page's language, as a URL of this site; undefined if it is not a page path. */
function targetUrl(path: string): URL | undefined {
  // The server sends only /segments/ and #anchor; anything else is not followed.
  if (!/^\/(?:[a-z0-9._-]+\/)*(?:#[A-Za-z0-9_-]+)?$/.test(path) || path.includes('//')) return undefined;
  const chinese = document.documentElement.lang.toLowerCase().startsWith('zh') || location.pathname.startsWith('/zh-cn/');
  const url = new URL(chinese ? `/zh-cn${path}` : path, location.origin);
  return url.origin === location.origin ? url : undefined;
}

function onPage(url: URL): boolean {
  const strip = (pathname: string) => pathname.replace(/\/?$/, '/');
  return strip(url.pathname) === strip(location.pathname);
}

/** The page's title as this page's sidebar gives it (in the reader's language), or its path. */
function pageName(url: URL): string {
  const link = [...document.querySelectorAll<HTMLAnchorElement>('nav.sidebar a[href]')].find((a) => new URL(a.href, location.origin).pathname === url.pathname);
  const text = link?.textContent?.replace(/\s+/g, ' ').trim();
  if (text) return text;
  if (/^\/(?:zh-cn\/)?$/.test(url.pathname)) return document.querySelector('.site-title')?.textContent?.trim() || url.pathname;
  return url.pathname;
}

function isMove(value: unknown): value is ClassMove {
  return typeof (value as ClassMove | null)?.path === 'string' && typeof (value as ClassMove).at === 'number';
}

/** The attendee feature: follow the instructor's moves, or not. */
export function installFollow(session: AttendeeSession): void {
  const t = workshopStrings();
  const line = pageBanner().classLine;
  let following = localStorage.getItem(FOLLOW_KEY) !== 'detached';
  let target: ClassMove | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The `at` of the move the banner is counting down to (0: none), so that the same move again (a reconnect's `state`, then its replay) does not restart it. */
  let pendingAt = 0;

  const row = document.createElement('p');
  row.dataset['follow'] = '';
  const status = document.createElement('span');
  const toggle = document.createElement('button');
  toggle.type = 'button';
  row.append(status, ' ', toggle);
  session.addToPanel(row);
  function render(): void {
    status.textContent = following ? t.following : t.detached;
    toggle.textContent = following ? t.detach : t.rejoin;
    row.dataset['follow'] = following ? 'on' : 'off';
  }
  render();

  const followed = () => Number(sessionStorage.getItem(FOLLOWED_KEY) ?? 0);
  function go(url: URL, move: ClassMove): void {
    sessionStorage.setItem(FOLLOWED_KEY, String(move.at));
    clearTimeout(timer);
    pendingAt = 0;
    if (onPage(url)) {
      line.clear();
      // Already there: only the anchor, if the move named one.
      if (url.hash && url.hash !== location.hash) location.hash = url.hash;
      return;
    }
    location.assign(url);
  }

  /** What a detached attendee sees: where the class is, with Go and Rejoin. */
  function showWhereTheClassIs(): void {
    const url = target && targetUrl(target.path);
    if (following || !url || onPage(url)) {
      if (!following) line.clear();
      return;
    }
    const link = document.createElement('a');
    link.href = url.pathname + url.hash;
    link.textContent = t.go;
    line.show([t.classIsOn(pageName(url))], [link, bannerButton(t.rejoin, rejoin)]);
  }

  function detach(): void {
    following = false;
    localStorage.setItem(FOLLOW_KEY, 'detached');
    clearTimeout(timer);
    pendingAt = 0;
    render();
    showWhereTheClassIs();
  }

  function rejoin(): void {
    following = true;
    localStorage.removeItem(FOLLOW_KEY);
    render();
    line.clear();
    const url = target && targetUrl(target.path);
    if (target && url) go(url, target);
  }

  toggle.addEventListener('click', () => (following ? detach() : rejoin()));

  function consider(move: unknown): void {
    if (!isMove(move)) return;
    if (!target || move.at >= target.at) target = move;
    if (move !== target) return;
    if (!following) {
      showWhereTheClassIs();
      return;
    }
    const url = targetUrl(move.path);
    if (!url || move.at <= followed() || move.at === pendingAt) return;
    if (onPage(url)) {
      go(url, move);
      return;
    }
    // Not without a word: the banner says where, for a moment, with a way to stay.
    clearTimeout(timer);
    pendingAt = move.at;
    line.show([t.movingTo(pageName(url))], [bannerButton(t.stayHere, detach)]);
    timer = setTimeout(() => go(url, move), MOVE_NOTICE_MS);
  }

  session.on('move', consider);
  session.on('state', (data) => consider((data as Partial<ClassSnapshot> | null)?.move));
}
