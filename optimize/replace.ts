// In-place replacement that never loses the original. Each step is recorded in
// the manifest before it runs; a crash at any moment leaves the original path
// (or key) holding either the original or the verified new file, and
// continueReplacement() finishes the job from whatever step was recorded.
//
// Local folder:  staging (copy beside it) -> backing-up (hard link) -> replacing (rename: atomic) -> cleaning -> done
// S3 bucket:     uploading (temp key, size+ETag confirmed) -> backing-up (copy if ETag unchanged) ->
//                replacing (part copy whose completion is conditional on the key's ETag) -> cleaning -> done
//
// A source that changed since it was read is never replaced: locally its size, nanosecond mtime and
// SHA-256 are checked before the backup link and its size and mtime again right before the rename (and
// the displaced file once more right after it: a write that slipped in between is put back); on S3 the
// backup copy and the final write are both conditional on the ETag that was encoded from, so an
// upload that lands meanwhile stays. Such a file ends "skipped" with the reason.
import { chmod, copyFile, link, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { fsyncPath } from '../lib/atomic-write.js';
import { RuntimeError } from '../lib/errors.js';
import { changedSince } from './fingerprint.js';
import { crashPoint, pausePoint, type Manifest, type ManifestEntry } from './manifest.js';
import { exists } from './paths.js';
import { conditionalReplace, copyObject, deleteObject, expectedEtags, headObject, isPreconditionFailed, uploadFile } from './s3-objects.js';

/** How the reason of a file whose source changed while it was being worked on begins (such a file is never "settled"). */
export const SOURCE_CHANGED = 'the source changed since it was read';

export function changedReason(why: string): string {
  return `${SOURCE_CHANGED} (${why}): not replaced, the new version is kept as it is (a rerun encodes it)`;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/** Hidden names beside the original for the staged new file and the backup. */
export function localSidePaths(originalPath: string): { stagedPath: string; backupPath: string } {
  const dir = dirname(originalPath);
  const base = basename(originalPath);
  return { stagedPath: join(dir, `.${base}.mtk-new`), backupPath: join(dir, `.${base}.mtk-orig`) };
}

/** Replaces originalPath with the verified file at newPath (local folder). */
export async function replaceLocal(m: Manifest, entry: ManifestEntry, originalPath: string, newPath: string, newSize: number): Promise<ManifestEntry> {
  const { stagedPath, backupPath } = localSidePaths(originalPath);
  let e = await m.update(entry.id, { state: 'staging', stagedPath, backupPath, output: { size: newSize, location: originalPath } });
  // Copy beside the original (same filesystem, so the final rename is atomic), complete before it gets its name.
  const partial = `${stagedPath}.partial`;
  await copyFile(newPath, partial);
  // The new file keeps the original's permissions.
  await chmod(partial, (await stat(originalPath)).mode & 0o7777);
  await fsyncPath(partial);
  await rename(partial, stagedPath);
  await fsyncPath(dirname(stagedPath));
  crashPoint('staged');
  await pausePoint('staged');
  e = await m.update(entry.id, { state: 'backing-up' });
  return continueLocal(m, e, originalPath);
}

/** Finishes a local replacement from the recorded step. Returns the entry in its final state. */
export async function continueLocal(m: Manifest, entry: ManifestEntry, originalPath: string): Promise<ManifestEntry> {
  const { stagedPath, backupPath } = { ...localSidePaths(originalPath), ...pick(entry) };
  const newSize = entry.output?.size;
  let e = entry;
  // Whatever happened, the original path must hold a file: put the backup back if it does not.
  if (!(await exists(originalPath)) && (await exists(backupPath))) await rename(backupPath, originalPath);
  if (e.state === 'staging' && newSize !== undefined && (await sizeOf(stagedPath)) === newSize) {
    // The staged copy is complete (it only gets its name when whole): carry on.
    e = await m.update(e.id, { state: 'backing-up' });
  }
  if (e.state === 'encoding' || e.state === 'staging') {
    await rm(`${stagedPath}.partial`, { force: true });
    await rm(stagedPath, { force: true });
    return m.update(e.id, { state: 'failed', reason: 'interrupted before the original was touched; it is unchanged (rerun to retry)' });
  }
  const fp = e.source.fingerprint;
  const giveUp = async (why: string) => {
    await rm(stagedPath, { force: true });
    await rm(backupPath, { force: true });
    return m.update(e.id, { state: 'skipped', reason: changedReason(why) });
  };
  if (e.state === 'backing-up') {
    if ((await sizeOf(stagedPath)) !== newSize) {
      await rm(stagedPath, { force: true });
      await rm(backupPath, { force: true });
      return m.update(e.id, { state: 'failed', reason: 'staged file missing; the original is unchanged (rerun to retry)' });
    }
    // The whole file, content included, is the one encoded from.
    const changed = fp ? await changedSince(originalPath, fp, true) : undefined;
    if (changed) return giveUp(changed);
    await rm(backupPath, { force: true });
    await link(originalPath, backupPath);
    await fsyncPath(dirname(originalPath));
    crashPoint('backed-up');
    await pausePoint('backed-up');
    e = await m.update(e.id, { state: 'replacing' });
  }
  if (e.state === 'replacing') {
    if (await exists(stagedPath)) {
      // Right before the swap: still the same file (size and nanosecond mtime; its content was hashed above).
      const changed = fp ? await changedSince(originalPath, fp, false) : undefined;
      if (changed) return giveUp(changed);
      // rename() replaces the name in one step: readers see the old file or the new one.
      await rename(stagedPath, originalPath);
      await fsyncPath(dirname(originalPath));
      // A write between the check and the rename went to the displaced file (now only the backup): put it back.
      const late = fp ? await changedSince(backupPath, fp, false) : undefined;
      if (late) {
        await rename(backupPath, originalPath);
        await fsyncPath(dirname(originalPath));
        return m.update(e.id, { state: 'skipped', reason: changedReason(`${late} during the swap; it was put back`) });
      }
    } else if ((await sizeOf(originalPath)) !== newSize) {
      throw new RuntimeError(`${originalPath}: staged file gone and the path does not hold the new file; the backup stays at ${backupPath}`);
    }
    crashPoint('replaced');
    e = await m.update(e.id, { state: 'cleaning' });
  }
  if (e.state === 'cleaning') {
    await rm(backupPath, { force: true });
    e = await m.update(e.id, { state: 'done' });
  }
  return e;
}

function pick(e: ManifestEntry): { stagedPath?: string; backupPath?: string } {
  const out: { stagedPath?: string; backupPath?: string } = {};
  if (e.stagedPath) out.stagedPath = e.stagedPath;
  if (e.backupPath) out.backupPath = e.backupPath;
  return out;
}

export interface S3Target {
  client: S3Client;
  bucket: string;
}

/** Temp and backup keys of an in-place replacement (outside the listing: the optimizer skips these prefixes). */
export function s3SideKeys(key: string): { tempKey: string; backupKey: string } {
  return { tempKey: `.media-toolkit-tmp/${key}`, backupKey: `.media-toolkit-backup/${key}` };
}

/** Uploads the verified file under a temp key, confirms it, then replaces the key. */
export async function replaceS3(
  m: Manifest,
  entry: ManifestEntry,
  s3: S3Target,
  key: string,
  newPath: string,
  newSize: number,
  contentType: string,
  signal?: AbortSignal,
): Promise<ManifestEntry> {
  const { tempKey, backupKey } = s3SideKeys(key);
  const etags = await expectedEtags(newPath);
  let e = await m.update(entry.id, { state: 'uploading', tempKey, backupKey, output: { size: newSize, etag: etags.join(','), location: `s3://${s3.bucket}/${key}` } });
  // The new object keeps the original's metadata and cache headers (the temp key carries them; the copy over the key keeps them).
  const original = await headObject(s3.client, s3.bucket, key);
  await uploadFile(s3.client, s3.bucket, tempKey, newPath, contentType, signal, original?.keep);
  const head = await headObject(s3.client, s3.bucket, tempKey);
  if (!head || head.size !== newSize || !etags.includes(head.etag)) {
    await deleteObject(s3.client, s3.bucket, tempKey).catch(() => undefined);
    return m.update(e.id, { state: 'failed', reason: `upload not confirmed (size ${head?.size ?? 'missing'}, ETag ${head?.etag ?? 'missing'}); the original is unchanged` });
  }
  crashPoint('uploaded');
  await pausePoint('uploaded');
  e = await m.update(e.id, { state: 'backing-up' });
  return continueS3(m, e, s3, key);
}

/** Finishes an S3 replacement from the recorded step. */
export async function continueS3(m: Manifest, entry: ManifestEntry, s3: S3Target, key: string): Promise<ManifestEntry> {
  const { tempKey, backupKey } = { ...s3SideKeys(key), ...(entry.tempKey ? { tempKey: entry.tempKey } : {}), ...(entry.backupKey ? { backupKey: entry.backupKey } : {}) };
  const newSize = entry.output?.size;
  const newEtags = (entry.output?.etag ?? '').split(',').filter(Boolean);
  let e = entry;
  const cleanup = async () => {
    await deleteObject(s3.client, s3.bucket, tempKey).catch(() => undefined);
    await deleteObject(s3.client, s3.bucket, backupKey).catch(() => undefined);
  };
  if (e.state === 'encoding') return m.update(e.id, { state: 'failed', reason: 'interrupted before upload; the original is unchanged (rerun to retry)' });
  if (e.state === 'uploading') {
    const head = await headObject(s3.client, s3.bucket, tempKey);
    if (!head || head.size !== newSize || !newEtags.includes(head.etag)) {
      await cleanup();
      return m.update(e.id, { state: 'failed', reason: 'interrupted during upload; the original is unchanged (rerun to retry)' });
    }
    e = await m.update(e.id, { state: 'backing-up' });
  }
  const changed = async (why: string) => {
    await cleanup();
    return m.update(e.id, { state: 'skipped', reason: changedReason(why) });
  };
  if (e.state === 'backing-up') {
    const cur = await headObject(s3.client, s3.bucket, key);
    if (!cur) return changed('the key is gone');
    if (cur.etag !== e.source.etag || cur.size !== e.source.size) return changed(`its ETag is ${cur.etag}, not ${e.source.etag}`);
    // Only if the key still holds what we encoded from (CopySourceIfMatch).
    try {
      await copyObject(s3.client, s3.bucket, key, backupKey, e.source.etag, e.source.size);
    } catch (err) {
      if (isPreconditionFailed(err)) return changed('a new upload landed before the backup');
      throw err;
    }
    crashPoint('backed-up');
    await pausePoint('backed-up');
    e = await m.update(e.id, { state: 'replacing' });
  }
  if (e.state === 'replacing') {
    const cur = await headObject(s3.client, s3.bucket, key);
    const replaced = cur !== undefined && cur.size === newSize && (e.replacedEtag ? cur.etag === e.replacedEtag : cur.etag !== e.source.etag);
    if (!replaced) {
      if (!cur || cur.etag !== e.source.etag) return changed(cur ? `its ETag is ${cur.etag}, not ${e.source.etag}` : 'the key is gone');
      const temp = await headObject(s3.client, s3.bucket, tempKey);
      if (!temp || temp.size !== newSize) throw new RuntimeError(`${key}: the uploaded file is gone before replacing; the original and its backup (${backupKey}) are kept`);
      // The write itself is conditional: a multipart copy of the temp key whose completion carries
      // If-Match with the source's ETag, so an upload landing after the check above is never overwritten.
      let etag: string;
      try {
        etag = await conditionalReplace(s3.client, s3.bucket, tempKey, key, e.source.etag, newSize, () => pausePoint('parts-copied'));
      } catch (err) {
        if (isPreconditionFailed(err)) return changed('a new upload landed during the replacement');
        throw err;
      }
      const after = await headObject(s3.client, s3.bucket, key);
      if (!after || after.size !== newSize) throw new RuntimeError(`${key}: replacement not confirmed (size ${after?.size}); the backup stays at ${backupKey}`);
      e = await m.update(e.id, { replacedEtag: etag || after.etag });
    }
    crashPoint('replaced');
    e = await m.update(e.id, { state: 'cleaning' });
  }
  if (e.state === 'cleaning') {
    await cleanup();
    e = await m.update(e.id, { state: 'done' });
  }
  return e;
}
