// Large CommonJS dependencies (papaparse, yaml) load on first use: a command
// that never reads CSV or a config file does not carry them in memory (~20 MB).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Returns a getter that requires the module the first time it is called. */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}
