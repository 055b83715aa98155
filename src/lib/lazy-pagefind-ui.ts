/**
 * Stands in for `@pagefind/default-ui` (aliased in astro.config.mjs). Starlight's search box
 * imports Pagefind's UI, about 26 KB gzip, as soon as the page is idle; a lesson page may ship
 * only 20 KB of JavaScript before the reader interacts. This class takes the same options and
 * loads the real UI when the search dialog first opens.
 */
type PagefindOptions = Record<string, unknown> & { element: string };

export class PagefindUI {
  constructor(options: PagefindOptions) {
    const dialog = document.querySelector(options.element)?.closest('dialog');
    // Called once: at once without a dialog, else when the dialog first opens.
    const load = (): void => {
      void import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs').then(({ PagefindUI: RealPagefindUI }) => {
        // The dialog is open already: put the reader in the search field the UI creates.
        new RealPagefindUI({ ...options, autofocus: true });
      });
    };
    if (!dialog) {
      load();
      return;
    }
    if (dialog.open) load();
    else new MutationObserver((_, observer) => {
      if (!dialog.open) return;
      observer.disconnect();
      load();
    }).observe(dialog, { attributes: true, attributeFilter: ['open'] });
  }
}
