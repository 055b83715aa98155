/**
 * The attendee's features in workshop mode, each a module that gets the AttendeeSession once
 * the attendee has joined: it listens to control events (`session.on`) and sends up
 * (`session.post`). Add a feature by adding its install function here.
 */
import type { AttendeeSession } from './attendee.ts';
import { installFaultNotice } from './fault-notice.ts';

const FEATURES: ((session: AttendeeSession) => void)[] = [
  installFaultNotice,
];

/** Installs every feature for this page's attendee. */
export function installFeatures(session: AttendeeSession): void {
  for (const install of FEATURES) install(session);
}
