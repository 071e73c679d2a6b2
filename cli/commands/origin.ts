import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { choiceOption, floatArg, intArg, listArg } from '../options.js';
import { RuntimeError, UsageError, oneLine } from '../../lib/errors.js';
import { forcePathStyleOption, type StorageFlags } from '../storage-options.js';
import { info } from '../../lib/log.js';
import { startOrigin } from '../../origin/index.js';
import type { OriginFaults } from '../../origin/types.js';
import { parseBandwidth } from '../../origin/bandwidth.js';
import { createWriteStream } from 'node:fs';
import { redactUrl } from '../../common/redact.js';

interface OriginFlags extends Omit<StorageFlags, 'remote'> {
  root?: string;
  remote: 'local' | 's3';
  host: string;
  port: number;
  basePath: string;
  mode: 'synthetic' | 'ffmpeg';
  cacheDir?: string;
  syntheticBytesPerWidth: number;
  latencyMs: number;
  errorRate: number;
  errorStatuses: string[];
  retryAfter: number;
  resetRate: number;
  ignoreRange?: boolean;
  bandwidth?: number;
  bandwidthJitter: number;
  seed: number;
  virtual?: boolean;
  live?: boolean;
  segmentDuration: number;
  liveWindow: number;
  tls?: boolean;
  requestLog?: string;
}

function bandwidthArg(value: string): number {
  try {
    return parseBandwidth(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function statusList(values: string[]): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 400 || n > 599) throw new UsageError(`--error-statuses: expected HTTP statuses 400..599, got "${v}"`);
    return n;
  });
}

