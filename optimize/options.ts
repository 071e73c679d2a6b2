// What a run of `optimize` is asked to do, the defaults that depend on the
// machine, and the usage errors found before any file is touched.
import { availableParallelism, totalmem } from 'node:os';
import { UsageError } from '../lib/errors.js';
import type { ListOptions } from '../storage/index.js';
import type { FitMode, TargetResolution } from './dimensions.js';
import type { HardwareChoice } from './hwaccel.js';
import type { DropFlags } from './streams.js';
import { checkCompatibility, type AudioProfileName, type CodecName, type ContainerName, type PresetName, type QualityName } from './profiles.js';

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
  /** Outputs whose picture scores below this SSIM against the source are rejected (the original kept). */
  minSsim: number;
  /** Likewise for VMAF (0..100), when this ffmpeg has libvmaf. */
  minVmaf?: number;
  /** Compare the whole file, not sampled windows, however long it is. */
  fullQualityCheck: boolean;
  /** Streams the output container cannot hold that may be dropped (otherwise such a file is refused). */
  drop: DropFlags;
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

/** Usage errors in the options, found before anything is listed or encoded. */
export function checkOptions(o: OptimizeOptions): void {
  // In place each file keeps its own container: the pair is checked per file there.
  if (o.mode === 'copy') checkCompatibility(o.codec, o.outputFormat, o.browserCompatible);
  if (o.targetSsim !== undefined && !(o.targetSsim > 0 && o.targetSsim < 1)) throw new UsageError('--target-ssim must be between 0 and 1 (for example 0.98)');
  if (!(o.minSsim >= 0 && o.minSsim <= 1)) throw new UsageError('--min-ssim must be between 0 and 1 (default 0.95)');
  if (o.minVmaf !== undefined && !(o.minVmaf >= 0 && o.minVmaf <= 100)) throw new UsageError('--min-vmaf must be between 0 and 100');
  const remote = o.location?.remote ?? 'local';
  if (!o.location && o.listingFile && !o.dryRun) throw new UsageError('--listing-file needs --remote and --bucket too: they say where the listed keys are');
  if (remote !== 'local' && remote !== 's3' && !o.dryRun) throw new UsageError(`optimize reads and writes local folders and S3 buckets; remote "${remote}" can only be listed (--dry-run)`);
  if (o.mode === 'copy' && remote === 's3' && !o.outputPrefix && !o.optimizedVideosDir) throw new UsageError('give --output-prefix or --optimized-videos-dir');
  if (o.outputPrefix !== undefined && !o.outputPrefix.replace(/^\/+|\/+$/g, '')) throw new UsageError('--output-prefix must name a prefix: copies at the bucket root would overwrite the sources');
}

/** A file's manifest entry id: where it lives, then its key. */
export function manifestId(o: Pick<OptimizeOptions, 'location' | 'listingFile'>, key: string): string {
  const l = o.location;
  return `${l ? `${l.remote}:${l.bucket}` : `listing:${o.listingFile}`}:${key}`;
}
