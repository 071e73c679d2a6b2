#!/usr/bin/env node
// Thin launcher: the CLI is bundled by build.mjs into dist/ (`npm run build`, also run by
// `npm ci` in a checkout and by `npm pack` before a package is made; a package ships it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/node/media-toolkit.js', import.meta.url));
if (!existsSync(bundle)) {
  const checkout = existsSync(fileURLToPath(new URL('../build.mjs', import.meta.url)));
  process.stderr.write(
    checkout
      ? 'media-toolkit: the CLI is not built yet: run `npm run build` (or `npm ci`) in the project folder\n'
      : `media-toolkit: error: this installation has no ${bundle}: reinstall media-toolkit from a published package or a tarball made by \`npm pack\`\n`,
  );
  process.exit(1);
}
await import(bundle);
