// The top-level box structure of an MP4 (ISO BMFF) or QuickTime file, read
// the way a browser does before playing it over HTTP: find `moov` (the index)
// and `mdat` (the media), with 32- and 64-bit box sizes and size 0 ("to the
// end of the file"); then the movie's timescale and duration from `mvhd`
// (or `mehd` of a fragmented file). Pure, over Uint8Array, no allocation per box.

/** A box found while walking: absolute offsets in the file. */
export interface Box {
  type: string;
  start: number;
  /** Header length, 8 or 16 (64-bit size). */
  header: number;
  /** Offset just past the box. */
  end: number;
}

/** Result of walking the top-level boxes of the bytes received so far. */
export interface TopLevel {
  /** The file does not start like an MP4/QuickTime box structure. */
  notMp4: boolean;
  moov?: Box;
  mdat?: Box;
  /** Where the walk stopped for want of bytes (the next box's offset), when neither moov nor mdat settled it. */
  next?: number;
}

function isTypeChar(c: number): boolean {
  // Letters, digits, space and '©' (0xa9, QuickTime metadata atoms).
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x20 || c === 0xa9;
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
}

function u64(b: Uint8Array, i: number): number {
  // Exact up to 2^53, far beyond any media file.
  return u32(b, i) * 4294967296 + u32(b, i + 4);
}

function typeAt(b: Uint8Array, i: number): string {
  return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);
}

/**
 * Reads the box header at `at` (relative to `bytes`, whose first byte is file
 * offset `base`); null when the header is not all there or is not a box.
 * `fileSize` resolves size 0 (the box runs to the end of the file).
 */
export function boxAt(bytes: Uint8Array, at: number, base: number, fileSize: number): Box | null | 'invalid' {
  if (at + 8 > bytes.length) return null;
  for (let k = 4; k < 8; k++) if (!isTypeChar(bytes[at + k])) return 'invalid';
  let size = u32(bytes, at);
  let header = 8;
  if (size === 1) {
    if (at + 16 > bytes.length) return null;
    size = u64(bytes, at + 8);
    header = 16;
  } else if (size === 0) {
    size = fileSize - (base + at);
  }
  if (size < header) return 'invalid';
  return { type: typeAt(bytes, at + 4), start: base + at, header, end: base + at + size };
}

/**
 * Walks the top-level boxes in `bytes` (file offsets from `base`) until it
 * finds `moov` or `mdat`. A `moov` before `mdat` is faststart; an `mdat`
 * first means the `moov` is after it (fetch from mdat.end).
 */
export function walkTopLevel(bytes: Uint8Array, base: number, fileSize: number): TopLevel {
  let at = 0;
  for (;;) {
    const box = boxAt(bytes, at, base, fileSize);
    if (box === 'invalid') return { notMp4: true };
    if (box === null) return { notMp4: false, next: base + at };
    if (box.type === 'moov') return { notMp4: false, moov: box };
    if (box.type === 'mdat') return { notMp4: false, mdat: box };
    if (box.end >= fileSize) return { notMp4: false, next: fileSize };
    at = box.end - base;
    if (at >= bytes.length) return { notMp4: false, next: box.end };
  }
}

/** Children of a box whose payload is bytes[from, to): the first of `type`, or null. */
function child(bytes: Uint8Array, from: number, to: number, type: string): Box | null {
  let at = from;
  while (at + 8 <= to) {
    const box = boxAt(bytes, at, 0, to);
    if (box === null || box === 'invalid') return null;
    if (box.type === type) return box;
    if (box.end <= at) return null;
    at = box.end;
  }
  return null;
}

export interface MovieDuration {
  seconds: number;
  /** mvhd, or mehd for a fragmented file whose mvhd says 0. */
  from: 'mvhd' | 'mehd';
}

/**
 * The movie's duration from a whole `moov` box (bytes start at the box
 * header): mvhd's duration over its timescale, or the fragment duration of
 * mvex/mehd when mvhd has none. Undefined when neither holds a duration.
 */
export function movieDuration(moov: Uint8Array): MovieDuration | undefined {
  const top = boxAt(moov, 0, 0, moov.length);
  if (top === null || top === 'invalid' || top.type !== 'moov') return undefined;
  const end = top.end < moov.length ? top.end : moov.length;
  const mvhd = child(moov, top.header, end, 'mvhd');
  if (!mvhd || mvhd.end > moov.length) return undefined;
  const p = mvhd.start + mvhd.header;
  const version = moov[p];
  const timescale = version === 1 ? u32(moov, p + 20) : u32(moov, p + 12);
  if (!(timescale > 0)) return undefined;
  const duration = version === 1 ? u64(moov, p + 24) : u32(moov, p + 16);
  // All ones means "unknown"; 0 is what a fragmented file's mvhd says.
  const unknown = version === 1 ? duration >= 2 ** 53 : duration === 0xffffffff;
  if (duration > 0 && !unknown) return { seconds: duration / timescale, from: 'mvhd' };
  const mvex = child(moov, top.header, end, 'mvex');
  if (!mvex) return undefined;
  const mehd = child(moov, mvex.start + mvex.header, mvex.end < end ? mvex.end : end, 'mehd');
  if (!mehd || mehd.end > moov.length) return undefined;
  const q = mehd.start + mehd.header;
  const fragment = moov[q] === 1 ? u64(moov, q + 4) : u32(moov, q + 4);
  return fragment > 0 ? { seconds: fragment / timescale, from: 'mehd' } : undefined;
}
