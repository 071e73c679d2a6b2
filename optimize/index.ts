// The optimize pipeline: candidates -> (recover | skip) -> fetch -> probe ->
// encode (whole, segmented, or at a searched CRF) -> verify -> place or replace
// -> report. One worker per file; each file's failure is recorded, never fatal.
import { availableParallelism, totalmem, tmpdir } from 'node:os';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { RuntimeError, UsageError } from '../lib/errors.js';
import { info, warn } from '../lib/log.js';
import { createMultiProgress, createProgress, formatDuration } from '../lib/progress.js';
import { requireTool } from '../lib/tools.js';
import type { ListOptions, StoredObject } from '../storage/index.js';
import { createS3Client } from '../storage/s3.js';
import { MIB } from '../common/byte-size.js';
import { findCandidates } from './candidates.js';
import { orientedBox, type FitMode, type TargetResolution } from './dimensions.js';
import { planEncode, type EncodeSettings } from './encode.js';
import { commandLine, ffmpegArgv, runFfmpeg, type FfmpegProgress } from '../media/ffmpeg.js';
import { chooseEncoder, type HardwareChoice } from './hwaccel.js';
import { FINAL_STATES, openManifest, type Manifest, type ManifestEntry } from './manifest.js';
import { exists, placeFile, safeBaseName, safeJoin, withExtension, workDirFor } from './paths.js';
import { runPool } from './pool.js';
import { bitsPerPixel, probeFile, type ProbeInfo } from '../media/probe.js';
import {
  checkCompatibility,
  containerOfKey,
  CONTAINER_CODECS,
  CRF_TABLE,
  EFFICIENT_BPP,
  PREDICTED_BPP,
  AUDIO_PROFILE,
  QUALITY_PRESET,
  PROBE_CODEC,
  webmCodecFor,
  type AudioProfileName,
  type CodecName,
  type ContainerName,
  type PresetName,
  type QualityName,
} from './profiles.js';
import { continueLocal, continueS3, replaceLocal, replaceS3, type S3Target } from './replace.js';
import { computeTotals, writeOptimizeReport, type FileReport, type OptimizeReport } from './report.js';
import { downloadHead, downloadObject, headObject, uploadFile } from './s3-objects.js';
import { encodeSegmented } from './segment.js';
import { measureSsim } from './ssim.js';
import { searchCrf } from './target-quality.js';
import { verifyOutput, type Verification } from './verify.js';

export interface OptimizeOptions {
  location?: ListOptions;
  listingFile?: string;
  sizeThresholdMiB: number;
  extensions: string[];
  limit?: number;
  dryRun: boolean;
  mode: 'copy' | 'in-place';
  optimizedVideosDir: string;
  /** Output prefix in the bucket (copy mode, S3 sources). */
  outputPrefix?: string;
  codec: CodecName;
  quality: QualityName;
  /** Overrides the quality profile's preset. */
  preset?: PresetName;
  /** Overrides the quality profile's CRF. */
  crf?: number;
  targetResolution: TargetResolution;
  fit: FitMode;
  audioProfile: AudioProfileName;
  outputFormat: ContainerName;
  createWebm: boolean;
  browserCompatible: boolean;
  hardwareAcceleration: HardwareChoice;
  maxOutputRatio: number;
  targetSsim?: number;
  /** Measure SSIM of every output even without --target-ssim. */
  measureSsim: boolean;
  workers: number;
  /** ffmpeg threads per worker (0 = spread the CPUs over the workers). */
  threads: number;
  segmentParallel: boolean;
  segmentDuration: number;
  /** Bits-per-pixel threshold for "already efficient" (default per codec, see EFFICIENT_BPP). */
  efficientBpp?: number;
  reportPath?: string;
  manifestPath: string;
  tempDir?: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  progress: boolean;
  signal?: AbortSignal;
}

