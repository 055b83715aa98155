/**
 * The quiz's page script (src/components/ExerciseQuiz.astro): Check evaluates the chosen answers
 * with evaluateQuiz and shows, per scenario, right or wrong in words with its explanation, then
 * the overall state; the answers and results are kept through ProgressStore, under the key and in
 * the shape the code exercises use, and restored on return with a "restored, reset?" notice.
 */
import { evaluateQuiz } from './quiz.ts';
import { browserStorage, ProgressStore, type ExerciseProgress } from './progress.ts';
import { fill } from './fill.ts';

/** What ExerciseQuiz.astro hands over in `data-rl-quiz`. */
interface QuizData {
  id: string;
  lang: string;
  strings: Record<'restored' | 'right' | 'wrong' | 'unanswered' | 'passed' | 'notYet' | 'attempts', string>;
  labels: Record<string, string>;
  scenarios: { id: string; answer: string }[];
  known: string[];
}

/** A store read afresh from localStorage for each change, so other exercises' progress saved since is kept. */
function openStore(known: readonly string[]): ProgressStore {
  return new ProgressStore(browserStorage(), { knownIds: new Set(known) });
}

function setUpQuiz(root: HTMLElement): void {
  const data = JSON.parse(root.dataset.rlQuiz as string) as QuizData;
  const form = root.querySelector('[data-form]') as HTMLFormElement;
  const overall = root.querySelector('[data-overall]') as HTMLElement;
  const notice = root.querySelector('[data-restored]') as HTMLElement;
  const scenario = (id: string) => root.querySelector(`[data-scenario="${id}"]`) as HTMLFieldSetElement;
  const when = (iso: string) => new Intl.DateTimeFormat(data.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

  function answers(): Record<string, string> {
    const chosen: Record<string, string> = {};
    for (const { id } of data.scenarios) {
      const checked = scenario(id).querySelector<HTMLInputElement>('input:checked');
      if (checked) chosen[id] = checked.value;
    }
    return chosen;
  }

  function hideResult(id: string): void {
    const result = scenario(id).querySelector('[data-result]') as HTMLElement;
    result.hidden = true;
    delete result.dataset.state;
  }

  /** Shows each scenario's result and the overall state; `chosen` as evaluated. */
  function show(chosen: Record<string, string>, attempts: number): void {
    const report = evaluateQuiz(data.scenarios, chosen);
    for (const result of report.results) {
      const box = scenario(result.id).querySelector('[data-result]') as HTMLElement;
      const key = result.key === 'quiz.right' ? 'right' : result.key === 'quiz.wrong' ? 'wrong' : 'unanswered';
      box.dataset.state = result.state;
      (box.querySelector('[data-mark]') as HTMLElement).textContent = result.state === 'passed' ? '✓' : '✗';
      (box.querySelector('[data-verdict]') as HTMLElement).textContent = fill(data.strings[key], {
        chosen: data.labels[result.values.chosen] ?? result.values.chosen,
        answer: data.labels[result.values.answer] ?? result.values.answer,
      });
      // The explanation gives the answer away: shown once the reader has answered.
      (box.querySelector('[data-why]') as HTMLElement).hidden = key === 'unanswered';
      box.hidden = false;
    }
    const right = report.results.filter((result) => result.state === 'passed').length;
    const total = report.results.length;
    const state = fill(report.state === 'passed' ? data.strings.passed : data.strings.notYet, { right, total });
    const line = (part: 'total' | 'attempts', content: string) => {
      const paragraph = document.createElement('p');
      paragraph.dataset[part] = '';
      paragraph.textContent = content;
      return paragraph;
    };
    overall.replaceChildren(line('total', state), line('attempts', fill(data.strings.attempts, { count: attempts })));
    root.dataset.state = report.state;
  }

  function reset(): void {
    openStore(data.known).reset(data.id);
    form.reset();
    for (const { id } of data.scenarios) hideResult(id);
    overall.textContent = '';
    notice.hidden = true;
    delete root.dataset.state;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = answers();
    const report = evaluateQuiz(data.scenarios, chosen);
    const saved: ExerciseProgress = openStore(data.known).recordQuiz(data.id, chosen, report);
    notice.hidden = true;
    show(chosen, saved.attempts);
    // As a code exercise's Check does (page/exercise.ts): for whoever follows the reader's work (workshop mode).
    const checks = report.results.map((result) => ({ id: result.id, passed: result.state === 'passed' }));
    document.dispatchEvent(new CustomEvent('rl-exercise-checked', { detail: { exercise: data.id, state: report.state, checks, code: JSON.stringify(chosen) } }));
  });
  // A changed answer no longer has the result shown under it.
  form.addEventListener('change', (event) => {
    const fieldset = (event.target as HTMLElement).closest<HTMLElement>('[data-scenario]');
    if (fieldset?.dataset.scenario) hideResult(fieldset.dataset.scenario);
  });
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-reset]')) {
    button.addEventListener('click', () => {
      const wasNotice = button.closest('[data-restored]') !== null;
      reset();
      // The notice's button is gone with the notice: keep the keyboard in the quiz.
      if (wasNotice) scenario(data.scenarios[0]?.id ?? '').querySelector<HTMLInputElement>('input')?.focus();
    });
  }

  const { progress, restored } = openStore(data.known).restore(data.id);
  if (!progress?.answers) return;
  for (const [id, value] of Object.entries(progress.answers)) {
    const input = root.querySelector<HTMLInputElement>(`[data-scenario="${CSS.escape(id)}"] input[value="${CSS.escape(value)}"]`);
    if (input) input.checked = true;
  }
  if (progress.state !== undefined) show(progress.answers, progress.attempts);
  if (restored) {
    (notice.querySelector('[data-restored-text]') as HTMLElement).textContent = fill(data.strings.restored, { when: when(progress.at) });
    notice.hidden = false;
  }
}

for (const root of document.querySelectorAll<HTMLElement>('[data-rl-quiz]')) setUpQuiz(root);
