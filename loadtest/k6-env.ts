// From `media-toolkit loadtest` flags to the environment variables the k6
// scenario reads. Only flags the user gave become variables: the scenario
// keeps the defaults, so a CONFIG_FILE can still set what the flags leave out.
import { isAbsolute, resolve } from 'node:path';

export interface LoadtestFlags {
  baseUrl?: string;
  resultsFile?: string;
  configFile?: string;
  urlFormat?: string;
  urlTemplate?: string;
  mode?: string;
  hlsTemplate?: string;
  dashTemplate?: string;
  abrStartKbps?: number;
  abrFixed?: string;
  loadMode?: string;
  smoke?: boolean;
  sequential?: boolean;
  iterations?: number;
  vus?: number;
  preAllocatedVus?: number;
  maxVus?: number;
  useErrorReport?: boolean;
  errorReportFile?: string;
  skipLargeFiles?: boolean;
  largeFileThresholdMb?: number;
  requestTimeout?: string;
  rangeProbability?: number;
  minChunkKb?: number;
  maxChunkKb?: number;
  minSleep?: number;
  maxSleep?: number;
  seed?: number;
  reqDurationThreshold?: number;
  failureRateThreshold?: number;
  cacheHitThreshold?: number;
  ttfbThreshold?: number;
  rangeCorrectnessThreshold?: number;
  abortOnFail?: boolean;
  playerChunkSeconds?: number;
  playerBufferTarget?: number;
  playerStartupSeconds?: number;
  playerAbandonSeconds?: number;
  playerOpenKb?: number;
  playerTimeScale?: number;
  seekProbability?: number;
  sessionMeanSeconds?: number;
  sessionMaxRequests?: number;
  maxStartupP95?: number;
  maxRebufferRatio?: number;
  baseline?: string;
  maxRegression?: string;
  regressionFloorMs?: number;
  outputFile?: string;
  reportsDir: string;
  summaryMd?: string;
  summaryHtml?: string;
  junitXml?: string;
  [stage: `stage${number}Users` | `stage${number}Duration`]: number | string | undefined;
}

/** Absolute, because k6's open() resolves relative paths against the script's folder, not the working directory. */
export function absolute(path: string, cwd = process.cwd()): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

export interface SummaryPaths {
  json: string;
  md: string;
  html: string;
  junit: string;
}

export function summaryPaths(flags: LoadtestFlags, cwd = process.cwd()): SummaryPaths {
  const dir = absolute(flags.reportsDir, cwd);
  return {
    json: absolute(flags.outputFile ?? resolve(dir, 'loadtest-summary.json'), cwd),
    md: absolute(flags.summaryMd ?? resolve(dir, 'loadtest-summary.md'), cwd),
    html: absolute(flags.summaryHtml ?? resolve(dir, 'loadtest-summary.html'), cwd),
    junit: absolute(flags.junitXml ?? resolve(dir, 'loadtest-junit.xml'), cwd),
  };
}

/** Every variable the scenario reads: inherited ones are dropped so a stray MODE or SEED in the shell cannot leak in. */
export const SCENARIO_ENV_NAMES: readonly string[] = [
  'BASE_URL', 'RESULTS_FILE', 'CONFIG_FILE', 'URL_FORMAT', 'URL_TEMPLATE', 'MODE', 'LOAD_MODE', 'LOAD_PRESET', 'SMOKE', 'SMOKE_ITERATIONS',
  'SEQUENTIAL', 'ITERATIONS', 'VUS', 'PRE_ALLOCATED_VUS', 'MAX_VUS', 'USE_ERROR_REPORT', 'ERROR_REPORT_FILE', 'SKIP_LARGE_FILES',
  'LARGE_FILE_THRESHOLD_MB', 'REQUEST_TIMEOUT', 'RANGE_PROBABILITY', 'MIN_CHUNK_KB', 'MAX_CHUNK_KB', 'MIN_SLEEP', 'MAX_SLEEP', 'SEED',
  'REQ_DURATION_THRESHOLD', 'FAILURE_RATE_THRESHOLD', 'CACHE_HIT_THRESHOLD', 'TTFB_THRESHOLD', 'RANGE_CORRECTNESS_THRESHOLD',
  'ABORT_ON_FAIL', 'PLAYER_CHUNK_KB', 'SEEK_PROBABILITY', 'SESSION_MEAN_SECONDS', 'SESSION_MAX_REQUESTS', 'PLAYER_TIME_SCALE',
  'PLAYER_CHUNK_SECONDS', 'PLAYER_BUFFER_TARGET', 'PLAYER_STARTUP_SECONDS', 'PLAYER_ABANDON_SECONDS', 'PLAYER_OPEN_KB',
  'STARTUP_P95_MAX_MS', 'REBUFFER_RATIO_MAX', 'BASELINE_FILE', 'MAX_REGRESSION', 'REGRESSION_FLOOR_MS',
  'SUMMARY_JSON', 'SUMMARY_MD', 'SUMMARY_HTML', 'JUNIT_XML',
  'HLS_TEMPLATE', 'DASH_TEMPLATE', 'ABR_START_KBPS', 'ABR_SAFETY', 'ABR_UP_MARGIN', 'ABR_UP_MIN_BUFFER', 'ABR_HOLD_SEGMENTS', 'ABR_EWMA_WEIGHT', 'ABR_FIXED',
  ...[1, 2, 3, 4, 5].flatMap((i) => [`STAGE${i}_USERS`, `STAGE${i}_DURATION`]),
];

