/**
 * One exercise on the page, from its first use: the sandbox's editor over the starter, Run
 * (the code under the Check's conditions, its output shown), Check (src/exercises/session.ts
 * with the page's SessionIo, then each check's verdict and sentence, and the overall state, in
 * a polite live region once at the end), a hint per failed check, the solution as a line diff
 * beside the reader's code, Reset, and progress kept through ProgressStore. Loaded by
 * src/exercises/page/init.ts.
 */
import type { CodeExercise } from '../catalog.ts';
import type { OutputLine } from '../checks.ts';
import { inlineCode } from '../inline-code.ts';
import { lineDiff } from '../line-diff.ts';
import type { CheckProgress, ExerciseProgress, ProgressStore } from '../progress.ts';
import { runCheck, type SessionIo } from '../session.ts';
import { fill, sentence, type ExerciseStringKey } from '../strings.ts';
import type { EditorHandle } from '../../sandbox/page/editor.ts';
import { inWorkshop } from '../../sandbox/page/in-workshop.ts';
import { pageIo } from './frame-io.ts';

/** Saving the code waits for a pause in typing this long. */
const SAVE_AFTER_MS = 400;
/** The Check's progress line ticks this often. */
const TICK_MS = 500;
/** The output keeps at most this many lines. */
const MAX_OUTPUT_LINES = 400;

/** The event a Check's verdict dispatches on `document`, for whoever follows the reader's work (workshop mode). */
export const EXERCISE_CHECKED_EVENT = 'rl-exercise-checked';
/** The `detail` of EXERCISE_CHECKED_EVENT: the exercise, the overall state, each check's verdict and the code checked. */
export interface ExerciseCheckedDetail {
  exercise: string;
  state: string;
  checks: { id: string; passed: boolean }[];
  code: string;
}

/** What init.ts asks of a mounted exercise. */
export interface ExerciseController {
  /** A button's action: run, check, hint, solution, use-solution, reset. */
  act(action: string): void;
  /** The reader starts editing: the editor takes the static code's place and gets focus. */
  edit(at?: { x: number; y: number }): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}

/** When progress was kept, in the reader's language. */
function when(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}

class Exercise implements ExerciseController {
  readonly #root: HTMLElement;
  readonly #store: ProgressStore;
  readonly #exercise: CodeExercise;
  readonly #lang: string;
  readonly #strings: Record<ExerciseStringKey, string>;
  readonly #io: SessionIo;
  #code: string;
  #editor: EditorHandle | undefined;
  #editorLoading: Promise<EditorHandle> | undefined;
  #busy = false;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement, store: ProgressStore) {
    this.#root = root;
    this.#store = store;
    this.#exercise = JSON.parse(root.dataset.exercise ?? '{}') as CodeExercise;
    this.#lang = root.dataset.lang ?? 'en';
    this.#strings = JSON.parse(root.dataset.strings ?? '{}') as Record<ExerciseStringKey, string>;
    this.#io = pageIo(root.dataset.apiBase || location.origin, root);
    this.#code = this.#exercise.starter;
    const { progress, restored } = store.restore(this.#exercise.id);
    if (progress && restored) this.#restore(progress);
  }

  #t(key: ExerciseStringKey, values: Record<string, string | number> = {}): string {
    return fill(this.#strings[key] ?? key, values);
  }

