/**
 * Adds a stylesheet to the page, for CSS that must load with a chunk loaded on demand. Astro puts
 * the CSS that any script of a page imports into the page itself, dynamic imports included
 * (withastro/astro#9495), so such a chunk imports its CSS as text (`./x.css?inline`, minified by
 * Vite) and adds it here when it loads.
 */
export function addStyle(css: string): void {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
}