/** Workers from the CPU count and memory: one encode per two cores, at most one per 2 GiB of RAM. */
export function defaultWorkers(cpus = availableParallelism(), memBytes = totalmem()): number {
  return Math.max(1, Math.min(Math.floor(cpus / 2), Math.floor(memBytes / (2 * 1024 ** 3))));
}

/** ffmpeg threads per worker so that all workers together use the CPUs once. */
export function threadsPerWorker(workers: number, cpus = availableParallelism()): number {
  return Math.max(1, Math.floor(cpus / Math.max(1, workers)));
}

/** Bytes a dry run reads from the head of each S3 object to probe it. */
const DRY_RUN_HEAD_BYTES = 4 * MIB;

const CONTENT_TYPE: Record<ContainerName, string> = { mp4: 'video/mp4', webm: 'video/webm', mkv: 'video/x-matroska', mov: 'video/quicktime' };

/** Predicted output size from the source's probe and the codec/quality's typical bits per pixel. */
export function predictSize(p: ProbeInfo, codec: CodecName, quality: QualityName, width: number, height: number, audioProfile: AudioProfileName): number {
  const fps = p.video?.fps || 30;
  const videoBits = PREDICTED_BPP[codec][quality] * width * height * fps * p.durationSec;
  const audioBits = p.audio ? Math.min(p.audio.bitrate || AUDIO_PROFILE[audioProfile].bitrate, AUDIO_PROFILE[audioProfile].bitrate) * p.durationSec : 0;
  return Math.round((videoBits + audioBits) / 8 + 4096);
}

interface RunContext {
  o: OptimizeOptions;
  ffmpeg: string;
  ffprobe: string;
  encoder: string;
  hardware: boolean;
  manifest?: Manifest;
  s3?: S3Target;
  tempRoot: string;
  threads: number;
  onFileProgress: (key: string, fraction: number, p: FfmpegProgress, durationSec: number) => void;
}

/** A file's manifest entry id: where it lives, then its key. */
function manifestId(o: OptimizeOptions, key: string): string {
  const l = o.location;
  return `${l ? `${l.remote}:${l.bucket}` : `listing:${o.listingFile}`}:${key}`;
}

