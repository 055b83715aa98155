/**
 * The class grid's sections of the instructor's dashboard (ClassGrid.astro, HelpQueue.astro):
 * one `GET /api/workshop/instructor/grid` per refresh fills where everyone is, the grid of
 * attendees × exercises, the most common failing checks and the help queue; the export buttons
 * download the CSV and JSON. Names, titles and code are set as text, never as HTML.
 */
import type { CellView, GridView } from '../../../server/workshop/grid.ts';
import { instructorFetch } from '../instructor.ts';
import { workshopStrings } from '../strings.ts';
import { renderHelpQueue, type ExerciseColumn } from './help-queue.ts';
import type { DashboardSection } from './sections.ts';

/** An icon per state, beside its word: the state is never told by colour alone. */
const ICONS: Record<CellView['state'], string> = { 'not-started': '·', working: '◐', passed: '✓', stuck: '⚠' };

function cell(tag: 'td' | 'th', content: string | Node): HTMLTableCellElement {
  const node = document.createElement(tag);
  node.append(content);
  return node;
}

/** Installs the grid's sections in the dashboard `root`. */
export function installClassGrid(root: HTMLElement): DashboardSection {
  const t = workshopStrings();
  const lang = document.documentElement.lang;
  const gridRoot = root.querySelector<HTMLElement>('[data-rl-class-grid]');
  const queueRoot = root.querySelector<HTMLElement>('[data-rl-help-queue]');
  if (!gridRoot) return {};
  const columns = new Map((JSON.parse(gridRoot.dataset['exercises'] ?? '[]') as ExerciseColumn[]).map((column) => [column.id, column]));
  const part = <T extends HTMLElement>(name: string) => gridRoot.querySelector(`[data-${name}]`) as T;
  const time = (ms: number) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

  function render(view: GridView): void {
    part('where').querySelector('tbody')?.replaceChildren(
      ...view.attendees.map((attendee) => {
        const row = document.createElement('tr');
        let page: string | Node = t.noPageYet;
        if (attendee.page) {
          const link = document.createElement('a');
          link.href = attendee.page.path;
          link.textContent = attendee.page.title || attendee.page.path;
          page = link;
        }
        row.append(cell('th', attendee.name), cell('td', attendee.present ? t.yes : t.no), cell('td', page), cell('td', attendee.page ? time(attendee.page.at) : ''));
        row.firstElementChild?.setAttribute('scope', 'row');
        return row;
      }),
    );
    part('grid-caption').textContent = t.gridCaption(view.stuckAfter);
    part('grid').querySelector('tbody')?.replaceChildren(
      ...view.attendees.map((attendee) => {
        const row = document.createElement('tr');
        const name = cell('th', attendee.name);
        name.scope = 'row';
        row.append(name);
        for (const exercise of columns.keys()) {
          const state = attendee.cells[exercise] ?? { state: 'not-started', attempts: 0 };
          const td = cell('td', `${ICONS[state.state]} ${t.cellStates[state.state]}`);
          td.dataset['state'] = state.state;
          td.dataset['exercise'] = exercise;
          if (state.attempts > 0) {
            const attempts = document.createElement('span');
            attempts.className = 'rl-attempts';
            attempts.textContent = t.checks(state.attempts);
            td.append(attempts);
          }
          row.append(td);
        }
        return row;
      }),
    );
    part('common-none').hidden = view.common.length > 0;
    part('common').replaceChildren(
      ...view.common.map((entry) => {
        const column = columns.get(entry.exercise);
        const item = document.createElement('li');
        item.dataset['check'] = `${entry.exercise}/${entry.check}`;
        const exercise = document.createElement('a');
        exercise.href = column?.href ?? '#';
        exercise.textContent = column?.title ?? entry.exercise;
        const count = document.createElement('span');
        count.className = 'rl-count';
        count.textContent = t.commonCount(entry.attendees, entry.failures);
        const check = document.createElement('strong');
        check.textContent = column?.checks[entry.check] ?? entry.check;
        item.append(check, t.colon, exercise, count);
        return item;
      }),
    );
    if (queueRoot) renderHelpQueue(queueRoot, view.hands, columns, t, lang, answer);
  }

  async function answer(id: string): Promise<void> {
    await instructorFetch(`hands/${encodeURIComponent(id)}/answered`, { method: 'POST' });
    refresh();
  }

  // One request at a time; a change that comes meanwhile asks once more when it is back.
  let loading = false;
  let again = false;
  function refresh(): void {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    void instructorFetch('grid')
      .then(async (res) => {
        if (res.ok) render((await res.json()) as GridView);
      })
      .catch(() => {})
      .finally(() => {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  for (const button of gridRoot.querySelectorAll<HTMLButtonElement>('[data-export]')) {
    button.addEventListener('click', async () => {
      const res = await instructorFetch(`export.${button.dataset['export']}`);
      if (!res.ok) return;
      const file = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `workshop.${button.dataset['export']}`;
      // The API wants the token in a header, which a plain link cannot send: download the answer as a blob.
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = file;
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      part('export-status').textContent = t.exported(file);
    });
  }
  refresh();
  return { refresh };
}
