// Keys to leave out of the load test, from the error report. Accepted forms
// (the flag contract): the exclusion list `{"version":1,"keys":[...]}`, any
// JSON object with a `keys` array, a JSON array of keys (or of objects with a
// `key`), or plain text with one key per line (blank lines and # comments skipped).

import { parseJsonDocument } from './json-text.js';

function keysFromArray(items: unknown[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push(item);
    else if (item && typeof item === 'object' && typeof (item as { key?: unknown }).key === 'string') out.push((item as { key: string }).key);
  }
  return out;
}

/** Parses an exclusion list in any accepted form. Throws on JSON that has no keys in it. */
export function parseExclusionList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const parsed = parseJsonDocument(trimmed, 'error report file');
  if (parsed !== undefined) {
    if (Array.isArray(parsed)) return keysFromArray(parsed);
    const obj = parsed as Record<string, unknown>;
    if (Array.isArray(obj.keys)) return keysFromArray(obj.keys);
    // Error reports that list failing records keep them under one of these names.
    for (const name of ['exclusions', 'records', 'errors', 'failures']) {
      if (Array.isArray(obj[name])) return keysFromArray(obj[name] as unknown[]);
    }
    throw new Error('error report file has no "keys" array (expected {"keys":[...]}, a JSON array, or one key per line)');
  }
  return trimmed
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
