// The load test's settings, from k6 environment variables (-e NAME=value or the
// process environment) over an optional JSON config file (CONFIG_FILE) over
// defaults. Pure: the caller opens the files, so vitest can test the rules.
import { streamSettings, type StreamSettings } from './streaming/settings.js';
import { normalizeDuration, parseDurationMs } from '../../common/duration.js';
import { URL_FORMATS, type UrlFormat } from '../../common/url.js';
import { DEFAULT_RANGE_OPTIONS, KB, type RangeOptions } from './ranges.js';
import type { PlaybackSettings } from './player/playback.js';
import { percent } from '../../common/loadtest-report/percent.js';

export type LoadMode = 'vus' | 'arrival-rate';
export type RequestMode = 'random' | 'player' | 'hls' | 'dash';

export interface Stage {
  /** VUs (ramping-vus) or iterations per second (arrival-rate) at the end of the stage. */
  target: number;
  duration: string;
}

export interface ThresholdSettings {
  /** p(95) of http_req_duration below this many ms (default 15000). */
  reqDurationMs: number;
  /** http_req_failed rate below this (default 0.05). */
  failureRate: number;
  /** Cache-hit rate at least this, when set. */
  cacheHit?: number;
  /** p(95) TTFB below this many ms, when set. */
  ttfbMs?: number;
  /** Range-correctness rate at least this, when set. */
  rangeCorrectness?: number;
  /** p(95) of video_startup_time below this many ms, when set (STARTUP_P95_MAX_MS). */
  startupP95Ms?: number;
  /** Mean of the sessions' video_rebuffer_ratio at most this, when set (REBUFFER_RATIO_MAX). */
  rebufferRatioMax?: number;
  /** Stop the test as soon as a threshold is crossed. */
  abortOnFail: boolean;
}

/** The player mode's settings: the buffer model's (PlaybackSettings) and the progressive file's. */
export interface PlayerSettings extends PlaybackSettings {
  /** Media seconds per chunk request (PLAYER_CHUNK_SECONDS, default 4). */
  chunkSeconds: number;
  /** Bytes of the first range, where the box structure is read (PLAYER_OPEN_KB, default 64 KiB: ftyp, a short file's moov, the mdat header; a larger moov is completed with one more range). */
  openBytes: number;
  /** Mean watch time of a session, media seconds (exponential; SESSION_MEAN_SECONDS, default 60). */
  meanSessionSeconds: number;
}

/** Comparison with an earlier run's summary (BASELINE_FILE). */
export interface BaselineSettings {
  file?: string;
  /** Relative limit, 0.1 for 10% (MAX_REGRESSION, default 10%). */
  maxRegression: number;
  /** Absolute floor for time figures, ms (REGRESSION_FLOOR_MS, default 10). */
  floorMs: number;
}

export interface LoadtestConfig {
  baseUrl: string;
  resultsFile: string;
  /** Unset: imwidth for derivatives and each image variant's catalogue form, as prewarm does. */
  urlFormat?: UrlFormat;
  urlTemplate?: string;
  mode: RequestMode;
  loadMode: LoadMode;
  stages: Stage[];
  preAllocatedVus: number;
  maxVus: number;
  smoke: boolean;
  smokeIterations: number;
  /** Iteration i requests record i % n, no randomness (for distributed checks). */
  sequential: boolean;
  /** Iterations in sequential mode (default: one per record). */
  iterations?: number;
  /** VUs in sequential mode (default 1). */
  vus: number;
  seed?: number;
  ranges: RangeOptions;
  minSleep: number;
  maxSleep: number;
  requestTimeout: string;
  useErrorReport: boolean;
  errorReportFile?: string;
  skipLargeFiles: boolean;
  largeFileThresholdMb: number;
  thresholds: ThresholdSettings;
  player: PlayerSettings;
  /** MODE=hls / MODE=dash: entry templates and the ABR rule (scenarios/lib/streaming/). */
  stream: StreamSettings;
  baseline: BaselineSettings;
  summaryJson: string;
  summaryMd: string;
  summaryHtml: string;
  junitXml: string;
}

export const DEFAULT_STAGES: readonly Stage[] = [
  { target: 10, duration: '30s' },
  { target: 20, duration: '1m' },
  { target: 0, duration: '30s' },
];

export const MAX_STAGES = 5;

type Source = Record<string, unknown>;

/** A config file may use the env names (STAGE1_USERS) or camelCase (stage1Users), plus a `stages` array. */
function camel(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function lookup(env: Source, file: Source, name: string): string | undefined {
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== null && String(fromEnv) !== '') return String(fromEnv);
  for (const k of [name, camel(name)]) {
    const v = file[k];
    if (v !== undefined && v !== null && String(v) !== '') return String(v);
  }
  return undefined;
}

function bool(value: string | undefined, name: string, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

function number(value: string | undefined, name: string, dflt: number, min = 0, max = Infinity): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`${name} must be a number, got "${value}"`);
  if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function optionalNumber(value: string | undefined, name: string, min = 0, max = Infinity): number | undefined {
  return value === undefined ? undefined : number(value, name, 0, min, max);
}

