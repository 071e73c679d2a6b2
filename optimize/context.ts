// What every stage of a run shares: the options, the tools, the chosen
// encoder, the manifest, the S3 target and the progress display.
import type { CpuBudget } from './cpu-budget.js';
import type { Manifest } from './manifest.js';
import type { OptimizeOptions } from './options.js';
import type { OutputName } from './output-names.js';
import type { OptimizeProgress } from './progress.js';
import type { S3Target } from './replace.js';

export interface RunContext {
  o: OptimizeOptions;
  ffmpeg: string;
  ffprobe: string;
  /** The encoder chosen for the run ('' on a dry run); software once hardware failed on several files in a row. */
  encoder: string;
  hardware: boolean;
  /** Files in a row whose hardware encode failed at run time. */
  hardwareFailures: number;
  /** The cores every encoder process of the run holds its threads in. */
  budget: CpuBudget;
  /** This ffmpeg has libvmaf: the picture check measures VMAF too. */
  vmaf: boolean;
  manifest?: Manifest;
  s3?: S3Target;
  /** This run's temp folder (removed at the end). */
  tempRoot: string;
  /** ffmpeg threads of a whole-file encode. */
  threads: number;
  progress: OptimizeProgress;
  /** Each candidate's output and companion names, decided before any encode. */
  names: Map<string, OutputName>;
}
