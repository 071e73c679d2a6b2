// Sizes as people write them ("1048576", "50MiB", "1.5GB", "200k") and as reports show them.
// No Node APIs: the k6 summary uses formatBytes too.

export const MIB = 1024 * 1024;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
  // Single letters are binary, as in rclone and `ls -h`.
  k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40,
};

/** Bytes from "123", "50MiB", "1.5 GB", "200k" (k/M/G alone are binary). Throws on anything else. */
export function parseByteSize(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) throw new Error(`expected a size like 1048576, 50MiB or 1.5GB, got "${value}"`);
  const unit = m[2].toLowerCase();
  const factor = unit === '' ? 1 : UNITS[unit];
  if (factor === undefined) throw new Error(`unknown size unit "${m[2]}" in "${value}" (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`);
  return Math.round(Number(m[1]) * factor);
}

/** "1.5 MiB", "512 B": binary units, `decimals` decimals (none for bytes). */
export function formatBytes(bytes: number, decimals = 1): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const sign = bytes < 0 ? '-' : '';
  return i === 0 ? `${sign}${v} B` : `${sign}${v.toFixed(decimals)} ${units[i]}`;
}
