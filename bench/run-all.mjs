// Runs every bench/*.mjs (except this file) and prints one table of their result lines.
// Each benchmark prints lines `RESULT <name> | <figure> | <target> | <pass|fail>` on stdout.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('.', import.meta.url));
const scripts = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs' && !f.startsWith('_')).sort();
const rows = [];
for (const script of scripts) {
  process.stderr.write(`bench: running ${script}\n`);
  const r = spawnSync(process.execPath, [join(dir, script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('RESULT '));
  if (lines.length === 0) rows.push([script, '(no result)', '', r.status === 0 ? 'ok' : `exit ${r.status}`]);
  for (const l of lines) rows.push(l.slice(7).split('|').map((s) => s.trim()));
}
const header = ['benchmark', 'figure', 'target', 'verdict'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const fmt = (r) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
console.log(fmt(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(fmt(r));
