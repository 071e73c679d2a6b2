// Each stage as the subcommands a user would run, with flags from the flag contract.
// Options the user did not set are not passed, so the subcommand's own default applies.
import { type StageName, type WorkflowOptions, type LoadStage } from './options.js';
import { FILES, analysisFile, inOutput } from './files.js';
import { durationSeconds, secondsDuration } from '../common/duration.js';
import { baselineListing, type ChangeSummary } from './changes.js';

/** One subcommand run. */
export interface Step {
  /** Arguments after `media-toolkit`, starting with the subcommand. */
  args: string[];
  /**
   * Variables for this step only. Secrets go here, never into `args`: a command line is
   * visible to every user of the machine (`ps`), a process's environment is not.
   */
  env?: Record<string, string>;
}

/** What earlier stages of this run found, for the stages that depend on it. */
export interface StageFacts {
  /** Whether the change list was composed in this run (false in a dry run: not known yet). */
  changesKnown: boolean;
  /** What changed, or undefined when nothing did (or nothing could be compared). */
  changes?: ChangeSummary;
  /**
   * Whether this run's listing was compared with a previous one (analysis ran or was kept, and
   * there was a previous listing). Without it, changes hold optimize's replacements at most, and
   * --changed-only cannot say what else is new: everything is warmed.
   */
  compared?: boolean;
  /** Why this run's prewarm stage warmed nothing (--changed-only, nothing new or changed): then verify has nothing new to check. */
  warmedNothing?: string;
}

/** The base URL may carry a token or signature: the stages get it as MEDIA_TOOLKIT_BASE_URL. */
export const BASE_URL_ENV = 'MEDIA_TOOLKIT_BASE_URL';

function withBaseUrl(o: WorkflowOptions): Record<string, string> | undefined {
  return o.baseUrl ? { [BASE_URL_ENV]: o.baseUrl } : undefined;
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
  /** The stage is blocked because there is nothing for it to do (not because something is missing). */
  nothingToDo?: boolean;
}

export const STAGE_TITLES: Record<StageName, string> = {
  analysis: 'File analysis (list and analyze the bucket, and what changed since the previous listing)',
  optimize: 'Optimization (re-encode oversized videos)',
  purge: 'Purge (remove the cached derivatives of changed sources from the CDN)',
  prewarm: 'Cache pre-warming (every derivative and variant)',
  verify: 'Verify (re-request what was warmed: is it a cache HIT now?)',
  errors: 'Error analysis (report and exclusion list)',
  loadtest: 'Load test (k6 replaying the warmed URLs)',
};

type Value = string | number | boolean | string[] | undefined;

/** Appends `--flag value` for set values; booleans add the bare flag when true. */
function push(args: string[], flag: string, value: Value): void {
  if (value === undefined || value === false) return;
  if (value === true) args.push(flag);
  else args.push(flag, Array.isArray(value) ? value.join(',') : String(value));
}