/** "1m30s" -> 90000, "500ms" -> 500 (a setting already checked by duration()). */
export function durationMs(text: string): number {
  return parseDurationMs(text) ?? 0;
}

function duration(value: string | undefined, name: string, dflt: string): string {
  if (value === undefined) return dflt;
  const v = normalizeDuration(value);
  if (v === undefined) throw new Error(`${name} must be a duration like 30s, 2m or 1m30s, got "${value}"`);
  return v;
}

function stagesFrom(env: Source, file: Source): Stage[] {
  const stages: Stage[] = [];
  for (let i = 1; i <= MAX_STAGES; i++) {
    const users = lookup(env, file, `STAGE${i}_USERS`);
    const dur = lookup(env, file, `STAGE${i}_DURATION`);
    if (users === undefined && dur === undefined) continue;
    stages.push({
      target: number(users, `STAGE${i}_USERS`, 1, 0),
      duration: duration(dur, `STAGE${i}_DURATION`, '30s'),
    });
  }
  if (stages.length > 0) return stages;
  if (Array.isArray(file.stages)) {
    const list = file.stages as Array<Record<string, unknown>>;
    if (list.length > MAX_STAGES) throw new Error(`at most ${MAX_STAGES} stages, the config file has ${list.length}`);
    return list.map((s, i) => ({
      target: number(String(s.target ?? s.users ?? ''), `stages[${i}].users`, 1, 0),
      duration: duration(s.duration === undefined ? undefined : String(s.duration), `stages[${i}].duration`, '30s'),
    }));
  }
  return DEFAULT_STAGES.map((s) => ({ ...s }));
}

/** The settings a run cannot do without, as one message, or undefined when all are set. */
export function missingSettings(cfg: LoadtestConfig): string | undefined {
  const missing: string[] = [];
  if (!cfg.baseUrl) missing.push('BASE_URL (the CDN base URL, e.g. -e BASE_URL=https://cdn.example.com)');
  if (!cfg.resultsFile) missing.push('RESULTS_FILE (the pre-warming results JSON or CSV, an absolute path)');
  return missing.length === 0 ? undefined : `not set: ${missing.join('; ')}`;
}

