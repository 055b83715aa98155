/**
 * The help queue on the instructor's dashboard (HelpQueue.astro): the raised hands in the order
 * they were raised, each a list item kept while the hand is up (so that a refresh does not take
 * the keyboard's focus away), with "Mark answered". Names and code are plain text.
 */
import type { HandView } from '../../../server/workshop/grid.ts';
import type { WorkshopStrings } from '../strings.ts';

/** What the queue shows of each exercise: its title, link and check titles (ClassGrid.astro). */
export interface ExerciseColumn {
  id: string;
  title: string;
  href: string;
  checks: Record<string, string>;
}

function text<K extends keyof HTMLElementTagNameMap>(tag: K, content: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = content;
  return node;
}

/** Renders the queue into `root` ([data-rl-help-queue]); `answer` marks a hand answered. */
export function renderHelpQueue(root: HTMLElement, hands: HandView[], columns: Map<string, ExerciseColumn>, t: WorkshopStrings, lang: string, answer: (id: string) => Promise<void>): void {
  const list = root.querySelector('[data-queue]') as HTMLOListElement;
  (root.querySelector('[data-queue-empty]') as HTMLElement).hidden = hands.length > 0;
  (root.querySelector('[data-queue-count]') as HTMLElement).textContent = hands.length > 0 ? `(${hands.length})` : '';
  const kept = new Map([...list.children].map((item) => [(item as HTMLElement).dataset['hand'], item as HTMLLIElement]));
  const items = hands.map((hand) => {
    const signature = JSON.stringify(hand);
    const old = kept.get(hand.id);
    if (old && old.dataset['signature'] === signature) return old;
    const item = document.createElement('li');
    item.dataset['hand'] = hand.id;
    item.dataset['signature'] = signature;
    const column = hand.exercise ? columns.get(hand.exercise) : undefined;
    const head = document.createElement('p');
    const page = text('a', hand.page);
    page.href = hand.page;
    const exercise = column ? text('a', column.title) : text('span', t.queueNoExercise);
    if (column && exercise instanceof HTMLAnchorElement) exercise.href = column.href;
    const time = new Date(hand.raisedAt).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
    head.append(text('strong', hand.name), ' · ', page, ' · ', exercise, ' · ', t.queueRaised(time));
    item.append(head);
    if (hand.failing.length > 0) item.append(text('p', t.queueFailing + hand.failing.map((id) => column?.checks[id] ?? id).join('; ')));
    const code = text('pre', hand.code);
    code.tabIndex = 0;
    code.setAttribute('role', 'region');
    code.setAttribute('aria-label', `${t.queueCode}: ${hand.name}`);
    const done = text('button', t.queueAnswer(hand.name));
    done.type = 'button';
    done.addEventListener('click', () => {
      done.disabled = true;
      void answer(hand.id).finally(() => (done.disabled = false));
    });
    item.append(code, done);
    return item;
  });
  // Only what changed is touched: a hand that stays keeps its node, and the focus in it.
  items.forEach((item, index) => {
    if (list.children[index] !== item) list.insertBefore(item, list.children[index] ?? null);
  });
  while (list.children.length > items.length) list.lastElementChild?.remove();
}
