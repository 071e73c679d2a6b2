import { Option, type Command } from 'commander';
import { choiceOption, intArg, listArg } from '../options.js';
import { byteSizeArg, excludeOption, forcePathStyleOption, remoteOption, type StorageFlags } from '../storage-options.js';
import { listObjects, ownFilesMatcher, type ListOptions, type StoredObject } from '../../storage/index.js';
import { LISTING_FORMATS, listingWriter, type ListingFormat } from '../../storage/listing-format.js';
import type { TextSink } from '../../storage/text-batches.js';
import { compareKeys } from '../../storage/key-order.js';
import { openAtomicStream } from '../../lib/atomic-write.js';
import { createProgress } from '../../lib/progress.js';
import { UsageError } from '../../lib/errors.js';
import { info } from '../../lib/log.js';

export const LOCATION_HELP = `Where to list (--remote, default local):
  local    a folder on this machine: --bucket is its path (symbolic links are not followed).
  s3       AWS S3, Cloudflare R2, MinIO or any S3-compatible server through the AWS SDK.
           Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
           ~/.aws/credentials and --profile, SSO, instance roles). With --endpoint, path-style
           addressing is used (MinIO and most self-hosted servers need it; R2 accepts it).
           Cloudflare R2: --remote s3 --endpoint https://<ACCOUNT_ID>.r2.cloudflarestorage.com --region auto
  NAME     any other name is an rclone remote (rclone config, or RCLONE_CONFIG_<NAME>_* variables);
           rclone:NAME reaches an rclone remote that is itself called s3 or local.

Order: S3 and local folders stream in key order (UTF-8 bytes, as S3 sorts), whatever order
the parallel prefix listings finish in; rclone remotes in rclone's order (--sort key to sort).`;

/** The location and filter options shared by list, analyze (and whoever lists a bucket). */
export function addListingOptions(cmd: Command): Command {
  return cmd
    .addOption(remoteOption())
    .option('--bucket <name>', 'bucket name (for --remote local: the folder path)')
    .option('--directory <prefix>', 'folder inside the bucket to list (a prefix; "videos" lists videos/...)', '')
    .option('--endpoint <url>', 'S3 endpoint for R2, MinIO and other servers (default: AWS)')
    .option('--region <region>', 'S3 region (R2: auto; default: AWS_REGION, else us-east-1)')
    .option('--profile <name>', 'AWS profile from ~/.aws/config and ~/.aws/credentials')
    .addOption(forcePathStyleOption())
    .option('--concurrency <n>', 'concurrent prefix listings (S3) or rclone checkers', intArg(1, 256), 16)
    .option('--extensions <list>', 'keep only these extensions, comma-separated, any case (e.g. .mp4,.mov)', listArg)
    .addOption(new Option('--extension <list>', 'same as --extensions (old name)').argParser(listArg).hideHelp())
    .addOption(choiceOption('--media-type <type>', 'keep only video or image extensions (auto: both); default: every file', ['auto', 'video', 'image']))
    .option('--limit <n>', 'stop after this many objects (after filtering)', intArg(0))
    .option('--min-size <size>', 'keep objects of at least this size (bytes, or 50MiB, 1.5GB...)', byteSizeArg)
    .option('--max-size <size>', 'keep objects of at most this size (bytes, or 50MiB, 1.5GB...)', byteSizeArg)
    .addOption(excludeOption());
}

/** The flags addListingOptions defines. */
export interface ListingCliOptions extends StorageFlags {
  remote: string;
  concurrency?: number;
  extensions?: string[];
  extension?: string[];
  mediaType?: 'auto' | 'video' | 'image';
  limit?: number;
  minSize?: number;
  maxSize?: number;
  exclude?: string[];
}

/** ListOptions from the parsed flags; a missing --bucket is a usage error. */
export function listOptionsFrom(o: ListingCliOptions): ListOptions {
  if (!o.bucket) throw new UsageError('--bucket is required (a bucket name, or for --remote local a folder path)');
  if (o.minSize !== undefined && o.maxSize !== undefined && o.minSize > o.maxSize) throw new UsageError('--min-size is larger than --max-size');
  const extensions = [...(o.extensions ?? []), ...(o.extension ?? [])];
  return {
    remote: o.remote,
    bucket: o.bucket,
    directory: o.directory || undefined,
    endpoint: o.endpoint || undefined,
    region: o.region || undefined,
    profile: o.profile || undefined,
    forcePathStyle: o.forcePathStyle,
    concurrency: o.concurrency,
    extensions: extensions.length > 0 ? extensions : undefined,
    mediaType: o.mediaType,
    limit: o.limit,
    minSize: o.minSize,
    maxSize: o.maxSize,
    exclude: o.exclude,
  };
}

