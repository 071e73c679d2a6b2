// The one existence check every reader of a user's file makes, with one message
// form: "PATH: WHAT not found" / "PATH: WHAT is not a file" (usage errors, exit 2).
import { stat } from 'node:fs/promises';
import { UsageError } from './errors.js';

/** The file's size; a UsageError when it is missing or not a regular file. */
export async function requireFile(path: string, what: string): Promise<number> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new UsageError(`${path}: ${what} not found`);
  if (!st.isFile()) throw new UsageError(`${path}: ${what} is not a file`);
  return st.size;
}
