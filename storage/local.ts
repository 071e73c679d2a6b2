// A local folder as a bucket: `--remote local --bucket /path`.
// Recursive, in key order (UTF-8 bytes, as S3). Symbolic links are never
// followed, so nothing outside the folder is listed, and --directory may not
// leave the folder either.
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep, isAbsolute } from 'node:path';
import { RuntimeError, UsageError } from '../lib/errors.js';
import { compareKeys } from './key-order.js';
import type { StoredObject } from './types.js';

async function folderRoot(root: string): Promise<string> {
  try {
    const st = await stat(root);
    if (!st.isDirectory()) throw new RuntimeError(`local bucket "${root}" is not a folder`);
  } catch (err) {
    if (err instanceof RuntimeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A bare name ("videos") was probably meant as a bucket: --remote is local unless told otherwise.
      const hint = /^[\w.-]+$/.test(root) && !root.startsWith('.') ? ' (--remote is local unless given; for a bucket add --remote s3 or an rclone remote name)' : '';
      throw new RuntimeError(`local bucket folder "${root}" does not exist${hint}`);
    }
    throw new RuntimeError(`cannot read local bucket folder "${root}": ${code ?? (err as Error).message}`);
  }
  return realpath(root);
}

/** The start folder for --directory, refused when it leaves the root or passes through a symlink. */
async function startFolder(root: string, directory: string): Promise<string | null> {
  if (!directory) return root;
  const start = resolve(root, directory);
  const rel = relative(root, start);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new UsageError(`--directory "${directory}" leaves the bucket folder`);
  let path = root;
  for (const part of rel.split(sep).filter(Boolean)) {
    path = join(path, part);
    try {
      const st = await lstat(path);
      if (st.isSymbolicLink()) throw new RuntimeError(`--directory "${directory}" goes through a symbolic link (${relative(root, path)}): not followed`);
      if (!st.isDirectory()) return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
  return start;
}

interface Entry {
  name: string;
  /** Sort name: folders sort as "name/", so the walk yields keys in order. */
  sortName: string;
  dir: boolean;
}

export async function* listLocal(bucket: string, directory = '', isOwnFile?: (absolutePath: string) => boolean): AsyncGenerator<StoredObject> {
  const root = await folderRoot(bucket);
  const start = await startFolder(root, directory);
  if (start === null) return;
  // Depth-first with each folder's entries sorted: keys come out in global key order.
  const stack: Array<{ dir: string; entries: Entry[]; i: number }> = [];
  const open = async (dir: string) => {
    const entries: Entry[] = [];
    for await (const e of await opendir(dir)) {
      if (e.isSymbolicLink()) continue;
      if (e.isDirectory()) entries.push({ name: e.name, sortName: `${e.name}/`, dir: true });
      else if (e.isFile()) entries.push({ name: e.name, sortName: e.name, dir: false });
    }
    entries.sort((a, b) => compareKeys(a.sortName, b.sortName));
    stack.push({ dir, entries, i: 0 });
  };
  await open(start);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.i >= top.entries.length) {
      stack.pop();
      continue;
    }
    const e = top.entries[top.i++];
    const full = join(top.dir, e.name);
    if (e.dir) {
      await open(full);
      continue;
    }
    let st;
    try {
      st = await lstat(full);
    } catch {
      continue; // removed while listing
    }
    if (!st.isFile()) continue;
    if (isOwnFile?.(full)) continue;
    yield { key: relative(root, full).split(sep).join('/'), size: st.size, lastModified: st.mtime.toISOString(), etag: '' };
  }
}