/** stdout, or a file that appears whole (temp + rename) only when the listing completed. */
export async function openOutput(path: string | undefined): Promise<{ sink: TextSink; commit(): Promise<void>; abort(): Promise<void> }> {
  const write = (stream: NodeJS.WritableStream) => (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (text.length === 0) return resolve();
      stream.write(text, (err) => (err ? reject(err) : resolve()));
    });
  if (!path || path === '-') {
    // A reader that stops early (`| head`) closes the pipe: EPIPE ends the listing quietly.
    if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => undefined);
    return { sink: write(process.stdout), commit: async () => undefined, abort: async () => undefined };
  }
  const out = await openAtomicStream(path);
  return { sink: write(out.stream), commit: out.commit, abort: out.abort };
}

type SortOrder = 'size' | 'key' | 'none';

/** stdout closed by its reader (e.g. piped into `head`). */
export function isClosedPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EPIPE' || (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_DESTROYED';
}

interface ListCliOptions extends ListingCliOptions {
  format: ListingFormat;
  output?: string;
  sort: SortOrder;
  listFiles?: boolean;
  progress: boolean;
}

function sortObjects(objs: StoredObject[], order: SortOrder): void {
  if (order === 'size') objs.sort((a, b) => b.size - a.size || compareKeys(a.key, b.key));
  else if (order === 'key') objs.sort((a, b) => compareKeys(a.key, b.key));
}

export function register(program: Command): void {
  const cmd = program
    .command('list')
    .summary('List the objects in a bucket, folder or rclone remote')
    .description(
      'List the objects (key, size, last modified, ETag) of an S3 bucket (AWS, R2, MinIO...), a local folder ' +
        'or an rclone remote, filtered by extension, media type, size and glob, as a table, JSON, JSON Lines or CSV.\n\n' +
        'The listing streams: json, jsonl and csv are written as objects arrive, in constant memory, so a bucket ' +
        'of millions of objects can be listed to a file. --sort size|key (and --list-files) must hold the whole ' +
        'listing in memory to sort it. Large S3 buckets are listed in parallel over their folders (--concurrency).',
    );
  addListingOptions(cmd)
    .addOption(choiceOption('--format <format>', 'output format', LISTING_FORMATS, 'table'))
    .option('--output <file>', 'write to this file (written whole, atomically) instead of stdout')
    .addOption(choiceOption('--sort <order>', 'size (largest first), key, or none (streaming order, no buffering)', ['size', 'key', 'none'], 'none'))
    .option('--list-files', 'all files sorted by size, largest first (same as --sort size)')
    .option('--no-progress', 'no progress line on stderr')
    .addHelpText(
      'after',
      `
${LOCATION_HELP}

Examples:
  $ media-toolkit list --remote local --bucket ./media --format table
  $ media-toolkit list --remote s3 --bucket videos --directory 2024 --extensions .mp4,.mov --format jsonl --output videos.jsonl
  $ media-toolkit list --remote s3 --endpoint https://<ACCOUNT_ID>.r2.cloudflarestorage.com --region auto \\
      --bucket videos --min-size 100MiB --list-files
  $ media-toolkit list --remote myr2 --bucket videos --exclude '**/thumbs/**' --format csv --output videos.csv`,
    )
    .action(async (o: ListCliOptions) => {
      // An --output inside the listed folder is never listed (nor its temp file).
      const opts = { ...listOptionsFrom(o), isOwnFile: ownFilesMatcher([o.output]) };
      const order: SortOrder = o.listFiles ? 'size' : o.sort;
      const out = await openOutput(o.output);
      const writer = listingWriter(o.format, out.sink);
      const progress = createProgress({ label: 'list', unit: 'obj', enabled: o.progress && Boolean(o.output) });
      let n = 0;
      try {
        if (order === 'none') {
          for await (const obj of listObjects(opts)) {
            await writer.write(obj);
            if (++n % 1000 === 0) progress.update({ done: n });
          }
        } else {
          const all: StoredObject[] = [];
          for await (const obj of listObjects(opts)) {
            all.push(obj);
            if (++n % 1000 === 0) progress.update({ done: n });
          }
          sortObjects(all, order);
          for (const obj of all) await writer.write(obj);
        }
        await writer.end();
        await out.commit();
      } catch (err) {
        await out.abort();
        if (isClosedPipe(err)) return;
        throw err;
      }
      progress.finish({ done: n });
      if (o.output) info(`listed ${n} object${n === 1 ? '' : 's'} to ${o.output}`);
    });
}
