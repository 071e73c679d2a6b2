// The k6 bundle is rebuilt when it is missing or older than its sources
// (scenarios/ and common/), so `loadtest` never runs a stale script.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RuntimeError } from '../lib/errors.js';

const run = promisify(execFile);

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, await newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, (await stat(p)).mtimeMs);
  }
  return newest;
}

/** True when dist/<name>.js is missing or older than any scenario or common source. */
export async function bundleIsStale(root: string, name = 'loadtest'): Promise<boolean> {
  const bundle = await stat(join(root, 'dist', `${name}.js`)).catch(() => undefined);
  if (!bundle) return true;
  const sources = Math.max(await newestMtime(join(root, 'scenarios')), await newestMtime(join(root, 'common')));
  return sources > bundle.mtimeMs;
}

/**
 * Rebuilds with build.mjs when stale; returns the bundle path and whether it was built.
 * An installed package (npm install media-toolkit) has no sources and no build.mjs: it
 * runs the bundle it shipped with.
 */
export async function ensureBundle(root: string, name = 'loadtest'): Promise<{ path: string; built: boolean }> {
  const path = join(root, 'dist', `${name}.js`);
  if (!existsSync(join(root, 'build.mjs'))) {
    if (existsSync(path)) return { path, built: false };
    throw new RuntimeError(`the k6 scenario ${path} is missing from the installed package: reinstall media-toolkit, or give --k6-script`);
  }
  if (!(await bundleIsStale(root, name))) return { path, built: false };
  try {
    await run(process.execPath, [join(root, 'build.mjs'), '--quiet'], { cwd: root, timeout: 120_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new RuntimeError(`building the k6 bundle failed: ${(e.stderr || e.message).split('\n').find((l) => l.trim()) ?? 'unknown error'}`);
  }
  return { path, built: true };
}
