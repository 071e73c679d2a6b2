// k6-style durations ("30s", "2m", "1m30s", "500ms"; a bare number is seconds),
// read the same way by the CLI flags, the configuration file, the workflow and
// the k6 scenario's env settings. No Node APIs: k6 imports this too.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Milliseconds in a duration like "1m30s" or "500ms" (a bare number is seconds); undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(PART)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== t) return undefined;
  return parts.reduce((sum, m) => sum + Number(m[1]) * UNIT_MS[m[2]], 0);
}

/** Seconds in a duration (see parseDurationMs); undefined when malformed. */
export function durationSeconds(text: string): number | undefined {
  const ms = parseDurationMs(text);
  return ms === undefined ? undefined : ms / 1000;
}

/** The duration as k6 takes it (a bare number gets "s"), or undefined when it is not one. */
export function normalizeDuration(value: string): string | undefined {
  const v = value.trim();
  if (parseDurationMs(v) === undefined) return undefined;
  return /^\d+(\.\d+)?$/.test(v) ? `${v}s` : v;
}

/** Whole seconds as "Ns" (at least 1s). */
export function secondsDuration(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}
