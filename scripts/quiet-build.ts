/**
 * Keeps `astro build` to what matters: the two sources of a first start's several hundred lines
 * of noise, handled at their cause. astro.config.mjs uses both.
 */
import type { AstroIntegration } from 'astro';

interface BundlerWarning {
  code?: string;
  message: string;
}

/**
 * The bundler's warning handler (vite.build.rolldownOptions.onwarn). Astro marks its own
 * modules with a `"use astro:head-inject"` directive, and the bundler warns, with a code frame,
 * once per page, that it may not preserve it: noise about Astro's internals that buries the
 * build's real output. Every other warning is shown.
 */
export function onBundlerWarning(warning: BundlerWarning, warn: (warning: BundlerWarning) => void): void {
  if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('"use astro:')) return;
  warn(warning);
}

/**
 * No sitemap. A workshop server has no public URL to list pages under, so `site` is not set;
 * Starlight adds @astrojs/sitemap unless an integration of that name is present, and that one
 * only warns without `site`. This stand-in takes its place and does nothing.
 */
export const noSitemap: AstroIntegration = { name: '@astrojs/sitemap', hooks: {} };