export function register(program: Command): void {
  program
    .command('origin')
    .summary('Local media-transforming CDN in front of a folder (demo target and test fixture)')
    .description(
      'Serve a local folder (or a bucket) the way a media-transforming CDN does: the source at <base>/<key>, ' +
        'video derivatives at <key>?imwidth=W, <key>/<derivative>/ and <key>?derivative=NAME, image variants in the ' +
        'query (width, h, format, q, fit), Akamai (im=resize=...) and path (/_width=800/_format=webp/<key>) forms.\n\n' +
        'Answers Range (206, 416; several ranges get the first satisfiable one), HEAD and If-None-Match (304), and ' +
        'simulates an edge cache: cf-cache-status MISS on the first request for a derivative, HIT with Age afterwards.\n\n' +
        'Every video is also streamed: <key>/hls/master.m3u8 (three fMP4/CMAF renditions), <key>/hls/ts/master.m3u8 (MPEG-TS), ' +
        '<key>/hls/byterange/master.m3u8 (EXT-X-BYTERANGE over one file) and <key>/dash/manifest.mpd, packaged by ffmpeg on the ' +
        'first request and kept in --cache-dir; --live turns the HLS media playlists into sliding live windows.\n\n' +
        'Derivative bodies are synthetic bytes whose size is proportional to the width (fast, the default), or the ' +
        'source really scaled by ffmpeg (--mode ffmpeg, rendered once into --cache-dir). Fault knobs inject latency, ' +
        'error statuses, connection resets and ignored Range headers from a seeded generator, so runs repeat.\n\n' +
        'Prints "origin listening on <url>" as its first stdout line; stops cleanly on Ctrl-C or SIGTERM.',
    )
    .option('--root <dir>', 'folder served as the bucket (required unless --remote s3)')
    .addOption(choiceOption('--remote <type>', 'where sources are: a local folder (--root) or an S3-compatible bucket', ['local', 's3'], 'local'))
    .option('--bucket <name>', 'bucket to serve with --remote s3')
    .option('--directory <prefix>', 'folder inside the bucket that is served (--remote s3)')
    .option('--endpoint <url>', 'S3 endpoint (R2, MinIO...); credentials from the standard AWS chain')
    .option('--region <region>', 'S3 region')
    .option('--profile <name>', 'AWS profile')
    .addOption(forcePathStyleOption())
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', intArg(0, 65535), 0)
    .option('--base-path <path>', 'path prefix of the served URLs, e.g. /videos', '')
    .addOption(choiceOption('--mode <mode>', 'derivative bodies: synthetic bytes or real ffmpeg renders', ['synthetic', 'ffmpeg'], 'synthetic'))
    .option('--cache-dir <dir>', 'folder for ffmpeg-rendered derivatives (default: a temp folder)')
    .option('--synthetic-bytes-per-width <n>', 'synthetic body bytes per pixel of width (1920 wide -> 1.9 MiB)', intArg(0), 1024)
    .option('--latency-ms <ms>', 'added latency per request', floatArg(0), 0)
    .option('--error-rate <fraction>', 'fraction 0..1 of requests answered with an error status', floatArg(0, 1), 0)
    .option('--error-statuses <list>', 'statuses to pick injected errors from', listArg, ['500', '502', '503'])
    .option('--retry-after <seconds>', 'Retry-After sent with an injected 503', intArg(0), 1)
    .option('--reset-rate <fraction>', 'fraction 0..1 of requests whose connection is reset mid-body', floatArg(0, 1), 0)
    .addOption(new Option('--virtual', 'every key exists with a synthetic source, the folder is not read (benchmarks with millions of keys; synthetic mode only)'))
    .addOption(new Option('--ignore-range', 'answer 200 with the whole body even when a Range header is sent'))
    .option('--bandwidth <rate>', 'cap each connection\'s body rate, e.g. 4mbit, 500kbit, 2Mbps, 1MB/s (headers are not delayed)', bandwidthArg)
    .option('--bandwidth-jitter <fraction>', 'with --bandwidth: each connection\'s rate varies within +-fraction, redrawn every second', floatArg(0, 1), 0)
    .option('--seed <n>', 'seed of the fault generator (same seed, same faults)', intArg(0, 0xffffffff), 1)
    .option('--segment-duration <seconds>', 'HLS/DASH segment length (keyframes are forced on this grid)', floatArg(0.5, 60), 2)
    .addOption(new Option('--live', 'serve the HLS media playlists as live sliding windows that advance in real time (the video loops)'))
    .option('--live-window <segments>', 'length of a live playlist, in target durations', intArg(1, 1000), 6)
    .addOption(new Option('--tls', 'HTTPS with a self-signed certificate made at start-up, HTTP/2 and HTTP/1.1 (ALPN); the certificate file is printed (for --ca-file)'))
    .option('--request-log <file>', 'write one JSON line per request (time, method, url, range, status, cache status, bytes, ms); secrets in URLs redacted')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ media-toolkit origin --root ./demo-output/library --port 8080\n' +
        '  $ curl -sI "http://127.0.0.1:8080/videos/clip.mp4?imwidth=854" -H "Range: bytes=0-1023"\n' +
        '  $ media-toolkit origin --root ./media --mode ffmpeg --cache-dir ./.origin-cache\n' +
        '  $ ffprobe "http://127.0.0.1:8080/videos/clip.mp4/hls/master.m3u8"\n' +
        '  $ media-toolkit origin --root ./media --live --segment-duration 2 --live-window 6\n' +
        '  $ media-toolkit origin --root ./media --latency-ms 50 --error-rate 0.05 --reset-rate 0.01 --seed 7\n' +
        '  $ media-toolkit origin --root ./media --bandwidth 4mbit --bandwidth-jitter 0.2\n' +
        '  $ media-toolkit origin --remote s3 --bucket media --directory videos --endpoint https://ACCOUNT.r2.cloudflarestorage.com\n',
    )
    .action(async (flags: OriginFlags) => {
      const s3 = flags.remote === 's3';
      if (s3) {
        if (!flags.bucket) throw new UsageError('origin: --remote s3 needs --bucket <name>');
        if (flags.virtual) throw new UsageError('origin: --virtual serves no source, it cannot be combined with --remote s3');
      } else {
        // startOrigin checks that it exists and is a folder, and that --virtual goes with synthetic mode.
        if (!flags.root) throw new UsageError('origin: --root <dir> is required (the folder to serve)');
      }
      const faults: OriginFaults = {
        latencyMs: flags.latencyMs,
        errorRate: flags.errorRate,
        errorStatuses: statusList(flags.errorStatuses),
        retryAfterSeconds: flags.retryAfter,
        resetRate: flags.resetRate,
        ignoreRange: Boolean(flags.ignoreRange),
        bandwidthBytesPerSecond: flags.bandwidth,
        bandwidthJitter: flags.bandwidthJitter,
      };
      const requestLog = flags.requestLog ? createWriteStream(flags.requestLog, { flags: 'w' }) : undefined;
      if (requestLog) {
        await new Promise<void>((resolve, reject) => {
          requestLog.once('open', () => resolve());
          requestLog.once('error', (err) => reject(new UsageError(`--request-log ${flags.requestLog}: ${err.message}`)));
        });
      }
      const origin = await startOrigin({
        root: s3 ? undefined : flags.root,
        remote: s3
          ? { type: 's3', bucket: flags.bucket as string, prefix: flags.directory, endpoint: flags.endpoint, region: flags.region, profile: flags.profile, forcePathStyle: flags.forcePathStyle }
          : undefined,
        host: flags.host,
        port: flags.port,
        basePath: flags.basePath,
        mode: flags.mode,
        cacheDir: flags.cacheDir,
        syntheticBytesPerWidth: flags.syntheticBytesPerWidth,
        virtual: Boolean(flags.virtual),
        faults,
        seed: flags.seed,
        streaming: { segmentSeconds: flags.segmentDuration, live: Boolean(flags.live), liveWindow: flags.liveWindow },
        tls: Boolean(flags.tls),
        onRequest: requestLog ? (e) => requestLog.write(`${JSON.stringify({ ...e, url: redactUrl(e.url) })}\n`) : undefined,
      });
      process.stdout.write(`origin listening on ${origin.url}\n`);
      if (origin.certificateFile) info(`TLS certificate (self-signed, HTTP/2 and HTTP/1.1): ${origin.certificateFile} (clients: --ca-file ${origin.certificateFile})`);
      const what = flags.virtual ? 'virtual keys' : s3 ? `s3://${flags.bucket}/${flags.directory ?? ''}` : flags.root;
      info(`serving ${what} (${flags.mode} derivatives${flags.virtual ? '' : `, HLS/DASH under <key>/hls/ and <key>/dash/${flags.live ? ' (live)' : ''}`}); Ctrl-C stops`);
      let stop = () => undefined as void;
      const stopped = new Promise<void>((resolve) => {
        stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      const failure = await Promise.race([stopped.then(() => undefined), origin.failed]);
      stop();
      await origin.close();
      if (requestLog) await new Promise<void>((resolve) => requestLog.end(resolve));
      const s = origin.stats();
      const counters = `${s.requests} requests, ${s.hits} hits, ${s.misses} misses, ${s.errorsInjected} errors injected, ${s.resets} resets`;
      if (failure) throw new RuntimeError(`origin server failed: ${oneLine(failure)} (after ${counters})`);
      info(`origin stopped: ${counters}`);
    });
}