  #part<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.#root.querySelector(`[data-${name}]`) as T;
  }

  #button(action: string): HTMLButtonElement {
    return this.#root.querySelector(`.rl-ex-bar button[data-action="${action}"]`) as HTMLButtonElement;
  }

  #notice(text: string): void {
    this.#part('notice').textContent = text;
  }

  act(action: string): void {
    // Workshop mode: while the instructor has locked solutions (init.ts shows why), they stay hidden.
    if ((action === 'solution' || action === 'use-solution') && document.documentElement.dataset.rlSolutions === 'locked') return;
    switch (action) {
      case 'run':
        void this.#run(false);
        break;
      case 'check':
        void this.#run(true);
        break;
      case 'hint':
        this.#nextHint();
        break;
      case 'solution':
        this.#toggleSolution();
        break;
      case 'use-solution':
        void this.#useSolution();
        break;
      case 'reset':
        this.#reset();
        break;
    }
  }

  edit(at?: { x: number; y: number }): void {
    void this.#mountEditor().then((editor) => editor.focus(at));
  }

  #mountEditor(): Promise<EditorHandle> {
    this.#editorLoading ??= import('../../sandbox/page/editor.ts').then(({ mountEditor }) => {
      const pre = this.#root.querySelector('[data-code-host] pre') as HTMLElement;
      const title = this.#root.querySelector('.rl-ex-title')?.lastChild?.textContent?.trim() ?? '';
      this.#editor = mountEditor(pre, this.#code, {
        label: this.#t('exercise.editor.label', { title }),
        // Long lines wrap (as the static code does in CSS): an editor that scrolls sideways is a
        // scrollable region the keyboard cannot reach (its focus is in the content, not the scroller).
        wrap: true,
        onRun: () => void this.#run(false),
        onChange: (code) => {
          this.#code = code;
          this.#codeChanged();
        },
      });
      return this.#editor;
    });
    this.#editorLoading.catch(() => {
      this.#editorLoading = undefined;
      this.#notice(this.#t('exercise.failed-to-load'));
    });
    return this.#editorLoading;
  }

  /** Puts code in the editor (loading it if need be), as the reader's own. */
  async #setCode(code: string): Promise<void> {
    this.#code = code;
    const editor = await this.#mountEditor();
    if (editor.getCode() !== code) editor.setCode(code);
    this.#codeChanged();
  }

  #codeChanged(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      const kept = this.#store.get(this.#exercise.id);
      if (kept?.code === this.#code || (!kept && this.#code === this.#exercise.starter)) return;
      this.#store.saveCode(this.#exercise.id, this.#code);
    }, SAVE_AFTER_MS);
    if (!this.#part('diff').hidden) this.#renderDiff();
  }

  #restore(progress: ExerciseProgress): void {
    const restored = this.#part('restored');
    this.#part('restored-text').textContent = this.#t('exercise.restored', { when: when(progress.at, this.#lang) });
    restored.hidden = false;
    if (progress.code !== '' && progress.code !== this.#exercise.starter) void this.#setCode(progress.code);
    if (progress.state) this.#showResults(progress.state, progress.checks, progress.attempts);
  }

  /** Run (`check` false): the code under the Check's conditions, output shown. Check: the same, then the verdict. */
  async #run(check: boolean): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    const exercise = this.#exercise;
    const code = this.#code;
    const run = this.#button('run');
    const checkButton = this.#button('check');
    // aria-disabled, not disabled: a focused button that becomes disabled drops the keyboard's
    // focus to the top of the page. Presses while busy are ignored (#busy).
    run.setAttribute('aria-disabled', 'true');
    checkButton.setAttribute('aria-disabled', 'true');
    this.#root.dataset.busy = check ? 'checking' : 'running';
    // Said once (a status region); the ticking line below is not announced, the verdict is, at the end.
    this.#notice(this.#t(check ? 'exercise.checking' : 'exercise.running', { seconds: seconds(exercise.timeBoundMs) }));
    const status = this.#part('status');
    const total = seconds(exercise.timeBoundMs);
    const started = Date.now();
    const tick = () => {
      status.textContent = check ? this.#t('exercise.checking.progress', { elapsed: seconds(Date.now() - started), seconds: total }) : this.#t('exercise.running', { seconds: total });
    };
    tick();
    const ticker = setInterval(tick, TICK_MS);
    const output = this.#part('output');
    output.replaceChildren();
    this.#part('output-panel').hidden = false;
    if (check) this.#part('results').replaceChildren();
    let lines = 0;
    const io: SessionIo = {
      ...this.#io,
      runCode: (text, id, channel, log) =>
        this.#io.runCode(text, id, channel, (line: OutputLine) => {
          log(line);
          if (++lines > MAX_OUTPUT_LINES) return;
          const row = el('div', 'rl-ex-line', line.text);
          row.dataset.level = line.level;
          output.append(row);
          output.scrollTop = output.scrollHeight;
        }),
    };
    try {
      const { evidence, report } = await runCheck(exercise, code, io);
      status.textContent = '';
      this.#notice('');
      if (check) {
        const kept = this.#store.recordCheck(exercise.id, code, report);
        this.#part('restored').hidden = true;
        const checks: Record<string, CheckProgress> = {};
        for (const result of report.results) checks[result.id] = { state: result.state, key: result.key, values: result.values };
        this.#showResults(report.state, checks, kept.attempts);
        const detail: ExerciseCheckedDetail = { exercise: exercise.id, state: report.state, checks: report.results.map((r) => ({ id: r.id, passed: r.state === 'passed' })), code };
        document.dispatchEvent(new CustomEvent(EXERCISE_CHECKED_EVENT, { detail }));
      } else if (evidence.unreachable) {
        this.#notice(this.#t('exercise.run.unreachable'));
      } else {
        this.#notice(evidence.timedOut ? this.#t('exercise.run.timed-out', { seconds: total }) : this.#t('exercise.run.done', { seconds: seconds(evidence.endedAt - evidence.startedAt) }));
      }
    } catch (error) {
      status.textContent = '';
      this.#notice(this.#t('exercise.error', { message: error instanceof Error ? error.message : String(error) }));
    } finally {
      clearInterval(ticker);
      // How many Checks and Runs this page has finished: what a test (or a script) can wait on.
      this.#root.dataset.finished = String(Number(this.#root.dataset.finished ?? 0) + 1);
      this.#busy = false;
      delete this.#root.dataset.busy;
      run.removeAttribute('aria-disabled');
      checkButton.removeAttribute('aria-disabled');
    }
  }

  /** The verdict: the overall state, then each check in the exercise's order, with a hint offered for each failed one. */
  #showResults(state: string, checks: Record<string, CheckProgress>, attempts: number): void {
    const exercise = this.#exercise;
    const failed = exercise.checks.filter((spec) => checks[spec.id]?.state === 'failed').length;
    const summaries: Record<string, string> = {
      passed: this.#t('state.passed'),
      wrong: this.#t('state.wrong', { failed, total: exercise.checks.length }),
      'timed-out': this.#t('state.timed-out', { seconds: seconds(exercise.timeBoundMs) }),
      // In a workshop the server is the host's: tell the instructor, not npm start.
      unreachable: this.#t(inWorkshop() ? 'state.unreachable.workshop' : 'state.unreachable'),
    };
    this.#root.dataset.state = state;
    const summary = el('p', 'rl-ex-summary', summaries[state] ?? state);
    summary.dataset.state = state;
    const nodes: HTMLElement[] = [el('p', 'rl-ex-panel-title', this.#t('exercise.results')), summary];
    if (attempts > 0) nodes.push(el('p', 'rl-ex-attempts', this.#t('exercise.attempts', { count: attempts })));
    if (state !== 'unreachable') {
      const list = el('ul', 'rl-ex-checks');
      for (const spec of exercise.checks) {
        const result = checks[spec.id];
        if (!result) continue;
        const item = el('li', 'rl-ex-check');
        item.dataset.check = spec.id;
        item.dataset.state = result.state;
        const verdict = el('span', 'rl-ex-verdict', `${result.state === 'passed' ? '✓' : '✗'} ${this.#t(result.state === 'passed' ? 'check.passed' : 'check.failed')}`);
        item.append(verdict, el('span', 'rl-ex-sentence', sentence(result, this.#lang)));
        const hint = exercise.hints[spec.id];
        if (result.state === 'failed' && hint) {
          const hintId = `rl-ex-${exercise.id}-hint-${spec.id}`;
          const toggle = el('button', 'rl-ex-button rl-ex-hint-toggle', this.#t('check.hint.offer'));
          toggle.type = 'button';
          toggle.setAttribute('aria-expanded', 'false');
          toggle.setAttribute('aria-controls', hintId);
          const text = el('p', 'rl-ex-hint');
          text.id = hintId;
          text.hidden = true;
          text.innerHTML = inlineCode(this.#lang === 'zh-CN' ? hint.zh : hint.en);
          toggle.addEventListener('click', () => this.#showHint(toggle, text.hidden !== false));
          item.append(toggle, text);
        }
        list.append(item);
      }
      nodes.push(list);
    }
    this.#part('results').replaceChildren(...nodes);
    this.#button('hint').disabled = failed === 0;
  }

  #showHint(toggle: HTMLButtonElement, open: boolean): void {
    const text = document.getElementById(toggle.getAttribute('aria-controls') ?? '');
    if (!text) return;
    text.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  }

  /** The toolbar's Hint: opens the first failed check's hint not yet open, and moves focus to it. */
  #nextHint(): void {
    const toggles = [...this.#root.querySelectorAll<HTMLButtonElement>('.rl-ex-hint-toggle')];
    const next = toggles.find((toggle) => toggle.getAttribute('aria-expanded') !== 'true') ?? toggles[0];
    if (!next) return;
    this.#showHint(next, true);
    next.focus();
  }

  #toggleSolution(): void {
    const diff = this.#part('diff');
    const open = diff.hidden;
    diff.hidden = !open;
    const button = this.#button('solution');
    button.setAttribute('aria-expanded', String(open));
    button.textContent = this.#t(open ? 'exercise.solution.hide' : 'exercise.solution');
    if (open) this.#renderDiff();
  }

  #renderDiff(): void {
    const lines = lineDiff(this.#code, this.#exercise.solution);
    const box = this.#part('diff-lines');
    const legend = this.#part('diff-legend');
    const same = lines.every((line) => line.kind === 'same');
    legend.textContent = this.#t(same ? 'exercise.diff.same' : 'exercise.diff.legend');
    const rows = lines.map((line) => {
      const row = el('span', 'rl-ex-dl');
      row.dataset.kind = line.kind;
      const sign = el('span', 'rl-ex-sign', line.kind === 'removed' ? '−' : line.kind === 'added' ? '+' : ' ');
      sign.setAttribute('aria-hidden', 'true');
      row.append(sign);
      if (line.kind === 'same') row.append(document.createTextNode(line.text));
      else {
        row.append(el('span', 'sr-only', this.#t(line.kind === 'removed' ? 'exercise.diff.removed' : 'exercise.diff.added')));
        row.append(el(line.kind === 'removed' ? 'del' : 'ins', '', line.text));
      }
      return row;
    });
    box.replaceChildren(...rows);
  }

  async #useSolution(): Promise<void> {
    await this.#setCode(this.#exercise.solution);
    if (!this.#part('diff').hidden) this.#toggleSolution();
    this.#notice(this.#t('exercise.solution.used'));
    this.#button('check').focus();
  }

  #reset(): void {
    if (this.#code !== this.#exercise.starter && !confirm(this.#t('exercise.reset.confirm'))) return;
    this.#store.reset(this.#exercise.id);
    clearTimeout(this.#saveTimer);
    // "Reset?" in the notice goes with it: the keyboard stays in the exercise, on Reset.
    if (this.#part('restored').contains(document.activeElement)) this.#button('reset').focus();
    this.#code = this.#exercise.starter;
    this.#editor?.setCode(this.#exercise.starter);
    this.#part('restored').hidden = true;
    this.#part('results').replaceChildren();
    this.#part('output').replaceChildren();
    this.#part('output-panel').hidden = true;
    this.#part('status').textContent = '';
    delete this.#root.dataset.state;
    this.#button('hint').disabled = true;
    if (!this.#part('diff').hidden) this.#renderDiff();
    this.#notice(this.#t('exercise.reset.done'));
  }
}

/** Mounts the exercise whose root is `root`; progress goes to `store`. */
export function mountExercise(root: HTMLElement, store: ProgressStore): ExerciseController {
  return new Exercise(root, store);
}
