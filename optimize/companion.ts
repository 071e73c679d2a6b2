// The --create-webm companion: a second, verified encode beside the output
// (VP9 unless the main codec goes in WebM), picture-checked against the source
// like the main output. It never replaces anything.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { commandLine, ffmpegArgv, runFfmpeg } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe.js';
import { warn } from '../lib/log.js';
import type { RunContext } from './context.js';
import { chooseEncoder } from './hwaccel.js';
import { planEncode, type EncodeSettings } from './plan.js';
import { checkPicture, describeScore, type PictureScore } from './picture-check.js';
import { CRF_TABLE, webmCodecFor } from './profiles.js';
import { planStreams } from './streams.js';
import { verifyOutput } from './verify.js';

export interface Companion {
  /** The verified file in the work folder, undefined when it failed verification. */
  path?: string;
  size: number;
  command: string;
  ok: boolean;
  /** The picture check's score (when the structure verified). */
  picture?: PictureScore;
}

export async function encodeCompanion(ctx: RunContext, key: string, source: string, probe: ProbeInfo, sourceSize: number, settings: EncodeSettings, workDir: string): Promise<Companion> {
  const { o } = ctx;
  const codec = webmCodecFor(o.codec);
  const choice = await chooseEncoder(ctx.ffmpeg, codec, 'none');
  const path = join(workDir, 'output.webm');
  // WebM holds no cover pictures, attachments or data streams: the companion leaves them out (the main output keeps them).
  const streams = planStreams(probe, { container: 'webm', audioProfile: o.audioProfile, drop: { subtitles: o.drop.subtitles, dataStreams: true, attachments: true } });
  if (streams.refused) warn(`${key}: the WebM companion ${streams.refused.replace(/^would lose/, 'leaves out')}`);
  const kept = streams.refused ? planStreams(probe, { container: 'webm', audioProfile: o.audioProfile, drop: { subtitles: true, dataStreams: true, attachments: true } }) : streams;
  const plan = planEncode(source, path, probe, { ...settings, codec, encoder: choice.encoder, crf: CRF_TABLE[codec][o.quality], container: 'webm' }, { streams: kept });
  const startedMs = Date.now();
  await ctx.budget.run(ctx.threads, () => runFfmpeg(ctx.ffmpeg, plan.args, { signal: o.signal, onProgress: (p) => ctx.progress.file(key, probe.durationSec, { doneSec: p.outTimeSec, frames: p.frame, startedMs, phase: 'webm' }) }));
  const size = (await stat(path)).size;
  const ver = await verifyOutput({ ffmpeg: ctx.ffmpeg, ffprobe: ctx.ffprobe }, probe, sourceSize, path, size,
    { codec, width: plan.geometry.width, height: plan.geometry.height, maxOutputRatio: 1, checkSize: false, streams: kept }, o.signal);
  const command = commandLine(ffmpegArgv(ctx.ffmpeg, plan.args));
  if (!ver.ok) {
    warn(`${key}: the WebM companion failed verification and is not written`);
    return { size, command, ok: false };
  }
  // The same picture check and floors as the main output.
  let picture: PictureScore;
  try {
    picture = await checkPicture(ctx.ffmpeg, { path: source, video: probe.video! }, { path, video: ver.output!.video! }, plan.geometry, probe.durationSec,
      { vmaf: ctx.vmaf, threads: ctx.threads, full: o.fullQualityCheck, signal: o.signal });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    warn(`${key}: the WebM companion's picture check could not run (${(err as Error).message}); it is not written`);
    return { size, command, ok: false };
  }
  const low = picture.ssim < o.minSsim || (o.minVmaf !== undefined && picture.vmaf !== undefined && picture.vmaf < o.minVmaf);
  if (low) warn(`${key}: the WebM companion's picture differs from the source (${describeScore(picture)}, below --min-ssim ${o.minSsim}${o.minVmaf !== undefined ? ` or --min-vmaf ${o.minVmaf}` : ''}); it is not written`);
  return { path: low ? undefined : path, size, command, ok: !low, picture };
}
