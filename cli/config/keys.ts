// Which configuration keys exist and which command options they set.
// Top-level keys are the snake_case names of options (base_url -> --base-url);
// the nested sections of the reference config.yaml map to options explicitly.

/** Where one configuration key goes. */
export interface KeyTarget {
  /** Option attribute names in order of preference; each command uses the first it has. */
  attrs: string[];
  /** Only these commands take the key (default: every command with one of attrs). */
  commands?: string[];
  /** Never these commands (e.g. top-level `workers` is not ffmpeg's worker count). */
  exceptCommands?: string[];
  /** Higher wins when two keys set the same option (a section beats the top level). */
  priority: number;
  /** Accepted for compatibility with the reference config.yaml but not used; a notice says so. */
  ignored?: string;
}

const TOP = 0;
const SHARED = 1;
const SPECIFIC = 2;

const t = (attrs: string[], extra: Partial<KeyTarget> = {}): KeyTarget => ({ attrs, priority: SHARED, ...extra });
const only = (commands: string[], attrs: string[]): KeyTarget => ({ attrs, commands, priority: SPECIFIC });

const stageKeys = (): Record<string, KeyTarget> => {
  const out: Record<string, KeyTarget> = {};
  for (let n = 1; n <= 5; n++) {
    out[`stage${n}_users`] = only(['loadtest', 'workflow'], [`stage${n}Users`]);
    out[`stage${n}_duration`] = only(['loadtest', 'workflow'], [`stage${n}Duration`]);
  }
  return out;
};

/** The nested sections of the reference configuration file. */
export const SECTIONS: Record<string, Record<string, KeyTarget>> = {
  thresholds: {
    small_file_threshold: t(['smallFileThreshold']),
    medium_file_threshold: t(['mediumFileThreshold']),
    size_threshold: t(['sizeThreshold'], { exceptCommands: ['optimize'] }),
  },
  worker_allocation: {
    optimize_by_size: t(['optimizeBySize']),
    small_file_workers: t(['smallFileWorkers']),
    medium_file_workers: t(['mediumFileWorkers']),
    large_file_workers: t(['largeFileWorkers']),
  },
  optimization: {
    codec: only(['optimize', 'workflow'], ['optimizeCodec', 'codec']),
    quality: only(['optimize', 'workflow'], ['optimizeQuality', 'quality']),
    target_resolution: only(['optimize', 'workflow'], ['optimizeResolution', 'targetResolution']),
    workers: only(['optimize', 'workflow'], ['optimizeWorkers', 'workers']),
    size_threshold: only(['optimize', 'workflow'], ['optimizeThreshold', 'sizeThreshold']),
    threshold: only(['optimize', 'workflow'], ['optimizeThreshold', 'sizeThreshold']),
    optimize_videos: only(['optimize', 'workflow'], ['optimizeVideos']),
    optimize_images: only(['optimize', 'workflow'], ['optimizeImages']),
    optimized_videos_dir: only(['optimize'], ['optimizedVideosDir']),
    hardware_acceleration: only(['optimize', 'workflow'], ['hardwareAcceleration']),
    browser_compatible: only(['optimize', 'workflow'], ['browserCompatible']),
    create_webm: only(['optimize', 'workflow'], ['createWebm']),
    preset: only(['optimize', 'workflow'], ['optimizePreset', 'preset']),
  },
  load_test: {
    k6_script: only(['loadtest'], ['k6Script']),
    url_format: only(['loadtest'], ['urlFormat']),
    use_head_requests: only(['loadtest'], ['useHeadRequests']),
    skip_large_files: only(['loadtest', 'workflow'], ['skipLargeFiles']),
    large_file_threshold_mib: only(['loadtest', 'workflow'], ['largeFileThresholdMb', 'largeFileThresholdMib']),
    large_file_threshold_mb: only(['loadtest', 'workflow'], ['largeFileThresholdMb', 'largeFileThresholdMib']),
    request_timeout: only(['loadtest', 'workflow'], ['requestTimeout']),
    users: only(['workflow'], ['loadtestUsers']),
    duration: only(['workflow'], ['loadtestDuration']),
    use_error_report: only(['loadtest', 'workflow'], ['useErrorReport']),
    error_report_file: only(['loadtest'], ['errorReportFile']),
    ...stageKeys(),
  },
  validation: {
    workers: only(['validate'], ['validationWorkers', 'workers']),
    format: only(['validate'], ['validationFormat']),
    report: only(['validate'], ['validationReport']),
    directory: only(['validate'], ['validateDirectory']),
    video_pattern: only(['validate'], ['videoPattern']),
  },
  logging: {
    level: { attrs: [], priority: SPECIFIC },
    format: { attrs: [], priority: SPECIFIC, ignored: 'diagnostics are plain text on stderr' },
    file: { attrs: [], priority: SPECIFIC, ignored: 'diagnostics go to stderr; redirect it (2>file) to keep them' },
  },
};

/**
 * Top-level keys that differ from a plain option name (the flat config.yaml of
 * the Go version). Everything else at the top level is an option's snake_case name.
 */
export const TOP_LEVEL_ALIASES: Record<string, KeyTarget> = {
  codec: { ...SECTIONS.optimization.codec, priority: TOP },
  quality: { ...SECTIONS.optimization.quality, priority: TOP },
  target_resolution: { ...SECTIONS.optimization.target_resolution, priority: TOP },
  large_file_threshold_mib: { ...SECTIONS.load_test.large_file_threshold_mib, priority: TOP },
};

/** Option names whose top-level key means something else in one command. */
const TOP_LEVEL_EXCEPTIONS: Record<string, string[]> = {
  // ffmpeg processes and validation probes have their own sections
  workers: ['optimize', 'validate'],
  size_threshold: ['optimize'],
};

/** Options never set from a file (where to find the file, help, version). */
export const NOT_CONFIGURABLE = new Set(['config', 'help', 'version']);

export function snakeCase(attr: string): string {
  return attr.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function camelCase(key: string): string {
  return key.replace(/[_-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The target of a top-level key that names an option directly. */
export function topLevelTarget(key: string): KeyTarget {
  return TOP_LEVEL_ALIASES[key] ?? { attrs: [camelCase(key)], priority: TOP, exceptCommands: TOP_LEVEL_EXCEPTIONS[key] };
}

/** The attribute a key sets on a command, or undefined when the command does not take it. */
export function attrFor(target: KeyTarget, commandName: string, has: (attr: string) => boolean): string | undefined {
  if (target.commands && !target.commands.includes(commandName)) return undefined;
  if (target.exceptCommands?.includes(commandName)) return undefined;
  return target.attrs.find(has);
}
