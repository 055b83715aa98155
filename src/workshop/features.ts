/**
 * The attendee's features in workshop mode, each a module that gets the AttendeeSession once
 * the attendee has joined: it listens to control events (`session.on`) and sends up
 * (`session.post`). Add a feature by adding its install function here.
 */
import type { AttendeeSession } from './attendee.ts';
import { lazyFeature } from './lazy-feature.ts';
import { installPingAnswer } from './ping-answer.ts';

const FEATURES: ((session: AttendeeSession) => void)[] = [];
// control: answer the instructor's pings at once (src/workshop/ping-answer.ts).
FEATURES.push(installPingAnswer);

// class: the notices banner, follow the instructor, the solutions lock (loaded once joined; src/workshop/class-features.ts).
FEATURES.push(lazyFeature(['notice', 'move', 'solutions', 'state'], () => import('./class-features.ts').then((module) => module.installClassFeatures)));
// grid: the page and Check reports and Raise hand, in a chunk of their own loaded once the attendee
// has joined (the page's JS budget counts what loads before any interaction).
const installReports = (session: AttendeeSession) => void import('./report.ts').then((module) => module.installReports(session));
FEATURES.push(installReports);
// ops: the notice of a fault the instructor set on everyone's runs (loaded once joined).
FEATURES.push(lazyFeature(['fault'], () => import('./fault-notice.ts').then((module) => module.installFaultNotice)));

/** Installs every feature for this page's attendee. */
export function installFeatures(session: AttendeeSession): void {
  for (const install of FEATURES) install(session);
}
