import { Option, type Command } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { choiceOption, floatArg, intArg, listArg, boolArg } from '../options.js';
import { collect } from '../storage-options.js';
import { DEFAULT_DERIVATIVES, selectDerivatives } from '../../common/derivatives.js';
import { selectImageVariants } from '../../common/image-variants.js';
import { URL_FORMATS, type UrlFormat } from '../../common/url.js';
import type { MediaTypeOption } from '../../common/media-type.js';
import { CHANGE_TYPES, type ChangeType } from '../../storage/change-list.js';
import { RuntimeError, UsageError, oneLine } from '../../lib/errors.js';
import { createProgress } from '../../lib/progress.js';
import { loadDerivativesFile } from '../../prep/prewarm/derivatives-file.js';
import { runPurge, type ItemShape } from '../../prep/purge/run-purge.js';
import type { PurgeProvider } from '../../prep/purge/provider.js';
import { cloudflareProvider, CLOUDFLARE_PLANS, type CloudflarePlan } from '../../prep/purge/cloudflare.js';
import { fastlyProvider } from '../../prep/purge/fastly.js';
import { akamaiProvider } from '../../prep/purge/akamai.js';
import { httpProvider } from '../../prep/purge/http.js';
import { cloudFrontProvider, CLOUDFRONT_MAX_WILDCARDS_IN_PROGRESS } from '../../prep/purge/cloudfront.js';

export const PROVIDERS = ['cloudfront', 'cloudflare', 'akamai', 'fastly', 'http'] as const;
type Provider = (typeof PROVIDERS)[number];

interface PurgeFlags {
  provider?: Provider;
  keysFile?: string[];
  key?: string[];
  changes?: string[];
  urlsFile?: string[];
  itemsFile?: string[];
  listingFile?: string;
  resultsFile?: string;
  baseUrl?: string;
  mediaType: MediaTypeOption;
  extensions?: string[];
  derivatives?: string[];
  derivativesFile?: string;
  imageVariants?: string[];
  urlFormat?: UrlFormat;
  urlTemplate?: string;
  sourceUrl: boolean;
  by?: string;
  distributionId?: string;
  wait?: boolean;
  waitTimeout: number;
  waitPoll: number;
  inProgressPause: number;
  maxWildcards: number;
  profile?: string;
  region?: string;
  zoneId?: string;
  plan: CloudflarePlan;
  edgerc: string;
  section: string;
  action: 'invalidate' | 'delete';
  network: 'production' | 'staging';
  cpcode?: string[];
  serviceId?: string;
  soft?: boolean;
  surrogateKey?: string[];
  method: 'PURGE' | 'BAN';
  edge?: string[];
  purgePathPrefix?: string;
  header?: string[];
  dryRun?: boolean;
  failedOutput: string;
  report?: string;
  concurrency?: number;
  rate?: number;
  retry: number;
  timeout: number;
  maxRetryAfter: number;
  batchSize?: number;
  apiBaseUrl?: string;
  progress: boolean;
}

const BY_CHOICES: Record<Provider, string[]> = {
  cloudfront: ['url'],
  cloudflare: ['url', 'prefix'],
  akamai: ['url', 'cpcode'],
  fastly: ['url', 'surrogate-key'],
  http: ['url'],
};

function secretFromEnv(name: string, what: string): string {
  const v = process.env[name];
  if (!v) throw new UsageError(`${what} needs ${name} in the environment (tokens are never taken as flags: command lines show in ps)`);
  return v;
}

function parseHeaders(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const h of list) {
    const at = h.indexOf(':');
    if (at <= 0) throw new UsageError(`--header "${h}" is not "Name: value"`);
    out[h.slice(0, at).trim().toLowerCase()] = h.slice(at + 1).trim();
  }
  return out;
}

