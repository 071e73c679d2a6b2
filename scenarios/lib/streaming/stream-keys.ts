// Which keys MODE=hls / MODE=dash plays (pure, for vitest): those with an entry
// record from `prewarm --hls-template` / `--dash-template`, else every video key.
import type { LoadRecord } from '../records.js';

/** The record name prewarm gives the entry of each protocol. */
export const ENTRY_NAME = { hls: 'hls master', dash: 'dash mpd' } as const;

/** Keys to play, in file order: those with an entry record, else every video key. Pure, for vitest. */
export function streamKeys(records: Iterable<Pick<LoadRecord, 'key' | 'derivative' | 'video' | 'sizeCategory'>>, protocol: 'hls' | 'dash'): { key: string; sizeCategory: string }[] {
  const entries: { key: string; sizeCategory: string }[] = [];
  const videos: { key: string; sizeCategory: string }[] = [];
  const seenEntry = new Set<string>();
  const seenVideo = new Set<string>();
  for (const r of records) {
    if (r.derivative === ENTRY_NAME[protocol]) {
      if (!seenEntry.has(r.key)) entries.push({ key: r.key, sizeCategory: r.sizeCategory });
      seenEntry.add(r.key);
    } else if (r.video && !seenVideo.has(r.key)) {
      seenVideo.add(r.key);
      videos.push({ key: r.key, sizeCategory: r.sizeCategory });
    }
  }
  return entries.length > 0 ? entries : videos;
}

