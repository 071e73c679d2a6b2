// Placement: where a verified output goes when it does not replace its
// source (--optimize-videos: a folder, or a prefix in the bucket), and where a
// WebM companion goes. Nothing of the user's is ever written over.
import { resolve, sep } from 'node:path';
import { RuntimeError } from '../lib/errors.js';
import { warn } from '../lib/log.js';
import type { RunContext } from './context.js';
import { exists, placeFile, safeJoin } from './paths.js';
import type { ContainerName } from './profiles.js';
import { headObject, uploadFile } from './s3-objects.js';

export const CONTENT_TYPE: Record<ContainerName, string> = { mp4: 'video/mp4', webm: 'video/webm', mkv: 'video/x-matroska', mov: 'video/quicktime' };

/** The output prefix in the bucket, without slashes at its ends. */
function prefix(ctx: RunContext): string {
  return ctx.o.outputPrefix!.replace(/^\/+|\/+$/g, '');
}

/** Copies the verified output to its place (copy mode) under its planned name. Returns where it went. */
export async function placeOutput(ctx: RunContext, outPath: string, container: ContainerName, newKey: string): Promise<string> {
  const { o } = ctx;
  if (ctx.s3 && o.outputPrefix) {
    const destKey = `${prefix(ctx)}/${newKey}`;
    await uploadFile(ctx.s3.client, ctx.s3.bucket, destKey, outPath, CONTENT_TYPE[container], o.signal);
    return `s3://${ctx.s3.bucket}/${destKey}`;
  }
  const dest = safeJoin(o.optimizedVideosDir, newKey);
  await refuseToOverwriteSource(ctx, dest);
  await placeFile(outPath, dest);
  return dest;
}

/**
 * A copy written into the source folder itself must never replace a file the user has there. An
 * --optimized-videos-dir strictly inside the folder is the run's own (its files are never candidates),
 * so a rerun may write over what an earlier run put there.
 */
export async function refuseToOverwriteSource(ctx: RunContext, dest: string): Promise<void> {
  const l = ctx.o.location;
  if (!l || l.remote !== 'local') return;
  const root = resolve(l.bucket);
  const own = resolve(ctx.o.optimizedVideosDir);
  if (own.startsWith(root + sep) && dest.startsWith(own + sep)) return;
  if ((dest === root || dest.startsWith(root + sep)) && (await exists(dest))) {
    throw new RuntimeError(`${dest} exists in the source folder: not overwritten (choose an --optimized-videos-dir outside it)`);
  }
}

/** Puts the WebM companion beside the output under its planned name; never over an existing file or object of the user's. '' when not written. */
export async function placeCompanion(ctx: RunContext, key: string, path: string, wkey: string): Promise<string> {
  const { o } = ctx;
  const inPlace = o.mode === 'in-place';
  if (ctx.s3 && (inPlace || o.outputPrefix)) {
    const destKey = inPlace ? wkey : `${prefix(ctx)}/${wkey}`;
    if (inPlace && (await headObject(ctx.s3.client, ctx.s3.bucket, destKey))) {
      warn(`${key}: ${destKey} exists; the WebM companion is not written over it`);
      return '';
    }
    await uploadFile(ctx.s3.client, ctx.s3.bucket, destKey, path, CONTENT_TYPE.webm, o.signal);
    return `s3://${ctx.s3.bucket}/${destKey}`;
  }
  const dest = inPlace && !ctx.s3 ? safeJoin(o.location!.bucket, wkey) : safeJoin(o.optimizedVideosDir, wkey);
  if (inPlace && (await exists(dest))) {
    warn(`${key}: ${dest} exists; the WebM companion is not written over it`);
    return '';
  }
  await refuseToOverwriteSource(ctx, dest);
  await placeFile(path, dest);
  return dest;
}
