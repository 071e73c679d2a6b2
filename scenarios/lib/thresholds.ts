// Pass/fail criteria. A crossed threshold makes k6 exit 99, which CI gates on.
import type { ThresholdSettings } from './config.js';
import { METRIC, VIDEO_METRIC } from './metric-names.js';

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
  if (t.startupP95Ms !== undefined) out[VIDEO_METRIC.startup] = [wrap(`p(95)<${t.startupP95Ms}`)];
  // The mean of the sessions' ratios (a Trend per session).
  if (t.rebufferRatioMax !== undefined) out[VIDEO_METRIC.rebufferRatio] = [wrap(`avg<=${t.rebufferRatioMax}`)];
  return out;
}
