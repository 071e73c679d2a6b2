// Encode stage: one output from one source, whole or as parallel segments,
// at the profile's CRF or at the CRF a --target-ssim search found.
import { availableParallelism } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { commandLine, ffmpegArgv, runFfmpeg } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe.js';
import { warn } from '../lib/log.js';
import type { RunContext } from './context.js';
import type { OutputGeometry } from './dimensions.js';
import { planEncode, type EncodeSettings } from './plan.js';
import { encodeSegmented } from './segment.js';
import type { StreamPlan } from './streams.js';
import { searchCrf } from './target-quality.js';

export interface EncodeResult {
  geometry: OutputGeometry;
  /** Every ffmpeg command run for the output, one per line. */
  command: string;
  crf: number;
  /** --target-ssim: CRF tried -> mean SSIM of the sample encodes. */
  crfSearch?: { crf: number; ssim: number }[];
  /** Segments encoded (--segment-parallel). */
  segments?: number;
  /** Wall time of the encode (search included), seconds. */
  encodeSec: number;
}

export async function encodeOutput(ctx: RunContext, key: string, source: string, probe: ProbeInfo, streams: StreamPlan, settings: EncodeSettings, outPath: string, workDir: string): Promise<EncodeResult> {
  const { o } = ctx;
  const started = Date.now();
  let crfSearch: EncodeResult['crfSearch'];
  if (o.targetSsim !== undefined) {
    const found = await searchCrf(ctx.ffmpeg, source, probe, settings, o.targetSsim, workDir, o.signal);
    settings = { ...settings, crf: found.crf };
    crfSearch = found.tried;
    if (!found.met) warn(`${key}: no CRF in the search window reached SSIM ${o.targetSsim} on the samples; using CRF ${found.crf}`);
  }
  const encodeStarted = Date.now();
  const report = (doneSec: number, frames: number) => ctx.progress.file(key, probe.durationSec, { doneSec, frames, startedMs: encodeStarted });
  if (o.segmentParallel && probe.durationSec >= 2 * o.segmentDuration) {
    const segDir = join(workDir, 'segments');
    await mkdir(segDir, { recursive: true });
    // Segments at once per file, and threads each so that all encoders together use the CPUs once
    // (measured on 2 cores: 2 single-threaded segments beat 2 two-threaded ones; see bench/optimize.mjs).
    const segWorkers = Math.max(2, o.workers);
    const segThreads = o.threads > 0 ? o.threads : Math.max(1, Math.floor(availableParallelism() / (segWorkers * o.workers)));
    const seg = await encodeSegmented(ctx.ffmpeg, source, outPath, probe, { ...settings, threads: segThreads }, {
      segmentSec: o.segmentDuration, workers: segWorkers, workDir: segDir, streams, signal: o.signal, onProgress: report,
    });
    await rm(segDir, { recursive: true, force: true });
    return { geometry: seg.geometry, command: seg.commands.join('\n'), crf: settings.crf, crfSearch, segments: seg.segments, encodeSec: (Date.now() - started) / 1000 };
  }
  const plan = planEncode(source, outPath, probe, settings, { streams });
  await runFfmpeg(ctx.ffmpeg, plan.args, { signal: o.signal, onProgress: (p) => report(p.outTimeSec, p.frame) });
  return { geometry: plan.geometry, command: commandLine(ffmpegArgv(ctx.ffmpeg, plan.args)), crf: settings.crf, crfSearch, encodeSec: (Date.now() - started) / 1000 };
}