/** Runs the whole pipeline and writes the report. */
export async function runOptimize(o: OptimizeOptions): Promise<OptimizeReport> {
  // In place each file keeps its own container: the pair is checked per file there.
  if (o.mode === 'copy') checkCompatibility(o.codec, o.outputFormat, o.browserCompatible);
  if (o.targetSsim !== undefined && !(o.targetSsim > 0 && o.targetSsim < 1)) throw new UsageError('--target-ssim must be between 0 and 1 (for example 0.98)');
  const remote = o.location?.remote ?? 'local';
  if (!o.location && o.listingFile && !o.dryRun) throw new UsageError('--listing-file needs --remote and --bucket too: they say where the listed keys are');
  if (remote !== 'local' && remote !== 's3' && !o.dryRun) throw new UsageError(`optimize reads and writes local folders and S3 buckets; remote "${remote}" can only be listed (--dry-run)`);
  if (o.mode === 'copy' && remote === 's3' && !o.outputPrefix && !o.optimizedVideosDir) throw new UsageError('give --output-prefix or --optimized-videos-dir');
  if (o.outputPrefix !== undefined && !o.outputPrefix.replace(/^\/+|\/+$/g, '')) throw new UsageError('--output-prefix must name a prefix: copies at the bucket root would overwrite the sources');
  const ffmpeg = requireTool('ffmpeg', o.ffmpegPath);
  const ffprobe = requireTool('ffprobe', o.ffprobePath);
  const found = await findCandidates(
    { listingFile: o.listingFile, location: o.location },
    { minSize: Math.round(o.sizeThresholdMiB * MIB), extensions: o.extensions },
  );
  const manifest = await openManifest(o.manifestPath);
  // --limit counts files that still need work: a second `--limit 10` run takes the next ten.
  const candidates = o.limit === undefined ? found : found.filter((obj) => settledReason(manifest.get(manifestId(o, obj.key)), obj, o) === undefined).slice(0, o.limit);
  info(`optimize: ${candidates.length} candidate(s) at or above ${o.sizeThresholdMiB} MiB${o.limit !== undefined ? ` (--limit ${o.limit}: files the manifest shows as settled are not counted)` : ''}${o.dryRun ? ' (dry run)' : ''}`);
  let encoder = '';
  let hardware = false;
  if (!o.dryRun && candidates.length > 0) {
    const choice = await chooseEncoder(ffmpeg, o.codec, o.hardwareAcceleration);
    if (choice.notice) info(choice.notice);
    encoder = choice.encoder;
    hardware = choice.hardware;
  }
  const s3 = remote === 's3' && o.location ? { client: await createS3Client(o.location), bucket: o.location.bucket } : undefined;
  const tempRoot = await mkdtemp(join(o.tempDir ?? tmpdir(), 'media-toolkit-optimize-'));
  // On a terminal: a total bar with one bar per file being encoded under it, redrawn in place.
  // In logs and CI: the total line, and per-file lines every few seconds (seconds of video encoded).
  const tty = o.progress && !o.dryRun && Boolean(process.stderr.isTTY);
  const bars = tty ? createMultiProgress({ label: 'optimize', unit: 'files' }) : undefined;
  const perFileBars = o.progress && !o.dryRun && !tty;
  const progress = createProgress({ label: 'optimize', unit: 'files', enabled: perFileBars });
  const current = new Map<string, string>();
  const fileBars = new Map<string, ReturnType<typeof createProgress>>();
  let finished = 0;
  let failedCount = 0;
  const ctx: RunContext = {
    o, ffmpeg, ffprobe, encoder, hardware, manifest, s3, tempRoot,
    threads: o.threads > 0 ? o.threads : threadsPerWorker(o.workers),
    onFileProgress: (key, fraction, p, durationSec) => {
      // Per-file progress rides in the total line's note: percent, fps, speed and that file's ETA.
      const eta = p.speed > 0 && fraction < 1 ? ` ETA ${formatDuration(((1 - fraction) * durationSec) / p.speed)}` : '';
      current.set(key, `${key} ${(fraction * 100).toFixed(0)}% ${p.fps.toFixed(0)} fps ${p.speed.toFixed(2)}x${eta}`);
      if (bars) {
        bars.item(key, { done: Math.round(fraction * durationSec), total: Math.max(1, Math.round(durationSec)), note: `${p.fps.toFixed(0)} fps ${p.speed.toFixed(2)}x${eta}` });
        bars.update({ done: finished, total: candidates.length, errors: failedCount });
        return;
      }
      progress.update({ done: finished, total: candidates.length, errors: failedCount, note: [...current.values()].join(' | ') });
      if (perFileBars) {
        let bar = fileBars.get(key);
        if (!bar) fileBars.set(key, (bar = createProgress({ label: `  ${key}`, unit: 's', plainEveryMs: 10_000 })));
        bar.update({ done: Math.round(fraction * durationSec), total: Math.round(durationSec), note: `${p.fps.toFixed(0)} fps ${p.speed.toFixed(2)}x` });
      }
    },
  };
  const files: FileReport[] = [];
  try {
    const results = await runPool(candidates, o.dryRun ? 4 : o.workers, async (obj) => {
      const started = Date.now();
      let r: FileReport;
      try {
        r = await processFile(ctx, obj);
      } catch (err) {
        const reason = o.signal?.aborted ? `interrupted: ${(err as Error).message}` : (err as Error).message;
        r = { key: obj.key, status: 'failed', sizeBefore: obj.size, reason };
        await recordFinal(ctx, obj, 'failed', r.reason).catch(() => undefined);
      }
      if (r.timeSec === undefined && r.status !== 'skipped' && r.status !== 'planned') r.timeSec = (Date.now() - started) / 1000;
      current.delete(obj.key);
      bars?.remove(obj.key);
      fileBars.get(obj.key)?.finish();
      fileBars.delete(obj.key);
      finished++;
      if (r.status === 'failed') failedCount++;
      const line = `${r.status.padEnd(9)} ${obj.key}` + (r.sizeAfter !== undefined ? `  ${(r.sizeBefore / MIB).toFixed(2)} MiB -> ${(r.sizeAfter / MIB).toFixed(2)} MiB` : '') +
        (r.predictedSize !== undefined ? `  ${(r.sizeBefore / MIB).toFixed(2)} MiB -> ~${(r.predictedSize / MIB).toFixed(2)} MiB predicted` : '') + (r.reason ? `  (${r.reason})` : '');
      if (o.dryRun) process.stdout.write(`${line}\n`);
      else if (bars) bars.log(line);
      else info(line);
      progress.update({ done: finished, total: candidates.length, errors: failedCount });
      bars?.update({ done: finished, total: candidates.length, errors: failedCount });
      return r;
    });
    files.push(...results);
  } finally {
    if (bars) bars.finish({ done: finished, total: candidates.length, errors: failedCount });
    else progress.finish({ done: finished, total: candidates.length, errors: failedCount });
    await rm(tempRoot, { recursive: true, force: true });
  }
  const report: OptimizeReport = {
    version: 1,
    generatedAt: new Date().toISOString(),
    dryRun: o.dryRun,
    settings: {
      mode: o.mode, codec: o.codec, encoder: encoder || '(not chosen: dry run)', quality: o.quality, crf: o.crf ?? CRF_TABLE[o.codec][o.quality],
      preset: o.preset ?? QUALITY_PRESET[o.quality], targetResolution: o.targetResolution, fit: o.fit, audioProfile: o.audioProfile,
      outputFormat: o.outputFormat, browserCompatible: o.browserCompatible, maxOutputRatio: o.maxOutputRatio,
      ...(o.targetSsim !== undefined ? { targetSsim: o.targetSsim } : {}), workers: o.workers, threadsPerWorker: ctx.threads,
      segmentParallel: o.segmentParallel, sizeThresholdMiB: o.sizeThresholdMiB,
    },
    totals: computeTotals(files),
    files,
  };
  if (o.reportPath) {
    const written = await writeOptimizeReport(o.reportPath, report);
    info(`report: ${[written.markdown, written.json].filter(Boolean).join(' and ')}`);
  }
  const t = report.totals;
  info(`optimize: ${t.optimized} optimized, ${t.planned} planned, ${t.rejected} rejected, ${t.skipped} skipped, ${t.failed} failed; saved ${(t.savedBytes / MIB).toFixed(2)} MiB (${t.savedPercent.toFixed(1)}%)`);
  return report;
}

