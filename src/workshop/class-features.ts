/**
 * The class's attendee features, loaded together after the attendee has joined (features.ts,
 * through lazyFeature): the notices banner, follow the instructor, the solutions lock.
 */
import type { AttendeeSession } from './attendee.ts';
import { installBanner } from './banner.ts';
import { installFollow } from './follow.ts';
import { installSolutionsLock } from './solutions-lock.ts';

/** Installs the banner, follow and the solutions lock. */
export function installClassFeatures(session: AttendeeSession): void {
  installBanner(session);
  installFollow(session);
  installSolutionsLock(session);
}
