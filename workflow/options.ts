// What `media-toolkit workflow` was asked to do, as the stages read it.
import type { StorageLocation } from '../storage/types.js';

export const STAGES = ['analysis', 'prewarm', 'errors', 'loadtest', 'optimize'] as const;
export type StageName = (typeof STAGES)[number];

export interface LoadStage {
  users: number;
  /** k6 duration, e.g. "30s", "1m". */
  duration: string;
}

/**
 * The workflow's options. Values left undefined are not passed on, so the
 * subcommand's own default applies.
 */
export interface WorkflowOptions extends Omit<StorageLocation, 'rcloneBin'> {
  // storage: remote, bucket, directory, and for S3 (R2, MinIO...) endpoint, region, profile, path-style addressing
  baseUrl?: string;
  outputDir: string;
  /** Passed as --config to every stage, for keys the workflow has no option for. */
  configFile?: string;
  // media
  mediaType?: string;
  extensions?: string[];
  derivatives?: string[];
  imageVariants?: string[];
  limit?: number;
  // prewarm
  workers?: number;
  timeout?: number;
  retry?: number;
  connectionCloseDelay?: number;
  urlFormat?: string;
  optimizeBySize?: boolean;
  smallFileWorkers?: number;
  mediumFileWorkers?: number;
  largeFileWorkers?: number;
  smallFileThreshold?: number;
  mediumFileThreshold?: number;
  useHeadForSize?: boolean;
  // analysis
  sizeThreshold: number;
  analysisFormat: string;
  compareFile?: string;
  generateComparison?: boolean;
  // loadtest
  loadtestUsers: number;
  loadtestDuration: string;
  /** --stage1-users ... --stage5-duration as given (index 0 = stage 1). */
  loadStages: Array<Partial<LoadStage>>;
  skipLargeFiles: boolean;
  largeFileThresholdMb: number;
  requestTimeout: string;
  useErrorReport: boolean;
  // optimize
  optimizeVideos: boolean;
  optimizeThreshold: number;
  optimizeCodec: string;
  optimizeQuality: string;
  optimizeResolution: string;
  optimizeWorkers?: number;
  optimizePreset?: string;
  hardwareAcceleration?: string;
  browserCompatible?: boolean;
  // control
  skip: Partial<Record<StageName, boolean>>;
  resumeFrom?: StageName;
  resume: boolean;
  saveProgress: boolean;
  continueOnError: boolean;
  dryRun: boolean;
  interactive: boolean;
  verbose?: boolean;
  quiet?: boolean;
}
