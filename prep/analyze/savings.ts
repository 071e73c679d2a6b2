// Estimated savings from re-encoding oversized videos. The ratios are the
// reference toolkit's "Compression Efficiency Comparison (Approximate)" table:
// output size relative to H.264 at the same quality. They are assumptions, and
// every report says so: the real figure depends on the sources.

export interface CodecAssumption {
  codec: 'h264' | 'h265' | 'vp9' | 'av1';
  label: string;
  /** Output size relative to an H.264 source: low and high end of the range, and the midpoint used. */
  relativeSizeLow: number;
  relativeSizeHigh: number;
  assumedRelativeSize: number;
}

export const CODEC_ASSUMPTIONS: readonly CodecAssumption[] = [
  { codec: 'h264', label: 'H.264', relativeSizeLow: 1, relativeSizeHigh: 1, assumedRelativeSize: 1 },
  { codec: 'h265', label: 'H.265/HEVC', relativeSizeLow: 0.4, relativeSizeHigh: 0.6, assumedRelativeSize: 0.5 },
  { codec: 'vp9', label: 'VP9', relativeSizeLow: 0.45, relativeSizeHigh: 0.65, assumedRelativeSize: 0.55 },
  { codec: 'av1', label: 'AV1', relativeSizeLow: 0.3, relativeSizeHigh: 0.5, assumedRelativeSize: 0.4 },
];

export const SAVINGS_ASSUMPTION_NOTE =
  'Assumes the sources are H.264 and applies the approximate size of each codec relative to H.264 at the same quality ' +
  '(reference compression table: H.265 40-60%, VP9 45-65%, AV1 30-50%; the midpoint is used). Re-encoding H.264 to H.264 ' +
  'saves only through lower quality or resolution settings, which this estimate does not count. Real savings depend on the sources.';

export interface SavingsEstimate extends CodecAssumption {
  estimatedSizeAfterBytes: number;
  estimatedSavingsBytes: number;
  /** Savings range from the ends of the ratio range. */
  savingsLowBytes: number;
  savingsHighBytes: number;
}

export function estimateSavings(bytes: number): SavingsEstimate[] {
  // Savings = bytes - size after, so the two always add up to the bytes.
  return CODEC_ASSUMPTIONS.map((a) => {
    const after = Math.round(bytes * a.assumedRelativeSize);
    return {
      ...a,
      estimatedSizeAfterBytes: after,
      estimatedSavingsBytes: bytes - after,
      savingsLowBytes: bytes - Math.round(bytes * a.relativeSizeHigh),
      savingsHighBytes: bytes - Math.round(bytes * a.relativeSizeLow),
    };
  });
}
