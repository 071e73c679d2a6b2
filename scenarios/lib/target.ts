// What one request needs about a record, kept in the SharedArray as one short
// string per record: a string costs k6 far less memory than an object (500 VUs
// x 100,000 records), and decoding it is cheaper than JSON-decoding an object.
import type { SizeCategory } from '../../common/results-record.js';

export interface RequestTarget {
  /** Full URL, built once at init by the common module. */
  url: string;
  derivative: string;
  sizeCategory: SizeCategory;
  /** Derivative body size in bytes (0 unknown: no ranges then). */
  size: number;
  width?: number;
  height?: number;
  /** A video derivative (played in player mode). */
  video: boolean;
  /** Seconds, from the results record, when it has one. */
  durationSeconds?: number;
}

const SEP = '\t';

export function encodeTarget(t: RequestTarget): string {
  // URLs are percent-encoded and derivative names are plain words: neither holds a tab, but be sure.
  return [t.url.replace(/\t/g, '%09'), t.derivative.replace(/\t/g, ' '), t.sizeCategory, t.size, t.width ?? '', t.height ?? '', t.video ? 'v' : '', t.durationSeconds ?? ''].join(SEP);
}

export function decodeTarget(s: string): RequestTarget {
  const p = s.split(SEP);
  // Unary + rather than Number(): no call (this runs for every request).
  const t: RequestTarget = { url: p[0], derivative: p[1], sizeCategory: p[2] as SizeCategory, size: +p[3] || 0, video: p[6] === 'v' };
  if (p[4]) t.width = +p[4];
  if (p[5]) t.height = +p[5];
  if (p[7]) t.durationSeconds = +p[7];
  return t;
}
