// Evaluates a k6 threshold expression (`p(95)<500`, `rate>=0.9`, `avg<=0.01`,
// `count>10`) against a metric's figures, as k6 does: used by `loadtest merge`
// to judge the thresholds on the merged figures.
export function evaluateThreshold(expression: string, values: Record<string, number>): boolean {
  const m = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(<=|>=|==|===|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i.exec(expression);
  if (!m) return false;
  const stat = m[1] === 'p(50)' && values['p(50)'] === undefined ? 'med' : m[1];
  const actual = values[stat];
  // A metric without that figure (no samples) passes, as in k6.
  if (actual === undefined) return true;
  const limit = Number(m[3]);
  switch (m[2]) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '!=':
      return actual !== limit;
    default:
      return actual === limit;
  }
}
