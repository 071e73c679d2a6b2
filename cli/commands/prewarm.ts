import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_DERIVATIVES, selectDerivatives, type Derivative } from '../../common/derivatives.js';
import { IMAGE_VARIANTS, selectImageVariants, VARIANT_GROUPS, type ImageVariant } from '../../common/image-variants.js';
import { URL_FORMATS, type UrlFormat } from '../../common/url.js';
import type { MediaTypeOption } from '../../common/media-type.js';
import { UsageError, oneLine } from '../../lib/errors.js';
import { redactUrl } from '../../common/redact.js';
import { loadDerivativesFile } from '../../prep/prewarm/derivatives-file.js';
import { parseShard, type Shard } from '../../prep/prewarm/shard.js';
import { loadEdges } from '../../prep/prewarm/edges.js';
import { browserAcceptSets, parseHeaderSet } from '../../prep/prewarm/header-sets.js';
import { runPrewarmCommand, type CompareAfter } from '../../prep/prewarm/run-command.js';
import { runVerifyCommand, verifyReportPaths } from '../../prep/verify/run-verify.js';
import { resultsPaths } from '../../results/paths.js';
import { loadKeySet } from '../../storage/key-list.js';
import { runComparison } from '../../prep/compare/run-comparison.js';
import { boolArg, choiceOption, floatArg, intArg, listArg, parseHeaders } from '../options.js';
import { byteSizeArg, collect, excludeOption, forcePathStyleOption, remoteOption, type StorageFlags } from '../storage-options.js';
import { parseRenditions, streamingKind, type RenditionChoice } from '../../prep/prewarm/streaming-items.js';
import { checkStreamingTemplate } from '../../common/playlist/templates.js';
import type { WorkKind } from '../../prep/prewarm/work-kinds.js';

interface PrewarmFlags extends StorageFlags {
  listingFile?: string;
  onlyKeys?: string;
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
  urlFormat?: UrlFormat;
  urlTemplate?: string;
  hlsTemplate?: string;
  dashTemplate?: string;
  renditions: RenditionChoice;
  streamingOnly?: boolean;
  workers: number;
  timeout: number;
  connectionCloseDelay: number;
  retry: number;
  maxRetryAfter: number;
  adaptive: boolean;
  maxFailureRate: number;
  edge?: string[];
  edgeFile?: string;
  popHeader?: string;
  variantHeader?: string[];
  browserAcceptSets?: boolean;
  http2?: boolean;
  h2Connections: number;
  caFile?: string;
  insecure?: boolean;
  httpClient: 'counting' | 'undici';
  verify?: boolean;
  minHitRatio: number;
  verifyMethod: 'head' | 'range';
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
    throw new UsageError(`--base-url "${redactUrl(raw)}" is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--base-url must be http:// or https://, got "${u.protocol}"`);
  return raw;
}