async function provider(f: PurgeFlags, by: string): Promise<{ p: PurgeProvider; shape: ItemShape }> {
  switch (f.provider) {
    case 'cloudfront':
      if (!f.distributionId) throw new UsageError('--provider cloudfront needs --distribution-id');
      return {
        shape: 'cloudfront-path',
        p: await cloudFrontProvider({
          distributionId: f.distributionId,
          profile: f.profile,
          region: f.region,
          wait: Boolean(f.wait),
          waitTimeoutSeconds: f.waitTimeout,
          pollSeconds: f.waitPoll,
          inProgressPauseMs: f.inProgressPause * 1000,
          batchSize: f.batchSize,
          endpoint: f.apiBaseUrl,
        }),
      };
    case 'cloudflare':
      if (!f.zoneId) throw new UsageError('--provider cloudflare needs --zone-id (the zone\'s id from the dashboard overview)');
      if (f.batchSize !== undefined && f.batchSize > 500) throw new UsageError('--batch-size: Cloudflare takes at most 500 URLs per call (Enterprise; 30 on other plans)');
      return {
        shape: by === 'prefix' ? 'cloudflare-prefix' : 'url',
        p: cloudflareProvider({ zoneId: f.zoneId, token: f.dryRun ? '' : secretFromEnv('CLOUDFLARE_API_TOKEN', '--provider cloudflare'), by: by as 'url' | 'prefix', plan: f.plan, batchSize: f.batchSize, apiBaseUrl: f.apiBaseUrl }),
      };
    case 'akamai':
      return {
        shape: by === 'cpcode' ? 'cpcode' : 'url',
        p: akamaiProvider({ edgerc: f.edgerc, section: f.section, action: f.action, network: f.network, by: by as 'url' | 'cpcode', apiBaseUrl: f.apiBaseUrl }),
      };
    case 'fastly':
      if (by === 'surrogate-key' && !f.serviceId) throw new UsageError('--provider fastly --by surrogate-key needs --service-id');
      return {
        shape: by === 'surrogate-key' ? 'surrogate-key' : 'url',
        p: fastlyProvider({ token: f.dryRun ? '' : secretFromEnv('FASTLY_API_TOKEN', '--provider fastly'), by: by as 'url' | 'surrogate-key', serviceId: f.serviceId, soft: f.soft, apiBaseUrl: f.apiBaseUrl, batchSize: f.batchSize }),
      };
    case 'http':
      return { shape: 'url', p: httpProvider({ method: f.method, edges: f.edge ?? [], pathPrefix: f.purgePathPrefix, headers: parseHeaders(f.header), concurrency: f.concurrency }) };
    default:
      throw new UsageError(`--provider is required: ${PROVIDERS.join(', ')}`);
  }
}

