/**
 * The slim banner at the top of an attendee's page, under Starlight's header (which it pushes
 * nothing over: the page, the sidebar and the table of contents move down by its height). It
 * has two lines, each announced politely and each plain text: the instructor's latest notice
 * (line breaks kept, with Dismiss), and the class's whereabouts, which follow.ts writes
 * ("Moving to … with the class", "The class is on … — Go").
 *
 * The latest notice shows again on the next page of the visit until it is dismissed
 * (sessionStorage), from the `state` event every control stream starts with.
 */
import type { AttendeeSession } from './attendee.ts';
import type { ClassSnapshot } from '../../server/workshop/class-state.ts';
import { workshopStrings } from './strings.ts';

/** The notice this tab dismissed last: its `at`. */
const DISMISSED_KEY = 'realtime-lab:workshop-notice-dismissed';

const STYLE = `
.rl-banner{position:fixed;inset-inline:0;inset-block-start:var(--sl-nav-height,3.5rem);z-index:9;font-size:var(--sl-text-sm,.875rem);
color:var(--sl-color-white,#000);background:var(--sl-color-bg-accent,#ddf);}
.rl-banner-line{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .75rem;padding:.4rem var(--sl-nav-pad-x,1rem);
border-block-end:1px solid var(--sl-color-accent,#36c);background:var(--sl-color-accent-low,#eef)}
.rl-banner-line:not([data-open]){display:contents}
.rl-banner-line:not([data-open]) > :not([role=status]){display:none}
.rl-banner-text{margin:0;flex:1 1 16rem;white-space:pre-line;overflow-wrap:anywhere;max-block-size:30vh;overflow-y:auto}
.rl-banner-text strong{font-weight:600}
.rl-banner-actions{display:flex;gap:.5rem;align-items:center}
.rl-banner button,.rl-banner a{font:inherit;color:inherit;padding:.15rem .6rem;border:1px solid currentColor;border-radius:.25rem;background:transparent;cursor:pointer;text-decoration:none}
.rl-banner button:focus-visible,.rl-banner a:focus-visible{outline:2px solid var(--sl-color-text-accent,#36c);outline-offset:2px}
html[data-rl-banner] .main-frame{padding-top:calc(var(--sl-nav-height) + var(--sl-mobile-toc-height) + var(--rl-banner-h,0px))}
html[data-rl-banner] .sidebar-pane{inset-block-start:calc(var(--sl-nav-height) + var(--rl-banner-h,0px))}
html[data-rl-banner] mobile-starlight-toc nav{top:calc(var(--sl-nav-height) - 1px + var(--rl-banner-h,0px))}
@media (min-width:72rem){html[data-rl-banner] .right-sidebar{padding-top:calc(var(--sl-nav-height) + var(--rl-banner-h,0px))}}
html[data-rl-banner]{scroll-padding-top:calc(1.5rem + var(--sl-nav-height) + var(--sl-mobile-toc-height) + var(--rl-banner-h,0px))}`;

/** One line of the banner: its text in a polite live region, and its buttons beside it. */
class BannerLine {
  readonly root = document.createElement('div');
  readonly #text = document.createElement('p');
  readonly #actions = document.createElement('div');
  readonly #changed: () => void;

  constructor(name: string, changed: () => void) {
    this.#changed = changed;
    this.root.className = 'rl-banner-line';
    this.root.dataset['line'] = name;
    this.#text.className = 'rl-banner-text';
    // Present (and empty) from the start: a live region announces what is put in it later.
    this.#text.setAttribute('role', 'status');
    this.#actions.className = 'rl-banner-actions';
    this.root.append(this.#text, this.#actions);
  }

  /** Shows `parts` (strings, and strong labels) with `actions` beside them. Text only: never HTML. */
  show(parts: (string | { strong: string })[], actions: HTMLElement[]): void {
    this.#text.replaceChildren(
      ...parts.map((part) => {
        if (typeof part === 'string') return document.createTextNode(part);
        const strong = document.createElement('strong');
        strong.textContent = part.strong;
        return strong;
      }),
    );
    this.#actions.replaceChildren(...actions);
    this.root.dataset['open'] = '';
    this.#changed();
  }

  clear(): void {
    // Whether the keyboard was in this line: it then goes on to the page's main content.
    const hadFocus = this.root.contains(document.activeElement);
    this.#text.replaceChildren();
    this.#actions.replaceChildren();
    delete this.root.dataset['open'];
    this.#changed();
    const main = document.querySelector<HTMLElement>('main');
    if (hadFocus && main) {
      main.tabIndex = -1;
      main.focus({ preventScroll: true });
    }
  }

  get open(): boolean {
    return 'open' in this.root.dataset;
  }
}

/** The banner: one per page, made on first use. */
export class Banner {
  readonly root = document.createElement('section');
  readonly notice: BannerLine;
  readonly classLine: BannerLine;

  constructor() {
    const t = workshopStrings();
    const style = document.createElement('style');
    style.textContent = STYLE;
    document.head.append(style);
    this.root.className = 'rl-banner not-content';
    this.root.setAttribute('aria-label', t.bannerLabel);
    this.root.dataset['rlBanner'] = '';
    this.notice = new BannerLine('notice', () => this.#resized());
    this.classLine = new BannerLine('class', () => this.#resized());
    this.root.append(this.notice.root, this.classLine.root);
    // After Starlight's header in the reading order, before the sidebar and the page's content.
    const header = document.querySelector('.page > .header');
    if (header) header.after(this.root);
    else document.body.prepend(this.root);
    new ResizeObserver(() => this.#resized()).observe(this.root);
  }

  /** Moves the page below the banner by its height (Starlight's header stays where it is). */
  #resized(): void {
    const open = this.notice.open || this.classLine.open;
    const html = document.documentElement;
    if (open) {
      html.dataset['rlBanner'] = '';
      html.style.setProperty('--rl-banner-h', `${this.root.getBoundingClientRect().height}px`);
    } else {
      delete html.dataset['rlBanner'];
      html.style.removeProperty('--rl-banner-h');
    }
  }
}

let banner: Banner | undefined;

/** The page's banner (made on first use). */
export function pageBanner(): Banner {
  banner ??= new Banner();
  return banner;
}

/** A button of the banner. */
export function bannerButton(text: string, onClick: () => void): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = text;
  button.addEventListener('click', onClick);
  return button;
}

function dismissedAt(): number {
  return Number(sessionStorage.getItem(DISMISSED_KEY) ?? 0);
}

/** The attendee feature: every notice, and the latest one on each page until dismissed. */
export function installBanner(session: AttendeeSession): void {
  const t = workshopStrings();
  const line = pageBanner().notice;
  let shownAt = 0;
  function show(notice: { text?: unknown; at?: unknown } | null | undefined): void {
    if (typeof notice?.text !== 'string' || typeof notice.at !== 'number') return;
    if (notice.at <= dismissedAt() || notice.at < shownAt) return;
    // The same notice again (a reconnect's `state`): not announced a second time.
    if (notice.at === shownAt && line.open) return;
    shownAt = notice.at;
    const at = notice.at;
    line.show([{ strong: t.noticeFrom }, notice.text], [
      bannerButton(t.dismiss, () => {
        sessionStorage.setItem(DISMISSED_KEY, String(at));
        line.clear();
      }),
    ]);
  }
  session.on('notice', (data) => show(data as { text?: unknown; at?: unknown }));
  session.on('state', (data) => show((data as Partial<ClassSnapshot> | null)?.notice));
}
