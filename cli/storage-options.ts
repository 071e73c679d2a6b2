// The --remote/--bucket family of flags as the commands that read storage parse them
// (list, analyze, prewarm, optimize, validate, origin, workflow). The flags that mean the
// same everywhere are built here once, so they agree: --remote defaults to local in every
// command, --force-path-style takes an optional yes/no, --exclude takes a comma list and
// may repeat.
import { InvalidArgumentError, Option } from 'commander';
import { boolArg, repeatable } from './options.js';
import { oneLine } from '../lib/errors.js';
import { parseByteSize } from '../common/byte-size.js';
import type { StorageLocation } from '../storage/types.js';

export interface StorageFlags {
  remote?: string;
  bucket?: string;
  directory?: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  forcePathStyle?: boolean;
}

/** The one default of --remote, in every command: a folder on this machine. */
export const DEFAULT_REMOTE = 'local';

/** Where the storage flags point; undefined without --bucket (the command reads a listing file instead). */
export function storageLocation(f: StorageFlags & { rcloneBin?: string }): StorageLocation | undefined {
  if (!f.bucket) return undefined;
  const l: StorageLocation = { remote: f.remote ?? DEFAULT_REMOTE, bucket: f.bucket, directory: f.directory, endpoint: f.endpoint, region: f.region, profile: f.profile, forcePathStyle: f.forcePathStyle };
  if (f.rcloneBin !== undefined) l.rcloneBin = f.rcloneBin;
  return l;
}

/** --remote NAME, default local. `what` says which values this command takes. */
export function remoteOption(what = 'local (a folder: --bucket is its path), s3, or an rclone remote name'): Option {
  return new Option('--remote <name>', `where the files are: ${what}`).default(DEFAULT_REMOTE);
}

/** --force-path-style [bool]: an explicit on/off, else on when --endpoint is given. */
export function forcePathStyleOption(): Option {
  return new Option('--force-path-style [bool]', 'S3 path-style addressing, yes or no (default: yes when --endpoint is given)').argParser(boolArg);
}

/**
 * Splits "a,b" into globs at the commas that are not inside {..} or [..]:
 * "*.{mp4,mov},tmp/**" is two globs.
 */
export function splitGlobList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let cur = '';
  for (const c of value) {
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** --exclude GLOBS: comma-separated, and repeatable; every use adds its globs. */
export function excludeOption(): Option {
  return new Option(
    '--exclude <globs>',
    'leave out keys matching these globs: comma-separated, repeatable (* stays in a folder, ** crosses folders, ? one character, [..] {a,b}; a glob without / matches the file name)',
  ).argParser(repeatable(splitGlobList));
}

/** --min-size/--max-size: bytes, or 50MiB, 1.5GB... */
export function byteSizeArg(value: string): number {
  try {
    return parseByteSize(value);
  } catch (err) {
    throw new InvalidArgumentError(oneLine(err));
  }
}

/** A repeatable option (--header): each use adds one value. */
export const collect = repeatable((value) => [value]);
