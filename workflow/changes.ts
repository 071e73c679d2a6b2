// What changed since the last run, for the purge and prewarm stages: the `diff` of the
// previous listing and this run's (listing-changes.jsonl), plus the sources optimize
// replaced in place (from its JSON report), written as one change list (changes.jsonl)
// that `purge --keys-file` and `prewarm --only-keys` read.
import { createReadStream, existsSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openAtomicStream } from '../lib/atomic-write.js';
import { changeWriter, type ChangeRecord } from '../storage/change-list.js';
import { jsonValuesByLine } from '../storage/json-lines.js';
import { FILES } from './files.js';
import type { WorkflowState } from './state.js';

export interface ChangeSummary {
  /** The listing compared with, relative to --output-dir or as given; undefined without one. */
  baseline?: string;
  new: number;
  changed: number;
  deleted: number;
  /** Sources optimize replaced in place in this run. */
  replaced: number;
  /** Distinct keys whose cached URLs are stale: changed, deleted, replaced. */
  toPurge: number;
  /** Distinct keys to warm again: new, changed, replaced. */
  toWarm: number;
}

/**
 * Why the earlier run's listing is not yet what the CDN holds, or undefined when it is:
 * that run's purge or prewarm stage failed, or never ran because an earlier stage
 * failed or the run was stopped. Then its changes were not (all) purged or warmed, and
 * the next run must compare with the listing before it, or they would be forgotten.
 * A stage skipped (nothing to do, --skip-*, declined) counts as through; without a saved
 * state (--no-save-progress) nothing is known and the listing counts as through.
 */
export function unfinishedRun(earlier: WorkflowState | undefined): string | undefined {
  if (!earlier) return undefined;
  for (const name of ['purge', 'prewarm'] as const) {
    const st = earlier.stages[name];
    if (!st || st.status === 'done' || st.status === 'skipped') continue;
    return `the last run's ${name} stage ${st.status === 'failed' ? 'failed' : 'did not run'}${st.message ? ` (${st.message})` : ''}`;
  }
  return undefined;
}

/**
 * Moves the listing an earlier run left (written before this run started) to
 * listing.previous.jsonl, so this run's listing can be compared with it. A listing
 * this run wrote (a resumed run) stays where it is, and so does the earlier run's
 * when that run did not get its changes purged and warmed (`unfinishedRun`): this run
 * then compares with the listing before it and takes those changes up again.
 */
export async function moveListingAside(outputDir: string, runStartedAt: string, earlier?: WorkflowState): Promise<'moved' | 'kept' | 'none'> {
  const listing = join(outputDir, FILES.listing);
  let mtime: number;
  try {
    mtime = (await stat(listing)).mtimeMs;
  } catch {
    return 'none';
  }
  if (mtime >= Date.parse(runStartedAt)) return 'none';
  if (unfinishedRun(earlier)) return 'kept';
  await rename(listing, join(outputDir, FILES.listingPrevious));
  return 'moved';
}

/** The listing to compare with: --previous-listing, else the one an earlier run left. */
export function baselineListing(outputDir: string, previousListing: string | undefined, exists: (p: string) => boolean): string | undefined {
  if (previousListing) return previousListing;
  const moved = join(outputDir, FILES.listingPrevious);
  return exists(moved) ? moved : undefined;
}

interface OptimizedFile {
  key: string;
  status: string;
  sizeBefore?: number;
  sizeAfter?: number;
}

/** Sources the optimize report says were replaced in place. */
export async function replacedSources(reportPath: string): Promise<ChangeRecord[]> {
  let report: { files?: OptimizedFile[] };
  try {
    report = JSON.parse(await readFile(reportPath, 'utf8')) as { files?: OptimizedFile[] };
  } catch {
    return [];
  }
  return (report.files ?? [])
    .filter((f) => f.status === 'replaced' && typeof f.key === 'string')
    .map((f) => ({
      change: 'changed' as const,
      key: f.key,
      size: f.sizeAfter ?? 0,
      lastModified: '',
      etag: '',
      before: { size: f.sizeBefore ?? 0, lastModified: '', etag: '' },
    }));
}

/**
 * Writes changes.jsonl (or removes a stale one when there is nothing to compare) and
 * says what it holds. `useListingChanges`/`useOptimize`: whether this run's analysis
 * and optimize stages produced those inputs (files from an earlier run are not used).
 */
export async function composeChanges(outputDir: string, o: { useListingChanges: boolean; useOptimize: boolean; baseline?: string }): Promise<ChangeSummary | undefined> {
  const out = join(outputDir, FILES.changes);
  const listingChanges = join(outputDir, FILES.listingChanges);
  const fromDiff = o.useListingChanges && existsSync(listingChanges);
  const replaced = o.useOptimize ? await replacedSources(join(outputDir, FILES.optimizeJson)) : [];
  if (!fromDiff && replaced.length === 0) {
    await rm(out, { force: true });
    return undefined;
  }
  const summary: ChangeSummary = { baseline: fromDiff ? o.baseline : undefined, new: 0, changed: 0, deleted: 0, replaced: replaced.length, toPurge: 0, toWarm: 0 };
  const replacedKeys = new Set(replaced.map((r) => r.key));
  const file = await openAtomicStream(out);
  const writer = changeWriter('jsonl', (text) => {
    if (text === '' || file.stream.write(text)) return;
    return new Promise<void>((resolve) => file.stream.once('drain', () => resolve()));
  });
  try {
    if (fromDiff) {
      for await (const v of jsonValuesByLine(createReadStream(listingChanges), listingChanges)) {
        const r = v as ChangeRecord;
        summary[r.change]++;
        if (replacedKeys.has(r.key)) continue;
        if (r.change !== 'new') summary.toPurge++;
        if (r.change !== 'deleted') summary.toWarm++;
        await writer.write(r);
      }
    }
    for (const r of replaced) {
      summary.toPurge++;
      summary.toWarm++;
      await writer.write(r);
    }
    await writer.end({ new: summary.new, changed: summary.changed, deleted: summary.deleted, unchanged: 0 });
    if (summary.new + summary.changed + summary.deleted + summary.replaced === 0) {
      // The listings agree and optimize replaced nothing: no change list at all.
      await file.abort();
      await rm(out, { force: true });
      return undefined;
    }
    await file.commit();
  } catch (err) {
    await file.abort();
    throw err;
  }
  return summary;
}
