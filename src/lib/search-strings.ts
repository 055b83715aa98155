/**
 * The site's own string for the search dialog, beside Pagefind's: Starlight hands every
 * `pagefind.*` key of the page's language to the search UI (src/lib/lazy-pagefind-ui.ts reads
 * this one; Pagefind ignores keys it does not know). content.config.ts adds it to the schema.
 */
import { z } from 'astro/zod';

/** The additive schema for Starlight's i18n collection. */
export const searchI18nSchema = z.object({
  'pagefind.load_failed': z.string().optional().describe('Shown in the search dialog when its UI could not be loaded: reopening the dialog or reloading the page tries again.'),
});
