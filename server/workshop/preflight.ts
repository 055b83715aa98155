/**
 * The pre-flight report printed when a workshop starts: can attendees reach this machine, and
 * can it hold the connections a class needs? Each problem says what to do about it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Connections one attendee may hold: 3 open sandboxes of about 3 connections each, and the control stream. */
export const CONNECTIONS_PER_SEAT = 3 * 3 + 1;
/** Open files the server needs besides the class: its own files, the projector, the instructor, the site. */
export const OPEN_FILES_MARGIN = 100;

/** Open files a class of `seats` attendees needs. */
export function openFilesNeeded(seats: number): number {
  return seats * CONNECTIONS_PER_SEAT + OPEN_FILES_MARGIN;
}

/**
 * This process's soft limit of open files (`ulimit -n`), or undefined if it cannot be read.
 * Node has no getrlimit: Linux shows it in /proc/self/limits; elsewhere a shell is asked.
 */
export function readOpenFileLimit(): number | undefined {
  try {
    // "Max open files            1024                 1048576              files"
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (match) return match[1] === 'unlimited' ? Infinity : Number(match[1]);
  } catch {
    // Not Linux: ask a shell, whose limit is the one this process inherited.
  }
  const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 });
  const text = result.stdout?.trim() ?? '';
  if (text === 'unlimited') return Infinity;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** What the report is made from, gathered by main.ts (or given by a test). */
export interface PreflightFacts {
  port: number;
  /** The URLs attendees can open, on addresses other than loopback. */
  attendeeUrls: readonly string[];
  /** The soft limit of open files, or undefined when it could not be read. */
  openFileLimit: number | undefined;
  seats: number;
  /** REDIS_URL, or empty. */
  redisUrl: string;
  /** Where the workshop's state is kept, and what its load found (store.ts). */
  state?: { where: string; attendees: number; parts: readonly string[]; problem?: string };
}

/** The report, one line per check: `ok` or `!!` first, then what was found and what to do. */
export function preflightReport(facts: PreflightFacts): string[] {
  const lines = ['Pre-flight:', `  ok  port ${facts.port} is free: the server is listening on it`];
  if (facts.attendeeUrls.length === 0) {
    lines.push('  !!  only this machine can connect (loopback): attendees cannot reach it.', '      Start with --host 0.0.0.0 and join the room\'s network (Wi-Fi or cable).');
  } else {
    lines.push(`  ok  attendees can reach ${facts.attendeeUrls.length === 1 ? 'one address' : `${facts.attendeeUrls.length} addresses`} of this machine (check that the room's network lets them through)`);
  }
  const needed = openFilesNeeded(facts.seats);
  const seats = `${facts.seats} attendees (WORKSHOP_SEATS) x ${CONNECTIONS_PER_SEAT} connections + ${OPEN_FILES_MARGIN}`;
  if (facts.openFileLimit === undefined) {
    lines.push(`  !!  the open-file limit could not be read; ${seats} need ${needed}. Check with: ulimit -n`);
  } else if (facts.openFileLimit < needed) {
    lines.push(
      `  !!  the open-file limit is ${facts.openFileLimit}, but ${seats} need ${needed}.`,
      `      Stop the server, raise it in this shell with: ulimit -n ${Math.max(needed, 4096)}   then start again.`,
    );
  } else {
    lines.push(`  ok  open-file limit ${facts.openFileLimit === Infinity ? 'unlimited' : facts.openFileLimit}: enough for ${seats} = ${needed}`);
  }
  if (facts.state) lines.push(...stateLines(facts.state));
  lines.push(facts.redisUrl ? `  ok  Redis is used (${new URL(facts.redisUrl).host}): it must stay reachable for the whole workshop` : '  ok  no Redis: the channel log is in this process\'s memory');
  return lines;
}

/** The report's lines on the saved state: where it is kept, what came back, and what was wrong. */
function stateLines(state: NonNullable<PreflightFacts['state']>): string[] {
  const back = state.attendees > 0 ? `; ${state.attendees} attendee${state.attendees === 1 ? '' : 's'} came back from the last run${state.parts.length > 0 ? ` with ${state.parts.join(', ')}` : ''}` : '';
  if (state.problem) return [`  !!  ${state.problem}.`, `      The state is saved to ${state.where} from now on.`];
  return [`  ok  the workshop's state is saved to ${state.where}: a restart loses nothing${back}`];
}
