// The duration of a WebM/Matroska file from its first bytes: EBML header,
// then Segment > Info > TimecodeScale and Duration (a float in timecode-scale
// units, nanoseconds per unit, 1,000,000 by default). Also where the first
// Cluster (the media) starts. Pure, over Uint8Array.

const EBML_MAGIC = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const CLUSTER = 0x1f43b675;
const TIMECODE_SCALE = 0x2ad7b1;
const DURATION = 0x4489;

/** True when the bytes start with the EBML magic number. */
export function isEbml(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3;
}

interface Vint {
  value: number;
  length: number;
  /** All value bits set: "unknown size". */
  unknown: boolean;
}

/** A variable-length integer at i; `keepMarker` for element IDs. Null when cut off or invalid. */
function vint(b: Uint8Array, i: number, keepMarker: boolean): Vint | null {
  if (i >= b.length) return null;
  const first = b[i];
  let length = 1;
  let mask = 0x80;
  while (length <= 8 && !(first & mask)) {
    length++;
    mask >>= 1;
  }
  if (length > 8 || i + length > b.length) return null;
  let value = keepMarker ? first : first & (mask - 1);
  let allOnes = (first & (mask - 1)) === mask - 1;
  for (let k = 1; k < length; k++) {
    value = value * 256 + b[i + k];
    if (b[i + k] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

export interface EbmlInfo {
  /** Seconds, when the Info element holds a Duration. */
  durationSeconds?: number;
  /** File offset of the first Cluster, when seen. */
  firstCluster?: number;
}

function readFloat(b: Uint8Array, i: number, size: number): number | undefined {
  if (i + size > b.length) return undefined;
  const view = new DataView(b.buffer, b.byteOffset + i, size);
  if (size === 4) return view.getFloat32(0);
  if (size === 8) return view.getFloat64(0);
  return undefined;
}

function readUint(b: Uint8Array, i: number, size: number): number | undefined {
  if (i + size > b.length || size > 7) return undefined;
  let v = 0;
  for (let k = 0; k < size; k++) v = v * 256 + b[i + k];
  return v;
}

/** Reads the duration from the start of a WebM/Matroska file (the first bytes, e.g. 256 KiB). */
export function ebmlInfo(b: Uint8Array): EbmlInfo {
  const out: EbmlInfo = {};
  if (!isEbml(b)) return out;
  let i = 0;
  // One linear walk: the EBML header is skipped, Segment and Info are entered
  // (their children follow them), every other element is skipped by its size.
  let scale = 1_000_000;
  let duration: number | undefined;
  while (i < b.length) {
    const id = vint(b, i, true);
    if (!id) break;
    const size = vint(b, i + id.length, false);
    if (!size) break;
    const payload = i + id.length + size.length;
    if (id.value === EBML_MAGIC) {
      i = payload + size.value;
    } else if (id.value === SEGMENT || id.value === INFO) {
      // Enter: its children follow (a live Segment has an unknown size).
      i = payload;
    } else if (id.value === CLUSTER) {
      out.firstCluster = i;
      break;
    } else {
      if (id.value === TIMECODE_SCALE) scale = readUint(b, payload, size.value) ?? scale;
      else if (id.value === DURATION) duration = readFloat(b, payload, size.value);
      if (size.unknown) break;
      i = payload + size.value;
    }
  }
  if (duration !== undefined && duration > 0 && Number.isFinite(duration)) out.durationSeconds = (duration * scale) / 1e9;
  return out;
}
