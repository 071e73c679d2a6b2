// Peak memory of listing + analysis over 1,000,000 objects.
// The listing source is synthetic: a 1M-line JSON Lines listing (as `list --format jsonl`
// writes it), generated once into .cache/. A child process runs the real CLI code path
// (`analyze --listing-file ... --format json`) and reports its peak RSS (getrusage maxRSS).
// A second child streams the same 1M objects through a synthetic in-memory source into
// the analysis, to separate parsing from analysis.
// Prints: RESULT analyze-1M-rss | <MB> MB | <150 MB | pass|fail
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.BENCH_ANALYZE_OBJECTS ?? 1_000_000);
const LIMIT_MB = 150;
const cache = join(root, '.cache');
mkdirSync(cache, { recursive: true });

spawnSync(process.execPath, ['build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });

const EXTS = ['.mp4', '.mov', '.jpg', '.png', '.webm', '.mkv', '.txt'];
// Deterministic sizes from 0 B to ~4 GiB, log-spread like a real media bucket.
function sizeOf(i) {
  const x = (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32;
  return i % 101 === 0 ? 0 : Math.floor(Math.exp(x * 22));
}

const listing = join(cache, `analyze-bench-${N}.jsonl`);
if (!existsSync(listing) || statSync(listing).size === 0) {
  process.stderr.write(`bench: writing a ${N}-object synthetic listing to ${listing}\n`);
  const tmp = `${listing}.tmp`;
  const out = createWriteStream(tmp);
  let buf = '';
  for (let i = 0; i < N; i++) {
    const key = `library/${String(i % 1000).padStart(3, '0')}/${String(Math.floor(i / 1000) % 100).padStart(2, '0')}/clip-${i}${EXTS[i % EXTS.length]}`;
    buf += `${JSON.stringify({ key, size: sizeOf(i), lastModified: '2024-01-01T00:00:00.000Z', etag: 'd41d8cd98f00b204e9800998ecf8427e' })}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise((r) => out.once('finish', r));
  const { renameSync } = await import('node:fs');
  renameSync(tmp, listing);
}

const dist = join(root, 'dist', 'node', 'media-toolkit.js');
const report = join(cache, 'analyze-bench-report.json');

// 1) The CLI path: read the listing file, analyze, write the JSON report.
const cliChild = `
const { run } = await import(${JSON.stringify(dist)});
const t = Date.now();
const code = await run(['analyze', '--listing-file', ${JSON.stringify(listing)}, '--format', 'json', '--output', ${JSON.stringify(report)}, '--no-progress', '--quiet']);
process.stdout.write(JSON.stringify({ code, maxRssKB: process.resourceUsage().maxRSS, ms: Date.now() - t }));
`;
// 2) A synthetic in-memory listing source straight into the analysis (no file, no parsing).
const syntheticChild = `
const { build } = await import(${JSON.stringify(join(root, 'node_modules', 'esbuild', 'lib', 'main.js'))});
const out = ${JSON.stringify(join(cache, 'analyze-bench-lib.mjs'))};
await build({ entryPoints: [${JSON.stringify(join(root, 'prep', 'analyze', 'index.ts'))}], outfile: out, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'error' });
const { analyzeListing } = await import(out);
const EXTS = ${JSON.stringify(EXTS)};
${sizeOf.toString()}
async function* source() {
  for (let i = 0; i < ${N}; i++) yield { key: 'library/' + (i % 1000) + '/clip-' + i + EXTS[i % EXTS.length], size: sizeOf(i), lastModified: '', etag: '' };
}
const t = Date.now();
const r = await analyzeListing(source(), { sizeThresholdMiB: 256 });
process.stdout.write(JSON.stringify({ count: r.count, maxRssKB: process.resourceUsage().maxRSS, ms: Date.now() - t }));
`;

function measure(code) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const cli = measure(cliChild);
if (cli.code !== 0) throw new Error(`analyze exited ${cli.code}`);
const rep = JSON.parse((await import('node:fs')).readFileSync(report, 'utf8'));
if (rep.count !== N) throw new Error(`report counted ${rep.count} objects, expected ${N}`);
const synthetic = measure(syntheticChild);
const baseline = measure(`process.stdout.write(JSON.stringify({ maxRssKB: process.resourceUsage().maxRSS }))`);

const mb = (kb) => (kb / 1024).toFixed(1);
process.stderr.write(
  `bench: analyze --listing-file (${N} objects, ${(statSync(listing).size / 1e6).toFixed(0)} MB jsonl): peak RSS ${mb(cli.maxRssKB)} MB in ${(cli.ms / 1000).toFixed(1)} s\n` +
    `bench: synthetic source -> analysis: peak RSS ${mb(synthetic.maxRssKB)} MB in ${(synthetic.ms / 1000).toFixed(1)} s; bare node: ${mb(baseline.maxRssKB)} MB\n` +
    `bench: quantiles ${rep.quantiles.method} (±${rep.quantiles.relativeError * 100}%), median ${rep.stats.median}, p99 ${rep.stats.p99}\n`,
);
const peak = Math.max(cli.maxRssKB, synthetic.maxRssKB) / 1024;
console.log(`RESULT analyze-1M-rss | ${peak.toFixed(1)} MB | <${LIMIT_MB} MB | ${peak < LIMIT_MB ? 'pass' : 'fail'}`);