/** --remote/--bucket/--directory and the S3 connection flags the command takes. */
function storageArgs(o: WorkflowOptions, command: 'list' | 'prewarm' | 'optimize' | 'diff'): string[] {
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
export function planStage(name: StageName, o: WorkflowOptions, exists: (path: string) => boolean, facts: StageFacts = { changesKnown: false }): StagePlan {
  const out = (f: string) => inOutput(o.outputDir, f);
  const common = commonArgs(o);
  const results = out(FILES.results);
  const base = { name, title: STAGE_TITLES[name] };
  const needResults = exists(results) ? undefined : `needs the pre-warming results ${results} (run the prewarm stage first)`;
  const baseline = baselineListing(o.outputDir, o.previousListing, exists);
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
      const inputs = [`${o.remote}:${o.bucket}${o.directory ? `/${o.directory}` : ''}`];
      const reports: Report[] = [
        { label: 'Size analysis', file: analysisFile(o.analysisFormat) },
        { label: 'Object listing (JSON Lines)', file: FILES.listing },
      ];
      // What changed since the listing the CDN was last warmed with (an earlier run's, or --previous-listing).
      if (baseline) {
        steps.push({ args: ['diff', '--before', baseline, '--after', listing, '--output', out(FILES.listingChanges), ...common] });
        inputs.push(baseline);
        reports.push({ label: 'Changes since the previous listing', file: FILES.listingChanges }, { label: 'Previous listing', file: FILES.listingPrevious });
      }
      return { ...base, steps, inputs, reports };
    }
    case 'purge': {
      const p = o.purge;
      const changes = out(FILES.changes);
      const a = ['purge', '--provider', p.provider ?? '', '--keys-file', changes];
      push(a, '--media-type', o.mediaType);
      push(a, '--extensions', o.extensions);
      push(a, '--derivatives', o.derivatives);
      push(a, '--image-variants', o.imageVariants);
      push(a, '--url-format', o.urlFormat);
      push(a, '--distribution-id', p.distributionId);
      push(a, '--zone-id', p.zoneId);
      push(a, '--edgerc', p.edgerc);
      push(a, '--section', p.section);
      push(a, '--service-id', p.serviceId);
      push(a, '--by', p.by);
      for (const e of p.edges ?? []) a.push('--edge', e);
      push(a, '--method', p.method);
      push(a, '--purge-path-prefix', p.pathPrefix);
      push(a, '--wait', p.wait);
      // CloudFront: a folder every key of which changed gets one wildcard (the current listing says which).
      if (p.provider === 'cloudfront' && exists(out(FILES.listing))) a.push('--listing-file', out(FILES.listing));
      // What the last run warmed for these keys is purged too: HLS/DASH playlists and segments, known only from it.
      if (exists(results) && p.by !== 'surrogate-key') a.push('--results-file', results);
      a.push('--failed-output', out(FILES.purgeFailed), '--report', out(FILES.purgeReport), '--progress', 'false', ...common);
      const c = facts.changes;
      let blocked: string | undefined;
      if (facts.changesKnown && !c) {
        blocked = !baseline
          ? 'no previous listing to compare with (the first run in this folder), and optimize replaced nothing'
          : facts.compared === false
            ? 'the bucket was not compared with the previous listing (the analysis stage did not run), and optimize replaced nothing'
            : 'nothing changed since the previous listing, and optimize replaced nothing';
      }
      else if (facts.changesKnown && c && c.toPurge === 0) blocked = `only new keys (${c.new}): nothing of theirs is cached yet`;
      else if (!p.provider) blocked = c ? `no --purge-provider: the cached derivatives of ${c.toPurge} changed key(s) may be stale` : 'no --purge-provider';
      else if (!o.baseUrl && p.by !== 'surrogate-key') blocked = 'needs --base-url (the URLs to purge are built from it)';
      return {
        ...base,
        steps: [{ args: a, env: p.by === 'surrogate-key' ? undefined : withBaseUrl(o) }],
        inputs: [changes],
        reports: [
          { label: 'Purge report (JSON)', file: FILES.purgeReport },
          { label: 'URLs that were not purged', file: FILES.purgeFailed },
          { label: 'What changed (change list)', file: FILES.changes },
        ],
        blocked,
      };
    }
    case 'prewarm': {
      const a = ['prewarm', ...storageArgs(o, 'prewarm'), ...filterArgs(o)];
      let blocked = o.baseUrl ? undefined : 'needs --base-url';
      const missing = blocked;
      // --changed-only: the new and changed keys alone, when this run's listing was compared with a previous one;
      // without that comparison (the first run, --skip-analysis) nothing says what is new, so everything is warmed.
      if (o.changedOnly && facts.compared && facts.changes) {
        a.push('--only-keys', out(FILES.changes));
        if (facts.changes.toWarm === 0) blocked ??= 'nothing new or changed to warm (--changed-only)';
      } else if (o.changedOnly && facts.compared) blocked ??= 'nothing changed since the previous listing (--changed-only)';
      push(a, '--max-failure-rate', o.maxFailureRate);
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
        steps: [{ args: a, env: withBaseUrl(o) }],
        inputs: [`${o.remote}:${o.bucket}${o.directory ? `/${o.directory}` : ''}`, o.baseUrl ?? '(no --base-url)'],
        reports: [
          { label: 'Pre-warming results (JSON)', file: FILES.results },
          { label: 'Pre-warming results (JSON Lines)', file: FILES.resultsJsonl },
          { label: 'Pre-warming summary', file: FILES.resultsSummary },
        ],
        blocked,
        nothingToDo: blocked !== undefined && missing === undefined,
      };
    }
    case 'verify': {
      const a = ['verify', '--results-file', results, '--output', out(FILES.verifyReport)];
      push(a, '--min-hit-ratio', o.minHitRatio);
      push(a, '--workers', o.workers);
      push(a, '--timeout', o.timeout);
      a.push('--progress', 'false', ...common);
      return {
        ...base,
        steps: [{ args: a, env: withBaseUrl(o) }],
        inputs: [results],
        reports: [
          { label: 'Coverage report', file: FILES.verifyReport },
          { label: 'Coverage report (HTML)', file: FILES.verifyHtml },
          { label: 'Coverage report (JSON)', file: FILES.verifyJson },
        ],
        // The results are an earlier run's: their keys may have been deleted and purged since.
        blocked: needResults ?? (facts.warmedNothing ? `nothing was warmed in this run (${facts.warmedNothing})` : undefined),
        nothingToDo: !needResults && facts.warmedNothing !== undefined,
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
        steps: [{ args: a, env: withBaseUrl(o) }],
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
      a.push('--size-threshold', String(o.optimizeThreshold));
      // In place, each source is replaced by its verified re-encode (then purged and warmed again);
      // otherwise the re-encodes are written to optimized/ for a person to review.
      if (o.optimizeInPlace) a.push('--optimize-in-place');
      else a.push('--optimize-videos', '--optimized-videos-dir', out(FILES.optimizedDir));
      a.push('--codec', o.optimizeCodec, '--quality', o.optimizeQuality, '--target-resolution', o.optimizeResolution);
      push(a, '--workers', o.optimizeWorkers);
      push(a, '--preset', o.optimizePreset);
      push(a, '--hardware-acceleration', o.hardwareAcceleration);
      if (o.browserCompatible !== undefined) a.push('--browser-compatible', String(o.browserCompatible));
      // The optimizer's write-ahead manifest stays with the run, not in the current folder.
      a.push('--manifest', out(FILES.optimizeManifest));
      a.push('--report', out(FILES.optimizeReport), ...common);
      const steps: Step[] = [{ args: a }];
      // The bucket after the replacements: the listing the next run compares with.
      if (o.optimizeInPlace) steps.push({ args: ['list', ...storageArgs(o, 'list'), ...filterArgs(o), '--format', 'jsonl', '--output', out(FILES.listing), ...common] });
      return {
        ...base,
        steps,
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
