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
  }
}
