// What `media-toolkit workflow` was asked to do, as the stages read it.
import type { StorageLocation } from '../storage/types.js';

// The change-aware cycle: what is there, re-encode what is oversized, purge what changed,
// warm it, prove it is warm, explain what failed, then load-test.
export const STAGES = ['analysis', 'optimize', 'purge', 'prewarm', 'verify', 'errors', 'loadtest'] as const;
export type StageName = (typeof STAGES)[number];

/** The purge stage's settings; the provider's own flags keep purge's names. */
export interface PurgeSettings {
  provider?: string;
  distributionId?: string;
  zoneId?: string;
  edgerc?: string;
  section?: string;
  serviceId?: string;
  by?: string;
  edges?: string[];
  method?: string;
  pathPrefix?: string;
  wait?: boolean;
}

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
  /** --max-failure-rate for prewarm (its default when unset: any final failure fails the stage). */
  maxFailureRate?: number;
  /** Warm only the new and changed keys when a previous listing exists. */
  changedOnly?: boolean;
  /** The listing to compare with (default: the listing an earlier run left in --output-dir). */
  previousListing?: string;
  // purge
  purge: PurgeSettings;
  // verify
  minHitRatio?: number;
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
  /** Replace each source with its verified optimized version (then purge and re-warm it). */
  optimizeInPlace?: boolean;
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
