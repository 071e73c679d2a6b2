// The optimize pipeline, one file at a time per worker:
//   candidates -> (recover | settled?) -> fetch -> probe -> plan -> encode ->
//   verify -> (companion) -> place or replace -> report.
// Each file's failure is recorded in the manifest and the report, never fatal to the run.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RuntimeError, UsageError } from '../lib/errors.js';
import { info } from '../lib/log.js';
import { requireTool } from '../lib/tools.js';
import type { StoredObject } from '../storage/index.js';
import { createS3Client } from '../storage/s3.js';
import { MIB } from '../common/byte-size.js';
import { findCandidates, keyInBucket, type OwnOutputs } from './candidates.js';
import { encodeCompanion } from './companion.js';
import type { RunContext } from './context.js';
import { CpuBudget } from './cpu-budget.js';
import { encodeOutput } from './encode.js';
import { chooseEncoder } from './hwaccel.js';
import { FINAL_STATES, openManifest, type Manifest, type ManifestEntry } from './manifest.js';
import { fingerprintFile } from './fingerprint.js';
import { lockManifest } from './lock.js';
import { planOutputNames } from './output-names.js';
import { checkOptions, manifestId, threadsPerWorker, type OptimizeOptions } from './options.js';
import { workDirFor } from './paths.js';
import { placeCompanion, placeOutput, CONTENT_TYPE } from './placement.js';
import { planEncode, type EncodeSettings } from './plan.js';
import { runPool } from './pool.js';
import { predictSize, probeSource } from './probe.js';
import { checkPicture, describeScore, listedFilters } from './picture-check.js';
import { droppedNote, planStreams } from './streams.js';
import { describeResolution } from '../media/probe.js';
import { containerOfKey, CONTAINER_CODECS, CRF_TABLE, QUALITY_PRESET, type ContainerName } from './profiles.js';
import { createOptimizeProgress } from './progress.js';
import { continueLocal, continueS3, replaceLocal, replaceS3, SOURCE_CHANGED } from './replace.js';
import { computeTotals, writeOptimizeReport, type FileReport, type OptimizeReport } from './report.js';
import { localSourcePath, openSource } from './source.js';
import { verifyOutput } from './verify.js';

/** Runs the whole pipeline and writes the report. */
export async function runOptimize(o: OptimizeOptions): Promise<OptimizeReport> {
  checkOptions(o);
  const ffmpeg = requireTool('ffmpeg', o.ffmpegPath);
  const ffprobe = requireTool('ffprobe', o.ffprobePath);
  // One run per manifest (a dry run writes nothing to it).
  const unlock = o.dryRun ? async () => undefined : await lockManifest(o.manifestPath);
  try {
    return await runLocked(o, ffmpeg, ffprobe);
  } finally {
    await unlock();
  }
}

/** Where this run writes inside the bucket, and what earlier runs wrote there (from the manifest). */
export function ownOutputsOf(o: OptimizeOptions, manifest: Manifest): OwnOutputs {
  const own: OwnOutputs = { prefixes: [], keys: new Map() };
  const l = o.location;
  if (!l) return own;
  const under = (path: string) => (resolveKey(path, l.remote, l.bucket));
  if (o.mode === 'copy') {
    if (l.remote === 's3' && o.outputPrefix) own.prefixes.push({ prefix: `${o.outputPrefix.replace(/^\/+|\/+$/g, '')}/`, what: 'the --output-prefix of the optimized copies' });
    else if (l.remote === 'local') {
      const k = under(o.optimizedVideosDir);
      if (k !== undefined) own.prefixes.push({ prefix: k ? `${k}/` : '', what: 'the --optimized-videos-dir inside the folder' });
    }
  }
  // --segment-parallel's chunks live beside the manifest (MANIFEST.chunks/), which may be inside the folder.
  const chunks = under(`${o.manifestPath}.chunks`);
  if (chunks) own.prefixes.push({ prefix: `${chunks}/`, what: 'segments of --segment-parallel kept for a retry' });
  if (o.tempDir) {
    const k = under(o.tempDir);
    if (k !== undefined) own.prefixes.push({ prefix: `${k ? `${k}/` : ''}media-toolkit-optimize-`, what: "a run's --temp-dir folder" });
  }
  for (const e of manifest.all()) {
    // In place the output is the source key itself: the manifest's "done" tells that one apart.
    const out = e.mode === 'copy' && e.output?.location ? keyInBucket(e.output.location, l.remote, l.bucket) : undefined;
    if (out) own.keys.set(out, 'an optimized copy an earlier run wrote');
    const comp = e.companion ? keyInBucket(e.companion, l.remote, l.bucket) : undefined;
    if (comp) own.keys.set(comp, 'a WebM companion an earlier run wrote');
  }
  return own;
}

