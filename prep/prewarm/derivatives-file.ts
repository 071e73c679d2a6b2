// --derivatives-file: the derivative catalogue from JSON, either
// {"desktop": {"width": 1920, "height": 1080}, ...} or [{"name": "desktop", "width": 1920, "height": 1080}, ...].
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../lib/errors.js';
import type { Derivative } from '../../common/derivatives.js';

export function parseDerivatives(text: string, source: string): Derivative[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source}: invalid JSON (${(err as Error).message.slice(0, 100)})`);
  }
  const entries: [string, unknown][] = Array.isArray(doc)
    ? doc.map((d, i) => [typeof (d as { name?: unknown })?.name === 'string' ? (d as { name: string }).name : `#${i + 1}`, d])
    : doc && typeof doc === 'object'
      ? Object.entries((doc as { derivatives?: object }).derivatives ?? doc)
      : [];
  if (entries.length === 0) throw new UsageError(`${source}: no derivatives (expected {"name": {"width": W, "height": H}} or [{"name", "width", "height"}])`);
  return entries.map(([name, d]) => {
    const o = d as { width?: unknown; height?: unknown };
    const width = Number(o?.width);
    const height = Number(o?.height);
    if (name.startsWith('#') || !Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
      throw new UsageError(`${source}: derivative "${name}" needs a name and positive whole width and height`);
    }
    return { name, width, height };
  });
}

export async function loadDerivativesFile(path: string): Promise<Derivative[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: derivatives file not found`);
  }
  return parseDerivatives(text, path);
}
