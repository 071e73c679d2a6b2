// Output dimensions for a target resolution and fit mode: a pure function, so
// the ffmpeg filter is built from numbers tested here, never guessed by ffmpeg.
// Rules: never upscale, every output dimension even (yuv420p needs it), at least 2.

export type TargetResolution = '4k' | '1080p' | '720p' | '480p' | '360p';
export type FitMode = 'contain' | 'cover' | 'pad' | 'stretch';

export const TARGET_RESOLUTIONS: readonly TargetResolution[] = ['4k', '1080p', '720p', '480p', '360p'];
export const FIT_MODES: readonly FitMode[] = ['contain', 'cover', 'pad', 'stretch'];

/** Landscape box of each target (portrait sources get the box turned: 720p is 720x1280 for them). */
export const RESOLUTION_BOX: Record<TargetResolution, { width: number; height: number }> = {
  '4k': { width: 3840, height: 2160 },
  '1080p': { width: 1920, height: 1080 },
  '720p': { width: 1280, height: 720 },
  '480p': { width: 854, height: 480 },
  '360p': { width: 640, height: 360 },
};

export interface OutputGeometry {
  /** Final frame size. */
  width: number;
  height: number;
  /** Size the picture is scaled to before crop (cover) or pad (pad). */
  scaleWidth: number;
  scaleHeight: number;
  crop: boolean;
  pad: boolean;
}

/** Largest even number <= n, at least 2. */
export function evenFloor(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}

/** Nearest even number to n (ties up), at least 2. */
export function evenRound(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** The target box turned to the source's orientation. */
export function orientedBox(target: TargetResolution, srcWidth: number, srcHeight: number): { width: number; height: number } {
  const box = RESOLUTION_BOX[target];
  return srcHeight > srcWidth ? { width: box.height, height: box.width } : { ...box };
}

/**
 * Output geometry for a source of srcWidth x srcHeight (storage pixels, sar = sample aspect ratio)
 * fitted into the target box:
 * - contain: the whole picture inside the box, aspect kept;
 * - cover: the box filled, aspect kept, the overflow cropped from the centre;
 * - pad: contain, then letterbox/pillarbox bars up to the box (only when the source was shrunk: no bars around a small source);
 * - stretch: exactly the box, aspect ignored.
 * A source smaller than the box is never enlarged; it only loses an odd pixel row/column.
 */
export function computeOutputGeometry(
  srcWidth: number,
  srcHeight: number,
  target: TargetResolution,
  fit: FitMode,
  sar = 1,
): OutputGeometry {
  if (!(srcWidth > 0 && srcHeight > 0)) throw new Error(`invalid source size ${srcWidth}x${srcHeight}`);
  const dispW = srcWidth * (sar > 0 ? sar : 1);
  const dispH = srcHeight;
  const box = orientedBox(target, dispW, dispH);
  const maxW = evenFloor(box.width);
  const maxH = evenFloor(box.height);
  if (fit === 'stretch') {
    const width = Math.min(maxW, evenFloor(dispW));
    const height = Math.min(maxH, evenFloor(dispH));
    return { width, height, scaleWidth: width, scaleHeight: height, crop: false, pad: false };
  }
  if (fit === 'cover') {
    const s = Math.min(1, Math.max(box.width / dispW, box.height / dispH));
    const scaleWidth = Math.min(evenFloor(dispW), s < 1 ? evenRound(dispW * s) : evenFloor(dispW));
    const scaleHeight = Math.min(evenFloor(dispH), s < 1 ? evenRound(dispH * s) : evenFloor(dispH));
    // Scaling rounds to even; the crop takes at most the box and at most what was scaled.
    const width = Math.min(maxW, evenFloor(scaleWidth));
    const height = Math.min(maxH, evenFloor(scaleHeight));
    return { width, height, scaleWidth, scaleHeight, crop: width !== scaleWidth || height !== scaleHeight, pad: false };
  }
  const s = Math.min(1, box.width / dispW, box.height / dispH);
  const scaleWidth = Math.min(maxW, evenFloor(dispW), s < 1 ? evenRound(dispW * s) : evenFloor(dispW));
  const scaleHeight = Math.min(maxH, evenFloor(dispH), s < 1 ? evenRound(dispH * s) : evenFloor(dispH));
  if (fit === 'pad' && s < 1) {
    return { width: maxW, height: maxH, scaleWidth, scaleHeight, crop: false, pad: scaleWidth !== maxW || scaleHeight !== maxH };
  }
  return { width: scaleWidth, height: scaleHeight, scaleWidth, scaleHeight, crop: false, pad: false };
}

/** The -vf chain that produces exactly geometry.width x geometry.height with square pixels. */
export function videoFilter(g: OutputGeometry): string {
  const parts = [`scale=${g.scaleWidth}:${g.scaleHeight}:flags=bicubic`];
  if (g.crop) parts.push(`crop=${g.width}:${g.height}:(iw-${g.width})/2:(ih-${g.height})/2`);
  if (g.pad) parts.push(`pad=${g.width}:${g.height}:(ow-iw)/2:(oh-ih)/2:black`);
  parts.push('setsar=1');
  return parts.join(',');
}
