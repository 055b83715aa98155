/**
 * The dashboard's "The class" section (src/components/workshop/ClassActions.astro): send a
 * notice, move everyone to a page, lock or reveal solutions. Each form shows what the server
 * answered: its error message as it is, in the part's alert.
 */
import type { ClassSnapshot } from '../../../server/workshop/class-state.ts';
import { instructorFetch } from '../instructor.ts';
import { classStrings } from './class-strings.ts';
import type { DashboardSection } from './sections.ts';

/** The instructor API's answer: the body, or the error sentence it sent. */
async function call(path: string, method: string, body?: unknown): Promise<{ ok: true; body: any } | { ok: false; message: string }> {
  try {
    const res = await instructorFetch(path, body === undefined ? { method } : { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    if (res.ok) return { ok: true, body: json };
    return { ok: false, message: json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${res.status}` };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Installs the section in the dashboard's `root`. */
export function installClassActions(root: HTMLElement): DashboardSection {
  const section = root.querySelector<HTMLElement>('[data-class-actions]');
  if (!section) return {};
  const t = classStrings();
  const $ = <T extends HTMLElement>(scope: Element, selector: string) => scope.querySelector(selector) as T;
  const noticeForm = $<HTMLFormElement>(section, '[data-notice-form]');
  const moveForm = $<HTMLFormElement>(section, '[data-move-form]');
  const solutions = $<HTMLElement>(section, '[data-solutions]');
  const text = $<HTMLTextAreaElement>(noticeForm, 'textarea');
  const select = $<HTMLSelectElement>(moveForm, 'select');
  const toggle = $<HTMLButtonElement>(solutions, '[data-solutions-toggle]');
  let noticeMaxChars = 280;
  let locked = false;

  /** Shows an answer in a part: the error in its alert, or `done` in its status line. */
  function answer(part: Element, result: { ok: boolean; message?: string }, done = ''): void {
    $(part, '[data-error]').textContent = result.ok ? '' : (result.message ?? '');
    const status = part.querySelector('[data-result]');
    if (status) status.textContent = result.ok ? done : '';
  }

  function count(): void {
    $(noticeForm, '[data-notice-help]').textContent = t.noticeHelp(noticeMaxChars);
    const length = [...text.value.trim()].length;
    const counter = $(noticeForm, '[data-notice-count]');
    counter.textContent = t.noticeCount(length, noticeMaxChars);
    counter.dataset['over'] = String(length > noticeMaxChars);
  }
  text.addEventListener('input', count);

  /** The label the picker gives a path, or the path. */
  const labelOf = (path: string) => [...select.options].find((option) => option.value === path)?.textContent?.replace(/^— /, '') ?? path;

  noticeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = await call('notices', 'POST', { text: text.value });
    answer(noticeForm, result, t.noticeSent);
    if (result.ok) {
      text.value = '';
      count();
    }
  });
  moveForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = await call('move', 'POST', { path: select.value });
    answer(moveForm, result, result.ok ? t.moved(labelOf(result.body.move.path)) : '');
  });
  toggle.addEventListener('click', async () => {
    const result = await call('solutions', 'PUT', { locked: !locked });
    answer(solutions, result);
    if (result.ok) show({ solutions: result.body.solutions });
  });

  function show(state: Partial<ClassSnapshot>): void {
    if (state.solutions) {
      locked = state.solutions.locked;
      $(solutions, '[data-solutions-state]').textContent = locked ? t.solutionsLocked : t.solutionsOpen;
      toggle.textContent = locked ? t.solutionsReveal : t.solutionsLock;
      solutions.dataset['locked'] = String(locked);
    }
    if (state.move !== undefined) {
      const last = $(moveForm, '[data-last-move]');
      last.hidden = state.move === null;
      last.textContent = state.move ? t.lastMove(labelOf(state.move.path)) : '';
    }
    if (state.notice !== undefined) {
      const last = $(noticeForm, '[data-last-notice]');
      last.hidden = state.notice === null;
      $(last, '[data-last-notice-text]').textContent = state.notice?.text ?? '';
    }
  }

  async function refresh(): Promise<void> {
    const result = await call('class', 'GET');
    if (!result.ok) return;
    noticeMaxChars = result.body.noticeMaxChars;
    count();
    show(result.body as ClassSnapshot);
  }
  void refresh();
  return { refresh: () => void refresh() };
}
