// One run per manifest: a lock file beside it (MANIFEST.lock) holds the pid,
// host and start time of the run using it. A second run on the same manifest
// stops with one line naming the first; a lock left by a run that died (its pid
// gone from this host) is taken over with a notice.
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RuntimeError } from '../lib/errors.js';
import { info } from '../lib/log.js';

interface LockFile {
  pid: number;
  host: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the manifest's lock; resolves with the function that gives it back. */
export async function lockManifest(manifestPath: string): Promise<() => Promise<void>> {
  const path = `${manifestPath}.lock`;
  await mkdir(dirname(path), { recursive: true });
  const me: LockFile = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(`${JSON.stringify(me)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return async () => {
        const now = await readFile(path, 'utf8').then((t) => JSON.parse(t) as LockFile, () => undefined);
        if (now?.pid === me.pid && now.host === me.host) await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new RuntimeError(`cannot lock manifest ${manifestPath}: ${(err as Error).message}`);
    }
    let other: LockFile | undefined;
    try {
      other = JSON.parse(await readFile(path, 'utf8')) as LockFile;
    } catch {
      other = undefined; // half-written by a run that died at that moment
    }
    if (other && (other.host !== me.host || alive(other.pid))) {
      throw new RuntimeError(`manifest ${manifestPath} is in use by another optimize run (pid ${other.pid} on ${other.host}, since ${other.startedAt}); wait for it, or delete ${path} if that run is gone`);
    }
    info(`optimize: taking over ${path} from a run that is gone${other ? ` (pid ${other.pid}, since ${other.startedAt})` : ''}`);
    await rm(path, { force: true });
  }
  throw new RuntimeError(`cannot lock manifest ${manifestPath}: another run keeps taking ${path}`);
}
