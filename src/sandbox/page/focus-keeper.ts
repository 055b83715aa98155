/**
 * Keeps the keyboard's way through a sandbox open. Loaded with the page, like init.ts.
 * - Stop is disabled once a run ends, whether the reader pressed it or the run finished; a
 *   focused button that becomes disabled drops focus to the top of the page, so focus moves to
 *   Run instead.
 * - The code is the keyboard's way into the editor (init.ts makes it focusable). Expressive
 *   Code's script takes `tabindex` off code blocks that do not scroll, once the page is idle;
 *   on a sandbox's code it is put back.
 */
for (const root of document.querySelectorAll<HTMLElement>('[data-rl-sandbox]')) {
  const stop = root.querySelector<HTMLButtonElement>('button[data-action="stop"]');
  const run = root.querySelector<HTMLButtonElement>('button[data-action="run"]');
  if (stop && run) {
    let stopHadFocus = false;
    stop.addEventListener('focus', () => (stopHadFocus = true));
    // A blur caused by disabling leaves focus on <body>; a blur to another control is the reader's.
    stop.addEventListener('blur', (event) => (stopHadFocus = !event.relatedTarget && stop.disabled));
    new MutationObserver(() => {
      if (!stop.disabled || !stopHadFocus) return;
      const lost = document.activeElement === stop || document.activeElement === document.body || document.activeElement === null;
      stopHadFocus = false;
      if (lost) run.focus();
    }).observe(stop, { attributes: true, attributeFilter: ['disabled'] });
  }

  const code = root.querySelector<HTMLElement>('[data-code-host] pre');
  if (code) {
    new MutationObserver(() => {
      if (code.isConnected && !code.hasAttribute('tabindex')) code.tabIndex = 0;
    }).observe(code, { attributes: true, attributeFilter: ['tabindex'] });
  }
}
