import { Option, type Command } from 'commander';
import { choiceOption, intArg, listArg } from '../options.js';
import { byteSizeArg, collect, excludeOption, forcePathStyleOption, remoteOption, storageLocation, type StorageFlags } from '../storage-options.js';
import { runDiff } from '../../prep/diff/run-diff.js';
import { CHANGE_FORMATS, CHANGE_TYPES, countsLine, type ChangeFormat, type ChangeType } from '../../storage/change-list.js';
import { UsageError } from '../../lib/errors.js';
import { info } from '../../lib/log.js';

interface DiffFlags extends StorageFlags {
  before?: string;
  after?: string;
  format: ChangeFormat;
  output?: string;
  changes: string[];
  extensions?: string[];
  mediaType?: 'auto' | 'video' | 'image';
  minSize?: number;
  maxSize?: number;
  exclude?: string[];
  concurrency?: number;
}

/** --changes new,changed,deleted, checked. */
export function changeTypesArg(value: string): ChangeType[] {
  const list = listArg(value);
  for (const c of list) if (!(CHANGE_TYPES as readonly string[]).includes(c)) throw new UsageError(`--changes: unknown change "${c}" (known: ${CHANGE_TYPES.join(', ')})`);
  return list as ChangeType[];
}

async function action(flags: DiffFlags): Promise<void> {
  if (!flags.before) throw new UsageError('--before OLD-LISTING is required (a listing file written by `media-toolkit list`)');
  if (flags.after && flags.bucket) throw new UsageError('give either --after NEW-LISTING or a live location (--remote/--bucket), not both');
  if (!flags.after && !flags.bucket) throw new UsageError('give the new state: --after NEW-LISTING, or --remote REMOTE --bucket BUCKET to list it live');
  const changes = changeTypesArg(flags.changes.join(','));
  const counts = await runDiff({
    before: flags.before,
    after: flags.after,
    location: flags.bucket ? { ...storageLocation(flags)!, concurrency: flags.concurrency } : undefined,
    filters: { directory: flags.directory, extensions: flags.extensions, mediaType: flags.mediaType, minSize: flags.minSize, maxSize: flags.maxSize, exclude: flags.exclude },
    format: flags.format,
    output: flags.output,
    changes,
  });
  info(`diff: ${countsLine(counts)}${flags.output ? ` -> ${flags.output}` : ''}`);
}

export function register(program: Command): void {
  program
    .command('diff')
    .summary('What changed between two listings: new, changed and deleted keys')
    .description(
      'Compare an old listing with a new one (a second listing file, or the bucket listed now) and write\n' +
        'the keys that are new, changed or deleted, in key order. Changed means a different ETag when both\n' +
        'listings have ETags, else a different size or last-modified time.\n\n' +
        'Both sides must be in S3 key order, which `list` writes for S3 buckets and local folders: diff reads\n' +
        'them side by side (a merge-join), one entry at a time, so million-object listings take little memory.\n' +
        'The output feeds `prewarm --only-keys` and `purge --keys-file`.',
    )
    .option('--before <file>', 'the old listing (json, jsonl or csv as `list` writes it)')
    .option('--after <file>', 'the new listing; without it the location below is listed now')
    .addOption(remoteOption('local (a folder: --bucket is its path), s3, or an rclone remote name (rclone lists must be sorted), for a live new listing'))
    .option('--bucket <name>', 'live new listing: bucket name, or the folder for --remote local')
    .option('--directory <prefix>', 'only keys under this prefix (applied to both sides)')
    .option('--endpoint <url>', 'S3 endpoint (R2, MinIO...)')
    .option('--region <region>', 'S3 region')
    .option('--profile <name>', 'AWS profile')
    .addOption(forcePathStyleOption())
    .addOption(new Option('--concurrency <n>', 'concurrent prefix listings for a live S3 listing').argParser(intArg(1, 256)).hideHelp())
    .option('--extensions <list>', 'only these extensions, comma-separated (both sides)', listArg)
    .addOption(choiceOption('--media-type <type>', 'only video or image extensions, auto for both (both sides)', ['auto', 'video', 'image']))
    .option('--min-size <size>', 'only objects of at least this size (both sides)', byteSizeArg)
    .option('--max-size <size>', 'only objects of at most this size (both sides)', byteSizeArg)
    .addOption(excludeOption())
    .addOption(choiceOption('--format <format>', 'jsonl (one change per line), csv, or markdown (a table and the counts)', CHANGE_FORMATS, 'jsonl'))
    .option('--output <file>', 'write here (atomically) instead of stdout')
    .option('--changes <list>', `change types written, comma-separated (${CHANGE_TYPES.join(',')})`, collect, [])
    .addHelpText(
      'after',
      `
Examples:
  media-toolkit list --remote s3 --bucket media --format jsonl --output monday.jsonl
  media-toolkit diff --before monday.jsonl --remote s3 --bucket media --output changes.jsonl
  media-toolkit diff --before monday.jsonl --after tuesday.jsonl --format markdown --output changes.md
  media-toolkit prewarm --remote s3 --bucket media --base-url https://cdn.example.com --only-keys changes.jsonl
  media-toolkit purge --provider cloudflare --zone-id ZONE --base-url https://cdn.example.com --keys-file changes.jsonl

Exit codes: 0 compared (changes or not), 1 a listing could not be read or is not in key order, 2 usage.
The last stderr line: diff: N new, N changed, N deleted, N unchanged.`,
    )
    .action(async (flags: DiffFlags) => {
      if (flags.changes.length === 0) flags.changes = [...CHANGE_TYPES];
      await action(flags);
    });
}