async function recordFinal(ctx: RunContext, obj: StoredObject, state: 'failed' | 'rejected' | 'skipped', reason?: string): Promise<void> {
  if (!ctx.manifest || ctx.o.dryRun) return;
  const id = manifestId(ctx.o, obj.key);
  const cur = ctx.manifest.get(id);
  // Never overwrite a replacement in progress: its state is what a rerun recovers from.
  if (cur && !FINAL_STATES.includes(cur.state) && cur.state !== 'encoding') return;
  await ctx.manifest.record({ id, key: obj.key, mode: ctx.o.mode, state, reason, source: { size: obj.size, etag: obj.etag, mtime: obj.lastModified } });
}

function sourcePathOf(ctx: RunContext, key: string): string {
  return safeJoin(ctx.o.location!.bucket, key);
}

/** Why the manifest says this file needs no work in this mode (done, or rejected/skipped before, same source), else undefined. */
function settledReason(entry: ManifestEntry | undefined, obj: StoredObject, o: OptimizeOptions): string | undefined {
  if (!entry || !FINAL_STATES.includes(entry.state) || entry.mode !== o.mode) return undefined;
  const sameSource = entry.source.size === obj.size && (!entry.source.etag || !obj.etag || entry.source.etag === obj.etag);
  if (entry.state === 'done' && o.mode === 'in-place' && entry.output?.size === obj.size) return 'already optimized (manifest)';
  if (entry.state === 'done' && o.mode === 'copy' && sameSource) return `already optimized (manifest): ${entry.output?.location ?? ''}`;
  if ((entry.state === 'rejected' || entry.state === 'skipped') && sameSource) return `${entry.state} before: ${entry.reason ?? ''}`;
  return undefined;
}