/** keyInBucket, with the bucket folder itself as '' (a --temp-dir that is the folder). */
function resolveKey(path: string, remote: string, bucket: string): string | undefined {
  if (remote !== 'local') return undefined;
  return resolve(path) === resolve(bucket) ? '' : keyInBucket(path, remote, bucket);
}

async function runLocked(o: OptimizeOptions, ffmpeg: string, ffprobe: string): Promise<OptimizeReport> {
  const remote = o.location?.remote ?? 'local';
  const manifest = await openManifest(o.manifestPath);
  const left = new Map<string, number>();
  const found = await findCandidates(
    { listingFile: o.listingFile, location: o.location },
    { minSize: Math.round(o.sizeThresholdMiB * MIB), extensions: o.extensions },
    ownOutputsOf(o, manifest),
    left,
  );
  if (left.size) info(`optimize: left out ${[...left.values()].reduce((a, b) => a + b, 0)} of the toolkit's own files (${[...left].map(([what, n]) => `${n}: ${what}`).join('; ')})`);
  // --limit counts files that still need work: a second `--limit 10` run takes the next ten.
  const candidates = o.limit === undefined ? found : found.filter((obj) => settledReason(manifest.get(manifestId(o, obj.key)), obj, o) === undefined).slice(0, o.limit);
  info(`optimize: ${candidates.length} candidate(s) at or above ${o.sizeThresholdMiB} MiB${o.limit !== undefined ? ` (--limit ${o.limit}: files the manifest shows as settled are not counted)` : ''}${o.dryRun ? ' (dry run)' : ''}`);
  let encoder = '';
  let hardware = false;
  let vmaf = false;
  if (!o.dryRun && candidates.length > 0) {
    const choice = await chooseEncoder(ffmpeg, o.codec, o.hardwareAcceleration);
    if (choice.notice) info(choice.notice);
    encoder = choice.encoder;
    hardware = choice.hardware;
    vmaf = (await listedFilters(ffmpeg)).has('libvmaf');
    if (o.minVmaf !== undefined && !vmaf) throw new UsageError('--min-vmaf needs an ffmpeg built with libvmaf, and this one has none (`media-toolkit doctor` says which filters it has)');
  }
  const s3 = remote === 's3' && o.location ? { client: await createS3Client(o.location), bucket: o.location.bucket } : undefined;
  const tempRoot = await mkdtemp(join(o.tempDir ?? tmpdir(), 'media-toolkit-optimize-'));
  const progress = createOptimizeProgress({
    enabled: o.progress && !o.dryRun,
    total: candidates.length,
    // A dry run's plan is the command's output: stdout.
    print: o.dryRun ? (line) => process.stdout.write(`${line}\n`) : info,
  });
  // Output names for the whole run before any encode: two sources never write one name.
  const names = planOutputNames(candidates.map((c) => c.key), { mode: o.mode, createWebm: o.createWebm, containerOf: (key) => containerFor(o, key) });
  const ctx: RunContext = {
    o, ffmpeg, ffprobe, encoder, hardware, hardwareFailures: 0, budget: new CpuBudget(), vmaf, manifest, s3, tempRoot, names,
    threads: o.threads > 0 ? o.threads : threadsPerWorker(o.workers), progress,
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
      progress.settled(obj.key, verdictLine(r), r.status === 'failed');
      return r;
    });
    files.push(...results);
  } finally {
    progress.finish();
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
      ...(o.targetSsim !== undefined ? { targetSsim: o.targetSsim } : {}), minSsim: o.minSsim, ...(o.minVmaf !== undefined ? { minVmaf: o.minVmaf } : {}),
      pictureCheck: `${o.fullQualityCheck ? 'whole file' : 'whole file up to 20 s, else 5 windows of 2 s'}, SSIM${vmaf ? ' and VMAF' : ''}`, workers: o.workers, threadsPerWorker: ctx.threads,
      encoderThreadsAtMost: ctx.budget.total,
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

/** The container a source's output is written in: its own in place, else --output-format. */
function containerFor(o: OptimizeOptions, key: string): ContainerName {
  return o.mode === 'in-place' ? (containerOfKey(key) ?? o.outputFormat) : o.outputFormat;
}

/** One line per settled file: "optimized a.mp4  3.20 MiB -> 1.10 MiB". */
function verdictLine(r: FileReport): string {
  return `${r.status.padEnd(9)} ${r.key}` + (r.sizeAfter !== undefined ? `  ${(r.sizeBefore / MIB).toFixed(2)} MiB -> ${(r.sizeAfter / MIB).toFixed(2)} MiB` : '') +
    (r.predictedSize !== undefined ? `  ${(r.sizeBefore / MIB).toFixed(2)} MiB -> ~${(r.predictedSize / MIB).toFixed(2)} MiB predicted` : '') + (r.reason ? `  (${r.reason})` : '');
}

async function recordFinal(ctx: RunContext, obj: StoredObject, state: 'failed' | 'rejected' | 'skipped', reason?: string): Promise<void> {
  if (!ctx.manifest || ctx.o.dryRun) return;
  const id = manifestId(ctx.o, obj.key);
  const cur = ctx.manifest.get(id);
  // Never overwrite a replacement in progress: its state is what a rerun recovers from.
  if (cur && !FINAL_STATES.includes(cur.state) && cur.state !== 'encoding') return;
  await ctx.manifest.record({ id, key: obj.key, mode: ctx.o.mode, state, reason, source: { size: obj.size, etag: obj.etag, mtime: obj.lastModified } });
}

/** Why the manifest says this file needs no work in this mode (done, or rejected/skipped before, same source), else undefined. */
export function settledReason(entry: ManifestEntry | undefined, obj: StoredObject, o: OptimizeOptions): string | undefined {
  if (!entry || !FINAL_STATES.includes(entry.state) || entry.mode !== o.mode) return undefined;
  // Same size, same ETag where both have one, same modification time where both have one (local files have no ETag).
  const sameSource = entry.source.size === obj.size && (!entry.source.etag || !obj.etag || entry.source.etag === obj.etag) &&
    (!entry.source.mtime || !obj.lastModified || entry.source.mtime === obj.lastModified);
  if (entry.state === 'done' && o.mode === 'in-place' && entry.output?.size === obj.size) return 'already optimized (manifest)';
  if (entry.state === 'done' && o.mode === 'copy' && sameSource) return `already optimized (manifest): ${entry.output?.location ?? ''}`;
  // A source that changed under an earlier run is new work, whatever its size and time say.
  if ((entry.state === 'rejected' || entry.state === 'skipped') && sameSource && !entry.reason?.startsWith(SOURCE_CHANGED)) return `${entry.state} before: ${entry.reason ?? ''}`;
  return undefined;
}

async function processFile(ctx: RunContext, obj: StoredObject): Promise<FileReport> {
  const { o } = ctx;
  const id = manifestId(o, obj.key);
  const base: FileReport = { key: obj.key, status: 'failed', sizeBefore: obj.size };
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

  const name = ctx.names.get(obj.key)!;
  if (name.refused) {
    await recordFinal(ctx, obj, 'skipped', name.refused);
    return { ...base, status: 'skipped', reason: name.refused };
  }
  if (name.note) base.note = name.note;
  const container = containerFor(o, obj.key);
  if (o.mode === 'in-place') {
    if (!CONTAINER_CODECS[container].includes(o.codec)) return { ...base, status: 'skipped', reason: `in place keeps the key, and ${container} cannot hold ${o.codec}` };
    if (o.browserCompatible && container === 'mp4' && o.codec !== 'h264') return { ...base, status: 'skipped', reason: 'not browser-compatible in mp4 (use --no-browser-compatible)' };
  }

  const workDir = workDirFor(ctx.tempRoot, obj.key);
  await mkdir(workDir, { recursive: true });
  try {
    // Fetch.
    const src = await openSource(ctx, obj, workDir);
    if (!src) return { ...base, status: 'planned', reason: `not probed: remote "${o.location?.remote}" is only listed on a dry run` };
    obj = src.obj;
    // Probe.
    const probed = await probeSource(ctx, src);
    if ('verdict' in probed) {
      if (probed.record && probed.verdict !== 'planned') await recordFinal(ctx, obj, probed.verdict, probed.reason);
      return { ...base, status: probed.verdict, reason: probed.reason };
    }
    const probe = probed.probe;
    const v = probe.video!;
    base.sourceResolution = describeResolution(v);

    // Plan: every stream's fate (refused if one would be lost without a --drop-* flag), then the argv.
    const streams = planStreams(probe, { container, audioProfile: o.audioProfile, drop: o.drop, sourceContainer: containerOfKey(obj.key) });
    if (streams.refused) {
      const reason = `${streams.refused}: original kept`;
      await recordFinal(ctx, obj, 'skipped', reason);
      return { ...base, status: 'skipped', reason };
    }
    base.dropped = droppedNote(streams);
    const settings: EncodeSettings = {
      codec: o.codec, encoder: ctx.encoder || 'libx264', crf: o.crf ?? CRF_TABLE[o.codec][o.quality], preset: o.preset ?? QUALITY_PRESET[o.quality],
      targetResolution: o.targetResolution, fit: o.fit, audioProfile: o.audioProfile, container, threads: ctx.threads,
    };
    const outPath = join(workDir, `output.${container}`);
    const plan = planEncode(src.path, outPath, probe, settings, { streams });
    base.resolution = `${plan.geometry.width}x${plan.geometry.height}`;
    base.codec = o.codec;
    if (o.dryRun) {
      const predicted = Math.min(obj.size, predictSize(probe, o.codec, o.quality, plan.geometry.width, plan.geometry.height, o.audioProfile));
      return { ...base, status: 'planned', predictedSize: predicted, reason: undefined };
    }
    base.encoder = ctx.encoder;

    // A local file replaced in place: what it is now (size, mtime, SHA-256), checked again before the swap.
    const fingerprint = o.mode === 'in-place' && o.location?.remote === 'local' ? await fingerprintFile(src.path, o.signal) : undefined;
    // Write-ahead: the file is being worked on (its original is untouched until "backing-up").
    const entryBase = { id, key: obj.key, mode: o.mode, source: { size: obj.size, etag: obj.etag, mtime: obj.lastModified, ...(fingerprint ? { fingerprint } : {}) } } as const;
    const e = await ctx.manifest!.record({ ...entryBase, state: 'encoding' });

    // Encode.
    // The segments of --segment-parallel are reused on a retry only when made from this very source.
    const sourceIdentity = { size: obj.size, etag: obj.etag, mtime: obj.lastModified, sha256: fingerprint?.sha256 };
    const enc = await encodeOutput(ctx, id, obj.key, src.path, sourceIdentity, probe, streams, settings, outPath, workDir);
    base.encoder = enc.encoder;
    if (enc.notes.length) base.note = [base.note, ...enc.notes].filter(Boolean).join('; ');
    base.crf = enc.crf;
    base.crfSearch = enc.crfSearch;
    base.segments = enc.segments;
    base.command = enc.command;
    base.timeSec = enc.encodeSec;
    const outSize = (await stat(outPath)).size;
    base.sizeAfter = outSize;
    base.ratio = obj.size > 0 ? outSize / obj.size : undefined;

    // Verify: structure and stream inventory, then the picture.
    const ver = await verifyOutput({ ffmpeg: ctx.ffmpeg, ffprobe: ctx.ffprobe }, probe, obj.size, outPath, outSize,
      { codec: o.codec, width: enc.geometry.width, height: enc.geometry.height, maxOutputRatio: o.maxOutputRatio, checkSize: true, streams }, o.signal);
    base.verification = { ok: ver.ok, checks: ver.checks };
    base.fps = ver.outputFrames > 0 && enc.encodeSec > 0 ? ver.outputFrames / enc.encodeSec : undefined;
    if (!ver.ok && !ver.rejectedForSize) {
      const reason = `verification failed: ${ver.checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.detail})`).join('; ')}`;
      await ctx.manifest!.update(id, { state: 'failed', reason });
      return { ...base, status: 'failed', reason };
    }
    try {
      base.picture = await checkPicture(ctx.ffmpeg, { path: src.path, video: v }, { path: outPath, video: ver.output!.video! }, enc.geometry, probe.durationSec,
        { vmaf: ctx.vmaf, threads: ctx.threads, full: o.fullQualityCheck, signal: o.signal });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      const reason = `the picture check could not run (${(err as Error).message}): original kept`;
      await ctx.manifest!.update(id, { state: 'failed', reason });
      return { ...base, status: 'failed', reason };
    }
    base.ssim = base.picture.ssim;
    base.vmaf = base.picture.vmaf;
    const lowVmaf = o.minVmaf !== undefined && base.picture.vmaf !== undefined && base.picture.vmaf < o.minVmaf;
    if (base.picture.ssim < o.minSsim || lowVmaf) {
      const floor = lowVmaf ? `--min-vmaf ${o.minVmaf}` : `--min-ssim ${o.minSsim}`;
      const reason = `the picture differs from the source: ${describeScore(base.picture)}, below ${floor}; original kept`;
      await ctx.manifest!.update(id, { state: 'rejected', reason });
      return { ...base, status: 'rejected', reason };
    }
    if (ver.rejectedForSize) {
      const reason = `output is ${((outSize / obj.size) * 100).toFixed(1)}% of the source (limit ${(o.maxOutputRatio * 100).toFixed(0)}%): original kept`;
      await ctx.manifest!.update(id, { state: 'rejected', reason });
      return { ...base, status: 'rejected', reason };
    }

    // The companion WebM (verified too; never replaces anything).
    const companion = o.createWebm && container !== 'webm' ? await encodeCompanion(ctx, obj.key, src.path, probe, obj.size, settings, workDir) : undefined;
    if (companion) base.webm = { output: '', size: companion.size, command: companion.command, ok: companion.ok, ...(companion.picture ? { ssim: companion.picture.ssim } : {}) };

    // Place or replace.
    if (o.mode === 'in-place') {
      const done = o.location?.remote === 's3'
        ? await replaceS3(ctx.manifest!, e, ctx.s3!, obj.key, outPath, outSize, CONTENT_TYPE[container], o.signal)
        : await replaceLocal(ctx.manifest!, e, src.path, outPath, outSize);
      if (done.state === 'skipped') return { ...base, status: 'skipped', reason: done.reason };
      if (done.state !== 'done') return { ...base, status: 'failed', reason: done.reason };
      base.output = done.output?.location;
      if (companion?.path) {
        base.webm!.output = await placeCompanion(ctx, obj.key, companion.path, name.companion!);
        if (base.webm!.output) await ctx.manifest!.update(id, { companion: base.webm!.output });
      }
      return { ...base, status: 'replaced' };
    }
    base.output = await placeOutput(ctx, outPath, container, name.main);
    if (companion?.path) base.webm!.output = await placeCompanion(ctx, obj.key, companion.path, name.companion!);
    await ctx.manifest!.update(id, { state: 'done', output: { size: outSize, location: base.output }, ...(base.webm?.output ? { companion: base.webm.output } : {}) });
    return { ...base, status: 'optimized' };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function recover(ctx: RunContext, entry: ManifestEntry): Promise<ManifestEntry> {
  const remote = ctx.o.location?.remote;
  if (remote === 's3' && ctx.s3) return continueS3(ctx.manifest!, entry, ctx.s3, entry.key);
  if (remote === 'local') return continueLocal(ctx.manifest!, entry, localSourcePath(ctx, entry.key));
  throw new RuntimeError(`cannot recover ${entry.key} on remote ${remote}`);
}
