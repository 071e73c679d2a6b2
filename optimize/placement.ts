// Placement: where a verified output goes when it does not replace its
// source (--optimize-videos: a folder, or a prefix in the bucket), and where a
// WebM companion goes. Nothing of the user's is ever written over.
import { resolve, sep } from 'node:path';
import { RuntimeError } from '../lib/errors.js';
import { warn } from '../lib/log.js';
import type { RunContext } from './context.js';
import { exists, placeFile, safeJoin, withExtension } from './paths.js';
import type { ContainerName } from './profiles.js';
import { headObject, uploadFile } from './s3-objects.js';

export const CONTENT_TYPE: Record<ContainerName, string> = { mp4: 'video/mp4', webm: 'video/webm', mkv: 'video/x-matroska', mov: 'video/quicktime' };

/** The output prefix in the bucket, without slashes at its ends. */
function prefix(ctx: RunContext): string {
  return ctx.o.outputPrefix!.replace(/^\/+|\/+$/g, '');
}

/** Copies the verified output to its place (copy mode). Returns where it went. */
export async function placeOutput(ctx: RunContext, key: string, outPath: string, container: ContainerName): Promise<string> {
  const { o } = ctx;
  const newKey = withExtension(key, container);
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

/** A copy written into the source folder itself must never replace a file the user has there. */
export async function refuseToOverwriteSource(ctx: RunContext, dest: string): Promise<void> {
  const l = ctx.o.location;
  if (!l || l.remote !== 'local') return;
  const root = resolve(l.bucket);
  if ((dest === root || dest.startsWith(root + sep)) && (await exists(dest))) {
    throw new RuntimeError(`${dest} exists in the source folder: not overwritten (choose an --optimized-videos-dir outside it)`);
  }
}

/** Puts the WebM companion beside the output (same key with .webm); never over an existing file or object of the user's. '' when not written. */
export async function placeCompanion(ctx: RunContext, key: string, path: string): Promise<string> {
  const { o } = ctx;
  const inPlace = o.mode === 'in-place';
  const wkey = withExtension(key, 'webm');
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
