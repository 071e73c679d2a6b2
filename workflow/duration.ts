// k6-style durations ("90s", "2m", "1m30s", "1h") to seconds and back.

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds in a duration like "1m30s"; a bare number is seconds. Undefined when malformed. */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const parts = t.match(/(\d+(?:\.\d+)?)(ms|s|m|h)/g);
  if (!parts || parts.join('') !== t) return undefined;
  return parts.reduce((sum, p) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(p) as RegExpExecArray;
    return sum + Number(m[1]) * UNIT_SECONDS[m[2]];
  }, 0);
}

/** Whole seconds as "Ns" (at least 1s). */
export function secondsDuration(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}
