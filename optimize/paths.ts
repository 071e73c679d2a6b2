// Keys come from listings and listing files: none may reach outside the
// folder it is resolved against (a key like "../../etc/passwd" is refused).
import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { RuntimeError } from '../lib/errors.js';

/** root joined with key, or a RuntimeError when the key is absolute, has "..", NUL, or escapes root. */
export function safeJoin(root: string, key: string): string {
  if (!key || key.includes('\0')) throw new RuntimeError(`unsafe key "${key}": empty or NUL`);
  const parts = key.split(/[\\/]+/);
  if (isAbsolute(key) || /^[A-Za-z]:/.test(key) || parts.includes('..')) throw new RuntimeError(`unsafe key "${key}": it would leave ${root}`);
  const base = resolve(root);
  const full = resolve(base, ...parts.filter((p) => p && p !== '.'));
  if (full !== base && !full.startsWith(base + sep)) throw new RuntimeError(`unsafe key "${key}": it would leave ${root}`);
  if (full === base) throw new RuntimeError(`unsafe key "${key}": names the folder itself`);
  return full;
}

/** A per-key work folder inside tempRoot whose name never comes from the key itself. */
export function workDirFor(tempRoot: string, key: string): string {
  return join(tempRoot, createHash('sha1').update(key).digest('hex').slice(0, 16));
}

/** The file name part of a key, reduced to safe characters (for temp files). */
export function safeBaseName(key: string): string {
  const base = key.split(/[\\/]/).pop() ?? 'file';
  return base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '') || 'file';
}

/** The key with its extension swapped: "a/b.mov" -> "a/b.mp4". */
export function withExtension(key: string, ext: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  return (dot > slash + 1 ? key.slice(0, dot) : key) + `.${ext}`;
}

/** Moves a finished file into place atomically: rename, or copy beside the target then rename (other filesystem). */
export async function placeFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const tmp = `${to}.partial-${process.pid}`;
    try {
      await copyFile(from, tmp);
      await rename(tmp, to);
      await rm(from, { force: true });
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}

/** Whether anything (file, folder, link target) is at path. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
