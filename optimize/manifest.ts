// The optimizer's write-ahead log: before each step that touches the user's
// files, the step is recorded (atomically: temp file + rename). A rerun reads
// it to skip finished files and to finish or undo a step a crash interrupted.
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurable } from '../lib/atomic-write.js';
import type { Fingerprint } from './fingerprint.js';
import { RuntimeError } from '../lib/errors.js';

/**
 * The step an entry is in. "encoding" to "uploading" leave the original untouched;
 * "backing-up", "replacing" and "cleaning" are recovered by looking at what the storage holds.
 */
export type EntryState =
  | 'encoding'
  | 'staging'
  | 'uploading'
  | 'backing-up'
  | 'replacing'
  | 'cleaning'
  | 'done'
  | 'rejected'
  | 'skipped'
  | 'failed';

export const FINAL_STATES: readonly EntryState[] = ['done', 'rejected', 'skipped', 'failed'];

export interface ManifestEntry {
  /** location + key: the same key in two buckets are two entries. */
  id: string;
  key: string;
  mode: 'copy' | 'in-place';
  state: EntryState;
  /** The source as it was when the run started (local in place: with its fingerprint, checked again before the swap). */
  source: { size: number; etag: string; mtime: string; fingerprint?: Fingerprint };
  /** Why it was skipped, rejected or failed. */
  reason?: string;
  /** The verified new file (its size and, on S3, the ETag the upload must have). */
  output?: { size: number; etag?: string; location: string };
  stagedPath?: string;
  backupPath?: string;
  tempKey?: string;
  backupKey?: string;
  /** The WebM companion's key beside the source (in place): never a candidate itself. */
  companion?: string;
  /** S3: the ETag the key got from our replacement (recovery tells it from a later upload by it). */
  replacedEtag?: string;
  updatedAt: string;
}

export interface ManifestFile {
  version: 1;
  entries: Record<string, ManifestEntry>;
}

export interface Manifest {
  readonly path: string;
  get(id: string): ManifestEntry | undefined;
  all(): ManifestEntry[];
  /** Records a new state (and fields) for an entry; resolves once it is on disk. */
  record(entry: Omit<ManifestEntry, 'updatedAt'>): Promise<ManifestEntry>;
  update(id: string, patch: Partial<Omit<ManifestEntry, 'id' | 'updatedAt'>>): Promise<ManifestEntry>;
}

export async function openManifest(path: string): Promise<Manifest> {
  let data: ManifestFile = { version: 1, entries: {} };
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as ManifestFile;
    if (parsed && parsed.version === 1 && parsed.entries) data = parsed;
    else throw new RuntimeError(`manifest ${path} is not a media-toolkit optimize manifest`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError(`cannot read manifest ${path}: ${(err as Error).message}`);
    }
  }
  // Writes are serialised: each one writes the whole (small) file after the previous finished, and
  // is on the disk (file and folder entry flushed) before the step it records runs.
  let chain: Promise<void> = Promise.resolve();
  const persist = () => {
    const snapshot = `${JSON.stringify(data, null, 2)}\n`;
    const next = chain.then(() => writeFileDurable(path, snapshot));
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    path,
    get: (id) => data.entries[id],
    all: () => Object.values(data.entries),
    async record(entry) {
      const full = { ...entry, updatedAt: new Date().toISOString() };
      data.entries[entry.id] = full;
      await persist();
      return full;
    },
    async update(id, patch) {
      const cur = data.entries[id];
      if (!cur) throw new RuntimeError(`manifest has no entry ${id}`);
      const full = { ...cur, ...patch, updatedAt: new Date().toISOString() };
      data.entries[id] = full;
      await persist();
      return full;
    },
  };
}

/** Env var naming a step after which the process kills itself: the crash tests use it. */
export const CRASH_ENV = 'MEDIA_TOOLKIT_TEST_CRASH_AT';

/** Simulates a crash (SIGKILL, no cleanup) right after the named step, when the test env asks. */
export function crashPoint(step: string): void {
  if (process.env[CRASH_ENV] === step) process.kill(process.pid, 'SIGKILL');
}

/** Env vars of the pause the concurrency tests use: the step to pause after, and the folder of the handshake files. */
export const PAUSE_ENV = 'MEDIA_TOOLKIT_TEST_PAUSE_AT';
export const PAUSE_DIR_ENV = 'MEDIA_TOOLKIT_TEST_PAUSE_DIR';

/**
 * When the test env asks: right after the named step, writes PAUSE_DIR/paused-STEP and waits (at most
 * 60 s) for PAUSE_DIR/resume-STEP, so a test can change the source at exactly that moment.
 */
export async function pausePoint(step: string): Promise<void> {
  const dir = process.env[PAUSE_DIR_ENV];
  if (process.env[PAUSE_ENV] !== step || !dir) return;
  await writeFile(join(dir, `paused-${step}`), String(process.pid));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await access(join(dir, `resume-${step}`)).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
