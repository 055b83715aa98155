/**
 * Turns on Node's compile cache before any TypeScript file loads:
 *
 *   node --import ./scripts/compile-cache.mjs server/main.ts
 *
 * Node strips the types of each .ts file with a WebAssembly compiler that, once loaded, stays in
 * memory (about 15 MB of RSS), and then compiles the result. With the cache on, a start whose
 * files have not changed takes both the stripped and the compiled code from disk, and never
 * loads the stripper: the server starts at about 78 MB of RSS instead of 106 MB (`npm run
 * bench`). server/main.ts turns the cache on too, but it is TypeScript itself, so only a file
 * loaded before it can spare the stripper: hence plain JavaScript here, as TypeScript's own
 * `tsc` does. The cache lives in os.tmpdir() unless NODE_COMPILE_CACHE names a folder;
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off. It is keyed by each file's content, so an edited
 * file is stripped and compiled again, and a cache that cannot be written changes nothing but
 * the memory.
 */
import module from 'node:module';

module.enableCompileCache();
