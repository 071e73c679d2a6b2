// Byte ranges (RFC 9110 section 14). Several ranges in one header are answered
// with the first satisfiable one only (a single 206, no multipart): players and
// CDNs ask for one.

export type RangeAnswer =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

type Spec = { start: number; end: number } | 'unsatisfiable' | 'invalid';

function readSpec(text: string, size: number): Spec {
  const spec = /^(\d*)\s*-\s*(\d*)$/.exec(text.trim());
  if (!spec || (spec[1] === '' && spec[2] === '')) return 'invalid';
  if (spec[1] === '') {
    // Suffix range: the last N bytes.
    const n = Number(spec[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(spec[1]);
  if (spec[2] !== '' && Number(spec[2]) < start) return 'invalid';
  if (start >= size) return 'unsatisfiable';
  return { start, end: spec[2] === '' ? size - 1 : Math.min(Number(spec[2]), size - 1) };
}

/**
 * Reads a Range header against a body of `size` bytes. A header that is not a
 * valid bytes range is ignored (full body), as RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (!header) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return { kind: 'full' };
  let first: { start: number; end: number } | undefined;
  for (const part of m[1].split(',')) {
    if (part.trim() === '') continue;
    const spec = readSpec(part, size);
    if (spec === 'invalid') return { kind: 'full' };
    if (spec !== 'unsatisfiable') first ??= spec;
  }
  return first ? { kind: 'partial', ...first } : { kind: 'unsatisfiable' };
}
