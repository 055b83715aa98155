/**
 * What a workshop start prints: the attendee URLs with their QR codes, the instructor link
 * (the one place the token is ever written) and the pre-flight report.
 */
import { preflightReport, type PreflightFacts } from './preflight.ts';
import { terminalQr } from './qr.ts';

/**
 * The instructor page's link. The server answers it with a cookie and a redirect to the page
 * without the query (instructor-page.ts), so the token stays neither in the address bar nor in
 * the history; it is never logged.
 */
export function instructorUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, '')}/workshop/instructor/?token=${token}`;
}

/** The lines printed at a workshop start, before the usual "Open http://..." line. */
export function workshopStartText(facts: PreflightFacts & { localUrl: string; token: string }): string {
  const lines = ['', 'Workshop mode.'];
  if (facts.attendeeUrls.length > 0) {
    lines.push('  Attendees open (or scan):');
    for (const url of facts.attendeeUrls) lines.push('', `    ${url}`, terminalQr(url).replace(/^/gm, '    '));
  } else {
    lines.push(`  Attendees open: ${facts.localUrl}  (this machine only: see the pre-flight report)`);
  }
  lines.push(
    '',
    `  Projector page: ${(facts.attendeeUrls[0] ?? facts.localUrl).replace(/\/$/, '')}/workshop/`,
    '  Instructor (keep this link to yourself; a new one at each start unless WORKSHOP_TOKEN is set):',
    `    ${instructorUrl(facts.attendeeUrls[0] ?? facts.localUrl, facts.token)}`,
    '',
    ...preflightReport(facts),
  );
  return lines.join('\n');
}
