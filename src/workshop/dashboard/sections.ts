/**
 * The instructor dashboard's sections, each a module that fills its own part of the page
 * (`root` is WorkshopInstructor.astro's section) and calls the API with `instructorFetch`.
 * Installed once the token is accepted; `refresh` runs at each change of the workshop's state.
 * Add a section by adding its install function here.
 */
import { installControlWire } from './control-wire.ts';
import { installPingRoom } from './ping-room.ts';
import { installClassActions } from './class-actions.ts';
import { installClassGrid } from './grid.ts';
import { installClassFaults } from './class-faults.ts';

/** What a section returns when installed. */
export interface DashboardSection {
  /** Reads the section's data again (the workshop's state changed). */
  refresh?(): void;
}

const SECTIONS: ((root: HTMLElement) => DashboardSection)[] = [];
// control: ping the room, the control channel on the wire.
SECTIONS.push(installPingRoom, installControlWire);
// class: send a notice, move everyone, lock or reveal solutions (src/components/workshop/ClassActions.astro).
SECTIONS.push(installClassActions);
// grid: the attendees, the class grid, the common failing checks, the help queue, export.
SECTIONS.push(installClassGrid);
// ops: a fault on every attendee's runs.
SECTIONS.push(installClassFaults);

/** Installs every section of the dashboard. */
export function installSections(root: HTMLElement): DashboardSection[] {
  return SECTIONS.map((install) => install(root));
}
