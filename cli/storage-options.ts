// The --remote/--bucket family of flags as the commands that read storage parse them
// (list, analyze, prewarm, optimize, validate). Each command still declares the options
// itself: their defaults and help differ on purpose (list and analyze default to s3,
// prewarm and optimize to local, validate to none).
import { InvalidArgumentError, Option } from 'commander';
import { boolArg } from './options.js';
import { oneLine } from '../lib/errors.js';
import { parseByteSize } from '../common/byte-size.js';

export interface StorageFlags {
  remote?: string;
  bucket?: string;
  directory?: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  forcePathStyle?: boolean;
}

/** --force-path-style [bool]: an explicit on/off, else on when --endpoint is given. */
export function forcePathStyleOption(): Option {
  return new Option('--force-path-style [bool]', 'S3 path-style addressing (default: on when --endpoint is given)').argParser(boolArg);
}

/** --min-size/--max-size: bytes, or 50MiB, 1.5GB... */
export function byteSizeArg(value: string): number {
  try {
    return parseByteSize(value);
  } catch (err) {
    throw new InvalidArgumentError(oneLine(err));
  }
}

/** A repeatable option (--exclude, --header): each use adds one value. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
