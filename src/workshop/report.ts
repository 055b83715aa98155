/**
 * What an attendee's page tells the instructor (workshop mode's class grid): the page it opened,
 * each exercise Check's verdict (the `rl-exercise-checked` event of src/exercises/page/exercise.ts:
 * the state and the ids of the checks that failed, never the code), and a "Raise hand" button
 * under each exercise, which sends the code of that exercise's last Check and its failing checks.
 * An attendee has one hand: raising it on another exercise moves it there.
 */
import type { ExerciseCheckedDetail } from '../exercises/page/exercise.ts';
import type { AttendeeSession } from './attendee.ts';
import { workshopStrings } from './strings.ts';

/** The hand as the server answers it. */
interface Hand {
  id: string;
  exercise: string | null;
}

/** What the server caps a title at (server/workshop/grid.ts, PAGE_TITLE_MAX_CHARS). */
const TITLE_MAX_CHARS = 200;

const STYLE = `
.rl-ws-hand{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin-block-start:.5rem;font-size:var(--sl-text-sm,.875rem)}
.rl-ws-hand button{font:inherit;padding:.25rem .7rem;border-radius:.25rem;border:1px solid var(--sl-color-accent,#36c);background:transparent;color:inherit;cursor:pointer}
.rl-ws-hand button[aria-pressed=true]{border-color:var(--sl-color-accent-high,#36c);background:var(--sl-color-accent-high,#36c);color:var(--sl-color-black,#fff);font-weight:600}
.rl-ws-hand p{margin:0}`;

interface Control {
  exercise: string;
  root: HTMLElement;
  button: HTMLButtonElement;
  status: HTMLElement;
}

/** Installs the reports and the Raise hand buttons for this page's attendee. */
export function installReports(session: AttendeeSession): void {
  const t = workshopStrings();
  const lastCheck = new Map<string, ExerciseCheckedDetail>();
  let hand: Hand | null = null;
  const controls: Control[] = [];

  /** Each button says what it does now; `said` puts a sentence under one exercise. */
  function render(said?: { exercise: string | null; text: string }): void {
    for (const control of controls) {
      const up = hand?.exercise === control.exercise;
      control.button.textContent = up ? t.lowerHand : t.raiseHand;
      control.button.setAttribute('aria-pressed', String(up));
      if (said && said.exercise === control.exercise) control.status.textContent = said.text;
      else if (!up) control.status.textContent = '';
    }
  }

  async function raise(control: Control): Promise<void> {
    if (hand?.exercise === control.exercise) {
      const res = await fetch(`/api/workshop/attendees/${session.id}/hand`, { method: 'DELETE' });
      if (res.ok) {
        hand = null;
        render({ exercise: control.exercise, text: t.handLowered });
      }
      return;
    }
    const checked = lastCheck.get(control.exercise);
    const starter = (JSON.parse(control.root.dataset['exercise'] ?? '{}') as { starter?: string }).starter ?? '';
    const res = await session.post('hand', {
      exercise: control.exercise,
      code: checked?.code ?? starter,
      failing: checked ? checked.checks.filter((check) => !check.passed).map((check) => check.id) : [],
      page: location.pathname,
    });
    const body = (await res.json().catch(() => ({}))) as { hand?: Hand; error?: { message: string } };
    if (!res.ok || !body.hand) {
      render({ exercise: control.exercise, text: t.handFailed(body.error?.message ?? `HTTP ${res.status}`) });
      return;
    }
    hand = body.hand;
    render({ exercise: control.exercise, text: checked ? t.handUp : t.handUpNoCheck });
  }

  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
  for (const root of document.querySelectorAll<HTMLElement>('[data-rl-exercise][data-id]')) {
    const group = document.createElement('div');
    group.className = 'rl-ws-hand';
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', t.handGroup);
    group.dataset['rlWorkshopHand'] = '';
    const button = document.createElement('button');
    button.type = 'button';
    const status = document.createElement('p');
    status.setAttribute('role', 'status');
    group.append(button, status);
    root.querySelector('.rl-ex-bar')?.after(group);
    const control: Control = { exercise: root.dataset['id'] as string, root, button, status };
    button.addEventListener('click', () => void raise(control).catch((error: unknown) => render({ exercise: control.exercise, text: t.handFailed(String(error)) })));
    controls.push(control);
  }
  render();

  document.addEventListener('rl-exercise-checked', (event) => {
    const detail = (event as CustomEvent<ExerciseCheckedDetail>).detail;
    lastCheck.set(detail.exercise, detail);
    void session.post('results', { exercise: detail.exercise, state: detail.state, failing: detail.checks.filter((check) => !check.passed).map((check) => check.id) }).catch(() => {});
  });
  session.on('hand-answered', (data) => {
    if (!hand || (data as { hand?: unknown }).hand !== hand.id) return;
    const exercise = hand.exercise;
    hand = null;
    render({ exercise, text: t.handAnswered });
  });
  // Where this attendee is, said at each welcome of the control stream (the attendee has joined
  // by then, and says it again after a restart); the answer says whether its hand is still up.
  // This module loads on its own: the first welcome may have come before it, so it reports at once too
  // (a 404 then only means the welcome is still to come).
  const title = [...document.title].slice(0, TITLE_MAX_CHARS).join('');
  const reportPage = () => {
    void session
      .post('page', { path: location.pathname, title })
      .then(async (res) => {
        if (!res.ok) return;
        hand = ((await res.json()) as { hand: Hand | null }).hand;
        render();
      })
      .catch(() => {});
  };
  session.on('welcome', reportPage);
  reportPage();
}
