// `media-toolkit workflow`: analysis, optimize, purge, prewarm, verify, errors and loadtest
// in order, each run as its own subcommand, with saved progress and an index page.
import { Option, type Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { choiceOption, durationArg, floatArg, intArg, listArg, boolArg } from '../options.js';
import { STAGES, type StageName, type WorkflowOptions } from '../../workflow/options.js';
import { runWorkflow } from '../../workflow/run.js';
import { stageEnv } from '../../workflow/run-step.js';
import { CODECS, PRESETS, QUALITIES } from '../../optimize/profiles.js';
import { TARGET_RESOLUTIONS } from '../../optimize/dimensions.js';
import { HARDWARE_CHOICES } from '../../optimize/hwaccel.js';
import { URL_FORMATS } from '../../common/url.js';
import { collect, forcePathStyleOption, remoteOption } from '../storage-options.js';
import { PROVIDERS } from './purge.js';

/** `--name [yes|no]` with a `--no-name` twin: reads naturally as a flag, from env and from a config file. */
function toggle(cmd: Command, name: string, description: string, defaultValue: boolean): void {
  cmd.addOption(new Option(`--${name} [yes|no]`, description).argParser(boolArg).default(defaultValue));
  cmd.addOption(new Option(`--no-${name}`, `opposite of --${name}`));
}

interface RawOptions extends Record<string, unknown> {
  config?: string;
}

/** Commander's option bag to the workflow's typed options. */
export function toWorkflowOptions(raw: RawOptions, globals: { config?: string; verbose?: boolean; quiet?: boolean }): WorkflowOptions {
  const r = raw as Record<string, never>;
  const loadStages = [1, 2, 3, 4, 5].map((n) => ({ users: r[`stage${n}Users`] as number | undefined, duration: r[`stage${n}Duration`] as string | undefined }));
  const skip = Object.fromEntries(STAGES.map((s) => [s, Boolean(r[`skip${s[0].toUpperCase()}${s.slice(1)}`])])) as Record<StageName, boolean>;
  return {
    remote: r.remote,
    bucket: r.bucket,
    directory: r.directory,
    endpoint: r.endpoint,
    region: r.region,
    profile: r.profile,
    forcePathStyle: r.forcePathStyle,
    baseUrl: r.baseUrl,
    outputDir: r.outputDir,
    configFile: globals.config,
    mediaType: r.mediaType,
    extensions: r.extensions,
    derivatives: r.derivatives,
    imageVariants: r.imageVariants,
    limit: r.limit,
    workers: r.workers,
    timeout: r.timeout,
    retry: r.retry,
    connectionCloseDelay: r.connectionCloseDelay,
    urlFormat: r.urlFormat,
    optimizeBySize: r.optimizeBySize,
    smallFileWorkers: r.smallFileWorkers,
    mediumFileWorkers: r.mediumFileWorkers,
    largeFileWorkers: r.largeFileWorkers,
    smallFileThreshold: r.smallFileThreshold,
    mediumFileThreshold: r.mediumFileThreshold,
    useHeadForSize: r.useHeadForSize,
    sizeThreshold: r.sizeThreshold,
    analysisFormat: r.analysisFormat,
    compareFile: r.compareFile,
    generateComparison: r.generateComparison,
    loadtestUsers: r.loadtestUsers,
    loadtestDuration: r.loadtestDuration,
    loadStages,
    skipLargeFiles: r.skipLargeFiles,
    largeFileThresholdMb: r.largeFileThresholdMb,
    requestTimeout: r.requestTimeout,
    useErrorReport: r.useErrorReport,
    optimizeVideos: r.optimizeVideos,
    optimizeInPlace: r.optimizeInPlace,
    maxFailureRate: r.maxFailureRate,
    changedOnly: r.changedOnly,
    previousListing: r.previousListing,
    minHitRatio: r.minHitRatio,
    purge: {
      provider: r.purgeProvider,
      distributionId: r.distributionId,
      zoneId: r.zoneId,
      edgerc: r.edgerc,
      section: r.edgercSection,
      serviceId: r.fastlyServiceId,
      by: r.purgeBy,
      edges: r.purgeEdge,
      method: r.purgeMethod,
      pathPrefix: r.purgePathPrefix,
      wait: r.purgeWait,
    },
    optimizeThreshold: r.optimizeThreshold,
    optimizeCodec: r.optimizeCodec,
    optimizeQuality: r.optimizeQuality,
    optimizeResolution: r.optimizeResolution,
    optimizeWorkers: r.optimizeWorkers,
    optimizePreset: r.optimizePreset,
    hardwareAcceleration: r.hardwareAcceleration,
    browserCompatible: r.browserCompatible,
    skip,
    resumeFrom: r.resumeFrom,
    resume: Boolean(r.resume),
    saveProgress: r.saveProgress,
    continueOnError: r.continueOnError,
    dryRun: Boolean(r.dryRun),
    interactive: Boolean(r.interactive),
    verbose: globals.verbose,
    quiet: globals.quiet,
  };
}

/**
 * A terminal prompt for --interactive, or undefined without a TTY. One line reader for
 * the whole run, so answers typed ahead are kept for the next question.
 */
export function terminalAsk(): { ask: (q: string) => Promise<string>; close: () => void } | undefined {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    ask: async (question: string) => {
      process.stderr.write(question);
      const next = await lines.next();
      return next.done ? 'q' : String(next.value);
    },
    close: () => rl.close(),
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('workflow')
    .summary('The whole cycle: analysis, optimize, purge, prewarm, verify, errors, loadtest, with saved progress and an index page')
    .description(
      'Run the change-aware cycle in seven stages, each as the subcommand you would type:\n' +
        '  1 analysis  list + analyze the bucket; diff with the previous listing (what changed)\n' +
        '  2 optimize  re-encode videos above --optimize-threshold (--optimize-in-place replaces the sources)\n' +
        '  3 purge     purge the cached derivatives of changed and replaced sources (--purge-provider)\n' +
        '  4 prewarm   request every derivative/variant so the CDN caches it (--changed-only: the changes alone)\n' +
        '  5 verify    re-request what was warmed: the share that is a cache HIT now\n' +
        '  6 errors    error report and exclusion list (+ compare with --compare-file)\n' +
        '  7 loadtest  k6 replays the warmed URLs (exit 99: thresholds breached)\n\n' +
        'A stage with nothing to do is skipped with the reason. Every stage writes into --output-dir; the run\n' +
        'ends with index.md and index.html there: what changed, what was purged, the coverage after warming,\n' +
        'and every report. Running again in the same --output-dir compares with that run\'s listing.\n' +
        'Progress is saved after each stage (workflow-state.json): after a failure,\n' +
        'fix the cause and run again with --resume to go on without redoing the\n' +
        'finished stages, or start at a stage with --resume-from.\n' +
        'Options left unset are not passed on: each subcommand\'s default applies. The base URL reaches the\n' +
        'stages as MEDIA_TOOLKIT_BASE_URL, never on a command line (ps shows those).',
    );

  cmd
    .addOption(remoteOption())
    .option('--bucket <name>', 'bucket name, or the folder for --remote local')
    .option('--directory <prefix>', 'prefix inside the bucket')
    .option('--endpoint <url>', 'S3 endpoint for R2, MinIO and other servers (list, prewarm, optimize)')
    .option('--region <region>', 'S3 region')
    .option('--profile <name>', 'AWS profile (list, prewarm)')
    .addOption(forcePathStyleOption())
    .option('--base-url <url>', 'CDN base URL the derivatives are requested from (prewarm, loadtest)')
    .option('--output-dir <dir>', 'folder for every report, the progress file and the index page', './workflow-results')
    // media
    .addOption(choiceOption('--media-type <type>', 'media to process (list, prewarm)', ['auto', 'video', 'image']))
    .option('--extensions <list>', 'only these extensions, comma-separated (e.g. .mp4,.mov)', listArg)
    .option('--derivatives <list>', 'video derivatives to warm (prewarm default: desktop,tablet,mobile)', listArg)
    .option('--image-variants <list>', 'image variants to warm (prewarm default: thumbnail,small,medium,large,webp)', listArg)
    .option('--limit <n>', 'process at most this many objects (list, prewarm)', intArg(1))
    // prewarm
    .option('--workers <n>', 'concurrent pre-warming requests (prewarm\'s default when unset)', intArg(1))
    .option('--timeout <seconds>', 'pre-warming request timeout in seconds', floatArg(0.1))
    .option('--retry <n>', 'pre-warming retries per URL', intArg(0))
    .option('--connection-close-delay <seconds>', 'pre-warming: wait this long before closing connections', floatArg(0))
    .addOption(choiceOption('--url-format <format>', 'derivative URL form (prewarm and loadtest)', URL_FORMATS))
    .option('--optimize-by-size', 'prewarm: separate worker pools by file size')
    .option('--small-file-workers <n>', 'prewarm: workers for small files (0 = auto)', intArg(0))
    .option('--medium-file-workers <n>', 'prewarm: workers for medium files (0 = auto)', intArg(0))
    .option('--large-file-workers <n>', 'prewarm: workers for large files (0 = auto)', intArg(0))
    .option('--small-file-threshold <mib>', 'prewarm: below this many MiB a file is small', floatArg(0))
    .option('--medium-file-threshold <mib>', 'prewarm: up to this many MiB a file is medium', floatArg(0))
    .option('--use-head-for-size', 'prewarm: HEAD each URL for its size first')
    // analysis
    .option('--size-threshold <mib>', 'analysis: report files above this many MiB', floatArg(0), 100)
    .addOption(choiceOption('--analysis-format <format>', 'analysis report format', ['markdown', 'json', 'csv', 'html'], 'markdown'))
    .option('--compare-file <file>', 'errors stage: also compare the results with this KV JSON export')
    .option('--generate-comparison', 'compare with --compare-file (on whenever --compare-file is given)')
    // loadtest
    .option('--loadtest-users <n>', 'k6 virtual users when no --stageN-users is given', intArg(0), 50)
    .option('--loadtest-duration <duration>', 'k6 test length when no --stageN-duration is given (ramp up 1/4, hold 1/2, ramp down 1/4)', durationArg, '2m');
  for (let n = 1; n <= 5; n++) {
    cmd.option(`--stage${n}-users <n>`, `k6 stage ${n}: target virtual users (unset stages take --loadtest-users)`, intArg(0));
    cmd.option(`--stage${n}-duration <duration>`, `k6 stage ${n}: duration, e.g. 30s or 1m`, durationArg);
  }
  toggle(cmd, 'skip-large-files', 'loadtest: leave out files above --large-file-threshold-mb', true);
  cmd
    .option('--large-file-threshold-mb <mib>', 'loadtest: what counts as a large file, MiB', floatArg(0), 256)
    .option('--request-timeout <duration>', 'loadtest: k6 request timeout', durationArg, '120s');
  toggle(cmd, 'use-error-report', 'loadtest: leave out the keys in the errors stage\'s exclusion list', true);
  // optimize
  toggle(cmd, 'optimize-videos', 'optimize: re-encode videos above --optimize-threshold', true);
  cmd
    .option('--optimize-threshold <mib>', 'optimize: re-encode videos larger than this many MiB', floatArg(0), 256)
    .addOption(choiceOption('--optimize-codec <codec>', 'optimize: video codec', CODECS, 'h264'))
    .addOption(choiceOption('--optimize-quality <profile>', 'optimize: quality profile', QUALITIES, 'balanced'))
    .addOption(choiceOption('--optimize-resolution <res>', 'optimize: target resolution', TARGET_RESOLUTIONS, '1080p'))
    .option('--optimize-workers <n>', 'optimize: parallel ffmpeg encodes (optimize\'s default when unset)', intArg(1))
    .addOption(choiceOption('--optimize-preset <preset>', 'optimize: encoder speed preset (the quality profile\'s when unset)', PRESETS))
    .addOption(choiceOption('--hardware-acceleration <type>', 'optimize: hardware encoder (optimize\'s default when unset)', HARDWARE_CHOICES))
    .addOption(new Option('--browser-compatible [yes|no]', 'optimize: keep MP4 output to h264 + aac (optimize\'s default when unset)').argParser(boolArg));
  cmd.option('--optimize-in-place', 'optimize: replace each source with its verified re-encode (then purge and warm it again)');
  // change awareness
  cmd
    .option('--previous-listing <file>', 'compare with this listing (default: the one an earlier run left in --output-dir)')
    .option('--changed-only', 'prewarm only the new, changed and replaced keys when there is a previous listing')
    .option('--max-failure-rate <r>', 'prewarm: share of URLs that may finally fail before the stage fails (prewarm\'s default when unset)', floatArg(0, 1))
    .option('--min-hit-ratio <r>', 'verify: fail below this share of cache HITs (0..1)', floatArg(0, 1));
  // purge
  cmd
    .addOption(choiceOption('--purge-provider <name>', 'purge: where the cached derivatives of changed sources are purged (none: the stage is skipped)', PROVIDERS))
    .option('--distribution-id <id>', 'purge (cloudfront): the distribution')
    .option('--zone-id <id>', 'purge (cloudflare): the zone; the token comes from CLOUDFLARE_API_TOKEN')
    .option('--edgerc <file>', 'purge (akamai): EdgeGrid credentials file')
    .option('--edgerc-section <name>', 'purge (akamai): section of the .edgerc file')
    .option('--fastly-service-id <id>', 'purge (fastly): the service; the token comes from FASTLY_API_TOKEN')
    .option('--purge-by <what>', 'purge: url, prefix (cloudflare), surrogate-key (fastly)')
    .option('--purge-edge <addr[:port]>', 'purge (http): send PURGE to this cache address (repeatable)', collect)
    .addOption(choiceOption('--purge-method <method>', 'purge (http): PURGE or BAN', ['PURGE', 'BAN']))
    .option('--purge-path-prefix <path>', 'purge (http): a purge location of its own, e.g. /purge for nginx')
    .option('--purge-wait', 'purge (cloudfront): wait until the invalidations complete before warming');
  // control
  for (const s of STAGES) cmd.option(`--skip-${s}`, `do not run the ${s} stage`);
  cmd
    .addOption(choiceOption('--resume-from <stage>', 'start at this stage; earlier stages keep their saved results', [...STAGES]))
    .option('--resume', 'continue the saved run: stages that finished are not run again');
  toggle(cmd, 'save-progress', 'save progress after each stage in --output-dir/workflow-state.json', true);
  toggle(cmd, 'continue-on-error', 'run the next stages after one fails (stages that need its output are skipped)', false);
  cmd
    .option('--dry-run', 'print each stage\'s commands and inputs; run nothing, write nothing')
    .option('--interactive', 'ask before each stage (needs a terminal)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ media-toolkit workflow --remote r2 --bucket media --base-url https://cdn.example.com/ --output-dir ./run1\n' +
        '  $ media-toolkit workflow --config media-toolkit.yaml --skip-optimize --loadtest-users 20 --loadtest-duration 1m\n' +
        '  $ media-toolkit workflow --config media-toolkit.yaml --output-dir ./run1 --resume      # after a failed stage\n' +
        '  $ media-toolkit workflow --config media-toolkit.yaml --dry-run                          # show the commands only\n\n' +
        'Exit codes: 0 every stage that ran succeeded, 1 a stage failed, 99 only the k6 thresholds were breached, 2 usage error.',
    )
    .action(async (raw: RawOptions, self: Command) => {
      const globals = self.optsWithGlobals() as { config?: string; verbose?: boolean; quiet?: boolean };
      const o = toWorkflowOptions(raw, globals);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      const terminal = o.interactive ? terminalAsk() : undefined;
      try {
        // Variables the workflow has resolved into flags are not handed to the stages again.
        // (MEDIA_TOOLKIT_REDACT stays: the stages mask the same --redact patterns.)
        const resolved = [self, self.parent as Command].flatMap((c) => c.options.map((opt) => opt.envVar)).filter((e): e is string => Boolean(e) && e !== 'MEDIA_TOOLKIT_REDACT');
        const result = await runWorkflow(o, {
          childEnv: stageEnv(resolved),
          ask: terminal?.ask,
          print: (t) => process.stdout.write(t),
          signal: controller.signal,
        });
        process.exitCode = result.exitCode;
      } finally {
        terminal?.close();
        process.off('SIGINT', onSigint);
      }
    });
}
