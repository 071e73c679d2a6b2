// Peak memory and time of `media-toolkit diff` over two 1,000,000-object listings.
// The listings are synthetic JSON Lines as `list --format jsonl` writes them, in key
// order, generated once into .cache/: the new one drops 0.5% of the keys, changes 1%
// (size and ETag) and adds 0.5%. A child runs the real CLI code path
// (`diff --before A --after B --output C`) and reports its peak RSS (getrusage maxRSS);
// its counts are checked against what was generated.
//
// Reference in the same run: a bare loop that reads both files line by line and
// JSON.parses every line (the floor of any reader of two JSON Lines listings).
// Prints:
//   RESULT diff-1M-rss | <MB> MB | <150 MB | pass|fail
//   RESULT diff-1M-time-vs-bare-read | <ratio>x (<s> s vs <s> s) | (info) | info
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.BENCH_DIFF_OBJECTS ?? 1_000_000);
const LIMIT_MB = 150;
const cache = join(root, '.cache');
mkdirSync(cache, { recursive: true });
spawnSync(process.execPath, ['build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });

const pad = (n, w) => String(n).padStart(w, '0');
// Zero-padded numbers: the generation order is S3 key order.
const keyOf = (i, suffix = '') => `library/${pad(Math.floor(i / 10_000), 3)}/${pad(Math.floor(i / 100) % 100, 2)}/clip-${pad(i, 7)}${suffix}.mp4`;
const sizeOf = (i) => 1_000_000 + ((Math.imul(i + 1, 2654435761) >>> 0) % 500_000_000);
const line = (key, size, etag) => `${JSON.stringify({ key, size, lastModified: '2024-01-01T00:00:00.000Z', etag })}\n`;
const expected = { new: 0, changed: 0, deleted: 0, unchanged: 0 };
for (let i = 0; i < N; i++) {
  if (i % 200 === 1) expected.new++;
  if (i % 200 === 0) expected.deleted++;
  else if (i % 100 === 7) expected.changed++;
  else expected.unchanged++;
}

async function write(path, gen) {
  if (existsSync(path) && statSync(path).size > 0) return;
  process.stderr.write(`bench: writing ${path}\n`);
  const out = createWriteStream(`${path}.tmp`);
  let buf = '';
  for (const s of gen()) {
    buf += s;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise((r) => out.once('finish', r));
  renameSync(`${path}.tmp`, path);
}

const before = join(cache, `diff-bench-before-${N}.jsonl`);
const after = join(cache, `diff-bench-after-${N}.jsonl`);
await write(before, function* () {
  for (let i = 0; i < N; i++) yield line(keyOf(i), sizeOf(i), `e${i}`);
});
await write(after, function* () {
  for (let i = 0; i < N; i++) {
    // "clip-0000001-new.mp4" sorts before "clip-0000001.mp4" ('-' < '.').
    if (i % 200 === 1) yield line(keyOf(i, '-new'), 1234, `n${i}`);
    if (i % 200 === 0) continue;
    if (i % 100 === 7) yield line(keyOf(i), sizeOf(i) + 1, `c${i}`);
    else yield line(keyOf(i), sizeOf(i), `e${i}`);
  }
});

const dist = join(root, 'dist', 'node', 'media-toolkit.js');
const output = join(cache, 'diff-bench-changes.jsonl');
const diffChild = `
const { run } = await import(${JSON.stringify(dist)});
const t = Date.now();
const code = await run(['diff', '--before', ${JSON.stringify(before)}, '--after', ${JSON.stringify(after)}, '--output', ${JSON.stringify(output)}, '--quiet']);
process.stdout.write(JSON.stringify({ code, maxRssKB: process.resourceUsage().maxRSS, ms: Date.now() - t }));
`;
const bareChild = `
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
const t = Date.now();
let n = 0;
for (const f of [${JSON.stringify(before)}, ${JSON.stringify(after)}]) {
  for await (const l of createInterface({ input: createReadStream(f), crlfDelay: Infinity })) if (JSON.parse(l).size >= 0) n++;
}
process.stdout.write(JSON.stringify({ n, maxRssKB: process.resourceUsage().maxRSS, ms: Date.now() - t }));
`;

function measure(code) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = [];
const bare = [];
for (let r = 0; r < 3; r++) {
  // Alternate, so drift in machine load hits both sides.
  runs.push(measure(diffChild));
  bare.push(measure(bareChild));
}
if (runs.some((x) => x.code !== 0)) throw new Error('diff failed');
const got = { new: 0, changed: 0, deleted: 0 };
for (const l of readFileSync(output, 'utf8').split('\n')) if (l) got[JSON.parse(l).change]++;
for (const k of Object.keys(got)) if (got[k] !== expected[k]) throw new Error(`diff found ${got[k]} ${k}, expected ${expected[k]}`);

const peak = Math.max(...runs.map((x) => x.maxRssKB)) / 1024;
const t = median(runs.map((x) => x.ms)) / 1000;
const b = median(bare.map((x) => x.ms)) / 1000;
process.stderr.write(
  `bench: diff of ${N} against ${N} objects (${(statSync(before).size / 1e6).toFixed(0)} + ${(statSync(after).size / 1e6).toFixed(0)} MB): ` +
    `${got.new} new, ${got.changed} changed, ${got.deleted} deleted; peak RSS ${runs.map((x) => (x.maxRssKB / 1024).toFixed(1)).join(', ')} MB; ` +
    `${runs.map((x) => (x.ms / 1000).toFixed(1)).join(', ')} s (bare read ${bare.map((x) => (x.ms / 1000).toFixed(1)).join(', ')} s, ${(Math.max(...bare.map((x) => x.maxRssKB)) / 1024).toFixed(1)} MB)\n`,
);
console.log(`RESULT diff-1M-rss | ${peak.toFixed(1)} MB | <${LIMIT_MB} MB | ${peak < LIMIT_MB ? 'pass' : 'fail'}`);
console.log(`RESULT diff-1M-time-vs-bare-read | ${(t / b).toFixed(2)}x (${t.toFixed(1)} s vs ${b.toFixed(1)} s, medians of 3) | (info) | info`);