async function action(f: PurgeFlags): Promise<void> {
  if (!f.provider) throw new UsageError(`--provider is required: ${PROVIDERS.join(', ')}`);
  const by = f.by ?? (f.surrogateKey?.length ? 'surrogate-key' : f.cpcode?.length ? 'cpcode' : 'url');
  if (!BY_CHOICES[f.provider].includes(by)) throw new UsageError(`--by ${by} does not apply to --provider ${f.provider} (choices: ${BY_CHOICES[f.provider].join(', ')})`);
  const keysFiles = f.keysFile ?? [];
  const keys = f.key ?? [];
  const hasKeys = keysFiles.length > 0 || keys.length > 0;
  const items = [...(f.surrogateKey ?? []), ...(f.cpcode ?? [])];
  if (f.cpcode?.some((c) => !/^\d+$/.test(c))) throw new UsageError('--cpcode takes a number (the CP code)');
  if (!hasKeys && !f.urlsFile?.length && !f.itemsFile?.length && items.length === 0) {
    throw new UsageError('nothing to purge: give --keys-file FILE (a diff, a listing or one key per line), --key KEY, --urls-file FILE or --items-file FILE');
  }
  if (by === 'cpcode' && (hasKeys || f.urlsFile?.length)) throw new UsageError('--by cpcode purges the --cpcode values (or --items-file); keys and URLs do not apply');
  if (f.resultsFile && !hasKeys) throw new UsageError('--results-file adds the URLs recorded for the keys: give the keys (--keys-file or --key)');
  if (hasKeys && by !== 'surrogate-key' && !f.baseUrl) throw new UsageError('--base-url is needed to build the URLs of the keys (the same base URL prewarm used)');
  if (f.baseUrl) {
    try {
      const u = new URL(f.baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new UsageError(`--base-url "${f.baseUrl}" is not an http(s) URL`);
    }
  }
  if (f.provider === 'http' && f.method === 'BAN' && by !== 'url') throw new UsageError('--method BAN sends one request per URL');
  let derivatives;
  let variants;
  try {
    derivatives = selectDerivatives(f.derivatives, f.derivativesFile ? await loadDerivativesFile(f.derivativesFile) : DEFAULT_DERIVATIVES);
    variants = selectImageVariants(f.imageVariants);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(oneLine(err));
  }
  const changes = (f.changes && f.changes.length > 0 ? f.changes : ['changed', 'deleted']) as ChangeType[];
  for (const c of changes) if (!(CHANGE_TYPES as readonly string[]).includes(c)) throw new UsageError(`--changes: unknown change "${c}" (known: ${CHANGE_TYPES.join(', ')})`);

  const { p, shape } = await provider(f, by);
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write('purge: interrupted, no new calls; waiting for the calls in flight (again to quit now)\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  const progress = createProgress({ label: 'purge', unit: 'call', enabled: f.progress && !f.dryRun, plainEveryMs: 10_000 });
  let result;
  try {
    result = await runPurge(p, {
      shape,
      inputs: {
        keysFiles,
        keys,
        changes,
        urlsFiles: f.urlsFile ?? [],
        itemsFiles: f.itemsFile ?? [],
        items,
        urlOptions: f.baseUrl
          ? {
              baseUrl: f.baseUrl,
              mediaType: f.mediaType,
              derivatives,
              variants,
              urlFormat: f.urlFormat,
              urlTemplate: f.urlTemplate,
              extensions: f.extensions?.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase()),
              noSourceUrl: !f.sourceUrl,
            }
          : undefined,
        maxWildcards: f.maxWildcards,
        listingFile: f.listingFile,
        resultsFile: f.resultsFile,
        baseUrl: f.baseUrl,
      },
      dryRun: f.dryRun,
      retries: f.retry,
      timeoutMs: f.timeout * 1000,
      maxRetryAfterMs: f.maxRetryAfter * 1000,
      concurrency: f.concurrency,
      callsPerSecond: f.rate,
      print: (line) => process.stdout.write(`${line}\n`),
      stop: stop.signal,
      failedOutput: f.failedOutput,
      report: f.report,
      onProgress: (c) => progress.update({ done: c.calls, errors: c.failed, note: `${c.purged} ${p.itemLabel}(s) purged, in flight ${c.inFlight}` }),
    });
  } finally {
    process.off('SIGINT', onSignal);
  }
  const o = result.outcome;
  progress.finish({ done: o.calls, errors: o.failed.length });
  const label = `${p.itemLabel}(s)`;
  const from = result.keys ? ` for ${result.keys} key(s)` : '';
  const extra = [
    result.wildcards ? `${result.wildcards} wildcard(s)` : '',
    o.notCached ? `${o.notCached} not cached` : '',
    o.retries ? `${o.retries} retried` : '',
    o.throttled ? `${o.throttled} throttled (429)` : '',
  ].filter(Boolean);
  if (f.dryRun) {
    process.stdout.write(`purge (dry run): ${o.items} ${label}${from} in ${o.calls} call(s) via ${p.name}; nothing sent\n`);
    return;
  }
  if (o.failed.length > 0) {
    const why = new Map<string, number>();
    for (const x of o.failed) why.set(x.message, (why.get(x.message) ?? 0) + 1);
    for (const [m, n] of [...why].sort((a, b) => b[1] - a[1]).slice(0, 5)) process.stderr.write(`  ${n} x ${m}\n`);
  }
  process.stdout.write(
    `purge: ${o.items} ${label}${from} in ${o.calls} call(s) via ${p.name} in ${(o.durationMs / 1000).toFixed(1)} s, ${o.purged} purged, ${o.failed.length} failed` +
      `${extra.length ? ` (${extra.join(', ')})` : ''}${o.interrupted ? ', INTERRUPTED' : ''}\n`,
  );
  if (o.interrupted) {
    process.stderr.write(`purge: interrupted; what was not purged is in ${result.failedFile ?? '(nothing)'}: run the same command with --items-file to finish\n`);
    process.exitCode = 130;
    return;
  }
  if (o.failed.length > 0) {
    throw new RuntimeError(`${o.failed.length} ${label} not purged; they are in ${result.failedFile}: run the same command with --items-file ${result.failedFile} (instead of the keys) to retry them alone`);
  }
}

export function register(program: Command): void {
  program
    .command('purge')
    .summary('Purge the cached derivatives of changed keys from the CDN (CloudFront, Cloudflare, Akamai, Fastly, Varnish/nginx)')
    .description(
      'Remove from the CDN every cached URL of the given keys: the source URL, each video derivative and each image\n' +
        'variant, built exactly as `prewarm` builds them (same --base-url, --url-format, --derivatives...). Keys come\n' +
        'from a `diff` change list (changed and deleted keys by default), a listing, a file with one key per line, or\n' +
        '--key. URLs can also be given directly (--urls-file).\n\n' +
        'Providers (each within its documented limits, retrying 429 answers after Retry-After):\n' +
        '  cloudfront  CreateInvalidation (AWS SDK, credentials from the AWS chain); 3,000 paths and 15 wildcards in\n' +
        '              progress per distribution; one wildcard per key (or per folder that changed whole, with\n' +
        '              --listing-file) where that is cheaper; --wait waits for completion.\n' +
        '  cloudflare  purge_cache by URL (30 a call; 500 on Enterprise with --batch-size) or --by prefix; token from\n' +
        '              CLOUDFLARE_API_TOKEN; --plan sets the documented rate.\n' +
        '  akamai      Fast Purge v3, invalidate or delete, by URL or --cpcode, EdgeGrid credentials from --edgerc\n' +
        '              --section; bodies kept under 50,000 bytes.\n' +
        '  fastly      by URL, or --by surrogate-key (each key is its own surrogate key, or --surrogate-key K); token\n' +
        '              from FASTLY_API_TOKEN; --soft marks content stale.\n' +
        '  http        PURGE (or --method BAN) per URL to its host, or to each --edge address with the URL\'s Host header\n' +
        '              (Varnish, nginx proxy_cache_purge, Squid...); 404 counts as "not cached".\n\n' +
        'Exit 0 when everything was purged, 1 when some item finally failed (they are written to --failed-output,\n' +
        'one per line, and `--items-file FILE` retries them alone), 2 on bad flags. Credentials never appear in\n' +
        'output, reports or --dry-run.',
    )
    .addOption(choiceOption('--provider <name>', 'where to purge', PROVIDERS))
    .option('--keys-file <file>', 'keys to purge: a diff change list, a listing, or one key per line (repeatable)', collect)
    .option('--key <key>', 'a key to purge (repeatable)', collect)
    .option('--changes <list>', 'change types taken from a diff change list (default changed,deleted; add new for cached 404s)', (v: string, prev: string[] = []) => [...prev, ...listArg(v)])
    .option('--urls-file <file>', 'URLs to purge, one per line (repeatable)', collect)
    .option('--items-file <file>', 'provider items as sent, one per line: the --failed-output of an earlier run (secrets masked there come back from --base-url; repeatable)', collect)
    .option('--listing-file <file>', 'cloudfront: the current listing, to use one wildcard for a folder whose every key changed')
    .option('--results-file <file>', 'also purge every URL this prewarm results file recorded for the keys (HLS/DASH playlists and segments, anything warmed)')
    .option('--base-url <url>', 'the CDN base URL prewarm requests (URLs of the keys are built from it)')
    .addOption(choiceOption('--media-type <type>', 'auto: derivatives for videos, variants for images; video or image: only that kind', ['auto', 'video', 'image'], 'auto'))
    .option('--extensions <list>', 'keys with these extensions get derivatives, comma-separated', listArg)
    .option('--derivatives <list>', 'video derivatives, comma-separated (default: all in the catalogue)', listArg)
    .option('--derivatives-file <file>', 'derivative catalogue as JSON (as for prewarm)')
    .option('--image-variants <list>', 'image variants, comma-separated; group:<name>, all (as for prewarm)', listArg)
    .addOption(choiceOption('--url-format <format>', 'URL form, as for prewarm (unset: imwidth for videos, each image variant its catalogue form)', URL_FORMATS))
    .option('--url-template <template>', 'URL template, as for prewarm')
    .addOption(new Option('--source-url <bool>', 'also purge each key\'s plain source URL <base>/<key>').argParser(boolArg).default(true))
    .option('--by <what>', 'url (default), prefix (cloudflare), surrogate-key (fastly), cpcode (akamai)')
    .option('--distribution-id <id>', 'cloudfront: the distribution')
    .option('--wait', 'cloudfront: wait until every invalidation has completed')
    .option('--wait-timeout <seconds>', 'cloudfront: longest wait for one invalidation', floatArg(1), 1800)
    .addOption(new Option('--wait-poll <seconds>', 'cloudfront: waiter polling interval').argParser(floatArg(0.1)).default(20).hideHelp())
    .addOption(new Option('--in-progress-pause <seconds>', 'cloudfront: pause after TooManyInvalidationsInProgress').argParser(floatArg(0)).default(60).hideHelp())
    .option('--max-wildcards <n>', `cloudfront: wildcard paths at most (CloudFront allows ${CLOUDFRONT_MAX_WILDCARDS_IN_PROGRESS} in progress; 0 = none)`, intArg(0, CLOUDFRONT_MAX_WILDCARDS_IN_PROGRESS), CLOUDFRONT_MAX_WILDCARDS_IN_PROGRESS)
    .option('--profile <name>', 'cloudfront: AWS profile')
    .option('--region <region>', 'cloudfront: API region (default us-east-1)')
    .option('--zone-id <id>', 'cloudflare: the zone')
    .addOption(choiceOption('--plan <plan>', 'cloudflare: the plan whose documented purge rate to keep to', CLOUDFLARE_PLANS, 'free'))
    .option('--edgerc <file>', 'akamai: EdgeGrid credentials file', join(homedir(), '.edgerc'))
    .option('--section <name>', 'akamai: section of the .edgerc file', 'default')
    .addOption(choiceOption('--action <action>', 'akamai: invalidate (revalidate with the origin) or delete', ['invalidate', 'delete'], 'invalidate'))
    .addOption(choiceOption('--network <network>', 'akamai: production or staging', ['production', 'staging'], 'production'))
    .option('--cpcode <code>', 'akamai: purge a whole CP code (repeatable)', collect)
    .option('--service-id <id>', 'fastly: the service (for surrogate keys)')
    .option('--soft', 'fastly: mark content stale instead of removing it')
    .option('--surrogate-key <key>', 'fastly: a surrogate key to purge (repeatable)', collect)
    .addOption(choiceOption('--method <method>', 'http: PURGE or BAN', ['PURGE', 'BAN'], 'PURGE'))
    .option('--edge <addr[:port]>', 'http: send to this address with the URL\'s Host header (repeatable: every edge)', collect)
    .option('--purge-path-prefix <path>', 'http: put this before each URL\'s path, for a purge location of its own (nginx cache purge: /purge)')
    .option('--header <name:value>', 'http: extra request header, e.g. a purge secret your VCL checks (repeatable)', collect)
    .option('--dry-run', 'print every call that would be sent (no credential shown); send nothing')
    .option('--failed-output <file>', 'items that finally failed, one per line (written only when some failed)', 'purge-failed.txt')
    .option('--report <file.json>', 'write a JSON report of the run')
    .option('--concurrency <n>', 'calls in flight at once (default: the provider\'s)', intArg(1, 1000))
    .option('--rate <calls>', 'at most this many calls a second (default: the provider\'s documented rate)', floatArg(0.001))
    .option('--batch-size <n>', 'items per call (default: the provider\'s limit)', intArg(1, 10_000))
    .option('--retry <n>', 'extra attempts after a 429, 5xx, timeout or connection error', intArg(0, 100), 5)
    .option('--timeout <seconds>', 'time limit of one call', floatArg(0.1), 30)
    .option('--max-retry-after <seconds>', 'wait at most this long when the API asks to (Retry-After)', floatArg(0), 120)
    .option('--api-base-url <url>', 'send API calls here instead of the vendor\'s address (a proxy or a test server)')
    .addOption(new Option('--progress <bool>', 'progress bar on a terminal, a line every 10 s otherwise').argParser(boolArg).default(true))
    .addHelpText(
      'after',
      `
Examples:
  media-toolkit diff --before monday.jsonl --remote s3 --bucket media --output changes.jsonl
  CLOUDFLARE_API_TOKEN=... media-toolkit purge --provider cloudflare --zone-id ZONE \\
    --base-url https://cdn.example.com/videos --keys-file changes.jsonl
  media-toolkit purge --provider cloudfront --distribution-id E123ABC --base-url https://d1.cloudfront.net \\
    --keys-file changes.jsonl --listing-file tuesday.jsonl --wait
  media-toolkit purge --provider akamai --edgerc ~/.edgerc --section ccu --action delete --cpcode 123456
  FASTLY_API_TOKEN=... media-toolkit purge --provider fastly --by surrogate-key --service-id SVC --keys-file changes.jsonl
  media-toolkit purge --provider http --base-url https://cdn.example.com --edge 10.0.0.5:80 --edge 10.0.0.6:80 --key videos/a.mp4
  media-toolkit purge --provider cloudflare --zone-id ZONE --items-file purge-failed.txt     # retry what failed`,
    )
    .action(action);
}
