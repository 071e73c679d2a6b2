// The k6 `scenarios` option from the settings: ramping VUs through up to five
// stages by default, ramping arrival rate (STAGEn_USERS read as iterations/s),
// a smoke preset, or a fixed sequential sweep over the records.
import type { LoadtestConfig } from './config.js';

/** k6 scenario options (the subset this toolkit uses; k6's own type is looser). */
export type ScenarioOptions = Record<string, unknown>;

export const SCENARIO_NAME = 'media';

export function buildScenarios(cfg: LoadtestConfig, recordCount: number): Record<string, ScenarioOptions> {
  if (cfg.smoke) {
    return { [SCENARIO_NAME]: { executor: 'per-vu-iterations', vus: 1, iterations: cfg.smokeIterations, maxDuration: '2m' } };
  }
  if (cfg.sequential) {
    // Iterations numbered 0..N-1 across every k6 instance: iteration i requests record i % n.
    return {
      [SCENARIO_NAME]: {
        executor: 'shared-iterations',
        vus: cfg.vus,
        iterations: cfg.iterations ?? Math.max(1, recordCount),
        maxDuration: '30m',
      },
    };
  }
  if (cfg.loadMode === 'arrival-rate') {
    return {
      [SCENARIO_NAME]: {
        executor: 'ramping-arrival-rate',
        startRate: 0,
        timeUnit: '1s',
        preAllocatedVUs: cfg.preAllocatedVus,
        maxVUs: Math.max(cfg.maxVus, cfg.preAllocatedVus),
        stages: cfg.stages.map((s) => ({ target: s.target, duration: s.duration })),
      },
    };
  }
  return {
    [SCENARIO_NAME]: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: cfg.stages.map((s) => ({ target: Math.round(s.target), duration: s.duration })),
      gracefulRampDown: '5s',
    },
  };
}
