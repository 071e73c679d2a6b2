// The README's ARCHITECTURE rules, checked on every import in the tree: a
// folder imports only from the layers below it, and the k6 side and common/
// never reach for Node.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

const SHARED = ['storage', 'media', 'results'];
const BASE = ['lib', 'common'];
/** Which folders each folder may import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  common: [],
  scenarios: ['common'],
  lib: ['common'],
  storage: BASE,
  media: BASE,
  results: BASE,
  prep: [...SHARED, ...BASE],
  loadtest: [...SHARED, ...BASE],
  optimize: [...SHARED, ...BASE],
  origin: [...SHARED, ...BASE],
  workflow: [...SHARED, ...BASE],
  demo: ['origin', 'workflow', ...SHARED, ...BASE],
  cli: Object.keys({ common: 1, scenarios: 1, lib: 1, storage: 1, media: 1, results: 1, prep: 1, loadtest: 1, optimize: 1, origin: 1, workflow: 1, demo: 1 }),
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const statics = /^\s*(?:import|export)\s+(?:type\s+)?(?:[\w*$\s,]*(?:\{[^}]*\})?\s*from\s*)?['"]([^'"]+)['"]/gm;
  const dynamics = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...text.matchAll(statics), ...text.matchAll(dynamics)].map((m) => m[1]);
}

const files = Object.keys(ALLOWED).flatMap(sources);

describe('architecture', () => {
  it('finds the tree', () => {
    expect(files.length).toBeGreaterThan(100);
    for (const folder of Object.keys(ALLOWED)) expect(files.some((f) => f.startsWith(`${folder}/`)), folder).toBe(true);
    // The import reader sees multi-line import lists and type imports.
    expect(imports('cli/commands/index.ts')).toEqual(expect.arrayContaining(['commander', './list.js', './merge.js']));
  });

  it('every import goes to the same folder or a layer the README allows', () => {
    const bad: string[] = [];
    for (const file of files) {
      const from = file.split('/')[0];
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(root, dirname(file), spec)).split('/')[0];
        if (target !== from && !ALLOWED[from].includes(target)) bad.push(`${file} imports ${spec} (${from} -> ${target})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('common/ and scenarios/ use no Node API; scenarios import only k6 and bundled libraries', () => {
    const bad: string[] = [];
    for (const file of files.filter((f) => f.startsWith('common/') || f.startsWith('scenarios/'))) {
      for (const spec of imports(file)) {
        if (spec.startsWith('.')) continue;
        const k6 = file.startsWith('scenarios/') && (spec === 'k6' || spec.startsWith('k6/') || spec.startsWith('papaparse') || spec.startsWith('https://'));
        if (!k6) bad.push(`${file} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('nothing imports the CLI, and no import circles through cli/main.ts', () => {
    const bad = files.filter((f) => !f.startsWith('cli/')).filter((f) => imports(f).some((s) => s.startsWith('.') && relative(root, resolve(root, dirname(f), s)).startsWith('cli/')));
    expect(bad).toEqual([]);
    const intoMain = files.filter((f) => f !== 'cli/main.ts' && imports(f).some((s) => relative(root, resolve(root, dirname(f), s)) === 'cli/main.js'));
    expect(intoMain).toEqual([]);
  });
});
