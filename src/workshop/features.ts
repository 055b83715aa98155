/**
 * The attendee's features in workshop mode, each a module that gets the AttendeeSession once
 * the attendee has joined: it listens to control events (`session.on`) and sends up
 * (`session.post`). Add a feature by adding its install function here.
 */
import type { AttendeeSession } from './attendee.ts';

// grid: the page and Check reports and Raise hand, in a chunk of their own loaded once the attendee
// has joined (the page's JS budget counts what loads before any interaction).
const installReports = (session: AttendeeSession) => void import('./report.ts').then((module) => module.installReports(session));

const FEATURES: ((session: AttendeeSession) => void)[] = [installReports];

/** Installs every feature for this page's attendee. */
export function installFeatures(session: AttendeeSession): void {
  for (const install of FEATURES) install(session);
}
