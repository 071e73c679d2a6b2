// --target-ssim: find the largest CRF (smallest file) whose short sample
// encodes still reach the SSIM asked for, by bisection over a window around
// the quality profile's CRF.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '../media/ffmpeg.js';
import { planEncode, type EncodeSettings } from './plan.js';
import type { ProbeInfo } from '../media/probe.js';
import { CRF_RANGE } from './profiles.js';
import { compare } from './picture-check.js';

export interface SsimSearchResult {
  crf: number;
  /** Mean sample SSIM at that CRF (undefined when even the lowest CRF missed the target). */
  sampleSsim?: number;
  met: boolean;
  /** CRF -> mean sample SSIM, in the order tried. */
  tried: { crf: number; ssim: number }[];
}

/** Sample windows: up to 3 of sampleSec each, spread over the file; the whole file when it is short. */
export function sampleWindows(durationSec: number, sampleSec = 2, count = 3): { start: number; duration: number }[] {
  if (durationSec <= sampleSec * count * 1.5) return [{ start: 0, duration: durationSec }];
  return Array.from({ length: count }, (_, i) => {
    const centre = (durationSec * (i + 1)) / (count + 1);
    return { start: Math.max(0, centre - sampleSec / 2), duration: sampleSec };
  });
}

export async function searchCrf(
  ffmpeg: string,
  source: string,
  probe: ProbeInfo,
  settings: EncodeSettings,
  targetSsim: number,
  workDir: string,
  signal?: AbortSignal,
): Promise<SsimSearchResult> {
  const [minCrf, maxCrf] = CRF_RANGE[settings.codec];
  let lo = Math.max(minCrf, settings.crf - 12);
  let hi = Math.min(maxCrf, settings.crf + 12);
  const windows = sampleWindows(probe.durationSec);
  const tried: { crf: number; ssim: number }[] = [];
  const measure = async (crf: number): Promise<number> => {
    let sum = 0;
    for (const [i, w] of windows.entries()) {
      const out = join(workDir, `sample-${crf}-${i}.${settings.container === 'webm' ? 'webm' : 'mkv'}`);
      const s = { ...settings, crf, container: settings.container === 'webm' ? ('webm' as const) : ('mkv' as const) };
      const plan = planEncode(source, out, probe, s, { startSec: w.start, durationSec: w.duration, videoOnly: true });
      await runFfmpeg(ffmpeg, plan.args, { signal });
      const score = await compare(ffmpeg, { path: source, video: probe.video!, seek: { startSec: w.start, durationSec: w.duration } },
        { path: out, video: { index: 0, displayWidth: plan.geometry.width, displayHeight: plan.geometry.height } }, plan.geometry, { vmaf: false, signal });
      sum += score.ssim;
      await rm(out, { force: true });
    }
    const ssim = sum / windows.length;
    tried.push({ crf, ssim });
    return ssim;
  };
  // Invariant: best is the largest CRF known to meet the target.
  let best: { crf: number; ssim: number } | undefined;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const ssim = await measure(mid);
    if (ssim >= targetSsim) {
      best = { crf: mid, ssim };
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!best) return { crf: Math.max(minCrf, settings.crf - 12), met: false, tried };
  return { crf: best.crf, sampleSsim: best.ssim, met: true, tried };
}
