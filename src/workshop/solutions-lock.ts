/**
 * The solutions lock, the attendee feature: tells the page whether the instructor has locked
 * the exercises' solutions, with a page-level signal that the exercises read without importing
 * workshop code: `<html data-rl-solutions="locked|open">`, then an `rl-solutions` event on
 * document (src/exercises/page/init.ts disables Show solution and Replace my code, saying why).
 */
import type { AttendeeSession } from './attendee.ts';
import type { ClassSnapshot } from '../../server/workshop/class-state.ts';

/** Sets the page's signal from `{ locked }`, and fires `rl-solutions` when it changed. */
function signal(value: unknown): void {
  const locked = (value as { locked?: unknown } | null | undefined)?.locked;
  if (typeof locked !== 'boolean') return;
  const state = locked ? 'locked' : 'open';
  if (document.documentElement.dataset['rlSolutions'] === state) return;
  document.documentElement.dataset['rlSolutions'] = state;
  document.dispatchEvent(new CustomEvent('rl-solutions', { detail: { locked } }));
}

/** The attendee feature: follows `solutions` events and the `state` each page starts with. */
export function installSolutionsLock(session: AttendeeSession): void {
  session.on('solutions', signal);
  session.on('state', (data) => signal((data as Partial<ClassSnapshot> | null)?.solutions));
}
