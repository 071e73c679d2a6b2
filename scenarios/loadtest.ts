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
import { baselineThresholds, compareSummaries } from '../common/loadtest-report/baseline.js';
import { htmlSummary } from '../common/loadtest-report/html.js';
import { junitXml } from '../common/loadtest-report/junit.js';
import { markdownSummary } from '../common/loadtest-report/markdown.js';
import {
  DURATION_SOURCES,
  STATUS_SUBMETRICS,
  runnerFileName,
  runnerOf,
  splitQuantiles,
  summarize,
  summaryTrendStats,
  thresholdKey,
  type K6SummaryData,
  type LoadtestSummary,
} from '../common/loadtest-report/summary.js';
import { textSummary } from '../common/loadtest-report/text.js';
import { loadRecords, openFile } from './lib/data.js';
import { buildScenarios } from './lib/load-shape.js';
import { createMetrics } from './lib/metrics.js';
import { METRIC, TAG_DURATION_SOURCE, VIDEO_METRIC } from './lib/metric-names.js';
import { randomIndex, sequentialIndex } from './lib/pick.js';
import { playerSession, randomRangeRequest } from './lib/patterns.js';
import { seededRng, type Rng } from './lib/random.js';
import { loadSettings } from './lib/settings.js';
import { durationMs, missingSettings } from './lib/config.js';
import { setUpExpectedStatuses } from './lib/request.js';
import { buildThresholds, type Threshold } from './lib/thresholds.js';
import { createVideoMetrics, videoReport } from './lib/player/video-metrics.js';
import { loadStreams } from './lib/streaming/streams.js';
import { playStream, setUpStreamRequests } from './lib/streaming/session.js';
import { createStreamMetrics } from './lib/streaming/stream-metrics.js';
import { TAG_SWITCH_DIRECTION } from '../common/loadtest-report/metric-names.js';

// `media-toolkit --redact PATTERN loadtest` hands its patterns down in MEDIA_TOOLKIT_REDACT.
setRedactPatterns((__ENV.MEDIA_TOOLKIT_REDACT ?? '').split('\n'));
const cfg = loadSettings();
// MODE=hls / MODE=dash: sessions on each video's stream instead of the records' URLs.
const streamMode = cfg.mode === 'hls' || cfg.mode === 'dash' ? cfg.mode : undefined;
const data = streamMode ? loadStreams(cfg, streamMode) : loadRecords(cfg);
const metrics = createMetrics();
const video = createVideoMetrics();
const streamMetrics = createStreamMetrics();
const report = videoReport(video);
setUpExpectedStatuses();
if (streamMode) setUpStreamRequests();
const ctx = { metrics, timeoutMs: durationMs(cfg.requestTimeout) };
const recordCount = data.count;
const player = (cfg.mode === 'player' && !cfg.sequential) || streamMode !== undefined;

// Per-derivative submetrics (no threshold of their own) so the summary can break figures down.
const thresholds: Record<string, Threshold[]> = {};
const derivatives: string[] = [];
for (let i = 0; i < data.derivatives.length && i < 20; i++) {
  const d = data.derivatives[i];
  // Only names k6's submetric syntax takes as they are.
  if (!/^[\w.-]+$/.test(d)) continue;
  derivatives.push(d);
  const names: string[] = [METRIC.ttfb, 'http_req_duration', METRIC.cacheHit, METRIC.bytes];
  if (player) names.push(VIDEO_METRIC.startup, VIDEO_METRIC.rebufferRatio, VIDEO_METRIC.stalls);
  for (const name of names) thresholds[`${name}{derivative:${d}}`] = [];
}
for (const code of STATUS_SUBMETRICS) thresholds[`http_reqs{status:${code}}`] = [];
if (player) for (const source of DURATION_SOURCES) thresholds[`${VIDEO_METRIC.sessions}{${TAG_DURATION_SOURCE}:${source}}`] = [];
if (streamMode) for (const d of ['up', 'down']) thresholds[`${VIDEO_METRIC.bitrateSwitches}{${TAG_SWITCH_DIRECTION}:${d}}`] = [];
Object.assign(thresholds, buildThresholds(cfg.thresholds));

