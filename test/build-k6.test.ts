// The k6 bundle: `npm run build` (build.mjs, run by the vitest global setup)
// writes dist/loadtest.js, k6 inspect accepts it as it is and with settings,
// nothing is imported from a URL, and the loadtest command knows when to rebuild.
import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BUNDLE, k6 } from './loadtest-fixture.js';
import { bundleIsStale } from '../loadtest/bundle.js';
import { childEnv, k6Env } from '../loadtest/k6-env.js';

describe('k6 bundle', () => {
  it('dist/loadtest.js exists, bundles papaparse and common, imports only k6 modules', async () => {
    expect(existsSync(BUNDLE)).toBe(true);
    const src = await readFile(BUNDLE, 'utf8');
    const imports = [...src.matchAll(/^import .* from "([^"]+)";?$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const i of imports) expect(i === 'k6' || i.startsWith('k6/')).toBe(true);
    expect(src).not.toMatch(/https?:\/\/jslib/);
    expect(src).toMatch(/function derivativeUrl/);
    expect(src).toMatch(/Papa/);
  });

  it('k6 inspect accepts the bare bundle, and shows the stages, arrival rate and config-file settings', async () => {
    const bare = await k6(['inspect', BUNDLE]);
    expect(bare.code, bare.stderr).toBe(0);
    const opts = JSON.parse(bare.stdout);
    expect(opts.scenarios.media.executor).toBe('ramping-vus');
    expect(opts.thresholds.http_req_duration).toEqual(['p(95)<15000']);
    expect(opts.discardResponseBodies).toBe(true);

    const dir = await mkdtemp(join(tmpdir(), 'mt-inspect-'));
    try {
      const config = join(dir, 'config.json');
      await writeFile(config, JSON.stringify({ LOAD_MODE: 'arrival-rate', stages: [{ users: 40, duration: '20s' }, { users: 0, duration: '5s' }], maxVus: 80, FAILURE_RATE_THRESHOLD: 0.01 }));
      const r = await k6(['inspect', BUNDLE], { CONFIG_FILE: config, PRE_ALLOCATED_VUS: 12, ABORT_ON_FAIL: true });
      expect(r.code, r.stderr).toBe(0);
      const o = JSON.parse(r.stdout);
      expect(o.scenarios.media).toMatchObject({ executor: 'ramping-arrival-rate', preAllocatedVUs: 12, maxVUs: 80, timeUnit: '1s' });
      expect(o.scenarios.media.stages.map((s: { target: number }) => s.target)).toEqual([40, 0]);
      expect(o.thresholds.http_req_failed).toEqual([{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '2s' }]);
      const bad = await k6(['inspect', BUNDLE], { URL_FORMAT: 'nope' });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/URL_FORMAT must be one of imwidth, derivative, query, got \\"nope\\"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is rebuilt when missing or older than scenarios/ or common/', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mt-stale-'));
    try {
      await mkdir(join(root, 'scenarios', 'lib'), { recursive: true });
      await mkdir(join(root, 'common'), { recursive: true });
      await mkdir(join(root, 'dist'), { recursive: true });
      await writeFile(join(root, 'scenarios', 'lib', 'a.ts'), '');
      await writeFile(join(root, 'common', 'b.ts'), '');
      expect(await bundleIsStale(root)).toBe(true);
      await writeFile(join(root, 'dist', 'loadtest.js'), '');
      const past = new Date(Date.now() - 60_000);
      await utimes(join(root, 'scenarios', 'lib', 'a.ts'), past, past);
      await utimes(join(root, 'common', 'b.ts'), past, past);
      expect(await bundleIsStale(root)).toBe(false);
      await utimes(join(root, 'dist', 'loadtest.js'), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
      expect(await bundleIsStale(root)).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('maps flags to k6 settings with absolute paths, and drops inherited scenario variables', () => {
    const env = k6Env({ baseUrl: 'http://h', resultsFile: 'r.json', stage1Users: 5, stage1Duration: '10s', errorReportFile: 'x.json', reportsDir: 'out', outputFile: 's.json' }, '/work/here');
    expect(env).toMatchObject({
      BASE_URL: 'http://h', RESULTS_FILE: '/work/here/r.json', STAGE1_USERS: '5', STAGE1_DURATION: '10s', USE_ERROR_REPORT: 'true',
      ERROR_REPORT_FILE: '/work/here/x.json', SUMMARY_JSON: '/work/here/s.json', SUMMARY_MD: '/work/here/out/loadtest-summary.md', JUNIT_XML: '/work/here/out/loadtest-junit.xml',
    });
    expect(env.STAGE2_USERS).toBeUndefined();
    expect(env.MODE).toBeUndefined();
    const child = childEnv({ PATH: '/bin', MODE: 'test', SEED: '4', K6_OUT: 'json' }, { BASE_URL: 'http://h' });
    expect(child).toEqual({ PATH: '/bin', K6_OUT: 'json', BASE_URL: 'http://h' });
  });
});
