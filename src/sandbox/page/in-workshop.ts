/**
 * Whether this page is an attendee's page in a workshop: then the companion server is the host's
 * laptop, and a server that does not answer is for the instructor to fix, not for the reader to
 * start with npm start. Read from storage alone, with no request: it runs before any Run.
 * The sandbox, the exercises, the lab and the home page's hero all ask it.
 */

/**
 * The key src/workshop/loader.ts sets on every page load while the server says workshop mode is
 * on, and removes when it says off: the last answer this origin gave.
 */
export const WORKSHOP_SEEN_KEY = 'realtime-lab:workshop-seen';

/**
 * True when the server that served this page was last seen in workshop mode: the reader is an
 * attendee (joined or not), and the server is the host's laptop. Not the host name: a public
 * deployment is reached from another machine too, and its readers have no instructor.
 * localStorage can throw (storage disabled): that says nothing about a workshop.
 */
export function inWorkshop(): boolean {
  try {
    return localStorage.getItem(WORKSHOP_SEEN_KEY) !== null;
  } catch {
    return false;
  }
}
