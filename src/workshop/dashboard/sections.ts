/**
 * The instructor dashboard's sections, each a module that fills its own part of the page
 * (`root` is WorkshopInstructor.astro's section) and calls the API with `instructorFetch`.
 * Installed once the token is accepted; `refresh` runs at each change of the workshop's state.
 * Add a section by adding its install function here.
 */
import { installClassFaults } from './class-faults.ts';

/** What a section returns when installed. */
export interface DashboardSection {
  /** Reads the section's data again (the workshop's state changed). */
  refresh?(): void;
}

const SECTIONS: ((root: HTMLElement) => DashboardSection)[] = [
  installClassFaults,
];

/** Installs every section of the dashboard. */
export function installSections(root: HTMLElement): DashboardSection[] {
  return SECTIONS.map((install) => install(root));
}
