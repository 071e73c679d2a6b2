// A whole pre-warming run: listing -> work list -> engine -> JSON Lines log, then
// the results JSON and the summary (both atomic) with the run's statistics.
import { readFile } from 'node:fs/promises';
import { createWorkerConnections } from './worker-connections.js';
import { listObjects } from '../../storage/index.js';
import type { StorageLocation, StoredObject } from '../../storage/types.js';
import { redactUrl } from '../../common/redact.js';
import type { Derivative } from '../../common/derivatives.js';
import type { ImageVariant } from '../../common/image-variants.js';
import type { UrlFormat } from '../../common/url.js';
import type { MediaTypeOption } from '../../common/media-type.js';
import type { SizeThresholds } from '../../common/size-category.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { openResultsLog } from '../../results/results-log.js';
import { resultsPaths, runFilesMatcher, type ResultsPaths } from '../../results/paths.js';
import { writeResultsFileFromLog } from '../../results/write-results-file.js';
import { createRunStats, type RunStatsSummary } from '../stats/run-stats.js';
import { batchesOf, readListingBatches } from '../../storage/listing-batches.js';
import { readDoneSet, recordHash } from './resume.js';
import { startPrewarm, type PrewarmRun, type RunOutcome } from './engine.js';
import { workBatches } from './work-list.js';
import { derivativeKind, imageVariantKind, mediaTypeFor, type WorkKind } from './work-kinds.js';
import type { Shard } from './shard.js';
import type { Edge } from './edges.js';
import type { HeaderSet } from './header-sets.js';
import { createRateLimiter } from './rate-limit.js';
import { createConcurrencyLimiter } from './adaptive-concurrency.js';
import { createConcurrencyTimeline, type ConcurrencySummary } from './concurrency-timeline.js';
import { tuneV8ForStreaming } from '../../lib/v8-tuning.js';
import { info } from '../../lib/log.js';
import { RuntimeError, oneLine } from '../../lib/errors.js';
import type { ResultsRecord } from '../../common/results-record.js';

export interface PrewarmJobOptions {
  /** Where to list; ignored when listingFile or objects is given. */
  location?: StorageLocation;
  listingFile?: string;
  /** Objects from elsewhere (tests, benchmarks). */
  objects?: AsyncIterable<StoredObject>;
  extensions?: string[];
  /** --only-keys: only objects whose key is in this set (a diff's new and changed keys, a key list). */
  onlyKeys?: { has(key: string): boolean };
  /** Listing filters passed to the storage backend. */
  exclude?: string[];
  minSize?: number;
  maxSize?: number;
  baseUrl: string;
  mediaType: MediaTypeOption;
  derivatives: readonly Derivative[];
  variants: readonly ImageVariant[];
  /** Unset: imwidth for derivatives, each variant's catalogue form for images. */
  urlFormat?: UrlFormat;
  urlTemplate?: string;
  /** Kinds of work item besides derivatives and variants (e.g. streaming segments). */
  extraKinds?: WorkKind[];
  thresholds: SizeThresholds;
  shard?: Shard;
  limit?: number;
  /** Only these keys. */
  keep?: (key: string) => boolean;
  edges?: Edge[];
  headerSets?: HeaderSet[];
  imageHeaderSets?: HeaderSet[];
  workers: number;
  optimizeBySize?: boolean;
  /** 0 = automatic share of workers (weights 1.2 / 1.0 / 0.8). */
  smallWorkers?: number;
  mediumWorkers?: number;
  largeWorkers?: number;
  rate?: number;
  /** Adaptive concurrency per origin and edge (default on). */
  adaptive?: boolean;
  timeoutMs: number;
  retries: number;
  /** Keep idle connections this long (keep-alive), ms. */
  keepAliveMs: number;
  useHead?: boolean;
  headers?: Record<string, string>;
  popHeader?: string;
  http2?: boolean;
  /** HTTP/2 connections per origin and edge. */
  h2Connections?: number;
  caFile?: string;
  insecure?: boolean;
  /** Plain-http HTTP/1.1 client (default counting). */
  httpClient?: 'counting' | 'undici';
  output: string;
  resume?: boolean;
  /** With resume: records whose final answer failed are asked again (--retry-failed). */
  retryFailed?: boolean;
  /** Back-off base and cap, ms (tests shorten them). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  maxRetryAfterMs?: number;
}

export interface PrewarmSummary {
  version: 1;
  generatedAt: string;
  startedAt: string;
  durationSeconds: number;
  interrupted: boolean;
  baseUrl: string;
  urlFormat: string;
  files: number;
  /** Records written by this run. */
  requests: number;
  /** Records already in the log from an earlier run (--resume). */
  resumedRecords: number;
  /** All records in the results file. */
  totalRecords: number;
  /** Seconds spent requesting (without writing the results file at the end). */
  requestSeconds: number;
  /** Requests of this run per second of requesting. */
  requestsPerSecond: number;
  workers: number[];
  /** --edge addresses warmed ([] = DNS). */
  edges: string[];
  /** --variant-header / --browser-accept-sets sets warmed. */
  cacheVariants: string[];
  /** Answers by status as they came, retried attempts included: how often the CDN said 429 or 503. */
  answers: { total: number; status429: number; status503: number };
  concurrency: ConcurrencySummary;
  stats: RunStatsSummary;
}