/** The child's environment: the parent's minus the scenario's own names, plus the settings. */
export function childEnv(parent: NodeJS.ProcessEnv, settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const name of SCENARIO_ENV_NAMES) delete env[name];
  return { ...env, ...settings };
}

/** Flags passed through as they are, each to the variable named after it (largeFileThresholdMb → LARGE_FILE_THRESHOLD_MB). */
const PLAIN_FLAGS = [
  'baseUrl', 'urlFormat', 'urlTemplate', 'mode', 'loadMode', 'smoke', 'sequential', 'iterations', 'vus', 'preAllocatedVus', 'maxVus',
  'skipLargeFiles', 'largeFileThresholdMb', 'requestTimeout', 'rangeProbability', 'minChunkKb', 'maxChunkKb', 'minSleep', 'maxSleep',
  'seed', 'reqDurationThreshold', 'failureRateThreshold', 'cacheHitThreshold', 'ttfbThreshold', 'rangeCorrectnessThreshold', 'abortOnFail',
  'playerChunkSeconds', 'playerBufferTarget', 'playerStartupSeconds', 'playerAbandonSeconds', 'playerOpenKb', 'playerTimeScale',
  'seekProbability', 'sessionMeanSeconds', 'sessionMaxRequests', 'maxRegression', 'regressionFloorMs',
  'hlsTemplate', 'dashTemplate', 'abrStartKbps', 'abrFixed',
] as const satisfies readonly (keyof LoadtestFlags)[];

const envName = (flag: string): string => flag.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

export function k6Env(flags: LoadtestFlags, cwd = process.cwd()): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (name: string, v: string | number | boolean | undefined) => {
    if (v !== undefined) env[name] = String(v);
  };
  for (const flag of PLAIN_FLAGS) set(envName(flag), flags[flag]);
  set('RESULTS_FILE', flags.resultsFile && absolute(flags.resultsFile, cwd));
  set('CONFIG_FILE', flags.configFile && absolute(flags.configFile, cwd));
  for (let i = 1; i <= 5; i++) {
    set(`STAGE${i}_USERS`, flags[`stage${i}Users`]);
    set(`STAGE${i}_DURATION`, flags[`stage${i}Duration`]);
  }
  // An error report file given means it is to be used.
  set('USE_ERROR_REPORT', flags.useErrorReport || flags.errorReportFile ? true : undefined);
  set('ERROR_REPORT_FILE', flags.errorReportFile && absolute(flags.errorReportFile, cwd));
  set('STARTUP_P95_MAX_MS', flags.maxStartupP95);
  set('REBUFFER_RATIO_MAX', flags.maxRebufferRatio);
  set('BASELINE_FILE', flags.baseline && absolute(flags.baseline, cwd));
  const paths = summaryPaths(flags, cwd);
  env.SUMMARY_JSON = paths.json;
  env.SUMMARY_MD = paths.md;
  env.SUMMARY_HTML = paths.html;
  env.JUNIT_XML = paths.junit;
  return env;
}
