/**
 * Whether this page is an attendee's page in a workshop: then the companion server is the host's
 * laptop, and a server that does not answer is for the instructor to fix, not for the reader to
 * start with npm start. Read from the page alone, with no request: it runs before any Run.
 * The sandbox, the exercises, the lab and the home page's hero all ask it.
 */

/** The key under which the attendee's part keeps who joined (src/workshop/attendee.ts ATTENDEE_STORAGE_KEY). */
export const ATTENDEE_STORAGE_KEY = 'realtime-lab:workshop-attendee';

/**
 * Whether a host name is this machine: `localhost` (and its subdomains), 127.0.0.0/8 or ::1.
 * `location.hostname` writes IPv6 in brackets.
 */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name) || name === '::1' || name === '0:0:0:0:0:0:0:1';
}

/**
 * True when the reader joined a workshop in this browser, or the page came from a host that is
 * not this machine (a laptop at the front of the room). localStorage can throw (storage
 * disabled): that says nothing about a workshop.
 */
export function inWorkshop(hostname = location.hostname): boolean {
  if (!isLoopbackHost(hostname)) return true;
  try {
    return localStorage.getItem(ATTENDEE_STORAGE_KEY) !== null;
  } catch {
    return false;
  }
}