/** Resolves every setting. Throws one clear message on a bad value. */
export function resolveConfig(env: Source, file: Source = {}): LoadtestConfig {
  const get = (name: string) => lookup(env, file, name);
  // Unset targets are reported by missingSettings() from setup(), so `k6 inspect` works without them.
  const baseUrl = get('BASE_URL') ?? '';
  const resultsFile = get('RESULTS_FILE') ?? '';

  // Unset is not the same as imwidth: prewarm's explicit --url-format imwidth gives image variants
  // the imwidth form too, its default leaves them their catalogue form; the URL warmed is the URL tested.
  const urlFormat = get('URL_FORMAT') as UrlFormat | undefined;
  if (urlFormat !== undefined && !URL_FORMATS.includes(urlFormat)) throw new Error(`URL_FORMAT must be one of ${URL_FORMATS.join(', ')}, got "${urlFormat}"`);

  const mode = (get('MODE') ?? 'random') as RequestMode;
  if (mode !== 'random' && mode !== 'player' && mode !== 'hls' && mode !== 'dash') throw new Error(`MODE must be random, player, hls or dash, got "${mode}"`);

  const loadMode = (get('LOAD_MODE') ?? 'vus') as LoadMode;
  if (loadMode !== 'vus' && loadMode !== 'arrival-rate') throw new Error(`LOAD_MODE must be vus or arrival-rate, got "${loadMode}"`);

  const preset = get('LOAD_PRESET');
  if (preset !== undefined && preset !== 'smoke' && preset !== 'default') throw new Error(`LOAD_PRESET must be smoke or default, got "${preset}"`);

  const minChunkKb = number(get('MIN_CHUNK_KB'), 'MIN_CHUNK_KB', DEFAULT_RANGE_OPTIONS.minChunkBytes / KB, 1);
  const maxChunkKb = number(get('MAX_CHUNK_KB'), 'MAX_CHUNK_KB', Math.max(minChunkKb, DEFAULT_RANGE_OPTIONS.maxChunkBytes / KB), 1);
  if (maxChunkKb < minChunkKb) throw new Error(`MAX_CHUNK_KB (${maxChunkKb}) is below MIN_CHUNK_KB (${minChunkKb})`);

  const minSleep = number(get('MIN_SLEEP'), 'MIN_SLEEP', 1, 0);
  const maxSleep = number(get('MAX_SLEEP'), 'MAX_SLEEP', Math.max(minSleep, 3), 0);
  if (maxSleep < minSleep) throw new Error(`MAX_SLEEP (${maxSleep}) is below MIN_SLEEP (${minSleep})`);

  const stages = stagesFrom(env, file);
  const peak = Math.max(1, ...stages.map((s) => s.target));
  const seed = optionalNumber(get('SEED'), 'SEED');

  return {
    baseUrl,
    resultsFile,
    urlFormat,
    urlTemplate: get('URL_TEMPLATE'),
    mode,
    loadMode,
    stages,
    preAllocatedVus: number(get('PRE_ALLOCATED_VUS'), 'PRE_ALLOCATED_VUS', Math.max(1, Math.ceil(peak)), 1),
    maxVus: number(get('MAX_VUS'), 'MAX_VUS', Math.max(10, Math.ceil(peak * 2)), 1),
    smoke: bool(get('SMOKE'), 'SMOKE', false) || preset === 'smoke',
    smokeIterations: number(get('SMOKE_ITERATIONS'), 'SMOKE_ITERATIONS', 3, 1),
    sequential: bool(get('SEQUENTIAL'), 'SEQUENTIAL', false),
    iterations: optionalNumber(get('ITERATIONS'), 'ITERATIONS', 1),
    vus: number(get('VUS'), 'VUS', 1, 1),
    seed: seed === undefined ? undefined : Math.floor(seed),
    ranges: {
      rangeProbability: number(get('RANGE_PROBABILITY'), 'RANGE_PROBABILITY', DEFAULT_RANGE_OPTIONS.rangeProbability, 0, 1),
      minChunkBytes: Math.round(minChunkKb * KB),
      maxChunkBytes: Math.round(maxChunkKb * KB),
    },
    minSleep,
    maxSleep,
    requestTimeout: duration(get('REQUEST_TIMEOUT'), 'REQUEST_TIMEOUT', '30s'),
    useErrorReport: bool(get('USE_ERROR_REPORT'), 'USE_ERROR_REPORT', false),
    errorReportFile: get('ERROR_REPORT_FILE'),
    skipLargeFiles: bool(get('SKIP_LARGE_FILES'), 'SKIP_LARGE_FILES', false),
    largeFileThresholdMb: number(get('LARGE_FILE_THRESHOLD_MB'), 'LARGE_FILE_THRESHOLD_MB', 256, 0),
    thresholds: {
      reqDurationMs: number(get('REQ_DURATION_THRESHOLD'), 'REQ_DURATION_THRESHOLD', 15000, 0),
      failureRate: number(get('FAILURE_RATE_THRESHOLD'), 'FAILURE_RATE_THRESHOLD', 0.05, 0, 1),
      cacheHit: optionalNumber(get('CACHE_HIT_THRESHOLD'), 'CACHE_HIT_THRESHOLD', 0, 1),
      ttfbMs: optionalNumber(get('TTFB_THRESHOLD'), 'TTFB_THRESHOLD', 0),
      rangeCorrectness: optionalNumber(get('RANGE_CORRECTNESS_THRESHOLD'), 'RANGE_CORRECTNESS_THRESHOLD', 0, 1),
      startupP95Ms: optionalNumber(get('STARTUP_P95_MAX_MS'), 'STARTUP_P95_MAX_MS', 0),
      rebufferRatioMax: optionalNumber(get('REBUFFER_RATIO_MAX'), 'REBUFFER_RATIO_MAX', 0, 1),
      abortOnFail: bool(get('ABORT_ON_FAIL'), 'ABORT_ON_FAIL', false),
    },
    player: {
      chunkSeconds: number(get('PLAYER_CHUNK_SECONDS'), 'PLAYER_CHUNK_SECONDS', 4, 0.1),
      bufferTargetSeconds: number(get('PLAYER_BUFFER_TARGET'), 'PLAYER_BUFFER_TARGET', 30, 0.1),
      startupSeconds: number(get('PLAYER_STARTUP_SECONDS'), 'PLAYER_STARTUP_SECONDS', 2, 0),
      abandonSeconds: number(get('PLAYER_ABANDON_SECONDS'), 'PLAYER_ABANDON_SECONDS', 10, 0),
      openBytes: Math.round(number(get('PLAYER_OPEN_KB'), 'PLAYER_OPEN_KB', 64, 1) * KB),
      seekProbability: number(get('SEEK_PROBABILITY'), 'SEEK_PROBABILITY', 0.05, 0, 1),
      meanSessionSeconds: number(get('SESSION_MEAN_SECONDS'), 'SESSION_MEAN_SECONDS', 60, 0),
      maxRequests: number(get('SESSION_MAX_REQUESTS'), 'SESSION_MAX_REQUESTS', 200, 1),
      timeScale: number(get('PLAYER_TIME_SCALE'), 'PLAYER_TIME_SCALE', 1, 0.000001),
    },
    stream: streamSettings(get, (name, def, min, max) => number(get(name), name, def, min, max)),
    baseline: {
      file: get('BASELINE_FILE'),
      maxRegression: percent(get('MAX_REGRESSION'), 'MAX_REGRESSION', 0.1),
      floorMs: number(get('REGRESSION_FLOOR_MS'), 'REGRESSION_FLOOR_MS', 10, 0),
    },
    summaryJson: get('SUMMARY_JSON') ?? 'reports/loadtest-summary.json',
    summaryMd: get('SUMMARY_MD') ?? 'reports/loadtest-summary.md',
    summaryHtml: get('SUMMARY_HTML') ?? 'reports/loadtest-summary.html',
    junitXml: get('JUNIT_XML') ?? 'reports/loadtest-junit.xml',
  };
}
