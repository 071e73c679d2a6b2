// The rendition ladder made from a source: three video renditions whose short
// side is the source's (at most 720), two thirds and two fifths of it, never
// upscaled, with a bitrate from the picture size (about 0.08 bits per pixel
// per frame, the range x264 gives clean pictures in at these sizes).

export interface Rung {
  /** v0 is the highest rendition. */
  id: string;
  width: number;
  height: number;
  /** Target video bits per second (x264 -b:v and -maxrate). */
  bitrate: number;
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

export function ladderFor(source: { width: number; height: number; fps: number }): Rung[] {
  const short = Math.min(source.width, source.height);
  const long = Math.max(source.width, source.height);
  if (!(short > 0)) throw new Error('the source has no video picture size');
  const top = even(Math.min(short, 720));
  const sides = [...new Set([top, even((top * 2) / 3), even((top * 2) / 5)])].filter((s) => s >= 16);
  const fps = Math.min(source.fps > 0 ? source.fps : 25, 60);
  return sides.map((s, i) => {
    const l = even((long * s) / short);
    const [width, height] = source.width >= source.height ? [l, s] : [s, l];
    return { id: `v${i}`, width, height, bitrate: Math.max(20_000, Math.round((width * height * fps * 0.08) / 1000) * 1000) };
  });
}