async function processFile(ctx: RunContext, obj: StoredObject): Promise<FileReport> {
  const { o } = ctx;
  const id = manifestId(o, obj.key);
  const base: FileReport = { key: obj.key, status: 'failed', sizeBefore: obj.size };
  const remote = o.location?.remote ?? 'local';
  const entry = ctx.manifest?.get(id);
  if (o.signal?.aborted) return { ...base, status: 'skipped', reason: 'not started: the run was interrupted' };

  // A replacement a crash interrupted: finish it (or undo it) before anything else.
  if (entry && !FINAL_STATES.includes(entry.state) && !o.dryRun && o.location) {
    const recovered = await recover(ctx, entry);
    if (recovered.state === 'done') {
      info(`recovered ${obj.key}: the interrupted replacement was completed`);
      return { ...base, status: 'replaced', sizeBefore: recovered.source.size, sizeAfter: recovered.output?.size, ratio: recovered.output ? recovered.output.size / recovered.source.size : undefined, reason: 'completed an interrupted replacement', output: recovered.output?.location };
    }
    if (recovered.state === 'failed' && !recovered.reason?.startsWith('interrupted')) return { ...base, reason: recovered.reason };
    // interrupted before the original was touched: process it again from the start
  } else {
    const settled = settledReason(entry, obj, o);
    if (settled !== undefined) return { ...base, status: 'skipped', reason: settled };
  }

  const container: ContainerName = o.mode === 'in-place' ? (containerOfKey(obj.key) ?? o.outputFormat) : o.outputFormat;
  if (o.mode === 'in-place') {
    if (!CONTAINER_CODECS[container].includes(o.codec)) return { ...base, status: 'skipped', reason: `in place keeps the key, and ${container} cannot hold ${o.codec}` };
    if (o.browserCompatible && container === 'mp4' && o.codec !== 'h264') return { ...base, status: 'skipped', reason: 'not browser-compatible in mp4 (use --no-browser-compatible)' };
  }

  // Where the source is read from: the folder itself, or a download into a safe temp path.
  const workDir = workDirFor(ctx.tempRoot, obj.key);
  await mkdir(workDir, { recursive: true });
  try {
    let sourcePath: string;
    // A dry run on S3 probes only the head of each object (MP4 with faststart, MKV and WebM keep their index there).
    let partial = false;
    if (remote === 's3' && ctx.s3 && o.dryRun) {
      sourcePath = join(workDir, `head-${safeBaseName(obj.key)}`);
      await downloadHead(ctx.s3.client, ctx.s3.bucket, obj.key, sourcePath, DRY_RUN_HEAD_BYTES, o.signal);
      partial = obj.size > DRY_RUN_HEAD_BYTES;
    } else if (remote === 'local' && o.location) sourcePath = sourcePathOf(ctx, obj.key);
    else if (remote === 's3' && ctx.s3 && !o.dryRun) {
      sourcePath = join(workDir, `source-${safeBaseName(obj.key)}`);
      const got = await downloadObject(ctx.s3.client, ctx.s3.bucket, obj.key, sourcePath, o.signal);
      if (!obj.etag) obj = { ...obj, etag: got.etag };
    } else return { ...base, status: 'planned', reason: `not probed: remote "${remote}" is only listed on a dry run` };

    let probe: ProbeInfo;
    try {
      probe = await probeFile(ctx.ffprobe, sourcePath, o.signal);
      if (partial && probe.video && probe.durationSec > 0) {
        // The head says nothing true about the whole file's size: take the bitrate from the listed size.
        probe.bitrate = (obj.size * 8) / probe.durationSec;
        probe.video.bitrate = Math.max(0, probe.bitrate - (probe.audio?.bitrate ?? 0));
      }
    } catch (err) {
      if (o.signal?.aborted) throw err;
      if (partial) return { ...base, status: 'planned', reason: `not predicted: the first ${DRY_RUN_HEAD_BYTES / MIB} MiB do not hold the index (${(err as Error).message})` };
      const reason = `corrupt or unreadable source: ${(err as Error).message}`;
      await recordFinal(ctx, obj, 'failed', reason);
      return { ...base, reason };
    }
    const v = probe.video;
    if (!v || !v.width) {
      await recordFinal(ctx, obj, 'skipped', 'no video stream');
      return { ...base, status: 'skipped', reason: 'no video stream' };
    }
    base.sourceResolution = `${v.width}x${v.height}`;
    const box = orientedBox(o.targetResolution, v.width * v.sar, v.height);
    const bpp = bitsPerPixel(v);
    const bppLimit = o.efficientBpp ?? EFFICIENT_BPP[o.codec];
    if (v.codec === PROBE_CODEC[o.codec] && v.width <= box.width && v.height <= box.height && bpp > 0 && bpp <= bppLimit) {
      const reason = `already efficient: ${v.codec} at ${v.width}x${v.height}, ${bpp.toFixed(3)} bits/pixel <= ${bppLimit}`;
      await recordFinal(ctx, obj, 'skipped', reason);
      return { ...base, status: 'skipped', reason };
    }

    const settings: EncodeSettings = {
      codec: o.codec, encoder: ctx.encoder || 'libx264', crf: o.crf ?? CRF_TABLE[o.codec][o.quality], preset: o.preset ?? QUALITY_PRESET[o.quality],
      targetResolution: o.targetResolution, fit: o.fit, audioProfile: o.audioProfile, container, threads: ctx.threads,
    };
    const outName = `output.${container}`;
    const outPath = join(workDir, outName);
    const plan = planEncode(sourcePath, outPath, probe, settings);
    base.resolution = `${plan.geometry.width}x${plan.geometry.height}`;
    base.codec = o.codec;
    if (o.dryRun) {
      const predicted = Math.min(obj.size, predictSize(probe, o.codec, o.quality, plan.geometry.width, plan.geometry.height, o.audioProfile));
      return { ...base, status: 'planned', predictedSize: predicted, reason: undefined };
    }
    base.encoder = ctx.encoder;

    // Write-ahead: the file is being worked on (its original is untouched until "backing-up").
    const entryBase = { id, key: obj.key, mode: o.mode, source: { size: obj.size, etag: obj.etag, mtime: obj.lastModified } } as const;
    let e = await ctx.manifest!.record({ ...entryBase, state: 'encoding' });

    const started = Date.now();
    if (o.targetSsim !== undefined) {
      const found = await searchCrf(ctx.ffmpeg, sourcePath, probe, settings, o.targetSsim, workDir, o.signal);
      settings.crf = found.crf;
      base.crfSearch = found.tried;
      if (!found.met) warn(`${obj.key}: no CRF in the search window reached SSIM ${o.targetSsim} on the samples; using CRF ${found.crf}`);
    }
    base.crf = settings.crf;
    const onProgress = (p: FfmpegProgress) => ctx.onFileProgress(obj.key, probe.durationSec > 0 ? Math.min(1, p.outTimeSec / probe.durationSec) : 0, p, probe.durationSec);
    let lastFps = 0;
    const useSegments = o.segmentParallel && probe.durationSec >= 2 * o.segmentDuration;
    let geometry = plan.geometry;
    if (useSegments) {
      const segDir = join(workDir, 'segments');
      await mkdir(segDir, { recursive: true });
      // Segments at once per file, and threads each so that all encoders together use the CPUs once
      // (measured on 2 cores: 2 single-threaded segments beat 2 two-threaded ones; see bench/optimize.mjs).
      const segWorkers = Math.max(2, o.workers);
      const segThreads = o.threads > 0 ? o.threads : Math.max(1, Math.floor(availableParallelism() / (segWorkers * o.workers)));
      const seg = await encodeSegmented(ctx.ffmpeg, sourcePath, outPath, probe, { ...settings, threads: segThreads }, {
        segmentSec: o.segmentDuration, workers: segWorkers, workDir: segDir, signal: o.signal,
        onProgress: (done, p) => { lastFps = p.fps; ctx.onFileProgress(obj.key, probe.durationSec > 0 ? Math.min(1, done / probe.durationSec) : 0, { ...p, speed: p.speed * Math.max(2, o.workers) }, probe.durationSec); },
      });
      geometry = seg.geometry;
      base.segments = seg.segments;
      base.command = seg.commands.join('\n');
      await rm(segDir, { recursive: true, force: true });
    } else {
      const finalPlan = planEncode(sourcePath, outPath, probe, settings);
      base.command = commandLine(ffmpegArgv(ctx.ffmpeg, finalPlan.args));
      await runFfmpeg(ctx.ffmpeg, finalPlan.args, { signal: o.signal, onProgress: (p) => { lastFps = p.fps; onProgress(p); } });
    }
    const encodeSec = (Date.now() - started) / 1000;
    base.timeSec = encodeSec;
    const outSize = (await stat(outPath)).size;
    base.sizeAfter = outSize;
    base.ratio = obj.size > 0 ? outSize / obj.size : undefined;

    const ver: Verification = await verifyOutput({ ffmpeg: ctx.ffmpeg, ffprobe: ctx.ffprobe }, probe, obj.size, outPath, outSize,
      { codec: o.codec, width: geometry.width, height: geometry.height, maxOutputRatio: o.maxOutputRatio, checkSize: true }, o.signal);
    base.verification = { ok: ver.ok, checks: ver.checks };
    base.fps = ver.outputFrames > 0 && encodeSec > 0 ? ver.outputFrames / encodeSec : lastFps;
    if (o.targetSsim !== undefined || o.measureSsim) {
      try {
        base.ssim = await measureSsim(ctx.ffmpeg, sourcePath, outPath, geometry, { signal: o.signal });
      } catch (err) {
        warn(`${obj.key}: ${(err as Error).message}`);
      }
    }
    if (ver.rejectedForSize) {
      const reason = `output is ${((outSize / obj.size) * 100).toFixed(1)}% of the source (limit ${(o.maxOutputRatio * 100).toFixed(0)}%): original kept`;
      await ctx.manifest!.update(id, { state: 'rejected', reason });
      return { ...base, status: 'rejected', reason };
    }
    if (!ver.ok) {
      const reason = `verification failed: ${ver.checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.detail})`).join('; ')}`;
      await ctx.manifest!.update(id, { state: 'failed', reason });
      return { ...base, status: 'failed', reason };
    }

    // The companion WebM (verified too; never replaces anything).
    let webmPath: string | undefined;
    if (o.createWebm && container !== 'webm') {
      const wcodec = webmCodecFor(o.codec);
      const wchoice = await chooseEncoder(ctx.ffmpeg, wcodec, 'none');
      webmPath = join(workDir, 'output.webm');
      const wplan = planEncode(sourcePath, webmPath, probe, { ...settings, codec: wcodec, encoder: wchoice.encoder, crf: CRF_TABLE[wcodec][o.quality], container: 'webm' });
      await runFfmpeg(ctx.ffmpeg, wplan.args, { signal: o.signal, onProgress });
      const wsize = (await stat(webmPath)).size;
      const wver = await verifyOutput({ ffmpeg: ctx.ffmpeg, ffprobe: ctx.ffprobe }, probe, obj.size, webmPath, wsize,
        { codec: wcodec, width: wplan.geometry.width, height: wplan.geometry.height, maxOutputRatio: 1, checkSize: false }, o.signal);
      base.webm = { output: '', size: wsize, command: commandLine(ffmpegArgv(ctx.ffmpeg, wplan.args)), ok: wver.ok };
      if (!wver.ok) {
        warn(`${obj.key}: the WebM companion failed verification and is not written`);
        webmPath = undefined;
      }
    }

    // Place or replace.
    if (o.mode === 'in-place') {
      let done: ManifestEntry;
      if (remote === 'local') done = await replaceLocal(ctx.manifest!, e, sourcePath, outPath, outSize);
      else done = await replaceS3(ctx.manifest!, e, ctx.s3!, obj.key, outPath, outSize, CONTENT_TYPE[container], o.signal);
      if (done.state !== 'done') return { ...base, status: 'failed', reason: done.reason };
      base.output = done.output?.location;
      if (webmPath) base.webm!.output = await placeCompanion(ctx, obj.key, webmPath, 'in-place');
      return { ...base, status: 'replaced' };
    }
    const newKey = withExtension(obj.key, container);
    if (remote === 's3' && o.outputPrefix && ctx.s3) {
      const destKey = `${o.outputPrefix.replace(/\/+$/, '')}/${newKey}`;
      await uploadFile(ctx.s3.client, ctx.s3.bucket, destKey, outPath, CONTENT_TYPE[container], o.signal);
      base.output = `s3://${ctx.s3.bucket}/${destKey}`;
    } else {
      const dest = safeJoin(o.optimizedVideosDir, newKey);
      await refuseToOverwriteSource(ctx, dest);
      await placeFile(outPath, dest);
      base.output = dest;
    }
    if (webmPath) base.webm!.output = await placeCompanion(ctx, obj.key, webmPath, 'copy');
    e = await ctx.manifest!.update(id, { state: 'done', output: { size: outSize, location: base.output } });
    return { ...base, status: 'optimized' };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** A copy written into the source folder itself must never replace a file the user has there. */
