// A progressive download (an MP4 or WebM file over HTTP), opened and read the
// way a browser's <video> does: a first bounded range, the MP4 box structure
// to find the index (`moov`), a second range from the end when the index is
// after the media (no faststart), then media chunks of PLAYER_CHUNK_SECONDS
// mapped to bytes by the file's mean bitrate; no byte is requested twice, seeks
// included. Pure: the range fetch is injected.
import { movieDuration, walkTopLevel } from './mp4-boxes.js';
import { ebmlInfo, isEbml } from './ebml.js';
import type { ChunkResult, MediaSource } from './playback.js';

/** One range request: [start, end] inclusive; `body` asks for the bytes (the box structure). */
export type RangeFetch = (start: number, end: number, body: boolean) => FetchedRange;

export interface FetchedRange {
  /** 206 (or 200: the whole file came, range ignored). */
  ok: boolean;
  /** True when the server sent the whole file (200). */
  whole?: boolean;
  /** The bytes, when asked for. */
  body?: ArrayBuffer | Uint8Array | null;
}

export type DurationSource = 'mvhd' | 'mehd' | 'ebml' | 'record' | 'assumed';

export interface MediaLayout {
  container: 'mp4' | 'webm' | 'other';
  durationSeconds: number;
  durationSource: DurationSource;
  /** First and last byte (inclusive) of the media data (mdat payload for MP4). */
  mediaStart: number;
  mediaEnd: number;
  /** The moov came after the mdat: a second range from the end was needed. */
  moovAtEnd: boolean;
}

export interface OpenOptions {
  /** Bytes of the first range (PLAYER_OPEN_KB, default 256 KiB). */
  openBytes: number;
  /** The results record's duration, seconds, when the file's header gives none. */
  recordedDuration?: number;
  /** Bits per second assumed when neither the header nor the record has a duration. */
  assumedBitrate: number;
}

export interface Opened {
  ok: boolean;
  layout?: MediaLayout;
  /** Byte intervals received, [start, end) pairs, sorted: what the open requests brought. */
  held: number[];
  /** Requests the open made. */
  requests: number;
}

