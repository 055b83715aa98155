// Starlight's types for Astro.locals (t, starlightRoute), which components use.
import type {} from '@astrojs/starlight';
