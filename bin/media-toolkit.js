#!/usr/bin/env node
// Thin launcher: the CLI is bundled by build.mjs (run by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/node/media-toolkit.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('media-toolkit: the CLI is not built yet; run `npm run build` in the project folder\n');
  process.exit(1);
}
await import(bundle);