export interface PrewarmJobResult {
  outcome: RunOutcome;
  summary: PrewarmSummary;
  paths: ResultsPaths;
}

/** Workers per pool for --optimize-by-size: explicit counts, or shares of --workers by weights 1.2/1.0/0.8. */
export function poolSizes(workers: number, small = 0, medium = 0, large = 0): [number, number, number] {
  const share = (w: number) => Math.max(1, Math.round((workers * w) / 3));
  return [small > 0 ? small : share(1.2), medium > 0 ? medium : share(1.0), large > 0 ? large : share(0.8)];
}

const POOL_OF: Record<string, number> = { small: 0, medium: 1, large: 2 };

async function* onlyKeys(batches: AsyncIterable<StoredObject[]>, keys: { has(key: string): boolean }): AsyncGenerator<StoredObject[]> {
  for await (const batch of batches) {
    const kept = batch.filter((o) => keys.has(o.key));
    if (kept.length > 0) yield kept;
  }
}

/** How long a live listing may keep a part-filled batch of objects waiting before it goes to the workers. */
const LISTING_BATCH_WAIT_MS = 50;

export async function runPrewarmJob(opts: PrewarmJobOptions, onStart?: (run: PrewarmRun) => void): Promise<PrewarmJobResult> {
  const paths = resultsPaths(opts.output);
  const startedAt = new Date();
  const edges = opts.edges ?? [];
  const done = opts.resume ? await readDoneSet(paths.jsonl, { withEdges: edges.length > 0, retryFailed: opts.retryFailed }) : undefined;
  // The listing in arrays of objects: one await per array instead of one per object per stage.
  const listed: AsyncIterable<StoredObject[]> = opts.objects
    ? batchesOf(opts.objects, undefined, LISTING_BATCH_WAIT_MS)
    : opts.listingFile
      ? readListingBatches(opts.listingFile)
      : batchesOf(
          listObjects({
            ...opts.location!,
            extensions: opts.extensions,
            // --extensions names the files outright; otherwise the media type picks them.
            mediaType: opts.extensions && opts.extensions.length > 0 ? undefined : opts.mediaType,
            exclude: opts.exclude,
            minSize: opts.minSize,
            maxSize: opts.maxSize,
            // A results file inside the folder being warmed is never listed.
            isOwnFile: runFilesMatcher(opts.output),
          }),
          undefined,
          LISTING_BATCH_WAIT_MS,
        );
  const objects = opts.onlyKeys ? onlyKeys(listed, opts.onlyKeys) : listed;
  let files = 0;
  const items = workBatches(objects, {
    kinds: [derivativeKind(opts.derivatives), imageVariantKind(opts.variants), ...(opts.extraKinds ?? [])],
    context: { baseUrl: opts.baseUrl, urlFormat: opts.urlFormat, urlTemplate: opts.urlTemplate, mediaTypeOf: mediaTypeFor(opts.mediaType, opts.extensions) },
    thresholds: opts.thresholds,
    shard: opts.shard,
    limit: opts.limit,
    keep: opts.keep,
    edges,
    headerSets: opts.headerSets,
    imageHeaderSets: opts.imageHeaderSets,
    done,
    onFile: () => files++,
  });
  const poolWorkers = opts.optimizeBySize ? poolSizes(opts.workers, opts.smallWorkers, opts.mediumWorkers, opts.largeWorkers) : [opts.workers];
  const totalWorkers = poolWorkers.reduce((a, b) => a + b, 0);
  // Before the first connection: undici compiles its parser then. Not with --http2: node's h2 streams
  // allocate far more per request, and collecting 30% sooner cost 31% more CPU per request
  // (6.1 -> 4.2 s for 20,000 requests; peak RSS 102 -> 142 MB at 1,000 workers; BENCHMARKS.md).
  if (!opts.http2) tuneV8ForStreaming();
  const connections = createWorkerConnections({
    keepAliveMs: opts.keepAliveMs,
    connectTimeoutMs: opts.timeoutMs,
    http2: opts.http2,
    h2Connections: opts.h2Connections,
    ca: opts.caFile ? await readFile(opts.caFile) : undefined,
    insecure: opts.insecure,
    httpClient: opts.httpClient,
  });
  const limiter = opts.adaptive === false ? undefined : createConcurrencyLimiter(totalWorkers);
  const answers = { total: 0, status429: 0, status503: 0 };
  // A log write that fails (disk full, I/O error) stops the run: no new work, requests in flight finish.
  let run: PrewarmRun | undefined;
  const log = openResultsLog(paths.jsonl, Boolean(opts.resume), () => run?.stop());
  if (log.previous) info(`prewarm: an earlier results log was moved to ${log.previous} (--resume continues a run instead)`);
  run = startPrewarm({
    items,
    poolWorkers,
    poolOf: opts.optimizeBySize ? (item) => POOL_OF[item.sizeCategory] : undefined,
    connectionFor: () => connections.forWorker(),
    fetch: {
      timeoutMs: opts.timeoutMs,
      retries: opts.retries,
      useHead: Boolean(opts.useHead),
      backoffBaseMs: opts.backoffBaseMs ?? 250,
      backoffMaxMs: opts.backoffMaxMs ?? 10_000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
      beforeAttempt: opts.rate && opts.rate > 0 ? createRateLimiter(opts.rate) : undefined,
      headers: opts.headers,
      popHeader: opts.popHeader,
      limiter,
      onAnswer: (status) => {
        answers.total++;
        if (status === 429) answers.status429++;
        else if (status === 503) answers.status503++;
      },
    },
    onRecord: (r) => log.append(r),
    onStop: () => limiter?.close(),
  });
  const timeline = createConcurrencyTimeline(totalWorkers, limiter, () => run.counters().inFlight);
  onStart?.(run);
  const requestStart = performance.now();
  let outcome: RunOutcome;
  try {
    outcome = await run.done;
  } finally {
    timeline.stop();
    log.close();
    if (run.counters().inFlight > 0) await connections.destroy();
    else await connections.close();
  }
  const requestSeconds = (performance.now() - requestStart) / 1000;
  const stats = createRunStats();
  const meta = { baseUrl: redactUrl(opts.baseUrl), urlFormat: opts.urlTemplate ? 'template' : (opts.urlFormat ?? 'imwidth') };
  const retrying = done?.retrying;
  const withEdges = edges.length > 0;
  const range = {
    // A log whose write failed holds whole records up to committedBytes; the rest is in memory.
    endByte: log.committedBytes,
    extraLines: log.unwritten,
    // --retry-failed: an item asked again is in the log twice; its last answer is the one kept.
    keepLast: retrying?.size
      ? (r: ResultsRecord) => {
          const h = recordHash(r, withEdges);
          return h !== undefined && retrying.has(h) ? h : undefined;
        }
      : undefined,
  };
  let totalRecords: number;
  try {
    totalRecords = await writeResultsFileFromLog(paths.jsonl, paths.json, meta, (r) => stats.add(r), range);
  } catch (err) {
    if (!log.failure) throw err;
    throw new RuntimeError(
      `cannot write the results log ${paths.jsonl}: ${oneLine(log.failure)}; the run stopped after ${outcome.done} request(s) and the results JSON could not be written either (${oneLine(err)}); the records written before the failure are in ${paths.jsonl} (free space, then run again with --resume)`,
    );
  }
  const durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
  const summary: PrewarmSummary = {
    version: 1,
    generatedAt: new Date().toISOString(),
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round(durationSeconds * 1000) / 1000,
    interrupted: outcome.interrupted,
    ...meta,
    files,
    requests: outcome.done,
    resumedRecords: done?.size ?? 0,
    totalRecords,
    requestSeconds: Math.round(requestSeconds * 1000) / 1000,
    requestsPerSecond: requestSeconds > 0 ? Math.round((outcome.done / requestSeconds) * 10) / 10 : 0,
    workers: poolWorkers,
    edges: edges.map((e) => e.label),
    cacheVariants: [...(opts.headerSets ?? []), ...(opts.imageHeaderSets ?? [])].map((h) => h.label),
    answers,
    concurrency: timeline.summary(),
    stats: stats.summary(),
  };
  await writeFileAtomic(paths.summary, `${JSON.stringify(summary, null, 2)}\n`).catch((err) => {
    if (!log.failure) throw err;
  });
  if (log.failure) {
    throw new RuntimeError(
      `cannot write the results log ${paths.jsonl}: ${oneLine(log.failure)}; the run stopped after ${outcome.done} request(s); all ${totalRecords} record(s) are in ${paths.json} (free space, then run again with --resume --output ${paths.json})`,
    );
  }
  return { outcome, summary, paths };
}
