// What a local source was when it was read for encoding: its size, its
// modification time to the nanosecond and a SHA-256 of its bytes. Checked again
// right before the swap: a file edited during a long encode is not replaced.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

export interface Fingerprint {
  size: number;
  /** mtime in nanoseconds, as a decimal string (JSON has no bigint). */
  mtimeNs: string;
  sha256: string;
}

export async function fingerprintFile(path: string, signal?: AbortSignal): Promise<Fingerprint> {
  const st = await stat(path, { bigint: true });
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash, { signal });
  return { size: Number(st.size), mtimeNs: st.mtimeNs.toString(), sha256: hash.digest('hex') };
}

/** Why the file at path is not the one fingerprinted (size, time, then, with deep, content), or undefined when it is. */
export async function changedSince(path: string, fp: Fingerprint, deep: boolean): Promise<string | undefined> {
  let st;
  try {
    st = await stat(path, { bigint: true });
  } catch {
    return 'it is gone';
  }
  if (Number(st.size) !== fp.size) return `its size is ${st.size} bytes, not ${fp.size}`;
  if (st.mtimeNs.toString() !== fp.mtimeNs) return 'it was modified';
  if (deep) {
    const now = await fingerprintFile(path);
    if (now.sha256 !== fp.sha256) return 'its content differs';
  }
  return undefined;
}
