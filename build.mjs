// Bundles the k6 scenarios (scenarios/*.ts -> dist/<name>.js) and the Node CLI
// (cli/main.ts -> dist/node/media-toolkit.js) with esbuild.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const quiet = process.argv.includes('--quiet');

const scenarioEntries = readdirSync(join(root, 'scenarios'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(root, 'scenarios', f));

// k6 runs ES modules in its own runtime: k6 built-ins and remote modules stay
// external, everything else (common/, scenarios/lib/, papaparse) is inlined.
await build({
  entryPoints: scenarioEntries,
  outdir: join(root, 'dist'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2020',
  mainFields: ['module', 'main'],
  sourcemap: true,
  external: ['k6', 'k6/*', 'https://*', 'http://*'],
  logLevel: quiet ? 'error' : 'warning',
});

// The CLI keeps its npm dependencies external: they are installed beside it.
await build({
  entryPoints: [join(root, 'cli', 'main.ts')],
  outfile: join(root, 'dist', 'node', 'media-toolkit.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: quiet ? 'error' : 'warning',
});

if (!quiet) console.log(`built ${scenarioEntries.length} scenario bundle(s) into dist/ and the CLI into dist/node/`);
