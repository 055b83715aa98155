/**
 * Stands in for `@pagefind/default-ui` (aliased in astro.config.mjs). Starlight's search box
 * imports Pagefind's UI, about 26 KB gzip, as soon as the page is idle; a lesson page may ship
 * only 20 KB of JavaScript before the reader interacts. This class takes the same options and
 * loads the real UI when the search dialog opens. It loads with the page itself
 * (src/components/starlight/Search.astro), so Starlight's one import of it needs no request.
 * A load of the real UI that fails (a dropped connection, a server restarting) says so in the
 * dialog, in the page's language, and is tried again once after RETRY_AFTER_MS and on every
 * later opening, until the UI is built.
 */
type PagefindOptions = Record<string, unknown> & { element: string; translations?: Record<string, string> };

/** Wait before the one automatic retry of a failed load, while the dialog stays open. */
const RETRY_AFTER_MS = 1500;
/** Said when `pagefind.load_failed` is missing from the page's strings (content/i18n/). */
const LOAD_FAILED = 'Search could not be loaded. Close it and open it again to retry, or reload the page.';

export class PagefindUI {
  constructor(options: PagefindOptions) {
    const container = document.querySelector(options.element);
    const dialog = container?.closest('dialog');
    let loading = false;
    let built = false;
    let retried = false;
    let failure: HTMLElement | undefined;
    let observer: MutationObserver | undefined;

    const showFailure = (): void => {
      if (!container || failure) return;
      failure = document.createElement('p');
      failure.setAttribute('role', 'alert');
      failure.textContent = options.translations?.['load_failed'] ?? LOAD_FAILED;
      container.append(failure);
    };
    const load = (): void => {
      if (built || loading) return;
      loading = true;
      import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs').then(
        ({ PagefindUI: RealPagefindUI }) => {
          built = true;
          observer?.disconnect();
          failure?.remove();
          // The dialog is open already: put the reader in the search field the UI creates.
          new RealPagefindUI({ ...options, autofocus: true });
        },
        () => {
          loading = false;
          showFailure();
          if (retried) return;
          retried = true;
          setTimeout(() => {
            if (!dialog || dialog.open) load();
          }, RETRY_AFTER_MS);
        },
      );
    };

    // Without a dialog, at once; else now if it is open, and each time it opens until the UI is built.
    if (dialog) {
      observer = new MutationObserver(() => {
        if (dialog.open) load();
      });
      observer.observe(dialog, { attributes: true, attributeFilter: ['open'] });
    }
    if (!dialog || dialog.open) load();
  }
}