async function action(flags: PrewarmFlags): Promise<void> {
  if (flags.listVariants) {
    process.stdout.write(listVariantsText());
    return;
  }
  const paths = resultsPaths(flags.output);
  const compare: CompareAfter | undefined = flags.compare
    ? {
        kvFile: flags.compare,
        output: flags.comparisonOutput ?? paths.json.replace(/\.json$/i, '') + (flags.comparisonFormat === 'json' ? '.comparison.json' : '.comparison.md'),
        format: flags.comparisonFormat,
        tolerancePercent: flags.tolerance,
      }
    : undefined;
  if (flags.onlyCompare) {
    if (!compare) throw new UsageError('--only-compare needs --compare KV.json (and --output naming the existing results file)');
    // The results JSON, or the JSONL log of a run that did not get to write it.
    const resultsFile = existsSync(paths.json) || !existsSync(paths.jsonl) ? paths.json : paths.jsonl;
    const c = await runComparison({ resultsFile, ...compare });
    process.stdout.write(`${c.oneLine}\ncomparison: ${compare.output}\n`);
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
  if (flags.http2 && !baseUrl.startsWith('https:')) throw new UsageError('--http2 negotiates h2 over TLS: the --base-url must be https://');
  let derivatives: Derivative[];
  let variants: ImageVariant[];
  try {
    const catalogue = flags.derivativesFile ? await loadDerivativesFile(flags.derivativesFile) : DEFAULT_DERIVATIVES;
    derivatives = selectDerivatives(flags.derivatives, catalogue);
    variants = selectImageVariants(flags.imageVariants);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(oneLine(err));
  }
  if (flags.urlTemplate && !flags.urlTemplate.includes('{key}')) throw new UsageError('--url-template needs a {key} placeholder');
  // HLS / DASH: the master playlist or MPD of each video, then everything it lists.
  const streamingKinds: WorkKind[] = [];
  for (const [protocol, template] of [['hls', flags.hlsTemplate], ['dash', flags.dashTemplate]] as const) {
    if (!template) continue;
    const problem = checkStreamingTemplate(template);
    if (problem) throw new UsageError(`--${protocol}-template: ${problem}`);
    streamingKinds.push(streamingKind({ protocol, template, renditions: flags.renditions }));
  }
  if (flags.streamingOnly) {
    if (streamingKinds.length === 0) throw new UsageError('--streaming-only needs --hls-template or --dash-template');
    derivatives = [];
    variants = [];
  }
  // A diff's new and changed keys (deleted ones are not in the bucket to warm), a listing, or one key per line.
  const onlyKeys = flags.onlyKeys ? await loadKeySet(flags.onlyKeys, { changes: ['new', 'changed'] }) : undefined;
  const edges = await loadEdges(flags.edge, flags.edgeFile, baseUrl);
  const headerSets = (flags.variantHeader ?? []).map((h) => parseHeaderSet(h));
  const imagesWanted = flags.mediaType !== 'video';
  const imageHeaderSets = flags.browserAcceptSets && imagesWanted ? browserAcceptSets() : [];
  const common = { timeout: flags.timeout, retry: flags.retry, headers: parseHeaders(flags.header), popHeader: flags.popHeader, http2: flags.http2, caFile: flags.caFile, insecure: flags.insecure };

  process.exitCode = await runPrewarmCommand({
    job: {
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
      onlyKeys,
      exclude: flags.exclude,
      minSize: flags.minSize,
      maxSize: flags.maxSize,
      baseUrl,
      mediaType: flags.mediaType,
      derivatives,
      variants,
      urlFormat: flags.urlFormat,
      urlTemplate: flags.urlTemplate,
      extraKinds: streamingKinds,
      thresholds: { smallMiB: flags.smallFileThreshold, mediumMiB: flags.mediumFileThreshold },
      shard: flags.shard,
      limit: flags.limit,
      edges,
      headerSets,
      imageHeaderSets,
      workers: flags.workers,
      optimizeBySize: flags.optimizeBySize,
      smallWorkers: flags.smallFileWorkers,
      mediumWorkers: flags.mediumFileWorkers,
      largeWorkers: flags.largeFileWorkers,
      rate: flags.rate,
      adaptive: flags.adaptive,
      timeoutMs: flags.timeout * 1000,
      retries: flags.retry,
      maxRetryAfterMs: flags.maxRetryAfter * 1000,
      keepAliveMs: flags.connectionCloseDelay * 1000,
      useHead: flags.useHeadForSize,
      headers: common.headers,
      popHeader: flags.popHeader,
      http2: flags.http2,
      h2Connections: flags.h2Connections,
      caFile: flags.caFile,
      insecure: flags.insecure,
      httpClient: flags.httpClient,
      output: flags.output,
      resume: flags.resume,
      retryFailed: flags.retryFailed,
    },
    progress: flags.progress,
    shutdownGraceSeconds: flags.shutdownGrace,
    maxFailureRate: flags.maxFailureRate,
    verifyAfter: flags.verify
      ? (resultsFile) =>
          runVerifyCommand({
            resultsFile,
            baseUrl,
            variantSets: [...headerSets, ...imageHeaderSets],
            report: verifyReportPaths(paths.json.replace(/\.json$/i, '.verify.md')),
            minHitRatio: flags.minHitRatio,
            method: flags.verifyMethod,
            workers: flags.workers,
            timeoutMs: common.timeout * 1000,
            retries: common.retry,
            headers: common.headers,
            popHeader: common.popHeader,
            http2: common.http2,
            caFile: common.caFile,
            insecure: common.insecure,
            progress: flags.progress,
            shutdownGraceSeconds: flags.shutdownGrace,
          })
      : undefined,
    compare,
  });
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
        'bodies are streamed and discarded, so memory stays flat for any file size. 5xx and 429 answers, timeouts\n' +
        'and connection errors are retried (--retry) with exponential back-off and jitter, or after Retry-After\n' +
        '(at most --max-retry-after); other 4xx answers never are. When 429/503 answers rise, requests in flight to\n' +
        'that origin are halved, then grow back one at a time up to --workers (--no-adaptive turns this off).\n\n' +
        'Edges and PoPs: --edge ADDR[:PORT] (repeatable, or --edge-file) sends every request to that address while\n' +
        'the URL, Host and TLS server name stay the base URL\'s (like curl --connect-to): each URL is warmed once per\n' +
        'edge. Every record says which address answered (edge) and which PoP (pop: cf-ray, x-amz-cf-pop, Fastly\n' +
        'x-served-by, Akamai x-cache, Bunny server, Via...; --pop-header NAME for another). --variant-header warms\n' +
        'each URL once per cache-key variant set (e.g. each Accept value). --verify re-requests everything afterwards\n' +
        'and reports which derivatives are HITs (see `verify --help`).\n\n' +
        'Results: FILE.jsonl is appended while running (a crash loses at most the requests in flight; --resume\n' +
        'continues from it), then FILE.json (the results file the loadtest reads) and FILE.summary.json (statistics:\n' +
        'mean, standard deviation, p50/p90/p95/p99 overall and per derivative, size category and cache status, and how\n' +
        'time grows with size). Ctrl-C stops taking new work and lets requests in flight finish (--shutdown-grace);\n' +
        'a second Ctrl-C aborts them.\n\n' +
        'Exit codes: 0 the run completed and at most --max-failure-rate of the URLs failed (default 0: none);\n' +
        '1 more failed (the results are still written; the last line says how many and why, by class), --verify\n' +
        'found the hit ratio below --min-hit-ratio, or the run could not run; 2 bad flags; 130/143 interrupted by\n' +
        'SIGINT/SIGTERM.',
    )
    .addOption(remoteOption())
    .option('--bucket <name>', 'bucket name, or the folder for --remote local')
    .option('--directory <prefix>', 'only objects under this prefix')
    .option('--endpoint <url>', 'S3 endpoint (R2, MinIO...)')
    .option('--region <region>', 'S3 region')
    .option('--profile <name>', 'AWS profile for S3')
    .addOption(forcePathStyleOption())
    .option('--listing-file <file>', 'objects from a saved listing (JSON Lines, JSON or CSV with key and size) instead of the bucket')
    .option('--only-keys <file>', 'only these keys: a `diff` change list (its new and changed keys), a listing, or one key per line')
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
    .addOption(choiceOption('--url-format <format>', 'URL form: imwidth (<base>/<key>?imwidth=1920), derivative (<base>/<key>/desktop/), query (?derivative=desktop&width=1920&height=1080); unset: imwidth for videos, each image variant its catalogue form; set: images use it too', URL_FORMATS))
    .option('--url-template <template>', 'URL with placeholders {base} {key} {derivative} {width} {height}, and {params} (an image variant\'s own parameters); overrides --url-format for videos and images')
    .option('--hls-template <template>', 'also warm HLS: the master playlist at this URL ({base} {key} {stem}, e.g. \'{base}/{key}/hls/master.m3u8\'), every rendition playlist, init and media segment it lists')
    .option('--dash-template <template>', 'also warm DASH: the MPD at this URL ({base} {key} {stem}), every init and media segment of its representations')
    .option('--renditions <which>', 'HLS/DASH renditions to warm by bandwidth: all, lowest, highest, or N (the N highest); audio and subtitles of the chosen ones always', (v: string) => {
      try {
        return parseRenditions(v);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message.replace(/^--renditions: /, ''));
      }
    }, 'all' as RenditionChoice)
    .option('--streaming-only', 'with --hls-template/--dash-template: warm only the streams, not the derivatives and image variants')
    .option('--workers <n>', 'requests in flight at most (total concurrency)', intArg(1, 100_000), 50)
    .option('--timeout <seconds>', 'time limit of one attempt (connect, headers and whole body)', floatArg(0.001), 120)
    .option('--connection-close-delay <seconds>', 'keep idle connections open this long for reuse (keep-alive)', floatArg(0), 15)
    .option('--retry <n>', 'extra attempts after a 5xx, 429, timeout or connection error', intArg(0, 100), 2)
    .option('--max-retry-after <seconds>', 'longest Retry-After honoured (longer ones are cut to this)', floatArg(0), 60)
    .option('--no-adaptive', 'keep --workers in flight even when 429/503 answers rise (default: halve per origin, then grow back)')
    .option('--max-failure-rate <fraction>', 'exit 1 when more than this share of URLs failed (0..1; default 0: any failure)', floatArg(0, 1), 0)
    .option('--edge <addr[:port]>', 'send every request to this edge server or PoP address (repeatable); URL, Host and TLS name stay the base URL\'s', collect)
    .option('--edge-file <file>', 'edge addresses, one per line (# comments)')
    .option('--pop-header <name>', 'response header naming the PoP, read before the known CDN headers')
    .option('--variant-header <"Name: value">', 'warm every URL once per set; repeatable, one set per flag (e.g. "Accept: image/avif,image/webp,*/*")', collect)
    .option('--browser-accept-sets', 'images: also warm the Accept headers Chrome, Firefox, Safari and older browsers send')
    .option('--http2', 'negotiate HTTP/2 over TLS (ALPN) and multiplex requests over --h2-connections per origin')
    .option('--h2-connections <n>', 'HTTP/2 connections per origin and edge', intArg(1, 1000), 4)
    .option('--ca-file <pem>', 'trust these certificates besides the system\'s (a private CA, the origin --tls certificate)')
    .option('--insecure', 'accept any TLS certificate')
    .addOption(choiceOption('--http-client <client>', 'plain-http HTTP/1.1 client: counting (reads into one reused buffer, counts bodies) or undici', ['counting', 'undici'], 'counting'))
    .option('--verify', 'after warming, re-request everything and write a coverage report (FILE.verify.md/.json/.html)')
    .option('--min-hit-ratio <fraction>', 'with --verify: exit 1 when fewer than this share of URLs are cache HITs', floatArg(0, 1), 0)
    .addOption(choiceOption('--verify-method <method>', 'with --verify: head, or range (GET bytes=0-0, where HEAD is not cached)', ['head', 'range'], 'head'))
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

  # two edge servers of the same CDN host name, each URL warmed on both, then proven warm
  media-toolkit prewarm --remote local --bucket ./media --base-url 'https://cdn.example.com/media/?token=abc' \\
    --edge 203.0.113.7 --edge 203.0.113.8 --verify --min-hit-ratio 0.99

  # continue an interrupted run; list the image variants
  media-toolkit prewarm --remote local --bucket ./media --base-url http://127.0.0.1:8080 --resume
  media-toolkit prewarm --list-variants`,
    )
    .action(action);
}
