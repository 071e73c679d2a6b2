// A local folder as a bucket: `--remote local --bucket /path`.
// Recursive; symlinks are not followed, so nothing outside the folder is listed.
import { opendir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { StoredObject } from './types.js';

export async function* listLocal(root: string, directory = ''): AsyncGenerator<StoredObject> {
  const start = directory ? join(root, directory) : root;
  const stack = [start];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const entries = [];
    for await (const entry of await opendir(dir)) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) subdirs.push(full);
      else if (entry.isFile()) {
        const st = await stat(full);
        yield { key: relative(root, full).split(sep).join('/'), size: st.size, lastModified: st.mtime.toISOString(), etag: '' };
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}
