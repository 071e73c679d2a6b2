import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { DEFAULT_DERIVATIVES, selectDerivatives } from '../../common/derivatives.js';
import { IMAGE_VARIANTS, selectImageVariants, VARIANT_GROUPS } from '../../common/image-variants.js';
import { URL_FORMATS, type UrlFormat } from '../../common/url.js';
import type { MediaTypeOption } from '../../common/media-type.js';
import { RuntimeError, UsageError, oneLine } from '../../lib/errors.js';
import { createProgress } from '../../lib/progress.js';
import { info, warn } from '../../lib/log.js';
import { loadDerivativesFile } from '../../prep/prewarm/derivatives-file.js';
import { runPrewarmJob } from '../../prep/prewarm/prewarm-job.js';
import { parseShard, type Shard } from '../../prep/prewarm/shard.js';
import { formatRunStats } from '../../prep/stats/run-stats.js';
import type { PrewarmRun } from '../../prep/prewarm/run-prewarm.js';
import { resultsPaths } from '../../results/paths.js';
import { runComparison } from '../../prep/compare/run-comparison.js';
import { boolArg, choiceOption, floatArg, intArg, listArg } from '../options.js';
import { byteSizeArg, collect, excludeOption, forcePathStyleOption, remoteOption, type StorageFlags } from '../storage-options.js';

interface PrewarmFlags extends StorageFlags {
  listingFile?: string;
  baseUrl?: string;
  mediaType: MediaTypeOption;
  extensions?: string[];
  exclude?: string[];
  minSize?: number;
  maxSize?: number;
  rcloneBin?: string;
  derivatives?: string[];
  derivativesFile?: string;
  imageVariants?: string[];
  listVariants?: boolean;
  urlFormat: UrlFormat;
  urlTemplate?: string;
  workers: number;
  timeout: number;
  connectionCloseDelay: number;
  retry: number;
  optimizeBySize?: boolean;
  smallFileThreshold: number;
  mediumFileThreshold: number;
  smallFileWorkers: number;
  mediumFileWorkers: number;
  largeFileWorkers: number;
  limit: number;
  rate: number;
  shard?: Shard;
  useHeadForSize?: boolean;
  header?: string[];
  output: string;
  resume?: boolean;
  retryFailed?: boolean;
  shutdownGrace: number;
  progress: boolean;
  compare?: string;
  onlyCompare?: boolean;
  comparisonOutput?: string;
  comparisonFormat: 'markdown' | 'json';
  tolerance: number;
}

function listVariantsText(): string {
  const lines = ['name                     group    size        URL form'];
  for (const v of IMAGE_VARIANTS) {
    const size = v.width ? `${v.width}${v.height ? `x${v.height}` : 'w'}` : '-';
    const form = v.path ? `/${v.path}/<key>` : `<key>?${v.query}`;
    lines.push(`${v.name.padEnd(24)} ${v.group.padEnd(8)} ${size.padEnd(11)} ${form}`);
  }
  lines.push(`${IMAGE_VARIANTS.length} variants; select with --image-variants a,b,c, a whole group with group:<${VARIANT_GROUPS.join('|')}>, or all`);
  return `${lines.join('\n')}\n`;
}

function checkBaseUrl(raw: string | undefined): string {
  if (!raw) throw new UsageError('--base-url is required (the CDN address the derivatives are requested from, e.g. https://cdn.example.com/videos)');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--base-url "${raw}" is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--base-url must be http:// or https://, got "${u.protocol}"`);
  return raw;
}

function parseHeaders(list: string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const h of list) {
    const at = h.indexOf(':');
    if (at <= 0) throw new UsageError(`--header "${h}" is not "Name: value"`);
    out[h.slice(0, at).trim().toLowerCase()] = h.slice(at + 1).trim();
  }
  return out;
}

