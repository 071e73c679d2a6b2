// Each stage as the subcommands a user would run, with flags from the flag contract.
// Options the user did not set are not passed, so the subcommand's own default applies.
import { type StageName, type WorkflowOptions, type LoadStage } from './options.js';
import { FILES, analysisFile, inOutput } from './files.js';
import { durationSeconds, secondsDuration } from '../common/duration.js';

/** One subcommand run. */
export interface Step {
  /** Arguments after `media-toolkit`, starting with the subcommand. */
  args: string[];
}

/** A report a stage leaves in --output-dir, for the index page. */
export interface Report {
  label: string;
  /** Relative to --output-dir. */
  file: string;
}

export interface StagePlan {
  name: StageName;
  title: string;
  steps: Step[];
  /** Files the stage reads (shown by --dry-run). */
  inputs: string[];
  reports: Report[];
  /** Set when the stage cannot run: a missing input or a disabled feature. */
  blocked?: string;
}

export const STAGE_TITLES: Record<StageName, string> = {
  analysis: 'File analysis (list and analyze the bucket)',
  prewarm: 'Cache pre-warming (every derivative and variant)',
  errors: 'Error analysis (report and exclusion list)',
  loadtest: 'Load test (k6 replaying the warmed URLs)',
  optimize: 'Optimization (re-encode oversized videos)',
};

type Value = string | number | boolean | string[] | undefined;

/** Appends `--flag value` for set values; booleans add the bare flag when true. */
function push(args: string[], flag: string, value: Value): void {
  if (value === undefined || value === false) return;
  if (value === true) args.push(flag);
  else args.push(flag, Array.isArray(value) ? value.join(',') : String(value));
}

/** --remote/--bucket/--directory and the S3 connection flags the command takes. */
function storageArgs(o: WorkflowOptions, command: 'list' | 'prewarm' | 'optimize'): string[] {
  const a = ['--remote', o.remote, '--bucket', o.bucket];
  push(a, '--directory', o.directory);
  push(a, '--endpoint', o.endpoint);
  push(a, '--region', o.region);
  if (command !== 'optimize') push(a, '--profile', o.profile);
  // An explicit on/off for every stage; unset, each decides from --endpoint.
  if (o.forcePathStyle !== undefined) a.push('--force-path-style', String(o.forcePathStyle));
  return a;
}

function filterArgs(o: WorkflowOptions): string[] {
  const a: string[] = [];
  push(a, '--media-type', o.mediaType);
  push(a, '--extensions', o.extensions);
  push(a, '--limit', o.limit);
  return a;
}

/** Flags every stage gets: the configuration file and the log level. */
function commonArgs(o: WorkflowOptions): string[] {
  const a: string[] = [];
  push(a, '--config', o.configFile);
  push(a, '--verbose', o.verbose);
  push(a, '--quiet', o.quiet);
  return a;
}

/**
 * The k6 stages: --stageN-* as given; when none is given, a ramp to
 * --loadtest-users over a quarter of --loadtest-duration, a hold for half, and a ramp down.
 */
export function loadStages(o: WorkflowOptions): LoadStage[] {
  const given = o.loadStages.map((s, i) => ({ ...s, n: i + 1 })).filter((s) => s.users !== undefined || s.duration !== undefined);
  if (given.length > 0) {
    return o.loadStages.map((s) => ({ users: s.users ?? o.loadtestUsers, duration: s.duration ?? o.loadtestDuration })).filter((_, i) => i < Math.max(...given.map((g) => g.n)));
  }
  const total = durationSeconds(o.loadtestDuration) ?? 120;
  return [
    { users: o.loadtestUsers, duration: secondsDuration(total / 4) },
    { users: o.loadtestUsers, duration: secondsDuration(total / 2) },
    { users: 0, duration: secondsDuration(total / 4) },
  ];
}

/**
 * The plan of one stage. `exists` says whether a file is (or, in a dry run,
 * will be) there when the stage starts.
 */