async function refuseToOverwriteSource(ctx: RunContext, dest: string): Promise<void> {
  const l = ctx.o.location;
  if (!l || l.remote !== 'local') return;
  const root = resolve(l.bucket);
  if ((dest === root || dest.startsWith(root + sep)) && (await exists(dest))) {
    throw new RuntimeError(`${dest} exists in the source folder: not overwritten (choose an --optimized-videos-dir outside it)`);
  }
}

/** Puts the WebM companion beside the output (same key with .webm); never over an existing file or object of the user's. */
async function placeCompanion(ctx: RunContext, key: string, path: string, mode: 'copy' | 'in-place'): Promise<string> {
  const { o } = ctx;
  const wkey = withExtension(key, 'webm');
  if (ctx.s3 && !(mode === 'copy' && !o.outputPrefix)) {
    const destKey = mode === 'copy' ? `${o.outputPrefix!.replace(/\/+$/, '')}/${wkey}` : wkey;
    if (mode === 'in-place' && (await headObject(ctx.s3.client, ctx.s3.bucket, destKey))) {
      warn(`${key}: ${destKey} exists; the WebM companion is not written over it`);
      return '';
    }
    await uploadFile(ctx.s3.client, ctx.s3.bucket, destKey, path, 'video/webm', o.signal);
    return `s3://${ctx.s3.bucket}/${destKey}`;
  }
  const dest = mode === 'in-place' && !ctx.s3 ? safeJoin(o.location!.bucket, wkey) : safeJoin(o.optimizedVideosDir, wkey);
  if (mode === 'in-place' && (await exists(dest))) {
    warn(`${key}: ${dest} exists; the WebM companion is not written over it`);
    return '';
  }
  await refuseToOverwriteSource(ctx, dest);
  await placeFile(path, dest);
  return dest;
}

async function recover(ctx: RunContext, entry: ManifestEntry): Promise<ManifestEntry> {
  const remote = ctx.o.location?.remote;
  if (remote === 's3' && ctx.s3) return continueS3(ctx.manifest!, entry, ctx.s3, entry.key);
  if (remote === 'local') return continueLocal(ctx.manifest!, entry, sourcePathOf(ctx, entry.key));
  throw new RuntimeError(`cannot recover ${entry.key} on remote ${remote}`);
}
