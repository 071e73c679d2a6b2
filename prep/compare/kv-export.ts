// Reading a Cloudflare KV export. Accepted shapes (documented in the README):
//   1. a map:   {"<key>": {"size": 123, ...}, ...}   (or {"<key>": 123})
//   2. a list:  [{"name": "<key>", "metadata": {"size": 123, ...}}, ...]   (`wrangler kv key list`;
//               "key" may stand for "name", and "value" for "metadata")
//   3. either of them under {"keys": ...}, {"entries": ...} or {"result": ...} (the API's envelope).
// Size comes from the first of: size, contentLength, content_length, actualTotalVideoSize, totalSize, bytes, byteLength.
// KV keys may carry the transforming worker's prefix and derivative: "video:<path>:derivative=<name>"
// or "<path>:<name>"; both are parsed into (path, derivative).
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../lib/errors.js';
import { requireFile } from '../../lib/require-file.js';
import { parseJsonNamingLine } from '../../results/json-error-line.js';

export interface KvEntry {
  /** The KV key as exported. */
  rawKey: string;
  /** Object path the entry is about. */
  path: string;
  derivative: string | null;
  size: number | null;
  /** Timing fields found in the metadata, ms. */
  ttfbMs: number | null;
  totalMs: number | null;
}

const SIZE_FIELDS = ['size', 'contentLength', 'content_length', 'actualTotalVideoSize', 'totalSize', 'bytes', 'byteLength'];
const TTFB_FIELDS = ['ttfbMs', 'ttfb', 'ttfb_ms'];
const TOTAL_FIELDS = ['totalMs', 'totalTime', 'total_time', 'durationMs', 'duration', 'responseTimeMs', 'responseTime', 'processingTimeMs'];

function pick(meta: Record<string, unknown>, fields: string[]): number | null {
  for (const f of fields) {
    const v = meta[f];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
  }
  return null;
}

/** "video:a/b.mp4:derivative=desktop" -> (a/b.mp4, desktop); "a/b.mp4" -> (a/b.mp4, null). */
export function parseKvKey(raw: string, knownDerivatives?: ReadonlySet<string>): { path: string; derivative: string | null } {
  let k = raw.replace(/^(video|image|media|transform(ed)?)(:|\/)/i, '');
  let derivative: string | null = null;
  const m = /[:?&](?:derivative|variant)=([^:&]+)/i.exec(k);
  if (m) {
    derivative = m[1];
    k = k.slice(0, m.index);
  } else {
    const colon = k.lastIndexOf(':');
    if (colon > 0) {
      const tail = k.slice(colon + 1);
      if (!knownDerivatives || knownDerivatives.has(tail)) {
        derivative = tail;
        k = k.slice(0, colon);
      }
    }
  }
  // Other ":name=value" parts after the path (width, height...) are not part of it.
  k = k.replace(/:[a-z_]+=[^:]*/gi, '');
  return { path: k.replace(/^\/+/, ''), derivative };
}

export async function readKvExport(path: string, knownDerivatives?: ReadonlySet<string>): Promise<KvEntry[]> {
  await requireFile(path, 'KV export');
  const text = await readFile(path, 'utf8');
  let doc = parseJsonNamingLine(path, text);
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const d = doc as Record<string, unknown>;
    const inner = d.keys ?? d.entries ?? d.result;
    if (inner && typeof inner === 'object') doc = inner;
  }
  const out: KvEntry[] = [];
  const add = (rawKey: string, meta: unknown) => {
    const m: Record<string, unknown> = typeof meta === 'number' ? { size: meta } : meta && typeof meta === 'object' ? (meta as Record<string, unknown>) : {};
    const { path: p, derivative } = parseKvKey(rawKey, knownDerivatives);
    const nested = m.metadata && typeof m.metadata === 'object' ? (m.metadata as Record<string, unknown>) : undefined;
    const src = nested ? { ...m, ...nested } : m;
    out.push({ rawKey, path: p, derivative, size: pick(src, SIZE_FIELDS), ttfbMs: pick(src, TTFB_FIELDS), totalMs: pick(src, TOTAL_FIELDS) });
  };
  if (Array.isArray(doc)) {
    doc.forEach((e, i) => {
      const o = e as Record<string, unknown>;
      const name = typeof o?.name === 'string' ? o.name : typeof o?.key === 'string' ? o.key : undefined;
      if (!name) throw new UsageError(`${path}: entry ${i + 1} has no "name" or "key"`);
      add(name, o.metadata ?? o.value ?? o);
    });
  } else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) add(k, v);
  } else {
    throw new UsageError(`${path}:1: not a KV export (expected an object of key to metadata, or an array of {name, metadata})`);
  }
  return out;
}
