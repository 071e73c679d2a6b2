// media-toolkit load test: replays the pre-warmed derivative URLs against the
// CDN the way video players do (byte ranges, or whole player sessions), checks
// every answer, and gates CI on thresholds (k6 exits 99 when one is crossed).
//
//   k6 run -e BASE_URL=https://cdn.example.com -e RESULTS_FILE=/abs/results.json dist/loadtest.js
//
// Every setting is an environment variable (see README "loadtest"); the
// modules in ./lib can be imported into a scenario of your own.
import exec from 'k6/execution';
import { redactUrl, setRedactPatterns } from '../common/redact.js';
import { loadRecords } from './lib/data.js';
import { buildScenarios } from './lib/load-shape.js';
import { createMetrics } from './lib/metrics.js';
import { METRIC } from './lib/metric-names.js';
import { randomIndex, sequentialIndex } from './lib/pick.js';
import { playerSession, randomRangeRequest } from './lib/patterns.js';
import { seededRng, type Rng } from './lib/random.js';
import { loadSettings } from './lib/settings.js';
import { durationMs, missingSettings } from './lib/config.js';
import { setUpExpectedStatuses } from './lib/request.js';
import { junitXml, markdownSummary, summarize, textSummary, type K6SummaryData } from './lib/summary.js';
import { buildThresholds } from './lib/thresholds.js';

// `media-toolkit --redact PATTERN loadtest` hands its patterns down in MEDIA_TOOLKIT_REDACT.
setRedactPatterns((__ENV.MEDIA_TOOLKIT_REDACT ?? '').split('\n'));
const cfg = loadSettings();
const data = loadRecords(cfg);
const metrics = createMetrics();
setUpExpectedStatuses();
const ctx = { metrics, timeoutMs: durationMs(cfg.requestTimeout) };
const recordCount = data.count;

// Per-derivative submetrics (no threshold of their own) so the summary can break figures down.
const perDerivative: Record<string, never[]> = {};
for (let i = 0; i < data.derivatives.length && i < 20; i++) {
  const d = data.derivatives[i];
  // Only names k6's submetric syntax takes as they are.
  if (!/^[\w.-]+$/.test(d)) continue;
  for (const name of [METRIC.ttfb, METRIC.cacheHit, METRIC.bytes]) perDerivative[`${name}{derivative:${d}}`] = [];
}

export const options = {
  scenarios: buildScenarios(cfg, data.count),
  thresholds: { ...perDerivative, ...buildThresholds(cfg.thresholds) },
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
};

// Unset BASE_URL / RESULTS_FILE stop the run here rather than in init, so
// `k6 inspect dist/loadtest.js` works on the bare bundle.
export function setup(): void {
  const missing = missingSettings(cfg);
  if (missing) throw new Error(`media-toolkit loadtest: ${missing}`);
}

let rng: Rng | undefined;

export default function (): void {
  // Per-VU randomness, seeded (when SEED is set) from the VU's number in the
  // whole test (unique across execution segments), never __VU.
  if (!rng) {
    rng = cfg.seed === undefined ? Math.random : seededRng(cfg.seed * 7919 + exec.vu.idInTest);
  }
  // Sequential: the iteration's number in the whole test; random: the VU's own draw.
  const index = cfg.sequential ? sequentialIndex(exec.scenario.iterationInTest, recordCount) : randomIndex(rng, recordCount);
  const rec = data.target(index);
  if (cfg.mode === 'player' && !cfg.sequential) playerSession(rec, cfg, ctx, rng);
  else randomRangeRequest(rec, cfg, ctx, rng);
}

export function handleSummary(raw: K6SummaryData): Record<string, string> {
  const s = summarize(raw, {
    baseUrl: redactUrl(cfg.baseUrl),
    urlFormat: cfg.urlTemplate ? 'template' : cfg.urlFormat,
    mode: cfg.sequential ? 'sequential' : cfg.mode,
    loadMode: cfg.smoke ? 'smoke' : cfg.loadMode,
    stages: cfg.stages.map((st) => `${st.duration}:${st.target}`).join(' '),
    records: data.count,
  });
  const missing = missingSettings(cfg);
  if (missing) return { stdout: `\nmedia-toolkit loadtest: not run (${missing})\n` };
  return {
    stdout: textSummary(s),
    [cfg.summaryJson]: `${JSON.stringify({ ...s, k6: raw.metrics }, null, 2)}\n`,
    [cfg.summaryMd]: markdownSummary(s),
    [cfg.junitXml]: junitXml(s),
  };
}
