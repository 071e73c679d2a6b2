// `media-toolkit loadtest` as a user runs it: usage errors exit 2 with one
// line; a real run streams k6's output, writes the reports, and exits with
// k6's code (0 passed, 99 thresholds crossed), with k6 arguments after `--`.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { servedLibrary } from './loadtest-fixture.js';

const served = servedLibrary(4);

describe('media-toolkit loadtest', () => {
  it('usage errors exit 2 with one line', async () => {
    const [noBase, noResults, missing, badStage] = await Promise.all([
      runCli(['loadtest', '--results-file', served.lib.resultsFile]),
      runCli(['loadtest', '--base-url', served.origin.url]),
      runCli(['loadtest', '--base-url', served.origin.url, '--results-file', join(served.lib.dir, 'nope.json')]),
      runCli(['loadtest', '--base-url', served.origin.url, '--results-file', served.lib.resultsFile, '--stage1-duration', 'soon']),
    ]);
    expect(noBase.code).toBe(2);
    expect(noBase.stderr.trim().split('\n')).toEqual(['media-toolkit: loadtest: --base-url <url> is required (the CDN base URL)']);
    expect(noResults.code).toBe(2);
    expect(noResults.stderr).toMatch(/--results-file <file> is required/);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/nope\.json: --results-file not found/);
    expect(badStage.code).toBe(2);
    expect(badStage.stderr).toMatch(/expected a duration like 30s/);
  });

  it('runs k6 with relative paths made absolute, writes the reports, exits 0; passes k6 args after --', async () => {
    const r = await runCli(
      ['loadtest', '--base-url', served.origin.url, '--results-file', 'results.json', '--stage1-users', '2', '--stage1-duration', '2s',
        '--min-sleep', '0.05', '--max-sleep', '0.1', '--url-format', 'derivative', '--request-timeout', '10s', '--reports-dir', 'out',
        '--range-correctness-threshold', '1', '--', '--summary-trend-stats', 'avg,p(99)', '--quiet'],
      { cwd: served.lib.dir, env: { MODE: 'test' } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/media-toolkit loadtest: PASSED/);
    const s = JSON.parse(await readFile(join(served.lib.dir, 'out', 'loadtest-summary.json'), 'utf8'));
    expect(s.passed).toBe(true);
    expect(s.rangeCorrectRate).toBe(1);
    expect(s.settings).toMatchObject({ urlFormat: 'derivative', stages: '2s:2' });
    expect(existsSync(join(served.lib.dir, 'out', 'loadtest-summary.md'))).toBe(true);
    expect(existsSync(join(served.lib.dir, 'out', 'loadtest-junit.xml'))).toBe(true);
    // --summary-trend-stats after -- reached k6: the trends carry exactly those stats.
    expect(Object.keys(s.durationMs).sort()).toEqual(['avg', 'p(99)']);
  });

  it("exits with k6's 99 when a threshold is crossed, summary at --output-file", async () => {
    const out = join(served.lib.dir, 'gate', 'summary.json');
    const r = await runCli(['loadtest', '--base-url', served.origin.url, '--results-file', served.lib.resultsFile, '--smoke', '--min-sleep', '0', '--max-sleep', '0',
      '--req-duration-threshold', '0', '--output-file', out, '--reports-dir', join(served.lib.dir, 'gate')]);
    expect(r.code, r.stderr).toBe(99);
    const s = JSON.parse(await readFile(out, 'utf8'));
    expect(s.passed).toBe(false);
    expect(s.thresholds.find((t: { metric: string }) => t.metric === 'http_req_duration')).toMatchObject({ expression: 'p(95)<0', ok: false });
  });
});