export function planStage(name: StageName, o: WorkflowOptions, exists: (path: string) => boolean): StagePlan {
  const out = (f: string) => inOutput(o.outputDir, f);
  const common = commonArgs(o);
  const results = out(FILES.results);
  const base = { name, title: STAGE_TITLES[name] };
  const needResults = exists(results) ? undefined : `needs the pre-warming results ${results} (run the prewarm stage first)`;
  switch (name) {
    case 'analysis': {
      const listing = out(FILES.listing);
      const list = ['list', ...storageArgs(o, 'list'), ...filterArgs(o), '--format', 'jsonl', '--output', listing, ...common];
      const analyze = (format: string, file: string) => {
        const a = ['analyze', '--listing-file', listing, '--size-threshold', String(o.sizeThreshold)];
        push(a, '--small-file-threshold', o.smallFileThreshold);
        push(a, '--medium-file-threshold', o.mediumFileThreshold);
        return [...a, '--format', format, '--output', out(file), ...common];
      };
      // The index takes object count and bytes from the listing, so one report in the asked format is enough.
      const steps: Step[] = [{ args: list }, { args: analyze(o.analysisFormat, analysisFile(o.analysisFormat)) }];
      return {
        ...base,
        steps,
        inputs: [`${o.remote}:${o.bucket}${o.directory ? `/${o.directory}` : ''}`],
        reports: [
          { label: 'Size analysis', file: analysisFile(o.analysisFormat) },
          { label: 'Object listing (JSON Lines)', file: FILES.listing },
        ],
      };
    }
    case 'prewarm': {
      const a = ['prewarm', ...storageArgs(o, 'prewarm'), ...filterArgs(o)];
      push(a, '--base-url', o.baseUrl);
      push(a, '--derivatives', o.derivatives);
      push(a, '--image-variants', o.imageVariants);
      push(a, '--workers', o.workers);
      push(a, '--timeout', o.timeout);
      push(a, '--retry', o.retry);
      push(a, '--connection-close-delay', o.connectionCloseDelay);
      push(a, '--url-format', o.urlFormat);
      push(a, '--optimize-by-size', o.optimizeBySize);
      push(a, '--small-file-workers', o.smallFileWorkers);
      push(a, '--medium-file-workers', o.mediumFileWorkers);
      push(a, '--large-file-workers', o.largeFileWorkers);
      push(a, '--small-file-threshold', o.smallFileThreshold);
      push(a, '--medium-file-threshold', o.mediumFileThreshold);
      push(a, '--use-head-for-size', o.useHeadForSize);
      a.push('--output', results, ...common);
      return {
        ...base,
        steps: [{ args: a }],
        inputs: [`${o.remote}:${o.bucket}${o.directory ? `/${o.directory}` : ''}`, o.baseUrl ?? '(no --base-url)'],
        reports: [
          { label: 'Pre-warming results (JSON)', file: FILES.results },
          { label: 'Pre-warming results (JSON Lines)', file: FILES.resultsJsonl },
          { label: 'Pre-warming summary', file: FILES.resultsSummary },
        ],
        blocked: o.baseUrl ? undefined : 'needs --base-url',
      };
    }
    case 'errors': {
      const steps: Step[] = [
        {
          args: ['errors', '--results-file', results, '--output', out(FILES.errorsReport), '--format', 'markdown', '--exclusion-list', out(FILES.exclusionList), ...common],
        },
      ];
      const reports: Report[] = [
        { label: 'Error report', file: FILES.errorsReport },
        { label: 'Exclusion list (keys that failed)', file: FILES.exclusionList },
      ];
      const inputs = [results];
      if (o.compareFile && o.generateComparison !== false) {
        steps.push({ args: ['compare', '--results-file', results, '--compare', o.compareFile, '--output', out(FILES.comparison), '--format', 'markdown', ...common] });
        reports.push({ label: 'Comparison with the KV data', file: FILES.comparison });
        inputs.push(o.compareFile);
      }
      return { ...base, steps, inputs, reports, blocked: needResults };
    }
    case 'loadtest': {
      const a = ['loadtest'];
      push(a, '--base-url', o.baseUrl);
      a.push('--results-file', results);
      loadStages(o).forEach((s, i) => a.push(`--stage${i + 1}-users`, String(s.users), `--stage${i + 1}-duration`, s.duration));
      push(a, '--url-format', o.urlFormat);
      const exclusion = out(FILES.exclusionList);
      const inputs = [results];
      if (o.useErrorReport && exists(exclusion)) {
        a.push('--use-error-report', '--error-report-file', exclusion);
        inputs.push(exclusion);
      }
      if (o.skipLargeFiles) a.push('--skip-large-files', '--large-file-threshold-mb', String(o.largeFileThresholdMb));
      a.push('--request-timeout', o.requestTimeout, '--output-file', out(FILES.loadtestSummary), '--reports-dir', out(FILES.loadtestReports), ...common);
      return {
        ...base,
        steps: [{ args: a }],
        inputs,
        reports: [
          { label: 'k6 report (HTML)', file: FILES.loadtestHtml },
          { label: 'k6 summary (JSON)', file: FILES.loadtestSummary },
          { label: 'k6 reports', file: FILES.loadtestReports },
        ],
        blocked: o.baseUrl ? needResults : 'needs --base-url',
      };
    }
    case 'optimize': {
      const a = ['optimize', ...storageArgs(o, 'optimize')];
      a.push('--size-threshold', String(o.optimizeThreshold), '--optimize-videos', '--optimized-videos-dir', out(FILES.optimizedDir));
      a.push('--codec', o.optimizeCodec, '--quality', o.optimizeQuality, '--target-resolution', o.optimizeResolution);
      push(a, '--workers', o.optimizeWorkers);
      push(a, '--preset', o.optimizePreset);
      push(a, '--hardware-acceleration', o.hardwareAcceleration);
      if (o.browserCompatible !== undefined) a.push('--browser-compatible', String(o.browserCompatible));
      // The optimizer's write-ahead manifest stays with the run, not in the current folder.
      a.push('--manifest', out(FILES.optimizeManifest));
      a.push('--report', out(FILES.optimizeReport), ...common);
      return {
        ...base,
        steps: [{ args: a }],
        inputs: [`${o.remote}:${o.bucket}${o.directory ? `/${o.directory}` : ''}`],
        reports: [
          { label: 'Optimization report', file: FILES.optimizeReport },
          { label: 'Optimization report (JSON)', file: FILES.optimizeJson },
          { label: 'Optimized videos', file: FILES.optimizedDir },
        ],
        blocked: o.optimizeVideos ? undefined : 'video optimization is off (--no-optimize-videos)',
      };
    }
  }
}
