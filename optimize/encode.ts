// Encode stage: one output from one source, whole or as parallel segments,
// at the profile's CRF or at the CRF a --target-ssim search found. A hardware
// encoder that fails at run time (a session limit, a driver error) is not the
// end of the file: it is encoded again in software, and the report says so.
import { createHash } from 'node:crypto';
import { rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { commandLine, ffmpegArgv, runFfmpeg } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe.js';
import { info, warn } from '../lib/log.js';
import type { RunContext } from './context.js';
import type { OutputGeometry } from './dimensions.js';
import { chooseEncoder, isHardwareEncoder } from './hwaccel.js';
import { planEncode, type EncodeSettings } from './plan.js';
import { chunkIdentity, encodeSegmented, TooFewKeyframes } from './segment.js';
import type { StreamPlan } from './streams.js';
import { searchCrf } from './target-quality.js';

export interface EncodeResult {
  geometry: OutputGeometry;
  /** Every ffmpeg command run for the output, one per line. */
  command: string;
  /** The encoder that made the output (software when a hardware encode failed). */
  encoder: string;
  crf: number;
  /** --target-ssim: CRF tried -> mean SSIM of the sample encodes. */
  crfSearch?: { crf: number; ssim: number }[];
  /** Segments encoded (--segment-parallel), and how many a previous attempt had finished. */
  segments?: number;
  segmentsReused?: number;
  /** What the report should say about how it was encoded (a fallback, no split). */
  notes: string[];
  /** Wall time of the encode (search included), seconds. */
  encodeSec: number;
}

/** A file's chunk folder for --segment-parallel: beside the manifest, named by the file's manifest id. */
export function chunkDirFor(manifestPath: string, id: string): string {
  return join(`${manifestPath}.chunks`, createHash('sha1').update(id).digest('hex').slice(0, 16));
}

/** Consecutive files whose hardware encode failed before the run stops trying hardware. */
const HARDWARE_GIVE_UP = 3;

export async function encodeOutput(
  ctx: RunContext, id: string, key: string, source: string, sourceIdentity: unknown, probe: ProbeInfo, streams: StreamPlan,
  settings: EncodeSettings, outPath: string, workDir: string,
): Promise<EncodeResult> {
  const { o } = ctx;
  const started = Date.now();
  try {
    const r = await encodeWith(ctx, id, key, source, sourceIdentity, probe, streams, settings, outPath, workDir);
    if (isHardwareEncoder(settings.encoder)) ctx.hardwareFailures = 0;
    return { ...r, encodeSec: (Date.now() - started) / 1000 };
  } catch (err) {
    if (o.signal?.aborted || !isHardwareEncoder(settings.encoder)) throw err;
    // A hardware encoder passed its trial but failed on this file: a session limit, a driver error.
    const why = (err as Error).message;
    const sw = await chooseEncoder(ctx.ffmpeg, o.codec, 'none');
    warn(`${key}: ${settings.encoder} failed (${why}); encoding it in software with ${sw.encoder}`);
    if (++ctx.hardwareFailures >= HARDWARE_GIVE_UP && ctx.hardware) {
      ctx.hardware = false;
      ctx.encoder = sw.encoder;
      info(`hardware acceleration: ${HARDWARE_GIVE_UP} files in a row failed with ${settings.encoder}; the rest of the run uses ${sw.encoder}`);
    }
    await rm(outPath, { force: true });
    const r = await encodeWith(ctx, id, key, source, sourceIdentity, probe, streams, { ...settings, encoder: sw.encoder }, outPath, workDir);
    return { ...r, notes: [`${settings.encoder} failed at run time (${why}); encoded in software with ${sw.encoder}`, ...r.notes], encodeSec: (Date.now() - started) / 1000 };
  }
}

async function encodeWith(
  ctx: RunContext, id: string, key: string, source: string, sourceIdentity: unknown, probe: ProbeInfo, streams: StreamPlan,
  settings: EncodeSettings, outPath: string, workDir: string,
): Promise<Omit<EncodeResult, 'encodeSec'>> {
  const { o } = ctx;
  const notes: string[] = [];
  let crfSearch: EncodeResult['crfSearch'];
  if (o.targetSsim !== undefined) {
    const found = await ctx.budget.run(ctx.threads, () => searchCrf(ctx.ffmpeg, source, probe, settings, o.targetSsim!, workDir, o.signal));
    settings = { ...settings, crf: found.crf };
    crfSearch = found.tried;
    if (!found.met) warn(`${key}: no CRF in the search window reached SSIM ${o.targetSsim} on the samples; using CRF ${found.crf}`);
  }
  const encodeStarted = Date.now();
  const report = (doneSec: number, frames: number) => ctx.progress.file(key, probe.durationSec, { doneSec, frames, startedMs: encodeStarted });
  if (o.segmentParallel && probe.durationSec >= 2 * o.segmentDuration) {
    const chunkDir = chunkDirFor(o.manifestPath, id);
    // Single-threaded segments, as many at once as the run's CPU budget lets run (measured on 2 cores:
    // 2 single-threaded segments beat 2 two-threaded ones; see bench/optimize.mjs). --threads overrides.
    const segSettings = { ...settings, threads: o.threads > 0 ? o.threads : 1 };
    try {
      const seg = await encodeSegmented(ctx.ffmpeg, source, outPath, probe, segSettings, {
        segmentSec: o.segmentDuration, workers: ctx.budget.total, chunkDir, identity: chunkIdentity(sourceIdentity, probe, segSettings, o.segmentDuration),
        streams, budget: ctx.budget, signal: o.signal, onProgress: report,
      });
      if (seg.reused) notes.push(`${seg.reused} of ${seg.segments} segments reused from an earlier attempt`);
      // Joined: the chunks are no longer needed (a failure before this point keeps them for the retry).
      await rm(chunkDir, { recursive: true, force: true });
      await rmdir(dirname(chunkDir)).catch(() => undefined);
      return { geometry: seg.geometry, command: seg.commands.join('\n'), encoder: settings.encoder, crf: settings.crf, crfSearch, segments: seg.segments, segmentsReused: seg.reused, notes };
    } catch (err) {
      if (!(err instanceof TooFewKeyframes)) throw err;
      await rm(chunkDir, { recursive: true, force: true });
      await rmdir(dirname(chunkDir)).catch(() => undefined); // the chunks folder, when no other file has one
      notes.push(`not split: ${err.message}; encoded whole`);
    }
  }
  const plan = planEncode(source, outPath, probe, settings, { streams });
  await ctx.budget.run(ctx.threads, () => runFfmpeg(ctx.ffmpeg, plan.args, { signal: o.signal, onProgress: (p) => report(p.outTimeSec, p.frame) }));
  return { geometry: plan.geometry, command: commandLine(ffmpegArgv(ctx.ffmpeg, plan.args)), encoder: settings.encoder, crf: settings.crf, crfSearch, notes };
}
