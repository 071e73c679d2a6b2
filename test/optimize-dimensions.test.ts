// Output dimensions: a pure function checked exhaustively over many source
// sizes, every target and fit mode, plus known cases worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  computeOutputGeometry,
  FIT_MODES,
  orientedBox,
  TARGET_RESOLUTIONS,
  videoFilter,
} from '../optimize/dimensions.js';

const sizes: [number, number][] = [];
for (let w = 2; w <= 4200; w += 151) for (let h = 2; h <= 4200; h += 173) sizes.push([w, h]);
sizes.push([1001, 563], [1080, 1920], [1920, 1080], [3840, 2160], [7680, 4320], [640, 360], [641, 361], [3, 3], [2, 2], [720, 576]);

describe('computeOutputGeometry', () => {
  it('is even, within the box, never upscaled, for every size, target and fit', () => {
    let checked = 0;
    for (const [w, h] of sizes) {
      for (const target of TARGET_RESOLUTIONS) {
        const box = orientedBox(target, w, h);
        for (const fit of FIT_MODES) {
          const g = computeOutputGeometry(w, h, target, fit);
          const where = `${w}x${h} ${target} ${fit} -> ${JSON.stringify(g)}`;
          for (const n of [g.width, g.height, g.scaleWidth, g.scaleHeight]) {
            expect(n % 2, where).toBe(0);
            expect(n, where).toBeGreaterThanOrEqual(2);
          }
          expect(g.width, where).toBeLessThanOrEqual(box.width);
          expect(g.height, where).toBeLessThanOrEqual(box.height);
          // never upscale the picture (an odd source loses at most its last row/column)
          expect(g.scaleWidth, where).toBeLessThanOrEqual(Math.max(2, w));
          expect(g.scaleHeight, where).toBeLessThanOrEqual(Math.max(2, h));
          if (fit === 'contain') {
            expect([g.width, g.height], where).toEqual([g.scaleWidth, g.scaleHeight]);
            // aspect kept within the rounding to even pixels
            if (g.width >= 32 && g.height >= 32) expect(Math.abs(g.width / g.height - w / h) / (w / h), where).toBeLessThan(0.1);
            // one side touches the box, or the source fitted already
            const fits = w <= box.width && h <= box.height;
            if (!fits) expect(g.width >= box.width - 2 || g.height >= box.height - 2, where).toBe(true);
          }
          if (fit === 'cover' && w >= box.width && h >= box.height) expect([g.width, g.height], where).toEqual([box.width, box.height]);
          if (fit === 'stretch') expect([g.width, g.height], where).toEqual([Math.min(box.width, Math.max(2, Math.floor(w / 2) * 2)), Math.min(box.height, Math.max(2, Math.floor(h / 2) * 2))]);
          if (fit === 'pad' && (w > box.width || h > box.height)) expect([g.width, g.height], where).toEqual([box.width, box.height]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('gives the hand-worked cases', () => {
    const c = (w: number, h: number, t: (typeof TARGET_RESOLUTIONS)[number], f: (typeof FIT_MODES)[number]) => {
      const g = computeOutputGeometry(w, h, t, f);
      return [g.scaleWidth, g.scaleHeight, g.width, g.height];
    };
    expect(c(1920, 1080, '720p', 'contain')).toEqual([1280, 720, 1280, 720]);
    expect(c(1001, 563, '360p', 'contain')).toEqual([640, 360, 640, 360]);
    expect(c(1001, 563, '1080p', 'contain')).toEqual([1000, 562, 1000, 562]);
    expect(c(1080, 1920, '720p', 'contain')).toEqual([720, 1280, 720, 1280]);
    expect(c(1080, 1920, '360p', 'cover')).toEqual([360, 640, 360, 640]);
    expect(c(1440, 1080, '720p', 'pad')).toEqual([960, 720, 1280, 720]);
    expect(c(1440, 1080, '720p', 'cover')).toEqual([1280, 960, 1280, 720]);
    expect(c(1440, 1080, '720p', 'stretch')).toEqual([1280, 720, 1280, 720]);
    expect(c(400, 300, '720p', 'pad')).toEqual([400, 300, 400, 300]);
    expect(c(400, 300, '720p', 'stretch')).toEqual([400, 300, 400, 300]);
    expect(c(3840, 2160, '4k', 'contain')).toEqual([3840, 2160, 3840, 2160]);
    // anamorphic DVD (720x576 with 16:15 sample aspect) displays 768 wide
    const g = computeOutputGeometry(720, 576, '1080p', 'contain', 16 / 15);
    expect([g.width, g.height]).toEqual([768, 576]);
  });

  it('builds a filter naming exactly those sizes', () => {
    expect(videoFilter(computeOutputGeometry(1440, 1080, '720p', 'cover'))).toBe('scale=1280:960:flags=bicubic,crop=1280:720:(iw-1280)/2:(ih-720)/2,setsar=1');
    expect(videoFilter(computeOutputGeometry(1440, 1080, '720p', 'pad'))).toBe('scale=960:720:flags=bicubic,pad=1280:720:(ow-iw)/2:(oh-ih)/2:black,setsar=1');
    expect(() => computeOutputGeometry(0, 10, '720p', 'contain')).toThrow(/invalid source size/);
  });
});
