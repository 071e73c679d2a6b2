import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../lib/errors.js';
import { redactUrl } from '../../common/redact.js';
import { runVerifyCommand, verifyReportPaths } from '../../prep/verify/run-verify.js';
import { boolArg, choiceOption, floatArg, intArg, parseHeaders } from '../options.js';
import { collect } from '../storage-options.js';
import { parseHeaderSet } from '../../prep/prewarm/header-sets.js';

interface VerifyFlags {
  resultsFile?: string;
  baseUrl?: string;
  variantHeader?: string[];
  output: string;
  minHitRatio: number;
  method: 'head' | 'range';
  workers: number;
  timeout: number;
  retry: number;
  header?: string[];
  popHeader?: string;
  dns?: boolean;
  http2?: boolean;
  caFile?: string;
  insecure?: boolean;
  progress: boolean;
  shutdownGrace: number;
}

export function register(program: Command): void {
  program
    .command('verify')
    .summary('Prove the cache is warm: re-request every warmed URL and report the cache HITs')
    .description(
      'Reads a prewarm results file and re-requests every successful (key, derivative or variant, edge, cache-key\n' +
        'variant) with HEAD (or --method range: GET with Range: bytes=0-0, for caches that do not answer HEAD from\n' +
        'cache), to the same edge address the record was warmed through (--dns resolves the host again instead) and\n' +
        'with the same cache-key variant headers. Each answer\'s cache status (cf-cache-status, x-cache, Cache-Status,\n' +
        'X-Varnish, Age...) and PoP are recorded.\n\n' +
        'Writes REPORT.md, REPORT.json and a self-contained REPORT.html (keys x derivatives x PoPs, coloured by cache\n' +
        'status) plus REPORT.jsonl (each answer): the hit share overall and per derivative, PoP, edge, size category and\n' +
        'cache-key variant, and the URLs that are not HITs. Records prewarm could not warm count as not HIT.\n\n' +
        'The results keep URLs with secrets redacted (token=REDACTED): give the real --base-url and its query values\n' +
        'are sent again. Exit codes: 0 the hit share is at least --min-hit-ratio and every request got an answer,\n' +
        '1 below it, any request finally failed (no answer, a timeout, an error status), nothing to verify, or it\n' +
        'could not run; 2 bad flags, 130/143 interrupted.',
    )
    .option('--results-file <file>', 'prewarm results (FILE.json, or the FILE.jsonl log) (required)')
    .option('--base-url <url>', 'the real base URL, when the results redacted a token in it')
    .option('--variant-header <"Name: value">', 'a cache-key variant set prewarm warmed, repeatable: needed when its value looked secret and the results show it masked', collect)
    .option('--output <file>', 'report file; .json, .html and .jsonl go beside it', 'verify-report.md')
    .option('--min-hit-ratio <fraction>', 'exit 1 when fewer than this share of URLs are cache HITs (0..1)', floatArg(0, 1), 0)
    .addOption(choiceOption('--method <method>', 'head, or range (GET bytes=0-0)', ['head', 'range'], 'head'))
    .option('--workers <n>', 'requests in flight at most', intArg(1, 100_000), 50)
    .option('--timeout <seconds>', 'time limit of one attempt', floatArg(0.001), 30)
    .option('--retry <n>', 'extra attempts after a 5xx, 429, timeout or connection error', intArg(0, 100), 1)
    .option('--header <name:value>', 'extra request header, repeatable', collect)
    .option('--pop-header <name>', 'response header naming the PoP, read before the known CDN headers')
    .option('--dns', 'resolve the host name again instead of using each record\'s edge address')
    .option('--http2', 'negotiate HTTP/2 over TLS (ALPN)')
    .option('--ca-file <pem>', 'trust these certificates besides the system\'s')
    .option('--insecure', 'accept any TLS certificate')
    .option('--shutdown-grace <seconds>', 'on SIGINT/SIGTERM, wait this long for requests in flight', floatArg(0), 30)
    .addOption(new Option('--progress <bool>', 'progress bar on a terminal, a line every 10 s otherwise').argParser(boolArg).default(true))
    .addHelpText(
      'after',
      `
Examples:
  media-toolkit verify --results-file results.json --min-hit-ratio 0.99
  media-toolkit verify --results-file results.json --base-url 'https://cdn.example.com/media/?token=abc' --output coverage.md
  media-toolkit prewarm ... --edge 203.0.113.7 --edge 203.0.113.8 --verify --min-hit-ratio 0.99   # the same, right after warming`,
    )
    .action(async (flags: VerifyFlags) => {
      if (!flags.resultsFile) throw new UsageError('--results-file is required (the prewarm results to verify)');
      if (flags.baseUrl) {
        try {
          new URL(flags.baseUrl);
        } catch {
          throw new UsageError(`--base-url "${redactUrl(flags.baseUrl)}" is not a valid URL`);
        }
      }
      process.exitCode = await runVerifyCommand({
        resultsFile: flags.resultsFile,
        baseUrl: flags.baseUrl,
        variantSets: (flags.variantHeader ?? []).map((h) => parseHeaderSet(h)),
        report: verifyReportPaths(flags.output),
        minHitRatio: flags.minHitRatio,
        method: flags.method,
        workers: flags.workers,
        timeoutMs: flags.timeout * 1000,
        retries: flags.retry,
        headers: parseHeaders(flags.header),
        popHeader: flags.popHeader,
        dns: flags.dns,
        http2: flags.http2,
        caFile: flags.caFile,
        insecure: flags.insecure,
        progress: flags.progress,
        shutdownGraceSeconds: flags.shutdownGrace,
      });
    });
}
