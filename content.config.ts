import { defineCollection } from 'astro:content';
import { docsLoader, i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { sandboxI18nSchema } from './src/sandbox/build/sandbox-strings.ts';
import { searchI18nSchema } from './src/lib/search-strings.ts';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }),
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema({ extend: sandboxI18nSchema.extend(searchI18nSchema.shape) }) }),
};