// An earlier run's summary: its figures, plus the allowed regression, become thresholds.
let baseline: LoadtestSummary | undefined;
const baselineKeys = new Set<string>();
if (cfg.baseline.file) {
  const text = openFile(cfg.baseline.file, 'BASELINE_FILE');
  try {
    baseline = JSON.parse(text) as LoadtestSummary;
  } catch (err) {
    throw new Error(`BASELINE_FILE is not valid JSON: ${cfg.baseline.file} (${(err as Error).message})`);
  }
  if (!baseline || baseline.tool !== 'media-toolkit loadtest') throw new Error(`BASELINE_FILE is not a media-toolkit loadtest summary: ${cfg.baseline.file}`);
  const limits = baselineThresholds(baseline, cfg.baseline, derivatives);
  for (const metric of Object.keys(limits)) {
    for (const expr of limits[metric]) {
      (thresholds[metric] ??= []).push(cfg.thresholds.abortOnFail ? { threshold: expr, abortOnFail: true, delayAbortEval: '2s' } : expr);
      baselineKeys.add(thresholdKey(metric, expr));
    }
  }
}

export const options = {
  scenarios: buildScenarios(cfg, data.count),
  thresholds,
  discardResponseBodies: true,
  // The usual stats plus a 1% quantile grid, so `loadtest merge` can join runners' distributions.
  summaryTrendStats: summaryTrendStats(),
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
  if (streamMode) playStream(streamMode, rec, cfg, ctx, rng, video, streamMetrics, report);
  else if (player) playerSession(rec, cfg, ctx, rng, video, report);
  else randomRangeRequest(rec, cfg, ctx, rng);
}

export function handleSummary(raw: K6SummaryData): Record<string, string> {
  const missing = missingSettings(cfg);
  if (missing) return { stdout: `\nmedia-toolkit loadtest: not run (${missing})\n` };
  const opts = exec.test.options as { executionSegment?: string | null; executionSegmentSequence?: string | null };
  const runner = runnerOf(opts.executionSegment, opts.executionSegmentSequence);
  const s = summarize(raw, {
    settings: {
      baseUrl: redactUrl(cfg.baseUrl),
      urlFormat: cfg.urlTemplate ? 'template' : (cfg.urlFormat ?? 'imwidth'),
      mode: cfg.sequential ? 'sequential' : cfg.mode,
      loadMode: cfg.smoke ? 'smoke' : cfg.loadMode,
      stages: cfg.stages.map((st) => `${st.duration}:${st.target}`).join(' '),
      records: data.count,
      ...(player ? { playerTimeScale: cfg.player.timeScale, playerChunkSeconds: cfg.player.chunkSeconds, playerBufferTarget: cfg.player.bufferTargetSeconds } : {}),
      ...(streamMode
        ? { streamTemplate: streamMode === 'hls' ? cfg.stream.hlsTemplate : cfg.stream.dashTemplate, abr: cfg.stream.fixed === undefined ? `adaptive (start ${cfg.stream.abr.startKbps} kbit/s)` : `fixed rendition ${cfg.stream.fixed < 0 ? 'highest' : cfg.stream.fixed}` }
        : {}),
    },
    baselineThresholds: baselineKeys,
    runner,
  });
  if (baseline && cfg.baseline.file) s.baseline = compareSummaries(baseline, s, cfg.baseline, cfg.baseline.file);
  const { metrics: k6, quantiles } = splitQuantiles(raw.metrics);
  // Each runner of a distributed run writes under its own name (…runner-2-of-4.json).
  const name = (path: string) => runnerFileName(path, runner);
  return {
    stdout: textSummary(s),
    [name(cfg.summaryJson)]: `${JSON.stringify({ ...s, k6, quantiles }, null, 2)}\n`,
    [name(cfg.summaryMd)]: markdownSummary(s),
    [name(cfg.summaryHtml)]: htmlSummary(s),
    [name(cfg.junitXml)]: junitXml(s),
  };
}
