// --listing-file: objects from a saved listing instead of the bucket. Accepts what
// `list` writes: JSON Lines, a JSON array (or {"objects"|"files"|"items": [...]}),
// or CSV with a header; each entry needs a key (key/Key/path/name) and a size (size/Size/bytes).
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import Papa from 'papaparse';
import { UsageError } from '../../lib/errors.js';
import type { StoredObject } from '../storage/types.js';
import { requireFile } from '../results/read-results.js';

function toObject(v: unknown, where: string): StoredObject {
  const o = (v ?? {}) as Record<string, unknown>;
  const key = [o.key, o.Key, o.path, o.Path, o.name, o.Name].find((x) => typeof x === 'string' && x !== '') as string | undefined;
  const sizeRaw = [o.size, o.Size, o.bytes, o.sizeBytes].find((x) => x !== undefined && x !== '');
  const size = Number(sizeRaw ?? 0);
  if (!key) throw new UsageError(`${where}: entry has no key (expected "key" and "size")`);
  if (!Number.isFinite(size) || size < 0) throw new UsageError(`${where}: size of "${key}" is not a number`);
  return { key, size, lastModified: typeof o.lastModified === 'string' ? o.lastModified : '', etag: typeof o.etag === 'string' ? o.etag : '' };
}

export async function* readListingFile(path: string): AsyncGenerator<StoredObject> {
  await requireFile(path, 'listing file');
  if (/\.csv$/i.test(path)) {
    const parsed = Papa.parse<Record<string, string>>(await readFile(path, 'utf8'), { header: true, skipEmptyLines: true });
    if (parsed.errors.length > 0) throw new UsageError(`${path}:${(parsed.errors[0].row ?? 0) + 2}: ${parsed.errors[0].message}`);
    let line = 1;
    for (const row of parsed.data) yield toObject(row, `${path}:${++line}`);
    return;
  }
  const fh = createReadStream(path, { encoding: 'utf8', start: 0, end: 4095 });
  let start = '';
  for await (const c of fh) start += c;
  const first = start.trimStart()[0];
  const firstLine = start.trimStart().split('\n')[0];
  let jsonl = /\.jsonl$/i.test(path);
  if (!jsonl && first === '{') {
    try {
      JSON.parse(firstLine);
      jsonl = true;
    } catch {
      /* a whole JSON document */
    }
  }
  if (jsonl) {
    const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      if (!line.trim()) continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new UsageError(`${path}:${n}: invalid JSON line`);
      }
      yield toObject(v, `${path}:${n}`);
    }
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: invalid JSON (${(err as Error).message.slice(0, 100)})`);
  }
  const d = doc as Record<string, unknown>;
  const list = Array.isArray(doc) ? doc : (d.objects ?? d.files ?? d.items);
  if (!Array.isArray(list)) throw new UsageError(`${path}: expected JSON Lines, a JSON array of objects, or {"objects": [...]}`);
  for (let i = 0; i < list.length; i++) yield toObject(list[i], `${path}: entry ${i + 1}`);
}
