/**
 * The attendee's side of a class fault: when the instructor faults every run (`event: fault`
 * on the control stream, server/workshop/class-faults.ts), a notice at the top of the page says
 * what happened, in the page's language, so the attendee looks at their sandbox's wire view.
 */
import type { AttendeeSession } from './attendee.ts';
import { workshopStrings } from './strings.ts';

/** The `fault` control event's data, as the server sends it. */
interface FaultEvent {
  fault: 'drop' | 'restart' | 'latency' | 'refuseReconnects' | 'clear';
  ms?: number;
  status?: number;
  count?: number;
  at: number;
  runs: number;
}

const STYLE = `
.rl-fault-notice{position:fixed;inset-block-start:4.5rem;inset-inline:50% auto;transform:translateX(-50%);z-index:101;
max-inline-size:min(40rem,calc(100vw - 1.5rem));display:flex;gap:.75rem;align-items:center;padding:.5rem .75rem;border-radius:.5rem;
background:var(--sl-color-orange-low,#fff3e0);color:var(--sl-color-white,#000);border:1px solid var(--sl-color-orange,#c60);
box-shadow:0 2px 8px rgb(0 0 0/.25);font-size:var(--sl-text-sm,.875rem)}
.rl-fault-notice[hidden]{display:none}
[dir=rtl] .rl-fault-notice{transform:translateX(50%)}
.rl-fault-notice p{margin:0}
.rl-fault-notice button{font:inherit;padding:.2rem .6rem;border-radius:.25rem;border:1px solid currentColor;background:transparent;color:inherit;cursor:pointer}`;

/** The sentence for a class fault, in the page's language. */
export function faultSentence(event: FaultEvent, t = workshopStrings()): string | undefined {
  switch (event.fault) {
    case 'drop':
    case 'restart':
    case 'clear':
      return t.classFault[event.fault];
    case 'latency':
      return t.classFault.latency(event.ms ?? 0);
    case 'refuseReconnects':
      return t.classFault.refuseReconnects(event.status ?? 503, event.count ?? 1);
    default:
      return undefined;
  }
}

/** Installs the fault notice for this page's attendee: hidden until the first class fault. */
export function installFaultNotice(session: AttendeeSession): void {
  const t = workshopStrings();
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
  const box = document.createElement('div');
  box.className = 'rl-fault-notice not-content';
  box.dataset['rlFaultNotice'] = '';
  box.hidden = true;
  // A status, there from the start so that its changes are read out, without taking the focus
  // from the attendee's code.
  const text = document.createElement('p');
  text.setAttribute('role', 'status');
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.textContent = t.classFaultDismiss;
  dismiss.addEventListener('click', () => (box.hidden = true));
  box.append(text, dismiss);
  document.body.append(box);
  session.on('fault', (data) => {
    const sentence = faultSentence(data as FaultEvent, t);
    if (sentence === undefined) return;
    text.textContent = sentence;
    box.hidden = false;
  });
}
