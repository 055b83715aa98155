/**
 * The Progress page's script (src/components/Progress.astro): fills in each exercise's state from
 * localStorage through ProgressStore, and does Export (a JSON file, downloaded), Import (checked
 * as a whole; an error names the field in the reader's language; a summary of what was imported
 * and skipped) and Reset all (after a confirmation). Nothing leaves the browser.
 */
import { browserStorage, ProgressImportError, ProgressStore, type ExerciseProgress } from './progress.ts';
import { fill } from './fill.ts';

/** What Progress.astro hands over in `data-rl-progress`. */
interface ProgressData {
  lang: string;
  strings: Record<string, string>;
  known: string[];
}

/** How an exercise's progress reads on this page: its state's name among progress.state.*. */
export function stateOf(progress: ExerciseProgress | undefined): 'not-started' | 'working' | NonNullable<ExerciseProgress['state']> {
  if (!progress) return 'not-started';
  return progress.state ?? 'working';
}

const MARKS: Record<ReturnType<typeof stateOf>, string> = { 'not-started': '○', working: '…', passed: '✓', wrong: '✗', 'timed-out': '✗', unreachable: '!' };

function openStore(known: readonly string[]): ProgressStore {
  return new ProgressStore(browserStorage(), { knownIds: new Set(known) });
}

function setUpProgress(root: HTMLElement): void {
  const data = JSON.parse(root.dataset.rlProgress as string) as ProgressData;
  const say = (key: string, values?: Record<string, string | number>) => fill(data.strings[key] ?? key, values);
  const message = root.querySelector('[data-message]') as HTMLElement;
  const summary = root.querySelector('[data-summary]') as HTMLElement;
  const file = root.querySelector('[data-file]') as HTMLInputElement;
  const when = new Intl.DateTimeFormat(data.lang, { dateStyle: 'medium', timeStyle: 'short' });

  function tell(kind: 'info' | 'error', lines: string[]): void {
    message.dataset.kind = kind;
    message.replaceChildren(...lines.map((line) => Object.assign(document.createElement('p'), { textContent: line })));
  }

  function render(): void {
    const all = openStore(data.known).all();
    let passed = 0;
    let started = 0;
    const items = root.querySelectorAll<HTMLElement>('[data-exercise]');
    for (const item of items) {
      const progress = all[item.dataset.exercise as string];
      const state = stateOf(progress);
      if (state === 'passed') passed += 1;
      if (state !== 'not-started') started += 1;
      item.dataset.state = state;
      const field = (name: string) => item.querySelector(`[data-field="${name}"]`) as HTMLElement;
      (item.querySelector('[data-mark]') as HTMLElement).textContent = MARKS[state];
      field('state').textContent = say(`progress.state.${state}`);
      const checksPassed = Object.values(progress?.checks ?? {}).filter((check) => check.state === 'passed').length;
      field('checks').textContent = say('progress.checks.count', { passed: checksPassed, total: Number(item.dataset.checks) });
      field('attempts').textContent = String(progress?.attempts ?? 0);
      field('when').textContent = progress && progress.attempts > 0 ? when.format(new Date(progress.at)) : say('progress.never');
    }
    summary.textContent = say('progress.summary', { passed, started, total: items.length });
  }

  (root.querySelector('[data-export]') as HTMLButtonElement).addEventListener('click', () => {
    const name = `realtime-lab-progress-${new Date().toISOString().slice(0, 10)}.json`;
    const url = URL.createObjectURL(new Blob([openStore(data.known).exportJson()], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    tell('info', [say('progress.exported', { file: name })]);
  });

  (root.querySelector('[data-import]') as HTMLButtonElement).addEventListener('click', () => file.click());
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    file.value = '';
    if (!chosen) return;
    try {
      const { imported, skipped } = openStore(data.known).importJson(await chosen.text());
      const lines = [say('progress.imported', { count: imported })];
      if (skipped.length > 0) lines.push(say('progress.skipped', { count: skipped.length, ids: skipped.join(', ') }));
      tell('info', lines);
      render();
    } catch (error) {
      if (!(error instanceof ProgressImportError)) throw error;
      tell('error', [say('progress.import.failed', { reason: say(`progress.error.${error.reason}`, { ...error.values }) })]);
    }
  });

  (root.querySelector('[data-reset-all]') as HTMLButtonElement).addEventListener('click', () => {
    if (!window.confirm(say('progress.reset.confirm'))) return;
    openStore(data.known).resetAll();
    render();
    tell('info', [say('progress.reset.done')]);
  });

  // Progress made in another tab shows here at once.
  window.addEventListener('storage', () => render());
  render();
}

for (const root of document.querySelectorAll<HTMLElement>('[data-rl-progress]')) setUpProgress(root);
