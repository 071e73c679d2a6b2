// Pass/fail criteria. A crossed threshold makes k6 exit 99, which CI gates on.
import type { ThresholdSettings } from './config.js';
import { METRIC } from './metric-names.js';

export type Threshold = string | { threshold: string; abortOnFail: boolean; delayAbortEval?: string };

export function buildThresholds(t: ThresholdSettings): Record<string, Threshold[]> {
  const wrap = (expr: string): Threshold => (t.abortOnFail ? { threshold: expr, abortOnFail: true, delayAbortEval: '2s' } : expr);
  const out: Record<string, Threshold[]> = {
    http_req_duration: [wrap(`p(95)<${t.reqDurationMs}`)],
    http_req_failed: [wrap(`rate<${t.failureRate}`)],
  };
  if (t.cacheHit !== undefined) out[METRIC.cacheHit] = [wrap(`rate>=${t.cacheHit}`)];
  if (t.ttfbMs !== undefined) out[METRIC.ttfb] = [wrap(`p(95)<${t.ttfbMs}`)];
  if (t.rangeCorrectness !== undefined) out[METRIC.rangeOk] = [wrap(`rate>=${t.rangeCorrectness}`)];
  return out;
}
