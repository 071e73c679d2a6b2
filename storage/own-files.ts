// What the toolkit itself writes inside a bucket or folder, so that no listing ever
// counts it as media: the optimizer's in-place temp and backup keys (a crash may leave
// them behind), atomic-write temp files, the optimize manifest folder, and the files a
// command writes (its --output inside the folder it lists).
import { realPathOf } from '../lib/real-path.js';

// Folders: .media-toolkit-tmp/ and .media-toolkit-backup/ (S3 in-place replacement), .media-toolkit/
// (the optimize manifest's default home). Files: .NAME.mtk-new and .NAME.mtk-orig (local in-place
// replacement), .NAME.<pid>.<8 hex>.tmp (lib/atomic-write.ts, for every report and listing).
const TOOLKIT_FOLDER = /(^|\/)\.media-toolkit(-tmp|-backup)?\//;
const TOOLKIT_FILE = /(^|\/)\.[^/]+\.(mtk-(new|orig)|\d+\.[0-9a-f]{8}\.tmp)$/;

/** True for a key the toolkit wrote for itself: never a source file, never listed. */
export function isToolkitKey(key: string): boolean {
  return TOOLKIT_FOLDER.test(key) || TOOLKIT_FILE.test(key);
}

/** A predicate for ListOptions.isOwnFile: true for these files (e.g. --output), wherever the listing finds them. */
export function ownFilesMatcher(paths: Array<string | undefined>): ((absolutePath: string) => boolean) | undefined {
  const set = new Set(paths.filter((p): p is string => Boolean(p) && p !== '-').map(realPathOf));
  if (set.size === 0) return undefined;
  return (p) => set.has(p);
}
