// "10%" or "0.1" -> 0.1: the --max-regression / MAX_REGRESSION value (k6 and Node read it alike).
export function percent(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  const t = value.trim();
  const n = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0) throw new Error(`${name} must be a percentage like 10% or a fraction like 0.1, got "${value}"`);
  return n;
}