async function action(flags: PrewarmFlags): Promise<void> {
  if (flags.listVariants) {
    process.stdout.write(listVariantsText());
    return;
  }
  const paths = resultsPaths(flags.output);
  if (flags.onlyCompare) {
    if (!flags.compare) throw new UsageError('--only-compare needs --compare KV.json (and --output naming the existing results file)');
    // The results JSON, or the JSONL log of a run that did not get to write it.
    await compareAfter(flags, existsSync(paths.json) || !existsSync(paths.jsonl) ? paths.json : paths.jsonl);
    return;
  }
  const baseUrl = checkBaseUrl(flags.baseUrl);
  if (!flags.listingFile && !flags.bucket) {
    throw new UsageError('no storage given: --remote REMOTE --bucket BUCKET (or --remote local --bucket DIR), or --listing-file FILE');
  }
  if (flags.listingFile && resolve(flags.listingFile) === resolve(paths.jsonl)) {
    throw new UsageError(`--listing-file ${flags.listingFile} is also the results log of --output ${flags.output}: choose another --output`);
  }
  if (flags.retryFailed && !flags.resume) throw new UsageError('--retry-failed goes with --resume (it asks again for the failed records of the run being continued)');
  if (flags.mediumFileThreshold < flags.smallFileThreshold) throw new UsageError('--medium-file-threshold must not be below --small-file-threshold');
  let derivatives;
  let variants;
  try {
    const catalogue = flags.derivativesFile ? await loadDerivativesFile(flags.derivativesFile) : DEFAULT_DERIVATIVES;
    derivatives = selectDerivatives(flags.derivatives, catalogue);
    variants = selectImageVariants(flags.imageVariants);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(oneLine(err));
  }
  if (flags.urlTemplate && !flags.urlTemplate.includes('{key}')) throw new UsageError('--url-template needs a {key} placeholder');

  // A million short-lived request objects grow V8's young generation to 2 x 16 MB and let the old
  // generation swell between full collections: ~20 MB more RSS, and measured no faster (bench/prewarm.mjs).
  // (--heap-growing-percent=10 would also hold the old generation ~20 MB lower, but it halves the
  // throughput of large bodies: their 64 KB chunks count as external memory and trigger full GCs.)
  setFlagsFromString('--semi-space-growth-factor=1');
  const progress = createProgress({ label: 'prewarm', unit: 'req', enabled: flags.progress, plainEveryMs: 10_000 });
  let run: PrewarmRun | undefined;
  let signals = 0;
  let signalName = '';
  let graceTimer: NodeJS.Timeout | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    signalName ||= name;
    if (!run) return;
    if (signals === 1) {
      warn(`${name}: taking no new work; waiting up to ${flags.shutdownGrace} s for ${run.counters().inFlight} request(s) in flight (again to abort)`);
      run.stop();
      graceTimer = setTimeout(() => {
        warn(`grace period over: aborting ${run?.counters().inFlight ?? 0} request(s) still in flight`);
        run?.abort();
      }, flags.shutdownGrace * 1000);
      graceTimer.unref();
    } else {
      warn(`${name} again: aborting requests in flight`);
      run.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ticker = setInterval(() => {
    if (!run) return;
    const c = run.counters();
    progress.update({ done: c.done, total: c.listingDone ? c.produced : undefined, errors: c.failed, note: `in flight ${c.inFlight}${c.listingDone ? '' : ', listing...'}` });
  }, 250);
  ticker.unref();
  let result;
  try {
    result = await runPrewarmJob(
      {
        location: flags.bucket
          ? {
              remote: flags.remote ?? 'local',
              bucket: flags.bucket,
              directory: flags.directory,
              endpoint: flags.endpoint,
              region: flags.region,
              profile: flags.profile,
              forcePathStyle: flags.forcePathStyle,
              rcloneBin: flags.rcloneBin,
            }
          : undefined,
        listingFile: flags.listingFile,
        extensions: flags.extensions?.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase()),
        exclude: flags.exclude,
        minSize: flags.minSize,
        maxSize: flags.maxSize,
        baseUrl,
        mediaType: flags.mediaType,
        derivatives,
        variants,
        urlFormat: flags.urlFormat,
        urlTemplate: flags.urlTemplate,
        thresholds: { smallMiB: flags.smallFileThreshold, mediumMiB: flags.mediumFileThreshold },
        shard: flags.shard,
        limit: flags.limit,
        workers: flags.workers,
        optimizeBySize: flags.optimizeBySize,
        smallWorkers: flags.smallFileWorkers,
        mediumWorkers: flags.mediumFileWorkers,
        largeWorkers: flags.largeFileWorkers,
        rate: flags.rate,
        timeoutMs: flags.timeout * 1000,
        retries: flags.retry,
        keepAliveMs: flags.connectionCloseDelay * 1000,
        useHead: flags.useHeadForSize,
        headers: parseHeaders(flags.header),
        output: flags.output,
        resume: flags.resume,
        retryFailed: flags.retryFailed,
      },
      (r) => {
        run = r;
        if (signals > 0) r.stop();
      },
    );
  } finally {
    clearInterval(ticker);
    if (graceTimer) clearTimeout(graceTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { outcome, summary } = result;
  progress.finish({ done: outcome.done, total: outcome.produced, errors: outcome.failed });
  // A listing that failed before yielding anything (missing folder, wrong bucket): nothing was
  // warmed, so the empty results this run wrote are removed rather than left beside the user's files.
  if (outcome.listingError && outcome.produced === 0 && !flags.resume) {
    await Promise.all([result.paths.json, result.paths.jsonl, result.paths.summary].map((f) => rm(f, { force: true })));
    const e = outcome.listingError;
    throw e instanceof UsageError || e instanceof RuntimeError ? e : new RuntimeError(oneLine(e));
  }
  process.stdout.write(
    `prewarm: ${summary.requests} request(s) for ${summary.files} file(s) in ${summary.durationSeconds.toFixed(1)} s (${summary.requestsPerSecond} req/s), ` +
      `${outcome.failed} failed${summary.resumedRecords ? `, ${summary.resumedRecords} done earlier` : ''}${outcome.interrupted ? ', INTERRUPTED' : ''}\n` +
      formatRunStats(summary.stats) +
      `results: ${result.paths.json} (log ${result.paths.jsonl}), summary: ${result.paths.summary}\n`,
  );
  if (outcome.listingError) {
    const e = outcome.listingError;
    if (e instanceof UsageError && outcome.produced === 0) throw e;
    throw new RuntimeError(`listing failed after ${outcome.produced} item(s): ${oneLine(e)} (finished work is in ${result.paths.jsonl}; run again with --resume)`);
  }
  if (outcome.interrupted) {
    info(`interrupted: run the same command with --resume to continue`);
    process.exitCode = signalName === 'SIGTERM' ? 143 : 130;
    return;
  }
  if (flags.compare) await compareAfter(flags, result.paths.json);
}

async function compareAfter(flags: PrewarmFlags, resultsFile: string): Promise<void> {
  const out = flags.comparisonOutput ?? resultsFile.replace(/\.jsonl?$/i, '') + (flags.comparisonFormat === 'json' ? '.comparison.json' : '.comparison.md');
  const c = await runComparison({ resultsFile, kvFile: flags.compare!, output: out, format: flags.comparisonFormat, tolerancePercent: flags.tolerance });
  process.stdout.write(`${c.oneLine}\ncomparison: ${out}\n`);
}

export function register(program: Command): void {
  program
    .command('prewarm')
    .summary('Request every derivative of every file through the CDN and record each result')
    .description(
      'Request every derivative (videos) or image variant (images) of every file in the bucket through the CDN, so\n' +
        'the transforming edge renders and caches them before real users ask. Files come from the bucket listing\n' +
        '(--remote/--bucket, streamed, never loaded whole) or a saved listing (--listing-file).\n\n' +
        'Each of the --workers workers has a keep-alive connection of its own (one request in flight on it);\n' +
        'bodies are streamed and discarded, so memory stays flat for any file size. 5xx answers, timeouts and\n' +
        'connection errors are retried (--retry) with exponential back-off and jitter, or after Retry-After;\n' +
        '4xx answers are never retried.\n\n' +
        'Results: FILE.jsonl is appended while running (a crash loses at most the requests in flight; --resume\n' +
        'continues from it), then FILE.json (the results file the loadtest reads) and FILE.summary.json (statistics:\n' +
        'mean, standard deviation, p50/p90/p95/p99 overall and per derivative, size category and cache status, and how\n' +
        'time grows with size). Ctrl-C stops taking new work and lets requests in flight finish (--shutdown-grace);\n' +
        'a second Ctrl-C aborts them. Exit 0 when the run completed (failed requests are in the results), 1 when it\n' +
        'could not run, 2 on bad flags, 130/143 when interrupted by SIGINT/SIGTERM.',
    )
    .addOption(remoteOption())
    .option('--bucket <name>', 'bucket name, or the folder for --remote local')
    .option('--directory <prefix>', 'only objects under this prefix')
    .option('--endpoint <url>', 'S3 endpoint (R2, MinIO...)')
    .option('--region <region>', 'S3 region')
    .option('--profile <name>', 'AWS profile for S3')
    .addOption(forcePathStyleOption())
    .option('--listing-file <file>', 'objects from a saved listing (JSON Lines, JSON or CSV with key and size) instead of the bucket')
    .option('--base-url <url>', 'CDN base URL the derivatives are requested from (required)')
    .addOption(choiceOption('--media-type <type>', 'auto: derivatives for videos, variants for images; video or image: only that kind', ['auto', 'video', 'image'], 'auto'))
    .option('--extensions <list>', 'only these extensions, comma-separated (e.g. .mp4,.mov)', listArg)
    .addOption(excludeOption())
    .option('--min-size <size>', 'skip files smaller than this (e.g. 1MiB)', byteSizeArg)
    .option('--max-size <size>', 'skip files larger than this (e.g. 2GiB)', byteSizeArg)
    .option('--rclone-bin <path>', 'rclone binary for rclone remotes (default: RCLONE_BIN, then PATH)')
    .option('--derivatives <list>', 'video derivatives to request, comma-separated (default: all in the catalogue: desktop,tablet,mobile)', listArg)
    .option('--derivatives-file <file>', 'derivative catalogue as JSON: {"desktop": {"width": 1920, "height": 1080}, ...}')
    .option('--image-variants <list>', 'image variants, comma-separated; group:<name> for a group, all for every one', listArg)
    .option('--list-variants', 'print the image variant catalogue and exit')
    .addOption(choiceOption('--url-format <format>', 'derivative URL form: imwidth (<base>/<key>?imwidth=1920), derivative (<base>/<key>/desktop/), query (?derivative=desktop&width=1920&height=1080)', URL_FORMATS, 'imwidth'))
    .option('--url-template <template>', 'derivative URL with placeholders {base} {key} {derivative} {width} {height} (overrides --url-format)')
    .option('--workers <n>', 'requests in flight at most (total concurrency)', intArg(1, 100_000), 50)
    .option('--timeout <seconds>', 'time limit of one attempt (connect, headers and whole body)', floatArg(0.001), 120)
    .option('--connection-close-delay <seconds>', 'keep idle connections open this long for reuse (keep-alive)', floatArg(0), 15)
    .option('--retry <n>', 'extra attempts after a 5xx, timeout or connection error', intArg(0, 100), 2)
    .option('--optimize-by-size', 'separate worker pools for small, medium and large files, so large ones never starve small ones')
    .option('--small-file-threshold <MiB>', 'below this a file is small', floatArg(0), 50)
    .option('--medium-file-threshold <MiB>', 'up to this a file is medium, above it large', floatArg(0), 200)
    .option('--small-file-workers <n>', 'workers for small files (0 = 1.2/3 of --workers)', intArg(0), 0)
    .option('--medium-file-workers <n>', 'workers for medium files (0 = 1.0/3 of --workers)', intArg(0), 0)
    .option('--large-file-workers <n>', 'workers for large files (0 = 0.8/3 of --workers)', intArg(0), 0)
    .option('--limit <n>', 'at most this many files (0 = all)', intArg(0), 0)
    .option('--rate <n>', 'at most this many requests a second (0 = unlimited)', floatArg(0), 0)
    .option('--shard <i/n>', 'only shard i of n, numbered from 0 like JOB_COMPLETION_INDEX (split by key hash, all derivatives of a key together)', (v: string) => {
      try {
        return parseShard(v);
      } catch (err) {
        throw new UsageError(`--shard: ${oneLine(err)}`);
      }
    })
    .option('--use-head-for-size', 'HEAD instead of GET (falls back to a one-byte range request when HEAD gives no length)')
    .option('--header <name:value>', 'extra request header, repeatable', collect)
    .option('--output <file>', 'results file; FILE.jsonl and FILE.summary.json go beside it', 'media_transform_results.json')
    .option('--resume', 'continue from FILE.jsonl, skipping what is already done')
    .option('--retry-failed', 'with --resume: also ask again for the records whose final answer failed (the new answer replaces the old in FILE.json)')
    .option('--shutdown-grace <seconds>', 'on SIGINT/SIGTERM, wait this long for requests in flight', floatArg(0), 30)
    .addOption(new Option('--progress <bool>', 'progress bar on a terminal, a line every 10 s otherwise').argParser(boolArg).default(true))
    .option('--compare <kv.json>', 'after the run, compare the results with this Cloudflare KV export (see `compare --help`)')
    .option('--only-compare', 'skip pre-warming: compare the existing --output results with --compare and exit')
    .option('--comparison-output <file>', 'comparison report file (default: FILE.comparison.md or .json)')
    .addOption(choiceOption('--comparison-format <format>', 'comparison report format', ['markdown', 'json'], 'markdown'))
    .option('--tolerance <percent>', 'size difference allowed in the comparison', floatArg(0), 5)
    .addHelpText(
      'after',
      `
Examples:
  # every derivative of every video in a local folder, through a local origin
  media-toolkit prewarm --remote local --bucket ./media --base-url http://127.0.0.1:8080 \\
    --workers 50 --timeout 60 --retry 2 --output results.json

  # an R2 bucket, 3000 in flight, separate pools by size, this machine's quarter of the keys
  media-toolkit prewarm --remote s3 --endpoint https://ACCOUNT.r2.cloudflarestorage.com --bucket videos \\
    --base-url https://cdn.example.com/videos --workers 3000 --optimize-by-size --shard 0/4

  # continue an interrupted run; list the image variants
  media-toolkit prewarm --remote local --bucket ./media --base-url http://127.0.0.1:8080 --resume
  media-toolkit prewarm --list-variants`,
    )
    .action(action);
}