function bytesOf(b: ArrayBuffer | Uint8Array | null | undefined): Uint8Array {
  if (!b) return new Uint8Array(0);
  return b instanceof Uint8Array ? b : new Uint8Array(b);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Adds [start, end) to sorted, disjoint intervals (flat array of pairs), merging neighbours. */
export function addInterval(held: number[], start: number, end: number): void {
  if (end <= start) return;
  let i = 0;
  while (i < held.length && held[i + 1] < start) i += 2;
  let s = start;
  let e = end;
  let j = i;
  while (j < held.length && held[j] <= e) {
    if (held[j] < s) s = held[j];
    if (held[j + 1] > e) e = held[j + 1];
    j += 2;
  }
  held.splice(i, j - i, s, e);
}

/** The end of the interval holding `pos`, or pos when it is not held. */
export function heldUntil(held: number[], pos: number): number {
  for (let i = 0; i < held.length; i += 2) if (held[i] <= pos && pos < held[i + 1]) return held[i + 1];
  return pos;
}

/** The start of the first interval after pos, or Infinity. */
function nextHeld(held: number[], pos: number): number {
  for (let i = 0; i < held.length; i += 2) if (held[i] > pos) return held[i];
  return Infinity;
}

/**
 * The open: the first range, then (MP4) the rest of the moov or the moov from
 * the end. At most four requests; a file that is neither MP4 nor WebM is
 * played by its recorded duration or the assumed bitrate.
 */
export function openProgressive(size: number, fetch: RangeFetch, o: OpenOptions): Opened {
  const held: number[] = [];
  const first = fetch(0, Math.min(size, o.openBytes) - 1, true);
  let requests = 1;
  if (!first.ok) return { ok: false, held, requests };
  let bytes = bytesOf(first.body);
  addInterval(held, 0, first.whole ? size : bytes.length);

  let container: MediaLayout['container'] = 'other';
  let duration: number | undefined;
  let source: DurationSource = 'assumed';
  let mediaStart = 0;
  let mediaEnd = size - 1;
  let moovAtEnd = false;

  if (isEbml(bytes)) {
    container = 'webm';
    const info = ebmlInfo(bytes);
    if (info.durationSeconds !== undefined) {
      duration = info.durationSeconds;
      source = 'ebml';
    }
    if (info.firstCluster !== undefined) mediaStart = info.firstCluster;
  } else {
    // Walk the top-level boxes, fetching more where the walk runs out of bytes.
    let base = 0;
    let chunk = bytes;
    while (requests < 4) {
      const top = walkTopLevel(chunk, base, size);
      if (top.notMp4) break;
      container = 'mp4';
      if (top.mdat) {
        if (moovAtEnd) break; // a second mdat before the moov: keep the first one's bounds
        mediaStart = top.mdat.start + top.mdat.header;
        mediaEnd = Math.min(size, top.mdat.end) - 1;
        if (top.mdat.end >= size) break; // no moov after the media: unplayable index, use the fallbacks
        // The index is after the media: one range from the end of mdat to the end of the file.
        moovAtEnd = true;
        const r = fetch(top.mdat.end, size - 1, true);
        requests++;
        if (!r.ok) return { ok: false, held, requests };
        base = top.mdat.end;
        chunk = bytesOf(r.body);
        addInterval(held, base, base + chunk.length);
        continue;
      }
      if (top.moov) {
        const have = base + chunk.length - top.moov.start;
        let moov = chunk.subarray(top.moov.start - base);
        if (have < top.moov.end - top.moov.start) {
          // A moov larger than the first range: fetch the rest of it.
          const r = fetch(base + chunk.length, top.moov.end - 1, true);
          requests++;
          if (!r.ok) return { ok: false, held, requests };
          const rest = bytesOf(r.body);
          addInterval(held, base + chunk.length, base + chunk.length + rest.length);
          moov = concat(moov, rest);
        }
        const d = movieDuration(moov);
        if (d) {
          duration = d.seconds;
          source = d.from;
        }
        if (!moovAtEnd) {
          // Faststart: the media follows the moov (its mdat header, when seen, says exactly where).
          mediaStart = top.moov.end;
          const after = walkTopLevel(chunk.subarray(Math.max(0, top.moov.end - base)), top.moov.end, size);
          if (after.mdat) {
            mediaStart = after.mdat.start + after.mdat.header;
            mediaEnd = Math.min(size, after.mdat.end) - 1;
          }
        }
        break;
      }
      if (top.next === undefined || top.next >= size) break;
      // The first range ended inside the box headers (a large free or uuid box): read on.
      const r = fetch(top.next, Math.min(size, top.next + o.openBytes) - 1, true);
      requests++;
      if (!r.ok) return { ok: false, held, requests };
      base = top.next;
      chunk = bytesOf(r.body);
      addInterval(held, base, base + chunk.length);
    }
  }
  if (duration === undefined && o.recordedDuration !== undefined && o.recordedDuration > 0) {
    duration = o.recordedDuration;
    source = 'record';
  }
  if (duration === undefined || !(duration > 0)) {
    duration = (size * 8) / o.assumedBitrate;
    source = 'assumed';
  }
  if (mediaEnd < mediaStart) mediaEnd = mediaStart;
  return { ok: true, held, requests, layout: { container, durationSeconds: duration, durationSource: source, mediaStart, mediaEnd, moovAtEnd } };
}

/** Media bytes per media second: the mean bitrate of the media data. */
export function bytesPerSecond(l: MediaLayout): number {
  return (l.mediaEnd - l.mediaStart + 1) / l.durationSeconds;
}

/** Media seconds already held from the start of the media (what the open requests brought). */
export function heldSecondsFrom(l: MediaLayout, held: number[], seconds: number): number {
  const bps = bytesPerSecond(l);
  const pos = Math.floor(l.mediaStart + seconds * bps);
  const until = Math.min(heldUntil(held, pos), l.mediaEnd + 1);
  return until > pos ? (until - pos) / bps : 0;
}

/**
 * The chunks of a progressive file after the open: PLAYER_CHUNK_SECONDS of
 * media each, from the playhead's byte on, skipping what is already held.
 * The common case (the next chunk right after the last one) touches no
 * interval list: the interval ending at the cursor is extended in place and
 * the next held byte is remembered, so k6's slow runtime does little per chunk.
 */
export class ProgressiveSource implements MediaSource {
  private cursor = 0;
  /** Start of the first held interval after the cursor (Infinity: none). */
  private stop = Infinity;
  /** Index in `held` of the interval that ends at the cursor, or -1. */
  private cur = -1;
  private readonly bps: number;
  private readonly chunkBytes: number;
  private readonly end: number;

  constructor(
    private readonly layout: MediaLayout,
    private readonly held: number[],
    chunkSeconds: number,
    private readonly fetch: RangeFetch,
  ) {
    this.bps = bytesPerSecond(layout);
    this.chunkBytes = Math.max(1, Math.round(chunkSeconds * this.bps));
    this.end = layout.mediaEnd + 1;
    this.moveTo(layout.mediaStart);
  }

  /** Cursor to the first byte not held at or after pos; finds the interval it extends and the next held one. */
  private moveTo(pos: number): void {
    const held = this.held;
    let cursor = pos;
    this.cur = -1;
    this.stop = Infinity;
    for (let i = 0; i < held.length; i += 2) {
      if (held[i] <= cursor && cursor <= held[i + 1]) {
        cursor = held[i + 1];
        this.cur = i;
      } else if (held[i] > cursor) {
        this.stop = held[i];
        break;
      }
    }
    this.cursor = cursor < this.end ? cursor : this.end;
  }

  next(): ChunkResult | null {
    const start = this.cursor;
    if (start >= this.end) return null;
    let end = start + this.chunkBytes; // exclusive
    if (end > this.stop) end = this.stop;
    if (end > this.end) end = this.end;
    const r = this.fetch(start, end - 1, false);
    if (!r.ok) return { ok: false, mediaSeconds: 0 };
    if (r.whole) {
      addInterval(this.held, 0, this.end);
      this.moveTo(start);
    } else if (this.cur >= 0 && end < this.stop) {
      this.held[this.cur + 1] = end; // the common case: extend the interval in place
      this.cursor = end;
    } else {
      addInterval(this.held, start, end);
      // Reached held bytes (from an earlier seek): they join the buffer too.
      this.moveTo(start);
    }
    const bps = this.bps;
    return { ok: true, mediaSeconds: (this.cursor - start) / bps, downloadedSeconds: (end - start) / bps };
  }

  seek(seconds: number): number {
    const l = this.layout;
    const pos = Math.min(l.mediaEnd, Math.max(l.mediaStart, Math.floor(l.mediaStart + seconds * this.bps)));
    this.moveTo(pos);
    return (this.cursor - pos) / this.bps;
  }
}
