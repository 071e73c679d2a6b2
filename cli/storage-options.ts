// The --remote/--bucket family of flags as the commands that read storage parse them
// (list, analyze, prewarm, optimize, validate). Each command still declares the options
// itself: their defaults and help differ on purpose (list and analyze default to s3,
// prewarm and optimize to local, validate to none).
import { Option } from 'commander';
import { boolArg } from './options.js';

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
