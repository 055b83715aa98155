/**
 * Keeps keyboard focus inside a sandbox's toolbar. Stop is disabled once a run ends, whether the
 * reader pressed it or the run finished; a focused button that becomes disabled drops focus to
 * the top of the page, so focus moves to Run instead. Loaded with the page, like init.ts.
 */
for (const root of document.querySelectorAll<HTMLElement>('[data-rl-sandbox]')) {
  const stop = root.querySelector<HTMLButtonElement>('button[data-action="stop"]');
  const run = root.querySelector<HTMLButtonElement>('button[data-action="run"]');
  if (!stop || !run) continue;
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
