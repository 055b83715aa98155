/**
 * The only exercise script a lesson page loads before the reader interacts: it opens the
 * progress kept in localStorage and hands each exercise to src/exercises/page/exercise.ts
 * (the editor, Check, results, the solution diff) on its first use, or at once when the reader
 * has progress to restore.
 */
import { browserStorage, ProgressStore } from '../progress.ts';

/** Wait before the one automatic retry of the module loaded on demand whose request failed. */
const MODULE_RETRY_MS = 1000;

type Controller = import('./exercise.ts').ExerciseController;

/** The actions a workshop's instructor can lock: Show solution, and Replace my code with the solution. */
const SOLUTION_ACTIONS = ['solution', 'use-solution'];

/** Whether the workshop has locked solutions: the attendee's part sets `<html data-rl-solutions="locked">` and fires `rl-solutions` on document. */
function solutionsLocked(): boolean {
  return document.documentElement.dataset.rlSolutions === 'locked';
}

/**
 * Shows the lock on one exercise: its solution buttons aria-disabled (they keep the keyboard's
 * focus) and described by the reason, the diff closed; or all of it undone. Outside workshop
 * mode nothing sets the lock, and this changes nothing.
 */
function showSolutionsLock(root: HTMLElement): void {
  const locked = solutionsLocked();
  const reason = root.querySelector<HTMLElement>('[data-locked-reason]');
  if (!reason) return;
  reason.hidden = !locked;
  for (const button of root.querySelectorAll<HTMLButtonElement>(SOLUTION_ACTIONS.map((action) => `button[data-action="${action}"]`).join(','))) {
    if (locked) {
      button.setAttribute('aria-disabled', 'true');
      button.setAttribute('aria-describedby', reason.id);
    } else if (button.getAttribute('aria-describedby') === reason.id) {
      button.removeAttribute('aria-disabled');
      button.removeAttribute('aria-describedby');
    }
  }
  const diff = root.querySelector<HTMLElement>('[data-diff]');
  const toggle = root.querySelector<HTMLButtonElement>('.rl-ex-bar button[data-action="solution"]');
  if (locked && diff && !diff.hidden && toggle) {
    diff.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    toggle.textContent = (JSON.parse(root.dataset.strings ?? '{}') as Record<string, string>)['exercise.solution'] ?? toggle.textContent;
  }
}

const roots = [...document.querySelectorAll<HTMLElement>('[data-rl-exercise]')];
if (roots.length > 0) {
  const store = new ProgressStore(browserStorage());
  let module: Promise<typeof import('./exercise.ts')> | undefined;
  const load = () => {
    module ??= import('./exercise.ts').catch(() => new Promise((retry) => setTimeout(retry, MODULE_RETRY_MS)).then(() => import('./exercise.ts')));
    module.catch(() => (module = undefined));
    return module;
  };

  for (const root of roots) {
    let controller: Promise<Controller> | undefined;
    const use = (act: (controller: Controller) => void) => {
      controller ??= load().then((exercise) => exercise.mountExercise(root, store));
      controller.then(act, () => {
        controller = undefined;
        const notice = root.querySelector('[data-notice]');
        if (notice) notice.textContent = (JSON.parse(root.dataset.strings ?? '{}') as Record<string, string>)['exercise.failed-to-load'] ?? '';
      });
    };
    root.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
      if (button && SOLUTION_ACTIONS.includes(button.dataset.action ?? '') && solutionsLocked()) return;
      if (button && root.contains(button) && !button.disabled) use((exercise) => exercise.act(button.dataset.action ?? ''));
    });
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
        event.preventDefault();
        use((exercise) => exercise.act('run'));
      }
    });
    const pre = root.querySelector<HTMLElement>('[data-code-host] pre');
    if (pre) {
      pre.tabIndex = 0;
      pre.setAttribute('aria-label', (JSON.parse(root.dataset.strings ?? '{}') as Record<string, string>)['exercise.code.label']?.replace('{{title}}', root.querySelector('.rl-ex-title')?.lastChild?.textContent?.trim() ?? '') ?? '');
      pre.addEventListener('pointerdown', (event) => use((exercise) => exercise.edit({ x: event.clientX, y: event.clientY })));
      pre.addEventListener('focus', () => use((exercise) => exercise.edit()));
    }
    // Progress from an earlier visit: shown at once, with the way to reset it.
    const { progress, restored } = store.restore(root.dataset.id ?? '');
    if (progress && restored) use(() => {});
    showSolutionsLock(root);
  }
  document.addEventListener('rl-solutions', () => {
    for (const root of roots) showSolutionsLock(root);
  });
}
